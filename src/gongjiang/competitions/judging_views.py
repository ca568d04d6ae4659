"""Judge pages (phone-sized): my assignments, the entrant queue, one marking screen per entrant ×
criterion with autosave (htmx, carrying the version), sign-off, and the chief judge's view.
A judge reaches only their own assignments; anything else answers 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core.downloads import download_filename
from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.core.exports import xlsx_bytes, xlsx_response

from . import marking, selectors
from .draw import not_drawn_error
from .models import Aspect, Entry, Mark


@login_required
def judge_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "competitions/judge_home.html",
        {"assignments": selectors.assignment_list(actor=request.user)},
    )


@login_required
def judge_queue(request: HttpRequest, code: str) -> HttpResponse:
    assignment = selectors.assignment_get(actor=request.user, code=code)
    stage = assignment.stage
    return render(
        request,
        "competitions/judge_queue.html",
        {
            "a": assignment,
            "queue": selectors.judge_queue(assignment=assignment),
            "blind": stage.competition.blind_judging and stage.published_at is None,
            "locked": marking.criterion_locked(assignment.stage_id, assignment.criterion_id),
        },
    )


def _entry_for(assignment: Any, entry_code: str) -> Entry:
    entry = (
        Entry.objects.filter(
            code=entry_code,
            stage=assignment.stage,
            trade_id=assignment.criterion.trade_id,
            status__in=Entry.ACTIVE,
        )
        .select_related(
            "worker__organization", "sending_org", "competition__organization", "stage", "trade"
        )
        .first()
    )
    if entry is None:
        raise Http404("entry")
    return entry


@login_required
def mark_sheet(request: HttpRequest, code: str, entry: str) -> HttpResponse:
    assignment = selectors.assignment_get(actor=request.user, code=code)
    entry_obj = _entry_for(assignment, entry)
    conflict = marking.conflict_reason(request.user, entry_obj)
    if entry_obj.blind:  # judged by number: no reason that would name the entrant
        if conflict:
            conflict = str(marking.BLIND_CONFLICT)
        elif entry_obj.draw_number is None:
            conflict = not_drawn_error().message
    queue = [
        q["entry"].code
        for q in selectors.judge_queue(assignment=assignment)
        if not q["conflict"] and (q["drawn"] or not q["blind"])
    ]
    i = queue.index(entry_obj.code) if entry_obj.code in queue else -1
    return render(
        request,
        "competitions/mark_sheet.html",
        {
            "a": assignment,
            "entry": entry_obj,
            "label": entry_obj.judge_label(),
            "conflict": conflict,
            "rows": []
            if conflict
            else selectors.marking_sheet(assignment=assignment, entry=entry_obj),
            "previous": queue[i - 1] if i > 0 else None,
            "next": queue[i + 1] if 0 <= i < len(queue) - 1 else None,
            "locked": marking.criterion_locked(assignment.stage_id, assignment.criterion_id),
        },
    )


@login_required
@require_POST
def mark_save(request: HttpRequest, code: str, entry: str, aspect: str) -> HttpResponse:
    """Autosave one aspect; answers the re-drawn aspect card (409 with the current value on conflict)."""
    assignment = selectors.assignment_get(actor=request.user, code=code)
    entry_obj = _entry_for(assignment, entry)
    aspect_obj = (
        Aspect.objects.select_related("criterion", "sub_criterion")
        .filter(code=aspect, criterion=assignment.criterion)
        .first()
    )
    if aspect_obj is None:
        raise Http404("aspect")
    status, message, level = 200, _("Saved."), "success"
    ask: dict[str, str] | None = None
    try:
        version = int(request.POST.get("version", "0"))
        marking.mark_save(
            actor=request.user,
            entry=entry_obj,
            aspect=aspect_obj,
            value=request.POST.get("value", ""),
            version=version,
            reason=request.POST.get("reason", ""),
            confirm=request.POST.get("confirm") == "1",
        )
    except ConflictError as exc:
        status, message, level = 409, exc.message, "warning"
    except ApplicationError as exc:
        status, message, level = exc.status, exc.message, "danger"
        if exc.code in marking.CONFIRM_CODES:  # the card asks: save anyway, or keep the old one
            level = "warning"
            ask = {
                "value": request.POST.get("value", ""),
                "version": request.POST.get("version", "0"),
                "reason": request.POST.get("reason", ""),
            }
    except (ValidationError, PermissionDenied, ArithmeticError, ValueError) as exc:
        status, level = getattr(exc, "status", 400), "danger"
        message = getattr(exc, "message", None) or " ".join(
            getattr(exc, "messages", [_("The value is not valid.")])
        )
    judge = None if aspect_obj.kind == Aspect.Kind.MEASUREMENT else request.user
    row = {
        "aspect": aspect_obj,
        "mark": Mark.objects.filter(entry=entry_obj, aspect=aspect_obj, judge=judge).first(),
    }
    locked = marking.criterion_locked(assignment.stage_id, assignment.criterion_id)
    return render(
        request,
        "competitions/_aspect_card.html",
        {
            "a": assignment,
            "entry": entry_obj,
            "row": row,
            "message": message,
            "level": level,
            "locked": locked,
            "ask": ask,
        },
        status=status,
    )


@login_required
@require_POST
def sign_off(request: HttpRequest, code: str) -> HttpResponse:
    assignment = selectors.assignment_get(actor=request.user, code=code)
    try:
        marking.criterion_sign_off(
            actor=request.user, stage=assignment.stage, criterion=assignment.criterion
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Signed off."))
    return redirect("competitions:judge_queue", code=assignment.code)


@login_required
def judge_export(request: HttpRequest, code: str) -> HttpResponse:
    """The judge's own marks for one assignment as a spreadsheet: one row per entrant and aspect,
    the entrant named by draw number while judging is blind."""
    assignment = selectors.assignment_get(actor=request.user, code=code)
    header = [_("entrant"), _("aspect"), _("value"), _("mark"), _("version")]
    rows = [
        [r["label"], r["aspect"], r["value"], r["mark"], r["version"]]
        for r in selectors.judge_marks(assignment=assignment)
    ]
    return xlsx_response(
        xlsx_bytes([(_("Marks"), header, rows)]),
        download_filename(_("Marks"), assignment.code, ext="xlsx"),
    )


@login_required
def chief(request: HttpRequest, code: str) -> HttpResponse:
    """The chief judge's view of a criterion: who signed off, and judgement spreads above 1."""
    assignment = selectors.assignment_get(actor=request.user, code=code)
    if not assignment.is_chief:
        raise Http404("chief judge only")
    status = selectors.criterion_status(stage=assignment.stage, criterion=assignment.criterion)
    flags = marking.spread_flags(stage=assignment.stage, criterion=assignment.criterion)
    return render(
        request, "competitions/chief.html", {"a": assignment, "status": status, "flags": flags}
    )


@login_required
@require_POST
def conflict_declare(request: HttpRequest, code: str, entry: str) -> HttpResponse:
    """A judge declares a conflict of interest with an entrant; they are then never shown the
    entrant again and may not mark them."""
    assignment = selectors.assignment_get(actor=request.user, code=code)
    entry_obj = _entry_for(assignment, entry)
    reason = request.POST.get("reason", "").strip()[:200]
    if not reason:
        messages.error(request, _("Give the reason for the conflict of interest."))
        return redirect("competitions:mark_sheet", code=assignment.code, entry=entry_obj.code)
    marking.judge_conflict_declare(actor=request.user, entry=entry_obj, reason=reason)
    messages.success(request, _("Conflict of interest recorded; the chief judge will reassign."))
    return redirect("competitions:judge_queue", code=assignment.code)

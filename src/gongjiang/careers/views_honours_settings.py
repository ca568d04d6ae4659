"""The organiser's settings of an honours round on a page — composition rules and the places of
the units below — and a worker's disqualifying records. Thin: the same services as the API
(honours.honour_rules_set, honour_quota_set, disqualifying_record_add / _end); every refusal names
the field it is about."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongjiang.core.access import get_visible_or_404
from gongjiang.core.errors import ApplicationError, validation_details
from gongjiang.core.models import Organization
from gongjiang.core.views import page as paged
from gongjiang.workforce.models import Worker

from . import honours
from . import honours_selectors as sel
from .models_honours import CATEGORIES, CompositionRule, DisqualifyingRecord

BLANK_RULE_ROWS = 2
MAX_RULE_ROWS = 20
RULE_FIELDS = {
    "categories": gettext_lazy("who counts"),
    "bound": gettext_lazy("bound"),
    "percent": gettext_lazy("share (%)"),
    "source": gettext_lazy("source"),
}
RECORD_FIELDS = {
    "kind": gettext_lazy("kind"),
    "date": gettext_lazy("date"),
    "until": gettext_lazy("stands until"),
    "note": gettext_lazy("note"),
    "record": gettext_lazy("record"),
}


def _details(exc: Exception) -> list[dict[str, str]]:
    if isinstance(exc, ApplicationError):
        return list(exc.details or [{"field": "", "error": exc.message}])
    return validation_details(exc)


def _rule_label(field: str) -> str:
    """``rules[2].percent`` → 组成规则第3条 · 比例(%)."""
    m = re.fullmatch(r"rules\[(\d+)\]\.(\w+)", field)
    if not m:
        return field
    return _("Rule %(n)s · %(field)s") % {
        "n": int(m.group(1)) + 1,
        "field": RULE_FIELDS.get(m.group(2), m.group(2)),
    }


# ----------------------------------------------------------------------- the round's settings
def _posted_rules(post: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows as typed (for redisplay) and the rows to save (blank rows left out; their
    positions are renumbered so an error names the rule as the user sees it)."""
    shown: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    text = post.get("rows", "")[:2]  # a count of the form's rows (at most 99), not content
    count = int(text) if text.isdigit() else 0
    for i in range(count):
        cats = [c[:20] for c in post.getlist(f"categories-{i}")[:10]]
        bound = post.get(f"bound-{i}", "")
        percent = post.get(f"percent-{i}", "").strip()
        source = post.get(f"source-{i}", "").strip()
        if not cats and not percent and not source:
            continue
        shown.append({"categories": cats, "bound": bound, "percent": percent, "source": source})
        rows.append(
            {
                "categories": ",".join(cats),
                "bound": bound,
                "percent": int(percent) if percent.isdigit() and len(percent) <= 3 else percent,
                "source": source,
            }
        )
    return shown, rows


def _rule_rows(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = [dict(r, i=i) for i, r in enumerate(rules)]
    for _k in range(BLANK_RULE_ROWS):
        out.append({"i": len(out), "categories": [], "bound": "min", "percent": "", "source": ""})
    return out[:MAX_RULE_ROWS]


def _units_below(actor: Any, round_: Any) -> QuerySet[Organization]:
    """Units below the organiser in the actor's management scope that may get places: the
    organiser's children and grandchildren (regions' and industries' unions, enterprises). All of
    them: the page shows them a page at a time (``?units=``), a save checks against them all."""
    org = round_.organization
    return (
        Organization.objects.visible_to(actor, honours.MANAGE)
        .filter(path__startswith=org.path, depth__gt=org.depth, depth__lte=org.depth + 2)
        .filter(is_active=True)
        .order_by("path", "code")
    )


def _settings_context(
    request: HttpRequest,
    round_: Any,
    *,
    rules: list[dict[str, Any]] | None = None,
    errors: list[dict[str, str]] | None = None,
    form: str = "",
) -> dict[str, Any]:
    if rules is None:
        rules = [
            {
                "categories": r.category_list(),
                "bound": r.bound,
                "percent": r.percent,
                "source": r.source,
            }
            for r in CompositionRule.objects.filter(round=round_).order_by("id")
        ]
    bad = {e.get("field", "") for e in errors or []}
    rows = _rule_rows(rules)
    for row in rows:
        row["bad"] = {f for f in RULE_FIELDS if f"rules[{row['i']}].{f}" in bad}
    quotas = {q.organization_id: q.places for q in round_.quotas.all()}
    units = paged(request, _units_below(request.user, round_), 100, param="units")
    units.object_list = [{"unit": u, "places": quotas.get(u.pk, "")} for u in units.object_list]
    return {
        "round": round_,
        "rule_rows": rows,
        "categories": CATEGORIES,
        "labels": RULE_FIELDS,
        "bounds": CompositionRule.Bound.choices,
        "units": units,
        "editable": round_.state == "nominating",
        "errors": [
            {
                "field": e.get("field", ""),
                "label": _rule_label(e.get("field", "")) if form == "rules" else e.get("label", ""),
                "error": e.get("error", ""),
            }
            for e in errors or []
        ],
        "form": form,
    }


@login_required
def round_settings(request: HttpRequest, code: str) -> HttpResponse:
    """Composition rules and places (the organiser's officers only; 404 for anyone else)."""
    round_ = sel.round_get(request.user, code)
    if not sel.manages(request.user, round_):
        raise Http404("honours round")
    if request.method != "POST":
        return render(request, "careers/honours_settings.html", _settings_context(request, round_))
    form = request.POST.get("form", "")
    if form == "rules":
        shown, rows = _posted_rules(request.POST)
        try:
            honours.honour_rules_set(actor=request.user, round=round_, rules=rows)
        except (ApplicationError, ValidationError) as exc:
            context = _settings_context(
                request, round_, rules=shown, errors=_details(exc), form="rules"
            )
            return render(request, "careers/honours_settings.html", context, status=422)
        messages.success(request, _("Composition rules saved."))
    elif form == "quotas":
        errors = _save_quotas(request, round_)
        if errors:
            context = _settings_context(request, round_, errors=errors, form="quotas")
            return render(request, "careers/honours_settings.html", context, status=422)
        messages.success(request, _("Places saved."))
    else:
        raise Http404("form")
    return redirect("careers:honour_settings", code=round_.code)


def _save_quotas(request: HttpRequest, round_: Any) -> list[dict[str, str]]:
    """Every unit's places in one transaction: all saved, or none and every bad one named."""
    below = _units_below(request.user, round_)
    posted = [key[len("places-") :] for key in request.POST if key.startswith("places-")]
    units = {u.code: u for u in below.filter(code__in=posted)}  # the page's units, whole codes
    current = {q.organization_id: q.places for q in round_.quotas.all()}
    errors: list[dict[str, str]] = []
    changes: list[tuple[Organization, int]] = []
    for key, value in request.POST.items():
        if not key.startswith("places-"):
            continue
        unit = units.get(key[len("places-") :])
        if unit is None:
            raise Http404("unit")
        text = value.strip()  # whole: a long number is refused below, never cut
        if not text and unit.pk not in current:
            continue
        label = _("Places of %(unit)s") % {"unit": unit.name}
        if not text.isdigit() or int(text) > 100000:
            errors.append(
                {
                    "field": key,
                    "label": label,
                    "error": _("Places are a whole number 0 to 100000."),
                }
            )
            continue
        if current.get(unit.pk) != int(text):
            changes.append((unit, int(text)))
    if errors:
        return errors
    try:
        with transaction.atomic():
            for unit, places in changes:
                honours.honour_quota_set(
                    actor=request.user, round=round_, organization=unit, places=places
                )
    except (ApplicationError, ValidationError) as exc:
        return [
            dict(e, label=_("Places") if e.get("field") == "places" else e.get("field", ""))
            for e in _details(exc)
        ]
    return []


# ------------------------------------------------------------------- disqualifying records
def _record_worker(request: HttpRequest, code: str) -> Worker:
    return get_visible_or_404(
        Worker.objects.select_related("organization"), request.user, honours.MANAGE, code=code
    )


def _day(value: str, field: str, *, required: bool) -> dt.date | None:
    text = (value or "").strip()[:10]
    if not text:
        if required:
            raise ValidationError({field: [_("Give a date.")]})
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError({field: [_("Give a date as YYYY-MM-DD.")]}) from None


@login_required
def worker_records(request: HttpRequest, code: str) -> HttpResponse:
    """A worker's disqualifying records: list, add, change the end (the honours managers of the
    worker's subtree; 404 otherwise)."""
    worker = _record_worker(request, code)
    errors: list[dict[str, str]] = []
    status = 200
    if request.method == "POST":
        post = request.POST
        try:
            if post.get("form") == "end":
                record = get_visible_or_404(
                    DisqualifyingRecord.objects.filter(worker=worker),
                    request.user,
                    honours.MANAGE,
                    code=post.get("record", "")[:20],
                )
                honours.disqualifying_record_end(
                    actor=request.user,
                    record=record,
                    until=_day(post.get("until", ""), "until", required=False),
                    note=post.get("note", ""),
                )
                messages.success(request, _("The record's end is saved."))
            else:
                honours.disqualifying_record_add(
                    actor=request.user,
                    worker=worker,
                    kind=post.get("kind", ""),
                    date=_day(post.get("date", ""), "date", required=True),
                    until=_day(post.get("until", ""), "until", required=False),
                    note=post.get("note", ""),
                )
                messages.success(request, _("Record saved."))
        except (ApplicationError, ValidationError) as exc:
            errors = [
                dict(e, label=str(RECORD_FIELDS.get(e.get("field", ""), e.get("field", ""))))
                for e in _details(exc)
            ]
            status = 422
        else:
            return redirect("careers:honour_worker_records", code=worker.code)
    today = timezone.localdate()
    records = list(DisqualifyingRecord.objects.filter(worker=worker).order_by("-date", "-id"))
    for r in records:
        r.standing = r.date <= today and (r.until is None or r.until >= today)
    return render(
        request,
        "careers/honours_records.html",
        {
            "worker": worker,
            "records": records,
            "kinds": DisqualifyingRecord.Kind.choices,
            "errors": errors,
            "bad": {e.get("field", "") for e in errors},
            "posted": request.POST if errors else {},
            "today": today,
        },
        status=status,
    )


@login_required
def records_find(request: HttpRequest) -> HttpResponse:
    """The worker picker's answer: open that worker's records (404 outside the scope)."""
    worker = _record_worker(request, request.GET.get("worker", "").strip()[:20])
    return redirect("careers:honour_worker_records", code=worker.code)

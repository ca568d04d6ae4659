"""Apprenticeship pages: the cadres' desk (pilots, institutions, to-dos), a pilot and its cohorts,
a cohort (apprentices, enrolment, claims), an apprentice (agreement, mentors, plan, monthly progress
and the steps — on a phone too), "my apprenticeship" for the apprentice and their mentor or teacher,
a claim (documents, submission, approval, payment), the rules table, the dashboard and the claims
report. Thin: the same services and selectors as the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core.access import get_visible_or_404
from gongjiang.core.errors import ApplicationError
from gongjiang.core.exports import file_response, xlsx_response
from gongjiang.core.models import Organization, SkillLevel
from gongjiang.core.selectors import organization_in_scope
from gongjiang.core.views import page as paged
from gongjiang.workforce.models import Worker

from . import apprenticeship as svc
from . import apprenticeship_io as io
from . import apprenticeship_rules as R
from . import apprenticeship_selectors as sel
from .apprenticeship_claims import funds_for, missing_documents
from .apprenticeship_common import APPROVE, MANAGE, PILOT, RULES, VIEW, RuleSet, may_train
from .form_values import whole_number
from .models_apprentice import (
    Apprentice,
    ApprenticeClaimDocument,
    ApprenticePlanItem,
    ApprenticeRule,
    TrainingInstitution,
)
from .views_honours import _error_text
from .views_programmes import _date

STAGE_NAMES = sel.STAGE_NAMES
STAGE_BADGES = {
    "training": "text-bg-primary",
    "completed": "text-bg-info",
    "in_evaluation": "text-bg-warning",
    "passed": "text-bg-success",
    "not_passed": "text-bg-danger",
    "terminated": "text-bg-secondary",
}
RULE_NAMES = dict(ApprenticeRule.Key.choices)


def _month(value: str, field: str) -> dt.date:
    text = (value or "").strip()[:10]
    if len(text) == 7:  # an <input type="month">: YYYY-MM
        text += "-01"
    return _date(text, field)


def _staged(a: Apprentice) -> Apprentice:
    a.stage_name = STAGE_NAMES.get(getattr(a, "stage", ""), "")
    a.stage_badge = STAGE_BADGES.get(getattr(a, "stage", ""), "text-bg-light")
    return a


def _fail(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, PermissionDenied):  # a step this role may not take here
        messages.error(request, _("You may not take this step."))
    else:
        messages.error(request, _error_text(exc))


# ------------------------------------------------------------------------------------ desk
@login_required
def desk(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.can(user, VIEW):
        return redirect("careers:apprentice_me")
    # every list in pages of its own (?pilots=, ?cohorts=, ?institutions=), counted in scope
    context: dict[str, Any] = {
        "pilots": paged(
            request, sel.pilots(user).order_by("organization__path", "id"), param="pilots"
        ),
        "cohorts": paged(
            request,
            sel.cohorts(user).order_by("-year", "pilot__organization__path", "id"),
            param="cohorts",
        ),
        "institutions": paged(
            request, sel.institutions(user).order_by("name", "id"), param="institutions"
        ),
        "to_decide": sel.claims_to_decide(user).count() if access.can(user, APPROVE) else 0,
        "to_pay": sel.claims_to_pay(user).count() if access.can(user, APPROVE) else 0,
        "overdue": sel.overdue(user).count() if access.can(user, MANAGE) else 0,
        "may_pilot": access.can(user, PILOT),
        "may_manage": access.can(user, MANAGE),
        "institution_kinds": TrainingInstitution.Kind.choices,
        "today": timezone.localdate().isoformat(),
    }
    if request.GET.get("claims") in ("decide", "pay"):
        wanted = request.GET["claims"]
        qs = sel.claims_to_decide(user) if wanted == "decide" else sel.claims_to_pay(user)
        context["claim_list"] = paged(
            request,
            qs.select_related("cohort__pilot__organization").order_by("-year", "id"),
            param="claims_page",
        )
        context["claim_filter"] = wanted
    return render(request, "careers/apprenticeship/desk.html", context)


@login_required
@require_POST
def pilot_create(request: HttpRequest) -> HttpResponse:
    post = request.POST
    try:
        org = organization_in_scope(
            actor=request.user,
            perm=PILOT,
            code=post.get("enterprise", ""),
        )
        pilot = svc.apprentice_pilot_create(
            actor=request.user,
            organization=org,
            since=_date(post.get("since", ""), "since"),
            designated_by=post.get("designated_by", ""),
            note=post.get("note", ""),
        )
    except (ApplicationError, ValidationError) as exc:
        _fail(request, exc)
        return redirect("careers:apprenticeship")
    messages.success(request, _("Pilot enterprise designated."))
    return redirect("careers:apprentice_pilot", code=pilot.code)


@login_required
@require_POST
def institution_create(request: HttpRequest) -> HttpResponse:
    post = request.POST
    try:
        org = organization_in_scope(
            actor=request.user,
            perm=MANAGE,
            code=post.get("organization", ""),
            queryset=Organization.objects.filter(is_active=True).exclude(kind="team"),
        )
        svc.training_institution_create(
            actor=request.user,
            organization=org,
            name=post.get("name", ""),
            kind=post.get("kind", ""),
        )
    except (ApplicationError, ValidationError) as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Training institution registered."))
    return redirect("careers:apprenticeship")


# ------------------------------------------------------------------------------------ pilot
@login_required
def pilot_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    pilot = sel.pilot_get(user, code)
    may_manage = access.can(user, MANAGE, pilot.organization)
    return render(
        request,
        "careers/apprenticeship/pilot.html",
        {
            "pilot": pilot,
            "cohorts": paged(request, sel.cohorts(user, pilot).order_by("-year", "-id")),
            "institutions": list(svc.institutions_for(pilot).order_by("name")),
            "may_manage": may_manage,
            "levels": SkillLevel.objects.filter(code__in=R.TARGET_LEVELS).order_by("rank"),
            "this_year": timezone.localdate().year,
        },
    )


@login_required
@require_POST
def cohort_create(request: HttpRequest, code: str) -> HttpResponse:
    pilot = sel.pilot_get(request.user, code)
    post = request.POST
    try:
        institution = (
            svc.institutions_for(pilot).filter(code=post.get("institution", "")[:20]).first()
        )
        if institution is None:
            raise ValidationError(
                {"institution": [_("Choose an institution registered for this pilot.")]}
            )
        cohort = svc.apprentice_cohort_create(
            actor=request.user,
            pilot=pilot,
            institution=institution,
            name=post.get("name", ""),
            occupation=post.get("occupation", ""),
            level=post.get("level", ""),
            year=whole_number(post.get("year"), "year", digits=4),
        )
    except (ApplicationError, ValidationError) as exc:
        _fail(request, exc)
        return redirect("careers:apprentice_pilot", code=pilot.code)
    messages.success(request, _("Cohort created: enrol its apprentices."))
    return redirect("careers:apprentice_cohort", code=cohort.code)


# ----------------------------------------------------------------------------------- cohort
@login_required
def cohort_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    cohort = sel.cohort_get(user, code)
    rules = RuleSet(cohort.pilot.organization)
    shortest, longest, special = rules.period(cohort.level_id)
    today = timezone.localdate()
    apprentices = paged(
        request, sel.apprentices(user, cohort).order_by("worker__name_pinyin", "id")
    )
    apprentices.object_list = [_staged(a) for a in apprentices.object_list]
    return render(
        request,
        "careers/apprenticeship/cohort.html",
        {
            "cohort": cohort,
            "apprentices": apprentices,
            "claims": list(sel.claims(user, cohort).order_by("-year", "-id")),
            "may_manage": access.can(user, MANAGE, cohort.pilot.organization),
            "period": (shortest, longest, special),
            "mentor_limit": rules.rule(R.MENTOR_LIMIT).value,
            "mentor_level": SkillLevel.objects.get(code=rules.rule(R.MENTOR_LEVEL).value),
            "contract_min": rules.rule(R.CONTRACT_MIN).value,
            "origins": Apprentice.Origin.choices,
            "today": today.isoformat(),
            "default_end": R.period_end(today, longest).isoformat(),
            "last_year": today.year - 1,
        },
    )


@login_required
def pilot_export(request: HttpRequest, code: str) -> HttpResponse:
    """Every apprentice of the pilot enterprise, all its cohorts (those the reader sees)."""
    pilot = sel.pilot_get(request.user, code)
    return xlsx_response(
        io.pilot_apprentices_xlsx(request.user, pilot),
        f"{pilot.organization.name[:60]}-学徒名册.xlsx",
    )


@login_required
def cohort_export(request: HttpRequest, code: str) -> HttpResponse:
    cohort = sel.cohort_get(request.user, code)
    return xlsx_response(
        io.apprentices_xlsx(request.user, cohort), f"{cohort.name[:60]}-学徒名册.xlsx"
    )


def _picked_worker(request: HttpRequest, code: str, field: str) -> Worker:
    try:
        return get_visible_or_404(
            Worker.objects.select_related("organization", "skill_level"),
            request.user,
            MANAGE,
            code=(code or "").strip()[:20],
        )
    except Http404:
        raise ValidationError({field: [_("No such worker in your scope.")]}) from None


def _teacher_user(username: str) -> Any:
    username = (username or "").strip()[:150]
    if not username:
        return None
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationError({"teacher": [_("No such login.")]})
    return user


@login_required
@require_POST
def cohort_enrol(request: HttpRequest, code: str) -> HttpResponse:
    cohort = sel.cohort_get(request.user, code)
    post = request.POST
    try:
        a = svc.apprentice_enrol(
            actor=request.user,
            cohort=cohort,
            worker=_picked_worker(request, post.get("worker", ""), "worker"),
            origin=post.get("origin", ""),
            agreement_number=post.get("agreement_number", ""),
            signed_on=_date(post.get("signed_on", ""), "signed_on"),
            contract_months=whole_number(post.get("contract_months"), "contract_months", digits=3),
            starts_on=_date(post.get("starts_on", ""), "starts_on"),
            ends_on=_date(post.get("ends_on", ""), "ends_on"),
            special_reason=post.get("special_reason", ""),
            mentor=_picked_worker(request, post.get("mentor", ""), "mentor"),
            teacher_name=post.get("teacher_name", ""),
            teacher=_teacher_user(post.get("teacher", "")),
        )
    except (ApplicationError, ValidationError) as exc:
        _fail(request, exc)
        return redirect("careers:apprentice_cohort", code=cohort.code)
    messages.success(request, _("Apprentice enrolled; draw up the training plan."))
    return redirect("careers:apprentice", code=a.code)


@login_required
@require_POST
def claim_create(request: HttpRequest, code: str) -> HttpResponse:
    cohort = sel.cohort_get(request.user, code)
    try:
        claim = svc.apprentice_claim_create(
            actor=request.user,
            cohort=cohort,
            year=whole_number(request.POST.get("year"), "year", digits=4),
        )
    except (ApplicationError, ValidationError) as exc:
        _fail(request, exc)
        return redirect("careers:apprentice_cohort", code=cohort.code)
    messages.success(request, _("Claim drawn up: attach its documents and submit it."))
    return redirect("careers:apprentice_claim", code=claim.code)


# -------------------------------------------------------------------------------- apprentice
@login_required
def apprentice_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    a = _staged(sel.apprentice_get(user, code))
    items = sel.plan(a)
    progress = sel.progress(a)
    manages = sel.manages(user, a)
    context: dict[str, Any] = {
        "a": a,
        "items": items,
        "progress": progress,
        "summary": sel.plan_summary(items, len(progress)),
        "months": R.whole_months(a.starts_on, a.ends_on),
        "certificate": sel.certificate_of(a),
        "manages": manages,
        "may_train": may_train(user, a),
        "may_plan": manages or (a.teacher_id is not None and a.teacher_id == user.pk),
        "kinds": ApprenticePlanItem.Kind.choices,
        "today": timezone.localdate().isoformat(),
        "this_month": timezone.localdate().strftime("%Y-%m"),
    }
    if manages and a.status == "completed":
        context["plans"] = list(sel.evaluation_plans_for(user, a)[:50])
    return render(request, "careers/apprenticeship/apprentice.html", context)


@login_required
@require_POST
def apprentice_step(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    a = sel.apprentice_get(user, code)
    post = request.POST
    step = post.get("step", "")
    try:
        if step == "item":
            course = None
            if post.get("kind") == "course":
                from gongjiang.learning.courses.services import course_get_for_learner

                try:
                    course = course_get_for_learner(actor=user, code=post.get("course", ""))
                except Http404:
                    raise ValidationError(
                        {"course": [_("Choose a course of the learning system.")]}
                    ) from None
            due = post.get("due_on", "").strip()
            svc.apprentice_plan_item_add(
                actor=user,
                apprentice=a,
                kind=post.get("kind", ""),
                title=post.get("title", ""),
                hours=post.get("hours", "").strip(),
                due_on=_date(due, "due_on") if due else None,
                course=course,
            )
        elif step == "done":
            item = ApprenticePlanItem.objects.filter(
                apprentice=a, code=post.get("item", "")[:20]
            ).first()
            if item is None:
                raise Http404("plan item")
            svc.apprentice_plan_item_done(
                actor=user,
                item=item,
                done_on=_date(post.get("done_on", ""), "done_on"),
                result=post.get("result", ""),
            )
        elif step == "credit":
            n = svc.apprentice_courses_credit(actor=user, apprentice=a)
            messages.info(request, _("%(n)s course(s) credited.") % {"n": n})
            return redirect("careers:apprentice", code=a.code)
        elif step == "progress":
            svc.apprentice_progress_record(
                actor=user,
                apprentice=a,
                month=_month(post.get("month", ""), "month"),
                workplace_hours=post.get("workplace_hours", "").strip() or "0",
                institution_hours=post.get("institution_hours", "").strip() or "0",
                summary=post.get("summary", ""),
                mentor_comment=post.get("mentor_comment", ""),
            )
        elif step == "complete":
            svc.apprentice_complete(
                actor=user,
                apprentice=a,
                completed_on=_date(post.get("completed_on", ""), "completed_on"),
            )
        elif step == "evaluation":
            plan = sel.evaluation_plans_for(user, a).filter(code=post.get("plan", "")[:20]).first()
            if plan is None:
                raise ValidationError(
                    {"plan": [_("Choose an open plan of the apprentice's occupation and level.")]}
                )
            svc.apprentice_evaluation_enrol(actor=user, apprentice=a, plan=plan)
        elif step == "terminate":
            svc.apprentice_terminate(
                actor=user,
                apprentice=a,
                ended_on=_date(post.get("ended_on", ""), "ended_on"),
                note=post.get("note", ""),
            )
        elif step == "mentors":
            mentor_code = post.get("mentor", "").strip()
            svc.apprentice_mentor_change(
                actor=user,
                apprentice=a,
                mentor=_picked_worker(request, mentor_code, "mentor") if mentor_code else None,
                teacher_name=post.get("teacher_name", "") or None,
                teacher=_teacher_user(post.get("teacher", "")),
            )
        else:
            raise Http404("step")
    except (ApplicationError, ValidationError, PermissionDenied) as exc:
        _fail(request, exc)
        return redirect("careers:apprentice", code=a.code)
    messages.success(request, _("Saved."))
    return redirect("careers:apprentice", code=a.code)


@login_required
def me(request: HttpRequest) -> HttpResponse:
    """My apprenticeship (the apprentice) and my apprentices (the mentor or the teacher)."""
    user = request.user
    current = sel.mine(user).first()  # the newest of one's own apprenticeships
    if current is not None:
        _staged(current)
    mentored = paged(request, sel.mentored(user), 50, param="mentored")
    mentored.object_list = [_staged(a) for a in mentored.object_list]
    context: dict[str, Any] = {
        "current": current,
        "mentored": mentored,
        "may_desk": access.can(user, VIEW),
    }
    if current is not None:
        items = sel.plan(current)
        progress = sel.progress(current)
        context.update(
            items=items,
            progress=progress[:3],
            summary=sel.plan_summary(items, len(progress)),
            certificate=sel.certificate_of(current),
        )
    return render(request, "careers/apprenticeship/me.html", context)


# ------------------------------------------------------------------------------------ claims
@login_required
def claim_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    claim = sel.claim_get(user, code)
    organization = claim.cohort.pilot.organization
    required = R.document_kinds(claim.required_documents)
    may_approve = access.can(user, APPROVE, organization)
    return render(
        request,
        "careers/apprenticeship/claim.html",
        {
            "claim": claim,
            "lines": list(
                claim.lines.select_related("apprentice__worker").order_by(
                    "apprentice__worker__name_pinyin"
                )
            ),
            "documents": list(claim.documents.all()),
            "required": [(k, R.DOCUMENT_KINDS[k]) for k in required],
            "missing": [R.DOCUMENT_KINDS[k] for k in missing_documents(claim)],
            "kinds": list(R.DOCUMENT_KINDS.items()),
            "may_manage": access.can(user, MANAGE, organization),
            "may_correct": claim.status == "submitted"
            and access.can(user, MANAGE, organization)
            and user.pk in (claim.created_by_id, claim.submitted_by_id),
            "corrections": list(claim.corrections.all()),
            "may_approve": may_approve,
            "funds": list(funds_for(user, claim).select_related("organization"))
            if may_approve and claim.status == "approved"
            else [],
        },
    )


@login_required
@require_POST
def claim_step(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    claim = sel.claim_get(user, code)
    post = request.POST
    step = post.get("step", "")
    try:
        if step == "document":
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationError({"file": [_("Choose a file.")]})
            svc.apprentice_claim_document_add(
                actor=user,
                claim=claim,
                kind=post.get("kind", ""),
                title=post.get("title", ""),
                upload=upload,
            )
        elif step == "submit":
            svc.apprentice_claim_submit(actor=user, claim=claim)
        elif step == "correct":
            new = svc.apprentice_claim_correct(
                actor=user, claim=claim, reason=post.get("reason", "")
            )
            messages.success(request, _("A corrected version is drawn up; check it and submit it."))
            return redirect("careers:apprentice_claim", code=new.code)
        elif step in ("approve", "reject"):
            svc.apprentice_claim_decide(
                actor=user, claim=claim, approve=step == "approve", note=post.get("note", "")
            )
        elif step == "pay":
            fund = funds_for(user, claim).filter(code=post.get("fund", "")[:20]).first()
            if fund is None:
                raise ValidationError({"fund": [_("Choose a fund.")]})
            svc.apprentice_claim_pay(
                actor=user, claim=claim, fund=fund, reference=post.get("reference", "")
            )
        else:
            raise Http404("step")
    except (ApplicationError, ValidationError, PermissionDenied) as exc:
        _fail(request, exc)
        return redirect("careers:apprentice_claim", code=claim.code)
    messages.success(request, _("Saved."))
    return redirect("careers:apprentice_claim", code=claim.code)


@login_required
def claim_document_open(request: HttpRequest, code: str) -> HttpResponse:
    document = get_visible_or_404(
        ApprenticeClaimDocument.objects.select_related("claim__cohort__pilot__organization"),
        request.user,
        VIEW,
        code=code,
    )
    from gongjiang.core.actors import audit
    from gongjiang.core.downloads import download_filename

    audit(
        actor=request.user,
        action="careers.apprentice_claim_document_open",
        obj=document.claim,
        organization=document.claim.cohort.pilot.organization,
        details={"document": document.code},
    )
    ext = document.upload.name.rsplit(".", 1)[-1]
    return file_response(document.upload.open("rb"), download_filename(document.title, ext=ext))


# ------------------------------------------------------------------------ rules, dashboard
@login_required
def rules(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.can(user, VIEW):
        raise Http404("rules")
    code = request.GET.get("organization", "").strip()
    orgs = Organization.objects.visible_to(user, VIEW).filter(is_active=True).exclude(kind="team")
    org = (
        organization_in_scope(actor=user, perm=VIEW, code=code, queryset=orgs)
        if code
        else orgs.order_by("depth", "path").first()
    )
    if org is None:
        raise Http404("organization")
    if request.method == "POST":
        post = request.POST
        try:
            svc.apprentice_rule_set(
                actor=user,
                organization=org,
                key=post.get("key", ""),
                level=post.get("level", ""),
                value=post.get("value", ""),
                source=post.get("source", ""),
            )
        except (ApplicationError, ValidationError, PermissionDenied) as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Saved."))
        return redirect(f"{request.path}?organization={org.code}")
    levels = dict(SkillLevel.objects.values_list("code", "name_zh"))
    table = []
    for r in RuleSet(org).table():
        shown = r.value
        if r.key == R.MENTOR_LEVEL:
            shown = levels.get(r.value, r.value)
        elif r.key == R.DOCUMENTS:
            shown = "、".join(R.DOCUMENT_KINDS[k] for k in R.document_kinds(r.value))
        table.append(
            {
                "rule": r,
                "name": RULE_NAMES.get(r.key, r.key),
                "level_name": levels.get(r.level, ""),
                "shown": shown,
                "below_floor": r.key == R.SUBSIDY and Decimal(r.value) < R.SUBSIDY_FLOOR,
            }
        )
    return render(
        request,
        "careers/apprenticeship/rules.html",
        {
            "org": org,
            "table": table,
            "may_edit": access.can(user, RULES, org),
            "keys": list(RULE_NAMES.items()),
            "target_levels": [(c, levels.get(c, c)) for c in R.TARGET_LEVELS],
            "floor": R.SUBSIDY_FLOOR,
        },
    )


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, VIEW):
        raise Http404("dashboard")
    return render(
        request, "careers/apprenticeship/dashboard.html", {"d": sel.dashboard(request.user)}
    )


@login_required
def report(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.can(user, VIEW):
        raise Http404("report")
    year_text = request.GET.get("year", "").strip()[:4]
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 else None
    if request.GET.get("format") == "xlsx":
        name = f"学徒制补贴申领统计{'-' + str(year) if year else ''}.xlsx"
        return xlsx_response(io.report_xlsx(user, year), name)
    rows = sel.report(user, year)
    return render(
        request,
        "careers/apprenticeship/report.html",
        {
            "rows": rows,
            "by_region": sel.report_by_region(rows),
            "year": year,
            "years": sel.years(user),
        },
    )

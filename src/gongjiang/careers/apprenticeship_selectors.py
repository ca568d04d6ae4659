"""Reads of the apprenticeship, each starting from ``visible_to``: pilots, cohorts, apprentices
(their managers in the pilot's subtree; the apprentice, the enterprise mentor and the institution
teacher read their own), claims, the dashboard and the claims report.

An apprentice's stage is derived, never stored twice: in training, completed, in evaluation (a
candidate of a plan not yet decided), passed, not passed, or ended early (:func:`with_stage`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, CharField, Count, Q, QuerySet, Sum, Value, When
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjiang.core import access
from gongjiang.core.models import Region

from .apprenticeship_common import APPROVE, MANAGE, VIEW
from .models_apprentice import (
    Apprentice,
    ApprenticeCohort,
    ApprenticePilot,
    ApprenticePlanItem,
    ApprenticeProgress,
    ApprenticeSubsidyClaim,
    TrainingInstitution,
)

STAGES = ("training", "completed", "in_evaluation", "passed", "not_passed", "terminated")
STAGE_NAMES = {
    "training": pgettext_lazy("apprentice", "in training"),
    "completed": pgettext_lazy("apprentice", "training completed"),
    "in_evaluation": _("in skill-level evaluation"),
    "passed": _("passed the evaluation"),
    "not_passed": _("did not pass the evaluation"),
    "terminated": pgettext_lazy("apprentice", "agreement ended early"),
}


def _authenticated(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False))


# ------------------------------------------------------------------------- pilots, cohorts
def pilots(actor: Any) -> QuerySet[ApprenticePilot]:
    return ApprenticePilot.objects.visible_to(actor, VIEW).select_related("organization")


def pilot_get(actor: Any, code: str) -> ApprenticePilot:
    pilot = pilots(actor).filter(code=code).first()
    if pilot is None:
        raise Http404("pilot")
    return pilot


def institutions(actor: Any) -> QuerySet[TrainingInstitution]:
    return TrainingInstitution.objects.visible_to(actor, VIEW).select_related("organization")


def cohorts(actor: Any, pilot: ApprenticePilot | None = None) -> QuerySet[ApprenticeCohort]:
    qs = ApprenticeCohort.objects.visible_to(actor, VIEW)
    if pilot is not None:
        qs = qs.filter(pilot=pilot)
    return qs.select_related("pilot__organization", "institution", "occupation", "level").annotate(
        n_apprentices=Count("apprentices")
    )


def cohort_get(actor: Any, code: str) -> ApprenticeCohort:
    cohort = cohorts(actor).filter(code=code).first()
    if cohort is None:
        raise Http404("cohort")
    return cohort


# ------------------------------------------------------------------------------ apprentices
def with_stage(qs: QuerySet[Apprentice]) -> QuerySet[Apprentice]:
    return qs.annotate(
        stage=Case(
            When(status="terminated", then=Value("terminated")),
            When(status="training", then=Value("training")),
            When(candidate__isnull=True, then=Value("completed")),
            When(candidate__passed=True, then=Value("passed")),
            When(candidate__passed=False, then=Value("not_passed")),
            default=Value("in_evaluation"),
            output_field=CharField(),
        )
    )


def apprentices(actor: Any, cohort: ApprenticeCohort | None = None) -> QuerySet[Apprentice]:
    """Apprentices of the pilots in the actor's scope, and those the actor is (or mentors, or
    teaches)."""
    qs = Apprentice.objects.visible_to(actor, VIEW)
    if _authenticated(actor) and not getattr(actor, "is_superuser", False):
        own = Q(worker__user=actor) | Q(mentor__user=actor) | Q(teacher=actor)
        qs = Apprentice.objects.filter(Q(pk__in=qs.values("pk")) | own)
    if cohort is not None:
        qs = qs.filter(cohort=cohort)
    return with_stage(
        qs.select_related(
            "cohort__pilot__organization",
            "cohort__occupation",
            "cohort__level",
            "cohort__institution",
            "worker__organization",
            "mentor",
            "candidate__plan",
        )
    )


def apprentice_get(actor: Any, code: str) -> Apprentice:
    apprentice = apprentices(actor).filter(code=code).first()
    if apprentice is None:
        raise Http404("apprentice")
    return apprentice


def manages(actor: Any, apprentice: Apprentice) -> bool:
    return access.can(actor, MANAGE, apprentice.cohort.pilot.organization)


def mine(actor: Any) -> QuerySet[Apprentice]:
    """The actor's own apprenticeships (newest first)."""
    if not _authenticated(actor):
        return Apprentice.objects.none()
    return with_stage(
        Apprentice.objects.filter(worker__user=actor).select_related(
            "cohort__pilot__organization", "cohort__level", "cohort__institution", "mentor"
        )
    ).order_by("-starts_on", "-id")


def mentored(actor: Any) -> QuerySet[Apprentice]:
    """The apprentices the actor mentors (enterprise mentor) or teaches (institution teacher)."""
    if not _authenticated(actor):
        return Apprentice.objects.none()
    return with_stage(
        Apprentice.objects.filter(Q(mentor__user=actor) | Q(teacher=actor)).select_related(
            "worker", "cohort"
        )
    ).order_by("status", "worker__name_pinyin", "id")


def mentored_in_training(actor: Any) -> int:
    if not _authenticated(actor):
        return 0
    return Apprentice.objects.filter(
        Q(mentor__user=actor) | Q(teacher=actor), status="training"
    ).count()


def plan(apprentice: Apprentice) -> list[ApprenticePlanItem]:
    return list(
        ApprenticePlanItem.objects.filter(apprentice=apprentice)
        .select_related("course")
        .order_by("due_on", "id")
    )


def progress(apprentice: Apprentice) -> list[ApprenticeProgress]:
    return list(ApprenticeProgress.objects.filter(apprentice=apprentice).order_by("-month"))


@dataclass
class PlanSummary:
    items: int
    done: int
    hours_planned: Decimal
    hours_credited: Decimal
    months_recorded: int
    percent: int


def plan_summary(items: list[ApprenticePlanItem], months: int) -> PlanSummary:
    done = [i for i in items if i.done_on]
    planned = sum((i.hours for i in items), Decimal(0))
    credited = sum((i.hours for i in done), Decimal(0))
    percent = round(100 * len(done) / len(items)) if items else 0
    return PlanSummary(len(items), len(done), planned, credited, months, percent)


def certificate_of(apprentice: Apprentice) -> Any:
    """The certificate the apprentice's evaluation issued (None until then)."""
    if apprentice.candidate_id is None:
        return None
    from gongjiang.certification.models import Certificate

    return Certificate.objects.filter(candidate_id=apprentice.candidate_id).first()


def evaluation_plans_for(actor: Any, apprentice: Apprentice) -> Any:
    """Open evaluation plans of the apprentice's occupation and target level the actor may run."""
    from gongjiang.certification.models import EvaluationPlan

    return (
        EvaluationPlan.objects.visible_to(actor, "certification.manage_evaluation")
        .filter(
            status=EvaluationPlan.Status.OPEN,
            occupation_id=apprentice.cohort.occupation_id,
            level_id=apprentice.cohort.level_id,
        )
        .order_by("-starts_on")
    )


# ----------------------------------------------------------------------------------- claims
def claims(actor: Any, cohort: ApprenticeCohort | None = None) -> QuerySet[ApprenticeSubsidyClaim]:
    qs = ApprenticeSubsidyClaim.objects.visible_to(actor, VIEW)
    if cohort is not None:
        qs = qs.filter(cohort=cohort)
    return qs.select_related("cohort__pilot__organization", "payment__fund")


def claim_get(actor: Any, code: str) -> ApprenticeSubsidyClaim:
    claim = claims(actor).filter(code=code).first()
    if claim is None:
        raise Http404("claim")
    return claim


def claims_to_decide(actor: Any) -> QuerySet[ApprenticeSubsidyClaim]:
    """Submitted claims the actor may approve: in their scope, not drawn up or submitted by them."""
    qs = ApprenticeSubsidyClaim.objects.visible_to(actor, APPROVE).filter(status="submitted")
    if getattr(actor, "pk", None) is not None:
        qs = qs.exclude(submitted_by=actor).exclude(created_by=actor)
    return qs


def claims_to_pay(actor: Any) -> QuerySet[ApprenticeSubsidyClaim]:
    qs = ApprenticeSubsidyClaim.objects.visible_to(actor, APPROVE).filter(status="approved")
    if getattr(actor, "pk", None) is not None:
        qs = qs.exclude(submitted_by=actor).exclude(created_by=actor)
    return qs


def overdue(actor: Any) -> QuerySet[Apprentice]:
    """Apprentices of the actor's pilots still in training after their agreement's end."""
    from django.utils import timezone

    return Apprentice.objects.visible_to(actor, MANAGE).filter(
        status="training", ends_on__lt=timezone.localdate()
    )


# -------------------------------------------------------------------------------- dashboard
@dataclass
class Tally:
    key: str
    label: str
    count: int


@dataclass
class Dashboard:
    total: int
    by_stage: list[Tally]
    by_province: list[Tally]
    by_enterprise: list[Tally]
    by_occupation: list[Tally]
    completed: int
    ended: int  # completed or ended early: the base of the completion rate
    passed: int
    evaluated: int  # candidates whose results are decided: the base of the pass rate
    completion_rate: float | None = None
    pass_rate: float | None = None


def _rate(n: int, base: int) -> float | None:
    return round(100 * n / base, 1) if base else None


def dashboard(actor: Any) -> Dashboard:
    """Apprentices of the pilots in scope by stage, province, enterprise and occupation; the
    completion rate (completed ÷ completed or ended early) and the pass rate (passed ÷ evaluated).
    Four grouped queries."""
    qs = with_stage(Apprentice.objects.visible_to(actor, VIEW))
    stages = dict(qs.values("stage").annotate(n=Count("id")).values_list("stage", "n").order_by())
    by_region = (
        qs.values("cohort__pilot__organization__region_id")
        .annotate(n=Count("id"))
        .values_list("cohort__pilot__organization__region_id", "n")
        .order_by()
    )
    provinces: dict[str, int] = {}
    for region, n in by_region:
        key = (region or "")[:2] + "0000"
        provinces[key] = provinces.get(key, 0) + n
    names = dict(Region.objects.filter(code__in=provinces).values_list("code", "name"))
    by_enterprise = (
        qs.values("cohort__pilot__code", "cohort__pilot__organization__name")
        .annotate(n=Count("id"))
        .order_by("-n", "cohort__pilot__organization__name")[:50]
    )
    by_occupation = (
        qs.values("cohort__occupation_id", "cohort__occupation__name")
        .annotate(n=Count("id"))
        .order_by("-n", "cohort__occupation_id")[:50]
    )
    completed = sum(
        stages.get(s, 0) for s in ("completed", "in_evaluation", "passed", "not_passed")
    )
    ended = completed + stages.get("terminated", 0)
    passed = stages.get("passed", 0)
    evaluated = passed + stages.get("not_passed", 0)
    return Dashboard(
        total=sum(stages.values()),
        by_stage=[Tally(s, str(STAGE_NAMES[s]), stages.get(s, 0)) for s in STAGES],
        by_province=[
            Tally(k, names.get(k, k), n)
            for k, n in sorted(provinces.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        by_enterprise=[
            Tally(r["cohort__pilot__code"], r["cohort__pilot__organization__name"], r["n"])
            for r in by_enterprise
        ],
        by_occupation=[
            Tally(r["cohort__occupation_id"], r["cohort__occupation__name"], r["n"])
            for r in by_occupation
        ],
        completed=completed,
        ended=ended,
        passed=passed,
        evaluated=evaluated,
        completion_rate=_rate(completed, ended),
        pass_rate=_rate(passed, evaluated),
    )


# ----------------------------------------------------------------------------------- report
@dataclass
class ReportRow:
    pilot: str
    enterprise: str
    region: str
    region_name: str
    year: int
    claims: int
    apprentices: int
    claimed: Decimal
    approved: Decimal
    paid: Decimal


def _fen(value: Any) -> Decimal:
    """A sum of money to the fen (SQLite sums decimals with trailing digits)."""
    return Decimal(value or 0).quantize(Decimal("0.01"))


def report(actor: Any, year: int | None = None) -> list[ReportRow]:
    """The subsidy claims per pilot and year, with the pilot's region: claims, apprentices
    claimed for, amounts claimed (every claim but drafts, rejected and corrected ones), approved (approved
    or paid) and paid. One grouped query and one for the region names."""
    qs = ApprenticeSubsidyClaim.objects.visible_to(actor, VIEW).exclude(
        status__in=["draft", "rejected", "corrected"]
    )
    if year is not None:
        qs = qs.filter(year=year)
    zero = Value(Decimal("0.00"))
    rows = (
        qs.values(
            "cohort__pilot__code",
            "cohort__pilot__organization__name",
            "cohort__pilot__organization__region_id",
            "cohort__pilot__organization__path",
            "year",
        )
        .annotate(
            n=Count("id", distinct=True),
            apprentices=Count("lines__apprentice", distinct=True),
        )
        .order_by("-year", "cohort__pilot__organization__path")
    )
    # the sums per status, without the lines' join doubling them
    sums = {
        (r["cohort__pilot__code"], r["year"]): r
        for r in qs.values("cohort__pilot__code", "year")
        .annotate(
            claimed=Sum("total"),
            approved=Sum("total", filter=Q(status__in=["approved", "paid"]), default=zero),
            paid=Sum("total", filter=Q(status="paid"), default=zero),
        )
        .order_by()
    }
    regions = {r["cohort__pilot__organization__region_id"] for r in rows}
    names = dict(Region.objects.filter(code__in=regions).values_list("code", "name"))
    out = []
    for r in rows:
        s = sums[(r["cohort__pilot__code"], r["year"])]
        region = r["cohort__pilot__organization__region_id"]
        out.append(
            ReportRow(
                pilot=r["cohort__pilot__code"],
                enterprise=r["cohort__pilot__organization__name"],
                region=region,
                region_name=names.get(region, region),
                year=r["year"],
                claims=r["n"],
                apprentices=r["apprentices"],
                claimed=_fen(s["claimed"]),
                approved=_fen(s["approved"]),
                paid=_fen(s["paid"]),
            )
        )
    return out


def report_by_region(rows: list[ReportRow]) -> list[ReportRow]:
    """The report's rows summed per region and year (pilot and enterprise left empty)."""
    totals: dict[tuple[str, int], ReportRow] = {}
    for r in rows:
        key = (r.region, r.year)
        t = totals.get(key)
        if t is None:
            totals[key] = ReportRow(
                "", "", r.region, r.region_name, r.year, r.claims, r.apprentices,
                r.claimed, r.approved, r.paid,
            )  # fmt: skip
        else:
            t.claims += r.claims
            t.apprentices += r.apprentices
            t.claimed += r.claimed
            t.approved += r.approved
            t.paid += r.paid
    return sorted(totals.values(), key=lambda r: (-r.year, r.region))


def years(actor: Any) -> list[int]:
    return sorted(
        set(
            ApprenticeSubsidyClaim.objects.visible_to(actor, VIEW)
            .values_list("year", flat=True)
            .distinct()
        ),
        reverse=True,
    )

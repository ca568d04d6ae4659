"""Every read of the careers app, starting from ``visible_to``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from gongjiang.core import access
from gongjiang.core.models import Organization
from gongjiang.workforce.models import Worker

from .bridge import Answer
from .models import BridgeApplication, ExpertLevel, ProfessionalTitle
from .policy import SKILL_RANK, TITLE_LEVELS, TITLE_RANK, EquivalenceDefault
from .registry import TableInForce, judge, record_of, table_in_force

VIEW = "careers.view"


def worker_get(actor: Any, code: str) -> Worker:
    """A worker whose career the actor may see: in the subtree of a careers role, or oneself
    (404 for missing and out-of-scope alike)."""
    qs = Worker.objects.select_related("organization", "skill_level", "occupation", "user")
    return access.get_visible_or_404(qs, actor, VIEW, code=code)


def own_worker(actor: Any) -> Worker:
    """The worker record linked to the login (404 when there is none)."""
    worker = (
        Worker.objects.select_related("organization", "skill_level", "occupation")
        .filter(user=actor)
        .first()
        if getattr(actor, "is_authenticated", False)
        else None
    )
    if worker is None:
        raise Http404("worker")
    return worker


def bridge_answer(actor: Any, code: str, target: str, on: dt.date) -> Answer:
    """The contract GET /workers/{code}/bridge: scoped like every worker read."""
    return judge(worker_get(actor, code), target, on)


def titles_of(worker: Worker) -> QuerySet[ProfessionalTitle]:
    return ProfessionalTitle.objects.filter(worker=worker).order_by("-date", "-id")


@dataclass
class NextStep:
    channel: str  # "title" or "skill"
    answer: Answer
    label: str
    ready_on: dt.date | None = None


@dataclass
class CareerOverview:
    worker: Worker
    on: dt.date
    table: TableInForce
    titles: list[ProfessionalTitle]
    skill_level: str
    title_level: str
    equivalent: EquivalenceDefault | None
    steps: list[NextStep] = field(default_factory=list)
    applications: list[BridgeApplication] = field(default_factory=list)
    # the management channel: the grade held on the day, its history, and the table's row for it
    grade: Any = None
    grades: list[Any] = field(default_factory=list)
    grade_equivalent: EquivalenceDefault | None = None


def _years_ready(answer: Answer, since_lookup: Any) -> dt.date | None:
    """When only years are missing, the day they will be complete."""
    unmet = answer.unmet
    if not unmet or any(c.rule not in ("years_at_skill_level", "years_at_title") for c in unmet):
        return None
    days = [since_lookup(c) for c in unmet]
    return max(days) if all(days) else None


def career_overview(worker: Worker, on: dt.date) -> CareerOverview:
    """Where the worker stands in each channel and what the next step of each needs."""
    from .bridge import reached_on

    table = table_in_force(worker.organization, on)
    record = record_of(worker, on)
    titles = list(titles_of(worker))
    skill = worker.skill_level_id or ""
    title_level = ""
    for t in titles:
        if not t.revoked and t.date <= on and TITLE_RANK[t.level] > TITLE_RANK.get(title_level, 0):
            title_level = t.level
    from .grades import grades_of

    grades = list(grades_of(worker))
    held = next((g for g in grades if g.held_on(on)), None)
    grade_equivalent = None
    for row in table.equivalences:
        if held is not None and row.management_grade == held.grade and grade_equivalent is None:
            grade_equivalent = row
    equivalent = None
    for row in table.equivalences:
        if row.skill_level == skill or (not skill and row.title_level == title_level):
            equivalent = row
    if equivalent is None and not skill and not title_level:
        # a worker with neither a skill level nor a title stands where their management grade is
        equivalent = grade_equivalent
    steps: list[NextStep] = []

    def since(condition: Any) -> dt.date | None:
        years, _at, level = condition.required.partition("@")
        start = reached_on(record, level) if level in SKILL_RANK else None
        if level in TITLE_RANK:
            dates = [
                t.date for t in titles if not t.revoked and TITLE_RANK[t.level] >= TITLE_RANK[level]
            ]
            start = min(dates) if dates else None
        if start is None:
            return None
        try:
            return start.replace(year=start.year + int(years))
        except ValueError:  # 29 February
            return dt.date(start.year + int(years), 3, 1)

    # the title that stands with the worker's skill level, else the next one up
    title_rank = TITLE_RANK.get(title_level, 0)
    skill_rank = SKILL_RANK.get(skill, 0)
    by_skill = [e.title_level for e in table.equivalences if e.skill_level == skill]
    by_title = [e.skill_level for e in table.equivalences if e.title_level == title_level]
    next_title = [t for t in by_skill if TITLE_RANK.get(t, 0) > title_rank] or [
        c for c, _l in TITLE_LEVELS if TITLE_RANK[c] > title_rank
    ]
    if next_title:
        answer = judge(worker, next_title[0], on)
        steps.append(NextStep("title", answer, next_title[0], _years_ready(answer, since)))
    next_skill = [s for s in by_title if SKILL_RANK.get(s, 0) > skill_rank]
    next_skill += [c for c, r in SKILL_RANK.items() if r == skill_rank + 1]
    next_skill = [c for c in next_skill if any(r.target == c for r in table.rules)]
    if next_skill:
        answer = judge(worker, next_skill[0], on)
        steps.append(NextStep("skill", answer, next_skill[0], _years_ready(answer, since)))
    applications = list(
        BridgeApplication.objects.filter(worker=worker).order_by("-submitted_at")[:20]
    )
    return CareerOverview(
        worker,
        on,
        table,
        titles,
        skill,
        title_level,
        equivalent,
        steps,
        applications,
        held,
        grades,
        grade_equivalent,
    )


def applications(actor: Any, status: str = "") -> QuerySet[BridgeApplication]:
    qs = BridgeApplication.objects.visible_to(actor, VIEW).select_related(
        "worker", "organization", "submitted_by", "decided_by"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-submitted_at", "-id")


def applications_to_decide(actor: Any) -> QuerySet[BridgeApplication]:
    """Applications awaiting a decision that the actor may take (not their own filings)."""
    qs = BridgeApplication.objects.visible_to(actor, "careers.decide").filter(
        status=BridgeApplication.Status.SUBMITTED
    )
    return qs.exclude(submitted_by=actor).exclude(worker__user=actor)


def application_get(actor: Any, code: str) -> BridgeApplication:
    qs = BridgeApplication.objects.select_related(
        "worker", "worker__organization", "organization", "submitted_by", "decided_by"
    )
    try:
        return qs.visible_to(actor, VIEW).get(code=code)
    except BridgeApplication.DoesNotExist:
        own = qs.filter(code=code, worker__user=actor).first() if actor.is_authenticated else None
        if own is None:
            raise Http404("application") from None
        return own


def enterprise_get(actor: Any, code: str) -> Organization:
    """An enterprise union whose careers the actor may see (404 otherwise)."""
    return access.get_visible_or_404(
        Organization.objects.filter(kind=Organization.Kind.ENTERPRISE), actor, VIEW, code=code
    )


def enterprises(actor: Any) -> QuerySet[Organization]:
    return Organization.objects.visible_to(actor, VIEW).filter(
        kind=Organization.Kind.ENTERPRISE, is_active=True
    )


def expert_levels(organization: Organization) -> QuerySet[ExpertLevel]:
    return ExpertLevel.objects.filter(organization=organization).order_by("rank")


def table_versions(organization: Organization) -> QuerySet[Any]:
    """Every version of an enterprise's career table, newest day first (drafts and versions set
    aside included: nothing is deleted)."""
    from .models import CareerTable

    return (
        CareerTable.objects.filter(organization=organization)
        .select_related("organization", "created_by", "decided_by")
        .order_by("-effective_from", "-id")
    )

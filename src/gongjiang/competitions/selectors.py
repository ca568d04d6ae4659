"""Reads for the screens, the API and the exports; each starts from a queryset scoped to the actor."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from gongjiang.core import access

from .marking import MIN_JUDGES, conflict_reason, criterion_locked
from .models import Aspect, Competition, Entry, JudgeAssignment, Mark, Result, Stage
from .scalers import scaler_for


def competition_list(*, actor: Any) -> QuerySet[Competition]:
    return (
        Competition.objects.visible_to(actor)
        .select_related("organization")
        .annotate(n_entries=Count("entries", distinct=True))
        .order_by("-year", "name")
    )


def competition_get(*, actor: Any, code: str) -> Competition:
    return access.get_visible_or_404(
        Competition.objects.select_related("organization"), actor, code=code
    )


def competition_get_for_change(*, actor: Any, code: str) -> Competition:
    """The competition if the actor organises it (404 if out of scope, 403 if only visible)."""
    competition = competition_get(actor=actor, code=code)
    access.require(actor, "competitions.change_competition", competition.organization)
    return competition


def stage_get(*, actor: Any, code: str) -> Stage:
    stage = Stage.objects.select_related("competition__organization").filter(code=code).first()
    if stage is None:
        raise Http404("stage")
    competition_get(actor=actor, code=stage.competition.code)
    return stage


def entry_list(
    *, actor: Any, competition: Competition, stage: str = "", trade: str = "", status: str = ""
) -> QuerySet[Entry]:
    qs = (
        Entry.objects.visible_to(actor)
        .filter(competition=competition)
        .select_related(
            "worker",
            "worker__organization",
            "worker__employer",
            "sending_org",
            "trade",
            "stage",
            "worker__skill_level",
        )
    )
    if stage:
        qs = qs.filter(stage__code=stage)
    if trade:
        qs = qs.filter(trade__code=trade)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("stage__order", "trade_id", "sending_org__path", "id")


def entry_get(*, actor: Any, code: str) -> Entry:
    return access.get_visible_or_404(
        Entry.objects.select_related(
            "competition__organization",
            "worker__organization",
            "worker__employer",
            "sending_org",
            "trade",
            "stage",
        ),
        actor,
        code=code,
    )


# --------------------------------------------------------------------------- judges
def assignment_list(*, actor: Any) -> QuerySet[JudgeAssignment]:
    """A judge sees only their own assignments."""
    return (
        JudgeAssignment.objects.filter(user=actor)
        .select_related("stage__competition", "criterion__trade")
        .order_by("-stage__competition__year", "stage__order")
    )


def assignment_get(*, actor: Any, code: str) -> JudgeAssignment:
    a = assignment_list(actor=actor).filter(code=code).first()
    if a is None:
        raise Http404("assignment")
    return a


def judge_queue(*, assignment: JudgeAssignment) -> list[dict[str, Any]]:
    """The entrants the judge marks for this criterion, with how many of their marks are in.

    Blind judging (see ``draw.py``): each row's ``label`` is the draw number, the rows come in
    number order, and entrants the judge may not mark are left out (their reason would name them).
    Otherwise the label is the name and such entrants are listed greyed out with the reason.
    """
    entries = list(
        Entry.objects.filter(
            stage=assignment.stage, trade_id=assignment.criterion.trade_id, status__in=Entry.ACTIVE
        )
        .select_related("worker__organization", "sending_org", "competition__organization", "stage")
        .order_by("id")
    )
    aspects = list(assignment.criterion.aspects.all())
    mine = Counter(
        Mark.objects.filter(entry__in=entries, aspect__in=aspects)
        .filter(Q(judge=assignment.user) | Q(judge__isnull=True))
        .values_list("entry_id", flat=True)
    )
    rows = []
    for e in entries:
        conflict = conflict_reason(assignment.user, e)
        if e.blind and conflict:
            continue
        rows.append(
            {
                "entry": e,
                "label": e.judge_label(),
                "blind": e.blind,
                "drawn": e.draw_number is not None,
                "done": mine.get(e.pk, 0),
                "total": len(aspects),
                "conflict": conflict,
            }
        )
    if rows and rows[0]["blind"]:
        rows.sort(key=lambda r: (r["entry"].draw_number is None, r["entry"].draw_number or 0))
    return rows


def judge_marks(*, assignment: JudgeAssignment) -> list[dict[str, Any]]:
    """The judge's marks (their judgement scores and the shared measurements) of one assignment,
    for the export; entrants labelled as in the queue (draw number while blind)."""
    entries = {q["entry"].pk: q for q in judge_queue(assignment=assignment) if not q["conflict"]}
    marks = (
        Mark.objects.filter(entry_id__in=entries, aspect__criterion=assignment.criterion)
        .filter(Q(judge=assignment.user) | Q(judge__isnull=True))
        .select_related("aspect")
        .order_by("entry_id", "aspect__id")
    )
    order = {pk: n for n, pk in enumerate(entries)}
    rows = [
        {
            "label": entries[m.entry_id]["label"],
            "aspect": f"{m.aspect.label} {m.aspect.description}".strip(),
            "value": float(m.value),
            "mark": float(m.mark),
            "version": m.version,
            "_order": order[m.entry_id],
        }
        for m in marks
    ]
    rows.sort(key=lambda r: r["_order"])
    return rows


def marking_sheet(*, assignment: JudgeAssignment, entry: Entry) -> list[dict[str, Any]]:
    """One row per aspect of the criterion: the judge's (or shared) mark and its version."""
    aspects = list(
        Aspect.objects.filter(criterion=assignment.criterion).select_related(
            "sub_criterion", "criterion"
        )
    )
    marks = {
        (m.aspect_id, m.judge_id): m for m in Mark.objects.filter(entry=entry, aspect__in=aspects)
    }
    rows = []
    for a in aspects:
        judge_id = None if a.kind == Aspect.Kind.MEASUREMENT else assignment.user_id
        rows.append({"aspect": a, "mark": marks.get((a.pk, judge_id))})
    return rows


def criterion_status(*, stage: Stage, criterion: Any) -> dict[str, Any]:
    assignments = list(
        JudgeAssignment.objects.filter(stage=stage, criterion=criterion).select_related("user")
    )
    return {"assignments": assignments, "locked": criterion_locked(stage, criterion)}


# --------------------------------------------------------------------------- results
def stage_results(*, stage: Stage, trade: Any = None) -> dict[Any, list[Result]]:
    """Results per trade at a stage, in rank order."""
    qs = (
        Result.objects.filter(entry__stage=stage, entry__status=Entry.Status.CONFIRMED)
        .select_related(
            "entry__worker__organization",
            "entry__worker__employer",
            "entry__sending_org",
            "entry__trade",
        )
        .order_by("entry__trade_id", "rank", "entry_id")
    )
    if trade is not None:
        qs = qs.filter(entry__trade=trade)
    out: dict[Any, list[Result]] = defaultdict(list)
    for r in qs:
        out[r.entry.trade].append(r)
    return dict(out)


def scaler_label(competition: Competition) -> str:
    return str(scaler_for(competition.scaler).label)


def public_competition(*, code: str) -> Competition:
    competition = (
        Competition.objects.filter(code=code, stages__published_at__isnull=False).distinct().first()
    )
    if competition is None:
        raise Http404("competition")
    return competition


PUBLIC_FIELDS = (
    "rank",
    "name",
    "organization",
    "employer",
    "theory",
    "practical",
    "total",
    "prize",
    "scaled",
)


def public_results(*, competition: Competition) -> list[dict[str, Any]]:
    """Published stages only; each row holds names, organisations and scores — nothing else personal."""
    out = []
    for stage in competition.stages.filter(published_at__isnull=False).order_by("-order"):
        trades = []
        for trade, rows in stage_results(stage=stage).items():
            trades.append({"trade": trade.name, "rows": [public_row(r) for r in rows]})
        out.append({"stage": stage.name, "code": stage.code, "trades": trades})
    return out


def public_row(r: Result) -> dict[str, Any]:
    return {
        "code": r.entry.code,
        "rank": r.rank,
        "name": r.entry.worker.name,
        "organization": r.entry.sending_org.name,
        "employer": r.entry.worker.employer.name,
        "theory": r.theory,
        "practical": r.practical,
        "total": r.total,
        "prize": r.prize,
        "scaled": r.scaled,
    }


def public_entry(*, competition: Competition, code: str) -> dict[str, Any]:
    r = (
        Result.objects.filter(
            entry__code=code,
            entry__competition=competition,
            entry__stage__published_at__isnull=False,
        )
        .select_related(
            "entry__worker__organization",
            "entry__worker__employer",
            "entry__sending_org",
            "entry__trade",
            "entry__stage",
        )
        .first()
    )
    if r is None:
        raise Http404("entry")
    return {**public_row(r), "trade": r.entry.trade.name, "stage": r.entry.stage.name}


# --------------------------------------------------------------------------- analytics
def analytics(*, actor: Any, competition: Competition) -> dict[str, Any]:
    """Participation by organisation, trade and stage; pass-through; score distributions; judge spread."""
    entries = Entry.objects.visible_to(actor).filter(competition=competition)
    by_stage = list(
        entries.values("stage__order", "stage__name")
        .annotate(n=Count("id", filter=Q(status__in=Entry.ACTIVE)))
        .order_by("stage__order")
    )
    by_trade = list(
        entries.filter(status__in=Entry.ACTIVE)
        .values("trade__name")
        .annotate(n=Count("id"))
        .order_by("trade__name")
    )
    by_org = list(
        entries.filter(status__in=Entry.ACTIVE)
        .values("sending_org__name")
        .annotate(n=Count("id"))
        .order_by("-n")[:20]
    )
    passes = []
    for a, b in zip(by_stage, by_stage[1:], strict=False):
        passes.append(
            {
                "from": a["stage__name"],
                "to": b["stage__name"],
                "rate": round(100 * b["n"] / a["n"], 1) if a["n"] else None,
            }
        )
    bins = list(range(0, 101, 10))
    distributions: dict[str, list[int]] = {}
    for trade_name, total in Result.objects.filter(entry__in=entries).values_list(
        "entry__trade__name", "total"
    ):
        hist = distributions.setdefault(trade_name, [0] * 10)
        hist[min(9, int(Decimal(total) // 10))] += 1
    criterion_means: dict[str, dict[str, float]] = defaultdict(dict)
    sums: dict[tuple[str, str], list[float]] = defaultdict(list)
    for trade_name, by_c in Result.objects.filter(entry__in=entries).values_list(
        "entry__trade__name", "by_criterion"
    ):
        for letter, value in (by_c or {}).items():
            sums[(trade_name, letter)].append(float(value))
    for (trade_name, letter), values in sums.items():
        criterion_means[trade_name][letter] = round(sum(values) / len(values), 2)
    return {
        "by_stage": by_stage,
        "by_trade": by_trade,
        "by_org": by_org,
        "passes": passes,
        "bins": [f"{b}–{b + 10}" for b in bins[:-1]],
        "distributions": distributions,
        "criterion_means": dict(criterion_means),
        "judges": judge_consistency(entries=entries),
    }


def judge_consistency(*, entries: QuerySet[Entry]) -> list[dict[str, Any]]:
    """Per judge: judgement scores given, mean distance from the panel mean, and how often the
    panel's spread on their aspects went above 1."""
    rows = Mark.objects.filter(entry__in=entries, aspect__kind=Aspect.Kind.JUDGEMENT).values_list(
        "entry_id", "aspect_id", "judge__username", "value"
    )
    panels: dict[tuple[int, int], list[tuple[str, float]]] = defaultdict(list)
    for entry_id, aspect_id, judge, value in rows:
        panels[(entry_id, aspect_id)].append((judge, float(value)))
    stats: dict[str, dict[str, float]] = defaultdict(lambda: {"n": 0, "dev": 0.0, "flagged": 0})
    for panel in panels.values():
        if len(panel) < MIN_JUDGES:
            continue
        mean = sum(v for _, v in panel) / len(panel)
        spread = max(v for _, v in panel) - min(v for _, v in panel)
        for judge, v in panel:
            s = stats[judge]
            s["n"] += 1
            s["dev"] += abs(v - mean)
            s["flagged"] += spread > 1
    return sorted(
        (
            {
                "judge": j,
                "n": int(s["n"]),
                "mean_deviation": round(s["dev"] / s["n"], 3),
                "flagged": int(s["flagged"]),
            }
            for j, s in stats.items()
        ),
        key=lambda r: -r["mean_deviation"],
    )

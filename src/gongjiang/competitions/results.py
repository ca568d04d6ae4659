"""Results: practical score from the marks, total with the theory weight, ranking with tie-breaks,
prizes, standardisation, approval and publication; and advancement to the next stage."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core.audit import audit_record
from gongjiang.core.duties import DutyConflict, audited_refusals
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import AuditEvent
from gongjiang.core.review.ranking import competition_ranks

from .marking import MIN_JUDGES, judgement_mark
from .models import Aspect, Entry, Mark, Quota, Result, Stage, Trade
from .scalers import scaler_for
from .services import require_organiser

Q2 = Decimal("0.01")
PRIZES = ("first", "second", "third", "excellence")


def _q(value: Decimal) -> Decimal:
    return value.quantize(Q2, ROUND_HALF_UP)


def practical_scores(
    entries: list[Entry], trade: Trade
) -> dict[int, tuple[Decimal, dict[str, Decimal], bool]]:
    """entry id → (practical score, {criterion letter: score}, complete?) from the marks (two queries)."""
    aspects = list(Aspect.objects.filter(criterion__trade=trade).select_related("criterion"))
    marks: dict[tuple[int, int], list[Mark]] = defaultdict(list)
    for m in Mark.objects.filter(entry__in=entries, aspect__in=aspects).only(
        "entry_id", "aspect_id", "value", "mark"
    ):
        marks[(m.entry_id, m.aspect_id)].append(m)
    out: dict[int, tuple[Decimal, dict[str, Decimal], bool]] = {}
    for e in entries:
        by_letter: dict[str, Decimal] = defaultdict(Decimal)
        complete = bool(aspects)
        for a in aspects:
            rows = marks.get((e.pk, a.pk), [])
            if a.kind == Aspect.Kind.MEASUREMENT:
                value = rows[0].mark if rows else Decimal(0)
                complete &= bool(rows)
            elif rows:
                value = judgement_mark(a, [r.value for r in rows])
                complete &= len(rows) >= MIN_JUDGES
            else:
                value, complete = Decimal(0), False
            by_letter[a.criterion.letter] += value
        out[e.pk] = (
            _q(sum(by_letter.values(), Decimal(0))),
            {k: _q(v) for k, v in by_letter.items()},
            complete,
        )
    return out


def rank_key(tie_break: list[str]) -> Any:
    """Sort key: total, then practical, then the named criteria (all descending), then time taken."""

    def key(item: dict[str, Any]) -> tuple[Any, ...]:
        crit = tuple(-item["by_criterion"].get(c, Decimal(0)) for c in tie_break)
        time = item["time_taken"] if item["time_taken"] is not None else 10**9
        return (-item["total"], -item["practical"], *crit, time)

    return key


def assign_ranks(items: list[dict[str, Any]], tie_break: list[str]) -> list[dict[str, Any]]:
    """Sort and rank in place ("1, 2, 2, 4"): only a tie on every key shares a rank."""
    key = rank_key(tie_break)
    items.sort(key=lambda i: (key(i), i["id"]))
    for rank, item in competition_ranks(items, key):
        item["rank"] = rank
    return items


def prize_for(rank: int, counts: dict[str, int]) -> str:
    limit = 0
    for prize in PRIZES:
        limit += int(counts.get(prize, 0))
        if rank <= limit:
            return prize
    return ""


@transaction.atomic
def results_compute(*, actor: Any, stage: Stage, trade: Trade) -> list[Result]:
    """(Re)compute the results of one trade at one stage from the marks and theory scores."""
    competition = stage.competition
    require_organiser(actor, competition)
    if stage.published_at:
        raise ApplicationError(
            _("The results are published: withdraw them before recomputing."), code="published"
        )
    entries = list(
        Entry.objects.filter(stage=stage, trade=trade, status=Entry.Status.CONFIRMED).order_by("id")
    )
    scores = practical_scores(entries, trade)
    w = competition.theory_weight
    items = []
    for e in entries:
        practical, by_criterion, complete = scores[e.pk]
        theory = e.theory_score
        if w > 0 and theory is None:
            complete = False
        total = _q((theory or Decimal(0)) * w + practical * (1 - w))
        items.append(
            {
                "id": e.pk,
                "entry": e,
                "practical": practical,
                "theory": theory,
                "total": total,
                "by_criterion": by_criterion,
                "time_taken": e.time_taken,
                "complete": complete,
            }
        )
    assign_ranks(items, list(competition.tie_break_criteria or []))
    scaled = scaler_for(competition.scaler).scale([float(i["total"]) for i in items])
    counts = competition.prizes()
    Result.objects.filter(entry__stage=stage, entry__trade=trade).delete()
    results = Result.objects.bulk_create(
        [
            Result(
                entry=i["entry"],
                theory=i["theory"],
                practical=i["practical"],
                total=i["total"],
                by_criterion={k: str(v) for k, v in i["by_criterion"].items()},
                rank=i["rank"],
                prize=prize_for(i["rank"], counts),
                complete=i["complete"],
                scaled=None if s is None else Decimal(str(s)),
            )
            for i, s in zip(items, scaled, strict=True)
        ]
    )
    stage.results_approved_at = None
    stage.results_approved_by = None
    stage.save(update_fields=["results_approved_at", "results_approved_by"])
    audit_record(
        actor=actor,
        action="competition.results_compute",
        obj=competition,
        details={
            "stage": stage.name,
            "trade": trade.name,
            "entries": len(results),
            "incomplete": sum(1 for i in items if not i["complete"]),
        },
    )
    return results


def marked_at_stage(actor: Any, stage: Stage) -> bool:
    """Did ``actor`` enter or change any mark of this stage (as a judge, or as the chief judge
    changing signed-off marks — the audit log remembers a change even if someone saved later)?"""
    if getattr(actor, "pk", None) is None:
        return False
    marks = Mark.objects.filter(entry__stage=stage)
    if marks.filter(updated_by_id=actor.pk).exists() or marks.filter(judge_id=actor.pk).exists():
        return True
    entry_codes = list(Entry.objects.filter(stage=stage).values_list("code", flat=True))
    return AuditEvent.objects.filter(
        actor_id=actor.pk,
        action__in=("competition.mark_save", "competition.mark_after_signoff"),
        object_code=stage.competition.code,
        details__entry__in=entry_codes,
    ).exists()


@audited_refusals
@transaction.atomic
def stage_results_approve(*, actor: Any, stage: Stage) -> Stage:
    """The organiser approves a stage's results. Separation of duties: nobody who entered or
    changed marks of the stage (the chief judge who corrected marks included) approves them."""
    require_organiser(actor, stage.competition)
    if marked_at_stage(actor, stage):
        raise DutyConflict(
            _(
                "You entered or changed marks of this stage: another organiser, who did not "
                "mark, approves its results."
            ),
            action="competition.results_approve",
            obj=stage.competition,
            organization=stage.competition.organization,
            reason="own_marks",
            details={"stage": stage.name},
        )
    entries = Entry.objects.filter(stage=stage, status=Entry.Status.CONFIRMED)
    if not entries.exists() or entries.filter(result__isnull=True).exists():
        raise ApplicationError(
            _("Compute the results of every trade before approving them."), code="not_computed"
        )
    incomplete = Result.objects.filter(entry__in=entries, complete=False).count()
    if incomplete:
        raise ApplicationError(
            _("%(n)d results are incomplete (marks or theory scores missing).") % {"n": incomplete},
            code="incomplete",
        )
    stage.results_approved_at = timezone.now()
    stage.results_approved_by = actor
    stage.save(update_fields=["results_approved_at", "results_approved_by"])
    audit_record(
        actor=actor,
        action="competition.results_approve",
        obj=stage.competition,
        details={"stage": stage.name},
    )
    return stage


@transaction.atomic
def stage_results_publish(*, actor: Any, stage: Stage) -> Stage:
    """Publish approved results to the public page; at the final stage the award rules are applied."""
    from .awards import awards_apply

    require_organiser(actor, stage.competition)
    if stage.results_approved_at is None:
        raise ApplicationError(
            _("The organiser has not approved these results yet."), code="not_approved"
        )
    if stage.published_at:
        raise ApplicationError(_("These results are already published."), code="published")
    stage.published_at = timezone.now()
    stage.save(update_fields=["published_at"])
    audit_record(
        actor=actor,
        action="competition.results_publish",
        obj=stage.competition,
        details={"stage": stage.name},
    )
    if stage.is_final:
        awards_apply(actor=actor, stage=stage)
    return stage


@transaction.atomic
def stage_results_withdraw(*, actor: Any, stage: Stage, reason: str) -> Stage:
    """Take published results down to correct them: every award they caused is reverted exactly."""
    from .awards import awards_revert

    require_organiser(actor, stage.competition)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for withdrawing the results.")]})
    if not stage.published_at:
        raise ApplicationError(_("These results are not published."), code="not_published")
    awards_revert(actor=actor, stage=stage, reason=reason)
    stage.published_at = None
    stage.results_approved_at = None
    stage.save(update_fields=["published_at", "results_approved_at"])
    audit_record(
        actor=actor,
        action="competition.results_withdraw",
        obj=stage.competition,
        details={"stage": stage.name, "reason": reason},
    )
    return stage


# --------------------------------------------------------------------------- advancement
def _next_entry(
    entry: Entry, next_stage: Stage, sending_org: Any, actor: Any, reason: str = ""
) -> Entry:
    return Entry.objects.create(
        competition=entry.competition,
        trade=entry.trade,
        stage=next_stage,
        worker=entry.worker,
        sending_org=sending_org,
        status=Entry.Status.NOMINATED,
        previous=entry,
        registered_by=actor,
        status_changed_at=timezone.now(),
        override_reason=reason[:300],
    )


@transaction.atomic
def advancement_run(*, actor: Any, stage: Stage) -> dict[str, int]:
    """Send the top N of each quota organisation's results per trade to the next stage, and put the
    next ones on its waiting list. Needs the stage's results; running it again adds only what is
    missing (so organiser overrides stay)."""
    competition = stage.competition
    require_organiser(actor, competition)
    next_stage = stage.next_stage()
    if next_stage is None:
        raise ApplicationError(
            _("This is the final stage: nobody advances from it."), code="final_stage"
        )
    if stage.results_approved_at is None:
        raise ApplicationError(
            _("Approve this stage's results before advancing entrants."), code="not_approved"
        )
    quotas = list(Quota.objects.filter(stage=stage).select_related("organization", "trade"))
    results = list(
        Result.objects.filter(
            entry__stage=stage, entry__status=Entry.Status.CONFIRMED
        ).select_related("entry__sending_org", "entry__worker")
    )
    already = set(
        Entry.objects.filter(stage=next_stage, previous__stage=stage).values_list(
            "previous_id", flat=True
        )
    )
    created = waiting = 0
    Entry.objects.filter(stage=stage).exclude(waiting_rank=None).update(waiting_rank=None)
    for quota in quotas:
        mine = [
            r
            for r in results
            if r.entry.trade_id == quota.trade_id
            and r.entry.sending_org.path.startswith(quota.organization.path)
        ]
        mine.sort(key=lambda r: (r.rank, r.entry_id))
        for r in mine[: quota.places]:
            if r.entry_id not in already:
                _next_entry(r.entry, next_stage, quota.organization, actor)
                created += 1
        for position, r in enumerate(mine[quota.places : quota.places + quota.waiting], start=1):
            Entry.objects.filter(pk=r.entry_id).update(waiting_rank=position)
            waiting += 1
    audit_record(
        actor=actor,
        action="competition.advancement_run",
        obj=competition,
        details={"stage": stage.name, "advanced": created, "waiting": waiting},
    )
    return {"advanced": created, "waiting": waiting}


@transaction.atomic
def advancement_override(*, actor: Any, entry: Entry, advance: bool, reason: str) -> Entry | None:
    """The organiser sends an entrant on (e.g. from the waiting list) or takes them back, with a reason."""
    require_organiser(actor, entry.competition)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the override.")]})
    next_stage = entry.stage.next_stage()
    if next_stage is None:
        raise ApplicationError(
            _("This is the final stage: nobody advances from it."), code="final_stage"
        )
    current = Entry.objects.filter(
        previous=entry, stage=next_stage, status__in=Entry.ACTIVE
    ).first()
    result: Entry | None
    if advance:
        if current is not None:
            raise ApplicationError(_("This entrant has already advanced."), code="already_advanced")
        quota = (
            Quota.objects.filter(stage=entry.stage, trade=entry.trade)
            .select_related("organization")
            .order_by("-organization__depth")
        )
        org = next(
            (
                q.organization
                for q in quota
                if entry.sending_org.path.startswith(q.organization.path)
            ),
            entry.sending_org,
        )
        result = _next_entry(entry, next_stage, org, actor, reason)
        entry.waiting_rank = None
        entry.save(update_fields=["waiting_rank"])
    else:
        if current is None:
            raise ApplicationError(_("This entrant has not advanced."), code="not_advanced")
        current.status = Entry.Status.WITHDRAWN
        current.status_reason = reason[:300]
        current.override_reason = reason[:300]
        current.status_changed_at = timezone.now()
        current.save(
            update_fields=["status", "status_reason", "override_reason", "status_changed_at"]
        )
        result = current
    audit_record(
        actor=actor,
        action="competition.advancement_override",
        obj=entry,
        organization=entry.sending_org,
        details={"advance": advance, "reason": reason, "stage": entry.stage.name},
    )
    return result

"""Awards that flow back into the workforce record.

A rule table per competition maps a rank range of the final stage (per trade) to an honour title,
a skill-level promotion and/or a nomination. ``awards_apply`` runs once when the final results are
published and writes through the workforce services (history rows and audit there); each thing
done is kept as an ``AwardApplication`` so ``awards_revert`` can undo exactly that if the results
are withdrawn for correction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core.audit import audit_record
from gongjiang.core.models import SkillLevel

from .models import AwardApplication, AwardRule, Competition, Entry, Result, Stage
from .services import require_organiser

# (rank_from, rank_to, honour title, honour level, promote to, or else to, nominate for)
DEFAULT_RULES: dict[str, list[tuple[int, int, str, str, str, str, str]]] = {
    "national": [
        (1, 5, "全国技术能手", "national", "TECHNICIAN", "SENIOR_TECHNICIAN", ""),
        (6, 20, "", "", "SENIOR", "TECHNICIAN", ""),
        (1, 1, "", "", "", "", "全国五一劳动奖章"),
    ],
    "province": [
        (1, 5, "省级技术能手", "provincial", "TECHNICIAN", "SENIOR_TECHNICIAN", ""),
        (6, 20, "", "", "SENIOR", "TECHNICIAN", ""),
        (1, 1, "", "", "", "", "省五一劳动奖章"),
    ],
}


@transaction.atomic
def award_rules_set(
    *, actor: Any, competition: Competition, rules: list[dict[str, Any]]
) -> list[AwardRule]:
    """Replace the competition's rule table (not while awards are applied)."""
    require_organiser(actor, competition)
    if AwardApplication.objects.filter(competition=competition, reverted_at__isnull=True).exists():
        raise ValidationError(
            {
                "rules": [
                    _("Awards have been applied: withdraw the results before changing the rules.")
                ]
            }
        )
    competition.award_rules.all().delete()
    out = []
    for r in rules:
        rule = AwardRule(
            competition=competition,
            rank_from=r["rank_from"],
            rank_to=r["rank_to"],
            honour_title=r.get("honour_title", ""),
            honour_level=r.get("honour_level", ""),
            promote_to_id=r.get("promote_to") or None,
            promote_else_to_id=r.get("promote_else_to") or None,
            nominate_title=r.get("nominate_title", ""),
        )
        rule.full_clean()
        rule.save()
        out.append(rule)
    audit_record(
        actor=actor, action="competition.award_rules_set", obj=competition, details={"rules": rules}
    )
    return out


def default_rules(competition: Competition) -> list[dict[str, Any]]:
    """The default table for the competition's level (class I national or provincial; else none)."""
    if competition.klass != Competition.Klass.I:
        return []
    return [
        {
            "rank_from": a,
            "rank_to": b,
            "honour_title": t,
            "honour_level": lv,
            "promote_to": p,
            "promote_else_to": pe,
            "nominate_title": n,
        }
        for a, b, t, lv, p, pe, n in DEFAULT_RULES.get(competition.level, [])
    ]


def promotion_target(rule: AwardRule, current: SkillLevel | None) -> SkillLevel | None:
    """``promote_to``, or ``promote_else_to`` if the worker is already at or above ``promote_to``."""
    rank = current.rank if current else 0
    if rule.promote_to and rank < rule.promote_to.rank:
        return rule.promote_to
    if rule.promote_else_to and rank < rule.promote_else_to.rank:
        return rule.promote_else_to
    return None


def _award_date(stage: Stage) -> dt.date:
    today = timezone.localdate()
    return min(stage.end_date, today) if stage.end_date else today


@transaction.atomic
def awards_apply(*, actor: Any, stage: Stage) -> list[AwardApplication]:
    """Apply the rule table to the published final-stage results (idempotent)."""
    from gongjiang.workforce import services as workforce

    competition = stage.competition
    require_organiser(actor, competition)
    rules = list(competition.award_rules.select_related("promote_to", "promote_else_to"))
    done = set(
        AwardApplication.objects.filter(entry__stage=stage, reverted_at__isnull=True).values_list(
            "entry_id", "rule_id", "kind"
        )
    )
    results = (
        Result.objects.filter(
            entry__stage=stage, entry__status=Entry.Status.CONFIRMED, rank__isnull=False
        )
        .select_related("entry__worker__organization", "entry__worker__skill_level", "entry__trade")
        .order_by("entry__trade_id", "rank", "entry_id")
    )
    date = _award_date(stage)
    year = min(competition.year, date.year)
    source = _("Competition: %(name)s") % {"name": competition.name}
    applied: list[AwardApplication] = []
    for result in results:
        entry, worker = result.entry, result.entry.worker
        for rule in rules:
            if not rule.rank_from <= result.rank <= rule.rank_to:
                continue

            def record(
                kind: str,
                title: str,
                ref: str,
                _e: Entry = entry,
                _w: Any = worker,
                _r: AwardRule = rule,
            ) -> None:
                applied.append(
                    AwardApplication.objects.create(
                        competition=competition,
                        entry=_e,
                        worker=_w,
                        rule=_r,
                        kind=kind,
                        title=title,
                        ref_code=ref,
                    )
                )

            if rule.honour_title and (entry.pk, rule.pk, "honour") not in done:
                honour = workforce.honour_add(
                    actor=actor,
                    worker=worker,
                    title=rule.honour_title,
                    level=rule.honour_level or "national",
                    year=year,
                    date=date,
                    awarded_by=competition.organization.name,
                    source=source,
                    source_ref=competition.code,
                )
                record("honour", rule.honour_title, honour.code)
            if (rule.promote_to_id or rule.promote_else_to_id) and (
                entry.pk,
                rule.pk,
                "promotion",
            ) not in done:
                worker.refresh_from_db(fields=["skill_level"])
                target = promotion_target(rule, worker.skill_level)
                if target is not None:
                    change = workforce.worker_skill_level_change(
                        actor=actor,
                        worker=worker,
                        level=target,
                        date=date,
                        source=source,
                        source_ref=competition.code,
                        reason=_("%(trade)s, rank %(rank)d")
                        % {"trade": entry.trade.name, "rank": result.rank},
                    )
                    record("promotion", target.name_zh, change.code)
            if rule.nominate_title and (entry.pk, rule.pk, "nomination") not in done:
                record("nomination", rule.nominate_title, "")
    audit_record(
        actor=actor,
        action="competition.awards_apply",
        obj=competition,
        details={
            "stage": stage.name,
            "applied": [(a.worker.code, a.kind, a.title) for a in applied],
        },
    )
    return applied


@transaction.atomic
def awards_revert(*, actor: Any, stage: Stage, reason: str) -> int:
    """Undo, newest first, everything ``awards_apply`` did for this stage."""
    from gongjiang.workforce import services as workforce
    from gongjiang.workforce.models import Honour, SkillLevelChange

    require_organiser(actor, stage.competition)
    rows = list(
        AwardApplication.objects.filter(entry__stage=stage, reverted_at__isnull=True).order_by(
            "-id"
        )
    )
    for row in rows:
        if row.kind == AwardApplication.Kind.PROMOTION:
            change = SkillLevelChange.objects.get(code=row.ref_code)
            if not change.reverted:
                workforce.worker_skill_level_change_revert(actor=actor, change=change)
        elif row.kind == AwardApplication.Kind.HONOUR:
            honour = Honour.objects.select_related("worker__organization").get(code=row.ref_code)
            if not honour.revoked:
                workforce.honour_revoke(actor=actor, honour=honour, reason=reason)
        row.reverted_at = timezone.now()
        row.save(update_fields=["reverted_at"])
    audit_record(
        actor=actor,
        action="competition.awards_revert",
        obj=stage.competition,
        details={"stage": stage.name, "reverted": len(rows), "reason": reason},
    )
    return len(rows)

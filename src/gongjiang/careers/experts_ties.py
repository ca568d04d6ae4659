"""A tie at the line when a place is freed during the public notice (an application struck out
after an objection): the enterprise's rule (``ExpertTieRule``, default
``experts_rules.DEFAULT_TIE_RULE``), the facts it reads — the mean score on the call's first
criterion and the day at the level's lowest skill level — and the decision, which
``experts._pass_down`` applies. A tie the rule cannot break leaves the place open and is flagged
for the panel with the reason (the audit row ``careers.expert_pass_down`` and the call's page)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit, user_or_none
from gongjiang.core.errors import field_error
from gongjiang.core.models import Organization
from gongjiang.core.review.models import ReviewCriterion, ReviewScore

from . import experts_rules as rules
from .bridge import reached_on
from .models_experts import ExpertApplication, ExpertCall, ExpertTieRule
from .registry import record_of

MANAGE = "careers.experts_manage"


def tie_rule_of(organization: Organization) -> str:
    """The enterprise's rule, else the platform default."""
    row = ExpertTieRule.objects.filter(organization=organization).values_list("rule", flat=True)
    return next(iter(row), rules.DEFAULT_TIE_RULE)


@transaction.atomic
def expert_tie_rule_set(*, actor: Any, organization: Organization, rule: str) -> ExpertTieRule:
    """Set the enterprise's rule for a tie at a freed place (by whoever runs its calls)."""
    access.require(actor, MANAGE, organization)
    if rule not in rules.TIE_RULES:
        raise field_error("rule", _("Choose one of the rules."))
    row, _created = ExpertTieRule.objects.select_for_update().get_or_create(
        organization=organization, defaults={"rule": rule}
    )
    before = "" if _created else row.rule
    row.rule = rule
    row.set_by = user_or_none(actor)
    row.save()
    audit(
        actor=actor,
        action="careers.expert_tie_rule",
        obj=row.organization,
        organization=organization,
        details={"before": before, "after": rule},
    )
    return row


def first_criterion(call: ExpertCall) -> ReviewCriterion | None:
    if call.review_id is None:
        return None
    return ReviewCriterion.objects.filter(round_id=call.review_id).order_by("order", "id").first()


def tie_facts(call: ExpertCall, keys: Sequence[int]) -> list[rules.TieFacts]:
    """The facts of the tied applications (``keys``: their ids): the exact mean of the panel's
    scores on the first criterion and the day at the level's lowest skill level, as of the day
    applications closed (or today, if earlier)."""
    criterion = first_criterion(call)
    sums: dict[int, list[Fraction]] = {}
    apps = list(ExpertApplication.objects.filter(pk__in=keys).select_related("worker"))
    if criterion is not None:
        for item_id, score in ReviewScore.objects.filter(
            criterion=criterion, item_id__in=[a.review_item_id for a in apps]
        ).values_list("item_id", "score"):
            sums.setdefault(item_id, []).append(Fraction(score))
    on = min(call.closes_on, timezone.localdate())
    out = []
    for a in apps:
        scores = sums.get(a.review_item_id or 0)
        mean = sum(scores, Fraction(0)) / len(scores) if scores else None
        since = reached_on(record_of(a.worker, on), call.level.min_skill_level)
        out.append(rules.TieFacts(a.pk, mean, since))
    return out


def resolve(
    call: ExpertCall,
    kept: list[int],
    tied: list[int],
    select: Callable[[list[int]], dict[int, str]],
) -> tuple[list[int], dict[str, Any]]:
    """Break a tie at the freed place by the enterprise's rule: ``(chosen ids, details)``.
    ``select(preferred)`` runs the selection (experts_rules.select) without writing; the places
    the tie holds are the fewest of its first ones, in the rule's order, that leave no tie."""
    rule = tie_rule_of(call.organization)
    facts = tie_facts(call, tied)
    order = [f.key for f in rules.tie_order(facts)]
    places = 0
    for k in range(1, len(order)):
        trial = select(kept + order[:k])
        if rules.TIED not in trial.values() and all(
            trial.get(p) == rules.SELECTED for p in order[:k]
        ):
            places = k
            break
    chosen, how = rules.break_tie(facts, places, rule) if places else ([], rules.BY_PANEL)
    criterion = first_criterion(call)
    codes = dict(ExpertApplication.objects.filter(pk__in=tied).values_list("pk", "code"))
    return chosen, {
        "rule": rule,
        "how": how,
        "criterion": criterion.name if criterion else "",
        "places": places,
        "tied": [codes[f.key] for f in rules.tie_order(facts)],
        "chosen": [codes[k] for k in chosen],
        "facts": {
            codes[f.key]: {
                "first_criterion": (
                    f"{float(f.first_criterion):.2f}" if f.first_criterion is not None else ""
                ),
                "level_since": f.level_since.isoformat() if f.level_since else "",
            }
            for f in facts
        },
    }


def tie_words(details: dict[str, Any] | None) -> str:
    """The decision of an audit row's ``tie_break`` in words, for the call's page."""
    if not details:
        return ""
    how = details.get("how")
    if how == rules.BY_CRITERION:
        return _("the tie was broken by the higher score on “%(criterion)s”") % {
            "criterion": details.get("criterion", "")
        }
    if how == rules.BY_LEVEL_DATE:
        return _(
            "equal on “%(criterion)s”: the tie was broken by the longer time at the skill level"
        ) % {"criterion": details.get("criterion", "")}
    if details.get("rule") == rules.PANEL:
        return _("the enterprise's rule leaves the tie to the panel: the place stays open")
    return _(
        "the tied applicants are equal on the first criterion and on the time at the skill "
        "level: the place stays open for the panel to decide"
    )

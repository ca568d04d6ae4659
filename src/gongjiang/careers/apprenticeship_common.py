"""What the apprenticeship services share: the permissions, the rules standing for an enterprise
(the rows of the rules table above it, over the policy), who may act on an apprentice's training,
and the lock of an apprentice. Imported by ``apprenticeship``, ``apprenticeship_training`` and
``apprenticeship_claims``, so none of them imports another."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.duties import same_person
from gongjiang.core.errors import ConflictError
from gongjiang.core.models import Organization

from . import apprenticeship_rules as R
from .models_apprentice import Apprentice, ApprenticeRule

VIEW = "careers.apprentice_view"
MANAGE = "careers.apprentice_manage"
RULES = "careers.apprentice_rules"
PILOT = "careers.apprentice_pilot"
APPROVE = "careers.apprentice_approve"
Status = Apprentice.Status


def ancestor_paths(organization: Organization) -> list[str]:
    step = Organization.SEGMENT
    path = organization.path
    return [path[: i + step] for i in range(0, len(path), step)]


class RuleSet:
    """The rules standing for one organisation (usually a pilot enterprise): one query for the rows
    of the organisation and those above it; each rule resolved by apprenticeship_rules.resolve."""

    def __init__(self, organization: Organization) -> None:
        self.organization = organization
        self.rows = [
            R.Row(key, level, value, source, depth, name)
            for key, level, value, source, depth, name in ApprenticeRule.objects.filter(
                organization__path__in=ancestor_paths(organization)
            ).values_list(
                "key", "level", "value", "source", "organization__depth", "organization__name"
            )
        ]

    def rule(self, key: str, level: str = "") -> R.Rule:
        return R.resolve(self.rows, key, level)

    def months(self, key: str, level: str = "") -> int:
        return int(self.rule(key, level).value)

    def subsidy(self) -> Decimal:
        return Decimal(self.rule(R.SUBSIDY).value)

    def advance_percent(self) -> Decimal:
        """The most of a year's amount a claim may ask in advance (%, 0: no advance)."""
        return Decimal(self.rule(R.ADVANCE).value)

    def documents(self) -> list[str]:
        return R.document_kinds(self.rule(R.DOCUMENTS).value)

    def period(self, level: str) -> tuple[int, int, int]:
        return (
            self.months(R.PERIOD_MIN, level),
            self.months(R.PERIOD_MAX, level),
            self.months(R.PERIOD_SPECIAL_MAX, level),
        )

    def table(self) -> list[R.Rule]:
        """Every rule as it stands: the general ones, then the period rules of each target level
        (each named with the level it stands for, wherever it was set)."""
        out = [self.rule(k) for k in R.KEYS if k not in R.PERIOD_KEYS]
        for level in R.TARGET_LEVELS:
            out += [replace(self.rule(k, level), level=level) for k in R.PERIOD_KEYS]
        return out


def may_train(actor: Any, apprentice: Apprentice) -> bool:
    """The apprentice's managers, the enterprise mentor and the institution teacher record the
    training (plan items done, monthly progress)."""
    return (
        access.can(actor, MANAGE, apprentice.cohort.pilot.organization)
        or same_person(actor, apprentice.mentor.user_id)
        or same_person(actor, apprentice.teacher_id)
    )


def lock(apprentice: Apprentice, *states: str) -> Apprentice:
    locked = (
        Apprentice.objects.select_for_update(of=("self",))
        .select_related(
            "cohort__pilot__organization",
            "cohort__level",
            "cohort__occupation",
            "worker__organization",
            "mentor",
        )
        .get(pk=apprentice.pk)
    )
    if states and locked.status not in states:
        raise ConflictError(
            _("The apprentice is “%(s)s”; this step is not possible now.")
            % {"s": locked.get_status_display()},
            code="wrong_status",
        )
    return locked


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)

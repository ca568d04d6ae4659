"""What the registry knows of a worker on a date, and the career table in force for their
enterprise: the inputs of the bridge engine (bridge.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from gongjiang.workforce.models import Honour, SkillLevelChange, Worker

from .bridge import Answer, Record, evaluate
from .models import BridgeRule, CareerTable, EquivalenceRow, ProfessionalTitle
from .policy import POLICY_EQUIVALENCE, POLICY_RULES, EquivalenceDefault, RuleRow


@dataclass
class TableInForce:
    """The rules and equivalences in force for one enterprise on one date."""

    version: CareerTable | None  # None: the policy defaults
    rules: list[RuleRow] = field(default_factory=list)
    equivalences: list[EquivalenceDefault] = field(default_factory=list)


def table_in_force(organization: Any, on: dt.date) -> TableInForce:
    """The enterprise's newest table version in force on ``on``; the policy defaults otherwise."""
    version = (
        CareerTable.objects.filter(
            organization=organization, effective_from__lte=on, status=CareerTable.Status.IN_FORCE
        )
        .order_by("-effective_from")
        .first()
    )
    if version is None:
        return TableInForce(None, list(POLICY_RULES), list(POLICY_EQUIVALENCE))
    rules = [
        RuleRow(r.target, r.path, r.kind, r.level, r.years, r.prefixes, r.source)
        for r in BridgeRule.objects.filter(table=version).order_by("id")
    ]
    equivalences = [
        EquivalenceDefault(e.skill_level, e.title_level, e.management_grade, e.source)
        for e in EquivalenceRow.objects.filter(table=version).order_by("id")
    ]
    return TableInForce(version, rules, equivalences)


def record_of(worker: Worker, on: dt.date, table: TableInForce | None = None) -> Record:
    """The worker's registry facts on ``on`` (standing rows only: reverted changes, revoked
    honours and titles do not count), with the management grades held and their order in the
    table in force (``table`` when the caller has read it already)."""
    from .models_grades import ManagementGrade

    history = list(
        SkillLevelChange.objects.filter(worker=worker, reverted=False)
        .order_by("id")
        .values_list("date", "to_level_id")
    )
    titles = list(
        ProfessionalTitle.objects.filter(worker=worker, revoked=False).values_list("level", "date")
    )
    honours = list(
        Honour.objects.filter(worker=worker, revoked=False, date__lte=on).values_list(
            "level", "year"
        )
    )
    grades = list(
        ManagementGrade.objects.filter(worker=worker).values_list("grade", "since", "ended_on")
    )
    order: list[str] = []
    if grades:
        table = table or table_in_force(worker.organization, on)
        for row in table.equivalences:
            name = (row.management_grade or "").strip()
            if name and name not in order:
                order.append(name)
    return Record(
        as_of=on,
        skill_level=worker.skill_level_id,
        skill_history=history,
        occupation=worker.occupation_id or "",
        titles=titles,
        honours=honours,
        grades=grades,
        grade_order=order,
    )


def judge(worker: Worker, target: str, on: dt.date) -> Answer:
    """The bridge answer for one worker and target on one date."""
    table = table_in_force(worker.organization, on)
    return evaluate(target, record_of(worker, on, table), table.rules)

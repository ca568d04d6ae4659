"""Helpers that build competitions, workers and marking schemes for the competitions tests."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from gongjiang.competitions import marking, services
from gongjiang.core.validators import citizen_id_check_digit

_seq = itertools.count(1)

WELDER = "6-18-02-04"  # 焊工


def citizen_id(birth: dt.date = dt.date(1990, 5, 17), region: str = "110101") -> str:
    n = next(_seq)
    first17 = f"{region}{birth:%Y%m%d}{n % 1000:03d}"
    return first17 + citizen_id_check_digit(first17)


def make_worker(
    actor: Any,
    org: Any,
    name: str | None = None,
    *,
    occupation: str = WELDER,
    level: str | None = "SENIOR",
    birth: dt.date = dt.date(1990, 5, 17),
    user: Any = None,
) -> Any:
    from gongjiang.workforce.services import worker_create

    n = next(_seq)
    return worker_create(
        actor=actor,
        organization=org,
        name=name or f"职工{n}",
        citizen_id=citizen_id(birth),
        occupation=occupation,
        skill_level=level,
        hire_date=dt.date(2015, 3, 1),
        user=user,
        phone=f"139{n:08d}",
    )


SCHEME = [
    {
        "letter": "A",
        "name": "工件尺寸",
        "sub_criteria": [
            {
                "name": "关键尺寸",
                "aspects": [
                    {
                        "description": "长度 100±0.05",
                        "kind": "measurement",
                        "max_mark": 30,
                        "rule": "all_or_nothing",
                        "target": 100,
                        "tolerance": "0.05",
                    },
                    {
                        "description": "孔径 25±0.02",
                        "kind": "measurement",
                        "max_mark": 30,
                        "rule": "deduction",
                        "target": 25,
                        "tolerance": "0.02",
                        "step": "0.01",
                        "deduction": 5,
                    },
                ],
            }
        ],
    },
    {
        "letter": "B",
        "name": "焊缝外观",
        "sub_criteria": [
            {
                "name": "外观质量",
                "aspects": [
                    {
                        "description": "焊缝成形",
                        "kind": "judgement",
                        "max_mark": 30,
                        "descriptors": ["差", "合格", "良好", "优秀"],
                    },
                    {"description": "安全文明生产", "kind": "judgement", "max_mark": 10},
                ],
            }
        ],
    },
]


def make_competition(
    actor: Any, organiser: Any, *, stages: int = 2, level: str = "national"
) -> dict[str, Any]:
    comp = services.competition_create(
        actor=actor,
        organization=organiser,
        name="职工职业技能大赛",
        year=2025,
        level=level,
        tie_break_criteria=["B"],
    )
    trade = services.trade_create(
        actor=actor, competition=comp, name="焊工", occupation=WELDER, skill_level="TECHNICIAN"
    )
    kinds = ["city", "provincial", "national"][-stages:]
    stage_list = [
        services.stage_create(
            actor=actor,
            competition=comp,
            order=i + 1,
            name=f"第{i + 1}阶段",
            kind=k,
            start_date=dt.date(2025, 3 + i, 1),
            end_date=dt.date(2025, 3 + i, 3),
        )
        for i, k in enumerate(kinds)
    ]
    criteria = marking.scheme_load(actor=actor, trade=trade, scheme=SCHEME)
    return {"competition": comp, "trade": trade, "stages": stage_list, "criteria": criteria}


def confirmed_entry(actor: Any, stage: Any, trade: Any, worker: Any, theory: Any = None) -> Any:
    from gongjiang.competitions.draw import draw_lots

    entry = services.entry_register(actor=actor, stage=stage, trade=trade, worker=worker)
    services.entry_confirm(actor=actor, entry=entry)
    draw_lots(actor=actor, stage=stage, trade=trade)  # checked in: the entrant draws a number
    entry.refresh_from_db()
    if theory is not None:
        services.entry_theory_set(actor=actor, entry=entry, score=Decimal(str(theory)))
    return entry


def assign_judges(actor: Any, stage: Any, criteria: list[Any], judges: list[Any]) -> None:
    for c in criteria:
        for i, j in enumerate(judges):
            marking.judge_assign(actor=actor, stage=stage, criterion=c, user=j, is_chief=i == 0)


def score_entry(entry: Any, judges: list[Any], quality: int, *, exact: bool = True) -> None:
    """Mark an entry through the services: measurements exact (or off), judgements all ``quality``.
    Practical = (60 if exact else 0) + quality / 3 × 40."""
    from gongjiang.competitions.models import Aspect, Mark

    for a in Aspect.objects.filter(criterion__trade=entry.trade):
        if a.kind == "measurement":
            value = a.target if exact else a.target + 5
            existing = Mark.objects.filter(entry=entry, aspect=a, judge=None).first()
            marking.mark_save(
                actor=judges[0],
                entry=entry,
                aspect=a,
                value=value,
                version=existing.version if existing else 0,
            )
        else:
            for j in judges:
                existing = Mark.objects.filter(entry=entry, aspect=a, judge=j).first()
                marking.mark_save(
                    actor=j,
                    entry=entry,
                    aspect=a,
                    value=quality,
                    version=existing.version if existing else 0,
                )

"""Bridge rules that read management grades (管理职级): "副科级 or above held", "3 full years at
副科级 or above" — the engine (the table's order ranks the grades, an unbroken stretch counts,
a higher grade continues it, an ended grade no longer counts), the rules' check for the API and
the table page (the grade must be one of the table's, the years bounded, each error named), and
the answer naming every unmet condition on the page and through the API (404 outside)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gongjiang.careers import grades, services
from gongjiang.careers.bridge import Record, evaluate
from gongjiang.careers.policy import POLICY_RULES, RuleRow
from gongjiang.careers.registry import judge

from ..access_helpers import check_access

pytestmark = pytest.mark.django_db
D = dt.date
ORDER = ("科员级", "副科级", "正科级", "副处级", "正处级")
RULES = [
    RuleRow("intermediate", "management", "management_grade", "副科级"),
    RuleRow("intermediate", "management", "years_at_grade", "副科级", 3),
]


def _answer(on: dt.date, *held: tuple[str, dt.date, dt.date | None]) -> Any:
    return evaluate("intermediate", Record(as_of=on, grades=held, grade_order=ORDER), RULES)


def test_engine_counts_an_unbroken_stretch_at_the_grade_or_above() -> None:
    since = D(2022, 3, 1)
    a = _answer(D(2025, 2, 28), ("副科级", since, None))
    assert not a.eligible
    assert [(c.rule, c.required, c.actual) for c in a.unmet] == [
        ("years_at_grade", "3@副科级", "2@副科级")
    ]
    assert _answer(D(2025, 3, 1), ("副科级", since, None)).eligible
    # a higher grade continues the stretch; a lower one does not count
    up = (("副科级", since, D(2024, 1, 1)), ("正科级", D(2024, 1, 1), None))
    assert _answer(D(2025, 3, 1), *up).eligible
    low = _answer(D(2030, 1, 1), ("科员级", D(2010, 1, 1), None))
    assert [c.rule for c in low.unmet] == ["management_grade", "years_at_grade"]
    assert low.unmet[0].actual == "科员级"
    # a gap restarts the count; an ended grade no longer counts at all
    gap = (("副科级", D(2015, 1, 1), D(2020, 1, 1)), ("副科级", D(2023, 1, 1), None))
    assert [c.actual for c in _answer(D(2025, 3, 1), *gap).unmet] == ["2@副科级"]
    ended = _answer(D(2025, 3, 1), ("正科级", D(2015, 1, 1), D(2025, 1, 1)))
    assert [(c.rule, c.actual) for c in ended.unmet] == [
        ("management_grade", ""),
        ("years_at_grade", ""),
    ]


def _table(careers: Any, world: Any, extra: list[dict[str, Any]]) -> dt.date:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    table = services.career_table_create(
        actor=careers.hr_a,
        organization=world.enterprise_a,
        effective_from=tomorrow,
        rules=[r.__dict__ for r in POLICY_RULES] + extra,
    )
    services.career_table_approve(actor=careers.hr_a2, table=table)
    return tomorrow


GRADE_PATH = [
    {"target": "intermediate", "path": "management", "kind": "management_grade", "level": "副科级"},
    {
        "target": "intermediate",
        "path": "management",
        "kind": "years_at_grade",
        "level": "副科级",
        "years": 3,
    },
]


def test_the_registry_and_the_table(world: Any, careers: Any) -> None:
    day = _table(careers, world, GRADE_PATH)
    engineer = careers.engineer  # no skill level, no title
    grades.management_grade_record(
        actor=careers.hr_a,
        worker=engineer,
        grade="副科级",
        since=day - dt.timedelta(days=400),
        document="人字〔2025〕3号",
    )
    answer = judge(engineer, "intermediate", day)
    assert not answer.eligible and answer.path == "management"
    assert [(c.rule, c.required, c.actual) for c in answer.unmet] == [
        ("years_at_grade", "3@副科级", "1@副科级")
    ]
    grades.management_grade_record(
        actor=careers.hr_a,
        worker=careers.welder,
        grade="正科级",
        since=D(2020, 1, 1),
        document="人字〔2020〕1号",
    )
    assert judge(careers.welder, "intermediate", day).eligible


def test_the_rules_check_names_each_error(client: Any, world: Any, careers: Any) -> None:
    grades_ = ["科员级", "副科级"]
    for rule, field in [
        ({"kind": "management_grade", "level": ""}, "rules[0].level"),
        ({"kind": "management_grade", "level": "处长"}, "rules[0].level"),
        ({"kind": "years_at_grade", "level": "副科级"}, "rules[0].years"),
        ({"kind": "years_at_grade", "level": "副科级", "years": 51}, "rules[0].years"),
    ]:
        with pytest.raises(Exception) as exc:
            services.bridge_rules_check([{"target": "intermediate", **rule}], grades_)
        assert field in exc.value.message_dict, (rule, exc.value)
    rows = services.bridge_rules_check(GRADE_PATH, grades_)
    assert [(r.kind, r.level, r.years) for r in rows] == [
        ("management_grade", "副科级", None),
        ("years_at_grade", "副科级", 3),
    ]
    # through the API: a grade the table does not name is refused, the field named
    client.force_login(careers.hr_a)
    url = f"/api/v1/careers/enterprises/{world.enterprise_a.code}/table"
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    bad = {**GRADE_PATH[0], "level": "处长"}
    r = client.post(
        url, data={"effective_from": tomorrow, "rules": [bad]}, content_type="application/json"
    )
    assert r.status_code in (400, 422) and r.json()["details"][0]["field"] == "rules[0].level"
    r = client.post(
        url,
        data={"effective_from": tomorrow, "rules": GRADE_PATH},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content


def test_page_and_api_name_every_unmet_condition(client: Any, world: Any, careers: Any) -> None:
    day = _table(careers, world, GRADE_PATH)
    engineer = careers.engineer
    grades.management_grade_record(
        actor=careers.hr_a,
        worker=engineer,
        grade="副科级",
        since=day - dt.timedelta(days=400),
        document="人字〔2025〕3号",
    )
    url = f"/api/v1/careers/workers/{engineer.code}/bridge?target=intermediate&on={day}"
    r = check_access(client, url=url, in_scope=careers.hr_a, out_of_scope=careers.hr_b)
    unmet = [c for c in r.json()["conditions"] if not c["met"]]
    assert unmet == [
        {"rule": "years_at_grade", "required": "3@副科级", "actual": "1@副科级", "met": False}
    ]
    client.force_login(careers.hr_b)
    r = client.get(f"/careers/workers/{engineer.code}/")
    assert r.status_code == 404 and "副科级" not in r.content.decode()
    from django.utils import translation

    from gongjiang.careers.words import describe

    with translation.override("zh-hans"):
        words = describe(unmet[0])
    assert words["need"] == "任副科级及以上管理职级满3年" and words["have"] == "1年"

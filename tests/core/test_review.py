"""Review rounds: weighted panel scoring bounded by each criterion's maximum, conflict-of-interest
checks (nominated by them, their own branch of the tree, an app's own check), ranking with ties
("1, 2, 2, 4"), grades by rank bands or thresholds, a panel member never finalises, scoping."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import AuditEvent
from gongjiang.core.review import conflicts, selectors
from gongjiang.core.review.models import ReviewRound
from gongjiang.core.review.ranking import competition_ranks, grade_for_rank, grade_for_score
from gongjiang.core.review.services import (
    panel_member_add,
    review_item_add,
    review_round_create,
    review_round_finalise,
    review_score_save,
    review_scores_save,
)
from tests.factories import OrganizationFactory, UserFactory, member

pytestmark = pytest.mark.django_db
CRITERIA = [
    {"name": "创新性", "weight": "60", "max_score": "10"},
    {"name": "效益", "weight": "40", "max_score": "20"},
]


@pytest.mark.parametrize(
    ("values", "ranks"),
    [
        ([90, 80, 80, 70], [1, 2, 2, 4]),
        ([5, 5, 5], [1, 1, 1]),
        ([9, 8, 7], [1, 2, 3]),
        ([], []),
        ([3, 3, 2, 2, 1], [1, 1, 3, 3, 5]),
    ],
)
def test_competition_ranking(values: list[int], ranks: list[int]) -> None:
    assert [r for r, _ in competition_ranks(values, key=lambda v: v)] == ranks


@given(st.lists(st.integers(min_value=0, max_value=5), max_size=30))
def test_ranks_count_the_better_ones(values: list[int]) -> None:
    ordered = sorted(values, reverse=True)
    for rank, value in competition_ranks(ordered, key=lambda v: v):
        assert rank == 1 + sum(1 for v in values if v > value)


def test_grades() -> None:
    bands = [{"grade": "一等奖", "up_to": 1}, {"grade": "二等奖", "up_to": 3}]
    assert [grade_for_rank(r, bands) for r in (1, 2, 3, 4)] == ["一等奖", "二等奖", "二等奖", ""]
    limits = [{"grade": "合格", "min": "60"}, {"grade": "优秀", "min": "90"}]
    assert grade_for_score(Decimal("90"), limits) == "优秀"
    assert grade_for_score(Decimal("89.999"), limits) == "合格"
    assert grade_for_score(Decimal("59"), limits) == ""


@pytest.fixture
def setup(world: Any) -> dict[str, Any]:
    """A round of province A: three items from enterprise A, its neighbour and province B's
    enterprise; a panel of two neutral experts (another city of province B, province A itself),
    one from a team of enterprise A and the officer of city A who nominated the second item."""
    neighbour = OrganizationFactory(
        parent=world.city_a, name="南京第二机床厂工会", kind="enterprise", region="320111"
    )
    round_ = review_round_create(
        actor=world.alice,
        organization=world.province_a,
        title="2026年度职工创新成果评审",
        criteria=CRITERIA,
        grade_bands=[{"grade": "一等奖", "up_to": 1}, {"grade": "二等奖", "up_to": 2}],
    )
    nominator = UserFactory(username="nominator")
    member(nominator, world.city_a, "officer")
    items = [
        review_item_add(
            actor=world.alice, round=round_, label="焊接机器人改进", organization=world.enterprise_a
        ),
        review_item_add(
            actor=world.alice,
            round=round_,
            label="数控刀具寿命提升",
            organization=neighbour,
            nominated_by=nominator,
        ),
        review_item_add(
            actor=world.alice,
            round=round_,
            label="节能改造",
            organization=world.enterprise_b,
            about=world.enterprise_b,
        ),
    ]
    experts = []
    ningbo = OrganizationFactory(
        parent=world.province_b, name="宁波市总工会", kind="city", region="330200"
    )
    for name, org in (("expert_b", ningbo), ("expert_a", world.province_a)):
        user = UserFactory(username=name)
        member(user, org, "judge")
        panel_member_add(actor=world.alice, round=round_, user=user)
        experts.append(user)
    insider = UserFactory(username="insider")
    member(insider, world.team_a, "worker")
    panel_member_add(actor=world.alice, round=round_, user=insider)
    panel_member_add(actor=world.alice, round=round_, user=nominator)
    return {
        "round": round_,
        "items": items,
        "experts": experts,
        "insider": insider,
        "nominator": nominator,
        "criteria": list(round_.criteria.all()),
    }


def test_conflicts_of_interest(world: Any, setup: dict[str, Any]) -> None:
    a, b, c = setup["items"]
    crit = setup["criteria"][0]
    # the insider (a team inside enterprise A) may not score enterprise A's item; the others yes
    with pytest.raises(ApplicationError) as exc:
        review_score_save(actor=setup["insider"], item=a, criterion=crit, score="5")
    assert exc.value.code == "conflict_of_interest" and "焊接机器人改进" in exc.value.message
    review_score_save(actor=setup["insider"], item=b, criterion=crit, score="5")
    # the nominator (city A) nominated item b, and city A is above enterprise A and the neighbour
    with translation.override("en"):
        assert "nominated" in (conflicts.review_conflict_reason(setup["nominator"], b) or "")
    assert conflicts.review_conflict_reason(setup["nominator"], a)
    assert conflicts.review_conflict_reason(setup["nominator"], c) is None
    # the province's own expert is neutral (a membership at the round's owner)
    for item in (a, b, c):
        assert conflicts.review_conflict_reason(setup["experts"][1], item) is None
    sheet = selectors.panel_worksheet(actor=setup["insider"], round=setup["round"])
    assert [bool(row["conflict"]) for row in sheet] == [True, False, False]


def test_an_apps_own_check(world: Any, setup: dict[str, Any]) -> None:
    round_ = setup["round"]
    ReviewRound.objects.filter(pk=round_.pk).update(kind="test.authors")
    conflicts.register_conflict_check(
        "test.authors",
        lambda user, item: (
            "是成果完成人" if user.username == "expert_b" and item.label == "节能改造" else None
        ),
    )
    c = setup["items"][2]
    c.refresh_from_db()
    with pytest.raises(ApplicationError) as exc:
        review_score_save(
            actor=setup["experts"][0], item=c, criterion=setup["criteria"][0], score=1
        )
    assert exc.value.message == "是成果完成人"


def test_scores_are_bounded_and_only_for_the_panel(world: Any, setup: dict[str, Any]) -> None:
    item, (crit, crit2) = setup["items"][2], setup["criteria"]
    expert = setup["experts"][0]
    for bad in ("10.01", "-1", "abc", 5.5, "1.234"):
        with pytest.raises(ApplicationError) as exc:
            review_score_save(actor=expert, item=item, criterion=crit, score=bad)
        assert exc.value.details[0]["field"] == "score"
    review_score_save(actor=expert, item=item, criterion=crit, score="10")
    again = review_score_save(actor=expert, item=item, criterion=crit, score="9.5")
    assert again.score == Decimal("9.50") and item.scores.count() == 1  # changed, not added
    review_score_save(actor=expert, item=item, criterion=crit2, score="20")
    for outsider in (world.bob, world.worker_a, world.alice):
        with pytest.raises(Http404):
            review_score_save(actor=outsider, item=item, criterion=crit, score="1")
    assert AuditEvent.objects.filter(action="review.score").count() == 3


def _score_all(setup: dict[str, Any], table: dict[int, tuple[str, str]]) -> None:
    """The two neutral experts give the same scores (criterion 1, criterion 2) per item."""
    c1, c2 = setup["criteria"]
    for index, (s1, s2) in table.items():
        for expert in setup["experts"]:
            item = setup["items"][index]
            review_score_save(actor=expert, item=item, criterion=c1, score=s1)
            review_score_save(actor=expert, item=item, criterion=c2, score=s2)


def test_finalise_ranks_with_ties_and_grades(world: Any, setup: dict[str, Any]) -> None:
    round_ = setup["round"]
    _score_all(setup, {0: ("8", "10"), 1: ("10", "5")})
    with pytest.raises(ApplicationError) as exc:
        review_round_finalise(actor=world.alice, round=round_)
    assert exc.value.code == "incomplete" and exc.value.details[0]["error"] == "节能改造"
    _score_all(setup, {2: ("5", "20")})
    # 0: 60×0.8 + 40×0.5 = 68; 1: 60×1 + 40×0.25 = 70; 2: 60×0.5 + 40×1 = 70
    review_round_finalise(actor=world.alice, round=round_)
    items = {i.label: i for i in selectors.review_items(actor=world.alice, round=round_)}
    assert [(i.total, i.rank, i.grade) for i in items.values()] == [
        (Decimal("70.000"), 1, "一等奖"),
        (Decimal("70.000"), 1, "一等奖"),
        (Decimal("68.000"), 3, ""),
    ]
    round_.refresh_from_db()
    assert round_.state == "final" and round_.finalised_by == world.alice
    with pytest.raises(ApplicationError) as exc:
        review_score_save(
            actor=setup["experts"][0],
            item=setup["items"][0],
            criterion=setup["criteria"][0],
            score=1,
        )
    assert exc.value.code == "round_final"
    assert AuditEvent.objects.filter(action="review.finalise").count() == 1


def test_a_panel_member_never_finalises(world: Any, setup: dict[str, Any]) -> None:
    round_ = setup["round"]
    panel_member_add(actor=world.alice, round=round_, user=world.alice)
    _score_all(setup, {0: ("1", "1"), 1: ("1", "1"), 2: ("1", "1")})
    review_score_save(
        actor=world.alice, item=setup["items"][2], criterion=setup["criteria"][0], score="2"
    )
    with pytest.raises(ApplicationError) as exc:
        review_round_finalise(actor=world.alice, round=round_)
    assert exc.value.code == "separation_of_duties" and exc.value.status == 403
    # core.duties: the refusal is audited after the rollback
    refusal = AuditEvent.objects.get(action="review.finalise.refused")
    assert refusal.actor == world.alice and refusal.details["reason"] == "panel_member"
    review_round_finalise(actor=world.alice_admin, round=round_)


def _queries(fn: Any) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return [q["sql"] for q in ctx.captured_queries]


def test_worksheet_queries_do_not_grow_with_the_items(world: Any, setup: dict[str, Any]) -> None:
    # it read the member's memberships once an item
    round_ = setup["round"]

    def sheet() -> Any:
        return selectors.panel_worksheet(actor=setup["insider"], round=round_)

    sheet()  # warm the caches (the member's roles)
    few = len(_queries(sheet))
    for n in range(6):
        review_item_add(
            actor=world.alice, round=round_, label=f"成果{n}", organization=world.enterprise_b
        )
    assert len(_queries(sheet)) == few


def test_finalise_reads_the_items_once(world: Any, setup: dict[str, Any]) -> None:
    # it read them three times (totals, the unscored check, the ranking)
    _score_all(setup, {0: ("1", "1"), 1: ("1", "1"), 2: ("1", "1")})
    sql = _queries(lambda: review_round_finalise(actor=world.alice_admin, round=setup["round"]))
    reads = [q for q in sql if q.startswith("SELECT") and 'FROM "core_reviewitem"' in q]
    assert len(reads) == 1, reads


def test_grades_by_score_thresholds(world: Any) -> None:
    round_ = review_round_create(
        actor=world.alice,
        organization=world.province_a,
        title="技能人才评选",
        criteria=[{"name": "业绩", "weight": 1, "max_score": 100}],
        grading="score",
        grade_bands=[{"grade": "合格", "min": 60}, {"grade": "优秀", "min": "90"}],
    )
    expert = UserFactory(username="neutral")
    panel_member_add(actor=world.alice, round=round_, user=expert)
    crit = round_.criteria.get()
    for label, score in (("甲", "95"), ("乙", "60"), ("丙", "59.99")):
        item = review_item_add(
            actor=world.alice, round=round_, label=label, organization=world.enterprise_b
        )
        review_score_save(actor=expert, item=item, criterion=crit, score=score)
    review_round_finalise(actor=world.alice, round=round_)
    assert [
        (i.label, i.rank, i.grade) for i in selectors.review_items(actor=world.alice, round=round_)
    ] == [
        ("甲", 1, "优秀"),
        ("乙", 2, "合格"),
        ("丙", 3, ""),
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"criteria": []}, "criteria"),
        ({"criteria": [{"name": "x", "weight": "0", "max_score": "10"}]}, "criteria[0].weight"),
        ({"criteria": [{"name": "x", "weight": "1", "max_score": 0.5}]}, "criteria[0].max_score"),
        ({"criteria": [{"name": " ", "weight": "1", "max_score": "10"}]}, "criteria[0].name"),
        ({"grade_bands": [{"grade": "一等奖", "up_to": 0}]}, "grade_bands[0]"),
        (
            {"grade_bands": [{"grade": "一等奖", "up_to": 3}, {"grade": "二等奖", "up_to": 2}]},
            "grade_bands[1]",
        ),
        ({"grading": "votes"}, "grading"),
    ],
)
def test_bad_set_up_names_the_field(world: Any, changes: dict[str, Any], field: str) -> None:
    kwargs: dict[str, Any] = {"title": "评审", "criteria": CRITERIA, **changes}
    with pytest.raises(ApplicationError) as exc:
        review_round_create(actor=world.alice, organization=world.province_a, **kwargs)
    assert exc.value.details[0]["field"] == field
    assert not ReviewRound.objects.exists()


def test_scoping(world: Any, setup: dict[str, Any]) -> None:
    round_ = setup["round"]
    assert list(selectors.review_rounds_managed(actor=world.alice)) == [round_]
    assert list(selectors.review_rounds_managed(actor=world.bob)) == []
    assert selectors.review_round_get(actor=setup["experts"][0], code=round_.code) == round_
    assert list(selectors.review_rounds_on_panel(actor=setup["experts"][0])) == [round_]
    for outsider in (world.bob, world.worker_a, world.nobody):
        with pytest.raises(Http404):
            selectors.review_round_get(actor=outsider, code=round_.code)
        with pytest.raises(Http404):
            selectors.review_items(actor=outsider, round=round_)
    with pytest.raises(PermissionDenied):
        review_item_add(actor=world.bob, round=round_, label="x", organization=world.enterprise_b)
    with pytest.raises(PermissionDenied):
        review_round_finalise(actor=world.bob, round=round_)


def test_a_score_sheet_is_saved_whole_or_not_at_all(world: Any, setup: dict[str, Any]) -> None:
    """One refused score on the sheet leaves none of the sheet's scores saved."""
    item, (crit, crit2) = setup["items"][2], setup["criteria"]
    expert = setup["experts"][0]
    with pytest.raises(ApplicationError) as exc:
        review_scores_save(actor=expert, item=item, scores={crit: "8", crit2: "999"})
    assert exc.value.details[0]["field"] == "score"
    assert item.scores.count() == 0
    saved = review_scores_save(actor=expert, item=item, scores={crit: "8", crit2: "20"})
    assert [s.score for s in saved] == [Decimal("8.00"), Decimal("20.00")]
    assert item.scores.count() == 2

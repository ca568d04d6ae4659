"""Studios (劳模和工匠人才创新工作室) and alliances: the leader's honour, naming at the level with
separation of duties, assessment outcomes and two fails in a row, alliances, joint projects with
results attributed to several studios, mentoring, the dashboard, scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.http import Http404

from gongjiang.core.actors import SYSTEM
from gongjiang.core.duties import DutyConflict
from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.innovation import services, studios
from gongjiang.innovation.models import Studio
from gongjiang.workforce.history import honour_add
from tests.workforce.helpers import make_worker

from .conftest import make_result

pytestmark = pytest.mark.django_db
FULL = {"results": 30, "talent": 25, "system": 15, "funding": 15, "example": 15}


def honour(worker: Any, title: str = "江苏省劳动模范", level: str = "provincial") -> Any:
    return honour_add(actor=SYSTEM, worker=worker, title=title, level=level, year=2020)


def scores(total: int) -> dict[str, Any]:
    """Scores adding up to ``total`` within each criterion's maximum."""
    out, left = {}, total
    for key, top in FULL.items():
        out[key] = min(top, left)
        left -= out[key]
    return out


def propose(world: Any, team: Any, level: str = "provincial", **extra: Any) -> Studio:
    fields = {
        "organization": world.enterprise_a,
        "name": "李斌劳模创新工作室",
        "level": level,
        "leader": team.workers[0],
        "members": [team.workers[1]],
        "funding": Decimal("200000.00"),
    }
    fields.update(extra)
    return studios.studio_propose(actor=world.enterprise_officer_a, **fields)


def named(world: Any, team: Any, **extra: Any) -> Studio:
    studio = propose(world, team, **extra)
    return studios.studio_approve(actor=world.alice, studio=studio)


def test_leader_must_hold_a_qualifying_honour(world: Any, team: Any) -> None:
    with pytest.raises(ApplicationError) as exc:
        propose(world, team)
    assert exc.value.code == "leader_not_qualified"
    assert exc.value.details[0]["field"] == "leader"
    honour(team.workers[0], "厂级先进个人", "provincial")  # not a qualifying title
    with pytest.raises(ApplicationError):
        propose(world, team)
    honour(team.workers[0], "公司劳动模范", "enterprise")  # qualifying, but below the level
    with pytest.raises(ApplicationError):
        propose(world, team)
    assert propose(world, team, level="enterprise").status == "proposed"
    revoked = honour(team.workers[0], "江苏省劳动模范")
    revoked.revoked = True
    revoked.save(update_fields=["revoked"])
    with pytest.raises(ApplicationError):
        propose(world, team, name="另一工作室")
    honour(team.workers[0], "江苏工匠", "provincial")
    assert propose(world, team, name="另一工作室").level == "provincial"


def test_naming_is_approved_at_the_level_by_another(world: Any, team: Any) -> None:
    honour(team.workers[0])
    studio = propose(world, team)
    # the proposer never approves (refused and audited)
    with pytest.raises(DutyConflict):
        studios.studio_approve(actor=world.enterprise_officer_a, studio=studio)
    # an enterprise union does not name a provincial studio
    from tests.factories import UserFactory, member

    other = UserFactory(username="ent_officer_2")
    member(other, world.enterprise_a, "officer")
    with pytest.raises(ConflictError) as exc:
        studios.studio_approve(actor=other, studio=studio)
    assert exc.value.code == "not_at_level"
    # out of scope: bob never sees it
    with pytest.raises(Http404):
        studios.studio_get(actor=world.bob, code=studio.code)
    assert studios.studios_to_approve(actor=world.alice) == [studio]
    studio = studios.studio_approve(actor=world.alice, studio=studio)
    assert studio.status == "named"
    # renaming: asked by one, approved at the level by another
    rename = studios.studio_rename_request(
        actor=world.enterprise_officer_a, studio=studio, new_name="李斌技能大师工作室"
    )
    with pytest.raises(DutyConflict):
        studios.studio_rename_decide(actor=world.enterprise_officer_a, rename=rename, approve=True)
    with pytest.raises(ConflictError):
        studios.studio_rename_decide(actor=other, rename=rename, approve=True)
    studios.studio_rename_decide(actor=world.alice, rename=rename, approve=True)
    studio.refresh_from_db()
    assert studio.name == "李斌技能大师工作室"


@pytest.mark.parametrize(
    ("total", "outcome"),
    [
        (100, "excellent"),
        (90, "excellent"),
        (89, "pass"),
        (70, "pass"),
        (69, "rectify"),
        (60, "rectify"),
        (59, "revoke"),
        (0, "revoke"),
    ],
)
def test_assessment_outcome_at_each_boundary(
    world: Any, team: Any, total: int, outcome: str
) -> None:
    honour(team.workers[0])
    studio = named(world, team)
    row = studios.studio_assess(actor=world.alice, studio=studio, year=2025, scores=scores(total))
    assert row.score == Decimal(total) and row.outcome == outcome


def test_two_fails_in_a_row_mark_for_revocation(world: Any, team: Any) -> None:
    honour(team.workers[0])
    studio = named(world, team)
    studios.studio_assess(actor=world.alice, studio=studio, year=2022, scores=scores(65))
    studios.studio_assess(actor=world.alice, studio=studio, year=2023, scores=scores(80))
    studios.studio_assess(actor=world.alice, studio=studio, year=2024, scores=scores(50))
    studio.refresh_from_db()
    assert studio.status == "named"  # fail, pass, fail: not in a row
    studios.studio_assess(actor=world.alice, studio=studio, year=2025, scores=scores(61))
    studio.refresh_from_db()
    assert studio.status == "marked"
    with pytest.raises(ConflictError):
        studios.studio_assess(actor=world.alice, studio=studio, year=2025, scores=scores(99))


def test_assessment_input_and_duties(world: Any, team: Any) -> None:
    honour(team.workers[0])
    studio = named(world, team)
    bad = dict(FULL, results=31)
    with pytest.raises(ApplicationError) as exc:
        studios.studio_assess(actor=world.alice, studio=studio, year=2025, scores=bad)
    assert exc.value.details[0]["field"] == "scores.results"
    with pytest.raises(ApplicationError):
        studios.studio_assess(actor=world.alice, studio=studio, year=2025, scores={**FULL, "x": 1})
    with pytest.raises(ApplicationError):
        studios.studio_assess(
            actor=world.alice, studio=studio, year=2025, scores={**FULL, "talent": 10**20}
        )
    # a member of the studio never assesses it

    team.workers[1].user = world.alice
    team.workers[1].save(update_fields=["user"])
    with pytest.raises(DutyConflict):
        studios.studio_assess(actor=world.alice, studio=studio, year=2025, scores=FULL)


def test_alliance_projects_mentoring_dashboard(world: Any, team: Any) -> None:
    honour(team.workers[0])
    studio_a = named(world, team)
    # a second studio at another enterprise of the province
    from tests.factories import OrganizationFactory

    other_ent = OrganizationFactory(
        parent=world.city_a, name="南京第二机械厂工会", kind="enterprise", region="320102"
    )
    leader_b = make_worker(other_ent, 201, name="周工匠")
    honour(leader_b, "全国五一劳动奖章", "national")
    studio_b = studios.studio_propose(
        actor=world.alice,
        organization=other_ent,
        name="周工匠创新工作室",
        level="city",
        leader=leader_b,
    )
    from tests.factories import UserFactory, member

    city_officer = UserFactory(username="city_officer")
    member(city_officer, world.city_a, "officer")
    studio_b = studios.studio_approve(actor=city_officer, studio=studio_b)
    # a studio of province B is outside the province's alliance
    leader_c = make_worker(world.enterprise_b, 301, name="浙江劳模")
    honour(leader_c, "浙江省劳动模范")
    studio_c = studios.studio_propose(
        actor=world.bob,
        organization=world.enterprise_b,
        name="浙江工作室",
        level="enterprise",
        leader=leader_c,
    )
    with pytest.raises(ApplicationError):
        studios.alliance_create(
            actor=world.alice, organization=world.province_a, name="联盟", studios=[studio_c]
        )
    alliance = studios.alliance_create(
        actor=world.alice,
        organization=world.province_a,
        name="江苏劳模工匠创新工作室联盟",
        studios=[studio_a, studio_b],
    )
    with pytest.raises(ApplicationError):
        studios.joint_project_create(
            actor=world.alice, alliance=alliance, title="单独", studios=[studio_a]
        )
    project = studios.joint_project_create(
        actor=world.alice,
        alliance=alliance,
        title="高速列车转向架焊接攻关",
        studios=[studio_a, studio_b],
        tasks=[("焊接机器人轨迹", studio_a), ("工装设计", studio_b)],
    )
    result = make_result(team, submit=True)
    result = services.result_review(actor=team.hr, result=result, adopted=True)
    services.result_implement(actor=team.hr, result=result, on=dt.date.today())
    services.result_certify_effect(actor=world.alice, result=result, savings=Decimal("120000.50"))
    studios.joint_project_results_add(actor=world.alice, project=project, results=[result])
    studios.project_task_done(actor=world.alice, task=project.tasks.first())
    # mentoring: the mentor is a member; outcomes count as trained
    pair = studios.mentoring_pair_add(
        actor=world.enterprise_officer_a,
        studio=studio_a,
        mentor=team.workers[0],
        mentee=team.workers[2],
        started_on=dt.date(2024, 3, 1),
    )
    with pytest.raises(ApplicationError):
        studios.mentoring_pair_add(
            actor=world.enterprise_officer_a,
            studio=studio_a,
            mentor=team.workers[2],
            mentee=team.workers[1],
            started_on=dt.date(2024, 3, 1),
        )
    studios.mentoring_outcome(
        actor=world.enterprise_officer_a, pair=pair, outcome="promoted", on=dt.date(2025, 3, 1)
    )
    board = studios.dashboard(actor=world.alice)
    per = {row["studio"].name: row for row in board["per_studio"]}
    # the joint project's result counts for both studios
    assert per["李斌劳模创新工作室"]["results"] == 1 and per["周工匠创新工作室"]["results"] == 1
    assert per["周工匠创新工作室"]["savings"] == Decimal("120000.50")
    assert per["李斌劳模创新工作室"]["trained"] == 1 and board["trained"] == 1
    assert dict(board["by_level"]) == {"national": 0, "provincial": 1, "city": 1, "enterprise": 0}
    # bob's dashboard has nothing of province A, not even counts
    bob = studios.dashboard(actor=world.bob)
    assert [r["studio"].name for r in bob["per_studio"]] == ["浙江工作室"]
    assert dict(bob["by_level"])["provincial"] == 0
    with pytest.raises(Http404):
        studios.alliance_get(actor=world.bob, code=alliance.code)

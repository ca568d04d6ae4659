"""The contest's two levels of rollups (unit rows, province and city subtree rows) equal a recount
from the entries; the check finds a wrong row; a rebuild writes them afresh from the entries."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import timezone

from gongjiang.core.actors import SYSTEM
from gongjiang.members import campaigns
from gongjiang.members.campaign_tallies import campaign_tallies_rebuild, campaign_tallies_verify
from gongjiang.members.models import CampaignAreaTally, CampaignOrgTally

from ..counters_helpers import fold
from ..factories import OrganizationFactory, UserFactory, member
from ..learning.factories import make_question


@pytest.fixture
def national_contest(world: Any) -> Any:
    q = make_question(SYSTEM, world.national, "single", answer="B")
    now = timezone.now()
    campaign = campaigns.campaign_create(
        actor=SYSTEM,
        organization=world.national,
        title="全国职工知识竞赛",
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(days=3),
        question_codes=[q.code],
    )
    rng = random.Random(7)
    units = [world.enterprise_a, world.team_a, world.enterprise_b, world.city_b, world.province_a]
    units.append(
        OrganizationFactory(
            parent=world.city_b, name="宁波企业工会", kind="enterprise", region="330105"
        )
    )
    for i in range(40):
        u = UserFactory(username=f"n{i}")
        member(u, rng.choice(units), "worker")
        campaigns.contest_submit(actor=u, campaign=campaign, answers={q.code: rng.choice("AB")})
    fold()
    return campaign


def test_area_rows_equal_a_recount_and_serve_the_rankings(
    world: Any, national_contest: Any, django_assert_max_num_queries: Any
) -> None:
    c = national_contest
    areas = {a.organization_id: a for a in CampaignAreaTally.objects.filter(campaign=c)}
    # provinces and cities only (depth 1 and 2 under the national root)
    assert set(areas) <= {
        world.province_a.pk,
        world.province_b.pk,
        world.city_a.pk,
        world.city_b.pk,
    }
    assert {world.province_a.pk, world.province_b.pk} <= set(areas)
    for org in [world.province_a, world.province_b, world.city_a, world.city_b]:
        got = campaigns.participation(campaign=c, organization=org)
        assert got == campaigns.recount(campaign=c, organization=org)
    for org in [world.national, world.enterprise_a]:
        assert campaigns.participation(campaign=c, organization=org) == campaigns.recount(
            campaign=c, organization=org
        )
    with django_assert_max_num_queries(2):  # the province rows, then their names
        ranking = campaigns.rankings(campaign=c, organization=world.national)
    assert {r["path"] for r in ranking} == {world.province_a.path, world.province_b.path}
    for r in ranking:
        org = world.province_a if r["path"] == world.province_a.path else world.province_b
        assert {"participants": r["participants"], "mean": r["mean"]} == campaigns.recount(
            campaign=c, organization=org
        )
    assert sum(r["participants"] for r in ranking) == 40
    result = campaign_tallies_verify(campaign=c)
    assert result["participants"] == 40 and result["mismatches"] == []


def test_the_check_finds_a_wrong_row_and_the_rebuild_mends_it(
    world: Any, national_contest: Any
) -> None:
    c = national_contest
    CampaignAreaTally.objects.filter(campaign=c, organization=world.city_b).update(participants=999)
    CampaignOrgTally.objects.filter(campaign=c).order_by("pk").first().delete()
    wrong = campaign_tallies_verify(campaign=c)["mismatches"]
    assert {m["level"] for m in wrong} == {"unit", "area"}
    assert any(m["path"] == world.city_b.path and m["kept"][0] == 999 for m in wrong)
    with pytest.raises(CommandError):
        call_command("members_campaign_tallies", c.code, stdout=StringIO())
    with pytest.raises(PermissionDenied):
        campaign_tallies_rebuild(actor=world.alice, campaign=c)  # a province may not rebuild it
    out = StringIO()
    call_command("members_campaign_tallies", c.code, "--rebuild", stdout=out)
    assert '"mismatches": []' in out.getvalue()
    assert campaign_tallies_verify(campaign=c)["mismatches"] == []
    total = sum(t.participants for t in CampaignOrgTally.objects.filter(campaign=c))
    assert total == 40
    assert campaigns.participation(campaign=c, organization=world.national)["participants"] == 40


def test_scores_to_the_fen_in_both_levels(ms: Any, world: Any) -> None:
    single, tf, multiple = ms.questions
    campaigns.contest_submit(
        actor=world.worker_a,
        campaign=ms.campaign,
        answers={single.code: "B", tf.code: True, multiple.code: ["A"]},
    )
    fold()
    area = CampaignAreaTally.objects.get(campaign=ms.campaign, organization=world.city_a)
    unit = CampaignOrgTally.objects.get(campaign=ms.campaign, organization=world.enterprise_a)
    assert area.total_score == unit.total_score == Decimal("2.50")
    assert area.depth == 2 and area.participants == unit.participants == 1
    with pytest.raises(CommandError):
        call_command("members_campaign_tallies", "nosuchcode", stdout=StringIO())


def test_a_rebuild_counts_the_queued_entries_once(world: Any, national_contest: Any) -> None:
    c = national_contest
    for i in range(3):
        u = UserFactory(username=f"late{i}")
        member(u, world.enterprise_b, "worker")
        campaigns.contest_submit(actor=u, campaign=c, answers={c.questions.get().code: "B"})
    assert campaign_tallies_verify(campaign=c)["pending"] == 0  # the check folded them
    for i in range(3, 5):
        u = UserFactory(username=f"late{i}")
        member(u, world.enterprise_b, "worker")
        campaigns.contest_submit(actor=u, campaign=c, answers={c.questions.get().code: "B"})
    campaign_tallies_rebuild(actor=SYSTEM, campaign=c)
    fold()  # the queue was dropped by the rebuild, which counted those entries
    result = campaign_tallies_verify(campaign=c)
    assert result["participants"] == 45 and result["mismatches"] == []
    assert campaigns.participation(campaign=c, organization=world.national)["participants"] == 45

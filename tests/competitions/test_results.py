"""Totals, tie-breaks, prizes, standardisation, approval/publication and advancement with quotas."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongjiang.competitions import results, services
from gongjiang.competitions.models import Entry, Result
from gongjiang.competitions.scalers import NoScaler, WorldSkillsScaler
from gongjiang.core.errors import ApplicationError

from .factories import assign_judges, confirmed_entry, score_entry

pytestmark = pytest.mark.django_db


def item(i, total, practical, b=0, time=None):
    return {
        "id": i,
        "total": Decimal(total),
        "practical": Decimal(practical),
        "by_criterion": {"B": Decimal(b)},
        "time_taken": time,
    }


def test_tie_breaks_in_order():
    items = [
        item(1, 70, 70, 10),  # loses to 2 on practical
        item(2, 70, 100, 40),
        item(3, 80, 70, 10, time=100),  # ties 4 on total, practical, B: slower
        item(4, 80, 70, 10, time=90),
        item(5, 75, 70, 10),  # loses to 6 on criterion B
        item(6, 75, 70, 40),
        item(7, 60, 50, 5),  # exact tie with 8: shared rank
        item(8, 60, 50, 5),
    ]
    ranked = results.assign_ranks(items, ["B"])
    assert [i["id"] for i in ranked] == [4, 3, 6, 5, 2, 1, 7, 8]
    assert [i["rank"] for i in ranked] == [1, 2, 3, 4, 5, 6, 7, 7]
    counts = {"first": 1, "second": 2, "third": 3, "excellence": 1}
    assert [results.prize_for(i["rank"], counts) for i in ranked] == [
        "first",
        "second",
        "second",
        "third",
        "third",
        "third",
        "excellence",
        "excellence",
    ]


def test_scalers():
    assert NoScaler().scale([1.0, 2.0]) == [None, None]
    scaled = WorldSkillsScaler().scale([50.0, 60.0, 70.0])
    assert scaled[1] == 700.0 and scaled[2] - scaled[1] == pytest.approx(122.5, abs=0.1)
    assert WorldSkillsScaler().scale([80.0]) == [700.0]


def test_compute_total_and_publish(world, comp, workers):
    stage, trade = comp["stages"][0], comp["trade"]
    judges = comp["judges"]
    assign_judges(world.alice, stage, comp["criteria"], judges)
    e1 = confirmed_entry(world.alice, stage, trade, workers[0], theory=70)
    e2 = confirmed_entry(world.alice, stage, trade, workers[1], theory=80)
    score_entry(e1, judges, 3)  # practical 100 → total 0.3 × 70 + 0.7 × 100 = 91
    score_entry(e2, judges, 0, exact=False)  # practical 0 → 24
    out = {
        r.entry_id: r for r in results.results_compute(actor=world.alice, stage=stage, trade=trade)
    }
    assert (
        out[e1.pk].total == Decimal("91.00")
        and out[e1.pk].rank == 1
        and out[e1.pk].prize == "first"
    )
    assert out[e2.pk].total == Decimal("24.00") and out[e2.pk].by_criterion == {
        "A": "0.00",
        "B": "0.00",
    }
    with pytest.raises(ApplicationError):
        results.stage_results_publish(actor=world.alice, stage=stage)  # not approved
    with pytest.raises(PermissionDenied):
        results.stage_results_approve(actor=world.bob, stage=stage)
    results.stage_results_approve(actor=world.alice, stage=stage)
    results.stage_results_publish(actor=world.alice, stage=stage)
    stage.refresh_from_db()
    assert stage.published_at is not None


def test_incomplete_results_cannot_be_approved(world, comp, workers):
    stage, trade = comp["stages"][0], comp["trade"]
    confirmed_entry(world.alice, stage, trade, workers[0])  # no marks, no theory
    results.results_compute(actor=world.alice, stage=stage, trade=trade)
    with pytest.raises(ApplicationError) as exc:
        results.stage_results_approve(actor=world.alice, stage=stage)
    assert exc.value.code == "incomplete"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    totals=st.lists(st.integers(min_value=0, max_value=20), min_size=9, max_size=9),
    places=st.lists(st.integers(min_value=0, max_value=4), min_size=3, max_size=3),
    waiting=st.integers(min_value=0, max_value=2),
)
def test_advancement_top_n_per_organisation(world, comp, workers, totals, places, waiting):
    """Whatever the results: each organisation sends exactly its top min(N, entrants) (by rank),
    the next ones go on its waiting list in order, and nobody else advances."""
    stage, trade = comp["stages"][0], comp["trade"]
    with transaction.atomic():
        entries = [
            Entry.objects.create(
                competition=comp["competition"],
                trade=trade,
                stage=stage,
                worker=w,
                sending_org=w.organization,
                status="confirmed",
            )
            for w in workers
        ]
        items = [
            {
                "id": e.pk,
                "total": Decimal(t),
                "practical": Decimal(t),
                "by_criterion": {},
                "time_taken": None,
            }
            for e, t in zip(entries, totals, strict=True)
        ]
        results.assign_ranks(items, [])
        Result.objects.bulk_create(
            [
                Result(entry_id=i["id"], practical=i["total"], total=i["total"], rank=i["rank"])
                for i in items
            ]
        )
        for org, n in zip(comp["enterprises"], places, strict=True):
            services.quota_set(
                actor=world.alice,
                stage=stage,
                trade=trade,
                organization=org,
                places=n,
                waiting=waiting,
            )
        stage.results_approved_at = timezone.now()
        stage.save()
        results.advancement_run(actor=world.alice, stage=stage)
        results.advancement_run(actor=world.alice, stage=stage)  # running again changes nothing
        rank = {i["id"]: i["rank"] for i in items}
        advanced = set(
            Entry.objects.filter(stage=comp["stages"][1]).values_list("previous_id", flat=True)
        )
        assert Entry.objects.filter(stage=comp["stages"][1]).count() == len(advanced)
        for org, n in zip(comp["enterprises"], places, strict=True):
            mine = sorted(
                (e for e in entries if e.sending_org_id == org.pk), key=lambda e: (rank[e.pk], e.pk)
            )
            assert {e.pk for e in mine if e.pk in advanced} == {e.pk for e in mine[:n]}
            # nobody who advanced ranks below anybody of the same organisation who did not
            worst_in = max((rank[e.pk] for e in mine[:n]), default=0)
            assert all(rank[e.pk] >= worst_in for e in mine[n:])
            waiting_ranks = dict(
                Entry.objects.filter(pk__in=[e.pk for e in mine]).values_list("pk", "waiting_rank")
            )
            expected = {e.pk: p for p, e in enumerate(mine[n : n + waiting], start=1)}
            assert {k: v for k, v in waiting_ranks.items() if v} == expected
        transaction.set_rollback(True)


def test_override_with_reason(world, comp, workers):
    stage, trade = comp["stages"][0], comp["trade"]
    e = Entry.objects.create(
        competition=comp["competition"],
        trade=trade,
        stage=stage,
        worker=workers[0],
        sending_org=workers[0].organization,
        status="confirmed",
        waiting_rank=1,
    )
    with pytest.raises(ValidationError):
        results.advancement_override(actor=world.alice, entry=e, advance=True, reason=" ")
    nxt = results.advancement_override(
        actor=world.alice, entry=e, advance=True, reason="第一名因伤退赛，候补递补"
    )
    assert nxt.stage == comp["stages"][1] and nxt.override_reason.startswith("第一名")
    back = results.advancement_override(
        actor=world.alice, entry=e, advance=False, reason="资格复核不通过"
    )
    assert back.status == "withdrawn"
    from gongjiang.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="competition.advancement_override").count() == 2


def test_quota_organisations_may_not_nest(world, comp):
    stage, trade = comp["stages"][0], comp["trade"]
    services.quota_set(
        actor=world.alice, stage=stage, trade=trade, organization=world.city_a, places=2
    )
    with pytest.raises(ApplicationError) as exc:
        services.quota_set(
            actor=world.alice, stage=stage, trade=trade, organization=world.enterprise_a, places=1
        )
    assert exc.value.code == "quota_overlap"
    with pytest.raises(ApplicationError):  # nobody advances from the final stage
        services.quota_set(
            actor=world.alice,
            stage=comp["stages"][1],
            trade=trade,
            organization=world.city_a,
            places=1,
        )

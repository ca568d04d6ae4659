"""Rollups: equal a recount after any sequence of imports, edits, transfers, level changes and
honours (through the registry's services and the rollup hooks); verify catches tampering."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongjiang.core.actors import SYSTEM
from gongjiang.core.errors import ApplicationError
from gongjiang.workforce import services
from gongjiang.workforce.analytics import rollups
from gongjiang.workforce.analytics.rollup_models import (
    HonourRollup,
    LevelGainRollup,
    RollupMeta,
    WorkerRollup,
)
from gongjiang.workforce.models import SkillLevelChange, Worker
from gongjiang.workforce.roster.importer import roster_import
from tests.factories import OrganizationFactory

from .helpers import HEADER, make_worker, unique_id

LEVELS = [None, "JUNIOR", "INTERMEDIATE", "SENIOR", "TECHNICIAN", "SENIOR_TECHNICIAN"]
LEVEL_NAMES = {
    None: "",
    "JUNIOR": "初级工",
    "INTERMEDIATE": "中级工",
    "SENIOR": "高级工",
    "TECHNICIAN": "技师",
    "SENIOR_TECHNICIAN": "高级技师",
}


@pytest.fixture
def hooked() -> Any:
    """The rollup listener connected (workforce/apps.py will do this at start-up)."""
    rollups.connect()
    yield
    rollups.disconnect()


def test_age_bands() -> None:
    as_of = dt.date(2026, 11, 25)
    assert rollups.age_band(dt.date(2001, 11, 26), as_of) == "u25"  # 24 until tomorrow
    assert rollups.age_band(dt.date(2001, 11, 25), as_of) == "25_34"
    assert rollups.age_band(dt.date(1971, 11, 25), as_of) == "55p"
    for band in rollups.AGE_BANDS:
        after, before = rollups.age_band_range(band, as_of)
        if after:
            assert rollups.age_band(after, as_of) == band
            assert rollups.age_band(after - dt.timedelta(days=1), as_of) != band
        if before:
            assert rollups.age_band(before - dt.timedelta(days=1), as_of) == band
            assert rollups.age_band(before, as_of) != band


@pytest.mark.django_db
def test_rebuild_counts(world: Any) -> None:
    a = make_worker(
        world.enterprise_a,
        1,
        skill_level="SENIOR",
        occupation="6-23-01-01",
        hire_date=dt.date(2020, 1, 1),
    )
    make_worker(world.enterprise_a, 2)
    make_worker(world.enterprise_b, 3, skill_level="JUNIOR")
    services.honour_add(actor=SYSTEM, worker=a, title="劳动模范", level="provincial", year=2024)
    meta = rollups.rollups_rebuild()
    assert meta.as_of == dt.date.today() or meta.as_of
    cells = {
        (r.organization_id, r.dim, r.key, r.level): r.n
        for r in WorkerRollup.objects.filter(subtree=False)
    }
    status = WorkerRollup.objects.filter(subtree=True, dim="status")
    assert sum(r.n for r in status.filter(organization=world.national)) == 3
    assert sum(r.n for r in status.filter(organization=world.province_a)) == 2
    assert sum(r.n for r in status.filter(organization=world.city_b)) == 1
    assert not WorkerRollup.objects.filter(subtree=True, organization=world.enterprise_a).exists()
    assert cells[(world.enterprise_a.pk, "gender", "M", "SENIOR")] == 1
    assert cells[(world.enterprise_a.pk, "gender", "M", "")] == 1
    assert cells[(world.enterprise_a.pk, "occ", "6-23", "SENIOR")] == 1
    assert cells[(world.enterprise_b.pk, "status", "active", "JUNIOR")] == 1
    assert sum(n for (o, d, _k, _l), n in cells.items() if d == "status") == 3
    assert HonourRollup.objects.get(subtree=False).n == 1
    assert HonourRollup.objects.get(subtree=True, organization=world.province_a).n == 1
    assert LevelGainRollup.objects.filter(organization=world.enterprise_a).exists()
    assert rollups.rollups_verify() == []


@pytest.mark.django_db
def test_verify_command_detects_tampering(world: Any, capsys: Any) -> None:
    make_worker(world.enterprise_a, 1, skill_level="SENIOR")
    make_worker(world.enterprise_a, 2)
    call_command("rollups", "rebuild")
    call_command("rollups", "verify")
    assert "equal" in capsys.readouterr().out
    row = WorkerRollup.objects.filter(dim="gender", subtree=True).first()
    row.n += 1
    row.save()
    with pytest.raises(SystemExit) as exc:
        call_command("rollups", "verify")
    assert exc.value.code == 1
    assert "cells" in capsys.readouterr().out
    WorkerRollup.objects.filter(dim="age").delete()
    assert len(rollups.rollups_verify()) >= 2
    call_command("rollups", "rebuild")
    assert rollups.rollups_verify() == []


@pytest.mark.django_db
def test_verify_before_first_build(world: Any) -> None:
    assert RollupMeta.objects.count() == 0
    assert rollups.rollups_verify()  # "never built"
    rollups.rollups_refresh([world.enterprise_a.pk])  # nothing to keep current yet: no error
    assert WorkerRollup.objects.count() == 0


@pytest.mark.django_db
def test_refresh_repairs_one_employer(world: Any) -> None:
    make_worker(world.enterprise_a, 1, skill_level="SENIOR")
    rollups.rollups_rebuild()
    Worker.objects.filter(organization=world.enterprise_a).update(
        skill_level_id="TECHNICIAN"
    )  # a raw write
    assert rollups.rollups_verify()
    rollups.rollups_refresh([world.enterprise_a.pk])
    assert rollups.rollups_verify() == []


@pytest.mark.django_db
def test_large_import_batch_recounts(world: Any, hooked: Any, monkeypatch: Any) -> None:
    rollups.rollups_rebuild()
    monkeypatch.setattr(rollups, "DELTA_LIMIT", 2)
    rows = [(1, HEADER)] + [
        (i + 2, [f"王{i}", unique_id(100 + i), "", "", "", "中级工", "2020-01-01", "", ""])
        for i in range(5)
    ]
    result = roster_import(
        actor=world.alice, source=rows, filename="r.csv", organization=world.enterprise_a
    )
    assert result.created == 5
    assert rollups.rollups_verify() == []


OPS = st.lists(
    st.tuples(
        st.sampled_from(
            ["create", "import", "edit", "transfer", "level", "revert", "honour", "status"]
        ),
        st.integers(0, 10_000),
    ),
    min_size=1,
    max_size=12,
)


@pytest.mark.django_db
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
def test_rollups_equal_recount_after_random_changes(
    world: Any, hooked: Any, ops: list[tuple[str, int]]
) -> None:
    other = world.__dict__.setdefault(
        "_other",
        OrganizationFactory(
            parent=world.city_a,
            name="第二装备工会",
            kind="enterprise",
            region="320105",
            industry="4710",
        ),
    )
    employers = [world.enterprise_a, other, world.enterprise_b]
    if not RollupMeta.objects.exists():
        rollups.rollups_rebuild()
    counter = world.__dict__.setdefault("_n", [1000])
    for op, n in ops:
        workers = list(Worker.objects.order_by("id"))
        worker = workers[n % len(workers)] if workers else None
        counter[0] += 1
        try:
            if op == "create" or worker is None:
                make_worker(
                    employers[n % 3],
                    counter[0],
                    skill_level=LEVELS[n % len(LEVELS)],
                    occupation=["6-23-01-01", "", "6-29-01-01"][n % 3] or None,
                )
            elif op == "import":
                rows = [
                    (1, HEADER),
                    (
                        2,
                        [
                            "李四",
                            unique_id(counter[0]),
                            "",
                            "",
                            "",
                            LEVEL_NAMES[LEVELS[n % 6]],
                            "2019-05-01",
                            "",
                            "",
                        ],
                    ),
                ]
                if workers:  # the same file also updates an existing worker (possibly moving them)
                    from gongjiang.workforce import personal

                    cid = personal.decrypt(worker.citizen_id_encrypted)
                    rows.append(
                        (
                            3,
                            [
                                worker.name,
                                cid,
                                "",
                                "",
                                "",
                                LEVEL_NAMES[LEVELS[(n + 1) % 6]],
                                "",
                                "",
                                "",
                            ],
                        )
                    )
                roster_import(
                    actor=SYSTEM, source=rows, filename="r.csv", organization=employers[n % 2]
                )
            elif op == "edit":
                services.worker_update(
                    actor=SYSTEM,
                    worker=worker,
                    employment_type=["contract", "migrant"][n % 2],
                    occupation=["6-23-01-01", "", "4-02-01-01"][n % 3] or None,
                )
            elif op == "status":
                services.worker_update(
                    actor=SYSTEM, worker=worker, status=["active", "left", "retired"][n % 3]
                )
            elif op == "transfer":
                target = [e for e in employers if e.pk != worker.organization_id][n % 2]
                services.worker_transfer(
                    actor=SYSTEM,
                    worker=worker,
                    to_organization=target,
                    date=dt.date(2025, 1, 1),
                    reason="test",
                )
            elif op == "level":
                services.worker_skill_level_change(
                    actor=SYSTEM,
                    worker=worker,
                    level=LEVELS[n % len(LEVELS)],
                    date=dt.date(2020 + n % 6, 3, 1),
                    source="test",
                )
            elif op == "revert":
                change = (
                    SkillLevelChange.objects.filter(worker=worker, reverted=False)
                    .order_by("-id")
                    .first()
                )
                if change:
                    services.worker_skill_level_change_revert(actor=SYSTEM, change=change)
            elif op == "honour":
                services.honour_add(
                    actor=SYSTEM,
                    worker=worker,
                    title="省级技术能手",
                    level="provincial",
                    year=2020 + n % 5,
                )
                # honours do not notify the listener: the registry calls the refresh (see docs)
                rollups.rollups_refresh([worker.organization_id], parts=("honours",))
        except ApplicationError:
            pass  # "unchanged" and similar refusals are part of random sequences
        assert rollups.rollups_verify() == [], op


def _count_recounts(monkeypatch: Any) -> list[tuple[int, tuple[str, ...]]]:
    """Record every recount of employers (rows scanned, parts) while the test runs."""
    recounted: list[tuple[int, tuple[str, ...]]] = []
    real_refresh = rollups.rollups_refresh

    def counting_refresh(ids: Any, **kwargs: Any) -> None:
        ids = list(ids)
        parts = tuple(kwargs.get("parts", ("cells", "gains", "honours")))
        recounted.append((Worker.objects.filter(organization_id__in=ids).count(), parts))
        real_refresh(ids, **kwargs)

    monkeypatch.setattr(rollups, "rollups_refresh", counting_refresh)
    return recounted


@pytest.mark.django_db
@pytest.mark.parametrize("batch_size", [4, 2])
def test_import_upkeep_does_not_grow_with_the_number_of_batches(
    world: Any, hooked: Any, monkeypatch: Any, batch_size: int
) -> None:
    """Regression: every batch over DELTA_LIMIT recounted its whole employer, so an import's
    rollup upkeep grew with the square of the employer's size; later the skill-level gains were
    still recounted after every batch. Now an import updates every part by deltas: no employer
    is recounted at all, whether the file comes in 4 batches or 8, and the result equals a
    recount."""
    make_worker(world.enterprise_a, 1, skill_level="SENIOR")  # already there, not in the file
    rollups.rollups_rebuild()
    monkeypatch.setattr(rollups, "DELTA_LIMIT", 1)
    recounted = _count_recounts(monkeypatch)
    n = 16
    rows = [(1, HEADER)] + [
        (i + 2, [f"赵{i}", unique_id(300 + i), "", "", "", "中级工", "2020-01-01", "", ""])
        for i in range(n)
    ]
    result = roster_import(
        actor=world.alice,
        source=rows,
        filename="r.csv",
        organization=world.enterprise_a,
        batch_size=batch_size,
    )
    assert result.created == n
    assert recounted == []
    assert rollups.rollups_verify() == []
    gains = LevelGainRollup.objects.filter(
        organization=world.enterprise_a, subtree=False, year=2020, level="INTERMEDIATE"
    )
    assert gains.get().n == n  # a first level is a gain, dated the hire date


@pytest.mark.django_db
def test_import_moves_history_and_honours_by_delta(
    world: Any, hooked: Any, monkeypatch: Any
) -> None:
    """Workers an import moves from another employer in the importer's scope take their earlier
    gains and honours with them, raised, lowered and kept levels count as a recount would, and
    nothing is recounted."""
    from gongjiang.workforce import personal
    from gongjiang.workforce.history import honour_add

    other = OrganizationFactory(
        parent=world.city_a, name="第二装备企业", kind="enterprise", region="320105"
    )
    movers = [make_worker(other, 400 + i, skill_level="JUNIOR") for i in range(4)]
    for i, worker in enumerate(movers):
        services.worker_skill_level_change(
            actor=SYSTEM, worker=worker, level="SENIOR", date=dt.date(2021, 3, 1), source="t"
        )
        if i % 2:
            honour_add(
                actor=SYSTEM, worker=worker, title="省级技术能手", level="provincial", year=2022
            )
    rollups.rollups_rebuild()
    recounted = _count_recounts(monkeypatch)
    names = ["技师", "中级工", "", "高级工"]  # raised, lowered, kept (empty), same level
    rows = [(1, HEADER)] + [
        (i + 2, [w.name, personal.decrypt(w.citizen_id_encrypted), "", "", "", names[i], "", ""])
        for i, w in enumerate(movers)
    ]
    rows.append((9, ["新人", unique_id(499), "", "", "", "技师", "2019-05-01", "", ""]))
    result = roster_import(
        actor=SYSTEM, source=rows, filename="r.csv", organization=world.enterprise_a, batch_size=2
    )
    assert (result.created, result.updated, result.rejected) == (1, 4, 0), result.as_json()
    assert recounted == []
    assert rollups.rollups_verify() == []
    assert not HonourRollup.objects.filter(organization=other, subtree=False).exists()
    moved = HonourRollup.objects.get(organization=world.enterprise_a, subtree=False)
    assert moved.n == 2


_snapshots = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "organization_id": st.one_of(st.none(), st.sampled_from([1, 2, 3])),
            "skill_level_id": st.sampled_from([None, "", "level5", "level3"]),
            "occupation_id": st.sampled_from([None, "", "6-04-01-01", "6-18-02-04", "2-02"]),
            "gender": st.sampled_from(["", "M", "F"]),
            "birth_date": st.one_of(
                st.none(), st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2010, 12, 31))
            ),
            "employment_type": st.sampled_from(["", "contract", "dispatch"]),
            "status": st.sampled_from([None, "active", "left", "retired"]),
            "hire_date": st.none(),
        }
    ),
)


@settings(max_examples=200, deadline=None)
@given(
    pairs=st.lists(st.tuples(_snapshots, _snapshots), max_size=30),
    skip=st.sets(st.sampled_from([1, 2, 3]), max_size=2),
    as_of=st.dates(min_value=dt.date(2020, 2, 27), max_value=dt.date(2030, 3, 2)),
)
def test_cell_delta_sums_profiles_as_expanding_every_snapshot(
    pairs: list[tuple[Any, Any]], skip: set[int], as_of: dt.date
) -> None:
    """The batch's cell deltas, summed per profile first (rollups.cell_delta), equal expanding each
    snapshot's cells one by one (rollups.cells_of) — on 29 February too."""
    changes = [rollups.WorkerChange(i, before, after) for i, (before, after) in enumerate(pairs)]
    expected: Counter[Any] = Counter()
    for change in changes:
        for cell in rollups.cells_of(change.before, as_of):
            if cell[0] not in skip:
                expected[cell] -= 1
        for cell in rollups.cells_of(change.after, as_of):
            if cell[0] not in skip:
                expected[cell] += 1
    got = rollups.cell_delta(changes, as_of, skip)
    assert +got == +expected and -got == -expected


@pytest.mark.parametrize("as_of", [dt.date(2026, 12, 7), dt.date(2028, 2, 29)])
def test_cell_delta_puts_birthdays_on_each_band_edge_where_cells_of_does(as_of: dt.date) -> None:
    births = [
        rollups.years_before(as_of, limit) + dt.timedelta(days=shift)
        for limit, _band in rollups.AGE_LIMITS
        for shift in (-1, 0, 1)
    ]
    changes = [
        rollups.WorkerChange(
            i, None, {"organization_id": 1, "status": "active", "birth_date": birth}
        )
        for i, birth in enumerate(births)
    ]
    expected: Counter[Any] = Counter(
        cell for change in changes for cell in rollups.cells_of(change.after, as_of)
    )
    assert rollups.cell_delta(changes, as_of, set()) == expected

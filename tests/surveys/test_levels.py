"""Rollups per tree level: an organisation's children and a subtree's total are read from the
``lv<k>`` rollups; they must equal the answers counted by organisation path directly."""

from __future__ import annotations

import importlib
from collections import Counter
from typing import Any

import pytest
from django.apps import apps
from django.db.models import Sum

from gongjiang.core.actors import SystemActor
from gongjiang.core.models import Organization
from gongjiang.surveys import rollups, selectors, services
from gongjiang.surveys.models import Response, Rollup

from ..counters_helpers import fold
from .helpers import answers


def _by_prefix(survey: Any, width: int) -> Counter[str]:
    """Responses counted by the first ``width`` characters of their organisation's path (0: the
    whole path)."""
    paths = Response.objects.filter(survey=survey).values_list("organization__path", flat=True)
    return Counter(p[:width] if width else p for p in paths if len(p) >= width)


@pytest.mark.django_db
def test_children_and_subtrees_from_the_level_rollups(sw: Any) -> None:
    for i, w in enumerate(sw.workers[:12] + sw.few):
        services.response_submit(actor=w.user, survey=sw.survey, answers=answers(i))
    fold()
    actor = SystemActor("test")
    province, city = sw.world.province_a, sw.world.city_a
    seg = Organization.SEGMENT
    # the children of the province, then of the city: sizes as a direct count by path prefix
    for base in (province, city):
        result = selectors._counts(sw.survey, "org", None if base == province else base)
        sizes = {g: c[("_n", "")] for g, c in result.items()}
        width = len(base.path) + seg
        expected = {
            k: v for k, v in _by_prefix(sw.survey, width).items() if k.startswith(base.path)
        }
        assert sizes == expected and sum(sizes.values()) > 0
    # a subtree's total is one read of its own level and equals the count inside it
    total = selectors._counts(sw.survey, "all", city)[""][("_n", "")]
    assert (
        total
        == Response.objects.filter(
            survey=sw.survey, organization__path__startswith=city.path
        ).count()
        == 15
    )
    # one level per tree level from the survey's organisation down to the deepest respondent
    deepest = max(len(p) for p in _by_prefix(sw.survey, 0)) // seg
    levels = set(
        Rollup.objects.filter(survey=sw.survey, dim__startswith="lv").values_list("dim", flat=True)
    )
    assert levels == {f"lv{k}" for k in range(len(province.path) // seg, deepest + 1)}
    # the page gate still withholds the small enterprise (3 answers) inside the city
    b = selectors.breakdown(actor=actor, survey=sw.survey, dim="org", within=city)
    small = next(g for g in b["groups"] if g["value"] == sw.small.path)
    assert small["suppressed"] and small["n"] is None
    assert rollups.verify(sw.survey)["equal"]


@pytest.mark.django_db
def test_migration_writes_the_levels_from_the_organisation_rollups(sw: Any) -> None:
    for i, w in enumerate(sw.workers[:11] + sw.few):
        services.response_submit(actor=w.user, survey=sw.survey, answers=answers(i))
    fold()
    before = rollups.stored(sw.survey)
    migration = importlib.import_module("gongjiang.surveys.migrations.0002_rollup_tree_levels")
    migration.remove_levels(apps, None)
    assert not Rollup.objects.filter(dim__startswith="lv").exists()
    assert rollups.stored(sw.survey) != before
    migration.add_levels(apps, None)
    assert rollups.stored(sw.survey) == before


@pytest.mark.django_db
def test_a_subtree_of_one_level_is_an_index_range_on_postgresql(sw: Any) -> None:
    """Under a collation other than C (C.UTF-8 included) ``value LIKE 'path%'`` is an index range
    only through the ``varchar_pattern_ops`` index (migration 0003): the organisation breakdown
    inside a city reads that range, not every row of the level; the figures are unchanged."""
    from django.db import connection

    for i, w in enumerate(sw.workers[:12] + sw.few):
        services.response_submit(actor=w.user, survey=sw.survey, answers=answers(i))
    fold()
    city = sw.world.city_a
    result = selectors._counts(sw.survey, "org", city)
    assert {g: c[("_n", "")] for g, c in result.items()} == {
        k: v
        for k, v in _by_prefix(sw.survey, len(city.path) + Organization.SEGMENT).items()
        if k.startswith(city.path)
    }
    if connection.vendor != "postgresql":
        return
    dim = f"lv{len(city.path) // Organization.SEGMENT + 1}"
    qs = (
        Rollup.objects.filter(survey=sw.survey, dim=dim, value__startswith=city.path)
        .values_list("value", "question", "option")
        .annotate(t=Sum("n"))
    )
    sql, params = qs.query.sql_with_params()
    from django.db import transaction

    # On a table this small the planner may take any index (or none): leave it only the prefix
    # index, inside a savepoint rolled back at once, and look at what the index is asked for.
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks
        cur.execute('ALTER TABLE "surveys_rollup" DROP CONSTRAINT "survey_rollup_unique"')
        cur.execute("EXPLAIN " + sql, params)
        plan = "\n".join(r[0] for r in cur.fetchall())
        transaction.set_rollback(True)
    assert "survey_rollup_prefix" in plan, plan
    cond = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert "~>=~" in cond and "~<~" in cond, plan  # the prefix is the range, not a filter


@pytest.mark.django_db
def test_a_fold_updates_the_counters_in_place_on_postgresql(sw: Any) -> None:
    """Migration 0004 leaves half of every rollup page free, so the fold's ``n = n + k`` (``n`` is
    in no index) is a HOT update: the new version stays on its page and no index entry of the
    three indexes is written. Counted from ``pg_stat_xact_user_tables`` (this transaction's own
    inserts and updates of the table); the figures still equal a recount."""
    from django.db import connection

    for i, w in enumerate(sw.workers[:12]):
        services.response_submit(actor=w.user, survey=sw.survey, answers=answers(i))
    fold()  # the counters' rows are inserted
    for i, w in enumerate(sw.workers[12:24]):
        services.response_submit(actor=w.user, survey=sw.survey, answers=answers(i))
    if connection.vendor != "postgresql":
        fold()
        assert rollups.verify(sw.survey)["equal"]
        return
    with connection.cursor() as cur:
        cur.execute("SELECT reloptions FROM pg_class WHERE relname = 'surveys_rollup'")
        assert "fillfactor=50" in (cur.fetchone()[0] or [])

        def stats() -> tuple[int, int]:
            cur.execute(
                "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables "
                "WHERE relname = 'surveys_rollup'"
            )
            return cur.fetchone()

        upd0, hot0 = stats()
        fold()  # the same answers' counters again: updates of the rows written above
        upd1, hot1 = stats()
    assert upd1 - upd0 > 100  # the second fold updated the counters …
    assert hot1 - hot0 == upd1 - upd0  # … every one of them in place
    assert rollups.verify(sw.survey)["equal"]

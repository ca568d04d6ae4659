"""Rollup upkeep: every submission adds its counters in one statement; a recount proves them.

A response adds 1 to each of its (question, option) counters under ``all``, under each of its
strata and under its organisation's path, in one of ``SHARDS`` rows picked at random, so that
concurrent submissions seldom wait on the same row. Rows are written in a fixed order, so two
transactions never lock the same rows in opposite orders (no deadlock).
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from django.db import connection
from django.db.models import Sum

from .models import DIMENSIONS, SHARDS, Response, Rollup, Survey
from .questions import counted

Key = tuple[str, str, str, str]  # dim, value, question, option


def keys_of(
    questions: list[dict[str, Any]], answers: dict[str, Any], strata: dict[str, str], path: str
) -> list[Key]:
    pairs = counted(questions, answers)
    cells = [("all", ""), ("org", path)] + [(d, strata.get(d, "")) for d in DIMENSIONS]
    return sorted((dim, value, q, o) for dim, value in cells for q, o in pairs)


def add(survey_id: int, keys: list[Key], shard: int | None = None) -> None:
    """Add 1 to each counter (inside the caller's transaction)."""
    if not keys:
        return
    shard = random.randrange(SHARDS) if shard is None else shard
    table = connection.ops.quote_name(Rollup._meta.db_table)
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s, 1)"] * len(keys))
    params: list[Any] = []
    for dim, value, q, o in keys:
        params += [survey_id, dim, value, q, o, shard]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (survey_id, dim, value, question, option, shard, n) "
            f"VALUES {rows} ON CONFLICT (survey_id, dim, value, question, option, shard) "
            f"DO UPDATE SET n = {table}.n + EXCLUDED.n",
            params,
        )


def questions_by_version(survey: Survey) -> dict[int, list[dict[str, Any]]]:
    return {v.number: v.questions for v in survey.versions.exclude(published_at=None)}


def recount(survey: Survey) -> Counter[Key]:
    """Every counter recomputed from the stored responses."""
    versions = questions_by_version(survey)
    out: Counter[Key] = Counter()
    rows = (
        Response.objects.filter(survey=survey)
        .values_list("version", "answers", "organization__path", *DIMENSIONS)
        .iterator(chunk_size=5000)
    )
    for version, answers, path, *strata in rows:
        out.update(
            keys_of(versions[version], answers, dict(zip(DIMENSIONS, strata, strict=True)), path)
        )
    return out


def stored(survey: Survey) -> Counter[Key]:
    out: Counter[Key] = Counter()
    rows = (
        Rollup.objects.filter(survey=survey)
        .values("dim", "value", "question", "option")
        .annotate(total=Sum("n"))
        .values_list("dim", "value", "question", "option", "total")
    )
    for dim, value, q, o, total in rows:
        if total:
            out[(dim, value, q, o)] = total
    return out


def verify(survey: Survey) -> dict[str, Any]:
    """Compare the rollups with a recount: ``{"equal": bool, "responses", "counters",
    "differences": [first few]}``."""
    a, b = stored(survey), recount(survey)
    diff = [
        {"key": list(k), "rollup": a.get(k, 0), "recount": b.get(k, 0)}
        for k in sorted(set(a) | set(b))
        if a.get(k, 0) != b.get(k, 0)
    ]
    return {
        "equal": not diff,
        "responses": Response.objects.filter(survey=survey).count(),
        "counters": len(b),
        "differences": diff[:20],
    }


def rebuild(survey: Survey) -> int:
    """Replace the rollups by a recount (after a bulk load); returns the counters written."""
    counts = recount(survey)
    Rollup.objects.filter(survey=survey).delete()
    Rollup.objects.bulk_create(
        (
            Rollup(survey=survey, dim=d, value=v, question=q, option=o, shard=0, n=n)
            for (d, v, q, o), n in counts.items()
        ),
        batch_size=5000,
    )
    return len(counts)

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

from django.db import connection, transaction
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


def recount_sql(survey: Survey) -> Counter[Key]:
    """The recount done by PostgreSQL itself (for big rounds): the answers expanded into their
    counters with jsonb functions and grouped by every stratum at once (GROUPING SETS)."""
    resp = connection.ops.quote_name(Response._meta.db_table)
    out: Counter[Key] = Counter()
    for number, questions in questions_by_version(survey).items():
        base = "path, region, industry, age_band, skill_level"
        parts = [f"SELECT {base}, '_n' AS q, '' AS o FROM r"]
        params: list[Any] = [survey.pk, number]
        for q in questions:
            k, t = q["key"], q["type"]
            if t in ("single", "scale"):
                parts.append(
                    f"SELECT {base}, %s, answers->>%s FROM r WHERE answers->%s IS NOT NULL"
                )
                params += [k, k, k]
            elif t == "multiple":
                parts.append(
                    f"SELECT {base}, %s, e FROM r, jsonb_array_elements_text(answers->%s) e"
                )
                params += [k, k]
            elif t == "matrix":
                parts.append(
                    f"SELECT {base}, %s, x.k || ':' || x.v FROM r, jsonb_each_text(answers->%s) x(k, v)"
                )
                params += [k, k]
            elif t == "ranking":
                parts.append(
                    f"SELECT {base}, %s, x.e || ':' || x.i FROM r, "
                    f"jsonb_array_elements_text(answers->%s) WITH ORDINALITY x(e, i)"
                )
                params += [k, k]
            else:
                parts.append(f"SELECT {base}, %s, 'answered' FROM r WHERE answers->%s IS NOT NULL")
                params += [k, k]
        sql = (
            f"WITH r AS (SELECT x.answers, o.path, x.region, x.industry, x.age_band, x.skill_level "
            f"FROM {resp} x JOIN core_organization o ON o.id = x.organization_id "
            f"WHERE x.survey_id = %s AND x.version = %s), p AS ({' UNION ALL '.join(parts)}) "
            "SELECT CASE WHEN GROUPING(path) = 0 THEN 'org' WHEN GROUPING(region) = 0 THEN 'region' "
            "WHEN GROUPING(industry) = 0 THEN 'industry' WHEN GROUPING(age_band) = 0 THEN 'age_band' "
            "WHEN GROUPING(skill_level) = 0 THEN 'skill_level' ELSE 'all' END, "
            "COALESCE(path, region, industry, age_band, skill_level, ''), q, o, count(*) FROM p "
            "GROUP BY GROUPING SETS ((q, o), (path, q, o), (region, q, o), (industry, q, o), "
            "(age_band, q, o), (skill_level, q, o))"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")  # hash the grouping sets in memory
            cursor.execute(sql, params)
            for dim, value, q, o, n in cursor.fetchall():
                out[(dim, value, q, o)] += n
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
    a = stored(survey)
    b = recount_sql(survey) if connection.vendor == "postgresql" else recount(survey)
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


def compact(survey: Survey) -> int:
    """Fold the shards of every counter into shard 0 (after a survey closes: fewer rows to read).
    Returns the rows removed."""
    with transaction.atomic():
        rows = list(
            Rollup.objects.select_for_update()
            .filter(survey=survey, shard__gt=0)
            .values_list("pk", "dim", "value", "question", "option", "n")
        )
        sums: Counter[Key] = Counter()
        for _pk, d, v, q, o, n in rows:
            sums[(d, v, q, o)] += n
        Rollup.objects.filter(pk__in=[r[0] for r in rows]).delete()
        table = connection.ops.quote_name(Rollup._meta.db_table)
        keys = sorted(sums)
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            values = ", ".join(["(%s, %s, %s, %s, %s, 0, %s)"] * len(chunk))
            params: list[Any] = []
            for k in chunk:
                params += [survey.pk, *k, sums[k]]
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {table} (survey_id, dim, value, question, option, shard, n) "
                    f"VALUES {values} ON CONFLICT (survey_id, dim, value, question, option, shard) "
                    f"DO UPDATE SET n = {table}.n + EXCLUDED.n",
                    params,
                )
    return len(rows)


def rebuild(survey: Survey) -> int:
    """Replace the rollups by a recount (after a bulk load); returns the counters written."""
    counts = recount_sql(survey) if connection.vendor == "postgresql" else recount(survey)
    Rollup.objects.filter(survey=survey).delete()
    Rollup.objects.bulk_create(
        (
            Rollup(survey=survey, dim=d, value=v, question=q, option=o, shard=0, n=n)
            for (d, v, q, o), n in counts.items()
        ),
        batch_size=5000,
    )
    return len(counts)

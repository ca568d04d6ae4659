"""Rollup upkeep: every submission queues its counters; a fold adds them; a recount proves them.

A response adds 1 to each of its (question, option) counters under ``all``, under each of its
strata, under its organisation's path (``org``) and under the path of each of its organisation's
ancestors from the survey's organisation down (``lv<k>``, k the ancestor's level: the level's
prefix of the path). The answering transaction does not touch those rows: it queues one delta
(``core.counters``, target ``surveys.rollup``) holding the response's *cells* (dimension, value)
and *pairs* (question, option) — the counters are their product — and the fold adds a batch of
deltas to the rollups, one upsert for the batch, into shard 0. Rows of shards 1–15 were written by
submissions before the queue existed; ``compact`` folds them into shard 0 when a survey closes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum

from gongjiang.core.counters import (
    CounterTable,
    Freshness,
    counter_delta_add,
    counter_target,
    counters_discard,
    counters_fold_all,
    counters_freshness,
    counters_unfolded,
    snapshot,
)
from gongjiang.core.models import Organization

from .models import DIMENSIONS, Response, Rollup, Survey
from .questions import counted

Key = tuple[str, str, str, str]  # dim, value, question, option
SEGMENT = Organization.SEGMENT
TARGET = "surveys.rollup"
TABLE = CounterTable(
    Rollup, key=("survey", "dim", "value", "question", "option", "shard"), sums=("n",)
)


def level_dim(path: str) -> str:
    """The rollup dimension of the tree level ``path`` sits at (``lv1`` for a root)."""
    return f"lv{len(path) // SEGMENT}"


def level_cells(path: str, base: str) -> list[tuple[str, str]]:
    """(``lv<k>``, prefix) for each ancestor of ``path`` (itself included) from ``base`` down, so
    that the figures of any subtree under ``base``, or of the children of any organisation, are
    one indexed read (not a sum over every organisation below)."""
    if not path.startswith(base):
        return []
    start = max(len(base), SEGMENT)
    return [(level_dim(path[:i]), path[:i]) for i in range(start, len(path) + 1, SEGMENT)]


def cells_of(strata: dict[str, str], path: str, base: str = "") -> list[tuple[str, str]]:
    """The (dimension, value) groups a response counts in; ``base`` is the path of the survey's
    organisation."""
    cells = [("all", ""), ("org", path), *level_cells(path, base)]
    return cells + [(d, strata.get(d, "")) for d in DIMENSIONS]


def keys_of(
    questions: list[dict[str, Any]],
    answers: dict[str, Any],
    strata: dict[str, str],
    path: str,
    base: str = "",
) -> list[Key]:
    """Every counter a response adds to."""
    pairs = counted(questions, answers)
    cells = cells_of(strata, path, base)
    return sorted((dim, value, q, o) for dim, value in cells for q, o in pairs)


def queue(
    survey_id: int,
    questions: list[dict[str, Any]],
    answers: dict[str, Any],
    strata: dict[str, str],
    path: str,
    base: str,
) -> None:
    """Queue a response's counters (inside the answering transaction: one INSERT)."""
    counter_delta_add(
        target=TARGET,
        scope=survey_id,
        payload={"c": cells_of(strata, path, base), "p": counted(questions, answers)},
    )


def _expand(batch: list[tuple[int, Any]]) -> Iterator[tuple[CounterTable, tuple[Any, ...]]]:
    for survey_id, payload in batch:
        for dim, value in payload["c"]:
            for q, o in payload["p"]:
                yield TABLE, (survey_id, dim, value, q, o, 0, 1)


counter_target(TARGET, tables=[TABLE], expand=_expand)


def freshness(survey: Survey) -> Freshness:
    """When the survey's figures were last folded and how many answers are not in them yet."""
    return counters_freshness(target=TARGET, scope=survey.pk)


def questions_by_version(survey: Survey) -> dict[int, list[dict[str, Any]]]:
    return {v.number: v.questions for v in survey.versions.exclude(published_at=None)}


def recount(survey: Survey) -> Counter[Key]:
    """Every counter recomputed from the stored responses."""
    versions = questions_by_version(survey)
    base = survey.organization.path
    out: Counter[Key] = Counter()
    rows = (
        Response.objects.filter(survey=survey)
        .values_list("version", "answers", "organization__path", *DIMENSIONS)
        .iterator(chunk_size=5000)
    )
    for version, answers, path, *strata in rows:
        out.update(
            keys_of(
                versions[version],
                answers,
                dict(zip(DIMENSIONS, strata, strict=True)),
                path,
                base,
            )
        )
    return out


def recount_sql(survey: Survey) -> Counter[Key]:
    """The recount done by PostgreSQL itself, in sets (for big rounds).

    1. The answers are expanded into their (question, option) pairs with jsonb functions, one
       scan of the survey's responses per question, and counted per *cell* (organisation and
       strata) in one hash aggregate: a national round has millions of responses but only as many
       cells as combinations of organisation and strata.
    2. Every counter (``all``, each stratum, ``org``, each tree level ``lv<k>``) is a sum over the
       cells; no per-response work is left for it."""
    resp = connection.ops.quote_name(Response._meta.db_table)
    org_table = connection.ops.quote_name(Organization._meta.db_table)
    base_path = survey.organization.path
    start = max(len(base_path), SEGMENT) // SEGMENT
    cols = "x.organization_id, x.region, x.industry, x.age_band, x.skill_level"
    where = "x.survey_id = %s AND x.version = %s"
    out: Counter[Key] = Counter()
    for number, questions in questions_by_version(survey).items():
        scope = [survey.pk, number]
        parts = [f"SELECT {cols}, '_n' AS q, '' AS opt FROM {resp} x WHERE {where}"]
        params: list[Any] = [*scope]
        for q in questions:
            k, t = q["key"], q["type"]
            if t in ("single", "scale"):
                parts.append(
                    f"SELECT {cols}, %s, x.answers->>%s FROM {resp} x "
                    f"WHERE {where} AND x.answers ? %s"
                )
                params += [k, k, *scope, k]
            elif t == "multiple":
                parts.append(
                    f"SELECT {cols}, %s, e FROM {resp} x, "
                    f"jsonb_array_elements_text(x.answers->%s) e WHERE {where}"
                )
                params += [k, k, *scope]
            elif t == "matrix":
                parts.append(
                    f"SELECT {cols}, %s, m.k || ':' || m.v FROM {resp} x, "
                    f"jsonb_each_text(x.answers->%s) m(k, v) WHERE {where}"
                )
                params += [k, k, *scope]
            elif t == "ranking":
                parts.append(
                    f"SELECT {cols}, %s, m.e || ':' || m.i FROM {resp} x, "
                    f"jsonb_array_elements_text(x.answers->%s) WITH ORDINALITY m(e, i) "
                    f"WHERE {where}"
                )
                params += [k, k, *scope]
            else:
                parts.append(
                    f"SELECT {cols}, %s, 'answered' FROM {resp} x WHERE {where} AND x.answers ? %s"
                )
                params += [k, *scope, k]
        strata = [
            f"SELECT '{d}', {d}, q, opt, sum(n)::bigint FROM c GROUP BY {d}, q, opt"
            for d in DIMENSIONS
        ]
        sql = (
            f"WITH p (org, region, industry, age_band, skill_level, q, opt) AS "
            f"({' UNION ALL '.join(parts)}), "
            "c AS (SELECT o.path, p.region, p.industry, p.age_band, p.skill_level, p.q, p.opt, "
            f"count(*) AS n FROM p JOIN {org_table} o ON o.id = p.org "
            "GROUP BY o.path, p.region, p.industry, p.age_band, p.skill_level, p.q, p.opt) "
            "SELECT 'all', '', q, opt, sum(n)::bigint FROM c GROUP BY q, opt "
            "UNION ALL SELECT 'org', path, q, opt, sum(n)::bigint FROM c GROUP BY path, q, opt "
            f"UNION ALL {' UNION ALL '.join(strata)} "
            "UNION ALL SELECT 'lv' || (length(l.pre) / %s), l.pre, q, opt, sum(n)::bigint FROM c "
            "CROSS JOIN LATERAL (SELECT substr(c.path, 1, g * %s) AS pre "
            "FROM generate_series(%s, length(c.path) / %s) g) l "
            "WHERE left(c.path, %s) = %s GROUP BY l.pre, q, opt"
        )
        params += [SEGMENT, SEGMENT, start, SEGMENT, len(base_path), base_path]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")  # hash the cells in memory
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


def unfolded(survey: Survey) -> Counter[Key]:
    """The counters of the answers still queued (not yet folded into the rollups)."""
    rows = counters_unfolded(target=TARGET, scope=survey.pk)[TABLE]
    return Counter({(d, v, q, o): sums[0] for (_s, d, v, q, o, _shard), sums in rows.items()})


def verify(survey: Survey) -> dict[str, Any]:
    """Fold the survey's queued answers, then compare the rollups with a recount, in one snapshot:
    ``{"equal": bool, "responses", "counters", "pending", "differences": [first few]}``. Answers
    that arrive during the check stay queued (``pending``); the rollups plus them must still equal
    the recount."""
    counters_fold_all(target=TARGET, scope=survey.pk)
    with snapshot():
        queued = unfolded(survey)
        a = stored(survey) + queued
        b = recount_sql(survey) if connection.vendor == "postgresql" else recount(survey)
        responses = Response.objects.filter(survey=survey).count()
    diff = [
        {"key": list(k), "rollup": a.get(k, 0), "recount": b.get(k, 0)}
        for k in sorted(set(a) | set(b))
        if a.get(k, 0) != b.get(k, 0)
    ]
    return {
        "equal": not diff,
        "responses": responses,
        "counters": len(b),
        "pending": queued.get(("all", "", "_n", ""), 0),
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
    """Replace the rollups by a recount (after a bulk load); returns the counters written. The
    survey row is locked FOR UPDATE, which holds back new answers (their response's foreign key
    takes a KEY SHARE lock on it) until the rebuild commits; the queued answers are counted by the
    recount, so their deltas are dropped."""
    with transaction.atomic():
        Survey.objects.select_for_update().filter(pk=survey.pk).first()
        counters_discard(target=TARGET, scope=survey.pk)
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

"""Benchmark: the organisation breakdown's rollup read (``selectors._counts``) under a prefix, A/B.

On PostgreSQL with a non-``C`` collation (``C.UTF-8`` included) ``value LIKE 'path%'`` cannot use
the default btree on (survey, dim, value, …) as a range: the prefix is only a filter. This runs
the statement ``_counts`` sends for the organisation breakdown at two levels (the province's
children, ``lv2``, and one level below: a city's children, ``lv3``), alternating the variants in
the same run so that the shared machine's load falls on each alike:

* ``like`` — as Django writes ``value__startswith`` (``value::text LIKE 'p%'``);
* ``range`` — the same plus ``value >= 'p' AND value < 'p' || chr(ascii(last)+1)`` (an index
  range on the unique index; correct only under a collation that orders by code point);
* with ``--pattern-index``, the ``varchar_pattern_ops`` index of migration surveys 0003 is made
  present first (``like`` then uses it as a range under any collation).

With ``--breakdown N`` it then times ``selectors.breakdown`` (organisation, inside the first city:
what the page and the API read) N rounds, each round once without and once with the index
(dropped and created again, then ANALYZE, three calls each), and checks both give the same result.

For each it records ``EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)``: execution time, the scan node,
rows returned and removed by the filter, shared buffers hit and read; and it checks that every
variant returns the same rows. Prints one JSON object. Run against the database made by
``bench/surveys_results.py``::

    PYTHONPATH=src .venv/bin/python bench/surveys_org_prefix.py \\
        --database-url postgres://postgres@127.0.0.1:5432/gj_bench_surveys_hd --rounds 15
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
from typing import Any

SQL = (
    'SELECT "value", "question", "option", SUM("n") AS "t" FROM "surveys_rollup" '
    'WHERE "dim" = %(dim)s AND "survey_id" = %(survey)s AND "value"::text LIKE %(like)s{extra} '
    "GROUP BY 1, 2, 3"
)
RANGE = ' AND "value" >= %(low)s AND "value" < %(high)s'


def _walk(node: dict[str, Any]) -> list[dict[str, Any]]:
    out = [node]
    for child in node.get("Plans", []):
        out += _walk(child)
    return out


def explain(cur: Any, sql: str, params: dict[str, Any]) -> dict[str, Any]:
    cur.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
    doc = cur.fetchone()[0][0]
    top = doc["Plan"]
    scan = next(n for n in _walk(top) if "Scan" in n["Node Type"])
    return {
        "ms": doc["Execution Time"],
        "scan": scan["Node Type"] + (f" {scan['Index Name']}" if "Index Name" in scan else ""),
        "cond": scan.get("Index Cond", ""),
        "rows": top["Actual Rows"],
        "removed": scan.get("Rows Removed by Filter", 0),
        "hit": top.get("Shared Hit Blocks", 0),
        "read": top.get("Shared Read Blocks", 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gongjiang_bench_surveys"
        ),
    )
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument(
        "--pattern-index",
        choices=["keep", "drop", "create"],
        default="keep",
        help="make the varchar_pattern_ops index absent (drop) or present (create) first",
    )
    parser.add_argument("--breakdown", type=int, default=0, help="rounds of the end-to-end A/B")
    args = parser.parse_args()
    import psycopg

    index = "survey_rollup_prefix"
    with psycopg.connect(args.database_url, autocommit=True) as conn, conn.cursor() as cur:
        if args.pattern_index == "drop":
            cur.execute(f'DROP INDEX IF EXISTS "{index}"')
        elif args.pattern_index == "create":
            cur.execute(
                f'CREATE INDEX IF NOT EXISTS "{index}" ON "surveys_rollup" '
                '("survey_id", "dim" varchar_pattern_ops, "value" varchar_pattern_ops)'
            )
        cur.execute("VACUUM ANALYZE surveys_rollup")
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", [index])
        has_index = cur.fetchone()[0]
        cur.execute("SELECT datcollate FROM pg_database WHERE datname = current_database()")
        collation = cur.fetchone()[0]
        cur.execute("SELECT id, organization_id FROM surveys_survey ORDER BY id LIMIT 1")
        survey, org = cur.fetchone()
        cur.execute("SELECT path FROM core_organization WHERE id = %s", [org])
        province = cur.fetchone()[0]
        cur.execute(
            "SELECT path FROM core_organization WHERE path LIKE %s AND length(path) = %s "
            "ORDER BY path LIMIT 1",
            [province + "%", len(province) * 2],
        )
        city = cur.fetchone()[0]
        levels = {"province (lv2)": (province, "lv2"), "city (lv3)": (city, "lv3")}
        out: dict[str, Any] = {
            "collation": collation,
            "pattern_index": has_index,
            "load_before": os.getloadavg(),
            "rounds": args.rounds,
        }
        for label, (path, dim) in levels.items():
            params = {
                "dim": dim,
                "survey": survey,
                "like": path + "%",
                "low": path,
                "high": path[:-1] + chr(ord(path[-1]) + 1),
            }
            variants = {"like": SQL.format(extra=""), "range": SQL.format(extra=RANGE)}
            results = {}
            for name, sql in variants.items():
                cur.execute(sql, params)
                results[name] = sorted(cur.fetchall())
            equal = all(r == results["like"] for r in results.values())
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in variants}
            for _round in range(args.rounds):
                for name, sql in variants.items():  # alternately, A then B, in every round
                    runs[name].append(explain(cur, sql, params))
            out[label] = {
                "path": path,
                "rows_equal": equal,
                **{
                    name: {
                        "median_ms": round(statistics.median(r["ms"] for r in rs), 2),
                        "min_ms": round(min(r["ms"] for r in rs), 2),
                        "max_ms": round(max(r["ms"] for r in rs), 2),
                        "scan": rs[-1]["scan"],
                        "index_cond": rs[-1]["cond"],
                        "rows": rs[-1]["rows"],
                        "removed_by_filter": rs[-1]["removed"],
                        "buffers_first": {"hit": rs[0]["hit"], "read": rs[0]["read"]},
                        "buffers_last": {"hit": rs[-1]["hit"], "read": rs[-1]["read"]},
                    }
                    for name, rs in runs.items()
                },
            }
        out["load_after"] = os.getloadavg()
    if args.breakdown:
        out["breakdown"] = breakdown_ab(args.database_url, args.breakdown, index, city)
    print(json.dumps(out, indent=2, ensure_ascii=False))


def breakdown_ab(url: str, rounds: int, index: str, city_path: str) -> dict[str, Any]:
    import sys
    import time

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from surveys_results import django_setup

    django_setup(url)
    from django.db import connection

    from gongjiang.core.actors import SystemActor
    from gongjiang.core.models import Organization
    from gongjiang.surveys import selectors
    from gongjiang.surveys.models import Survey

    survey = Survey.objects.select_related("organization").order_by("id").first()
    city = Organization.objects.get(path=city_path)
    actor = SystemActor("bench")
    create = (
        f'CREATE INDEX IF NOT EXISTS "{index}" ON "surveys_rollup" '
        '("survey_id", "dim" varchar_pattern_ops, "value" varchar_pattern_ops)'
    )
    times: dict[str, list[float]] = {"without": [], "with": []}
    seen: dict[str, str] = {}
    load = os.getloadavg()
    for _round in range(rounds):
        for mode in ("without", "with"):
            with connection.cursor() as cur:
                cur.execute(f'DROP INDEX IF EXISTS "{index}"' if mode == "without" else create)
                cur.execute("ANALYZE surveys_rollup")
            for _i in range(3):
                t0 = time.perf_counter()
                result = selectors.breakdown(actor=actor, survey=survey, dim="org", within=city)
                times[mode].append((time.perf_counter() - t0) * 1000)
            seen[mode] = json.dumps(result, sort_keys=True, default=str)
    return {
        "load_before": load,
        "load_after": os.getloadavg(),
        "results_equal": seen["with"] == seen["without"],
        **{
            mode: {
                "median_ms": round(statistics.median(v), 1),
                "p90_ms": round(sorted(v)[int(len(v) * 0.9)], 1),
                "calls": len(v),
            }
            for mode, v in times.items()
        },
    }


if __name__ == "__main__":
    main()

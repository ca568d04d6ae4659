"""Benchmark: survey results at 1,000,000 responses, from rollups that equal a recount (PostgreSQL).

What it does, in one run:

1. sets up a database (``--database-url``, default a ``gongjiang_bench_surveys`` database on the
   local PostgreSQL; created and migrated if missing): a province, ``--cities`` cities with
   ``--enterprises`` enterprise unions each (own region and industry), and a published survey of 20
   questions of every type (8 single, 4 multiple, 4 scale, 2 matrix, 1 ranking, 1 open);
2. writes ``--responses`` responses with COPY (random answers, random strata), and the rollups the
   submissions would have left, counted by the generator (an independent path from the recount)
   and spread over the 16 shards as live submissions spread them (the worst case for reading);
3. proves the rollups equal a recount (``rollups.verify``: PostgreSQL expands every stored answer
   with jsonb functions and groups by every stratum at once);
4. times the results the pages and the API read (``selectors.breakdown`` — the one gate with its
   threshold — for each breakdown, and the weighted shares): ``--repeat`` rounds, every read once
   a round in turn (so the shared machine's load falls on each alike), median and p90 in
   milliseconds; beside them, in the same rounds, the **anchors**: ``SELECT 1`` and the bare SQL
   of the organisation breakdown at the province (the statement ``selectors._counts`` sends, rows
   fetched, no gate, no labels); then folds the shards (``rollups.compact``, what closing a survey
   does) and times them again;
5. with ``--fold N``, before and after the compaction: queues ``N`` answers' counters as live
   submissions do (``rollups.queue``) and folds them (``counters_fold_all``), timed, with
   ``pg_stat_user_tables`` of the rollup table read before and after — rows inserted, updated and
   updated HOT (an update that writes no index entry: the counter's ``n`` is in no index, so it is
   HOT whenever the row's page has room for the new version).

DEBUG is off (``bench/_env.py``), whatever the shell says; the output names the database, DEBUG,
the CPU and the load average.

Run::

    PYTHONPATH=src .venv/bin/python bench/surveys_results.py --responses 1000000 --fold 2000 \
        --database-url postgres://postgres@127.0.0.1:5432/my_bench_db --verify-last
    # then, on the same survey, as a live survey keeps its table (no shards, no compaction):
    # the fold at fillfactor 100 and 50 alternately (each after VACUUM FULL), and the reads
    PYTHONPATH=src .venv/bin/python bench/surveys_results.py --survey CODE --no-compact \
        --skip-verify --fold 2000 --fold-ab 3 --database-url …

It prints one JSON object with the figures (and each figure to stderr as it is taken).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/gongjiang_bench_surveys"
SKILLS = ["JUNIOR", "INTERMEDIATE", "SENIOR", "TECHNICIAN", "SENIOR_TECHNICIAN", ""]
AGES = ["lt25", "25_34", "35_44", "45_54", "55plus"]
INDUSTRIES = ["C", "E", "F", "G", "I"]


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[-1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def django_setup(url: str) -> None:
    """Django as production runs it (DEBUG off, keys set: ``bench/_env.py``) on ``url``."""
    sys.path.insert(0, str(ROOT / "bench"))
    from _env import production_django

    production_django(url)


def questionnaire() -> list[dict[str, Any]]:
    qs: list[dict[str, Any]] = []
    opts = [{"key": f"o{i}", "text": f"选项{i}"} for i in range(1, 6)]
    for i in range(1, 9):
        qs.append({"key": f"s{i}", "type": "single", "text": f"单选题{i}", "options": opts})
    for i in range(1, 5):
        qs.append(
            {
                "key": f"m{i}",
                "type": "multiple",
                "text": f"多选题{i}",
                "options": [{"key": f"o{j}", "text": f"选项{j}"} for j in range(1, 7)],
            }
        )
    for i in range(1, 5):
        qs.append({"key": f"c{i}", "type": "scale", "text": f"量表题{i}"})
    rows = [{"key": f"r{j}", "text": f"方面{j}"} for j in range(1, 4)]
    qs += [
        {"key": "x1", "type": "matrix", "text": "矩阵题1", "rows": rows},
        {"key": "x2", "type": "matrix", "text": "矩阵题2", "rows": rows},
        {"key": "k1", "type": "ranking", "text": "排序题", "options": opts[:4]},
        {"key": "t1", "type": "open", "text": "开放题"},
    ]
    return qs


def set_up(cities: int, enterprises: int) -> tuple[Any, list[tuple[int, str, str, str]], Any]:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", interactive=False, verbosity=0, skip_checks=True)
    from gongjiang.core.services import organization_create
    from gongjiang.surveys.models import Survey, SurveyVersion
    from gongjiang.surveys.questions import clean_questions

    User = get_user_model()
    root_user, _ = User.objects.get_or_create(
        username="bench_root", defaults={"is_superuser": True, "is_staff": True}
    )
    stamp = str(int(time.time()))
    province = organization_create(
        actor=root_user,
        parent=None,
        name=f"调研压测省总工会{stamp}",
        kind="provincial",
        region="320000",
    )
    orgs: list[tuple[int, str, str, str]] = []
    city_regions = ["320100", "320200", "320300", "320400", "320500", "320600", "320700"]
    for c in range(cities):
        region = city_regions[c % len(city_regions)]
        city = organization_create(
            actor=root_user,
            parent=province,
            name=f"压测市{c}总工会{stamp}",
            kind="city",
            region=region,
        )
        for e in range(enterprises):
            ent = organization_create(
                actor=root_user,
                parent=city,
                name=f"压测产业{c}-{e}工会{stamp}",
                kind="industry",
                region=region,
            )
            orgs.append((ent.pk, ent.path, region, INDUSTRIES[(c + e) % len(INDUSTRIES)]))
    survey = Survey.objects.create(
        organization=province, title=f"压测调查{stamp}", status="open", invited=0
    )
    SurveyVersion.objects.create(
        survey=survey,
        number=1,
        questions=clean_questions(questionnaire()),
        published_at=timezone.now(),
    )
    return survey, orgs, root_user


def random_answers(rng: random.Random, qs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for q in qs:
        t = q["type"]
        if t == "single":
            out[q["key"]] = f"o{rng.randint(1, 5)}"
        elif t == "multiple":
            out[q["key"]] = sorted(rng.sample([f"o{j}" for j in range(1, 7)], rng.randint(1, 3)))
        elif t == "scale":
            out[q["key"]] = str(rng.randint(1, 5))
        elif t == "matrix":
            out[q["key"]] = {f"r{j}": str(rng.randint(1, 5)) for j in range(1, 4)}
        elif t == "ranking":
            items = [f"o{j}" for j in range(1, 5)]
            rng.shuffle(items)
            out[q["key"]] = items
        elif rng.random() < 0.1:
            out[q["key"]] = rng.choice(["加班多", "食堂好", "培训少", "工资低"])
    return out


def generate(
    survey: Any, orgs: list[tuple[int, str, str, str]], n: int, seed: int
) -> dict[str, Any]:
    """COPY ``n`` responses; count their rollups in Python and COPY them over 16 shards."""
    from django.db import connection

    from gongjiang.surveys.models import SHARDS
    from gongjiang.surveys.questions import counted

    qs = survey.versions.get().questions
    rng = random.Random(seed)
    # counters per cell (org index, age index, skill index): a response's counters are its
    # (question, option) pairs under each of its strata, so count pairs per cell and expand after
    per_cell: dict[tuple[int, int, int], Counter[tuple[str, str]]] = {}
    t0 = time.monotonic()
    with connection.cursor() as cursor:
        raw = cursor.connection
        with raw.cursor().copy(
            "COPY surveys_response (id, survey_id, version, organization_id, region, industry, "
            "age_band, skill_level, answers) FROM STDIN"
        ) as copy:
            for _ in range(n):
                oi = rng.randrange(len(orgs))
                ai = rng.randrange(len(AGES))
                si = rng.randrange(len(SKILLS))
                answers = random_answers(rng, qs)
                org_id, _path, region, industry = orgs[oi]
                copy.write_row(
                    (
                        str(uuid.uuid4()),
                        survey.pk,
                        1,
                        org_id,
                        region,
                        industry,
                        AGES[ai],
                        SKILLS[si],
                        json.dumps(answers, ensure_ascii=False),
                    )
                )
                per_cell.setdefault((oi, ai, si), Counter()).update(counted(qs, answers))
    copy_seconds = time.monotonic() - t0
    totals: Counter[tuple[str, str, str, str]] = Counter()
    base = survey.organization.path
    for (oi, ai, si), pairs in per_cell.items():
        _id, path, region, industry = orgs[oi]
        # the tree levels from the survey's organisation down, written out here (not through
        # rollups.level_cells) so that the recount is checked against an independent count
        levels = [(f"lv{i // 7}", path[:i]) for i in range(len(base), len(path) + 1, 7)]
        cells = [
            ("all", ""),
            ("org", path),
            *levels,
            ("region", region),
            ("industry", industry),
            ("age_band", AGES[ai]),
            ("skill_level", SKILLS[si]),
        ]
        for (q, o), c in pairs.items():
            for dim, value in cells:
                totals[(dim, value, q, o)] += c
    rows = 0
    with connection.cursor() as cursor:
        with cursor.connection.cursor().copy(
            "COPY surveys_rollup (survey_id, dim, value, question, option, shard, n) FROM STDIN"
        ) as copy:
            for (dim, value, q, o), total in totals.items():
                # spread the count over the shards as random submissions would
                parts = Counter(rng.randrange(SHARDS) for _ in range(min(total, 64)))
                base, extra = divmod(total - min(total, 64), SHARDS)
                for shard in range(SHARDS):
                    share = parts.get(shard, 0) + base + (1 if shard < extra else 0)
                    if share:
                        copy.write_row((survey.pk, dim, value, q, o, shard, share))
                        rows += 1
        cursor.execute("ANALYZE surveys_response")
        cursor.execute("ANALYZE surveys_rollup")
    return {
        "responses": n,
        "counters": len(totals),
        "rollup_rows": rows,
        "generate_and_copy_seconds": round(copy_seconds, 1),
        "total_seconds": round(time.monotonic() - t0, 1),
    }


def summary(runs: list[float]) -> dict[str, float]:
    runs = sorted(runs)
    return {
        "median_ms": round(statistics.median(runs), 2),
        "p90_ms": round(runs[int(len(runs) * 0.9) - 1 if len(runs) > 1 else 0], 2),
        "min_ms": round(runs[0], 2),
    }


def anchors(survey: Any) -> dict[str, Any]:
    """The anchors: ``SELECT 1``, and the organisation breakdown's statement at the province
    sent bare (what ``selectors._counts`` sends for ``dim="org"``, all rows fetched)."""
    from django.db import connection
    from django.db.models import Sum

    from gongjiang.core.models import Organization
    from gongjiang.surveys.models import Rollup

    base = survey.organization.path
    qs = (
        Rollup.objects.filter(
            survey=survey, dim=f"lv{len(base) // Organization.SEGMENT + 1}", value__startswith=base
        )
        .values_list("value", "question", "option")
        .annotate(t=Sum("n"))
    )
    sql, params = qs.query.sql_with_params()

    def select_1() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchall()

    def org_sql() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return {"anchor_select_1": select_1, "anchor_org_sql_province": org_sql}


def measure(survey: Any, actor: Any, repeat: int) -> dict[str, Any]:
    """Every read once a round, in turn, ``repeat`` rounds (after one warm round)."""
    from gongjiang.surveys import selectors

    fns: dict[str, Any] = {
        f"breakdown_{dim}": (
            lambda d=dim: selectors.breakdown(actor=actor, survey=survey, dim=d)  # type: ignore[misc]
        )
        for dim in ("all", "region", "industry", "age_band", "skill_level", "org")
    }
    fns["weighted"] = lambda: selectors.weighted(actor=actor, survey=survey)
    fns.update(anchors(survey))
    for fn in fns.values():
        fn()  # warm
    runs: dict[str, list[float]] = {name: [] for name in fns}
    load = [round(x, 2) for x in os.getloadavg()]
    for _round in range(repeat):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            runs[name].append((time.perf_counter() - t) * 1000)
    out: dict[str, Any] = {name: summary(r) for name, r in runs.items()}
    out["load_average"] = [load, [round(x, 2) for x in os.getloadavg()]]
    return out


def rollup_stats() -> dict[str, int]:
    """``pg_stat_user_tables`` of the rollup table, as of now (pending stats flushed first)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT 1")  # the flush happens when this backend next reports
    time.sleep(1.2)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del, n_live_tup, n_dead_tup "
            "FROM pg_stat_user_tables WHERE relname = 'surveys_rollup'"
        )
        row = cursor.fetchone()
        cursor.execute("SELECT pg_relation_size('surveys_rollup') / 8192")
        pages = cursor.fetchone()[0]
    keys = ("inserted", "updated", "hot_updated", "deleted", "live", "dead")
    return {**dict(zip(keys, row, strict=True)), "heap_pages": pages}


def fold_cost(
    survey: Any, orgs: list[tuple[int, str, str, str]], n: int, seed: int
) -> dict[str, Any]:
    """Store ``n`` responses and queue their counters as live submissions do, then fold them:
    time, and the rollup table's inserts, updates and HOT updates during the fold."""
    from django.db import transaction

    from gongjiang.core.counters import CounterDelta
    from gongjiang.surveys import rollups
    from gongjiang.surveys.models import Response

    qs = survey.versions.get().questions
    base = survey.organization.path
    rng = random.Random(seed)
    with transaction.atomic():
        stored = []
        for _ in range(n):
            org_id, path, region, industry = orgs[rng.randrange(len(orgs))]
            strata = {
                "region": region,
                "industry": industry,
                "age_band": rng.choice(AGES),
                "skill_level": rng.choice(SKILLS),
            }
            answers = random_answers(rng, qs)
            stored.append(
                Response(
                    survey=survey, version=1, organization_id=org_id, answers=answers, **strata
                )
            )
            rollups.queue(survey.pk, qs, answers, strata, path, base)
        Response.objects.bulk_create(stored, batch_size=1000)
    before = rollup_stats()
    load = [round(x, 2) for x in os.getloadavg()]
    t = time.perf_counter()
    folded = rollups.counters_fold_all(target=rollups.TARGET, scope=survey.pk)
    seconds = time.perf_counter() - t
    after = rollup_stats()
    diff = {k: after[k] - before[k] for k in ("inserted", "updated", "hot_updated")}
    return {
        "answers_folded": folded,
        "seconds": round(seconds, 3),
        "ms_per_answer": round(seconds * 1000 / max(folded, 1), 3),
        "rollup_rows_inserted": diff["inserted"],
        "rollup_rows_updated": diff["updated"],
        "rollup_rows_updated_hot": diff["hot_updated"],
        "hot_share": round(diff["hot_updated"] / diff["updated"], 3) if diff["updated"] else None,
        "heap_pages_before_after": [before["heap_pages"], after["heap_pages"]],
        "still_queued": CounterDelta.objects.filter(target=rollups.TARGET, scope=survey.pk).count(),
        "load_average": [load, [round(x, 2) for x in os.getloadavg()]],
    }


def fold_fillfactor_ab(
    survey: Any, rounds: int, n: int, seed: int, fillfactors: tuple[int, ...] = (100, 50)
) -> dict[str, Any]:
    """The fold's cost at each fillfactor of the rollup table, alternately (A, B, A, B …): set
    it, rewrite the table (``VACUUM FULL``: every page filled to the fillfactor, as inserts leave
    them), then store, queue and fold ``n`` answers. Leaves the table at the last fillfactor."""
    from django.db import connection

    orgs = survey_orgs(survey)
    runs: dict[int, list[dict[str, Any]]] = {ff: [] for ff in fillfactors}
    for r in range(rounds):
        for ff in fillfactors:
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE surveys_rollup SET (fillfactor = {int(ff)})")
                cursor.execute("VACUUM FULL surveys_rollup")
                cursor.execute("ANALYZE surveys_rollup")
            runs[ff].append(fold_cost(survey, orgs, n, seed + 100 * r + ff))
    return {
        f"fillfactor_{ff}": {
            "ms_per_answer": [x["ms_per_answer"] for x in rs],
            "median_ms_per_answer": round(statistics.median(x["ms_per_answer"] for x in rs), 3),
            "hot_share": [x["hot_share"] for x in rs],
            "rows_updated": [x["rollup_rows_updated"] for x in rs],
            "heap_pages": [x["heap_pages_before_after"] for x in rs],
            "load_average": [x["load_average"] for x in rs],
        }
        for ff, rs in runs.items()
    }


def survey_orgs(survey: Any) -> list[tuple[int, str, str, str]]:
    """(id, path, region, industry) of the enterprise unions the responses came from."""
    from gongjiang.surveys.models import Response

    return sorted(
        Response.objects.filter(survey=survey)
        .values_list("organization_id", "organization__path", "region", "industry")
        .distinct()
    )


class Progress(dict):  # type: ignore[type-arg]
    """The result, each figure also written to stderr as it is taken (a long run that fails at
    the end keeps what it measured)."""

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        print(
            json.dumps({key: value}, ensure_ascii=False, default=str), file=sys.stderr, flush=True
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--cities", type=int, default=13)
    parser.add_argument("--enterprises", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--survey", help="measure an already generated survey (skip the set-up and the COPY)"
    )
    parser.add_argument(
        "--verify-last", action="store_true", help="time the results first, verify at the end"
    )
    parser.add_argument(
        "--skip-verify", action="store_true", help="no recount (run `gongjiang surveys-verify`)"
    )
    parser.add_argument(
        "--fold",
        type=int,
        default=0,
        help="queue and fold this many answers before and after the compaction (HOT or not)",
    )
    parser.add_argument(
        "--no-compact", action="store_true", help="measure as the rollups are (with --survey)"
    )
    parser.add_argument(
        "--fold-ab",
        type=int,
        default=0,
        help="rounds of the fold at fillfactor 100 and 50 alternately (--fold answers each)",
    )
    args = parser.parse_args()

    ensure_database(args.database_url)
    django_setup(args.database_url)
    from _env import describe

    from gongjiang.core.actors import SystemActor
    from gongjiang.surveys import rollups
    from gongjiang.surveys.models import Population

    result: dict[str, Any] = Progress()
    result["environment"] = describe()
    result["cpus"] = os.cpu_count()
    result["load_average_before"] = [round(x, 2) for x in os.getloadavg()]
    t0 = time.monotonic()
    if args.survey:
        from gongjiang.surveys.models import Survey

        survey = Survey.objects.get(code=args.survey)
    else:
        survey, orgs, _root = set_up(args.cities, args.enterprises)
        result["organisations"] = len(orgs)
        result["generated"] = generate(survey, orgs, args.responses, args.seed)
        # the registry's population per age band (the weights' targets)
        Population.objects.bulk_create(
            Population(survey=survey, dim="age_band", value=a, population=1_000_000 * (i + 1))
            for i, a in enumerate(AGES)
        )
    result["setup_seconds"] = round(time.monotonic() - t0, 1)

    def verify() -> dict[str, Any]:
        t = time.monotonic()
        check = rollups.verify(survey)
        return {
            "equal": check["equal"],
            "responses": check["responses"],
            "counters": check["counters"],
            "seconds": round(time.monotonic() - t, 1),
            "differences": check["differences"][:3],
        }

    if not args.verify_last and not args.skip_verify:
        result["verify"] = verify()
    actor = SystemActor("bench")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text FROM pg_index "
            "WHERE indrelid = 'surveys_rollup'::regclass ORDER BY 1"
        )
        result["rollup_indexes"] = [r[0] for r in cursor.fetchall()]
        cursor.execute("SELECT count(*) FROM surveys_rollup WHERE survey_id = %s", [survey.pk])
        result["rollup_rows"] = cursor.fetchone()[0]
    if args.no_compact:
        if args.fold_ab:
            result["fold_fillfactor_ab"] = fold_fillfactor_ab(
                survey, args.fold_ab, args.fold or 2000, args.seed
            )
        result["results"] = measure(survey, actor, args.repeat)
        if args.fold:
            result["fold"] = fold_cost(survey, survey_orgs(survey), args.fold, args.seed + 7)
    else:
        result["results_sharded"] = measure(survey, actor, args.repeat)
        if args.fold:
            result["fold_sharded"] = fold_cost(
                survey, survey_orgs(survey), args.fold, args.seed + 7
            )
        t = time.monotonic()
        removed = rollups.compact(survey)
        result["compact"] = {"rows_removed": removed, "seconds": round(time.monotonic() - t, 1)}
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE surveys_rollup")
        result["results_compacted"] = measure(survey, actor, args.repeat)
        if args.fold:
            result["fold_compacted"] = fold_cost(
                survey, survey_orgs(survey), args.fold, args.seed + 8
            )
    if args.skip_verify:
        pass
    elif args.verify_last:
        result["verify"] = verify()
    else:
        result["verify_after_compact"] = rollups.verify(survey)["equal"]
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    result["survey"] = survey.code
    result["date"] = dt.datetime.now(dt.UTC).isoformat(timespec="minutes")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()

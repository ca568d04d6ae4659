"""Dashboard API at scale: each analytics endpoint's median response time, beside a plain GROUP BY
over the worker table that computes the same figure.

    createdb -h 127.0.0.1 -U postgres gj_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gj_bench .venv/bin/python bench/workforce_dashboard.py --count 10000000

Goal: every response < 100 ms median.
"""

from __future__ import annotations

import time

from workforce_analytics_common import api_client, ensure_workers, machine, median_ms, setup

# the same figure straight from the worker table (what the rollups save)
PLAIN = {
    "summary": "SELECT w.skill_level_id, count(*) FROM workforce_worker w JOIN core_organization o ON o.id = "
    "w.organization_id WHERE o.path LIKE %s AND w.status = 'active' GROUP BY 1",
    "by/region": "SELECT substr(o.region_id, 1, 4), w.skill_level_id, count(*) FROM workforce_worker w JOIN "
    "core_organization o ON o.id = w.organization_id WHERE o.path LIKE %s AND w.status = 'active' "
    "GROUP BY 1, 2",
    "by/industry": "SELECT i.section, w.skill_level_id, count(*) FROM workforce_worker w JOIN core_organization o "
    "ON o.id = w.organization_id JOIN core_industry i ON i.code = o.industry_id WHERE o.path LIKE "
    "%s AND w.status = 'active' GROUP BY 1, 2",
    "by/occupation": "SELECT substr(w.occupation_id, 1, 4), w.skill_level_id, count(*) FROM workforce_worker w "
    "JOIN core_organization o ON o.id = w.organization_id WHERE o.path LIKE %s AND "
    "w.status = 'active' GROUP BY 1, 2",
    "by/employer": "SELECT w.organization_id, w.skill_level_id, count(*) FROM workforce_worker w JOIN "
    "core_organization o ON o.id = w.organization_id WHERE o.path LIKE %s AND w.status = 'active' "
    "GROUP BY 1, 2",
    "by/age": "SELECT date_part('year', age(w.birth_date))::int / 10, w.skill_level_id, count(*) FROM "
    "workforce_worker w JOIN core_organization o ON o.id = w.organization_id WHERE o.path LIKE %s "
    "AND w.status = 'active' GROUP BY 1, 2",
    "by/employment": "SELECT w.employment_type, w.skill_level_id, count(*) FROM workforce_worker w JOIN "
    "core_organization o ON o.id = w.organization_id WHERE o.path LIKE %s AND "
    "w.status = 'active' GROUP BY 1, 2",
    "by/gender": "SELECT w.gender, w.skill_level_id, count(*) FROM workforce_worker w JOIN core_organization o "
    "ON o.id = w.organization_id WHERE o.path LIKE %s AND w.status = 'active' GROUP BY 1, 2",
    "by/status": "SELECT w.status, w.skill_level_id, count(*) FROM workforce_worker w JOIN core_organization o "
    "ON o.id = w.organization_id WHERE o.path LIKE %s GROUP BY 1, 2",
    "level-gains": "SELECT extract(year FROM c.date), c.to_level_id, count(*) FROM workforce_skilllevelchange c "
    "JOIN workforce_worker w ON w.id = c.worker_id JOIN core_organization o ON o.id = "
    "w.organization_id WHERE o.path LIKE %s AND NOT c.reverted GROUP BY 1, 2",
    "honours": "SELECT h.title, h.year, count(*) FROM workforce_honour h JOIN workforce_worker w ON w.id = "
    "h.worker_id JOIN core_organization o ON o.id = w.organization_id WHERE o.path LIKE %s AND "
    "NOT h.revoked GROUP BY 1, 2",
}


def main() -> None:
    args = setup(extra=lambda p: p.add_argument("--plain-repeat", type=int, default=3))
    from django.db import connection

    from gongjiang.core.models import Organization

    total = ensure_workers(args)
    province = (
        Organization.objects.filter(kind="provincial", region_id=args.province)
        .order_by("path")
        .first()
    )
    client, _user = api_client()
    print(f"workers: {total:,}; scope: {province.name} (every worker of the province)")
    print(f"machine: {machine()}")
    print(f"{'endpoint':<16}{'API median ms':>15}{'plain GROUP BY ms':>20}")
    floor = median_ms(lambda: client.get("/healthz"), args.repeat)
    print(f"{'(GET /healthz)':<16}{floor:>15.1f}{'':>20}  ← the cost of any request here")
    worst = 0.0
    for name, sql in PLAIN.items():
        url = f"/api/v1/workforce/analytics/{province.code}/{name}"
        assert client.get(url).status_code == 200, url
        api_ms = median_ms(lambda url=url: client.get(url), args.repeat)

        def plain(sql: str = sql) -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql, [province.path + "%"])
                cursor.fetchall()

        plain_ms = median_ms(plain, args.plain_repeat)
        worst = max(worst, api_ms)
        print(f"{name:<16}{api_ms:>15.1f}{plain_ms:>20.1f}", flush=True)
    started = time.perf_counter()
    from gongjiang.workforce.analytics.rollups import rollups_rebuild

    meta = rollups_rebuild()
    print(f"rollups rebuild: {time.perf_counter() - started:.1f} s (as of {meta.as_of})")
    print(
        f"slowest API median: {worst:.1f} ms — goal < 100 ms: {'met' if worst < 100 else 'NOT met'}"
    )
    print(f"machine after: {machine()}")


if __name__ == "__main__":
    main()

"""Worker search at scale through the registry's own selector and API: name prefix, full pinyin,
pinyin initials and the last four characters of the citizen ID (first page + capped count, as the
list page and ``GET /api/v1/workforce/workers`` do).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gj_bench .venv/bin/python bench/workforce_search.py --count 10000000

Goal: < 200 ms median for each kind of search.
"""

from __future__ import annotations

import itertools

from workforce_analytics_common import api_client, ensure_workers, machine, median_ms, setup

SEARCHES = {
    "name": ["王伟", "李娜", "张强", "刘", "陈静", "曾明", "单", "欧阳"],
    "pinyin": ["wangwei", "lina", "zhangqiang", "zengming", "shanhui", "ouyang"],
    # common prefixes late in the alphabet: an OR of pinyin and initials took seconds here
    "pinyin prefix": ["zhang", "zhou", "zh", "wang", "xu", "z"],
    "initials": ["wj", "lm", "zq", "zm", "sh", "cjg", "zw", "zhw"],
    "id suffix": ["1234", "0017", "5678", "903X", "0420", "7781"],
}


def main() -> None:
    args = setup()
    from gongjiang.workforce.selectors import WorkerFilters, worker_list, worker_page

    total = ensure_workers(args)
    client, user = api_client()
    print(f"workers: {total:,}")
    print(f"machine: {machine()}")
    print(f"{'search':<12}{'selector median ms':>20}{'API median ms':>16}  first-page sizes")
    worst = 0.0
    for kind, terms in SEARCHES.items():
        cycle = itertools.cycle(terms)
        sizes = []
        for term in terms:
            page = worker_page(worker_list(user, WorkerFilters(q=term)))
            sizes.append(f"{term}:{'10000+' if page.count_capped else page.count}")

        def selector(cycle: itertools.cycle = cycle) -> None:
            worker_page(worker_list(user, WorkerFilters(q=next(cycle))))

        api_cycle = itertools.cycle(terms)

        def api(api_cycle: itertools.cycle = api_cycle) -> None:
            response = client.get("/api/v1/workforce/workers", {"q": next(api_cycle)})
            assert response.status_code == 200, response.content[:300]

        sel_ms = median_ms(selector, args.repeat)
        api_ms = median_ms(api, args.repeat)
        worst = max(worst, sel_ms, api_ms)
        print(f"{kind:<12}{sel_ms:>20.1f}{api_ms:>16.1f}  {' '.join(sizes)}", flush=True)
    print(f"slowest median: {worst:.1f} ms — goal < 200 ms: {'met' if worst < 200 else 'NOT met'}")
    print(f"machine after: {machine()}")


if __name__ == "__main__":
    main()

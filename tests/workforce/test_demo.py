"""The registry's demo loader: a few hundred workers through the importer, logins linked, idempotent."""

from __future__ import annotations

import io
from typing import Any

from gongjiang.core.demo import load_core_demo
from gongjiang.workforce import demo
from gongjiang.workforce.models import Worker


def test_small_demo_is_idempotent(db: Any) -> None:
    ctx = load_core_demo()
    out = io.StringIO()
    first = demo.small_bulk_workers(ctx, out)
    demo._link_logins(ctx)
    demo._some_history(ctx)
    assert first == demo.PER_ENTERPRISE * (len(ctx.enterprises) + len(ctx.other_enterprises))
    linked = Worker.objects.filter(user__username__in=["pz_worker", "nj_worker", "js_worker"])
    assert linked.count() == 3
    assert linked.get(user__username="pz_worker").organization == ctx.enterprises[0]
    again = demo.small_bulk_workers(ctx, out)
    demo._link_logins(ctx)
    demo._some_history(ctx)
    assert again == first + 3
    assert Worker.objects.filter(honours__isnull=False).distinct().count() <= 12


def test_generated_demo_spreads_workers_over_provinces_with_varied_names(db: Any) -> None:
    from gongjiang.core.models import Organization
    from gongjiang.workforce.generate.workers import DEMO_PROVINCES, load_demo_workers

    ctx = load_core_demo()
    count = 9000  # the demo's 20,000 in small: the same provinces, the demo province the largest
    result = load_demo_workers(ctx, count=count)
    assert result["created"] == count
    provinces = Organization.objects.filter(kind="provincial")
    with_workers = [
        p
        for p in provinces
        if Worker.objects.filter(organization__path__startswith=p.path).exists()
    ]
    assert len(with_workers) >= 5 and len(with_workers) == len(DEMO_PROVINCES) + 2
    # the list's first page (ordered by pinyin) shows different people, not one name ten times
    first_page = list(
        Worker.objects.order_by("name_pinyin", "id").values_list("name", flat=True)[:10]
    )
    assert len(set(first_page)) >= 8, first_page
    assert load_demo_workers(ctx, count=count)["created"] == 0  # idempotent


def test_demo_employers_are_companies_covered_by_their_unions(db: Any) -> None:
    """A demo worker's employer reads like a company (…有限公司), its union like a union (…工会)."""
    import re

    ctx = load_core_demo()
    demo.small_bulk_workers(ctx, io.StringIO())
    company = re.compile(r"(有限公司|有限责任公司|股份有限公司|集团有限公司)$")
    workers = Worker.objects.select_related("employer", "organization")
    assert workers.exists()
    for worker in workers:
        assert company.search(worker.employer.name), worker.employer.name
        assert not worker.employer.name.endswith("工会")
        assert worker.organization.name == worker.employer.name + "工会"
        assert worker.employer.union_id == worker.organization_id
        assert worker.employer.uscc and worker.employer.industry_id

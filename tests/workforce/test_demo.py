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

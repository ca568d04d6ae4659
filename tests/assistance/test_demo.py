"""The assistance demo: files across categories and statuses in Nanjing, two years of payments
through the ledger, a spring-festival campaign; idempotent."""

from __future__ import annotations

import io
from typing import Any

import pytest

from gongjiang.assistance import demo
from gongjiang.assistance.models import Campaign, HardshipFile, SupportRecord
from gongjiang.core.demo import load_core_demo
from gongjiang.core.ledger.models import Fund

pytestmark = pytest.mark.django_db


def test_demo_loads_twice(settings: Any, tmp_path: Any, client: Any) -> None:
    from gongjiang.workforce.demo import _link_logins, small_bulk_workers

    settings.MEDIA_ROOT = tmp_path
    ctx = load_core_demo()
    small_bulk_workers(ctx, io.StringIO())
    _link_logins(ctx)
    out = io.StringIO()
    demo.load(ctx, out)
    demo.load(ctx, out)
    files = HardshipFile.objects.all()
    assert files.count() >= 90
    assert set(files.values_list("category", flat=True)) >= {"deep", "relative"}
    assert set(files.values_list("status", flat=True)) >= {"filed", "exited"}
    years = set(SupportRecord.objects.filter(status="paid").values_list("year", flat=True))
    assert len(years) == 2
    fund = Fund.objects.get(name="南京市总工会困难职工帮扶资金")
    assert fund.balance >= 0
    assert Campaign.objects.get().visits.count() > 10
    assert "already present" in out.getvalue()
    # one hardship help request already opened as an application, awaiting another officer's check
    opened = HardshipFile.objects.get(help_request__isnull=False)
    assert opened.status == "applied" and opened.worker.user == ctx.users["pz_worker"]
    assert opened.help_request.category == "hardship" and opened.help_request.status == "answered"
    assert opened.applied_by == ctx.users["pz_helpdesk"]
    assert "1 opened from a help request" in out.getvalue()
    client.force_login(ctx.users["pz_worker"])
    html = client.get(f"/members/help/{opened.help_request.code}/").content.decode()
    assert 'id="hardship-file-status"' in html and "待工会审核" in html
    client.force_login(ctx.users["pz_assistance"])
    html = client.get(f"/assistance/files/{opened.code}/").content.decode()
    assert 'id="file-source"' in html and 'id="check"' in html

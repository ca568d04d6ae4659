"""Every assistance page and endpoint: anonymous → login/401; an ordinary officer of the same union
and an assistance officer of another city → 404; the assistance officer in scope → OK."""

from __future__ import annotations

from typing import Any

import pytest

from gongjiang.assistance import support
from gongjiang.core.ledger.services import fund_create, fund_credit

from ..access_helpers import check_access
from .conftest import filed_file

pytestmark = pytest.mark.django_db


def test_every_page_and_endpoint(assist: Any, client: Any) -> None:
    a = assist
    file = filed_file(a, "800.00")
    lines = support.lines_ensure_defaults(actor=a.city_helper, organization=a.world.city_a)
    fund = fund_create(actor=a.city_helper, organization=a.world.city_a, name="帮扶资金")
    fund_credit(actor=a.city_helper, fund=fund, amount="1000.00")
    campaign = support.campaign_create(
        actor=a.city_helper,
        organization=a.world.city_a,
        kind="spring",
        name="送温暖",
        year=a.year,
        budget="100",
        fund=fund,
    )
    record = support.support_decide(actor=a.ent_helper, file=file, line=lines[0], amount="500")
    pages = [
        "/assistance/",
        "/assistance/files/",
        "/assistance/files/new/",
        f"/assistance/files/{file.code}/",
        f"/assistance/files/{file.code}/?purpose=review",
        "/assistance/standards/",
        "/assistance/reassessments/",
        "/assistance/lines/",
        "/assistance/funds/",
        "/assistance/campaigns/",
        f"/assistance/campaigns/{campaign.code}/",
        "/assistance/reports/",
        "/assistance/reports/export.xlsx",
        "/api/v1/assistance/files",
        f"/api/v1/assistance/files/{file.code}?purpose=statistics",
        "/api/v1/assistance/standards",
        "/api/v1/assistance/reports/summary",
    ]
    for stranger in (a.officer, a.world.alice, a.world.alice_admin):
        for url in pages:
            client.force_login(stranger)
            r = client.get(url)
            assert r.status_code == 404, f"{stranger.username} {url}: {r.status_code}"
    objects = [url for url in pages if file.code in url or campaign.code in url]
    for url in pages:
        # another city's assistance officer: 404 on this city's records; their own lists are
        # empty of them
        check_access(
            client,
            url=url,
            in_scope=a.city_helper,
            out_of_scope=a.other_city_helper if url in objects else a.officer,
        )
    client.force_login(a.other_city_helper)
    for url in ("/assistance/files/", "/api/v1/assistance/files", "/assistance/campaigns/"):
        content = client.get(url).content.decode()
        assert file.code not in content and campaign.code not in content and "王*明" not in content
    posts = [
        (f"/api/v1/assistance/files/{file.code}/verify", {}, 200, a.ent_helper),
        (f"/api/v1/assistance/support/{record.code}/pay", {"fund": fund.code}, 200, a.city_helper),
        (f"/api/v1/assistance/files/{file.code}/exit", {"reason": "employed"}, 200, a.ent_helper),
    ]
    for url, data, ok, user in posts:
        client.force_login(a.officer)
        r = client.post(url, data=data, content_type="application/json")
        assert r.status_code == 404, f"officer {url}: {r.status_code}"
        check_access(
            client,
            url=url,
            method="post",
            data=data,
            ok=ok,
            in_scope=user,
            out_of_scope=a.other_city_helper,
        )
    # the calculator and the standards: the ordinary officer gets 404 too
    body = {
        "region": "320111",
        "year": a.year,
        "members": [{"relation": "本人", "monthly_income": "100"}],
    }
    check_access(
        client,
        url="/api/v1/assistance/assess",
        method="post",
        data=body,
        in_scope=a.ent_helper,
        out_of_scope=a.officer,
    )
    std = {"region": "320111", "year": a.year, "monthly_minimum": "1000.00", "source": "测试"}
    check_access(
        client,
        url="/api/v1/assistance/standards",
        method="post",
        data=std,
        ok=201,
        in_scope=a.city_helper,
        out_of_scope=a.officer,
    )
    client.force_login(a.other_city_helper)  # 杭州 cannot set a Nanjing standard either
    r = client.post(
        "/api/v1/assistance/standards",
        data={**std, "year": a.year + 1},
        content_type="application/json",
    )
    assert r.status_code == 404


def test_worker_sees_only_own_file(assist: Any, client: Any) -> None:
    a = assist
    file = filed_file(a, "800.00")
    check_access(client, url="/assistance/me/", in_scope=a.world.worker_a, out_of_scope=a.officer)
    check_access(
        client,
        url=f"/assistance/me/{file.code}/",
        in_scope=a.world.worker_a,
        out_of_scope=a.ent_helper,
    )
    client.force_login(a.world.worker_a)
    assert client.get(f"/assistance/files/{file.code}/").status_code == 404
    assert client.get("/assistance/files/").status_code == 404

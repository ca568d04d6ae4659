"""The "receives support" badge on the worker's profile (page and API): shown to the assistance
officers whose scope covers the file and to the worker; nobody else can tell it from the page, the
API, or its absence."""

from __future__ import annotations

from typing import Any

import pytest

from gongjiang.assistance import services

from ..factories import UserFactory, member
from .conftest import filed_file, household

pytestmark = pytest.mark.django_db

LABEL = "享受帮扶"


def _page(client: Any, user: Any, code: str) -> str:
    client.force_login(user)
    r = client.get(f"/workforce/workers/{code}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 200, r.status_code
    return r.content.decode()


def _api(client: Any, user: Any, code: str) -> dict[str, Any]:
    client.force_login(user)
    r = client.get(f"/api/v1/workforce/workers/{code}")
    assert r.status_code == 200, r.status_code
    return r.json()


def test_badge_both_ways(assist: Any, client: Any) -> None:
    a = assist
    # officers who can open the worker's profile; two of them also hold an assistance role
    ent_both = UserFactory(username="ent_both")
    member(ent_both, a.world.enterprise_a, "officer")
    member(ent_both, a.world.enterprise_a, "assistance")
    city_both = UserFactory(username="city_both")
    member(city_both, a.world.city_a, "officer")
    member(city_both, a.world.city_a, "assistance")
    elsewhere = UserFactory(username="elsewhere")  # sees the worker; assists another city
    member(elsewhere, a.world.enterprise_a, "officer")
    member(elsewhere, a.world.city_b, "assistance")
    knowers = (ent_both, city_both)
    strangers = (a.officer, elsewhere)
    code = a.worker.code

    def shown(user: Any) -> tuple[bool, list[dict[str, Any]]]:
        return LABEL in _page(client, user, code), _api(client, user, code)["badges"]

    # before any file, and while a file is only applied for: nobody sees a badge
    for user in (*knowers, *strangers):
        assert shown(user) == (False, [])
    file = services.file_apply(
        actor=a.world.worker_a, worker=a.worker, household=household("800.00"), consent=True
    )
    assert shown(ent_both) == (False, [])
    file.delete()

    file = filed_file(a, "800.00")
    for user in knowers:
        on_page, badges = shown(user)
        assert on_page, user.username
        assert badges == [{"key": "assistance.receives_support", "label": LABEL}]
        assert f"/assistance/files/{file.code}/" in _page(client, user, code)
    # the ordinary officer and another city's assistance officer: exactly as for no file at all
    for user in strangers:
        page = _page(client, user, code)
        assert shown(user) == (False, [])
        assert "receives_support" not in page and file.code not in page
    # the worker themself, through the same core hook
    from gongjiang.core.profile_badges import badges_for

    own = badges_for(a.world.worker_a, a.worker)
    assert [b.key for b in own] == ["assistance.receives_support"]
    assert own[0].url == f"/assistance/me/{file.code}/"
    assert badges_for(a.officer, a.worker) == []

    # after the exit the badge goes for everyone
    services.file_exit(actor=a.ent_helper, file=file, reason="employed")
    for user in knowers:
        assert shown(user) == (False, [])
    assert badges_for(a.world.worker_a, a.worker) == []


def test_worker_picker_for_files_on_a_workers_behalf(assist: Any, client: Any) -> None:
    """Assistance officers pick workers of their subtree (core/pickers.py, kind hardship_workers);
    another city's officer and the ordinary officer find nobody through it."""
    a = assist
    url = "/pick/hardship_workers/"
    for user in (a.ent_helper, a.city_helper):
        client.force_login(user)
        values = [x["value"] for x in client.get(url, {"q": "王小明"}).json()["results"]]
        assert values == [a.worker.code]
        assert client.get(url, {"q": "wxm"}).json()["results"][0]["value"] == a.worker.code
    for user in (a.other_city_helper, a.officer, a.world.worker_a):
        client.force_login(user)
        assert client.get(url, {"q": "王小明"}).json()["results"] == []
    client.logout()
    assert client.get(url, {"q": "王小明"}).status_code == 302
    # the form on the page carries the picker, and the picked code opens the file
    client.force_login(a.ent_helper)
    page = client.get("/assistance/files/new/").content.decode()
    assert 'data-picker="/pick/hardship_workers/"' in page and 'id="pick-hardship-worker"' in page

"""Every core page: anonymous → login redirect, out of scope → 404, in scope → 200; forms work and
bad form input never gives a 500; error pages, language switch and exports."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from gongjiang.core.jobs import job_start
from gongjiang.core.models import ApiToken, AuditEvent, Job, Membership, Organization
from tests.access_helpers import check_access
from tests.factories import OrganizationFactory, member, valid_uscc

pytestmark = pytest.mark.django_db


def u(name: str, *args: Any) -> str:
    return reverse(f"core:{name}", args=args)


def test_home_and_login_pages(client: Client, world: Any) -> None:
    assert client.get(u("login")).status_code == 200
    r = check_access(client, url=u("home"), in_scope=world.worker_a, out_of_scope=None)
    assert world.enterprise_a.name in r.content.decode()
    client.force_login(world.nobody)
    assert client.get(u("home")).status_code == 200
    assert client.get(u("healthz")).json() == {"status": "ok"}


def test_login_and_logout(client: Client, world: Any) -> None:
    r = client.post(u("login"), {"username": "alice", "password": "Correct-horse-9"})
    assert r.status_code == 302 and r["Location"] == u("home")
    assert client.get(u("home")).status_code == 200
    r = client.post(u("logout"))
    assert r.status_code == 302
    assert client.get(u("home")).status_code == 302


def test_password_change(client: Client, world: Any) -> None:
    check_access(client, url=u("password_change"), in_scope=world.alice, out_of_scope=None)
    r = client.post(
        u("password_change"),
        {"old_password": "Correct-horse-9", "new_password1": "short", "new_password2": "short"},
    )
    assert r.status_code == 200  # too short: refused with the form
    r = client.post(
        u("password_change"),
        {
            "old_password": "Correct-horse-9",
            "new_password1": "A-much-longer-one-42",
            "new_password2": "A-much-longer-one-42",
        },
    )
    assert r.status_code == 302
    world.alice.refresh_from_db()
    assert world.alice.check_password("A-much-longer-one-42")
    event = AuditEvent.objects.get(action="user.password_change")  # a state change: audited
    assert event.actor == world.alice and event.client_address == "127.0.0.1"
    assert "A-much-longer" not in str(event.details)


def test_organization_tree_and_children(client: Client, world: Any) -> None:
    r = check_access(client, url=u("organization_tree"), in_scope=world.alice, out_of_scope=None)
    html = r.content.decode()
    assert world.province_a.name in html and world.province_b.name not in html
    assert world.national.name not in html  # above alice's scope
    r = check_access(
        client,
        url=u("organization_children", world.city_a.code),
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    html = r.content.decode()
    assert world.enterprise_a.name in html and "<html" not in html  # a partial
    client.force_login(world.root)
    html = client.get(u("organization_tree")).content.decode()
    assert world.national.name in html


def test_organization_table_and_export(client: Client, world: Any) -> None:
    r = check_access(client, url=u("organization_list"), in_scope=world.alice, out_of_scope=None)
    html = r.content.decode()
    assert world.enterprise_a.name in html and world.enterprise_b.name not in html
    r = client.get(u("organization_list"), {"q": "焊接", "kind": "team", "status": "active"})
    assert world.team_a.name in r.content.decode()
    r = client.get(u("organization_list"), {"export": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))  # a streamed file
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 5  # header + 4 organisations of province A
    assert {row[0] for row in rows[1:]} == {
        world.province_a.code,
        world.city_a.code,
        world.enterprise_a.code,
        world.team_a.code,
    }
    ent = next(row for row in rows if row[0] == world.enterprise_a.code)
    assert ent[7] == world.enterprise_a.uscc and ent[4] == "320111"


def test_organization_detail(client: Client, world: Any) -> None:
    r = check_access(
        client,
        url=u("organization_detail", world.enterprise_a.code),
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    html = r.content.decode()
    assert world.enterprise_a.name in html and world.team_a.name in html
    client.force_login(world.enterprise_officer_a)  # the ancestors above the scope are not shown
    html = client.get(u("organization_detail", world.team_a.code)).content.decode()
    assert world.city_a.name not in html
    assert client.get(u("organization_detail", "nosuch")).status_code == 404


def test_organization_create_page(client: Client, world: Any) -> None:
    url = u("organization_create", world.city_a.code)
    check_access(client, url=url, in_scope=world.alice, out_of_scope=world.bob)
    data = {
        "name": "页面新建有限公司工会",
        "kind": "enterprise",
        "region": "320111",
        "industry": "3711",
        "uscc": valid_uscc(),
    }
    r = check_access(
        client,
        url=url,
        method="post",
        data=data,
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )
    org = Organization.objects.get(name=data["name"])
    assert r["Location"] == u("organization_detail", org.code) and org.parent == world.city_a
    assert AuditEvent.objects.filter(
        action="organization.create", object_code=org.code, client_address="127.0.0.1"
    ).exists()
    # bad input: the form comes back with errors, nothing is created, never a 500
    for bad in (
        {"name": "", "kind": "enterprise", "region": "320111"},
        {"name": "x", "kind": "planet", "region": "320111"},
        {"name": "x", "kind": "enterprise", "region": "999999"},
        {"name": "x", "kind": "enterprise", "region": "320111", "industry": "3711", "uscc": "bad"},
        {"name": "x", "kind": "team", "region": "320111"},
        data | {"name": "重复信用代码"},
        {"name": "长" * 500, "kind": "enterprise", "region": "320111"},
    ):
        r = client.post(url, bad)
        assert r.status_code == 200, (bad, r.status_code)
        html = r.content.decode()
        assert "invalid-feedback" in html or "alert-danger" in html, bad
    assert Organization.objects.filter(parent=world.city_a).count() == 2
    client.force_login(world.worker_a)  # sees the parent, may not create under it
    assert client.get(u("organization_create", world.enterprise_a.code)).status_code == 403


def test_organization_edit_page(client: Client, world: Any) -> None:
    url = u("organization_edit", world.enterprise_a.code)
    r = check_access(client, url=url, in_scope=world.enterprise_officer_a, out_of_scope=world.bob)
    assert world.enterprise_a.uscc in r.content.decode()
    data = {
        "name": "改名后的工会",
        "kind": "enterprise",
        "region": "320111",
        "industry": "3711",
        "uscc": world.enterprise_a.uscc,
        "contact": "张三",
    }
    check_access(
        client,
        url=url,
        method="post",
        data=data,
        in_scope=world.enterprise_officer_a,
        out_of_scope=world.bob,
        ok=302,
    )
    world.enterprise_a.refresh_from_db()
    assert (world.enterprise_a.name, world.enterprise_a.contact) == ("改名后的工会", "张三")
    r = client.post(url, data | {"kind": "industry"})  # the team child forbids it
    assert r.status_code == 200
    world.enterprise_a.refresh_from_db()
    assert world.enterprise_a.kind == "enterprise"
    client.force_login(world.worker_a)
    assert client.get(url).status_code == 403


def test_organization_move_page(client: Client, world: Any) -> None:
    city2 = OrganizationFactory(parent=world.province_a, kind="city", region="320500")
    url = u("organization_move", world.enterprise_a.code)
    r = check_access(client, url=url, in_scope=world.alice, out_of_scope=world.bob)
    html = r.content.decode()
    assert city2.code in html and world.team_a.code not in html  # not into its own subtree
    assert world.city_b.code not in html
    check_access(
        client,
        url=url,
        method="post",
        data={"parent": city2.code},
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )
    assert Organization.objects.get(pk=world.team_a.pk).path.startswith(city2.path)
    r = client.post(url, {"parent": world.city_b.code})  # out of scope: not a choice
    assert r.status_code == 200
    r = client.post(u("organization_move", world.team_a.code), {"parent": world.province_a.code})
    assert r.status_code == 200  # kind rule, shown on the form
    assert Organization.objects.get(pk=world.team_a.pk).parent_id == world.enterprise_a.pk


def test_organization_deactivate_page(client: Client, world: Any) -> None:
    url = u("organization_set_active", world.city_a.code)
    check_access(
        client,
        url=url,
        method="post",
        data={"active": "0"},
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )
    assert not Organization.objects.filter(
        path__startswith=world.city_a.path, is_active=True
    ).exists()
    r = client.post(u("organization_set_active", world.team_a.code), {"active": "1"}, follow=True)
    assert r.status_code == 200  # refused with a message: the parent is inactive
    assert not Organization.objects.get(pk=world.team_a.pk).is_active
    client.post(url, {"active": "1"})
    assert (
        Organization.objects.filter(path__startswith=world.city_a.path, is_active=True).count() == 3
    )
    assert client.get(url).status_code == 405
    client.force_login(world.worker_a)
    assert (
        client.post(
            u("organization_set_active", world.enterprise_a.code), {"active": "0"}
        ).status_code
        == 403
    )


def test_organization_import_page(client: Client, world: Any) -> None:
    url = u("organization_import", world.city_a.code)
    check_access(client, url=url, in_scope=world.alice, out_of_scope=world.bob)
    client.force_login(world.alice)
    r = client.post(url, {"file": io.BytesIO(b"x")})
    assert r.status_code == 200  # no file name / wrong kind: the form shows the error


def test_membership_pages(client: Client, world: Any) -> None:
    member(world.nobody, world.enterprise_a, "worker")  # a login inside the admin's scope
    r = check_access(
        client, url=u("membership_list"), in_scope=world.alice_admin, out_of_scope=None
    )
    html = r.content.decode()
    assert "ent_officer_a" in html and "bob" not in html
    client.force_login(world.worker_a)
    assert client.get(u("membership_list")).status_code == 403
    check_access(client, url=u("membership_create"), in_scope=world.alice_admin, out_of_scope=None)
    client.force_login(world.alice)  # officers see roles but cannot grant
    assert client.get(u("membership_create")).status_code == 403
    # grant to an existing user, then create a new user with a role
    client.force_login(world.alice_admin)
    r = client.post(
        u("membership_create"),
        {"username": "nobody", "organization": world.team_a.code, "role": "worker"},
    )
    assert r.status_code == 302
    assert Membership.objects.filter(
        user=world.nobody, organization=world.team_a, role="worker"
    ).exists()
    r = client.post(
        u("membership_create"),
        {
            "username": "newbie",
            "full_name": "新人",
            "password": "Solid-pass-2026",
            "organization": world.team_a.code,
            "role": "trainer",
        },
    )
    assert r.status_code == 302
    other = Client()
    r = other.post(u("login"), {"username": "newbie", "password": "Solid-pass-2026"})
    assert r.status_code == 302 and other.get(u("home")).status_code == 200
    created = AuditEvent.objects.get(action="user.create")
    assert created.actor == world.alice_admin and created.organization == world.team_a
    assert (
        AuditEvent.objects.filter(action="membership.grant", organization=world.team_a).count() == 2
    )
    # refusals come back on the form
    for bad in (
        {"username": "newbie2", "organization": world.team_a.code, "role": "worker"},  # no password
        {
            "username": "newbie3",
            "password": "123",
            "organization": world.team_a.code,
            "role": "worker",
        },
        {"username": "nobody", "organization": world.province_a.code, "role": "admin"},  # own level
        {
            "username": "nobody",
            "organization": world.enterprise_b.code,
            "role": "worker",
        },  # not a choice
        {"username": "", "organization": "", "role": "king"},
    ):
        r = client.post(u("membership_create"), bad)
        assert r.status_code == 200, bad
    assert not Membership.objects.filter(
        organization=world.province_a, role="admin", user=world.nobody
    ).exists()
    # revoke
    m = Membership.objects.get(user=world.worker_a)
    check_access(
        client,
        url=u("membership_revoke", m.code),
        method="post",
        in_scope=world.alice_admin,
        out_of_scope=world.bob,
        ok=302,
    )
    assert not Membership.objects.filter(pk=m.pk).exists()


def test_audit_page_and_export(client: Client, world: Any) -> None:
    client.force_login(world.root)
    client.post(u("organization_set_active", world.team_a.code), {"active": "0"})
    client.post(u("organization_set_active", world.enterprise_b.code), {"active": "0"})
    r = check_access(client, url=u("audit_list"), in_scope=world.alice_admin, out_of_scope=None)
    html = r.content.decode()
    assert world.team_a.name in html and world.enterprise_b.name not in html
    client.force_login(world.alice)
    assert client.get(u("audit_list")).status_code == 403
    client.force_login(world.alice_admin)
    r = client.get(u("audit_list"), {"action": "organization", "since": "not-a-date"})
    assert r.status_code == 200
    r = client.get(u("audit_list"), {"export": "xlsx", "q": "127.0.0.1"})
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][2] == "organization.deactivate" and rows[1][7] == "127.0.0.1"
    assert rows[1][1] == "root"


def test_reference_pages(client: Client, world: Any) -> None:
    r = check_access(client, url=u("reference_index"), in_scope=world.worker_a, out_of_scope=None)
    assert "高级技师" in r.content.decode()
    for kind, q, expect in (
        ("regions", "njs", "南京市"),
        ("occupations", "", ""),
        ("industries", "3711", "3711"),
    ):
        r = check_access(
            client,
            url=u("reference_list", kind),
            data={"q": q},
            in_scope=world.worker_a,
            out_of_scope=None,
        )
        assert expect in r.content.decode()
    assert client.get(u("reference_list", "planets")).status_code == 404
    assert (
        client.get(u("reference_list", "regions"), {"level": "city", "page": "x"}).status_code
        == 200
    )


def test_token_pages(client: Client, world: Any) -> None:
    check_access(client, url=u("token_list"), in_scope=world.alice, out_of_scope=None)
    r = check_access(
        client,
        url=u("token_list"),
        method="post",
        data={"name": "同步脚本"},
        in_scope=world.alice,
        out_of_scope=None,
    )
    token = ApiToken.objects.get(user=world.alice)
    html = r.content.decode()
    import re

    secrets_shown = re.findall(r"gj_[A-Za-z0-9_\-]{20,}", html)
    assert len(secrets_shown) == 1 and ApiToken.digest_of(secrets_shown[0]) == token.digest
    assert secrets_shown[0] not in client.get(u("token_list")).content.decode()  # shown once only
    check_access(
        client,
        url=u("token_revoke", token.code),
        method="post",
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    r = client.post(u("token_list"), {"name": ""})
    assert r.status_code == 200


def test_job_page(client: Client, world: Any, django_capture_on_commit_callbacks: Any) -> None:
    from gongjiang.core.jobs import job_handler

    @job_handler("tests.pages_noop")
    def _noop(job: Job, progress: Any) -> dict[str, Any]:
        return {"ok": True}

    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(actor=world.alice, kind="tests.pages_noop", organization=world.city_a)
    r = check_access(
        client, url=u("job_detail", job.code), in_scope=world.alice, out_of_scope=world.bob
    )
    assert r.status_code == 200
    r = client.get(u("job_detail", job.code), HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "<html" not in r.content.decode()


def test_error_pages_render(client: Client, world: Any) -> None:
    client.force_login(world.alice)
    r = client.get("/no/such/page/")
    assert r.status_code == 404 and "404" in r.content.decode()
    client.force_login(world.worker_a)
    r = client.get(u("audit_list"))
    assert r.status_code == 403 and "403" in r.content.decode()
    from django.test import RequestFactory

    from gongjiang.core.views import error_500

    request = RequestFactory().get("/")
    assert error_500(request).status_code == 500


def test_language_switch(client: Client, world: Any) -> None:
    client.force_login(world.alice)
    html = client.get(u("organization_tree")).content.decode()
    assert 'lang="zh-hans"' in html  # zh-hans by default
    r = client.post("/i18n/setlang/", {"language": "en", "next": u("organization_tree")})
    assert r.status_code == 302
    html = client.get(u("organization_tree")).content.decode()
    assert "Organizations" in html and 'lang="en"' in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert 'lang="zh-hans"' in client.get(u("home")).content.decode()


def test_navigation_follows_roles(client: Client, world: Any) -> None:
    client.force_login(world.worker_a)
    html = client.get(u("home")).content.decode()
    assert u("audit_list") not in html and u("membership_list") not in html
    client.force_login(world.alice_admin)
    html = client.get(u("home")).content.decode()
    assert u("audit_list") in html and u("membership_list") in html


def test_core_pages_are_translated(client: Client, world: Any) -> None:
    """zh-hans is the default language: the core's own strings come out in Chinese."""
    client.force_login(world.alice)
    html = client.get(u("organization_tree")).content.decode()
    assert "组织" in html and "Organizations" not in html


def test_every_asset_of_the_base_layout_is_served_locally(client: Client, world: Any) -> None:
    """Regression: gongjiang/static was not in STATICFILES_DIRS, so every page lost its CSS and JS."""
    import re

    from django.contrib.staticfiles import finders

    client.force_login(world.alice)
    html = client.get(u("organization_tree")).content.decode()
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert any("htmx" in a for a in assets) and any("bootstrap.min.css" in a for a in assets)
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), asset
        r = client.get(asset)
        assert r.status_code == 200, asset
        b"".join(r.streaming_content) if r.streaming else r.content
    assert "//cdn" not in html and "https://" not in html.split("<body", 1)[0]


def test_500_page_renders_even_when_the_database_is_down(monkeypatch: Any) -> None:
    """Regression: the 500 handler ran the context processors (database queries): if the database
    was what failed, the error page itself failed."""
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from gongjiang.core import context_processors, views

    def broken(request: Any) -> Any:
        raise RuntimeError("database is down")

    monkeypatch.setattr(context_processors, "navigation", broken)
    monkeypatch.setattr(views, "render", lambda *a, **k: broken(None))
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    response = views.error_500(request)
    assert response.status_code == 500 and "500" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"q": "长" * 500, "kind": "x" * 50, "status": "maybe", "page": "999999"},
        {"page": "-1", "q": "%_\\'\"<script>", "level": "nonsense"},
        {"since": "2026-13-01", "until": "yesterday", "action": "a" * 100, "actor": "\x00"},
        {"export": "pdf", "page": "abc"},
    ],
)
def test_garbage_query_parameters_never_break_a_page(
    client: Client, world: Any, params: dict[str, str]
) -> None:
    client.force_login(world.root)
    urls = [
        u("organization_tree"),
        u("organization_list"),
        u("membership_list"),
        u("audit_list"),
        u("reference_index"),
        u("reference_list", "regions"),
        u("reference_list", "occupations"),
        u("reference_list", "industries"),
        u("token_list"),
        u("home"),
        u("organization_detail", world.city_a.code),
    ]
    for url in urls:
        r = client.get(url, params)
        assert r.status_code in (200, 400, 404), (url, params, r.status_code)
        assert "<script>" not in r.content.decode().replace("<script src", "")  # escaped


def test_nul_in_a_page_url_is_a_404_not_a_500(client: Client, world: Any) -> None:
    """PostgreSQL refuses NUL in text: object codes in page URLs are slugs, so NUL never reaches it."""
    client.force_login(world.root)
    for name in ("organization_detail", "organization_children", "organization_edit", "job_detail"):
        url = u(name, "abc").replace("abc", "%00")
        assert client.get(url).status_code == 404, url


def test_nul_in_form_input_is_a_form_error_not_a_500(client: Client, world: Any) -> None:
    client.force_login(world.root)
    cases = [
        (u("organization_move", world.enterprise_a.code), {"parent": "\x00"}),
        (u("membership_create"), {"username": "a\x00", "organization": "\x00", "role": "worker"}),
        (
            u("organization_create", world.city_a.code),
            {"name": "a\x00", "kind": "county", "region": "\x00"},
        ),
        (
            u("organization_edit", world.city_a.code),
            {"name": "x", "kind": "city", "region": "3201\x00"},
        ),
        (u("token_list"), {"name": "\x00"}),
    ]
    for url, data in cases:
        assert client.post(url, data).status_code == 200, url

"""Test fixtures shared by every app: two provinces with users in each ("alice must never see
bob's workers"), an API client, and the browser."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pytest

from gongjiang.core.models import Organization

from .factories import OrganizationFactory, UserFactory, member


@dataclass
class World:
    national: Organization
    province_a: Organization  # 江苏
    city_a: Organization
    enterprise_a: Organization
    team_a: Organization
    province_b: Organization  # 浙江
    city_b: Organization
    enterprise_b: Organization
    alice: Any  # officer of province A
    bob: Any  # officer of province B
    alice_admin: Any  # admin of province A
    enterprise_officer_a: Any  # officer of enterprise A
    worker_a: Any  # worker role at enterprise A
    nobody: Any  # logged in, no role
    root: Any  # superuser


def ensure_reference_data() -> None:
    """Transactional tests (browser, demo) flush the database, reference data included; reload it."""
    from gongjiang.core.models import Region, SkillLevel
    from gongjiang.core.refdata import load_reference_data

    if not SkillLevel.objects.exists() or not Region.objects.exists():
        load_reference_data()


def _flushes_database(item: pytest.Item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    marker = item.get_closest_marker("django_db")
    return bool(
        names & {"transactional_db", "live_server", "page", "phone_page"}
        or (marker is not None and marker.kwargs.get("transaction"))
    )


BROWSER_FIXTURES = {"browser", "page", "phone_page"}
BROWSER_SKIP_REASON = "browser tests skipped: install Debian's chromium to run them"


def chromium_path() -> str:
    return os.environ.get("CHROMIUM", "/usr/bin/chromium")


def browser_required() -> bool:
    """Under CI (``CI=true``) or ``GONGJIANG_REQUIRE_BROWSER=1`` a missing browser is a failure."""
    ci = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
    return ci or os.environ.get("GONGJIANG_REQUIRE_BROWSER", "").strip() == "1"


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not (os.path.isfile(chromium_path()) and os.access(chromium_path(), os.X_OK)):
        return f"no executable at {chromium_path()}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test that drives the browser is marked ``browser``; without Chromium they skip with one
    reason, unless the browser is required (CI), where the ``browser`` fixture fails them."""
    missing = browser_missing()
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
        if missing and not browser_required() and item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason=BROWSER_SKIP_REASON))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """A transactional test ends with a flush that empties every table, reference data included
    (it is loaded by a migration). Put it back at once, so the next test in this process — whatever
    it is — finds the database as migrations left it."""
    yield
    if nextitem is None or not _flushes_database(item) or item.get_closest_marker("skip"):
        return  # the last test (the database is already gone), or one that never reached it
    from pytest_django.plugin import blocking_manager_key

    blocker = item.config.stash.get(blocking_manager_key, None)
    if blocker is None:
        return
    with blocker.unblock():
        ensure_reference_data()
        # the flush also emptied django_content_type. Put its rows back now, outside any test's
        # transaction: a row first made inside a later test's transaction would be rolled back
        # with it while the manager's cache kept its id, and the next test would point a notice or
        # a review item at a content type that no longer exists. Then forget the cached ids.
        from django.apps import apps
        from django.contrib.contenttypes.management import create_contenttypes
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()
        # The flush's post_migrate (for a test without serialized rollback) made the content types
        # and permissions again with new ids (flushes keep the sequences). A later test with
        # serialized rollback — the next one, or one after ordinary tests — then restores the first
        # rows by id and meets the same (app_label, model) under another id: IntegrityError at its
        # setup. So put the first rows back, with their first ids, whatever test comes next.
        _first_contenttypes_restore()
        marker = nextitem.get_closest_marker("django_db")
        if not (marker is not None and marker.kwargs.get("serialized_rollback")):
            # (a test with serialized rollback restores the rows itself, with their first ids)
            for app_config in apps.get_app_configs():
                create_contenttypes(app_config, verbosity=0)
        ContentType.objects.clear_cache()


_FIRST_ROWS: dict[str, list[dict[str, Any]]] = {}


def _first_rows(label: str) -> list[dict[str, Any]]:
    """The rows of ``label`` (``contenttypes.contenttype``, ``auth.permission``) as the test
    database held them when it was made, from the copy Django keeps for serialized rollback."""
    import json

    from django.db import connection

    if not _FIRST_ROWS:
        # absent until the test database exists (a first test skipped by a marker ends before it)
        data = getattr(connection, "_test_serialized_contents", None)
        for obj in json.loads(data or "[]"):
            if obj["model"] in {"contenttypes.contenttype", "auth.permission"}:
                _FIRST_ROWS.setdefault(obj["model"], []).append({"id": obj["pk"], **obj["fields"]})
    return _FIRST_ROWS.get(label, [])


def _first_contenttypes_restore() -> None:
    """Replace the content types and permissions a flush's post_migrate made with the first ones,
    same ids (nothing else refers to them right after a flush). No-op without a serialized copy."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.color import no_style
    from django.db import connection, transaction

    types = _first_rows("contenttypes.contenttype")
    if not types:
        return
    permissions = _first_rows("auth.permission")
    with transaction.atomic():
        Permission.objects.all().delete()
        ContentType.objects.all().delete()
        ContentType.objects.bulk_create(ContentType(**row) for row in types)
        Permission.objects.bulk_create(
            Permission(
                id=row["id"],
                name=row["name"],
                codename=row["codename"],
                content_type_id=row["content_type"],
            )
            for row in permissions
        )
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [ContentType, Permission]):
                cursor.execute(sql)
    ContentType.objects.clear_cache()


@pytest.fixture
def refdata(db: Any) -> None:
    ensure_reference_data()


@pytest.fixture
def world(db: Any) -> World:
    ensure_reference_data()
    national = OrganizationFactory(name="中华全国总工会", kind="national", region="110000")
    pa = OrganizationFactory(
        parent=national, name="江苏省总工会", kind="provincial", region="320000"
    )
    ca = OrganizationFactory(parent=pa, name="南京市总工会", kind="city", region="320100")
    ea = OrganizationFactory(
        parent=ca, name="南京测试装备有限公司工会", kind="enterprise", region="320111"
    )
    ta = OrganizationFactory(parent=ea, name="焊接班组", kind="team", region="320111")
    pb = OrganizationFactory(
        parent=national, name="浙江省总工会", kind="provincial", region="330000"
    )
    cb = OrganizationFactory(parent=pb, name="杭州市总工会", kind="city", region="330100")
    eb = OrganizationFactory(
        parent=cb, name="杭州测试动力有限公司工会", kind="enterprise", region="330105"
    )
    alice = UserFactory(username="alice")
    bob = UserFactory(username="bob")
    alice_admin = UserFactory(username="alice_admin")
    ent_officer = UserFactory(username="ent_officer_a")
    worker = UserFactory(username="worker_a")
    nobody = UserFactory(username="nobody")
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    member(alice, pa, "officer")
    member(bob, pb, "officer")
    member(alice_admin, pa, "admin")
    member(ent_officer, ea, "officer")
    member(worker, ea, "worker")
    return World(
        national,
        pa,
        ca,
        ea,
        ta,
        pb,
        cb,
        eb,
        alice,
        bob,
        alice_admin,
        ent_officer,
        worker,
        nobody,
        root,
    )


@pytest.fixture
def api_client(client: Any) -> Any:
    """The Django test client; use ``api_as(client, user)`` to authenticate (session + CSRF off)."""
    return client


@pytest.fixture(autouse=True)
def _reset_caches() -> Any:
    from gongjiang.core import crypto

    crypto.reset_caches()
    yield


@pytest.fixture(scope="session")
def browser() -> Any:
    """Headless system Chromium driven by Playwright (its own browser download cannot work here)."""
    missing = browser_missing()
    if missing:
        if browser_required():
            pytest.fail(
                f"browser tests are required here (CI=true or GONGJIANG_REQUIRE_BROWSER=1) but "
                f"cannot run: {missing}; install Debian's chromium",
                pytrace=False,
            )
        pytest.skip(BROWSER_SKIP_REASON)
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=chromium_path(),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, live_server: Any, transactional_db: Any) -> Any:
    ensure_reference_data()
    # Playwright's polling wait_for_function evaluates strings, which the Content-Security-Policy
    # forbids; the policy itself is tested in a context of its own (tests/core/test_browser_csp.py)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture
def phone_page(browser: Any, live_server: Any, transactional_db: Any) -> Any:
    ensure_reference_data()
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        bypass_csp=True,  # see `page`
    )
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()

"""`gongjiang demo --no-serve` on the test database: idempotent, and every printed login works."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory


def _counts() -> dict[str, int]:
    """Rows per model (every app's demo data), audit log and bookkeeping tables aside."""
    from django.db import connection

    tables = set(connection.introspection.table_names())
    skip = ("sessions", "axes", "django_tasks_db", "admin", "contenttypes")
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label not in skip
        and m._meta.label != "core.AuditEvent"
        and m._meta.db_table in tables
    }


def _logins(output: str) -> list[tuple[str, str]]:
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"\s+user\s+password\s+role", line))
    out = []
    for line in lines[start + 1 :]:
        parts = line.split()
        if len(parts) < 3:
            break
        out.append((parts[0], parts[1]))
    return out


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_demo_is_idempotent_and_its_logins_work(settings: Any, tmp_path: Any) -> None:
    settings.DATA_DIR = tmp_path
    settings.STATIC_ROOT = tmp_path / "static"
    settings.MEDIA_ROOT = tmp_path / "media"
    first = io.StringIO()
    call_command("demo", "--no-serve", stdout=first)
    counts = _counts()
    assert counts["core.Organization"] >= 60 and counts["core.Membership"] >= 19
    second = io.StringIO()
    call_command("demo", "--no-serve", stdout=second)
    assert _counts() == counts
    logins = _logins(second.getvalue())
    assert logins == _logins(first.getvalue())
    users = {u for u, _ in logins}
    roles = {"admin", "officer", "trainer", "judge", "inspector", "worker"}
    assert {f"{level}_{role}" for level in ("js", "nj", "pz") for role in roles} <= users
    request = RequestFactory().post("/login/")
    for username, password in logins:
        assert authenticate(request, username=username, password=password) is not None, username
    # the demo's scopes do not leak: the Zhejiang officer sees nothing of Jiangsu
    from django.contrib.auth import get_user_model

    from gongjiang.core.models import Organization

    zj = get_user_model().objects.get(username="zj_officer")
    names = set(Organization.objects.visible_to(zj).values_list("name", flat=True))
    assert "浙江省总工会" in names and not any(
        n.startswith(("江苏", "南京", "苏州", "常州")) for n in names
    )

"""Settings from the environment: SECRET_KEY required in production, `check --deploy` clean with
production settings, the idle session timeout."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

BIN = Path(sys.executable).parent
SRC = Path(__file__).resolve().parent.parent / "src"


def _env(**extra: str) -> dict[str, str]:
    """A clean environment: nothing inherited from the test run but PATH and HOME."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "gongjiang.settings",
        # the code under test, whichever checkout the shared environment was installed from
        "PYTHONPATH": str(SRC),
    }
    env.update(extra)
    return env


def _production_env(tmp_path: Path) -> dict[str, str]:
    from cryptography.fernet import Fernet

    return _env(
        SECRET_KEY=secrets.token_urlsafe(64),
        DEBUG="0",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/test",
        FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="example.org",
        PUBLIC_BASE_URL="https://example.org",
        GONGJIANG_DATA_DIR=str(tmp_path),
    )


def _python(code: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_secret_key_is_required_when_debug_is_off(tmp_path: Path) -> None:
    code = "import django; django.setup()"
    result = _python(code, _env(DEBUG="0", GONGJIANG_DATA_DIR=str(tmp_path)), tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY is not set" in result.stderr
    # the default is DEBUG off: no DEBUG variable at all refuses too
    result = _python(code, _env(GONGJIANG_DATA_DIR=str(tmp_path)), tmp_path)
    assert result.returncode != 0 and "SECRET_KEY is not set" in result.stderr
    # with DEBUG on, a development key is used
    result = _python(
        code + "; from django.conf import settings; print(settings.DEBUG)",
        _env(DEBUG="1", GONGJIANG_DATA_DIR=str(tmp_path)),
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_production_settings(tmp_path: Path) -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.ALLOWED_HOSTS, s.IS_POSTGRES, s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.LANGUAGE_CODE, s.TASKS['default']['BACKEND'])"
    )
    result = _python(code, _production_env(tmp_path), tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "['example.org']",
        "True",
        "True",
        "True",
        "zh-hans",
        "django_tasks_db.backend.DatabaseBackend",
    ]


def test_check_deploy_gives_no_warnings_with_production_settings(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(BIN / "gongjiang"), "check", "--deploy"],
        env=_production_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNING" not in output.upper(), output


def test_check_deploy_warns_about_missing_production_settings(tmp_path: Path) -> None:
    from cryptography.fernet import Fernet

    env = _env(
        SECRET_KEY=secrets.token_urlsafe(64),
        DEBUG="0",
        GONGJIANG_DATA_DIR=str(tmp_path),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    result = subprocess.run(
        [str(BIN / "gongjiang"), "check", "--deploy"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    output = result.stdout + result.stderr
    assert "gongjiang.W002" in output, output  # SQLite


def test_field_encryption_key_is_required_when_debug_is_off(tmp_path: Path) -> None:
    """Without the key the citizen-ID hash would follow SECRET_KEY: a second record of the same
    person could be created and reveals would fail. Production refuses to start instead."""
    from cryptography.fernet import Fernet

    code = "import django; django.setup(); from django.conf import settings as s; print(s.FIELD_ENCRYPTION_KEYS)"
    base = {"SECRET_KEY": secrets.token_urlsafe(64), "GONGJIANG_DATA_DIR": str(tmp_path)}
    result = _python(code, _env(DEBUG="0", **base), tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "FIELD_ENCRYPTION_KEYS is not set" in result.stderr
    result = _python(code, _env(DEBUG="0", FIELD_ENCRYPTION_KEYS="not-a-key", **base), tmp_path)
    assert result.returncode != 0 and "not a Fernet key" in result.stderr
    # several keys, newest first; the single-key variable still works
    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    result = _python(code, _env(DEBUG="0", FIELD_ENCRYPTION_KEYS=f"{new}, {old}", **base), tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str([new, old])
    result = _python(code, _env(DEBUG="0", FIELD_ENCRYPTION_KEY=old, **base), tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == str([old]), result.stderr
    # DEBUG (development) derives one from SECRET_KEY, and `check --deploy` warns about it
    result = subprocess.run(
        [str(BIN / "gongjiang"), "check", "--deploy"],
        env=_env(DEBUG="1", **base),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert "gongjiang.W001" in result.stdout + result.stderr


def test_session_idle_timeout_from_environment(tmp_path: Path) -> None:
    code = "import django; django.setup(); from django.conf import settings as s; print(s.SESSION_COOKIE_AGE)"
    result = _python(
        code,
        _env(DEBUG="1", SESSION_IDLE_TIMEOUT="600", GONGJIANG_DATA_DIR=str(tmp_path)),
        tmp_path,
    )
    assert result.stdout.strip() == "600", result.stderr
    result = _python(code, _env(DEBUG="1", GONGJIANG_DATA_DIR=str(tmp_path)), tmp_path)
    assert result.stdout.strip() == "1800"  # 30 minutes by default


@pytest.mark.django_db
def test_idle_session_expires_and_activity_extends_it(world: Any, settings: Any) -> None:
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_TIMEOUT
    assert not settings.SESSION_SAVE_EVERY_REQUEST  # touched at most once a minute instead
    client = Client()
    assert (
        client.post("/login/", {"username": "alice", "password": "Correct-horse-9"}).status_code
        == 302
    )
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    session = Session.objects.get(session_key=key)
    left = (session.expire_date - timezone.now()).total_seconds()
    assert settings.SESSION_IDLE_TIMEOUT - 60 < left <= settings.SESSION_IDLE_TIMEOUT
    # the first request marks the session as seen; a request within the touch interval after that
    # does not write the session row
    assert client.get("/").status_code == 200
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + dt.timedelta(seconds=90))
    assert client.get("/").status_code == 200
    assert Session.objects.get(pk=key).expire_date < timezone.now() + dt.timedelta(seconds=91)
    # activity after the touch interval slides the expiry forward
    store = SessionStore(session_key=key)
    store["_gj_seen"] = store["_gj_seen"] - settings.SESSION_TOUCH_INTERVAL
    store.save()
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + dt.timedelta(seconds=30))
    assert client.get("/").status_code == 200
    assert Session.objects.get(pk=key).expire_date > timezone.now() + dt.timedelta(seconds=60)
    # after the idle time the session is gone: back to the login page
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    r = client.get("/")
    assert r.status_code == 302 and "/login/" in r["Location"]

"""What docs/scaling.md says is built: REDIS_URL gives every web process one shared Redis cache."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid

import pytest

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


needs_redis = pytest.mark.skipif(
    not _redis_up() and os.environ.get("CI", "").lower() not in {"1", "true"},
    reason="no Redis server on 127.0.0.1:6379 (CI starts one)",
)


def _in_settings(env: dict[str, str], code: str) -> str:
    run = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        env={
            **{k: v for k, v in os.environ.items() if k != "REDIS_URL"},
            "DJANGO_SETTINGS_MODULE": "gongjiang.settings",
            "GONGJIANG_TESTING": "1",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def test_without_redis_url_the_cache_is_per_process() -> None:
    out = _in_settings(
        {}, "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    )
    assert out.endswith("LocMemCache")


@needs_redis
def test_with_redis_url_two_processes_share_one_cache() -> None:
    key = f"gj-test-{uuid.uuid4().hex}"
    code = (
        "import sys\nfrom django.core.cache import cache\n"
        f"cache.add({key!r}, 0, 60)\nprint(cache.incr({key!r}))\n"
    )
    first = _in_settings({"REDIS_URL": REDIS_URL}, code)
    second = _in_settings({"REDIS_URL": REDIS_URL}, code)
    assert (first, second) == ("1", "2")  # the second process saw the first one's count
    backend = _in_settings(
        {"REDIS_URL": REDIS_URL},
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
    )
    assert backend.endswith("RedisCache")

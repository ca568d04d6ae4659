"""README command 2 passes on a machine without Chromium (browser tests skip with one reason), and
under CI a missing browser fails the run instead of silently skipping."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TARGET = "tests/core/test_browser.py"


def _run(extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"CI", "GONGJIANG_REQUIRE_BROWSER", "DATABASE_URL"}
        and not k.startswith(("PYTEST_", "DJANGO_"))
    }
    env.update({"CHROMIUM": "/nonexistent/chromium", **extra_env})
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "0", "-rs", TARGET],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_without_chromium_browser_tests_skip_with_one_reason() -> None:
    run = _run({})
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    assert "browser tests skipped: install Debian's chromium to run them" in out
    assert " passed" not in out and "error" not in out.lower(), out


@pytest.mark.slow
@pytest.mark.parametrize("flag", [{"CI": "true"}, {"GONGJIANG_REQUIRE_BROWSER": "1"}])
def test_under_ci_a_missing_browser_fails(flag: dict[str, str]) -> None:
    run = _run(flag)
    out = run.stdout + run.stderr
    assert run.returncode != 0, out
    assert "browser tests are required here" in out

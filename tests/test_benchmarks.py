"""Benchmarks run the product as production does: DEBUG off, real keys (bench/_env.py)."""

from __future__ import annotations

import ast
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import _env  # noqa: E402


@pytest.fixture(autouse=True)
def _environ_restored() -> Iterator[None]:
    """production_environ() writes os.environ; later tests (and their subprocesses) must not see it."""
    saved = dict(os.environ)
    saved_path = list(sys.path)
    yield
    os.environ.clear()
    os.environ.update(saved)
    sys.path[:] = saved_path


def bench_scripts() -> list[Path]:
    return sorted(p for p in BENCH.glob("*.py") if not p.name.startswith("_"))


def test_keys_are_stable_per_database_and_differ_between_databases() -> None:
    a1 = _env.bench_keys("postgres://postgres@127.0.0.1:5432/gj_bench_a")
    a2 = _env.bench_keys("postgres://other@10.0.0.1:5432/gj_bench_a")
    b = _env.bench_keys("postgres://postgres@127.0.0.1:5432/gj_bench_b")
    assert a1 == a2
    assert a1[0] != b[0] and a1[1] != b[1]
    from cryptography.fernet import Fernet

    Fernet(a1[1])  # a valid Fernet key


def test_debug_is_forced_off_whatever_the_shell_says(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG", "1")
    monkeypatch.setenv("SECURE_SSL_REDIRECT", "1")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FIELD_ENCRYPTION_KEYS", raising=False)
    monkeypatch.delenv("FIELD_ENCRYPTION_KEY", raising=False)
    env = _env.production_environ("postgres://postgres@127.0.0.1:5432/gj_bench_x")
    assert env["DEBUG"] == "0" and env["SECURE_SSL_REDIRECT"] == "0"
    secret, fernet = _env.bench_keys("postgres://postgres@127.0.0.1:5432/gj_bench_x")
    assert env["SECRET_KEY"] == secret
    assert os.environ["FIELD_ENCRYPTION_KEY"] == fernet


def test_a_key_given_by_the_shell_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "from-the-shell-" + "x" * 40)
    env = _env.production_environ(None)
    assert env["SECRET_KEY"].startswith("from-the-shell-")


@pytest.mark.parametrize("script", bench_scripts(), ids=lambda p: p.name)
def test_no_benchmark_turns_debug_on(script: Path) -> None:
    """A figure taken with DEBUG on is not the product's (every SQL statement kept in memory)."""
    source = script.read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and len(node.args) >= 2:
            first, second = node.args[0], node.args[1]
            if (
                isinstance(first, ast.Constant)
                and first.value == "DEBUG"
                and isinstance(second, ast.Constant)
                and str(second.value).lower() in {"1", "true", "yes", "on"}
            ):
                pytest.fail(f"{script.name}:{node.lineno} sets DEBUG on")
    assert "DEBUG=1" not in source, f"{script.name} tells its user to run it with DEBUG=1"

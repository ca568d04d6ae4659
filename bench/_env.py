"""The one set-up every benchmark shares: the product configured as production runs it.

* ``DEBUG`` is off, whatever the shell says. With DEBUG on, Django keeps every SQL statement of
  the process in ``connection.queries`` and renders error pages with tracebacks: both cost time
  and memory that production never pays, so a figure taken that way is not the product's.
* Keys are set, as production requires once DEBUG is off. Unless the shell gives its own, they
  are derived from the benchmark database's name, so a database filled by one run (workers with
  encrypted ID numbers and keyed hashes) is still readable by the next run, and no two benchmark
  databases share a key. They are benchmark keys: never use them for real data.
* ``ALLOWED_HOSTS`` admits Django's test client (``testserver``) and ``SECURE_SSL_REDIRECT`` is
  off, because benchmarks talk plain HTTP to a server on this machine.

Usage, before anything imports Django models::

    from _env import production_django        # bench/ is on sys.path when a bench runs
    production_django("postgres://postgres@127.0.0.1:5432/gj_bench_x")   # or None: DATABASE_URL
    print(describe())                          # one line for the bench's output
"""

from __future__ import annotations

import base64
import hashlib
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench_keys(database_url: str) -> tuple[str, str]:
    """(SECRET_KEY, FIELD_ENCRYPTION_KEYS) for a benchmark database, stable per database name."""
    name = database_url.rsplit("/", 1)[-1] or "default"
    seed = hashlib.sha256(f"gongjiang-benchmark-only:{name}".encode()).digest()
    secret = "bench-" + hashlib.sha256(seed + b"secret").hexdigest()
    fernet = base64.urlsafe_b64encode(hashlib.sha256(seed + b"fields").digest()).decode()
    return secret, fernet


def production_environ(database_url: str | None = None) -> dict[str, str]:
    """Set (and return) the environment variables a production-like run needs; no Django yet."""
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    url = os.environ.get("DATABASE_URL", "")
    secret, fernet = bench_keys(url)
    os.environ["DEBUG"] = "0"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.settings")
    os.environ.setdefault("SECRET_KEY", secret)
    if not os.environ.get("FIELD_ENCRYPTION_KEYS"):
        os.environ.setdefault("FIELD_ENCRYPTION_KEY", fernet)
    os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
    src = str(ROOT / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    return {
        key: os.environ[key]
        for key in (
            "DATABASE_URL",
            "DEBUG",
            "SECURE_SSL_REDIRECT",
            "DJANGO_SETTINGS_MODULE",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
        )
        if key in os.environ
    }


def production_django(database_url: str | None = None) -> None:
    """Configure the environment as production does and start Django; refuse to run with DEBUG."""
    production_environ(database_url)
    import django

    django.setup()
    from django.conf import settings

    if settings.DEBUG:  # pragma: no cover - guarded above; a settings change must not undo it
        raise SystemExit("benchmarks run with DEBUG off, as production does")


def machine() -> str:
    """CPU model and count, and the load average now; needs no Django."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        load = "n/a"
    return f"CPU: {cpu} × {os.cpu_count()}; load average: {load}"


def describe() -> str:
    """One line naming what the figures were taken on: database, DEBUG, CPU and load."""
    from django.conf import settings
    from django.db import connection

    return f"database: {connection.vendor}; DEBUG={settings.DEBUG}; {machine()}"

"""``gongjiang demo [--reset] [--no-serve] [--port N]``: a ready-to-try Gongjiang.

Creates or updates the database (SQLite in ./gongjiang-data/ unless GONGJIANG_DATA_DIR or
DATABASE_URL say otherwise), migrates, loads reference data and the demo data set, prints the URL
and one login per role, then serves (web server and background worker) until Ctrl-C.
Running it twice is safe.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Set up (or update) the demo instance and serve it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--reset", action="store_true", help="Start from an empty database.")
        parser.add_argument("--no-serve", action="store_true", help="Set up only; do not serve.")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        if options["reset"]:
            self._reset()
        self.stdout.write("· migrating the database …")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("· reference data …")
        call_command("load-refdata", verbosity=0)
        self.stdout.write("· demo data …")
        from gongjiang.core.demo import load_core_demo

        ctx = load_core_demo()
        for app in settings.GONGJIANG_APPS:
            try:
                module = importlib.import_module(f"gongjiang.{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"gongjiang.{app}.demo":
                    raise
                continue
            self.stdout.write(f"  · {app} …")
            module.load(ctx, self.stdout)
        call_command("collectstatic", interactive=False, verbosity=0)
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(
            self.style.SUCCESS(f"\nGongjiang demo is ready ({time.monotonic() - started:.0f} s).")
        )
        self.stdout.write(f"Data directory: {settings.DATA_DIR}")
        self.stdout.write(f"Open {url} and log in as one of:\n")
        width = max(len(u) for u, _, _ in ctx.logins)
        self.stdout.write(f"  {'user'.ljust(width)}  {'password'.ljust(16)}  role")
        for username, label, password in ctx.logins:
            self.stdout.write(f"  {username.ljust(width)}  {password.ljust(16)}  {label}")
        self.stdout.write("")
        if options["no_serve"]:
            return
        self._serve(options["host"], options["port"])

    def _reset(self) -> None:
        db = settings.DATABASES["default"]
        if db["ENGINE"].endswith("sqlite3"):
            from django.db import connections

            connections.close_all()
            for suffix in ("", "-wal", "-shm"):
                path = f"{db['NAME']}{suffix}"
                try:
                    import os

                    os.remove(path)
                except FileNotFoundError:
                    pass
        else:
            call_command("flush", interactive=False, verbosity=0)

    def _serve(self, host: str, port: int) -> None:
        worker = subprocess.Popen([sys.executable, "-m", "gongjiang.cli", "worker"])
        try:
            from .serve import run_gunicorn

            run_gunicorn(f"{host}:{port}", workers=2, threads=4)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()

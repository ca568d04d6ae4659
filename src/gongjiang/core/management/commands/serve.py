"""``gongjiang serve``: the production web server (gunicorn; static files by whitenoise)."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand


def run_gunicorn(
    bind: str, workers: int, threads: int, timeout: int = 60, keepalive: int = 5
) -> None:
    from gunicorn.app.base import BaseApplication

    from gongjiang.wsgi import application

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", bind)
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread" if threads > 1 else "sync")
            self.cfg.set("timeout", timeout)
            # seconds an idle keep-alive connection is kept: a candidate's phone saves an answer
            # every few seconds and should not reconnect for each one (gunicorn's default is 2)
            self.cfg.set("keepalive", keepalive)
            self.cfg.set("accesslog", os.environ.get("ACCESS_LOG", "-") or None)
            self.cfg.set("forwarded_allow_ips", os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"))

        def load(self) -> Any:
            return application

    Server().run()


class Command(BaseCommand):
    help = "Serve Gongjiang with gunicorn (static files by whitenoise). Run `gongjiang collectstatic` first."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_WORKERS", str((os.cpu_count() or 1) * 2 + 1))),
        )
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))
        parser.add_argument("--timeout", type=int, default=60)
        parser.add_argument(
            "--keepalive", type=int, default=int(os.environ.get("WEB_KEEPALIVE", "5"))
        )

    def handle(self, *args: Any, **options: Any) -> None:
        run_gunicorn(
            options["bind"],
            options["workers"],
            options["threads"],
            options["timeout"],
            options["keepalive"],
        )

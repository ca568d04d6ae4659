"""The ``gongjiang`` command: every Django management command, plus ``demo``, ``serve``, ``worker``,
``schedule``, ``import-workers``, ``generate``, ``rollups``, ``item-stats`` and the other commands of
the apps."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.settings")
    argv = list(sys.argv if argv is None else argv)
    if len(argv) >= 2 and argv[1] == "demo":
        # The demo is a self-contained instance: make it runnable with nothing configured.
        from .core.demo_env import prepare_demo_environment

        prepare_demo_environment(argv[2:])
    from django.core.management import execute_from_command_line

    argv[0] = "gongjiang"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()

import importlib

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "gongjiang.workforce"
    label = "workforce"
    verbose_name = _("Workforce")

    def ready(self) -> None:
        from . import (
            permissions,  # noqa: F401  (grants this app's permissions to roles)
            timeline,  # noqa: F401  (the registry's own timeline providers)
        )
        from .roster import jobs  # noqa: F401  (the roster import job handler)

        # the skill-structure rollups (workforce/analytics/rollups.py) listen to every worker change
        try:
            rollups = importlib.import_module("gongjiang.workforce.analytics.rollups")
        except ModuleNotFoundError as exc:
            if exc.name != "gongjiang.workforce.analytics.rollups":
                raise
        else:
            connect = getattr(rollups, "connect", None)
            if connect is not None:
                connect()

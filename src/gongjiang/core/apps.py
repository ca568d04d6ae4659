from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gongjiang.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers system checks)
            org_import,  # noqa: F401  (registers the organisation import job handler)
        )

        # every app's todos.py registers its home-page to-dos (core.todos)
        autodiscover_modules("todos")

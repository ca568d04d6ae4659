from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetitionsConfig(AppConfig):
    name = "gongjiang.competitions"
    label = "competitions"
    verbose_name = _("Competitions")

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (grants this app's permissions to roles)

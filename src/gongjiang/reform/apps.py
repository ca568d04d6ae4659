from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReformConfig(AppConfig):
    name = "gongjiang.reform"
    label = "reform"
    verbose_name = _("Reform")

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (grants this app's permissions to roles)

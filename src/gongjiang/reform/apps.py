from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReformConfig(AppConfig):
    name = "gongjiang.reform"
    label = "reform"
    verbose_name = _("Reform")

    def ready(self) -> None:
        from . import bulletin, permissions  # noqa: F401  (grants permissions; registers the bulletin job)

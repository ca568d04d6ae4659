from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "gongjiang.certification"
    label = "certification"
    verbose_name = _("Skill-level evaluation and certificates")

    def ready(self) -> None:
        from . import jobs, permissions  # noqa: F401  (grants permissions, registers job handlers)

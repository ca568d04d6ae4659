from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareersConfig(AppConfig):
    name = "gongjiang.careers"
    label = "careers"
    verbose_name = _("Careers")

    def ready(self) -> None:
        from gongjiang.core.audit_labels import ACTION_LABELS

        from . import pay_import, permissions  # noqa: F401  (registers the job; grants permissions)
        from .audit_labels import LABELS

        ACTION_LABELS.update(LABELS)

        from gongjiang.core.pickers import register_kind, workers_under

        # the worker picker of programme applications: workers a cadre may file for
        register_kind("programme_workers", workers_under("careers.programmes_apply"))

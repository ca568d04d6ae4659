from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "gongjiang.surveys"
    label = "surveys"
    verbose_name = _("Worker surveys")

    def ready(self) -> None:
        from gongjiang.core.audit_labels import ACTION_LABELS

        from . import permissions, sending  # noqa: F401  (permissions; the sending job handler)
        from .audit_labels import LABELS

        ACTION_LABELS.update(LABELS)

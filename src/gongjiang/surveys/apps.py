from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "gongjiang.surveys"
    label = "surveys"
    verbose_name = _("Worker surveys")

    def ready(self) -> None:
        from gongjiang.core.audit_labels import ACTION_LABELS

        # permissions; the sending job handler; the rollups' counter target (core.counters); the
        # answer's fast path (core.hotpath)
        from . import answer_fast, permissions, rollups, sending  # noqa: F401
        from .audit_labels import LABELS

        ACTION_LABELS.update(LABELS)

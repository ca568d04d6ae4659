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
        from gongjiang.core.pickers import register_kind, workers_under

        from . import answer_fast, permissions, reissue, rollups, sending  # noqa: F401
        from .audit_labels import LABELS

        ACTION_LABELS.update(LABELS)
        # the re-issue forms' name search: workers of the subtree where the user manages surveys
        register_kind("survey_workers", workers_under("surveys.manage"))

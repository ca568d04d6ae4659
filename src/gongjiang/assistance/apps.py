from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "gongjiang.assistance"
    label = "assistance"
    verbose_name = _("Assistance and care")

    def ready(self) -> None:
        from gongjiang.core.audit_labels import ACTION_LABELS

        from . import badges, jobs, permissions  # noqa: F401  (grants; registers handlers, badges)
        from .audit_labels import LABELS

        ACTION_LABELS.update(LABELS)

        from gongjiang.core.pickers import register_kind, workers_under

        # the worker picker when opening a file on a worker's behalf: the workers of the
        # subtree where the officer may check applications (core/pickers.py)
        register_kind("hardship_workers", workers_under("assistance.check"))

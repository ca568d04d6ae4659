from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InnovationConfig(AppConfig):
    name = "gongjiang.innovation"
    label = "innovation"
    verbose_name = _("Worker innovation")

    def ready(self) -> None:
        from gongjiang.core.audit_labels import ACTION_LABELS

        from . import permissions, timeline  # noqa: F401  (grants; the worker timeline provider)
        from . import revenue_statements  # noqa: F401  (registers the statements job)
        from .audit_labels import LABELS

        ACTION_LABELS.update(LABELS)

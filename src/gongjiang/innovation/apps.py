from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InnovationConfig(AppConfig):
    name = "gongjiang.innovation"
    label = "innovation"
    verbose_name = _("Worker innovation")

    def ready(self) -> None:
        from gongjiang.core.audit_labels import ACTION_LABELS

        # grants; the statements and export jobs; the worker timeline provider
        from . import exports, permissions, revenue_statements, timeline  # noqa: F401
        from .audit_labels import LABELS

        ACTION_LABELS.update(LABELS)

        # the worker picker of the revenue correction form: workers of the manager's subtree
        from gongjiang.core.pickers import register_kind, workers_under

        from .revenue import MANAGE

        register_kind("revenue_workers", workers_under(MANAGE))

        # studio leaders are marked as experts of the exchange (which never imports studios)
        from .exchange import EXPERT_PROVIDERS
        from .studio_experts import studio_leader_experts

        if studio_leader_experts not in EXPERT_PROVIDERS:
            EXPERT_PROVIDERS.append(studio_leader_experts)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareersConfig(AppConfig):
    name = "gongjiang.careers"
    label = "careers"
    verbose_name = _("Careers")

    def ready(self) -> None:
        from gongjiang.core.audit_labels import ACTION_LABELS

        from . import (  # noqa: F401  (registers the job, the record providers; grants permissions)
            experts,
            experts_record,
            pay_import,
            permissions,
            programmes_batch,
        )
        from .audit_labels import LABELS

        ACTION_LABELS.update(LABELS)

        from gongjiang.core.pickers import register_kind, workers_under

        # the worker picker of programme applications: workers a cadre may file for
        register_kind("programme_workers", workers_under("careers.programmes_apply"))
        # the worker picker of apprentices and enterprise mentors: workers of the pilots a cadre runs
        register_kind("apprentice_workers", workers_under("careers.apprentice_manage"))
        # the worker picker of expert-level applications: workers a cadre may file for
        register_kind("expert_workers", workers_under("careers.experts_apply"))

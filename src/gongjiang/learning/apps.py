from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "gongjiang.learning"
    label = "learning"
    verbose_name = _("Learning")

    def ready(self) -> None:
        from . import (
            bank_io,  # noqa: F401  (registers the question-import job handler)
            calibration,  # noqa: F401  (registers the calibration job handler)
            permissions,  # noqa: F401  (grants this app's permissions to roles)
            stats_jobs,  # noqa: F401  (registers the item-statistics job handler)
        )
        from .timeline import register

        register()

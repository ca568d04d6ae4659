from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "gongjiang.learning"
    label = "learning"
    verbose_name = _("Learning")

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (grants this app's permissions to roles)
        from .bank import transfer  # noqa: F401  (registers the question-import job handler)
        from .statistics import (
            calibration,  # noqa: F401  (registers the calibration job handler)
            jobs,  # noqa: F401  (registers the item-statistics job handler)
        )
        from .timeline import register

        register()

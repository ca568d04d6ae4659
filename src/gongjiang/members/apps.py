from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "gongjiang.members"
    label = "members"
    verbose_name = _("Member services")

    def ready(self) -> None:
        from gongjiang.core.audit_labels import ACTION_LABELS

        # grants permissions; the book check job; the contest tallies' counter target (core.counters);
        # the contest answer's fast path (core.hotpath)
        from . import campaign_tallies, contest_fast, library_jobs, permissions  # noqa: F401
        from .audit_labels import LABELS

        ACTION_LABELS.update(LABELS)

"""What the programme services share: the permissions, the application states, and the checks of a
step on one application (its lock and the separation of duties). Both ``programmes`` and
``programmes_steps`` import it, so neither imports the other."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from gongjiang.core.duties import DutyConflict, same_person
from gongjiang.core.errors import ConflictError

from .models_programmes import ProgrammeApplication

VIEW = "careers.programmes_view"
APPLY = "careers.programmes_apply"
MANAGE = "careers.programmes_manage"
Status = ProgrammeApplication.Status


def _lock(application: ProgrammeApplication, *states: str) -> ProgrammeApplication:
    locked = (
        ProgrammeApplication.objects.select_for_update()
        .select_related("programme", "programme__organization", "worker", "worker__organization")
        .get(pk=application.pk)
    )
    if locked.status not in states:
        raise ConflictError(
            _("The application is “%(s)s”; this step is not possible now.")
            % {"s": locked.get_status_display()},
            code="wrong_status",
        )
    return locked


def _not_nominator(actor: Any, a: ProgrammeApplication, action: str) -> None:
    if same_person(actor, a.submitted_by_id) or same_person(actor, a.worker.user_id):
        raise DutyConflict(
            _("Whoever filed or nominated an application does not decide it or pay it."),
            action=action,
            obj=a,
            organization=a.programme.organization,
            reason="nominator",
        )

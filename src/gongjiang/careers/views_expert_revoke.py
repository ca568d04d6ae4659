"""Revoking an expert appointment during its term (解聘), from the appointment's page: one form
(the day and the reason), the same service as the API. Out of scope: 404 like the page itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core.errors import field_error

from . import experts
from . import experts_selectors as sel
from .views_honours import _error_text


def may_revoke(user: Any, appointment: Any) -> bool:
    """Show the form: someone who may appoint in the enterprise, not the expert, while the
    appointment is not revoked and its term has not ended."""
    return (
        appointment.revoked_on is None
        and appointment.term_end >= timezone.localdate()
        and access.can(user, experts.APPOINT, appointment.organization)
        and appointment.worker.user_id != user.pk
    )


def _day(value: str) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise field_error("on", _("Give a date as YYYY-MM-DD.")) from None


@login_required
@require_POST
def appointment_revoke(request: HttpRequest, code: str) -> HttpResponse:
    appointment = sel.appointment_get(request.user, code)
    try:
        experts.expert_appointment_revoke(
            actor=request.user,
            appointment=appointment,
            reason=request.POST.get("reason", ""),
            on=_day(request.POST.get("on", "")),
        )
    except experts.ApplicationError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("The appointment is revoked."))
    return redirect("careers:expert_appointment", code=appointment.code)

"""The page step drawing up an advance of a cohort's yearly subsidy (预拨): the same service as
``POST /api/v1/careers/apprenticeship/cohorts/{code}/claims/advance``. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core.errors import ApplicationError

from . import apprenticeship as svc
from . import apprenticeship_selectors as sel
from .form_values import whole_number
from .views_apprentice import _fail


@login_required
@require_POST
def claim_advance_create(request: HttpRequest, code: str) -> HttpResponse:
    cohort = sel.cohort_get(request.user, code)
    try:
        claim = svc.apprentice_claim_advance_create(
            actor=request.user,
            cohort=cohort,
            year=whole_number(request.POST.get("year"), "year", digits=4),
            percent=request.POST.get("percent", ""),
        )
    except (ApplicationError, ValidationError) as exc:
        _fail(request, exc)
        return redirect("careers:apprentice_cohort", code=cohort.code)
    messages.success(request, _("Advance drawn up: attach its documents and submit it."))
    return redirect("careers:apprentice_claim", code=claim.code)

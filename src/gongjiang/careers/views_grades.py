"""HR records and ends a worker's management grade (管理职级) from the worker's career page.
Thin: the services of grades.py; scoped like every worker page (404 outside the subtree)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core.errors import ApplicationError

from . import grades, selectors
from .views import _error_text


def _day(value: str) -> dt.date:
    return dt.date.fromisoformat((value or "")[:10])


def _refused(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, ApplicationError) and getattr(exc, "status", 400) == 403:
        raise PermissionDenied(exc.message) from exc
    messages.error(request, _error_text(exc))


@login_required
@require_POST
def grade_record(request: HttpRequest, code: str) -> HttpResponse:
    worker = selectors.worker_get(request.user, code)
    post = request.POST
    try:
        grades.management_grade_record(
            actor=request.user,
            worker=worker,
            grade=post.get("grade", "")[:30],
            since=_day(post.get("since", "")),
            document=post.get("document", ""),  # whole: refused past 60, never cut
        )
    except ValueError:
        messages.error(request, _("Give the date as YYYY-MM-DD."))
    except (ApplicationError, ValidationError) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Management grade recorded."))
    return redirect("careers:worker", code=worker.code)


@login_required
@require_POST
def grade_end(request: HttpRequest, code: str) -> HttpResponse:
    record = grades.grade_get(request.user, code)
    try:
        grades.management_grade_end(
            actor=request.user,
            record=record,
            ended_on=_day(request.POST.get("ended_on", "")),
            reason=request.POST.get("reason", ""),  # whole: refused past 200, never cut
        )
    except ValueError:
        messages.error(request, _("Give the date as YYYY-MM-DD."))
    except (ApplicationError, ValidationError) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Management grade ended."))
    return redirect("careers:worker", code=record.worker.code)

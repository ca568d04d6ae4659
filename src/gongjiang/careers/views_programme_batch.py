"""The programme page's batch payment of academic-year subsidies: a table of what is due now (all
years, and each academic year), each with its button confirming the count and the total; the post
pays at once or starts a background job (then the job's page shows its progress). Thin: the same
service as the API (programmes_batch)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core.errors import ApplicationError, field_error

from . import programmes_batch as batch
from . import programmes_selectors as sel
from .form_values import whole_number
from .models_programmes import SubsidyBasis
from .views_honours import _error_text


def subsidy_runs(user: Any, p: Any) -> dict[str, Any] | None:
    """What a run would pay now, in all and per academic year (None: not a per-year programme)."""
    if p.subsidy_basis != SubsidyBasis.PER_YEAR or not p.subsidy_per_year:
        return None
    run = batch.subsidies_due(actor=user, programme=p)
    per_year = Counter(d.n for d in run.due)
    rows = [
        {"year": n, "count": c, "total": (p.subsidy_per_year * c).quantize(Decimal("0.01"))}
        for n, c in sorted(per_year.items())
    ]
    return {
        "count": run.count,
        "total": run.total,
        "left_out": run.left_out,
        "years": rows,
        "background_from": batch.BACKGROUND_FROM,
    }


@login_required
@require_POST
def subsidies_pay(request: HttpRequest, code: str) -> HttpResponse:
    p = sel.programme_get(request.user, code)
    post = request.POST
    try:
        year = post.get("academic_year", "").strip()
        count = post.get("expected_count", "").strip()
        total = post.get("expected_total", "").strip()
        try:
            expected_total = Decimal(total) if total else None
        except ArithmeticError:
            raise field_error("expected_total", _("Give the amount as a number.")) from None
        started = batch.programme_subsidies_run(
            actor=request.user,
            programme=p,
            academic_year=whole_number(year, "academic_year", digits=1) if year else None,
            reference=post.get("reference", ""),
            expected_count=whole_number(count, "expected_count", digits=7) if count else None,
            expected_total=expected_total,
        )
    except PermissionDenied:
        raise
    except (ApplicationError, ValidationError) as exc:
        if isinstance(exc, ApplicationError) and exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, _error_text(exc))
        return redirect("careers:programme", code=p.code)
    if started.job is not None:
        return redirect("core:job_detail", code=started.job.code)
    run = started.run
    assert run is not None
    if run.count:
        messages.success(
            request,
            _("Paid %(count)s academic years, %(total)s yuan.")
            % {"count": run.count, "total": run.total},
        )
    else:
        messages.info(request, _("Nothing was due: nothing was paid."))
    return redirect("careers:programme", code=p.code)

"""Paying every due academic year of a programme in one run (批量发放学年补贴): each enrolled (or
completed) worker's years that have begun and are not paid — optionally of one academic year only —
each a debit of the programme's fund exactly as ``programme_subsidy_pay`` pays one year.

The rules of the single payment hold: the programme's managers (``careers.programmes_manage`` on
the programme's organisation) pay; never for an application they filed or nominated, nor for
themselves — those years are left out of the run (named in the preview and the result) for
another manager. All or nothing: when the fund cannot pay the whole run, nothing is paid. A run
is idempotent: it pays what is due when it runs, so a second run finds nothing left; the
applications are locked (in one order, before the fund, as the single payment locks them) so
concurrent runs and single payments never pay a year twice. The page and the API confirm what
they saw (count and total): when it changed meanwhile the run is refused and nothing is paid.

A run of more than ``BACKGROUND_FROM`` years goes to a background job (core.jobs) whose page shows
it queued, paying, then done with what it paid (the payment itself is one transaction, so there is
no partial progress anyone could see); smaller runs are paid at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit
from gongjiang.core.duties import same_person
from gongjiang.core.errors import ConflictError, field_error
from gongjiang.core.jobs import Progress, job_handler, job_start
from gongjiang.core.ledger.models import Fund
from gongjiang.core.models import Job

from .models_programmes import (
    MAX_YEARS,
    Programme,
    ProgrammeApplication,
    ProgrammeSubsidyLine,
    SubsidyBasis,
)
from .programmes_common import MANAGE, Status
from .programmes_subsidy import pay_one_year, schedule

JOB_KIND = "careers.programme_subsidies_pay"
BACKGROUND_FROM = 300  # years in one run above which it runs as a background job
REFERENCE_MAX = 200


@dataclass
class DueYear:
    application: ProgrammeApplication
    n: int
    starts: dt.date


@dataclass
class Run:
    """What a run pays (or paid): the years, their total, and the years left out because the
    actor filed or nominated the application (or is the worker)."""

    academic_year: int | None
    due: list[DueYear] = field(default_factory=list)
    left_out: int = 0
    amount: Decimal = Decimal("0.00")

    @property
    def count(self) -> int:
        return len(self.due)

    @property
    def total(self) -> Decimal:
        return (self.amount * self.count).quantize(Decimal("0.01"))

    def as_dict(self) -> dict[str, Any]:
        return {
            "academic_year": self.academic_year,
            "count": self.count,
            "total": str(self.total),
            "left_out": self.left_out,
        }


def _check(programme: Programme, academic_year: Any) -> int | None:
    if programme.subsidy_basis != SubsidyBasis.PER_YEAR or not programme.subsidy_per_year:
        raise ConflictError(
            _("The programme pays no subsidy per academic year."), code="not_per_year"
        )
    if academic_year in (None, ""):
        return None
    if (
        isinstance(academic_year, bool)
        or not isinstance(academic_year, int)
        or not 1 <= academic_year <= min(programme.subsidy_years, MAX_YEARS)
    ):
        raise field_error(
            "academic_year",
            _("The programme subsidises academic years 1 to %(n)s.")
            % {"n": programme.subsidy_years},
        )
    return academic_year


def _due(actor: Any, programme: Programme, academic_year: int | None, *, lock: bool = False) -> Run:
    """Every due, unpaid year of the programme (locked in id order when ``lock``)."""
    apps = (
        ProgrammeApplication.objects.filter(
            programme=programme,
            status__in=(Status.ENROLLED, Status.COMPLETED),
            enrolled_on__isnull=False,
        )
        .select_related("programme", "worker")
        .order_by("id")
    )
    if lock:
        apps = apps.select_for_update(of=("self",))
    rows = list(apps)
    paid: dict[int, dict[int, bool]] = {}
    for app_id, n in ProgrammeSubsidyLine.objects.filter(
        application__programme=programme
    ).values_list("application_id", "academic_year"):
        paid.setdefault(app_id, {})[n] = True
    today = timezone.localdate()
    run = Run(academic_year, amount=programme.subsidy_per_year)
    for a in rows:
        a.programme = programme
        years = [
            r
            for r in schedule(a, today, paid.get(a.pk, {}))
            if r.due and (academic_year is None or r.n == academic_year)
        ]
        if not years:
            continue
        if same_person(actor, a.submitted_by_id) or same_person(actor, a.worker.user_id):
            run.left_out += len(years)
            continue
        run.due += [DueYear(a, r.n, r.starts) for r in years]
    return run


def subsidies_due(*, actor: Any, programme: Programme, academic_year: Any = None) -> Run:
    """The preview of a run: what it would pay now (nothing changes)."""
    access.require(actor, MANAGE, programme.organization)
    return _due(actor, programme, _check(programme, academic_year))


def _reference(reference: str) -> str:
    reference = (reference or "").strip()
    if len(reference) > REFERENCE_MAX:
        raise field_error(
            "reference",
            _("The voucher number is at most %(max)d characters.") % {"max": REFERENCE_MAX},
        )
    return reference


def _expect(run: Run, count: Any, total: Any) -> None:
    changed = (count is not None and int(count) != run.count) or (
        total not in (None, "") and Decimal(str(total)) != run.total
    )
    if changed:
        raise ConflictError(
            _(
                "What is due changed since you looked: %(count)s years, %(total)s yuan now. "
                "Nothing was paid; confirm again."
            )
            % {"count": run.count, "total": run.total},
            code="changed",
            details=[{"field": "expected", "error": str(run.as_dict())}],
        )


def programme_subsidies_pay_due(
    *,
    actor: Any,
    programme: Programme,
    academic_year: Any = None,
    reference: str = "",
    expected_count: int | None = None,
    expected_total: Any = None,
    progress: Progress | None = None,
) -> Run:
    """Pay every due, unpaid academic year of the programme (of ``academic_year`` only when
    given) in one transaction: all or nothing."""
    access.require(actor, MANAGE, programme.organization)
    year = _check(programme, academic_year)
    reference = _reference(reference)
    with transaction.atomic():
        programme = Programme.objects.select_related("organization", "fund").get(pk=programme.pk)
        run = _due(actor, programme, year, lock=True)
        _expect(run, expected_count, expected_total)
        if not run.due:
            return run
        fund = Fund.objects.select_for_update().get(pk=programme.fund_id)
        if run.total > fund.balance:
            message = _(
                "The fund holds %(balance)s yuan; the run needs %(total)s yuan for %(count)s "
                "years. Nothing was paid."
            ) % {"balance": fund.balance, "total": run.total, "count": run.count}
            raise field_error("amount", message, "insufficient_funds", status=409)
        for d in run.due:
            pay_one_year(
                actor=actor,
                programme=programme,
                fund=fund,
                application=d.application,
                n=d.n,
                starts=d.starts,
                reference=reference,
                run=True,
            )
        audit(
            actor=actor,
            action="careers.programme_subsidy_run",
            obj=programme,
            organization=programme.organization,
            details={**run.as_dict(), "reference": reference},
        )
    if progress is not None:  # after the commit: inside it no other connection could see it
        progress(run.count, run.count, _("Paid"))
    return run


@dataclass
class Started:
    run: Run | None = None
    job: Job | None = None


def programme_subsidies_run(
    *,
    actor: Any,
    programme: Programme,
    academic_year: Any = None,
    reference: str = "",
    expected_count: int | None = None,
    expected_total: Any = None,
) -> Started:
    """Pay at once, or start a background job when the run is large (what pages and API call)."""
    preview = subsidies_due(actor=actor, programme=programme, academic_year=academic_year)
    reference = _reference(reference)
    if preview.count <= BACKGROUND_FROM:
        return Started(
            run=programme_subsidies_pay_due(
                actor=actor,
                programme=programme,
                academic_year=academic_year,
                reference=reference,
                expected_count=expected_count,
                expected_total=expected_total,
            )
        )
    _expect(preview, expected_count, expected_total)
    job = job_start(
        actor=actor,
        kind=JOB_KIND,
        organization=programme.organization,
        params={
            "programme": programme.code,
            "academic_year": preview.academic_year,
            "reference": reference,
            "expected_count": preview.count,
            "expected_total": str(preview.total),
        },
    )
    return Started(job=job)


@job_handler(JOB_KIND)
def run_programme_subsidies(job: Job, progress: Progress) -> dict[str, Any]:
    actor = get_user_model().objects.get(pk=job.created_by_id)
    access.forget(actor)
    programme = Programme.objects.select_related("organization", "fund").get(
        code=job.params["programme"]
    )
    progress(0, job.params.get("expected_count") or 0, _("Paying"))
    run = programme_subsidies_pay_due(
        actor=actor,
        programme=programme,
        academic_year=job.params.get("academic_year"),
        reference=job.params.get("reference", ""),
        expected_count=job.params.get("expected_count"),
        expected_total=job.params.get("expected_total"),
        progress=progress,
    )
    return run.as_dict()

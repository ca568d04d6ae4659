"""The subsidy of a programme paid per academic year of enrolment (每人每学年 …): one line per
academic year, each a debit of the programme's fund, by the programme's managers and never by the
applicant's nominator or the worker (the rules of the completion payment, programmes_steps).

Academic year ``n`` starts ``n − 1`` years after the enrolment day (an anniversary on 29 February
falls on 1 March) and is payable from that day while the worker is enrolled — or, once they have
completed, for the years that started before the completion day; at most the programme's
``subsidy_years`` years. A worker who dropped out is paid no further year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core.actors import audit, user_or_none
from gongjiang.core.errors import ConflictError, field_error
from gongjiang.core.ledger.services import fund_debit

from .form_values import bounded_text
from .models_programmes import (
    MAX_YEARS,
    ProgrammeApplication,
    ProgrammeSubsidyLine,
    SubsidyBasis,
)
from .programmes_common import Status


def year_from(enrolled_on: dt.date, n: int) -> dt.date:
    """The first day of academic year ``n`` (1 = the enrolment day)."""
    try:
        return enrolled_on.replace(year=enrolled_on.year + n - 1)
    except ValueError:  # 29 February
        return dt.date(enrolled_on.year + n - 1, 3, 1)


@dataclass
class YearRow:
    n: int
    starts: dt.date
    amount: Decimal
    line: ProgrammeSubsidyLine | None
    due: bool  # started, not paid, and payable now


def schedule(
    a: ProgrammeApplication,
    on: dt.date | None = None,
    paid: dict[int, Any] | None = None,
) -> list[YearRow]:
    """Every academic year the programme subsidises for this enrolment, paid or not (``paid``:
    the years already paid, when the caller read them for many applications at once)."""
    p = a.programme
    if p.subsidy_basis != SubsidyBasis.PER_YEAR or not a.enrolled_on or not p.subsidy_years:
        return []
    on = on or timezone.localdate()
    last = a.completed_on if a.status == Status.COMPLETED and a.completed_on else None
    if paid is None:
        paid = {line.academic_year: line for line in a.subsidy_lines.select_related("entry")}
    rows = []
    for n in range(1, p.subsidy_years + 1):
        starts = year_from(a.enrolled_on, n)
        payable = a.status in (Status.ENROLLED, Status.COMPLETED) and starts <= on
        if last is not None and starts > last:
            payable = False
        line = paid.get(n)
        rows.append(YearRow(n, starts, p.subsidy_per_year, line, payable and line is None))
    return rows


def paid_total(a: ProgrammeApplication) -> Decimal | None:
    """What the worker has been paid by the programme (None when nothing)."""
    if a.subsidy_entry_id:
        return a.subsidy_entry.amount
    total = a.subsidy_lines.aggregate(s=Sum("amount"))["s"]
    return total if total else None


def pay_year(
    *, actor: Any, a: ProgrammeApplication, academic_year: int | None, reference: str
) -> ProgrammeSubsidyLine:
    """Pay one academic year (the earliest due one when ``academic_year`` is None). Called by
    ``programme_subsidy_pay`` inside its transaction, after its permission and duty checks, with
    the application locked."""
    p = a.programme
    if not p.subsidy_per_year or not p.subsidy_years:
        raise ConflictError(_("The programme pays no subsidy."), code="no_subsidy")
    if academic_year is not None and (
        isinstance(academic_year, bool)
        or not isinstance(academic_year, int)
        or not 1 <= academic_year <= min(p.subsidy_years, MAX_YEARS)
    ):
        raise field_error(
            "academic_year",
            _("The programme subsidises academic years 1 to %(n)s.") % {"n": p.subsidy_years},
        )
    rows = schedule(a)
    if academic_year is None:
        due = [r for r in rows if r.due]
        if not due:
            raise ConflictError(
                _("No academic year's subsidy is due now."),
                code="nothing_due",
                details=[{"field": "academic_year", "error": _("Nothing is due.")}],
            )
        row = due[0]
    else:
        row = rows[academic_year - 1]
        if row.line is not None:
            raise ConflictError(
                _("The subsidy of academic year %(n)s is paid.") % {"n": row.n},
                code="already_paid",
            )
        if not row.due:
            raise ConflictError(
                _("Academic year %(n)s (from %(day)s) is not payable now.")
                % {"n": row.n, "day": row.starts.isoformat()},
                code="not_due",
                details=[{"field": "academic_year", "error": _("Not payable now.")}],
            )
    line = pay_one_year(
        actor=actor,
        programme=p,
        fund=p.fund,
        application=a,
        n=row.n,
        starts=row.starts,
        reference=bounded_text(reference, "reference", 200),
    )
    return line


def pay_one_year(
    *,
    actor: Any,
    programme: Any,
    fund: Any,
    application: Any,
    n: int,
    starts: Any,
    reference: str,
    run: bool = False,
) -> ProgrammeSubsidyLine:
    """Pay one academic year's subsidy (the caller has checked that it is due and unpaid and
    holds the fund's lock): the fund's debit, the ledger line, the audit row. Used by the single
    payment and by the run that pays every due year (``programmes_batch``)."""
    a = application
    entry = fund_debit(
        actor=actor,
        fund=fund,
        amount=programme.subsidy_per_year,
        about=a,
        reference=reference,
        memo=f"{programme.title[:180]} {a.worker.name} {n}/{programme.subsidy_years}",
    )
    line = ProgrammeSubsidyLine(
        application=a,
        academic_year=n,
        year_from=starts,
        amount=entry.amount,
        entry=entry,
        reference=reference,
        paid_by=user_or_none(actor),
    )
    line.full_clean(exclude=["code", "application", "entry"], validate_constraints=False)
    line.save()
    details: dict[str, Any] = {
        "academic_year": n,
        "amount": str(entry.amount),
        "entry": entry.code,
        "line": line.code,
    }
    if run:
        details["run"] = True
    audit(
        actor=actor,
        action="careers.programme_subsidy",
        obj=a,
        organization=programme.organization,
        details=details,
    )
    return line


def owed_total(programme: Any) -> Decimal:
    """What the programme still owes its enrolled and completed workers (the enrolment check):
    the completion payment of everyone not paid yet; per academic year, every year not paid of
    those still enrolled, and of those who completed the years begun before their completion."""
    owed_states = (Status.ENROLLED, Status.COMPLETED)
    apps = ProgrammeApplication.objects.filter(programme=programme, status__in=owed_states)
    if programme.subsidy_basis != SubsidyBasis.PER_YEAR:
        return apps.filter(subsidy_entry__isnull=True).count() * programme.subsidy_per_person
    paid = dict(
        ProgrammeSubsidyLine.objects.filter(application__in=apps)
        .values_list("application_id")
        .annotate(n=Count("id"))
    )
    years = 0
    for pk, status, enrolled_on, completed_on in apps.values_list(
        "pk", "status", "enrolled_on", "completed_on"
    ).iterator(2000):
        owed = programme.subsidy_years
        if status == Status.COMPLETED and enrolled_on and completed_on:
            owed = sum(
                1
                for n in range(1, programme.subsidy_years + 1)
                if year_from(enrolled_on, n) <= completed_on
            )
        years += max(owed - paid.get(pk, 0), 0)
    return years * programme.subsidy_per_year

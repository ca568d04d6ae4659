"""Revenue sharing (收益分红) of commercialised results: services and reads.

A scheme fixes how a result is commercialised (transfer, licence, equity, own use) and the team's
share — the statutory minimum of 《促进科技成果转化法》 art. 45 (split.STATUTORY_DEFAULTS) or a larger
share agreed with the team. Each year one user enters the figure (net income, equity value or
operating profit) and another certifies it (separation of duties; nobody on the team certifies);
certifying computes the pool (amount × share, half up to the fen) and splits it by contribution
with split.split_by_contribution, so the parts add up to the pool exactly. A certified cash year is
paid from the scheme's fund through the core ledger, one debit per part, all or nothing. Own use
shares operating profit for the scheme's 3 to 5 years only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.access import get_visible_or_404
from gongjiang.core.actors import audit as audit_record
from gongjiang.core.actors import user_or_none
from gongjiang.core.duties import DutyConflict, audited_refusals, same_person
from gongjiang.core.errors import ApplicationError, ConflictError, field_error
from gongjiang.core.ledger.models import Fund
from gongjiang.core.ledger.services import fund_debit
from gongjiang.workforce.models import Worker

from .fund_budgets import BudgetGuard
from .models_results import Result
from .models_revenue import RevenuePart, RevenueScheme, RevenueYear
from .split import FEN, STATUTORY_DEFAULTS, parse_money, resolve_share, split_by_contribution

VIEW = "innovation.view_revenue"
# the parts that count: not replaced by an approved correction (revenue_corrections.py)
CURRENT_OF_YEARS = Q(years__parts__replaced_by__isnull=True)
MANAGE = "innovation.manage_revenue"
CERTIFY = "innovation.certify_revenue"
ROUNDING_RULE = (
    "pool = amount × share, half up to the fen; each part = pool × contribution ÷ 100 cut down to "
    "the fen; the fen left over go one each to the largest remainders (ties: larger contribution, "
    "then worker code)"
)


def _team_user_ids(result: Result) -> set[int]:
    ids = result.members.values_list("worker__user_id", flat=True)
    return {uid for uid in ids if uid is not None}


@transaction.atomic
def revenue_scheme_create(
    *,
    actor: Any,
    result: Result,
    mode: str,
    first_year: int,
    share: Decimal | None = None,
    agreement: str = "",
    own_use_years: int | None = None,
    fund: Fund | None = None,
) -> RevenueScheme:
    """A scheme for an adopted result; ``share`` None takes the statutory minimum, a share below it
    is refused (422 ``below_statutory_minimum``)."""
    access.require(actor, MANAGE, result.organization)
    if not result.is_adopted:
        raise ConflictError(
            _("Only an adopted result can share revenue."), code="result_not_adopted"
        )
    if mode not in STATUTORY_DEFAULTS:
        raise field_error("mode", _("Unknown mode."), "invalid_mode")
    applied = resolve_share(mode, share)
    agreement = (agreement or "").strip()
    basis = RevenueScheme.Basis.STATUTORY if share is None else RevenueScheme.Basis.AGREEMENT
    if mode == "own_use" and own_use_years is None:
        own_use_years = STATUTORY_DEFAULTS["own_use"].years[0]  # type: ignore[index]
    if fund is not None and not result.organization.path.startswith(fund.organization.path):
        raise field_error(
            "fund",
            _("The fund belongs to an organisation outside this result's."),
            "fund_elsewhere",
        )
    if RevenueScheme.objects.filter(result=result, mode=mode).exists():
        raise ConflictError(
            _("This result already has a scheme for this mode."), code="scheme_exists"
        )
    scheme = RevenueScheme(
        result=result,
        organization=result.organization,
        mode=mode,
        basis=basis,
        share=applied,
        agreement=agreement,
        first_year=first_year,
        own_use_years=own_use_years if mode == "own_use" else None,
        fund=fund,
        created_by=user_or_none(actor),
    )
    scheme.full_clean()
    scheme.save()
    audit_record(
        actor=actor,
        action="innovation.revenue_scheme_create",
        obj=scheme,
        details={
            "result": result.code,
            "mode": mode,
            "share": str(applied),
            "basis": basis,
            "own_use_years": scheme.own_use_years,
        },
    )
    return scheme


def _check_year(scheme: RevenueScheme, year: int) -> None:
    if not 2000 <= year <= 2100:
        raise field_error("year", _("A year between 2000 and 2100."), "invalid_year")
    if year < scheme.first_year:
        raise field_error(
            "year",
            _("The scheme starts in %(first)d.") % {"first": scheme.first_year},
            "before_first_year",
        )
    last = scheme.last_year
    if last is not None and year > last:
        raise field_error(
            "year",
            _(
                "Own use shares the operating profit for %(n)d years (%(first)d–%(last)d); "
                "%(year)d is outside them."
            )
            % {"n": scheme.own_use_years, "first": scheme.first_year, "last": last, "year": year},
            "own_use_years_exceeded",
        )


@transaction.atomic
def revenue_year_enter(
    *, actor: Any, scheme: RevenueScheme, year: int, amount: Decimal, note: str = ""
) -> RevenueYear:
    """Enter (or correct, while not certified) the year's figure."""
    scheme = RevenueScheme.objects.select_for_update().get(pk=scheme.pk)
    access.require(actor, MANAGE, scheme.organization)
    _check_year(scheme, year)
    amount = parse_money(Decimal(amount))
    row = RevenueYear.objects.filter(scheme=scheme, year=year).first()
    if row is not None and row.status != RevenueYear.Status.ENTERED:
        raise ConflictError(
            _("The year %(year)d is already certified.") % {"year": year}, code="year_certified"
        )
    if row is None:
        row = RevenueYear(scheme=scheme, year=year)
    row.amount = amount
    row.note = (note or "").strip()
    row.entered_by = user_or_none(actor)
    row.full_clean()
    row.save()
    audit_record(
        actor=actor,
        action="innovation.revenue_year_enter",
        obj=row,
        organization=scheme.organization,
        details={"scheme": scheme.code, "year": year, "amount": amount},
    )
    return row


@audited_refusals
@transaction.atomic
def revenue_year_certify(*, actor: Any, year: RevenueYear) -> RevenueYear:
    """Certify the figure: the pool and each member's part are computed and frozen."""
    row = RevenueYear.objects.select_for_update().select_related("scheme").get(pk=year.pk)
    scheme = row.scheme
    access.require(actor, CERTIFY, scheme.organization)
    if row.status != RevenueYear.Status.ENTERED:
        raise ConflictError(_("This year is already certified."), code="year_certified")
    if same_person(actor, row.entered_by_id):
        raise DutyConflict(
            _("You entered this figure; another person certifies it."),
            action="innovation.revenue_year_certify",
            obj=row,
            organization=scheme.organization,
            reason="entered_by",
        )
    if getattr(actor, "pk", None) in _team_user_ids(scheme.result):
        raise DutyConflict(
            _("You are on the result's team; another person certifies its revenue."),
            action="innovation.revenue_year_certify",
            obj=row,
            organization=scheme.organization,
            reason="team_member",
        )
    members = list(scheme.result.members.select_related("worker").order_by("position", "id"))
    pool = (row.amount * scheme.share).quantize(FEN, rounding="ROUND_HALF_UP")
    parts = split_by_contribution(pool, [(m.worker.code, m.contribution) for m in members])
    RevenuePart.objects.bulk_create(
        [
            RevenuePart(
                year=row,
                worker=m.worker,
                contribution=part.contribution,
                exact=part.exact.quantize(Decimal("0.000001")),
                amount=part.amount,
                extra_fen=part.extra_fen,
                position=i,
            )
            for i, (m, part) in enumerate(zip(members, parts, strict=True))
        ]
    )
    row.share = scheme.share
    row.pool = pool
    row.status = RevenueYear.Status.CERTIFIED
    row.certified_by = user_or_none(actor)
    row.certified_at = timezone.now()
    row.save(update_fields=["share", "pool", "status", "certified_by", "certified_at"])
    audit_record(
        actor=actor,
        action="innovation.revenue_year_certify",
        obj=row,
        organization=scheme.organization,
        details={
            "pool": pool,
            "parts": [[p.worker, str(p.amount)] for p in parts],
        },
    )
    return row


@audited_refusals
@transaction.atomic
def revenue_year_pay(*, actor: Any, year: RevenueYear) -> list[Any]:
    """Pay a certified cash year from the scheme's fund: one ledger debit per part, all or nothing
    (the ledger refuses to go below zero: 409 ``insufficient_funds``). An equity allotment is not
    paid in cash."""
    row = RevenueYear.objects.select_for_update().select_related("scheme").get(pk=year.pk)
    scheme = row.scheme
    access.require(actor, MANAGE, scheme.organization)
    if row.status == RevenueYear.Status.PAID:
        raise ConflictError(_("This year is already paid."), code="already_paid")
    if row.status != RevenueYear.Status.CERTIFIED:
        raise ConflictError(_("Certify the year before paying it."), code="year_not_certified")
    if scheme.mode == RevenueScheme.Mode.EQUITY:
        raise ConflictError(
            _("Equity is allotted as shares, not paid from a fund."), code="equity_not_cash"
        )
    if scheme.fund is None:
        raise ApplicationError(_("The scheme has no fund to pay from."), code="no_fund")
    if getattr(actor, "pk", None) in _team_user_ids(scheme.result):
        raise DutyConflict(
            _("You are on the result's team; another person pays its shares."),
            action="innovation.revenue_year_pay",
            obj=row,
            organization=scheme.organization,
            reason="team_member",
        )
    guard = BudgetGuard(scheme.fund)  # the fund's yearly budget (fund_budgets.py)
    entries = []
    current = row.parts.filter(replaced_by__isnull=True)  # a correction may have replaced some
    for part in current.select_related("worker").order_by("position", "id"):
        if part.amount > 0:
            entries.append(
                fund_debit(
                    actor=actor,
                    fund=scheme.fund,
                    amount=part.amount,
                    about=part,
                    reference=row.code,
                    memo=f"{scheme.result.title} {row.year} {part.worker.name}"[:200],
                )
            )
    guard.check()
    row.status = RevenueYear.Status.PAID
    row.paid_by = user_or_none(actor)
    row.paid_at = timezone.now()
    row.save(update_fields=["status", "paid_by", "paid_at"])
    audit_record(
        actor=actor,
        action="innovation.revenue_year_pay",
        obj=row,
        organization=scheme.organization,
        details={"pool": row.pool, "entries": len(entries)},
    )
    return entries


# ------------------------------------------------------------------------------------------ reads


def scheme_list(*, actor: Any) -> QuerySet[RevenueScheme]:
    return (
        RevenueScheme.objects.visible_to(actor)
        .select_related("result", "result__employer", "fund")
        .annotate(
            n_years=Count("years", distinct=True),
            total_pool=Sum("years__parts__amount", filter=CURRENT_OF_YEARS),
        )
        .order_by("-created_at", "-id")
    )


def scheme_get(*, actor: Any, code: str) -> RevenueScheme:
    return get_visible_or_404(
        RevenueScheme.objects.select_related("result", "result__employer", "organization", "fund"),
        actor,
        code=code,
    )


def year_get(*, actor: Any, code: str) -> RevenueYear:
    return get_visible_or_404(
        RevenueYear.objects.select_related("scheme", "scheme__result", "scheme__organization"),
        actor,
        code=code,
    )


def scheme_years(scheme: RevenueScheme) -> list[RevenueYear]:
    years = list(
        scheme.years.select_related("entered_by", "certified_by", "paid_by").prefetch_related(
            "parts__worker", "corrections"
        )
    )
    return years


def eligible_results(*, actor: Any) -> QuerySet[Result]:
    """Adopted results in the actor's scope (for a new scheme)."""
    return (
        Result.objects.visible_to(actor, MANAGE)
        .filter(status__in=Result.ADOPTED_STATES)
        .select_related("employer")
        .order_by("title", "id")
    )


TOTAL_GROUPS = {
    "result": ("year__scheme__result__code", "year__scheme__result__title"),
    "worker": ("worker__code", "worker__name"),
    "employer": ("year__scheme__result__employer_id", "year__scheme__result__employer__name"),
}


def revenue_totals(*, actor: Any, by: str = "result") -> list[dict[str, Any]]:
    """Totals of the certified parts in the actor's scope, by result, worker or employer: the
    pool shared, what is paid, what is still to pay (one grouped query each)."""
    if by not in TOTAL_GROUPS:
        raise field_error("by", _("Group by result, worker or employer."), "invalid_group")
    key, name = TOTAL_GROUPS[by]
    parts = RevenuePart.objects.visible_to(actor).filter(replaced_by__isnull=True)
    rows = []
    for row in (
        parts.values(key, name).annotate(total=Sum("amount"), n=Count("id")).order_by(name, key)
    ):
        total = (row["total"] or Decimal(0)).quantize(FEN)
        rows.append({"key": str(row[key]), "name": row[name], "total": total, "n": row["n"]})
    paid = dict(
        parts.filter(year__status=RevenueYear.Status.PAID)
        .values(key)
        .annotate(total=Sum("amount"))
        .values_list(key, "total")
    )
    for row in rows:
        done = paid.get(row["key"]) or paid.get(_int_or(row["key"])) or Decimal(0)
        done = done.quantize(FEN)
        row["paid"] = done
        row["unpaid"] = row["total"] - done
    rows.sort(key=lambda r: (-r["total"], r["name"]))
    return rows


def _int_or(value: str) -> Any:
    return int(value) if value.isdigit() else value


def my_parts(*, actor: Any) -> QuerySet[RevenuePart]:
    """The certified parts of the actor's own worker record (any organisation) that count."""
    if not getattr(actor, "is_authenticated", False):
        return RevenuePart.objects.none()
    return RevenuePart.objects.filter(worker__user=actor, replaced_by__isnull=True).select_related(
        "year",
        "year__scheme",
        "year__scheme__result",
        "year__scheme__result__employer",
        "correction",
    )


def statement_worker_get(*, actor: Any, code: str) -> Worker:
    """The worker whose statement is asked for: one with parts in the actor's scope, or the
    actor's own record; 404 otherwise."""
    parts = RevenuePart.objects.visible_to(actor).filter(worker__code=code)
    worker = Worker.objects.filter(code=code).first()
    if worker is None or not (parts.exists() or same_person(actor, worker.user_id)):
        from django.http import Http404

        raise Http404("worker")
    return worker


def statement_parts(*, actor: Any, worker: Worker) -> list[RevenuePart]:
    """A worker's parts for a statement: those in the actor's scope, or all when it is their own;
    with the parts a correction replaced (shown, not counted)."""
    if same_person(actor, worker.user_id):
        qs = RevenuePart.objects.filter(worker=worker)
    else:
        qs = RevenuePart.objects.visible_to(actor).filter(worker=worker)
    return list(
        qs.select_related(
            "year", "year__scheme", "year__scheme__result", "correction", "replaced_by"
        ).order_by("year__year", "year__scheme__result__title", "id")
    )


def statements_seen(*, actor: Any, worker: Worker) -> int:
    """The worker opened their statement: the to-do 'statements ready' goes away."""
    if not same_person(actor, worker.user_id):
        return 0
    return RevenuePart.objects.filter(
        worker=worker,
        statement_seen_at__isnull=True,
        replaced_by__isnull=True,
        year__status__in=["certified", "paid"],
    ).update(statement_seen_at=timezone.now())


def statements_ready(*, actor: Any) -> int:
    return my_parts(actor=actor).filter(statement_seen_at__isnull=True).count()


def years_to_certify(*, actor: Any) -> QuerySet[RevenueYear]:
    return (
        RevenueYear.objects.visible_to(actor, CERTIFY)
        .filter(status=RevenueYear.Status.ENTERED)
        .exclude(entered_by=actor)
        .exclude(scheme__result__members__worker__user=actor)
    )

"""Support along the lines (保障线): lines and their rules, support decided and paid through the
fund ledger (core.ledger: never below zero, corrections by reversing entries), campaigns and visits.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit as audit_record
from gongjiang.core.actors import user_or_none
from gongjiang.core.duties import DutyConflict, audited_refusals, same_person
from gongjiang.core.errors import ApplicationError
from gongjiang.core.ledger.models import Fund
from gongjiang.core.ledger.services import fund_debit, ledger_entry_reverse, money
from gongjiang.core.models import Organization

from .budgets import budget_check
from .models import ZERO, Campaign, Category, HardshipFile, SupportLine, SupportRecord, Visit
from .services import SCAN_EXTENSIONS

SUPPORT = "assistance.support"
PAY = "assistance.pay"
RECEIPT_MAX_BYTES = 10 * 1024 * 1024

# (kind, name, eligible categories, min, max, cap per person, cap per household, documents)
DEFAULT_LINES = [
    (
        "living",
        "生活保障",
        ["deep", "relative", "sudden"],
        "200",
        "3000",
        "6000",
        "10000",
        "收入证明",
    ),
    (
        "medical",
        "医疗保障",
        ["deep", "relative", "sudden"],
        "500",
        "10000",
        "20000",
        "30000",
        "病历、医疗费用票据",
    ),
    (
        "schooling",
        "助学保障",
        ["deep", "relative"],
        "1000",
        "5000",
        "5000",
        "10000",
        "录取通知书或在读证明",
    ),
    (
        "employment",
        "就业保障",
        ["deep", "relative", "sudden"],
        "0",
        "2000",
        "2000",
        "4000",
        "求职登记",
    ),
    ("legal", "法律援助", ["deep", "relative", "sudden"], "0", "0", "0", "0", ""),
]


def _bad(code: str, message: str, field: str = "", status: int = 409) -> ApplicationError:
    return ApplicationError(
        message, code=code, status=status, details=[{"field": field, "error": message}]
    )


@transaction.atomic
def lines_ensure_defaults(*, actor: Any, organization: Organization) -> list[SupportLine]:
    """The five default lines of an organisation (生活、医疗、助学、就业、法律援助), created once."""
    access.require(actor, SUPPORT, organization)
    existing = {line.kind: line for line in SupportLine.objects.filter(organization=organization)}
    out = []
    for kind, name, cats, lo, hi, cap_p, cap_h, docs in DEFAULT_LINES:
        if kind in existing:
            out.append(existing[kind])
            continue
        line = SupportLine.objects.create(
            organization=organization,
            kind=kind,
            name=name,
            eligible_categories=cats,
            min_amount=Decimal(lo),
            max_amount=Decimal(hi),
            cap_person=Decimal(cap_p),
            cap_household=Decimal(cap_h),
            documents_required=docs,
        )
        audit_record(
            actor=actor, action="assistance.line_save", obj=line, organization=organization
        )
        out.append(line)
    return out


@transaction.atomic
def line_create(
    *, actor: Any, organization: Organization, kind: str, name: str, **fields: Any
) -> SupportLine:
    """A line of one of the five kinds that the organisation does not have yet, with its rules."""
    access.require(actor, SUPPORT, organization)
    if kind not in SupportLine.Kind.values:
        raise _bad("invalid_kind", _("Choose one of the five kinds of line."), "kind", 422)
    if SupportLine.objects.filter(organization=organization, kind=kind).exists():
        raise _bad("line_exists", _("This union already has a line of this kind."), "kind")
    defaults = {row[0]: row[2] for row in DEFAULT_LINES}
    line = SupportLine(
        organization=organization,
        kind=kind,
        name=(name or "").strip(),
        eligible_categories=list(defaults[kind]),
    )
    line.full_clean()
    line.save()
    return line_save(actor=actor, line=line, name=line.name, **fields)


@transaction.atomic
def line_save(*, actor: Any, line: SupportLine, **fields: Any) -> SupportLine:
    access.require(actor, SUPPORT, line.organization)
    line = SupportLine.objects.select_for_update().get(pk=line.pk)
    for name in ("name", "documents_required", "is_active"):
        if name in fields:
            setattr(line, name, fields[name])
    for name in ("min_amount", "max_amount", "cap_person", "cap_household"):
        if name in fields:
            value = fields[name]
            setattr(line, name, ZERO if value in (None, "", 0) else money(value, field=name))
    if "eligible_categories" in fields:
        cats = [c for c in fields["eligible_categories"] if c in Category.values]
        line.eligible_categories = cats
    if line.max_amount and line.min_amount > line.max_amount:
        raise _bad(
            "invalid_range", _("The smallest amount exceeds the largest."), "min_amount", 422
        )
    line.full_clean()
    line.save()
    audit_record(
        actor=actor,
        action="assistance.line_save",
        obj=line,
        details={k: str(v) for k, v in fields.items()},
    )
    return line


def spent(
    file: HardshipFile, line: SupportLine, year: int, beneficiary: str | None = None
) -> Decimal:
    """Support decided or paid (not reversed) for a household (or one person of it) on a line in
    a year."""
    qs = SupportRecord.objects.filter(file=file, line=line, year=year).exclude(
        status=SupportRecord.Status.REVERSED
    )
    if beneficiary is not None:
        qs = qs.filter(beneficiary=beneficiary)
    return qs.aggregate(total=Sum("amount"))["total"] or ZERO


@transaction.atomic
def support_decide(
    *,
    actor: Any,
    file: HardshipFile,
    line: SupportLine,
    amount: Any = "0",
    beneficiary: str = "本人",
    service: str = "",
    term: str = "",
    outcome: str = "",
    year: int | None = None,
) -> SupportRecord:
    """Decide support along a line, within its rules: the file's category is eligible, the amount
    is in range and stays within the yearly caps per person and per household."""
    access.require(actor, SUPPORT, file.organization)
    # lock the household: two decisions at once cannot both pass the caps
    file = HardshipFile.objects.select_for_update().get(pk=file.pk)
    if file.status != HardshipFile.Status.FILED:
        raise _bad("file_not_filed", _("Support is given to filed households only."))
    line = SupportLine.objects.select_related("organization").get(pk=line.pk)
    if not line.is_active or not file.organization.path.startswith(line.organization.path):
        raise Http404("line")
    if file.category not in line.eligible_categories:
        raise _bad(
            "not_eligible",
            _("This line does not support households of the category “%(category)s”.")
            % {"category": file.get_category_display()},
            "line",
        )
    amount = ZERO if amount in (None, "", 0, "0", "0.00") else money(amount)
    beneficiary = (beneficiary or "本人").strip()[:30]
    year = year or timezone.localdate().year
    if amount:
        if line.max_amount and not line.min_amount <= amount <= line.max_amount:
            raise _bad(
                "amount_out_of_range",
                _("This line gives %(min)s to %(max)s yuan at a time.")
                % {"min": line.min_amount, "max": line.max_amount},
                "amount",
                422,
            )
        if line.cap_person and spent(file, line, year, beneficiary) + amount > line.cap_person:
            raise _bad(
                "cap_person",
                _("This would exceed the yearly cap per person of %(cap)s yuan on this line.")
                % {"cap": line.cap_person},
                "amount",
            )
        if line.cap_household and spent(file, line, year) + amount > line.cap_household:
            raise _bad(
                "cap_household",
                _("This would exceed the yearly cap per household of %(cap)s yuan on this line.")
                % {"cap": line.cap_household},
                "amount",
            )
    elif not (service or "").strip():
        raise _bad("empty_support", _("Give an amount or describe the service."), "amount", 422)
    record = SupportRecord(
        file=file,
        line=line,
        organization=file.organization,
        year=year,
        beneficiary=beneficiary,
        amount=amount,
        service=(service or "").strip()[:300],
        term=(term or "").strip()[:30],
        outcome=(outcome or "").strip()[:300],
        status=SupportRecord.Status.DECIDED if amount else SupportRecord.Status.DONE,
        decided_by=user_or_none(actor),
    )
    record.full_clean(exclude=["decided_by", "fund", "payment", "reversal", "paid_by"])
    record.save()
    audit_record(
        actor=actor,
        action="assistance.support_decide",
        obj=record,
        details={"file": file.code, "line": line.kind, "amount": f"{amount:.2f}", "year": year},
    )
    return record


@audited_refusals
@transaction.atomic
def support_pay(*, actor: Any, record: SupportRecord, fund: Fund) -> SupportRecord:
    """Pay decided support from a fund (a debit: refused when the fund is short). Whoever decided
    the support does not pay it."""
    access.require(actor, PAY, record.organization)
    record = SupportRecord.objects.select_for_update().get(pk=record.pk)
    if record.status != SupportRecord.Status.DECIDED:
        raise _bad("wrong_status", _("Only decided support awaiting payment can be paid."))
    if same_person(actor, record.decided_by_id):
        raise DutyConflict(
            _("Whoever decided the support does not pay it."),
            action="assistance.support_pay",
            obj=record,
            reason="same_person",
        )
    if not Fund.objects.visible_to(actor, "core.change_fund").filter(pk=fund.pk).exists():
        raise Http404("fund")
    if not record.organization.path.startswith(fund.organization.path):
        raise _bad("wrong_fund", _("Pay from a fund of this union or one above it."), "fund")
    budget_check(fund=fund, line=record.line, year=record.year, amount=record.amount)
    entry = fund_debit(
        actor=actor,
        fund=fund,
        amount=record.amount,
        about=record,
        reference=record.code,
        memo=record.line.name,
    )
    record.status = SupportRecord.Status.PAID
    record.fund = fund
    record.payment = entry
    record.paid_by = user_or_none(actor)
    record.save(update_fields=["status", "fund", "payment", "paid_by"])
    audit_record(
        actor=actor,
        action="assistance.support_pay",
        obj=record,
        details={"fund": fund.code, "entry": entry.code, "amount": f"{record.amount:.2f}"},
    )
    return record


@transaction.atomic
def support_reverse(*, actor: Any, record: SupportRecord, reason: str) -> SupportRecord:
    """Correct a payment with a reversing entry; the support no longer counts against the caps."""
    access.require(actor, PAY, record.organization)
    record = SupportRecord.objects.select_for_update().get(pk=record.pk)
    if record.status != SupportRecord.Status.PAID or record.payment_id is None:
        raise _bad("wrong_status", _("Only a paid support record can be reversed."))
    reason = (reason or "").strip()
    if not reason:
        raise _bad("reason_required", _("Give the reason for the reversal."), "reason", 422)
    reversal = ledger_entry_reverse(actor=actor, entry=record.payment, reason=reason)
    record.status = SupportRecord.Status.REVERSED
    record.reversal = reversal
    record.save(update_fields=["status", "reversal"])
    audit_record(
        actor=actor,
        action="assistance.support_reverse",
        obj=record,
        details={"entry": reversal.code, "reason": reason},
    )
    return record


@transaction.atomic
def support_outcome_record(*, actor: Any, record: SupportRecord, outcome: str) -> SupportRecord:
    """Record what came of support given as a service or a grant: a job referral's outcome (hired,
    not hired), a legal-aid case's result. The text is kept on the record, not in the audit."""
    access.require(actor, SUPPORT, record.organization)
    record = SupportRecord.objects.select_for_update().get(pk=record.pk)
    if record.status == SupportRecord.Status.REVERSED:
        raise _bad("wrong_status", _("A reversed support record has no outcome."))
    outcome = (outcome or "").strip()
    if not outcome:
        raise _bad("outcome_required", _("Describe the outcome."), "outcome", 422)
    if len(outcome) > 300:
        raise _bad("outcome_too_long", _("Keep the outcome within 300 characters."), "outcome", 422)
    had = bool(record.outcome)
    record.outcome = outcome
    record.save(update_fields=["outcome"])
    audit_record(
        actor=actor,
        action="assistance.support_outcome",
        obj=record,
        details={"line": record.line.kind, "replaced": had},
    )
    return record


@transaction.atomic
def campaign_create(
    *,
    actor: Any,
    organization: Organization,
    kind: str,
    name: str,
    year: int,
    budget: Any,
    fund: Fund,
) -> Campaign:
    access.require(actor, SUPPORT, organization)
    if not organization.path.startswith(fund.organization.path):
        raise _bad("wrong_fund", _("Use a fund of this union or one above it."), "fund")
    campaign = Campaign(
        organization=organization,
        kind=kind,
        name=(name or "").strip(),
        year=year,
        budget=money(budget, field="budget"),
        fund=fund,
        created_by=user_or_none(actor),
    )
    campaign.full_clean(exclude=["created_by"])
    campaign.save()
    audit_record(
        actor=actor,
        action="assistance.campaign_create",
        obj=campaign,
        details={"budget": f"{campaign.budget:.2f}", "fund": fund.code},
    )
    return campaign


@transaction.atomic
def campaign_update(
    *, actor: Any, campaign: Campaign, name: str | None = None, budget: Any = None
) -> Campaign:
    """Rename a campaign or change its budget (never below what its visits already spent)."""
    access.require(actor, SUPPORT, campaign.organization)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    before = f"{campaign.budget:.2f}"
    if name is not None:
        campaign.name = name.strip()
    if budget is not None:
        budget = money(budget, field="budget")
        used = campaign_spent(campaign)
        if budget < used:
            raise _bad(
                "budget_below_spent",
                _("The budget cannot be less than the %(spent)s yuan already given.")
                % {"spent": f"{used:.2f}"},
                "budget",
            )
        campaign.budget = budget
    campaign.full_clean(exclude=["created_by"])
    campaign.save()
    audit_record(
        actor=actor,
        action="assistance.campaign_update",
        obj=campaign,
        details={"budget": [before, f"{campaign.budget:.2f}"]},
    )
    return campaign


def campaign_spent(campaign: Campaign) -> Decimal:
    return campaign.visits.aggregate(total=Sum("amount"))["total"] or ZERO


@transaction.atomic
def visit_record(
    *,
    actor: Any,
    campaign: Campaign,
    file: HardshipFile,
    gift: str,
    amount: Any = "0",
    visited_on: dt.date | None = None,
    receipt: Any = None,
) -> Visit:
    """Record a visit: what was given, the signed receipt (a photo, stored encrypted), and the
    money paid from the campaign's fund, within the campaign's budget."""
    access.require(actor, SUPPORT, campaign.organization)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not file.organization.path.startswith(campaign.organization.path):
        raise Http404("file")
    if file.status != HardshipFile.Status.FILED:
        raise _bad("file_not_filed", _("Visits are made to filed households."))
    amount = ZERO if amount in (None, "", 0, "0", "0.00") else money(amount)
    if campaign_spent(campaign) + amount > campaign.budget:
        raise _bad(
            "over_budget",
            _("This visit would exceed the campaign's budget of %(budget)s yuan.")
            % {"budget": campaign.budget},
            "amount",
        )
    if Visit.objects.filter(campaign=campaign, file=file).exists():
        raise _bad("visited", _("This household was already visited in this campaign."), "file")
    visit = Visit(
        campaign=campaign,
        file=file,
        gift=(gift or "").strip()[:200],
        amount=amount,
        visited_on=visited_on or timezone.localdate(),
        visited_by=user_or_none(actor),
    )
    if receipt is not None:
        if getattr(receipt, "size", 0) > RECEIPT_MAX_BYTES:
            raise _bad(
                "invalid_upload", _("Attach a photo of at most 10 MB."), "receipt", status=422
            )
        ext = os.path.splitext(getattr(receipt, "name", ""))[1].lower()
        ext = ext if ext in SCAN_EXTENSIONS else ".bin"
        visit.receipt.save(f"{visit.code}{ext}", receipt, save=False)
    visit.full_clean(exclude=["visited_by", "payment", "receipt"])
    visit.save()
    if amount:
        visit.payment = fund_debit(
            actor=actor,
            fund=campaign.fund,
            amount=amount,
            about=visit,
            reference=campaign.code,
            memo=campaign.name,
        )
        visit.save(update_fields=["payment"])
    audit_record(
        actor=actor,
        action="assistance.visit_record",
        obj=visit,
        organization=campaign.organization,
        details={"campaign": campaign.code, "file": file.code, "amount": f"{amount:.2f}"},
    )
    return visit

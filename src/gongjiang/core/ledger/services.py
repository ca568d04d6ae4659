"""Acts on funds: create, credit, debit, reverse. Every one locks the fund row, appends one entry,
moves the balance on the fund row and writes the audit log, in one transaction — so two payments
racing for the last yuan cannot both succeed, and the balance always equals the sum of entries."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict, Unpack

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from .. import access
from ..actors import user_or_none
from ..audit import audit_record
from ..errors import ApplicationError, field_error
from ..models import Organization
from ..references import reference_of
from .models import MAX_AMOUNT, Fund, LedgerEntry

CHANGE = "core.change_fund"


def money(value: Any, *, field: str = "amount") -> Decimal:
    """A positive amount in yuan with at most two decimals (fen), as ``Decimal``.

    Accepts ``Decimal``, ``int`` and text such as ``"12.50"``; refuses floats (binary fractions
    are not money), more than two decimals, zero, negatives and amounts above 999,999,999,999.99.
    """

    def bad(message: str) -> ApplicationError:
        return field_error(field, message, "invalid_amount")

    if isinstance(value, bool) or isinstance(value, float):
        raise bad(_("Give the amount as a decimal number, not a floating-point number."))
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, TypeError, ValueError):
        raise bad(_("“%(value)s” is not an amount of money.") % {"value": value}) from None
    if not amount.is_finite():
        raise bad(_("“%(value)s” is not an amount of money.") % {"value": value})
    if amount <= 0:
        raise bad(_("The amount must be greater than zero."))
    if amount > MAX_AMOUNT:
        raise bad(_("The amount is too large (at most 999,999,999,999.99)."))
    if amount != amount.quantize(Decimal("0.01")):
        raise bad(_("An amount has at most two decimals (fen)."))
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def fund_create(
    *, actor: Any, organization: Organization, name: str, currency: str = "CNY"
) -> Fund:
    access.require(actor, CHANGE, organization)
    fund = Fund(
        organization=organization,
        name=(name or "").strip(),
        currency=currency,
        created_by=user_or_none(actor),
    )
    fund.full_clean()
    fund.save()
    audit_record(
        actor=actor,
        action="fund.create",
        obj=fund,
        organization=organization,
        details={"name": fund.name, "currency": fund.currency},
    )
    return fund


def _post(
    *,
    actor: Any,
    fund: Fund,
    kind: str,
    amount: Decimal,
    about: tuple[ContentType | None, str] = (None, ""),
    reference: str = "",
    memo: str = "",
    reverses: LedgerEntry | None = None,
) -> LedgerEntry:
    locked = Fund.objects.select_for_update().get(pk=fund.pk)
    if kind == LedgerEntry.Kind.DEBIT:
        if amount > locked.balance:
            message = _(
                "The fund holds %(balance)s yuan; %(amount)s yuan cannot be paid from it."
            ) % {"balance": locked.balance, "amount": amount}
            raise field_error("amount", message, "insufficient_funds", status=409)
        balance = locked.balance - amount
    else:
        balance = locked.balance + amount
        if balance > MAX_AMOUNT:
            raise ApplicationError(
                _("The balance would exceed 999,999,999,999.99 yuan."), code="balance_too_large"
            )
    content_type, object_code = about
    entry = LedgerEntry(
        fund=locked,
        kind=kind,
        amount=amount,
        balance_after=balance,
        content_type=content_type,
        object_code=object_code,
        reference=(reference or "").strip(),
        memo=(memo or "").strip(),
        reverses=reverses,
        actor=user_or_none(actor),
    )
    try:
        entry.full_clean(exclude=["fund", "reverses", "actor", "content_type"])
    except ValidationError as exc:
        raise ApplicationError(
            _("The entry is not valid."),
            code="invalid_entry",
            details=[
                {"field": f, "error": str(e)}
                for f, errors in exc.message_dict.items()
                for e in errors
            ],
        ) from exc
    entry.save()
    Fund.objects.filter(pk=locked.pk).update(balance=balance)
    fund.balance = balance
    audit_record(
        actor=actor,
        action=f"fund.{kind}" if reverses is None else "fund.reverse",
        obj=entry,
        organization=locked.organization,
        details={
            "fund": locked.code,
            "amount": str(amount),
            "balance": str(balance),
            "reference": entry.reference,
            "object": f"{content_type.model}:{object_code}" if content_type else "",
            "reverses": reverses.code if reverses else "",
        },
    )
    return entry


class Posting(TypedDict, total=False):
    """What a credit or a debit may say besides its amount."""

    about: models.Model | None  # what it concerns: any object with a ``code``
    reference: str  # a text reference (a voucher number)
    memo: str


@transaction.atomic
def _post_new(*, actor: Any, fund: Fund, kind: str, amount: Any, posting: Posting) -> LedgerEntry:
    access.require(actor, CHANGE, fund.organization)
    return _post(
        actor=actor,
        fund=fund,
        kind=kind,
        amount=money(amount),
        about=reference_of(posting.get("about")),
        reference=posting.get("reference", ""),
        memo=posting.get("memo", ""),
    )


def fund_credit(
    *, actor: Any, fund: Fund, amount: Decimal | int | str, **posting: Unpack[Posting]
) -> LedgerEntry:
    """Money in: a grant, a donation, a transfer. ``about`` is what it concerns (any object with a
    ``code``); ``reference`` a text reference (a voucher number)."""
    kind = LedgerEntry.Kind.CREDIT
    return _post_new(actor=actor, fund=fund, kind=kind, amount=amount, posting=posting)


def fund_debit(
    *, actor: Any, fund: Fund, amount: Decimal | int | str, **posting: Unpack[Posting]
) -> LedgerEntry:
    """Money out: a payment. Refused (409, ``insufficient_funds``) when the balance is short —
    checked on the locked fund row, so concurrent payments cannot overdraw it."""
    kind = LedgerEntry.Kind.DEBIT
    return _post_new(actor=actor, fund=fund, kind=kind, amount=amount, posting=posting)


@transaction.atomic
def ledger_entry_reverse(*, actor: Any, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """Correct an entry with its mirror image (a debit for a credit and the reverse). An entry is
    reversed at most once; a reversal is not reversed (post a new entry instead)."""
    fund = entry.fund
    access.require(actor, CHANGE, fund.organization)
    reason = (reason or "").strip()
    if not reason:
        message = _("Give the reason for the reversal.")
        raise field_error("reason", message, "reason_required")
    Fund.objects.select_for_update().get(pk=fund.pk)  # serialise with other postings
    if entry.reverses_id is not None:
        raise ApplicationError(
            _("A reversal cannot itself be reversed: post a new entry."), code="is_reversal"
        )
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise ApplicationError(
            _("This entry has already been reversed."), code="already_reversed", status=409
        )
    kind = (
        LedgerEntry.Kind.DEBIT if entry.kind == LedgerEntry.Kind.CREDIT else LedgerEntry.Kind.CREDIT
    )
    return _post(
        actor=actor,
        fund=fund,
        kind=kind,
        amount=entry.amount,
        about=(entry.content_type, entry.object_code),
        reference=entry.reference,
        memo=reason,
        reverses=entry,
    )

"""Corrections of certified revenue-sharing years (收益分红更正).

A certified year is final: its figure, share, pool and parts are never changed in place. A mistake
found later (an audited net income that differs, a contribution share recorded wrongly) is put
right by a correction:

1. a user who manages revenue sharing asks for it — the corrected figure, optionally corrected
   contribution shares of the year's members (0 drops a member), the reason and a supporting
   document (a PDF, or a JPEG/PNG scan, checked by its content, stored encrypted);
2. another user who certifies revenue sharing approves or rejects it — never the one who asked,
   never a member of the result's team (separation of duties, refusals audited);
3. approving computes the corrected pool (figure × the year's share, half up to the fen) and splits
   it with ``split.split_by_contribution``; the new parts are added and the ones they replace are
   kept, marked ``replaced_by``. When the year was already paid, every replaced part's ledger debit
   is reversed (``core.ledger.ledger_entry_reverse``) and each new part is debited
   (``fund_debit``) in the same transaction — the fund ends exactly the corrected pool lower than
   before the year was paid, to the fen, or nothing happens (409 ``insufficient_funds``).

One correction may wait per year at a time; corrections are numbered 1, 2, … per year, and the
year's history lists the certification and every approved correction with its computation.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO, Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.access import get_visible_or_404
from gongjiang.core.actors import audit as audit_record
from gongjiang.core.actors import user_or_none
from gongjiang.core.duties import DutyConflict, audited_refusals, same_person
from gongjiang.core.errors import ApplicationError, ConflictError, field_error
from gongjiang.core.ledger.models import LedgerEntry
from gongjiang.core.ledger.services import fund_debit, ledger_entry_reverse
from gongjiang.workforce.models import Worker

from .fund_budgets import BudgetGuard
from .models_revenue import RevenueCorrection, RevenuePart, RevenueScheme, RevenueYear
from .result_files import MAX_DOCUMENT_BYTES, _read, clean_document, clean_photo
from .revenue import CERTIFY, MANAGE, _team_user_ids
from .split import (
    FEN,
    HUNDRED,
    check_contributions,
    parse_money,
    resolve_share,
    split_by_contribution,
)

Status = RevenueCorrection.Status
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def _clean_supporting(upload: Any) -> tuple[bytes, str]:
    """A PDF, or a JPEG/PNG scan (re-encoded without its metadata); anything else is refused."""
    data = _read(upload, MAX_DOCUMENT_BYTES)
    if data.startswith(b"%PDF-"):
        return clean_document(data)
    if data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n"):
        return clean_photo(data)
    raise field_error(
        "file",
        _("The supporting document is a PDF or a JPEG or PNG scan."),
        "invalid_document",
        status=422,
    )


def current_parts(year: RevenueYear) -> list[RevenuePart]:
    return list(
        year.parts.filter(replaced_by__isnull=True).select_related("worker").order_by("position")
    )


def _added_workers(actor: Any, scheme: RevenueScheme, codes: list[str]) -> dict[str, Worker]:
    """Workers added by a correction: real workers the actor sees, of the scheme's subtree."""
    if not codes:
        return {}
    found = {
        w.code: w
        for w in Worker.objects.visible_to(actor, MANAGE)
        .filter(code__in=codes, organization__path__startswith=scheme.organization.path)
        .only("id", "code", "name")
    }
    missing = [c for c in codes if c not in found]
    if missing:
        raise field_error(
            "contributions",
            _("No worker with the code %(code)s in this scheme's organisation.")
            % {"code": missing[0][:20]},
            "unknown_worker",
            status=422,
        )
    return found


def _contributions(
    parts: list[RevenuePart],
    given: dict[str, Any] | None,
    added: dict[str, Worker] | None = None,
) -> list[tuple[str, Decimal]]:
    """The corrected shares, in the members' order then the added workers': one per member of
    the year (0 drops one) and any worker added (above 0), each 0–100 to two decimals, those
    above 0 adding up to exactly 100."""
    if given is None:
        return [(p.worker.code, p.contribution) for p in parts]
    codes = [p.worker.code for p in parts]
    if not set(codes) <= set(given):
        raise field_error(
            "contributions",
            _("Give a share for each member of the year (0 takes one out)."),
            "invalid_members",
            status=422,
        )
    new_codes = [c for c in given if c not in codes]
    if set(new_codes) - set(added or {}):
        raise field_error(
            "contributions",
            _("No worker with the code %(code)s in this scheme's organisation.")
            % {"code": str(new_codes[0])[:20]},
            "unknown_worker",
            status=422,
        )
    codes += new_codes
    out = []
    for code in codes:
        try:
            value = Decimal(str(given[code]).strip())
        except (InvalidOperation, ValueError):
            value = Decimal(-1)
        if not value.is_finite() or value < 0 or value > HUNDRED or value != value.quantize(FEN):
            raise field_error(
                "contributions",
                _("A share is a percentage from 0 to 100, to two decimals."),
                "invalid_contribution",
                status=422,
            )
        if code in new_codes and value == 0:
            raise field_error(
                "contributions",
                _("A worker added by the correction needs a share above 0."),
                "invalid_contribution",
                status=422,
            )
        out.append((code, value.quantize(FEN)))
    kept = [c for _code, c in out if c > 0]
    check_contributions(kept, field="contributions")
    return out


@dataclass(frozen=True)
class Version:
    """The year as certified (number 0) or as an approved correction made it."""

    number: int
    amount: Decimal
    share: Decimal | None
    pool: Decimal | None
    parts: list[RevenuePart]
    correction: RevenueCorrection | None
    current: bool


def year_versions(year: RevenueYear) -> list[Version]:
    """The certification and each approved correction, oldest first; the last one counts.
    Reads ``year.parts`` and ``year.corrections`` (prefetch them for a list of years)."""
    if year.status == RevenueYear.Status.ENTERED:
        return []
    by_correction: dict[int | None, list[RevenuePart]] = {}
    for part in year.parts.all():
        by_correction.setdefault(part.correction_id, []).append(part)
    approved = [c for c in year.corrections.all() if c.status == Status.APPROVED]
    approved.sort(key=lambda c: c.number)
    out = [Version(0, year.amount, year.share, year.pool, by_correction.get(None, []), None, False)]
    for c in approved:
        out.append(
            Version(c.number, c.amount, c.share, c.pool, by_correction.get(c.pk, []), c, False)
        )
    last = out[-1]
    out[-1] = Version(
        last.number, last.amount, last.share, last.pool, last.parts, last.correction, True
    )
    return out


def current_version(year: RevenueYear) -> Version | None:
    versions = year_versions(year)
    return versions[-1] if versions else None


@transaction.atomic
def revenue_correction_request(
    *,
    actor: Any,
    year: RevenueYear,
    amount: Any,
    reason: str,
    upload: Any,
    note: str = "",
    contributions: dict[str, Any] | None = None,
    share: Any = None,
) -> RevenueCorrection:
    """Ask for a correction of a certified year: the figure and, if given, the members' shares
    (a worker who was not in the year may be added) and the team's share of the figure."""
    row = RevenueYear.objects.select_for_update().select_related("scheme").get(pk=year.pk)
    scheme = row.scheme
    access.require(actor, MANAGE, scheme.organization)
    if row.status == RevenueYear.Status.ENTERED:
        raise ConflictError(
            _("Only a certified year is corrected; until then enter the figure again."),
            code="year_not_certified",
        )
    if row.corrections.filter(status=Status.REQUESTED).exists():
        raise ConflictError(
            _("A correction of this year is already waiting for approval."),
            code="correction_open",
        )
    reason = (reason or "").strip()
    if not reason:
        raise field_error(
            "reason", _("Give the reason for the correction."), "required", status=422
        )
    if len(reason) > 500:
        raise field_error("reason", _("At most 500 characters."), "too_long", status=422)
    note = (note or "").strip()
    if len(note) > 500:
        raise field_error("note", _("At most 500 characters."), "too_long", status=422)
    try:
        amount = parse_money(Decimal(str(amount).strip()))
    except InvalidOperation:
        raise field_error(
            "amount", _("An amount in yuan, to the fen."), "invalid_amount", status=422
        ) from None
    parts = current_parts(row)
    members = {p.worker.code for p in parts}
    added = _added_workers(
        actor, scheme, [str(c) for c in (contributions or {}) if c not in members]
    )
    shares = _contributions(parts, contributions, added)
    new_share = _share(scheme, share)
    version = current_version(row)
    if (
        version is not None
        and amount == version.amount
        and shares == [(p.worker.code, p.contribution) for p in parts]
        and (new_share is None or new_share == (version.share or scheme.share))
    ):
        raise field_error(
            "amount",
            _("The correction changes neither the figure nor a share."),
            "nothing_to_correct",
            status=422,
        )
    body, content_type = _clean_supporting(upload)
    number = (row.corrections.aggregate(n=Max("number"))["n"] or 0) + 1
    correction = RevenueCorrection(
        year=row,
        number=number,
        amount=amount,
        note=note,
        contributions=[[code, str(c)] for code, c in shares],
        reason=reason,
        document_type=content_type,
        requested_by=user_or_none(actor),
        new_share=new_share,
    )
    name = f"{row.code}-{number}.{EXTENSIONS[content_type]}"
    correction.document.save(name, ContentFile(body), save=False)
    correction.save()
    audit_record(
        actor=actor,
        action="innovation.revenue_correction_request",
        obj=correction,
        organization=scheme.organization,
        details={
            "year": row.code,
            "number": number,
            "amount_from": version.amount,
            "amount_to": amount,
            "contributions": correction.contributions,
            "share": None if new_share is None else str(new_share),
            "document_bytes": len(body),
        },
    )
    return correction


def _share(scheme: RevenueScheme, value: Any) -> Decimal | None:
    """The corrected share of the team (None: unchanged), checked like the scheme's own share:
    a fraction up to 1 with four decimals, not below the statutory minimum of the mode."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        share = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise field_error(
            "share",
            _("A share is a fraction between 0 and 1 with at most four decimals."),
            "invalid_share",
            status=422,
        ) from None
    if not share.is_finite() or share <= 0:
        raise field_error(
            "share",
            _("A share is a fraction between 0 and 1 with at most four decimals."),
            "invalid_share",
            status=422,
        )
    return resolve_share(scheme.mode, share)


def _decide(actor: Any, correction: RevenueCorrection, action: str) -> RevenueCorrection:
    """Lock the year and the correction; the decider is another person, not on the team."""
    row = (
        RevenueYear.objects.select_for_update().select_related("scheme").get(pk=correction.year_id)
    )
    correction = RevenueCorrection.objects.select_for_update().get(pk=correction.pk)
    scheme = row.scheme
    access.require(actor, CERTIFY, scheme.organization)
    if correction.status != Status.REQUESTED:
        raise ConflictError(_("This correction is already decided."), code="correction_decided")
    if same_person(actor, correction.requested_by_id):
        raise DutyConflict(
            _("You asked for this correction; another person decides it."),
            action=action,
            obj=correction,
            organization=scheme.organization,
            reason="requested_by",
        )
    if getattr(actor, "pk", None) in _team_user_ids(scheme.result):
        raise DutyConflict(
            _("You are on the result's team; another person decides its corrections."),
            action=action,
            obj=correction,
            organization=scheme.organization,
            reason="team_member",
        )
    correction.year = row
    return correction


def _repay(
    actor: Any, scheme: RevenueScheme, correction: RevenueCorrection, old: list[RevenuePart]
) -> list[LedgerEntry]:
    """Reverse the ledger debits of the replaced parts (the current debit of each)."""
    paid = [p for p in old if p.amount > 0]
    if not paid:
        return []
    content_type = ContentType.objects.get_for_model(RevenuePart)
    debits = {
        e.object_code: e
        for e in LedgerEntry.objects.filter(
            content_type=content_type,
            object_code__in=[p.code for p in paid],
            kind=LedgerEntry.Kind.DEBIT,
            reverses__isnull=True,
            reversed_by__isnull=True,
        ).select_related("fund", "fund__organization")
    }
    missing = [p.code for p in paid if p.code not in debits]
    if missing:
        raise ConflictError(
            _("A paid part has no ledger payment to reverse; the ledger needs checking."),
            code="payment_missing",
        )
    memo = _("Correction %(n)d: %(reason)s") % {"n": correction.number, "reason": correction.reason}
    return [
        ledger_entry_reverse(actor=actor, entry=debits[p.code], reason=memo[:500]) for p in paid
    ]


@audited_refusals
@transaction.atomic
def revenue_correction_approve(*, actor: Any, correction: RevenueCorrection) -> RevenueCorrection:
    """Approve: the corrected parts replace the current ones; a paid year is paid again through
    reversing and new ledger entries, all or nothing."""
    correction = _decide(actor, correction, "innovation.revenue_correction_approve")
    row = correction.year
    scheme = row.scheme
    old = current_parts(row)
    share = row.share if row.share is not None else scheme.share
    if correction.new_share is not None:
        share = correction.new_share
    pool = (correction.amount * share).quantize(FEN, rounding=ROUND_HALF_UP)
    shares = [(code, Decimal(c)) for code, c in correction.contributions if Decimal(c) > 0]
    workers = {p.worker.code: p.worker for p in old}
    added = [code for code, _c in shares if code not in workers]
    # a worker added by the correction: looked up again (still a worker of the scheme's subtree)
    workers.update(
        {
            w.code: w
            for w in Worker.objects.filter(
                code__in=added, organization__path__startswith=scheme.organization.path
            )
        }
    )
    if any(code not in workers for code in added):
        raise ConflictError(
            _("A worker added by the correction is no longer in the scheme's organisation."),
            code="unknown_worker",
        )
    split = split_by_contribution(pool, shares)
    reversed_entries = []
    guard = BudgetGuard(scheme.fund if row.status == RevenueYear.Status.PAID else None)
    if row.status == RevenueYear.Status.PAID:
        reversed_entries = _repay(actor, scheme, correction, old)
    RevenuePart.objects.filter(pk__in=[p.pk for p in old]).update(replaced_by=correction)
    new = RevenuePart.objects.bulk_create(
        [
            RevenuePart(
                year=row,
                worker=workers[part.worker],
                contribution=part.contribution,
                exact=part.exact.quantize(Decimal("0.000001")),
                amount=part.amount,
                extra_fen=part.extra_fen,
                position=i,
                correction=correction,
            )
            for i, part in enumerate(split)
        ]
    )
    debits = []
    if row.status == RevenueYear.Status.PAID:
        for part in new:
            if part.amount > 0:
                debits.append(
                    fund_debit(
                        actor=actor,
                        fund=scheme.fund,
                        amount=part.amount,
                        about=part,
                        reference=correction.code,
                        memo=f"{scheme.result.title} {row.year} {part.worker.name}"[:200],
                    )
                )
    guard.check()
    correction.status = Status.APPROVED
    correction.share = share
    correction.pool = pool
    correction.decided_by = user_or_none(actor)
    correction.decided_at = timezone.now()
    correction.save(update_fields=["status", "share", "pool", "decided_by", "decided_at"])
    before = {p.worker.code: str(p.amount) for p in old}
    audit_record(
        actor=actor,
        action="innovation.revenue_correction_approve",
        obj=correction,
        organization=scheme.organization,
        details={
            "year": row.code,
            "number": correction.number,
            "pool": pool,
            "parts": [[p.worker, before.get(p.worker, "0.00"), str(p.amount)] for p in split],
            "reversed": [e.code for e in reversed_entries],
            "debits": [e.code for e in debits],
        },
    )
    return correction


@audited_refusals
@transaction.atomic
def revenue_correction_reject(
    *, actor: Any, correction: RevenueCorrection, reason: str
) -> RevenueCorrection:
    """Reject with the reason; the year stays as it is."""
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Give the reason for the decision."), "required", status=422)
    if len(reason) > 500:
        raise field_error("reason", _("At most 500 characters."), "too_long", status=422)
    correction = _decide(actor, correction, "innovation.revenue_correction_reject")
    correction.status = Status.REJECTED
    correction.decision_note = reason
    correction.decided_by = user_or_none(actor)
    correction.decided_at = timezone.now()
    correction.save(update_fields=["status", "decision_note", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action="innovation.revenue_correction_reject",
        obj=correction,
        organization=correction.year.scheme.organization,
        details={"year": correction.year.code, "number": correction.number},
    )
    return correction


@transaction.atomic
def revenue_correction_withdraw(*, actor: Any, correction: RevenueCorrection) -> RevenueCorrection:
    """The one who asked takes back a correction that still waits; nobody else withdraws it."""
    correction = (
        RevenueCorrection.objects.select_for_update()
        .select_related("year__scheme__organization")
        .get(pk=correction.pk)
    )
    scheme = correction.year.scheme
    access.require(actor, MANAGE, scheme.organization)
    if not same_person(actor, correction.requested_by_id):
        raise ApplicationError(
            _("Only the one who asked withdraws a correction; others reject it."),
            code="not_requester",
            status=403,
        )
    if correction.status != Status.REQUESTED:
        raise ConflictError(_("This correction is already decided."), code="correction_decided")
    correction.status = Status.WITHDRAWN
    correction.decided_by = user_or_none(actor)
    correction.decided_at = timezone.now()
    correction.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action="innovation.revenue_correction_withdraw",
        obj=correction,
        organization=scheme.organization,
        details={"year": correction.year.code, "number": correction.number},
    )
    return correction


# ------------------------------------------------------------------------------------------ reads


def correction_get(*, actor: Any, code: str) -> RevenueCorrection:
    return get_visible_or_404(
        RevenueCorrection.objects.select_related(
            "year", "year__scheme", "year__scheme__organization", "requested_by", "decided_by"
        ),
        actor,
        code=code,
    )


def year_corrections(year: RevenueYear) -> list[RevenueCorrection]:
    return list(year.corrections.select_related("requested_by", "decided_by").order_by("number"))


def correction_document_open(correction: RevenueCorrection) -> IO[bytes]:
    """The supporting document of a correction the caller already sees (``correction_get``)."""
    if not correction.document:
        raise Http404("document")
    return correction.document.open("rb")


def corrections_to_decide(*, actor: Any) -> QuerySet[RevenueCorrection]:
    """Corrections waiting in the actor's scope that the actor may decide."""
    return (
        RevenueCorrection.objects.visible_to(actor, CERTIFY)
        .filter(status=Status.REQUESTED)
        .exclude(requested_by=actor)
        .exclude(year__scheme__result__members__worker__user=actor)
    )

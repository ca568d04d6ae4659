"""Subsidy claims of an apprentice cohort: one claim per cohort and calendar year, one line per
apprentice (the training months begun that year × the yearly amount / 12, to the fen, half a fen
up), the documents the rules require, submission by one person and approval by another — a body
above the enterprise — and payment from a core ledger fund above the pilot, exact to the fen.
Re-exported by :mod:`apprenticeship`."""

from __future__ import annotations

import os
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit, user_or_none
from gongjiang.core.duties import DutyConflict, acts_only_for, audited_refusals, same_person
from gongjiang.core.errors import ApplicationError, ConflictError, field_error
from gongjiang.core.ledger.models import Fund
from gongjiang.core.ledger.services import fund_debit

from . import apprenticeship_rules as R
from .apprenticeship_common import APPROVE, MANAGE, RuleSet
from .form_values import bounded_text
from .models_apprentice import (
    Apprentice,
    ApprenticeClaimDocument,
    ApprenticeCohort,
    ApprenticeSubsidyClaim,
    ApprenticeSubsidyLine,
)

Claim = ApprenticeSubsidyClaim
DOCUMENT_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx"}
MAX_DOCUMENT = 10 * 1024 * 1024


def claim_months(apprentice: Apprentice, year: int, today: Any) -> int:
    """The apprentice's training months begun in ``year`` and by ``today``, up to the end of the
    agreement or the day the training ended."""
    last = apprentice.ends_on
    if apprentice.ended_on and apprentice.ended_on < last:
        last = apprentice.ended_on
    months = R.whole_months(apprentice.starts_on, last)
    return sum(
        1
        for k in range(months)
        if (begins := R.anniversary(apprentice.starts_on, k)).year == year and begins <= today
    )


def year_months(apprentice: Apprentice, year: int) -> int:
    """The apprentice's training months beginning in ``year`` by the agreement (those still to
    come included: what an advance is reckoned on), up to the day the training ended."""
    last = apprentice.ends_on
    if apprentice.ended_on and apprentice.ended_on < last:
        last = apprentice.ended_on
    return R.months_in_year(apprentice.starts_on, R.whole_months(apprentice.starts_on, last), year)


def _lock(claim: Claim, *states: str) -> Claim:
    locked = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("cohort__pilot__organization")
        .get(pk=claim.pk)
    )
    if locked.status not in states:
        raise ConflictError(
            _("The claim is “%(s)s”; this step is not possible now.")
            % {"s": locked.get_status_display()},
            code="wrong_status",
        )
    return locked


def _advance_paid(cohort: ApprenticeCohort, year: int) -> Decimal:
    """What the year's advance paid (refused while an advance is still undecided or unpaid)."""
    advances = Claim.objects.filter(cohort=cohort, year=year, kind=Claim.Kind.ADVANCE).exclude(
        status__in=(Claim.Status.REJECTED, Claim.Status.CORRECTED)
    )
    if advances.exclude(status=Claim.Status.PAID).exists():
        raise ConflictError(
            _("The year's advance is not paid yet: have it paid or rejected first."),
            code="advance_pending",
        )
    return sum((c.total for c in advances), Decimal("0.00"))


def _draw_up(
    actor: Any,
    cohort: ApprenticeCohort,
    year: int,
    *,
    kind: str = Claim.Kind.FINAL,
    percent: Decimal = Decimal(0),
    **extra: Any,
) -> Claim:
    """A draft claim of the cohort for ``year`` with its lines, from the registry and the rules
    standing today (``extra``: the version fields of a correction). The year's claim: the months
    begun by today, less the advance paid; an advance: ``percent`` % of each apprentice's year by
    the agreement, to the fen, rounded down."""
    rules = RuleSet(cohort.pilot.organization)
    rate = rules.subsidy()
    today = timezone.localdate()
    lines = []
    for apprentice in Apprentice.objects.filter(cohort=cohort).order_by("id"):
        if kind == Claim.Kind.ADVANCE:
            months = year_months(apprentice, year)
            amount = R.advance_amount(rate, months, percent) if months else Decimal(0)
            if amount > 0:
                lines.append((apprentice, months, amount))
            continue
        months = claim_months(apprentice, year, today)
        if months:
            lines.append((apprentice, months, R.subsidy_amount(rate, months)))
    if not lines:
        raise ConflictError(
            _("No apprentice of the cohort trained in %(y)s up to today.") % {"y": year}
            if kind == Claim.Kind.FINAL
            else _("No apprentice of the cohort trains in %(y)s.") % {"y": year},
            code="nothing_to_claim",
        )
    due = sum((amount for _a, _m, amount in lines), Decimal("0.00"))
    advanced = _advance_paid(cohort, year) if kind == Claim.Kind.FINAL else Decimal("0.00")
    if advanced >= due and advanced:
        raise ConflictError(
            _(
                "The advance paid (%(a)s yuan) covers the %(d)s yuan due for the year so far: "
                "nothing is left to claim."
            )
            % {"a": advanced, "d": due},
            code="advance_covers",
        )
    claim = Claim(
        cohort=cohort,
        year=year,
        kind=kind,
        advance_percent=percent,
        advance_deducted=advanced,
        rate=rate,
        rate_source=rules.rule(R.SUBSIDY).source[:200],
        total=R.final_after_advance(due, advanced),
        required_documents=",".join(rules.documents()),
        created_by=user_or_none(actor),
        **extra,
    )
    claim.full_clean(exclude=["code", "cohort", "corrects"], validate_constraints=False)
    claim.save()
    ApprenticeSubsidyLine.objects.bulk_create(
        [ApprenticeSubsidyLine(claim=claim, apprentice=a, months=m, amount=x) for a, m, x in lines]
    )
    return claim


@transaction.atomic
def apprentice_claim_create(
    *, actor: Any, cohort: ApprenticeCohort, year: int
) -> ApprenticeSubsidyClaim:
    """The cohort's claim for ``year`` (a draft): the yearly amount standing for the pilot (set
    by its city or province, else the policy) and a line for every apprentice with training
    months begun in that year by today. A year has one claim, unless it was rejected."""
    pilot = cohort.pilot
    access.require(actor, MANAGE, pilot.organization)
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise field_error("year", _("Give a year from 2000 to 2100."))
    ApprenticeCohort.objects.select_for_update().get(pk=cohort.pk)  # one claim per year, in turn
    if (
        Claim.objects.filter(cohort=cohort, year=year, kind=Claim.Kind.FINAL)
        .exclude(status=Claim.Status.REJECTED)
        .exists()
    ):
        raise ConflictError(_("The cohort already has a claim for this year."), code="duplicate")
    claim = _draw_up(actor, cohort, year)
    audit(
        actor=actor,
        action="careers.apprentice_claim_create",
        obj=claim,
        organization=pilot.organization,
        details={
            "year": year,
            "rate": str(claim.rate),
            "lines": claim.lines.count(),
            "total": str(claim.total),
            "advance_deducted": str(claim.advance_deducted),
        },
    )
    return claim


@transaction.atomic
def apprentice_claim_advance_create(
    *, actor: Any, cohort: ApprenticeCohort, year: int, percent: Any
) -> ApprenticeSubsidyClaim:
    """An advance claim (预拨) of part of the cohort's subsidy for ``year`` before its year's
    claim: ``percent`` % of each apprentice's year by the agreement, at most the percentage the
    province (or city) set (``subsidy_advance_pct``; the policy default 0 allows none). One
    advance a year, before the year's claim; that claim then deducts what the advance paid. It is
    submitted, approved and paid as any claim (never approved or paid by its preparer)."""
    pilot = cohort.pilot
    access.require(actor, MANAGE, pilot.organization)
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise field_error("year", _("Give a year from 2000 to 2100."))
    try:
        pct = Decimal(str(percent).strip())
    except ArithmeticError:
        pct = Decimal(-1)
    if not pct.is_finite() or not 0 < pct <= 100 or pct != pct.quantize(Decimal("0.01")):
        raise field_error("percent", _("Give a percentage above 0, at most 100 (2 decimals)."))
    rules = RuleSet(pilot.organization)
    cap = rules.advance_percent()
    if cap <= 0:
        raise ConflictError(
            _("No advance payment of the subsidy is set for this pilot's province or city."),
            code="no_advance",
        )
    if pct > cap:
        raise field_error(
            "percent",
            _("At most %(cap)s %% of the year's amount may be claimed in advance (%(src)s).")
            % {"cap": cap, "src": rules.rule(R.ADVANCE).source},
            "over_cap",
        )
    ApprenticeCohort.objects.select_for_update().get(pk=cohort.pk)  # one claim per year, in turn
    standing = Claim.objects.filter(cohort=cohort, year=year).exclude(
        status__in=(Claim.Status.REJECTED, Claim.Status.CORRECTED)
    )
    if standing.filter(kind=Claim.Kind.ADVANCE).exists():
        raise ConflictError(_("The cohort already has an advance for this year."), code="duplicate")
    if standing.filter(kind=Claim.Kind.FINAL).exists():
        raise ConflictError(
            _("The year's claim is drawn up: an advance comes before it."), code="final_exists"
        )
    claim = _draw_up(actor, cohort, year, kind=Claim.Kind.ADVANCE, percent=pct)
    audit(
        actor=actor,
        action="careers.apprentice_claim_advance",
        obj=claim,
        organization=pilot.organization,
        details={
            "year": year,
            "percent": str(pct),
            "cap": str(cap),
            "rate": str(claim.rate),
            "lines": claim.lines.count(),
            "total": str(claim.total),
        },
    )
    return claim


@transaction.atomic
def apprentice_claim_document_add(
    *, actor: Any, claim: ApprenticeSubsidyClaim, kind: str, upload: Any, title: str = ""
) -> ApprenticeClaimDocument:
    """Attach a document to a draft claim (PDF, image, Word or Excel, at most 10 MB, stored
    encrypted)."""
    access.require(actor, MANAGE, claim.cohort.pilot.organization)
    c = _lock(claim, Claim.Status.DRAFT)
    ext = _check_upload(kind, upload)
    title = bounded_text(title, "title", 100)
    return _store(actor, c, kind, upload, ext, title)


def _check_upload(kind: str, upload: Any) -> str:
    """The checks every uploaded document passes (kind, extension, not empty, ≤ 10 MB); answers
    the extension."""
    if kind not in R.DOCUMENT_KINDS:
        raise field_error("kind", _("Unknown kind of document."))
    ext = os.path.splitext(getattr(upload, "name", "") or "")[1].lower()
    if upload is None or ext not in DOCUMENT_EXTENSIONS:
        raise field_error("upload", _("Attach a PDF, image, Word or Excel file."), "invalid_upload")
    if not getattr(upload, "size", 0):
        raise field_error("upload", _("The file is empty."), "invalid_upload")
    if getattr(upload, "size", 0) > MAX_DOCUMENT:
        raise field_error("upload", _("A document is at most 10 MB."), "invalid_upload")
    return ext


def _store(
    actor: Any, c: ApprenticeSubsidyClaim, kind: str, upload: Any, ext: str, title: str
) -> ApprenticeClaimDocument:
    document = ApprenticeClaimDocument(
        claim=c,
        kind=kind,
        title=title or R.DOCUMENT_KINDS[kind],
        uploaded_by=user_or_none(actor),
    )
    document.upload.save(f"{document.code}{ext}", upload, save=False)
    document.full_clean(exclude=["uploaded_by", "claim"])
    document.save()
    audit(
        actor=actor,
        action="careers.apprentice_claim_document",
        obj=c,
        organization=c.cohort.pilot.organization,
        details={"document": document.code, "kind": kind},
    )
    return document


MAX_DOCUMENTS_AT_ONCE = 20


@transaction.atomic
def apprentice_claim_documents_add(
    *, actor: Any, claim: ApprenticeSubsidyClaim, uploads: Sequence[tuple[str, Any]]
) -> list[ApprenticeClaimDocument]:
    """Attach several documents to a draft claim at once (``uploads``: (kind, file) pairs, at
    most 20): every file passes the checks of a single document; **all or nothing** — when any
    fails, none is attached and the refusal names each failing file with its reason."""
    access.require(actor, MANAGE, claim.cohort.pilot.organization)
    c = _lock(claim, Claim.Status.DRAFT)
    if not uploads:
        raise field_error("upload", _("Choose the files to attach."), "invalid_upload")
    if len(uploads) > MAX_DOCUMENTS_AT_ONCE:
        raise field_error(
            "upload",
            _("At most %(n)s files at once (%(got)s chosen).")
            % {"n": MAX_DOCUMENTS_AT_ONCE, "got": len(uploads)},
            "invalid_upload",
        )
    checked, errors = [], []
    for kind, upload in uploads:
        name = str(getattr(upload, "name", "") or "")
        try:
            checked.append((kind, upload, _check_upload(kind, upload)))
        except ApplicationError as exc:
            errors.append({"field": "upload", "file": name, "error": f"{name}：{exc.message}"})
    if errors:
        raise ApplicationError(
            _("Nothing was attached: %(files)s") % {"files": "；".join(e["error"] for e in errors)},
            code="invalid_upload",
            status=422,
            details=errors,
        )
    stored: list[ApprenticeClaimDocument] = []
    try:
        for kind, upload, ext in checked:
            stored.append(_store(actor, c, kind, upload, ext, ""))
    except BaseException:
        for d in stored:  # the rows roll back; their files go too
            d.upload.delete(save=False)
        raise
    return stored


def missing_documents(claim: ApprenticeSubsidyClaim) -> list[str]:
    required = R.document_kinds(claim.required_documents)
    return R.missing_documents(required, claim.documents.values_list("kind", flat=True))


@transaction.atomic
def apprentice_claim_submit(*, actor: Any, claim: ApprenticeSubsidyClaim) -> ApprenticeSubsidyClaim:
    """Submit a draft with every required document attached; whoever submits never approves it."""
    access.require(actor, MANAGE, claim.cohort.pilot.organization)
    c = _lock(claim, Claim.Status.DRAFT)
    missing = missing_documents(c)
    if missing:
        names = [R.DOCUMENT_KINDS[k] for k in missing]
        raise ApplicationError(
            _("Attach the documents still missing: %(d)s") % {"d": "、".join(names)},
            code="documents_missing",
            status=409,
            details=[{"field": "documents", "error": n} for n in names],
        )
    c.status = Claim.Status.SUBMITTED
    c.submitted_by = user_or_none(actor)
    c.submitted_at = timezone.now()
    c.save(update_fields=["status", "submitted_by", "submitted_at"])
    audit(
        actor=actor,
        action="careers.apprentice_claim_submit",
        obj=c,
        organization=c.cohort.pilot.organization,
        details={"total": str(c.total)},
    )
    return c


@transaction.atomic
def apprentice_claim_correct(
    *, actor: Any, claim: ApprenticeSubsidyClaim, reason: str
) -> ApprenticeSubsidyClaim:
    """Correct a submitted claim (not yet decided) instead of having it rejected: only whoever
    drew it up or submitted it, with the reason. The claim is kept as it was, marked corrected;
    a new version (a draft) is drawn up from the registry and the rules standing today, with the
    documents of the one it corrects, for the preparer to check, complete and submit again — and
    someone else to approve (the usual separation of duties)."""
    organization = claim.cohort.pilot.organization
    access.require(actor, MANAGE, organization)
    ApprenticeCohort.objects.select_for_update().get(pk=claim.cohort_id)
    c = _lock(claim, Claim.Status.SUBMITTED)
    if not (same_person(actor, c.created_by_id) or same_person(actor, c.submitted_by_id)):
        raise ApplicationError(
            _("Only whoever drew up or submitted a claim corrects it."),
            code="not_preparer",
            status=403,
        )
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise field_error("reason", _("Say what is corrected, in at most 500 characters."))
    c.status = Claim.Status.CORRECTED
    c.save(update_fields=["status"])
    new = _draw_up(
        actor,
        c.cohort,
        c.year,
        kind=c.kind,
        percent=c.advance_percent,
        version=c.version + 1,
        corrects=c,
        correction_reason=reason,
    )
    for d in c.documents.order_by("id"):
        ApprenticeClaimDocument.objects.create(
            claim=new, kind=d.kind, title=d.title, upload=d.upload.name, uploaded_by=d.uploaded_by
        )
    audit(
        actor=actor,
        action="careers.apprentice_claim_correct",
        obj=new,
        organization=organization,
        details={
            "corrects": c.code,
            "version": new.version,
            "reason": reason,
            "total_before": str(c.total),
            "total": str(new.total),
        },
    )
    return new


def _not_party(actor: Any, c: ApprenticeSubsidyClaim, action: str) -> None:
    """Separation of duties: whoever drew up or submitted the claim, or acts only for the
    enterprise claiming, neither approves nor pays it."""
    organization = c.cohort.pilot.organization
    if same_person(actor, c.created_by_id) or same_person(actor, c.submitted_by_id):
        raise DutyConflict(
            _("Whoever drew up or submitted a claim neither approves nor pays it."),
            action=action,
            obj=c,
            organization=organization,
            reason="submitter",
        )
    if acts_only_for(actor, APPROVE, organization):
        raise DutyConflict(
            _("A claim is approved and paid by a body above the enterprise claiming."),
            action=action,
            obj=c,
            organization=organization,
            reason="own_enterprise",
        )


@audited_refusals
@transaction.atomic
def apprentice_claim_decide(
    *, actor: Any, claim: ApprenticeSubsidyClaim, approve: bool, note: str = ""
) -> ApprenticeSubsidyClaim:
    access.require(actor, APPROVE, claim.cohort.pilot.organization)
    c = _lock(claim, Claim.Status.SUBMITTED)
    _not_party(actor, c, "careers.apprentice_claim_decide")
    note = bounded_text(note, "note", 500)
    if not approve and not note:
        raise field_error("note", _("Say why the claim is rejected."))
    c.status = Claim.Status.APPROVED if approve else Claim.Status.REJECTED
    c.decided_by = user_or_none(actor)
    c.decided_at = timezone.now()
    c.decision_note = note
    c.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit(
        actor=actor,
        action="careers.apprentice_claim_decide",
        obj=c,
        organization=c.cohort.pilot.organization,
        details={"approved": approve, "total": str(c.total)},
    )
    return c


def funds_for(actor: Any, claim: ApprenticeSubsidyClaim) -> Any:
    """Funds the actor may pay the claim from: their funds at the pilot or above it."""
    from .apprenticeship_common import ancestor_paths

    return Fund.objects.visible_to(actor, "core.change_fund").filter(
        organization__path__in=ancestor_paths(claim.cohort.pilot.organization)
    )


@audited_refusals
@transaction.atomic
def apprentice_claim_pay(
    *, actor: Any, claim: ApprenticeSubsidyClaim, fund: Fund, reference: str = ""
) -> ApprenticeSubsidyClaim:
    """Pay an approved claim in full: one debit of a fund at the pilot or above (refused when
    the fund is short), never by whoever drew up or submitted it."""
    access.require(actor, APPROVE, claim.cohort.pilot.organization)
    c = _lock(claim, Claim.Status.APPROVED)
    _not_party(actor, c, "careers.apprentice_claim_pay")
    if not funds_for(actor, c).filter(pk=fund.pk).exists():
        raise field_error("fund", _("Pay from a fund of the pilot or of a body above it."))
    entry = fund_debit(
        actor=actor,
        fund=fund,
        amount=c.total,
        about=c,
        reference=bounded_text(reference, "reference", 200),
        memo=f"{c.cohort.name[:100]} {c.year}",
    )
    c.status = Claim.Status.PAID
    c.payment = entry
    c.save(update_fields=["status", "payment"])
    audit(
        actor=actor,
        action="careers.apprentice_claim_pay",
        obj=c,
        organization=c.cohort.pilot.organization,
        details={"amount": str(entry.amount), "entry": entry.code, "fund": fund.code},
    )
    return c

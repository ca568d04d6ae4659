"""Acts on hardship files: apply, correct, check (→ public notice), refuse, approve (one level up),
re-verify, exit, re-enter, view (audited with a purpose), documents.

Every act checks permission at the door, runs in one transaction, validates, and audits inside.
Audit details never carry household, health or income data: only codes, statuses and categories.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit as audit_record
from gongjiang.core.actors import user_or_none
from gongjiang.core.duties import DutyConflict, acts_only_for, audited_refusals, same_person
from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.core.notices.models import PublicNotice
from gongjiang.core.notices.services import public_notice_publish, public_notice_withdraw

from .assess import Assessment, categorise, standard_for
from .household import clean_household, members_of
from .models import FileDocument, HardshipFile

CHECK = "assistance.check"
APPROVE = "assistance.approve"
VIEW = "assistance.view"
PURPOSES = ("review", "visit", "statistics")
CONSENT_TEXT = (
    "本人同意工会为困难职工帮扶之目的，处理本人及家庭成员的收入、健康、残疾、住房、债务等敏感个人信息"
    "（《个人信息保护法》第二十九条单独同意）。本人可随时撤回同意；撤回后工会停止处理，"
    "并删除上述信息，但依法须保存的帮扶资金账目除外。"
)
VERIFY_EVERY_DAYS = 365
NOTICE_DAYS = 5
SCAN_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".png"}


def _refuse(code: str, message: str, field: str = "", status: int = 409) -> ApplicationError:
    return ApplicationError(
        message, code=code, status=status, details=[{"field": field, "error": message}]
    )


def is_own_file(actor: Any, file: HardshipFile) -> bool:
    return bool(
        file.worker_id
        and getattr(actor, "is_authenticated", False)
        and file.worker.user_id is not None
        and file.worker.user_id == getattr(actor, "pk", None)
    )


def _assess(file: HardshipFile, document: dict[str, Any], on: dt.date) -> Assessment:
    standard = standard_for(file.region_id, on.year)
    result = categorise(
        members_of(document),
        standard=standard.monthly_minimum,
        edge_multiple=standard.edge_multiple,
        sudden_event=bool(document.get("sudden_event")),
    )
    file.standard = standard
    file.category = result.category
    file.members_count = len(document["members"])
    document["assessment"] = {
        "income_per_head": f"{result.income_per_head:.2f}",
        "standard": f"{result.standard:.2f}",
        "edge_line": f"{result.edge_line:.2f}",
        "reasons": result.reasons,
        "on": on.isoformat(),
    }
    file.set_sensitive(document)
    return result


@transaction.atomic
def file_apply(
    *,
    actor: Any,
    worker: Any,
    household: dict[str, Any],
    consent: bool,
    consent_text: str = CONSENT_TEXT,
) -> HardshipFile:
    """A worker applies for themself (on a phone), or an assistance officer on their behalf."""
    own = worker.user_id is not None and worker.user_id == getattr(actor, "pk", None)
    if not own:
        access.require(actor, CHECK, worker.organization)
    if not consent:
        raise _refuse(
            "consent_required",
            _("Separate consent to the processing of sensitive data is needed (PIPL art. 29)."),
            "consent",
            422,
        )
    if HardshipFile.objects.filter(worker=worker, status__in=HardshipFile.ACTIVE).exists():
        raise ConflictError(_("This worker already has an open hardship file."), code="file_open")
    document = clean_household(household)
    now = timezone.now()
    file = HardshipFile(
        organization=worker.organization,
        worker=worker,
        region_id=worker.organization.region_id,
        applied_by=user_or_none(actor),
        consent_text=consent_text,
        consent_at=now,
    )
    file.set_name(worker.name)
    _assess(file, document, timezone.localdate())
    file.full_clean(exclude=["standard", "applied_by", "worker"])
    file.save()
    audit_record(
        actor=actor,
        action="assistance.file_apply",
        obj=file,
        details={"by": "worker" if own else "union", "category": file.category},
    )
    return file


@transaction.atomic
def file_correct(*, actor: Any, file: HardshipFile, household: dict[str, Any]) -> HardshipFile:
    """The worker corrects their own file, or an officer corrects it; the category is recomputed."""
    file = (
        HardshipFile.objects.select_for_update(of=("self",))
        .select_related("worker")
        .get(pk=file.pk)
    )
    if not is_own_file(actor, file):
        access.require(actor, CHECK, file.organization)
    if not file.is_active:
        raise _refuse("file_closed", _("Only an open file can be corrected."))
    before = file.category
    _assess(file, clean_household(household), timezone.localdate())
    file.save()
    audit_record(
        actor=actor,
        action="assistance.file_correct",
        obj=file,
        details={"category": [before, file.category]},
    )
    return file


@transaction.atomic
def file_check(*, actor: Any, file: HardshipFile, working_days: int = NOTICE_DAYS) -> HardshipFile:
    """The enterprise union checks the application and puts it on public notice (masked name,
    no details, working days)."""
    access.require(actor, CHECK, file.organization)
    file = (
        HardshipFile.objects.select_for_update(of=("self",))
        .select_related("worker")
        .get(pk=file.pk)
    )
    if file.status != HardshipFile.Status.APPLIED:
        raise _refuse("wrong_status", _("Only an application awaiting its check can be checked."))
    if file.applied_by_id and same_person(actor, file.applied_by_id):
        raise _refuse(
            "separation_of_duties",
            _("Whoever filed the application on a worker's behalf does not check it."),
            status=403,
        )
    notice = public_notice_publish(
        actor=actor,
        organization=file.organization,
        title=_("Hardship worker file: public notice"),
        body=_("The person below has applied to be filed as a worker in hardship."),
        names=[file.worker.name],
        working_days=working_days,
        about=file,
    )
    file.status = HardshipFile.Status.NOTICE
    file.checked_by = user_or_none(actor)
    file.checked_at = timezone.now()
    file.notice = notice
    file.save(update_fields=["status", "checked_by", "checked_at", "notice"])
    audit_record(
        actor=actor,
        action="assistance.file_check",
        obj=file,
        details={"notice": notice.code, "ends_on": notice.ends_on},
    )
    return file


@transaction.atomic
def file_refuse(*, actor: Any, file: HardshipFile, reason: str) -> HardshipFile:
    file = HardshipFile.objects.select_for_update().get(pk=file.pk)
    if not (
        access.can(actor, CHECK, file.organization) or access.can(actor, APPROVE, file.organization)
    ):
        raise Http404("file")
    if file.status not in (HardshipFile.Status.APPLIED, HardshipFile.Status.NOTICE):
        raise _refuse("wrong_status", _("Only an application in progress can be refused."))
    reason = (reason or "").strip()
    if not reason:
        raise _refuse("reason_required", _("Give the reason for refusing."), "reason", 422)
    if file.notice_id and file.notice.state in (
        PublicNotice.State.OPEN,
        PublicNotice.State.SCHEDULED,
    ):
        public_notice_withdraw(actor=actor, notice=file.notice, reason=_("Application refused."))
    file.status = HardshipFile.Status.REFUSED
    file.refusal_reason = reason[:500]
    file.save(update_fields=["status", "refusal_reason"])
    audit_record(actor=actor, action="assistance.file_refuse", obj=file, details={"reason": reason})
    return file


@audited_refusals
@transaction.atomic
def file_approve(*, actor: Any, file: HardshipFile) -> HardshipFile:
    """Approval one level up, after the notice ended; never by whoever applied or checked."""
    access.require(actor, APPROVE, file.organization)
    file = HardshipFile.objects.select_for_update().get(pk=file.pk)
    if file.status != HardshipFile.Status.NOTICE:
        raise _refuse(
            "wrong_status", _("Only a file that went through its notice can be approved.")
        )
    if file.notice_id and file.notice.state != PublicNotice.State.ENDED:
        raise _refuse(
            "notice_running",
            _("The public notice runs until %(day)s; approve after it ends.")
            % {"day": file.notice.ends_on},
        )
    if acts_only_for(actor, APPROVE, file.organization):
        raise DutyConflict(
            _("A file is approved by the union one level above the one that checked it."),
            action="assistance.file_approve",
            obj=file,
            reason="same_level",
        )
    if same_person(actor, file.checked_by_id) or same_person(actor, file.applied_by_id):
        raise DutyConflict(
            _("Whoever applied for or checked a file does not approve it."),
            action="assistance.file_approve",
            obj=file,
            reason="same_person",
        )
    today = timezone.localdate()
    file.status = HardshipFile.Status.FILED
    file.approved_by = user_or_none(actor)
    file.approved_at = timezone.now()
    file.verify_due_on = today + dt.timedelta(days=VERIFY_EVERY_DAYS)
    file.save(update_fields=["status", "approved_by", "approved_at", "verify_due_on"])
    audit_record(actor=actor, action="assistance.file_approve", obj=file)
    return file


@transaction.atomic
def file_verify(
    *, actor: Any, file: HardshipFile, household: dict[str, Any] | None = None
) -> HardshipFile:
    """Yearly re-verification (动态管理): re-assess against this year's standard."""
    access.require(actor, CHECK, file.organization)
    file = HardshipFile.objects.select_for_update().get(pk=file.pk)
    if file.status != HardshipFile.Status.FILED:
        raise _refuse("wrong_status", _("Only a filed file is re-verified."))
    before = file.category
    document = clean_household(household) if household is not None else file.sensitive()
    _assess(file, document, timezone.localdate())
    file.verified_at = timezone.now()
    file.verify_due_on = timezone.localdate() + dt.timedelta(days=VERIFY_EVERY_DAYS)
    file.save()
    audit_record(
        actor=actor,
        action="assistance.file_verify",
        obj=file,
        details={"category": [before, file.category]},
    )
    return file


@transaction.atomic
def file_exit(*, actor: Any, file: HardshipFile, reason: str, note: str = "") -> HardshipFile:
    access.require(actor, CHECK, file.organization)
    file = HardshipFile.objects.select_for_update().get(pk=file.pk)
    if file.status != HardshipFile.Status.FILED:
        raise _refuse("wrong_status", _("Only a filed file can exit."))
    if reason not in HardshipFile.ExitReason.values:
        raise _refuse("reason_required", _("Choose the reason for the exit."), "reason", 422)
    file.status = HardshipFile.Status.EXITED
    file.exit_reason = reason
    file.exit_note = (note or "").strip()[:500]
    file.exited_on = timezone.localdate()
    file.save(update_fields=["status", "exit_reason", "exit_note", "exited_on"])
    audit_record(actor=actor, action="assistance.file_exit", obj=file, details={"reason": reason})
    return file


@transaction.atomic
def file_reenter(*, actor: Any, file: HardshipFile) -> HardshipFile:
    """An exited household falls back into hardship: the file re-opens as an application (checked,
    noticed and approved again)."""
    access.require(actor, CHECK, file.organization)
    file = HardshipFile.objects.select_for_update().get(pk=file.pk)
    if file.status != HardshipFile.Status.EXITED or file.consent_withdrawn_at:
        raise _refuse("wrong_status", _("Only an exited file can re-enter."))
    if HardshipFile.objects.filter(
        worker_id=file.worker_id, status__in=HardshipFile.ACTIVE
    ).exists():
        raise ConflictError(_("This worker already has an open hardship file."), code="file_open")
    _assess(file, file.sensitive(), timezone.localdate())
    file.status = HardshipFile.Status.APPLIED
    file.applied_by = user_or_none(actor)
    file.checked_by = file.approved_by = None
    file.checked_at = file.approved_at = None
    file.notice = None
    file.exit_reason, file.exit_note, file.exited_on = "", "", None
    file.save()
    audit_record(
        actor=actor, action="assistance.file_reenter", obj=file, details={"category": file.category}
    )
    return file


@transaction.atomic
def file_view(*, actor: Any, file: HardshipFile, purpose: str) -> dict[str, Any]:
    """The file's sensitive document, for a purpose the viewer chose; every reading is audited."""
    own = is_own_file(actor, file)
    if not own:
        if not access.can(actor, VIEW, file.organization):
            raise Http404("file")
        if purpose not in PURPOSES:
            raise _refuse("purpose_required", _("Choose why you open this file."), "purpose", 422)
    audit_record(
        actor=actor,
        action="assistance.file_view",
        obj=file,
        details={"purpose": "self" if own else purpose},
    )
    return file.sensitive()


@transaction.atomic
def document_add(*, actor: Any, file: HardshipFile, title: str, upload: Any) -> FileDocument:
    if not is_own_file(actor, file):
        access.require(actor, CHECK, file.organization)
    if not file.is_active:
        raise _refuse("file_closed", _("Documents are added to open files only."))
    if upload is None or getattr(upload, "size", 0) > 10 * 1024 * 1024:
        raise _refuse("invalid_upload", _("Attach a scan of at most 10 MB."), "upload", 422)
    document = FileDocument(
        file=file, title=(title or "").strip()[:100], uploaded_by=user_or_none(actor)
    )
    ext = os.path.splitext(getattr(upload, "name", ""))[1].lower()
    ext = ext if ext in SCAN_EXTENSIONS else ".bin"
    document.upload.save(f"{document.code}{ext}", upload, save=False)
    document.full_clean(exclude=["uploaded_by"])
    document.save()
    audit_record(
        actor=actor,
        action="assistance.document_add",
        obj=file,
        details={"document": document.code},
    )
    return document


def document_open(*, actor: Any, document: FileDocument, purpose: str) -> Any:
    """Open a scan (decrypted on the fly); audited with the purpose like the file itself."""
    file_view(actor=actor, file=document.file, purpose=purpose)
    audit_record(
        actor=actor,
        action="assistance.document_open",
        obj=document.file,
        details={"document": document.code, "purpose": purpose},
    )
    return document.upload.open("rb")

"""Consent withdrawal (PIPL art. 29 and 15) and anonymisation after retention (PIPL art. 19, 47).

Withdrawal stops processing at once (the file is closed) and starts a background job that erases
the household document and the scanned documents. What the fund ledger must keep stays: the
support records (line, year, amount) and their ledger entries, and signed receipts of paid visits.

Closed files (exited or withdrawn) are anonymised ``ASSISTANCE_RETENTION_YEARS`` (default 5) after
the exit: the link to the worker, the masked name and every document go; the organisation,
region, category and the support amounts stay, for statistics.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit as audit_record
from gongjiang.core.errors import ApplicationError
from gongjiang.core.jobs import job_start

from .models import FileDocument, HardshipFile
from .services import CHECK, is_own_file


def retention_years() -> int:
    return int(getattr(settings, "ASSISTANCE_RETENTION_YEARS", 5))


@transaction.atomic
def consent_withdraw(*, actor: Any, file: HardshipFile) -> HardshipFile:
    """The worker (or an officer at the worker's request) withdraws consent."""
    file = (
        HardshipFile.objects.select_for_update(of=("self",))
        .select_related("worker")
        .get(pk=file.pk)
    )
    if not is_own_file(actor, file):
        access.require(actor, CHECK, file.organization)
    if file.consent_withdrawn_at or file.status == HardshipFile.Status.ANONYMISED:
        raise ApplicationError(
            _("Consent was already withdrawn."), code="already_withdrawn", status=409
        )
    file.consent_withdrawn_at = timezone.now()
    file.status = HardshipFile.Status.WITHDRAWN
    file.exited_on = file.exited_on or timezone.localdate()
    file.save(update_fields=["consent_withdrawn_at", "status", "exited_on"])
    audit_record(actor=actor, action="assistance.consent_withdraw", obj=file)
    job_start(
        actor=actor,
        kind="assistance.erase",
        organization=file.organization,
        params={"file": file.code},
    )
    return file


def _delete_documents(files: Any) -> int:
    documents = list(FileDocument.objects.filter(file__in=files))
    for document in documents:
        document.upload.delete(save=False)
    FileDocument.objects.filter(pk__in=[d.pk for d in documents]).delete()
    return len(documents)


@transaction.atomic
def erase_withdrawn(*, actor: Any, code: str) -> dict[str, int]:
    file = HardshipFile.objects.select_for_update().get(code=code)
    if file.status != HardshipFile.Status.WITHDRAWN:
        return {"erased": 0, "documents": 0}
    documents = _delete_documents([file])
    file.sensitive_encrypted = ""
    file.save(update_fields=["sensitive_encrypted"])
    audit_record(
        actor=actor, action="assistance.data_erase", obj=file, details={"documents": documents}
    )
    return {"erased": 1, "documents": documents}


def anonymise_due(*, actor: Any, today: dt.date | None = None) -> int:
    """Anonymise closed files whose retention ended; returns how many."""
    today = today or timezone.localdate()
    years = retention_years()
    try:
        cutoff = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - years, day=28)
    due = HardshipFile.objects.filter(
        Q(status=HardshipFile.Status.EXITED) | Q(status=HardshipFile.Status.WITHDRAWN),
        exited_on__lte=cutoff,
        anonymised_at__isnull=True,
    )
    count = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            file = HardshipFile.objects.select_for_update().get(pk=pk)
            documents = _delete_documents([file])
            for visit in file.visits.exclude(receipt=""):
                if visit.payment_id is None:
                    visit.receipt.delete(save=True)
            file.worker = None
            file.masked_name = ""
            file.sensitive_encrypted = ""
            file.consent_text = ""
            file.exit_note = ""
            file.refusal_reason = ""
            file.status = HardshipFile.Status.ANONYMISED
            file.anonymised_at = timezone.now()
            file.save()
            audit_record(
                actor=actor,
                action="assistance.file_anonymise",
                obj=file,
                details={"documents": documents, "retention_years": years},
            )
            count += 1
    return count

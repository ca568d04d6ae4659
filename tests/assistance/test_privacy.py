"""Protection: sensitive fields encrypted at rest and never in log lines, audit payloads or error
bodies; every view audited with its purpose; consent withdrawal and anonymisation erase what they
may and leave the fund totals unchanged."""

from __future__ import annotations

import datetime as dt
import json
import logging
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from gongjiang.assistance import privacy, services, support
from gongjiang.assistance.models import FileDocument, HardshipFile, SupportRecord
from gongjiang.core.errors import ApplicationError
from gongjiang.core.ledger.models import Fund, LedgerEntry
from gongjiang.core.ledger.services import fund_create, fund_credit
from gongjiang.core.models import AuditEvent

from .conftest import filed_file, household

pytestmark = pytest.mark.django_db

SECRETS = ("高血压", "4321.98", "罕见病ZX", "9876.54", "王小明")


def _secret_household() -> dict[str, Any]:
    data = household("800.00")
    data["members"][0]["health"] = "高血压"
    data["members"][0]["monthly_income"] = "4321.98"
    data["members"][1]["health"] = "罕见病ZX"
    data["debts"] = "9876.54"
    return data


def test_sensitive_data_never_leaks(
    assist: Any, client: Any, caplog: Any, django_capture_on_commit_callbacks: Any
) -> None:
    a = assist
    first_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    caplog.set_level(logging.DEBUG)
    client.force_login(a.world.worker_a)
    body = {**_secret_household(), "consent": True}
    r = client.post(
        "/api/v1/assistance/files", data=json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 201, r.content
    code = r.json()["code"]
    assert "王小明" not in r.content.decode()  # the list shape carries the masked name only
    # an invalid correction: the error names the field, never the value
    bad = _secret_household()
    bad["members"][0]["monthly_income"] = "4321.987"
    file = HardshipFile.objects.get(code=code)
    with pytest.raises(Exception) as exc:
        services.file_correct(actor=a.world.worker_a, file=file, household=bad)
    error_text = str(exc.value) + json.dumps(getattr(exc.value, "details", []), ensure_ascii=False)
    bodies = [error_text]
    client.force_login(a.ent_helper)
    r = client.post(
        "/api/v1/assistance/assess",
        data=json.dumps(
            {
                "region": "440300",
                "year": a.year,
                "members": [{"relation": "本人", "monthly_income": "4321.98"}],
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 422
    bodies.append(r.content.decode())
    # the officer works the file through: check, view with a purpose, document, notice
    file = services.file_check(actor=a.ent_helper, file=file)
    r = client.get(f"/api/v1/assistance/files/{code}", {"purpose": "review"})
    assert r.status_code == 200 and r.json()["household"]["members"][0]["health"] == "高血压"
    services.document_add(
        actor=a.ent_helper,
        file=file,
        title="诊断证明",
        upload=SimpleUploadedFile("x.pdf", "%PDF 罕见病ZX".encode()),
    )
    r = client.get(f"/assistance/files/{code}/")
    bodies.append(r.content.decode())  # without a purpose: no household data on the page
    # at rest: encrypted
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM assistance_hardshipfile WHERE code = %s", [code])
        raw_row = " ".join(str(v) for v in cursor.fetchone())
    document = FileDocument.objects.get(file=file)
    with open(document.upload.path, "rb") as raw:
        raw_file = raw.read().decode("latin-1")
    audit = json.dumps(
        list(
            AuditEvent.objects.filter(id__gt=first_event).values("action", "object_repr", "details")
        ),
        ensure_ascii=False,
        default=str,
    )
    logs = "\n".join(record.getMessage() for record in caplog.records)
    for secret in SECRETS:
        assert secret not in raw_row, secret
        assert secret not in audit, secret
        assert secret not in logs, secret
        for text in bodies:
            assert secret not in text, secret
    assert "罕见病ZX".encode().decode("latin-1") not in raw_file
    # the reading was audited with its purpose
    views = AuditEvent.objects.filter(action="assistance.file_view", object_code=code)
    assert [v.details["purpose"] for v in views] == ["review"]


def test_view_needs_a_purpose(assist: Any, client: Any) -> None:
    a = assist
    file = services.file_apply(
        actor=a.world.worker_a, worker=a.worker, household=household(), consent=True
    )
    client.force_login(a.ent_helper)
    r = client.get(f"/assistance/files/{file.code}/")
    assert r.status_code == 200 and "高血压" not in r.content.decode()
    assert not AuditEvent.objects.filter(action="assistance.file_view").exists()
    r = client.get(f"/assistance/files/{file.code}/", {"purpose": "visit"})
    assert "高血压" in r.content.decode()
    assert AuditEvent.objects.get(action="assistance.file_view").details == {"purpose": "visit"}
    r = client.get(f"/api/v1/assistance/files/{file.code}")
    assert r.status_code == 422  # the API asks for the purpose too


def _paid(a: Any) -> tuple[HardshipFile, Fund]:
    file = filed_file(a, "800.00")
    lines = {
        line.kind: line
        for line in support.lines_ensure_defaults(actor=a.city_helper, organization=a.world.city_a)
    }
    fund = fund_create(actor=a.city_helper, organization=a.world.city_a, name="帮扶资金")
    fund_credit(actor=a.city_helper, fund=fund, amount="5000.00")
    record = support.support_decide(
        actor=a.ent_helper, file=file, line=lines["living"], amount="1200"
    )
    support.support_pay(actor=a.city_helper, record=record, fund=fund)
    services.document_add(
        actor=a.ent_helper, file=file, title="收入证明", upload=SimpleUploadedFile("x.pdf", b"%PDF")
    )
    return file, fund


def _totals(fund: Fund) -> tuple[Decimal, int, Decimal]:
    fund.refresh_from_db()
    paid = sum(r.amount for r in SupportRecord.objects.filter(status="paid"))
    return fund.balance, LedgerEntry.objects.filter(fund=fund).count(), paid


def test_consent_withdrawal_erases_and_keeps_the_ledger(
    assist: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    a = assist
    file, fund = _paid(a)
    before = _totals(fund)
    path = FileDocument.objects.get(file=file).upload.path
    client.force_login(a.world.worker_a)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/assistance/me/{file.code}/", {"action": "withdraw"})
    assert r.status_code == 302
    file.refresh_from_db()
    assert file.status == "withdrawn" and file.consent_withdrawn_at
    assert file.sensitive_encrypted == "" and not FileDocument.objects.filter(file=file).exists()
    import os

    assert not os.path.exists(path)
    assert _totals(fund) == before
    assert AuditEvent.objects.filter(action="assistance.data_erase", object_code=file.code).exists()
    # processing stopped: no more support
    with pytest.raises(ApplicationError):
        support.support_decide(
            actor=a.ent_helper, file=file, line=SupportRecord.objects.first().line, amount="200"
        )


def test_anonymisation_after_retention_keeps_statistics(assist: Any) -> None:
    a = assist
    file, fund = _paid(a)
    file = services.file_exit(actor=a.ent_helper, file=file, reason="employed")
    before = _totals(fund)
    today = timezone.localdate()
    assert privacy.anonymise_due(actor=a.city_helper, today=today) == 0  # retention not over
    later = today + dt.timedelta(days=5 * 366)
    assert privacy.anonymise_due(actor=a.city_helper, today=later) == 1
    file.refresh_from_db()
    assert file.status == "anonymised" and file.worker_id is None and file.masked_name == ""
    assert file.sensitive_encrypted == "" and not file.documents.exists()
    assert file.category == "deep" and file.organization_id == a.world.enterprise_a.pk
    assert _totals(fund) == before
    assert privacy.anonymise_due(actor=a.city_helper, today=later) == 0  # once

"""History rows of a worker: certificates, honours, training records (re-exported by services).

Each service checks permission at the door, validates, and writes the audit log in one transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit, user_or_none
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import Occupation, SkillLevel

from .models import Certificate, Honour, TrainingRecord, Worker
from .refs import level_ref as _level
from .refs import occupation_ref as _occupation


def _history_common(row: Any, actor: Any, source: str, source_ref: str) -> None:
    row.source = (source or "")[:200]
    row.source_ref = (source_ref or "")[:60]
    row.recorded_by = user_or_none(actor)


def _not_future(date: dt.date | None, field: str = "date") -> None:
    if date is not None and date > timezone.localdate():
        raise ValidationError({field: [_("The date is in the future.")]})


@transaction.atomic
def certificate_add(
    *,
    actor: Any,
    worker: Worker,
    kind: str,
    number: str,
    issuer: str,
    date: dt.date,
    occupation: Occupation | str | None = None,
    level: SkillLevel | str | None = None,
    valid_until: dt.date | None = None,
    source: str = "",
    source_ref: str = "",
) -> Certificate:
    """Record a certificate. A skill level certificate's 22-character number is validated
    (:mod:`gongjiang.workforce.validators`) and must agree with ``level``."""
    access.require(actor, "workforce.add_certificate", worker.organization)
    level_obj = _level(level)
    _not_future(date)
    if kind == Certificate.Kind.SKILL_LEVEL:
        from .validators import normalize_certificate_number as check

        try:
            number = check(number, national_level=getattr(level_obj, "national_level", None))
        except ValidationError as exc:
            raise ValidationError({"number": exc.messages}) from exc
    cert = Certificate(
        worker=worker,
        kind=kind,
        number=(number or "").strip(),
        issuer=issuer,
        date=date,
        occupation=_occupation(occupation),
        level=level_obj,
        valid_until=valid_until,
    )
    _history_common(cert, actor, source, source_ref)
    cert.full_clean(exclude=["code", "worker"])
    cert.save()
    audit(
        actor=actor,
        action="worker.certificate_add",
        obj=worker,
        details={
            "certificate": cert.code,
            "kind": kind,
            "number": cert.number,
            "level": getattr(level_obj, "pk", None),
        },
    )
    return cert


@transaction.atomic
def certificate_revoke(*, actor: Any, certificate: Certificate, reason: str = "") -> Certificate:
    access.require(actor, "workforce.add_certificate", certificate.worker.organization)
    certificate.revoked = True
    certificate.save(update_fields=["revoked"])
    audit(
        actor=actor,
        action="worker.certificate_revoke",
        obj=certificate.worker,
        details={"certificate": certificate.code, "reason": reason},
    )
    return certificate


HONOUR_TITLES = (
    "劳动模范",
    "全国劳动模范",
    "全国五一劳动奖章",
    "省五一劳动奖章",
    "大国工匠",
    "全国技术能手",
    "省级技术能手",
    "中华技能大奖",
    "全国五一巾帼标兵",
    "优秀共产党员",
    "先进工作者",
)


@transaction.atomic
def honour_add(
    *,
    actor: Any,
    worker: Worker,
    title: str,
    level: str,
    year: int,
    date: dt.date | None = None,
    awarded_by: str = "",
    source: str = "",
    source_ref: str = "",
) -> Honour:
    """Record an honour (劳动模范, 全国五一劳动奖章, 大国工匠, 全国技术能手, …) with level and year."""
    access.require(actor, "workforce.add_honour", worker.organization)
    today = timezone.localdate()
    if not 1949 <= int(year) <= today.year:
        raise ValidationError({"year": [_("The year must be between 1949 and this year.")]})
    date = date or dt.date(int(year), 1, 1)
    _not_future(date)
    honour = Honour(
        worker=worker,
        title=title.strip(),
        level=level,
        year=int(year),
        date=date,
        awarded_by=awarded_by,
    )
    _history_common(honour, actor, source, source_ref)
    honour.full_clean(exclude=["code", "worker"])
    honour.save()
    audit(
        actor=actor,
        action="worker.honour_add",
        obj=worker,
        details={"honour": honour.code, "title": honour.title, "level": level, "year": year},
    )
    _honour_rollups(worker.organization_id)
    return honour


@transaction.atomic
def honour_revoke(*, actor: Any, honour: Honour, reason: str = "") -> Honour:
    access.require(actor, "workforce.add_honour", honour.worker.organization)
    if honour.revoked:
        raise ApplicationError(_("This honour has already been revoked."), code="already_revoked")
    honour.revoked = True
    honour.save(update_fields=["revoked"])
    audit(
        actor=actor,
        action="worker.honour_revoke",
        obj=honour.worker,
        details={"honour": honour.code, "reason": reason},
    )
    _honour_rollups(honour.worker.organization_id)
    return honour


def _honour_rollups(organization_id: int) -> None:
    """Keep the honours rollup of the employer current, inside the caller's transaction."""
    from .analytics.rollups import rollups_refresh

    rollups_refresh([organization_id], parts=("honours",))


@transaction.atomic
def training_record_add(
    *,
    actor: Any,
    worker: Worker,
    title: str,
    hours: Decimal | float | int,
    date: dt.date,
    result: str = "",
    provider: str = "",
    source: str = "",
    source_ref: str = "",
) -> TrainingRecord:
    """Record a course or training event attended (hours, result)."""
    access.require(actor, "workforce.add_training_record", worker.organization)
    _not_future(date)
    hours = Decimal(str(hours))
    if hours <= 0 or hours > 10000:
        raise ValidationError({"hours": [_("Hours must be more than 0 and at most 10,000.")]})
    record = TrainingRecord(
        worker=worker, title=title.strip(), hours=hours, date=date, result=result, provider=provider
    )
    _history_common(record, actor, source, source_ref)
    record.full_clean(exclude=["code", "worker"])
    record.save()
    audit(
        actor=actor,
        action="worker.training_record_add",
        obj=worker,
        details={"record": record.code, "title": record.title, "hours": hours},
    )
    return record

"""Payroll's bands for many workers at once: an Excel or CSV file (工号 or 身份证号, 姓名, 通道,
等级, optionally 月工资) read through the bounded reader, checked as a whole and written all or
nothing, as a background job with progress (an enterprise's payroll runs to tens of thousands of
rows).

* A worker is found by employee number (工号) or citizen ID (身份证号, matched by its keyed hash)
  among the active workers of the enterprise subtree only; a worker elsewhere gets the same row
  error as one who does not exist, and the name written must be the registry's.
* The monthly pay column is optional; a file that fills it needs the ``hr`` role
  (``careers.pay_individual``) — otherwise the whole file is refused, naming the column, before any
  row is read. Pay is encrypted at rest like a single entry (``pay.worker_pay_save``).
* Every bad row is reported with its row number, column as written, value and reason; nothing is
  written unless every row is right (``dry_run`` checks only).
"""

from __future__ import annotations

from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongjiang.core import access, crypto
from gongjiang.core.actors import audit, user_or_none
from gongjiang.core.errors import ApplicationError
from gongjiang.core.jobs import Progress, job_handler
from gongjiang.core.models import Job, Organization
from gongjiang.core.spreadsheets import (
    RowErrors,
    check_summary,
    find_header,
    is_blank,
    read_rows,
    row_values,
)
from gongjiang.core.validators import normalize_citizen_id
from gongjiang.workforce.models import Worker
from gongjiang.workforce.personal import citizen_id_hashes

from .models_pay import CHANNELS, WorkerPay
from .pay import CHANNEL_WORDS, INDIVIDUAL, MANAGE, _level_ok, money
from .policy import normalise_target

JOB_KIND = "careers.worker_pay_import"
MAX_ROWS = 100_000
CHANNEL_CODES = {c for c, _l in CHANNELS}
COLUMNS = {
    "employee_number": ["工号", "employee number", "employee_number"],
    "citizen_id": ["身份证号", "公民身份号码", "citizen id", "citizen_id"],
    "name": ["姓名", "name"],
    "channel": ["通道", "channel"],
    "level": ["等级", "level"],
    "pay": ["月工资", "monthly pay", "pay"],
}
REQUIRED = ["name", "channel", "level"]


def _workers(enterprise: Organization) -> Any:
    return Worker.objects.filter(
        organization__path__startswith=enterprise.path, status=Worker.Status.ACTIVE
    )


def worker_pay_import(
    *,
    actor: Any,
    enterprise: Organization,
    source: IO[bytes],
    name: str,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Check a payroll file and, unless ``dry_run`` or any row is wrong, save every row's band
    (and pay). Answers ``{rows, valid, rejected, created, errors}`` as the other imports do."""
    access.require(actor, MANAGE, enterprise)
    rows = read_rows(source, name)
    errors: list[Any] = []
    planned: list[tuple[int, Worker, str, str, str]] = []
    count = 0
    try:
        _n, mapping, headers, body = find_header(rows, COLUMNS, REQUIRED)
        header_of = {f: headers[i] for f, i in mapping.items()}
        if "employee_number" not in mapping and "citizen_id" not in mapping:
            raise ApplicationError(
                _("The file needs a column 工号 or 身份证号 to find each worker."),
                code="missing_column",
                details=[{"field": "工号", "error": _("missing")}],
            )
        may_pay = access.can(actor, INDIVIDUAL, enterprise)
        items: list[tuple[int, dict[str, str]]] = []
        for number, row in body:
            if is_blank(row):
                continue
            count += 1
            if count > MAX_ROWS:
                raise ApplicationError(
                    _("At most %(n)s rows per file.") % {"n": f"{MAX_ROWS:,}"},
                    code="too_many_rows",
                )
            values = row_values(row, mapping)
            if values.get("pay") and not may_pay:
                raise ApplicationError(
                    _("Only the HR role may import monthly pay: empty the column “%(c)s”.")
                    % {"c": header_of["pay"]},
                    code="pay_not_allowed",
                    status=403,
                    details=[{"field": header_of["pay"], "error": _("not allowed")}],
                )
            items.append((number, values))
    finally:
        rows.close()

    # look every worker up in two set-based queries over the enterprise subtree only
    numbers = {v.get("employee_number", "")[:40] for _n, v in items} - {""}
    hashes: dict[str, str] = {}
    for _number, v in items:
        raw = v.get("citizen_id", "")
        if raw and not v.get("employee_number"):
            try:
                cid = normalize_citizen_id(raw)
            except ValidationError:  # reported on the row below
                continue
            for h in citizen_id_hashes(cid):
                hashes[h] = cid
    by_number: dict[str, list[Worker]] = {}
    for w in (
        _workers(enterprise)
        .filter(employee_number__in=numbers)
        .only("id", "name", "employee_number", "organization_id")
    ):
        by_number.setdefault(w.employee_number, []).append(w)
    by_cid: dict[str, Worker] = {}
    for w in (
        _workers(enterprise)
        .filter(citizen_id_hash__in=list(hashes))
        .only("id", "name", "citizen_id_hash", "organization_id")
    ):
        by_cid[hashes[w.citizen_id_hash]] = w

    seen: dict[int, int] = {}
    for i, (number, values) in enumerate(items, start=1):
        bad = RowErrors(number, values, header_of)
        worker: Worker | None = None
        key_field = "employee_number" if values.get("employee_number") else "citizen_id"
        if values.get("employee_number"):
            found = by_number.get(values["employee_number"][:40], [])
            if len(found) > 1:
                bad.bad(
                    "employee_number",
                    _("Several workers have this employee number: use 身份证号 instead."),
                )
            elif found:
                worker = found[0]
        elif values.get("citizen_id"):
            try:
                worker = by_cid.get(normalize_citizen_id(values["citizen_id"]))
            except ValidationError as exc:  # the validator names the reason
                bad.bad("citizen_id", " ".join(exc.messages))
        if worker is None and not bad:
            bad.bad(key_field, _("No active worker of this enterprise has this number."))
        if worker is not None and values["name"] != worker.name:
            bad.bad("name", _("The name does not match the registry."))
        channel = CHANNEL_WORDS.get(values["channel"], values["channel"])
        level = values["level"]
        if channel in ("skill", "title"):
            level = normalise_target(level) or level
        if channel not in CHANNEL_CODES:
            bad.bad("channel", _("Unknown channel."))
        elif not _level_ok(channel, level):
            bad.bad("level", _("Unknown level for the channel."))
        pay = ""
        if values.get("pay"):
            try:
                pay = str(money(values["pay"], "pay"))
            except ApplicationError as exc:
                bad.bad("pay", exc.message)
        if worker is not None and worker.pk in seen:
            bad.bad(
                key_field, _("The same worker is on row %(row)s too.") % {"row": seen[worker.pk]}
            )
        if worker is not None:
            seen.setdefault(worker.pk, number)
        if bad:
            errors.extend(bad)
        elif worker is not None:
            planned.append((number, worker, channel, level, pay))
        if progress and i % 1000 == 0:
            progress(i, len(items) * 2, _("Checking rows"))

    result = check_summary(count, count - len({e.row for e in errors}), errors)
    if errors or dry_run:
        return result
    by_user = user_or_none(actor)
    with transaction.atomic():
        existing = {
            p.worker_id: p
            for p in WorkerPay.objects.select_for_update().filter(
                worker_id__in=[w.pk for _n, w, *_rest in planned]
            )
        }
        new: list[WorkerPay] = []
        changed: list[WorkerPay] = []
        for j, (_number, worker, channel, level, pay) in enumerate(planned, start=1):
            token = crypto.encrypt(pay) if pay else ""
            row = existing.get(worker.pk)
            if row is None:
                new.append(
                    WorkerPay(
                        worker=worker,
                        organization=enterprise,
                        recorded_channel=channel,
                        recorded_level=level,
                        pay_encrypted=token,
                        updated_by=by_user,
                    )
                )
            else:
                row.organization = enterprise
                row.recorded_channel = channel
                row.recorded_level = level
                row.pay_encrypted = token
                row.updated_by = by_user
                changed.append(row)
            if progress and j % 1000 == 0:
                progress(len(items) + j, len(items) * 2, _("Saving"))
        WorkerPay.objects.bulk_create(new, batch_size=2000)
        WorkerPay.objects.bulk_update(
            changed,
            ["organization", "recorded_channel", "recorded_level", "pay_encrypted", "updated_by"],
            batch_size=2000,
        )
        audit(
            actor=actor,
            action="careers.worker_pay_import",
            obj=enterprise,
            organization=enterprise,
            details={
                "rows": len(planned),
                "with_pay": sum(1 for p in planned if p[4]),
                "file": name[:100],
            },
        )
    result["created"] = len(planned)
    return result


@job_handler(JOB_KIND)
def run_worker_pay_import(job: Job, progress: Progress) -> dict[str, Any]:
    actor = get_user_model().objects.get(pk=job.created_by_id)
    access.forget(actor)
    with job.input_file.open("rb") as fh:
        return worker_pay_import(
            actor=actor,
            enterprise=job.organization,
            source=fh,
            name=job.params.get("name", "") or job.input_file.name,
            dry_run=bool(job.params.get("dry_run")),
            progress=progress,
        )


def worker_pay_import_start(
    *, actor: Any, enterprise: Organization, upload: Any, dry_run: bool = False
) -> Job:
    """Start the import as a background job the user watches (its report: the job's result)."""
    from gongjiang.core.jobs import job_start

    access.require(actor, MANAGE, enterprise)
    return job_start(
        actor=actor,
        kind=JOB_KIND,
        organization=enterprise,
        params={"dry_run": bool(dry_run), "name": str(upload.name)[:200]},
        input_file=upload,
        input_name=upload.name,
    )

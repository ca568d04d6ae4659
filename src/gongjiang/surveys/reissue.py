"""Re-issuing lost anonymous links for a list of workers (bulk), blind as the single re-issue.

The list comes pasted (codes separated by lines, spaces, commas), chosen with the scoped worker
picker (which adds codes to the same box) or uploaded (.xlsx/.xls/.csv with a 职工编号 column),
read through the platform's one bounded reader (``core.spreadsheets.read_rows``). Every bad entry
is named by row, column and value, and nothing is re-issued unless every entry is good. A code
that was not sent the survey and a code of a worker outside the manager's subtree get the same
words (``services.link_reissue``'s): nothing tells whether such a worker exists.

The new links are handed over as one export (``core.exports``, formula-safe): worker, name,
employer, link, in the order of the list. Nothing in it, in the audit row or in any message
depends on whether a worker has already answered (docs/surveys.md, "How anonymity holds"): the
same token replacement as ``services.link_reissue`` and the same re-issued prefix.

Lists longer than ``IN_REQUEST_MAX`` run as the background job ``surveys.reissue`` (core.jobs)
with progress; its output file goes once to the officer who started it and is deleted then.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import asdict, dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gongjiang.core import access
from gongjiang.core.actors import audit
from gongjiang.core.crypto import keyed_hash
from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.core.exports import csv_bytes, xlsx_bytes
from gongjiang.core.jobs import Progress, job_handler, job_start, own_job_get
from gongjiang.core.models import Job
from gongjiang.core.spreadsheets import cell_text, find_header, is_blank, read_rows

from .models import Invitation, Survey
from .sending import links_hand_over
from .services import MANAGE, REISSUED

KIND = "surveys.reissue"
IN_REQUEST_MAX = 200  # workers a request re-issues itself; more go to the background job
MAX_WORKERS = 20_000  # workers in one list (a larger list is refused, never cut)
CODE_MAX = 20  # the length of a registry code
CHUNK = 1000
SPLIT = re.compile(r"[\s,，、;；]+")
HEADERS = {"worker": ["职工编号", "registry code", "worker", "编号", "code"]}


@dataclass(frozen=True)
class Entry:
    """One code of the list: where it stands (row as the user sees it, column) and its value."""

    row: int
    column: str
    value: str


@dataclass(frozen=True)
class Issued:
    worker: str
    name: str
    employer: str
    token: str


class ListRefused(ApplicationError):
    """The list has bad entries: every one is in ``details`` (row, column, value, error)."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(
            _("%(n)d entries of the list cannot be used: nothing was re-issued.")
            % {"n": len(errors)},
            code="list_invalid",
            status=422,
            details=errors,
        )


def _error(entry: Entry, message: str) -> dict[str, Any]:
    return {"field": "workers", "error": str(message), **asdict(entry)}


def _column() -> str:
    return str(_("registry code of the worker"))


def entries_from_text(text: str) -> list[Entry]:
    """The codes of a pasted list: each line is a row, codes on it separated by spaces or commas."""
    column = _column()
    out: list[Entry] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        for value in SPLIT.split(line.strip()):
            if value:
                out.append(Entry(number, column, value))
    return out


def entries_from_codes(codes: list[str]) -> list[Entry]:
    """The codes of an API list: the row is the position (1-based)."""
    column = "workers"
    return [Entry(i, column, (c or "").strip()) for i, c in enumerate(codes, start=1)]


def entries_from_file(upload: IO[bytes], filename: str) -> list[Entry]:
    """The codes of an uploaded sheet: the column headed 职工编号 (or "registry code") in the first
    ten rows; blank rows are skipped. Read through the platform's one bounded reader."""
    rows = read_rows(upload, filename)
    try:
        _number, mapping, headers, below = find_header(rows, HEADERS, ["worker"])
        index = mapping["worker"]
        column = headers[index]
        out: list[Entry] = []
        for number, row in below:
            if is_blank(row):
                continue
            value = cell_text(row[index]) if index < len(row) else ""
            out.append(Entry(number, column, value))
            if len(out) > MAX_WORKERS:
                break  # refused below as too long, never cut
        return out
    finally:
        rows.close()


def _too_long(entries: list[Entry]) -> None:
    if not entries:
        raise ValidationError({"workers": [_("Give at least one registry code.")]})
    if len(entries) > MAX_WORKERS:
        raise ValidationError(
            {
                "workers": [
                    _("A list may hold at most %(max)d workers; split it.") % {"max": MAX_WORKERS}
                ]
            }
        )


def _check(
    actor: Any, survey: Survey, entries: list[Entry], *, lock: bool
) -> tuple[list[int], list[dict[str, Any]]]:
    """The invitations to re-issue, in the list's order, and every bad entry. Only invitations
    the actor may manage are looked up, so an out-of-scope worker is "not sent" like a stranger."""
    _too_long(entries)
    unknown = _("No worker with this registry code was sent this survey.")
    login = _("This worker has a login: they answer on their home page, without a link.")
    errors: list[dict[str, Any]] = []
    first_row: dict[str, int] = {}
    wanted: list[tuple[Entry, str]] = []
    for entry in entries:
        code = entry.value
        if not code or len(code) > CODE_MAX:
            errors.append(_error(entry, unknown))
        elif code in first_row:
            errors.append(
                _error(entry, _("Listed twice (first in row %(row)d).") % {"row": first_row[code]})
            )
        else:
            first_row[code] = entry.row
            wanted.append((entry, code))
    found: dict[str, tuple[int, int | None]] = {}
    codes = [c for _e, c in wanted]
    scoped = Invitation.objects.visible_to(actor, MANAGE).filter(survey=survey)
    for start in range(0, len(codes), CHUNK):
        qs = scoped.filter(worker__code__in=codes[start : start + CHUNK])
        if lock:
            qs = qs.select_for_update(of=("self",)).order_by("pk")
        for pk, code, user_id in qs.values_list("pk", "worker__code", "worker__user_id"):
            found[code] = (pk, user_id)
    ids: list[int] = []
    for entry, code in wanted:
        hit = found.get(code)
        if hit is None:
            errors.append(_error(entry, unknown))
        elif hit[1] is not None:
            errors.append(_error(entry, login))
        else:
            ids.append(hit[0])
    errors.sort(key=lambda e: (e["row"], e["value"]))
    return ids, errors


def reissue_check(*, actor: Any, survey: Survey, entries: list[Entry]) -> int:
    """Check a list without changing anything (the page and the API before starting a job):
    how many links it would re-issue, or ListRefused naming every bad entry."""
    access.require(actor, MANAGE, survey.organization)
    if survey.status != Survey.Status.OPEN:
        raise ConflictError(_("This survey is not open."), code="survey_not_open")
    ids, errors = _check(actor, survey, entries, lock=False)
    if errors:
        raise ListRefused(errors)
    return len(ids)


def link_reissue_bulk(
    *, actor: Any, survey: Survey, entries: list[Entry], progress: Progress | None = None
) -> list[Issued]:
    """New anonymous links for every worker of the list, or none (one transaction): each
    invitation's ``token_hash`` is replaced as ``services.link_reissue`` replaces it, and nothing
    else changes. Returns the new tokens, once, in the list's order."""
    access.require(actor, MANAGE, survey.organization)
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if survey.status != Survey.Status.OPEN:
            raise ConflictError(_("This survey is not open."), code="survey_not_open")
        ids, errors = _check(actor, survey, entries, lock=True)
        if errors:
            raise ListRefused(errors)
        total = len(ids)
        if progress:
            progress(0, total, _("Re-issuing the links…"))
        rows = {
            pk: (code, name, employer or "")
            for pk, code, name, employer in Invitation.objects.filter(pk__in=ids).values_list(
                "pk", "worker__code", "worker__name", "worker__employer__name"
            )
        }
        issued: list[Issued] = []
        changed: list[Invitation] = []
        for pk in ids:
            token = REISSUED + secrets.token_urlsafe(18)
            changed.append(Invitation(pk=pk, token_hash=keyed_hash(token)))
            code, name, employer = rows[pk]
            issued.append(Issued(code, name, employer, token))
            if len(changed) >= CHUNK:
                Invitation.objects.bulk_update(changed, ["token_hash"])
                changed = []
                if progress:
                    progress(len(issued), total)
        if changed:
            Invitation.objects.bulk_update(changed, ["token_hash"])
        audit(
            actor=actor,
            action="survey.link_reissue_bulk",
            obj=survey,
            details={"workers": [i.worker for i in issued]},
        )
        if progress:
            progress(total, total)
    return issued


def _header() -> list[str]:
    return [_("worker"), pgettext("person", "name"), _("employer"), _("survey link")]


def _rows(issued: list[Issued], base: str) -> list[tuple[str, str, str, str]]:
    return [(i.worker, i.name, i.employer, f"{base}/surveys/a/{i.token}/") for i in issued]


def links_xlsx(issued: list[Issued], base: str = "") -> bytes:
    """The new links as a workbook written through core.exports (values as text, never formulas)."""
    return xlsx_bytes([(str(_("new links")), _header(), _rows(issued, base))])


def links_csv(issued: list[Issued], base: str = "") -> bytes:
    return csv_bytes(_header(), _rows(issued, base))


# ------------------------------------------------------------------------ the background job
def reissue_start(*, actor: Any, survey: Survey, entries: list[Entry]) -> Job:
    """Check the list now (every bad entry named at once), then queue the job that re-issues."""
    reissue_check(actor=actor, survey=survey, entries=entries)
    return job_start(
        actor=actor,
        kind=KIND,
        organization=survey.organization,
        params={"survey": survey.code, "entries": [[e.row, e.column, e.value] for e in entries]},
    )


def reissue_job(actor: Any, survey: Survey) -> Job | None:
    """The latest re-issue job of this survey that ``actor`` started (nobody else's)."""
    return (
        Job.objects.filter(kind=KIND, params__survey=survey.code, created_by_id=actor.pk)
        .order_by("-created_at", "-id")
        .first()
    )


@job_handler(KIND)
def run_reissue(job: Job, progress: Progress) -> dict[str, Any]:
    survey = Survey.objects.select_related("organization").get(code=job.params["survey"])
    access.forget(job.created_by)
    entries = [Entry(int(r), str(c), str(v)) for r, c, v in job.params["entries"]]
    try:
        issued = link_reissue_bulk(
            actor=job.created_by, survey=survey, entries=entries, progress=progress
        )
    except ListRefused as exc:  # the registry or the survey changed since the check
        first = exc.details[0]
        raise ApplicationError(
            f"{exc.message} {first['row']} · {first['column']} · {first['value']}: "
            f"{first['error']}",
            code="list_invalid",
        ) from exc
    data = links_xlsx(issued)
    job.output_file.save(f"survey-relinks-{survey.code}.xlsx", ContentFile(data), save=False)
    Job.objects.filter(pk=job.pk).update(
        output_file=job.output_file.name, params={"survey": survey.code, "workers": len(entries)}
    )
    progress(
        len(issued),
        len(issued),
        _("%(n)d new anonymous links to hand out.") % {"n": len(issued)},
    )
    return {"links": len(issued), "survey": survey.code}


def reissue_links_take(*, actor: Any, survey: Survey, job_code: str) -> bytes:
    """The new links of a finished re-issue job, once, for the officer who started it (404 for
    anyone else); the file is deleted as it is handed over."""
    job = own_job_get(actor=actor, code=job_code, kind=KIND)
    access.require(actor, MANAGE, survey.organization)
    if job.result.get("survey") != survey.code or job.status != Job.Status.SUCCEEDED:
        raise Http404("job")
    return links_hand_over(actor=actor, survey=survey, job=job)

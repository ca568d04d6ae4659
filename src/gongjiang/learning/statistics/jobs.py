"""Item statistics of large exam sessions and banks as background jobs (:mod:`gongjiang.core.jobs`).

Below :data:`JOB_THRESHOLD` answer rows (the marks of complete attempts) the figures are computed in
the request, as they always were. From it on, the pages and the API start a job of kind
``learning.item_statistics`` (or reuse one) and show its progress; the job stores
:meth:`ItemStatistics.stored` as ``job.result``.

A target (a session, or a bank: organisation + knowledge point + occupation) is named by
``job.params["target"]``; everyone who may see the target shares its jobs, so access is checked on
the target (``selectors.session_get``, the bank's organisation), never by who started the job. Each
job records the **fingerprint** of the answer rows it read (``params["fingerprint"]``: their count,
largest id, sums of marks and maxima, and a sum of marks weighted by id): one aggregate query
tells whether a stored result still describes the marks; when they changed, a new job computes
them again.

* An unfinished job is reused whatever its fingerprint (it finishes, then a newer one starts if the
  marks changed meanwhile), unless it is older than :data:`JOB_LOST_AFTER` (its worker died).
* A failed job is reported for :data:`RETRY_AFTER`, then a request starts a new one.
* A new result clears the ``result`` of the target's older jobs (the rows stay, as history).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Max, QuerySet, Sum
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongjiang.core.errors import ApplicationError
from gongjiang.core.jobs import Progress, job_handler, job_start
from gongjiang.core.models import Job, Organization

from ..models import AttemptItem, ExamSession
from .services import (
    ItemStatistics,
    bank_item_statistics,
    bank_items,
    session_item_statistics,
    session_items,
)

__all__ = [
    "JOB_THRESHOLD",
    "STATS_KIND",
    "StatsOutcome",
    "StatsTarget",
    "answer_fingerprint",
    "bank_target",
    "item_statistics_get",
    "job_active",
    "session_target",
    "stats_job_get",
]

STATS_KIND = "learning.item_statistics"
#: answer rows from which the statistics are computed in a background job (tests patch it)
JOB_THRESHOLD = 50_000
#: an unfinished job older than this is taken for lost (its worker died): a new one is started
JOB_LOST_AFTER = dt.timedelta(hours=1)
#: a failed job is shown this long; after it, a request starts the computation again
RETRY_AFTER = dt.timedelta(minutes=1)
#: weights of the fingerprint's weighted sum of marks: 1 + id mod this prime
_WEIGHT_MODULUS = 9973


@dataclass(frozen=True)
class StatsTarget:
    """What the statistics are of: ``key`` names it in ``job.params["target"]``, ``params`` are
    what the job needs to find it again."""

    key: str
    organization: Organization
    params: dict[str, str]
    items: QuerySet[AttemptItem]
    session: ExamSession | None = None

    def compute(self, progress: Any = None) -> ItemStatistics:
        if self.session is not None:
            return session_item_statistics(session=self.session, progress=progress)
        return bank_item_statistics(
            organization=self.organization,
            knowledge_point=self.params["knowledge_point"],
            occupation=self.params["occupation"],
            progress=progress,
        )

    def lock(self) -> None:
        """Serialise job starts for this target (row lock on PostgreSQL; SQLite writes are serial)."""
        rows = (
            ExamSession.objects.filter(pk=self.session.pk)
            if self.session is not None
            else Organization.objects.filter(pk=self.organization.pk)
        )
        list(rows.select_for_update(no_key=True).values_list("pk", flat=True))

    def jobs(self) -> QuerySet[Job]:
        return Job.objects.filter(
            kind=STATS_KIND, organization=self.organization, params__target=self.key
        )


def session_target(*, session: ExamSession) -> StatsTarget:
    """The target of an exam session the caller fetched through ``selectors.session_get``."""
    return StatsTarget(
        key=json.dumps(["session", session.code]),
        organization=session.organization,
        params={"scope": "session", "session": session.code},
        items=session_items(session=session),
        session=session,
    )


def bank_target(
    *, organization: Organization, knowledge_point: str = "", occupation: str = ""
) -> StatsTarget:
    """The target of a bank whose organisation the caller checked the user may view."""
    return StatsTarget(
        key=json.dumps(
            ["bank", organization.code, knowledge_point, occupation], ensure_ascii=False
        ),
        organization=organization,
        params={
            "scope": "bank",
            "organization": organization.code,
            "knowledge_point": knowledge_point,
            "occupation": occupation,
        },
        items=bank_items(
            organization=organization, knowledge_point=knowledge_point, occupation=occupation
        ),
    )


def _number(value: Any) -> str:
    return str(Decimal(str(value or 0)).quantize(Decimal("0.01")))


def answer_fingerprint(items: QuerySet[AttemptItem]) -> dict[str, Any]:
    """One aggregate over the answer rows: a new, removed or re-marked row changes it."""
    weighted = ExpressionWrapper(
        F("score") * (F("id") % _WEIGHT_MODULUS + 1),
        output_field=DecimalField(max_digits=30, decimal_places=2),
    )
    figures = items.order_by().aggregate(
        rows=Count("id"),
        last=Max("id"),
        marks=Sum("score"),
        maxima=Sum("max_score"),
        weighted=Sum(weighted),
    )
    return {
        "rows": int(figures["rows"] or 0),
        "last": int(figures["last"] or 0),
        "marks": _number(figures["marks"]),
        "maxima": _number(figures["maxima"]),
        "weighted": _number(figures["weighted"]),
    }


@dataclass
class StatsOutcome:
    """What a page or the API shows.

    * ``job is None``: ``stats`` are current — computed in the request (``computed_by`` None) or
      stored by the job ``computed_by`` at ``computed_at``.
    * ``job`` set: that job is computing them (or failed, ``job.status == "failed"``); ``stats`` are
      then the target's previous figures, if any (the marks have changed since), else None.
    """

    stats: ItemStatistics | None
    job: Job | None = None
    computed_by: Job | None = None

    @property
    def ready(self) -> bool:
        return self.job is None

    @property
    def computed_at(self) -> dt.datetime | None:
        return self.computed_by.finished_at if self.computed_by is not None else None


def _unfinished(job: Job, now: dt.datetime) -> bool:
    return not job.finished and job.created_at > now - JOB_LOST_AFTER


def job_active(job: Job) -> bool:
    """Queued or running, and not lost."""
    return _unfinished(job, timezone.now())


def _reusable(job: Job | None, fingerprint: dict[str, Any], now: dt.datetime) -> bool:
    if job is None:
        return False
    if _unfinished(job, now):
        return True
    if job.params.get("fingerprint") != fingerprint:
        return False
    if job.status == Job.Status.SUCCEEDED:
        return True
    return job.status == Job.Status.FAILED and (job.finished_at or now) > now - RETRY_AFTER


def _latest(target: StatsTarget) -> Job | None:
    return target.jobs().defer("result").order_by("-created_at", "-pk").first()


def _with_result(job: Job) -> Job:
    return Job.objects.select_related("organization").get(pk=job.pk)


def item_statistics_get(*, actor: Any, target: StatsTarget, previous: bool = True) -> StatsOutcome:
    """The statistics of ``target`` (the caller checked that ``actor`` may see it): computed here
    below :data:`JOB_THRESHOLD` answer rows; else the stored result of a job for the current
    marks, or the job that computes them — started now if none is running. ``previous``: while a
    job computes, also give the target's last stored figures."""
    now = timezone.now()
    job = _latest(target)
    if job is None or not _unfinished(job, now):
        fingerprint = answer_fingerprint(target.items)
        if fingerprint["rows"] < JOB_THRESHOLD:
            return StatsOutcome(stats=target.compute())
        if not _reusable(job, fingerprint, now):
            with transaction.atomic():
                target.lock()
                job = _latest(target)
                if not _reusable(job, fingerprint, now):
                    job = job_start(
                        actor=actor,
                        kind=STATS_KIND,
                        organization=target.organization,
                        params={
                            **target.params,
                            "target": target.key,
                            "fingerprint": fingerprint,
                            "rows": fingerprint["rows"],
                            "language": translation.get_language(),
                        },
                    )
    assert job is not None  # the newest job was reusable, or one was started
    if job.status == Job.Status.SUCCEEDED:
        job = _with_result(job)
        if "exam" in job.result:
            return StatsOutcome(
                stats=ItemStatistics.from_stored(job.result), job=None, computed_by=job
            )
    last = None
    if previous:
        last = (
            target.jobs()
            .filter(status=Job.Status.SUCCEEDED, result__has_key="exam")
            .order_by("-created_at", "-pk")
            .first()
        )
    if last is not None and last.pk == job.pk:  # it finished meanwhile: its figures are current
        return StatsOutcome(stats=ItemStatistics.from_stored(last.result), computed_by=last)
    return StatsOutcome(
        stats=ItemStatistics.from_stored(last.result) if last is not None else None,
        job=job,
        computed_by=last,
    )


def stats_job_get(*, target: StatsTarget, code: str) -> Job:
    """A job of ``target`` (the caller checked the target's access); anything else is a 404."""
    job = target.jobs().defer("result").filter(code=code).first()
    if job is None:
        raise Http404("job")
    return job


def _target_of(params: dict[str, Any]) -> StatsTarget:
    if params.get("scope") == "session":
        session = (
            ExamSession.objects.select_related("organization", "paper")
            .filter(code=params.get("session"))
            .first()
        )
        if session is None:
            raise ApplicationError(_("The exam session no longer exists."), code="not_found")
        return session_target(session=session)
    organization = Organization.objects.filter(code=params.get("organization")).first()
    if organization is None:
        raise ApplicationError(_("The organization no longer exists."), code="not_found")
    return bank_target(
        organization=organization,
        knowledge_point=params.get("knowledge_point", ""),
        occupation=params.get("occupation", ""),
    )


@job_handler(STATS_KIND)
def run_item_statistics(job: Job, progress: Progress) -> dict[str, Any]:
    """Compute and return the stored statistics of the job's target; record the fingerprint of the
    marks it read (taken before reading them: a change meanwhile makes the result stale)."""
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
        target = _target_of(job.params)
        fingerprint = answer_fingerprint(target.items)
        params = {**job.params, "fingerprint": fingerprint, "rows": fingerprint["rows"]}
        Job.objects.filter(pk=job.pk).update(params=params)
        job.params = params
        rows = max(fingerprint["rows"], 1)
        progress(0, rows, _("Reading the marks"))

        def read(n: int) -> None:
            # the last call comes when every row has been read: the engine computes next
            progress(min(n, rows), rows, _("Computing the figures") if n >= rows else "")

        result = target.compute(progress=read).stored()
        # older results are superseded (a job started later and finished first keeps its own)
        older = target.jobs().filter(status=Job.Status.SUCCEEDED, created_at__lte=job.created_at)
        older.exclude(pk=job.pk).update(result={})
        return result

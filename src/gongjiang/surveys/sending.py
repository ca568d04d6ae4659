"""Sending a survey to a large audience as a background job (core.jobs) with progress.

An audience of more than ``IN_REQUEST_MAX`` registry rows is never sent inside a request: the page
and the API start the job ``surveys.distribute``, which runs ``services.survey_distribute`` with
progress. The anonymous links of the workers without an account are written, once, to the job's
output file (CSV through core.exports); the officer who started the job downloads it once and the
file is deleted then (or by ``core.jobs.job_files_prune`` when nobody downloads it). The links'
tokens are otherwise stored only as keyed hashes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gongjiang.core import access
from gongjiang.core.actors import audit
from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.core.exports import csv_bytes
from gongjiang.core.jobs import Progress, job_handler, job_start, own_job_get
from gongjiang.core.models import Job, Organization
from gongjiang.workforce.models import Worker

from . import services
from .models import Invitation, Survey

KIND = "surveys.distribute"
IN_REQUEST_MAX = 2000  # registry rows of the audience a request may send itself


def audience_size(audience: Organization) -> int:
    return Worker.objects.filter(
        organization__path__startswith=audience.path, status=Worker.Status.ACTIVE
    ).count()


def in_request_check(audience: Organization) -> None:
    """Refuse to send a large audience inside a request (409 ``send_in_background``)."""
    if audience_size(audience) > IN_REQUEST_MAX:
        raise ApplicationError(
            _("This audience is large: it is sent by a background job (send-jobs)."),
            code="send_in_background",
            status=409,
        )


def survey_send_start(
    *,
    actor: Any,
    survey: Survey,
    audience: Organization,
    mode: str,
    strata: list[str] | None = None,
    margin: Decimal | None = None,
    response_rate: Decimal = Decimal("1"),
) -> Job:
    """Queue the sending job. The checks a request can make at once are made here (permission,
    audience inside the organiser's subtree, a published draft, no sending job already queued or
    running); the service makes them all again when the job runs."""
    access.require(actor, services.MANAGE, survey.organization)
    access.require(actor, services.MANAGE, audience)
    if not audience.path.startswith(survey.organization.path):
        raise ValidationError(
            {"audience": [_("The audience must lie inside the organiser's subtree.")]}
        )
    if survey.status != Survey.Status.DRAFT:
        raise ConflictError(_("The survey has already been sent."), code="survey_not_draft")
    if survey.published_version() is None:
        raise ConflictError(_("Publish the questionnaire first."), code="not_published")
    if mode == Survey.Mode.SAMPLE and margin is None:
        raise ValidationError({"margin": [_("State the margin of error.")]})
    with transaction.atomic():
        Survey.objects.select_for_update().filter(pk=survey.pk).first()
        if send_job(survey, running=True) is not None:
            raise ConflictError(_("This survey is already being sent."), code="send_running")
        return job_start(
            actor=actor,
            kind=KIND,
            organization=survey.organization,
            params={
                "survey": survey.code,
                "audience": audience.code,
                "mode": mode,
                "strata": list(strata or []),
                "margin": None if margin is None else str(margin),
                "response_rate": str(response_rate),
            },
        )


def send_job(survey: Survey, *, running: bool = False) -> Job | None:
    """The survey's latest sending job (only a queued or running one with ``running``)."""
    qs = Job.objects.filter(kind=KIND, params__survey=survey.code)
    if running:
        qs = qs.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
    return qs.order_by("-created_at", "-id").first()


@job_handler(KIND)
def run_survey_send(job: Job, progress: Progress) -> dict[str, Any]:
    p = job.params
    survey = Survey.objects.select_related("organization").get(code=p["survey"])
    audience = Organization.objects.get(code=p["audience"])
    progress(0, None, _("Reading the registry…"))
    sent = services.survey_distribute(
        actor=job.created_by,
        survey=survey,
        audience=audience,
        mode=p["mode"],
        strata=p["strata"],
        margin=None if p["margin"] is None else Decimal(p["margin"]),
        response_rate=Decimal(p["response_rate"]),
        progress=progress,
    )
    tokens = sent["tokens"]
    without_login = (
        Invitation.objects.filter(survey=survey, worker__user=None)
        .order_by("worker__name_pinyin", "worker__code")
        .values_list("worker__code", "worker__name", "worker__employer__name")
    )
    rows = [
        (code, name, employer or "", f"/surveys/a/{tokens[code]}/")
        for code, name, employer in without_login.iterator(chunk_size=5000)
    ]
    if rows:
        data = csv_bytes(
            [_("worker"), pgettext("person", "name"), _("employer"), _("survey link")], rows
        )
        job.output_file.save(f"survey-links-{survey.code}.csv", ContentFile(data), save=False)
        Job.objects.filter(pk=job.pk).update(output_file=job.output_file.name)
    progress(
        sent["invited"],
        sent["invited"],
        _("%(n)d workers invited; %(links)d anonymous links to hand out.")
        % {"n": sent["invited"], "links": len(rows)},
    )
    return {"invited": sent["invited"], "links": len(rows), "survey": survey.code}


def send_links_take(*, actor: Any, survey: Survey, job_code: str) -> bytes:
    """The anonymous links of a finished sending job, once, for the officer who started it (404
    for anyone else); the file is deleted as it is handed over."""
    job = own_job_get(actor=actor, code=job_code, kind=KIND)
    access.require(actor, services.MANAGE, survey.organization)
    if job.params.get("survey") != survey.code or job.status != Job.Status.SUCCEEDED:
        from django.http import Http404

        raise Http404("job")
    if not job.output_file:
        raise ConflictError(
            _("The links were already downloaded (they are handed out only once)."),
            code="links_taken",
        )
    return links_hand_over(actor=actor, survey=survey, job=job)


def links_hand_over(*, actor: Any, survey: Survey, job: Job) -> bytes:
    """The links file of a finished job (sending or re-issue), read and deleted in one locked step
    so that it is handed over once; audited as ``survey.links``. A second call: 409 links_taken."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if not locked.output_file:
            raise ConflictError(
                _("The links were already downloaded (they are handed out only once)."),
                code="links_taken",
            )
        with locked.output_file.open("rb") as handle:
            data = handle.read()
        name = locked.output_file.name
        Job.objects.filter(pk=job.pk).update(output_file="")
        locked.output_file.storage.delete(name)
        audit(
            actor=actor,
            action="survey.links",
            obj=survey,
            details={"job": job.code, "links": job.result.get("links", 0)},
        )
    return data

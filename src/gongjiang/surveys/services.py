"""Every state change of surveys: create, edit the draft questionnaire, publish (someone other than
its last editor), send (to a subtree or a stratified sample), answer, close."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit, user_or_none
from gongjiang.core.crypto import keyed_hash, keyed_hashes
from gongjiang.core.duties import DutyConflict, audited_refusals, same_person
from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.core.models import Organization
from gongjiang.workforce.models import Worker

from . import rollups
from .models import (
    DEFAULT_THRESHOLD,
    DIMENSIONS,
    Invitation,
    Population,
    Response,
    Survey,
    SurveySetting,
    SurveyVersion,
)
from .questions import clean_answers, clean_questions
from .sampling import WORKER_COLUMNS, draw, sample_size, strata_of

MANAGE = "surveys.manage"


def default_threshold(organization: Organization) -> int:
    """The nearest setting on the organisation's branch (its own first), else 10."""
    prefixes = [organization.path[:i] for i in range(7, len(organization.path) + 1, 7)]
    row = (
        SurveySetting.objects.filter(organization__path__in=prefixes)
        .order_by("-organization__depth")
        .values_list("threshold", flat=True)
        .first()
    )
    return row or DEFAULT_THRESHOLD


@transaction.atomic
def survey_setting_save(*, actor: Any, organization: Organization, threshold: int) -> SurveySetting:
    access.require(actor, MANAGE, organization)
    setting, _created = SurveySetting.objects.get_or_create(organization=organization)
    setting.threshold = threshold
    setting.full_clean()
    setting.save()
    audit(actor=actor, action="survey.setting", obj=organization, details={"threshold": threshold})
    return setting


@transaction.atomic
def survey_create(
    *,
    actor: Any,
    organization: Organization,
    title: str,
    description: str = "",
    threshold: int | None = None,
    previous: Survey | None = None,
    weight_by: str = "age_band",
    questions: list[dict[str, Any]] | None = None,
) -> Survey:
    access.require(actor, MANAGE, organization)
    if previous is not None and not access.can(actor, "surveys.view_survey", previous.organization):
        raise ValidationError({"previous": [_("Choose a previous round you can read.")]})
    survey = Survey(
        organization=organization,
        title=title,
        description=description,
        threshold=threshold or default_threshold(organization),
        previous=previous,
        weight_by=weight_by,
        created_by=user_or_none(actor),
    )
    survey.full_clean()
    survey.save()
    SurveyVersion.objects.create(
        survey=survey,
        number=1,
        questions=clean_questions(questions or []),
        edited_by=user_or_none(actor),
    )
    audit(actor=actor, action="survey.create", obj=survey)
    return survey


def _draft(survey: Survey) -> SurveyVersion:
    version = survey.current_version()
    if version is None or version.published_at is not None:
        number = version.number + 1 if version else 1
        version = SurveyVersion(
            survey=survey, number=number, questions=version.questions if version else []
        )
    return version


@transaction.atomic
def survey_questions_save(
    *, actor: Any, survey: Survey, questions: list[dict[str, Any]]
) -> SurveyVersion:
    """Replace the draft's questions (a published version is never changed: the first edit after
    publishing opens the next version). Only while the survey is a draft."""
    access.require(actor, MANAGE, survey.organization)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != Survey.Status.DRAFT:
        raise ConflictError(
            _("The survey has been sent: its questionnaire can no longer change."),
            code="survey_not_draft",
        )
    version = _draft(survey)
    version.questions = clean_questions(questions)
    version.edited_by = user_or_none(actor)
    version.save()
    audit(
        actor=actor,
        action="survey.edit",
        obj=survey,
        details={"version": version.number, "questions": len(version.questions)},
    )
    return version


@audited_refusals
@transaction.atomic
def survey_publish(*, actor: Any, survey: Survey) -> SurveyVersion:
    """Freeze the draft version. Whoever last edited it may not publish it."""
    access.require(actor, MANAGE, survey.organization)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    version = survey.current_version()
    if survey.status != Survey.Status.DRAFT or version is None or version.published_at:
        raise ConflictError(_("There is no draft to publish."), code="nothing_to_publish")
    if not version.questions:
        raise ApplicationError(_("Add at least one question first."), code="no_questions")
    if same_person(actor, version.edited_by_id):
        raise DutyConflict(
            _("You edited this questionnaire last; another officer must check and publish it."),
            action="survey.publish",
            obj=survey,
            reason="editor_publishes",
        )
    version.published_at = timezone.now()
    version.published_by = user_or_none(actor)
    version.save()
    audit(actor=actor, action="survey.publish", obj=survey, details={"version": version.number})
    return version


def _audience_rows(audience: Organization) -> list[tuple[Any, ...]]:
    return list(
        Worker.objects.filter(
            organization__path__startswith=audience.path, status=Worker.Status.ACTIVE
        ).values_list(*WORKER_COLUMNS)
    )


def sample_plan(
    *, actor: Any, audience: Organization, margin: Decimal, response_rate: Decimal
) -> dict[str, int]:
    """Population of the audience and the invitations a margin of error needs (a preview)."""
    access.require(actor, MANAGE, audience)
    population = Worker.objects.filter(
        organization__path__startswith=audience.path, status=Worker.Status.ACTIVE
    ).count()
    return {
        "population": population,
        "sample_size": sample_size(population, margin, float(response_rate)),
    }


@transaction.atomic
def survey_distribute(
    *,
    actor: Any,
    survey: Survey,
    audience: Organization,
    mode: str = Survey.Mode.SUBTREE,
    strata: list[str] | None = None,
    margin: Decimal | None = None,
    response_rate: Decimal = Decimal("1"),
    rng: random.Random | None = None,
    progress: Callable[..., None] | None = None,
) -> dict[str, Any]:
    """Send a published survey to everyone in ``audience``'s subtree or to a stratified random
    sample of it; record the registry's population per stratum (the weights' targets). Returns
    the anonymous links' tokens by worker code (shown once, stored only as keyed hashes).
    A large audience is sent by a background job (``sending``), which passes ``progress``."""
    access.require(actor, MANAGE, survey.organization)
    access.require(actor, MANAGE, audience)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if not audience.path.startswith(survey.organization.path):
        raise ValidationError(
            {"audience": [_("The audience must lie inside the organiser's subtree.")]}
        )
    if survey.status != Survey.Status.DRAFT:
        raise ConflictError(_("The survey has already been sent."), code="survey_not_draft")
    version = survey.current_version()
    if version is None or version.published_at is None:
        raise ConflictError(_("Publish the questionnaire first."), code="not_published")
    strata = [s for s in (strata or []) if s in DIMENSIONS]
    today = timezone.localdate()
    rows = _audience_rows(audience)
    if mode == Survey.Mode.SAMPLE:
        if margin is None:
            raise ValidationError({"margin": [_("State the margin of error.")]})
        try:
            n = sample_size(len(rows), margin, float(response_rate))
        except ValueError:
            raise ValidationError(
                {"margin": [_("Margin and response rate lie between 0 and 1.")]}
            ) from None
        chosen = draw(rows, strata, n, today, rng)
    elif mode == Survey.Mode.SUBTREE:
        n, chosen = len(rows), rows
    else:
        raise ValidationError({"mode": [_("Unknown distribution.")]})
    if not chosen:
        raise ApplicationError(_("Nobody in the registry matches this audience."), code="empty")
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        for dim, value in strata_of(row, today).items():
            counts[(dim, value)] = counts.get((dim, value), 0) + 1
    Population.objects.bulk_create(
        Population(survey=survey, dim=d, value=v, population=c) for (d, v), c in counts.items()
    )
    tokens: dict[int, str] = {row[0]: secrets.token_urlsafe(18) for row in chosen}
    if progress:
        progress(0, len(chosen), _("Writing the invitations…"))
    for start in range(0, len(chosen), 2000):
        batch = chosen[start : start + 2000]
        Invitation.objects.bulk_create(
            Invitation(
                survey=survey,
                worker_id=row[0],
                organization_id=row[1],
                token_hash=keyed_hash(tokens[row[0]]),
            )
            for row in batch
        )
        if progress:
            progress(start + len(batch), len(chosen))
    survey.mode, survey.audience, survey.strata = mode, audience, strata
    survey.margin_of_error = margin if mode == Survey.Mode.SAMPLE else None
    survey.population, survey.sample_size, survey.invited = len(rows), n, len(chosen)
    survey.status = Survey.Status.OPEN
    survey.full_clean()
    survey.save()
    audit(
        actor=actor,
        action="survey.distribute",
        obj=survey,
        details={"mode": mode, "audience": audience.code, "invited": len(chosen), "strata": strata},
    )
    codes = dict(Worker.objects.filter(pk__in=tokens).values_list("id", "code"))
    return {"invited": len(chosen), "tokens": {codes[i]: t for i, t in tokens.items()}}


@transaction.atomic
def survey_close(*, actor: Any, survey: Survey) -> Survey:
    access.require(actor, MANAGE, survey.organization)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != Survey.Status.OPEN:
        raise ConflictError(_("Only an open survey can be closed."), code="survey_not_open")
    survey.status = Survey.Status.CLOSED
    survey.save(update_fields=["status"])
    rollups.compact(survey)  # no more answers: one row per counter
    audit(actor=actor, action="survey.close", obj=survey)
    return survey


def _answer(invitation_filter: dict[str, Any], survey: Survey, answers: Any, actor: Any) -> None:
    # the survey's status read afresh, with its published version, in one query
    version = (
        SurveyVersion.objects.filter(survey_id=survey.pk, survey__status=Survey.Status.OPEN)
        .exclude(published_at=None)
        .annotate(base=F("survey__organization__path"))
        .order_by("-number")
        .first()
    )
    if version is None:
        raise ConflictError(_("This survey is not open."), code="survey_not_open")
    clean = clean_answers(version.questions, answers)
    today = timezone.localdate()
    # the completion mark and the answers are written together or not at all; the mark holds the
    # date only and nothing that leads to the answers
    marked = Invitation.objects.filter(
        survey=survey, completed_on=None, **invitation_filter
    ).update(completed_on=today)
    if marked != 1:
        raise ConflictError(_("This survey has already been answered."), code="already_answered")
    worker = Worker.objects.filter(
        pk=Invitation.objects.filter(survey=survey, **invitation_filter).values("worker_id")[:1]
    ).values_list(*WORKER_COLUMNS)[0]
    strata = strata_of(worker, today)
    Response.objects.create(
        survey=survey, version=version.number, organization_id=worker[1], answers=clean, **strata
    )
    # the counters are queued (one row) and folded into the rollups by a job (core.counters)
    rollups.queue(survey.pk, version.questions, clean, strata, worker[2], version.base)
    audit(actor=actor, action="survey.answer", obj=survey)


@transaction.atomic
def response_submit(*, actor: Any, survey: Survey, answers: Any) -> None:
    """A worker with an account answers a survey they were invited to (once)."""
    worker_id = Worker.objects.filter(user=actor).values_list("id", flat=True).first()
    if (
        worker_id is None
        or not Invitation.objects.filter(survey=survey, worker_id=worker_id).exists()
    ):
        from django.http import Http404

        raise Http404("survey")
    try:
        _answer({"worker_id": worker_id}, survey, answers, actor)
    except IntegrityError as exc:  # pragma: no cover - a broken invariant, not a user error
        raise ApplicationError(str(exc)) from exc


# a re-issued link's token starts with this (never in a first link: ``token_urlsafe`` has no dot)
REISSUED = "r."


def is_reissued(token: str) -> bool:
    """A re-issued link is *blind*: its page never says whether the survey was already answered
    through the worker's invitation (docs/surveys.md, "Re-issuing a lost link")."""
    return token.startswith(REISSUED)


def invitation_by_token(token: str, *, lock: bool = False) -> Invitation | None:
    if not token or len(token) > 64:
        return None
    qs = Invitation.objects.select_related("survey")
    if lock:  # waits for a re-issue in progress; then the old token no longer matches
        qs = qs.select_for_update(of=("self",))
    return qs.filter(token_hash__in=keyed_hashes(token)).first()


@transaction.atomic
def response_submit_by_token(*, token: str, answers: Any) -> bool:
    """A worker without an account answers through the anonymous link they were given. Returns
    whether the answers were stored. A first link refuses a second answer (409
    ``already_answered``); a re-issued link checks the answers the same way and then stores
    nothing, silently, when the invitation was already answered (so its holder — the officer who
    handed it over, too — cannot learn whether the worker had answered)."""
    from django.http import Http404

    from gongjiang.core.actors import SystemActor

    invitation = invitation_by_token(token, lock=True)
    if invitation is None:
        raise Http404("survey")
    try:
        _answer({"pk": invitation.pk}, invitation.survey, answers, SystemActor("survey-link"))
    except ConflictError as exc:
        if exc.code == "already_answered" and is_reissued(token):
            return False
        raise
    return True


@transaction.atomic
def link_reissue(*, actor: Any, survey: Survey, worker_code: str) -> str:
    """A new anonymous link for an invited worker without a login who lost theirs: the old link
    stops working at once, the new token is returned once (shown once) and stored only as a keyed
    hash in the same place. The completion mark stays on the invitation, so an answer already
    given through the old link still counts and no second one is ever stored. The result, the
    audit row and every message are the same whether or not the worker has answered."""
    access.require(actor, MANAGE, survey.organization)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != Survey.Status.OPEN:
        raise ConflictError(_("This survey is not open."), code="survey_not_open")
    code = (worker_code or "").strip()
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("worker", "organization")
        .filter(survey=survey, worker__code=code)
        .first()
        if 0 < len(code) <= 20  # a longer value is no registry code: refused, never cut
        else None
    )
    if invitation is None or not access.can(actor, MANAGE, invitation.organization):
        raise ValidationError(
            {"worker": [_("No worker with this registry code was sent this survey.")]}
        )
    if invitation.worker.user_id is not None:
        raise ValidationError(
            {
                "worker": [
                    _("This worker has a login: they answer on their home page, without a link.")
                ]
            }
        )
    token = REISSUED + secrets.token_urlsafe(18)
    invitation.token_hash = keyed_hash(token)
    invitation.save(update_fields=["token_hash"])
    audit(actor=actor, action="survey.link_reissue", obj=survey, details={"worker": code})
    return token

from __future__ import annotations

import random
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from gongjiang.core.duties import DutyConflict
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import AuditEvent
from gongjiang.surveys import rollups, services
from gongjiang.surveys.models import Invitation, Response, Rollup, Survey, SurveyVersion

from ..counters_helpers import fold
from .helpers import QUESTIONS, answers


@pytest.mark.django_db
def test_published_version_is_immutable_and_edits_open_the_next(sw: Any) -> None:
    v1 = SurveyVersion.objects.get(survey=sw.survey, number=1)
    v1.questions = []
    with pytest.raises(ValidationError):
        v1.save()
    with pytest.raises(ValidationError):
        SurveyVersion.objects.filter(pk=v1.pk).update(questions=[])
    with pytest.raises(ValidationError):
        v1.delete()
    # a sent survey's questionnaire no longer changes at all
    with pytest.raises(ApplicationError) as err:
        services.survey_questions_save(actor=sw.world.alice, survey=sw.survey, questions=QUESTIONS)
    assert err.value.code == "survey_not_draft"


@pytest.mark.django_db
def test_draft_after_publish_is_version_two_and_editor_never_publishes(sw: Any) -> None:
    s = services.survey_create(
        actor=sw.world.alice, organization=sw.world.province_a, title="第二轮", previous=sw.survey
    )
    services.survey_questions_save(actor=sw.world.alice, survey=s, questions=QUESTIONS[:2])
    with pytest.raises(DutyConflict):
        services.survey_publish(actor=sw.world.alice, survey=s)
    assert AuditEvent.objects.filter(action="survey.publish.refused", object_code=s.code).exists()
    services.survey_publish(actor=sw.carol, survey=s)
    v2 = services.survey_questions_save(actor=sw.carol, survey=s, questions=QUESTIONS[:3])
    assert v2.number == 2 and len(v2.questions) == 3
    assert len(SurveyVersion.objects.get(survey=s, number=1).questions) == 2
    services.survey_publish(actor=sw.world.alice, survey=s)  # carol edited v2: alice may publish


@pytest.mark.django_db
def test_subtree_distribution_invites_only_the_subtree(sw: Any) -> None:
    assert sw.survey.invited == 27  # 24 + 3 in province A; enterprise B (province B) not invited
    assert not Invitation.objects.filter(
        survey=sw.survey, organization=sw.world.enterprise_b
    ).exists()
    assert sw.survey.populations.filter(dim="skill_level").count() == 4


@pytest.mark.django_db
def test_sample_distribution_size_and_strata(sw: Any) -> None:
    s = services.survey_create(
        actor=sw.world.alice, organization=sw.world.province_a, title="抽样", questions=QUESTIONS
    )
    services.survey_publish(actor=sw.carol, survey=s)
    plan = services.sample_plan(
        actor=sw.world.alice,
        audience=sw.world.province_a,
        margin=Decimal("0.1"),
        response_rate=Decimal("1"),
    )
    assert plan == {"population": 27, "sample_size": 22}
    services.survey_distribute(
        actor=sw.world.alice,
        survey=s,
        audience=sw.world.province_a,
        mode="sample",
        strata=["skill_level"],
        margin=Decimal("0.1"),
        rng=random.Random(3),
    )
    s.refresh_from_db()
    assert (s.population, s.sample_size, s.invited) == (27, 22, 22)
    with pytest.raises(PermissionDenied):  # an audience outside one's scope
        services.survey_distribute(
            actor=sw.world.alice, survey=sw.survey, audience=sw.world.province_b
        )


@pytest.mark.django_db
def test_answer_once_by_login_and_by_anonymous_link(sw: Any) -> None:
    w = sw.workers[0]
    services.response_submit(actor=w.user, survey=sw.survey, answers=answers(0))
    with pytest.raises(ApplicationError) as err:
        services.response_submit(actor=w.user, survey=sw.survey, answers=answers(0))
    assert err.value.code == "already_answered"
    token = sw.tokens[sw.few[0].code]
    services.response_submit_by_token(token=token, answers=answers(1))
    with pytest.raises(ApplicationError):
        services.response_submit_by_token(token=token, answers=answers(1))
    assert Response.objects.filter(survey=sw.survey).count() == 2
    # refused answers leave nothing behind
    with pytest.raises(ValidationError):
        services.response_submit(actor=sw.workers[1].user, survey=sw.survey, answers={"q1": "zz"})
    assert Invitation.objects.get(survey=sw.survey, worker=sw.workers[1]).completed_on is None
    assert rollups.verify(sw.survey)["equal"]
    services.survey_close(actor=sw.world.alice, survey=sw.survey)
    with pytest.raises(ApplicationError) as err:
        services.response_submit(actor=sw.workers[2].user, survey=sw.survey, answers=answers(2))
    assert err.value.code == "survey_not_open"


@pytest.mark.django_db
def test_rollups_equal_a_recount_after_random_answers_and_the_command(sw: Any) -> None:
    rng = random.Random(7)
    for w in sw.workers + sw.few:
        services.response_submit(
            actor=w.user, survey=sw.survey, answers=answers(rng.randrange(100))
        )
    # the answers are queued, not yet in the rollups: the check folds them first
    assert not Rollup.objects.filter(survey=sw.survey).exists()
    assert rollups.freshness(sw.survey).pending == 27
    result = rollups.verify(sw.survey)
    assert result["equal"] and result["pending"] == 0 and result["responses"] == 27
    assert rollups.freshness(sw.survey).pending == 0
    out = StringIO()
    call_command("surveys-verify", sw.survey.code, stdout=out)
    assert '"equal": true' in out.getvalue()
    # a broken counter is found, and --rebuild repairs it
    row = Rollup.objects.filter(survey=sw.survey, dim="all", question="q1").first()
    Rollup.objects.filter(pk=row.pk).update(n=row.n + 1)
    with pytest.raises(CommandError):
        call_command("surveys-verify", sw.survey.code, stdout=StringIO())
    call_command("surveys-verify", sw.survey.code, "--rebuild", stdout=StringIO())
    assert rollups.verify(sw.survey)["equal"]


@pytest.mark.django_db
def test_weighting_back_to_the_registry(sw: Any) -> None:
    from gongjiang.surveys import selectors

    s = Survey.objects.get(pk=sw.survey.pk)
    for i, w in enumerate(sw.workers[:20]):
        services.response_submit(actor=w.user, survey=s, answers=answers(i))
    assert selectors.weighted(actor=sw.world.alice, survey=s) == {}  # still queued
    fold()
    weighted = selectors.weighted(actor=sw.world.alice, survey=s)
    assert set(weighted) == {"q1", "q2", "q3"}
    assert abs(sum(weighted["q1"].values()) - 1) < 1e-3


@pytest.mark.django_db
def test_a_rebuild_counts_the_queued_answers_once(sw: Any) -> None:
    for i, w in enumerate(sw.workers[:5]):
        services.response_submit(actor=w.user, survey=sw.survey, answers=answers(i))
    fold()
    for i, w in enumerate(sw.workers[5:8], start=5):
        services.response_submit(actor=w.user, survey=sw.survey, answers=answers(i))
    assert rollups.freshness(sw.survey).pending == 3
    # the rebuild recounts every stored answer and drops the queue: a later fold adds nothing
    rollups.rebuild(sw.survey)
    assert rollups.freshness(sw.survey).pending == 0
    fold()
    assert rollups.stored(sw.survey) == rollups.recount(sw.survey)
    assert rollups.stored(sw.survey)[("all", "", "_n", "")] == 8


@pytest.mark.django_db
def test_results_api_and_page_say_what_is_still_queued(client: Any, sw: Any) -> None:
    for i, w in enumerate(sw.workers[:12]):
        services.response_submit(actor=w.user, survey=sw.survey, answers=answers(i))
    fold()
    services.response_submit(actor=sw.workers[12].user, survey=sw.survey, answers=answers(12))
    client.force_login(sw.world.alice)
    body = client.get(f"/api/v1/surveys/surveys/{sw.survey.code}/results").json()
    assert body["respondents"] == 12 and body["freshness"]["pending"] == 1
    page = client.get(f"/surveys/{sw.survey.code}/results/").content.decode()
    assert 'id="counters-freshness"' in page and "另有 1 份答卷待计入" in page
    # the check folds first: then nothing is pending and the figures count all 13
    check = client.get(f"/api/v1/surveys/surveys/{sw.survey.code}/verify").json()
    assert check == {**check, "equal": True, "responses": 13, "pending": 0}
    body = client.get(f"/api/v1/surveys/surveys/{sw.survey.code}/results").json()
    assert body["respondents"] == 13 and body["freshness"]["pending"] == 0
    assert (
        'id="counters-freshness"'
        not in client.get(f"/surveys/{sw.survey.code}/results/").content.decode()
    )

"""Re-issuing a lost anonymous link: the old link stops working, the new one works once, an answer
already given still counts and is never doubled, and nothing of the re-issue tells the officer
(or links a person to a response) whether the worker had answered."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.http import Http404

from gongjiang.core.errors import ConflictError
from gongjiang.core.models import AuditEvent
from gongjiang.surveys import services
from gongjiang.surveys.models import Invitation, Response, Survey
from tests.access_helpers import check_access

from .helpers import QUESTIONS, answers, make_workers

FORM = {
    "q1": "a",
    "q2": ["wage"],
    "q3": "4",
    "q4__r1": "2",
    "q4__r2": "5",
    "q5__x": "2",
    "q5__y": "1",
}


@pytest.fixture
def rs(sw: Any) -> Any:
    """A second round sent to province A, with three workers of enterprise A without a login."""
    nologin = make_workers(sw.world.enterprise_a, 3, start=300, users=False)
    survey = services.survey_create(
        actor=sw.world.alice, organization=sw.world.province_a, title="第二轮", questions=QUESTIONS
    )
    services.survey_publish(actor=sw.carol, survey=survey)
    sent = services.survey_distribute(
        actor=sw.world.alice, survey=survey, audience=sw.world.province_a
    )
    survey.refresh_from_db()
    return SimpleNamespace(sw=sw, survey=survey, nologin=nologin, tokens=sent["tokens"])


def _reissue(rs: Any, worker: Any) -> str:
    return services.link_reissue(actor=rs.sw.world.alice, survey=rs.survey, worker_code=worker.code)


@pytest.mark.django_db
def test_old_link_refused_new_link_works_once(client: Any, rs: Any) -> None:
    w = rs.nologin[0]
    old = rs.tokens[w.code]
    new = _reissue(rs, w)
    assert new.startswith(services.REISSUED) and new != old
    # the old link is gone: page and service
    assert client.get(f"/surveys/a/{old}/").status_code == 404
    assert client.post(f"/surveys/a/{old}/", FORM).status_code == 404
    with pytest.raises(Http404):
        services.response_submit_by_token(token=old, answers=answers(1))
    # the new one works
    page = client.get(f"/surveys/a/{new}/")
    assert page.status_code == 200 and b'id="answer-form"' in page.content
    done = client.post(f"/surveys/a/{new}/", FORM)
    assert done.status_code == 200 and b'id="thanks"' in done.content
    assert Response.objects.filter(survey=rs.survey).count() == 1
    inv = Invitation.objects.get(survey=rs.survey, worker=w)
    assert inv.completed_on is not None
    # a second answer through the new link is not stored (and the page does not say why)
    again = client.post(f"/surveys/a/{new}/", {**FORM, "q1": "b", "q6": "再答一次"})
    assert again.status_code == 200 and b'id="thanks"' in again.content
    assert Response.objects.filter(survey=rs.survey).count() == 1
    # re-issued twice: the first re-issued link stops working too
    newer = _reissue(rs, w)
    assert client.get(f"/surveys/a/{new}/").status_code == 404
    assert client.get(f"/surveys/a/{newer}/").status_code == 200


@pytest.mark.django_db
def test_answer_through_the_old_link_still_counts_and_is_never_doubled(rs: Any) -> None:
    w = rs.nologin[0]
    assert services.response_submit_by_token(token=rs.tokens[w.code], answers=answers(1))
    new = _reissue(rs, w)
    # the re-issued link checks the answers as always …
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.response_submit_by_token(token=new, answers={"q2": ["wage"]})
    # … and then stores nothing: one response, one completion, the first answers kept
    assert services.response_submit_by_token(token=new, answers=answers(3)) is False
    assert Response.objects.filter(survey=rs.survey).count() == 1
    assert Response.objects.get(survey=rs.survey).answers["q1"] == "a"
    assert Invitation.objects.filter(survey=rs.survey).exclude(completed_on=None).count() == 1
    answered = AuditEvent.objects.filter(action="survey.answer", object_code=rs.survey.code)
    assert answered.count() == 1
    # a first link still says so plainly (unchanged behaviour)
    other = rs.nologin[1]
    services.response_submit_by_token(token=rs.tokens[other.code], answers=answers(1))
    with pytest.raises(ConflictError):
        services.response_submit_by_token(token=rs.tokens[other.code], answers=answers(1))


@pytest.mark.django_db
def test_the_reissue_does_not_tell_whether_the_worker_answered(client: Any, rs: Any) -> None:
    answered, silent = rs.nologin[0], rs.nologin[1]
    services.response_submit_by_token(token=rs.tokens[answered.code], answers=answers(1))
    client.force_login(rs.sw.world.alice)
    pages = {}
    for w in (answered, silent):
        r = client.post(f"/surveys/{rs.survey.code}/reissue/", {"worker": w.code})
        assert r.status_code == 200 and r["Cache-Control"] == "no-store"
        html = r.content.decode()
        link = html.split('id="reissued-link">', 1)[1].split("<", 1)[0]
        html = re.sub(r'"[A-Za-z0-9]{64}"', '"CSRF"', html)
        pages[w.code] = (html.replace(link, "LINK").replace(w.code, "CODE"), link)
    assert pages[answered.code][0] == pages[silent.code][0]
    # the audit rows: the same details, the worker's code, never the token or the completion
    rows = list(AuditEvent.objects.filter(action="survey.link_reissue").order_by("pk"))
    assert [r.details for r in rows] == [{"worker": answered.code}, {"worker": silent.code}]
    for row, (_page, link) in zip(rows, pages.values(), strict=True):
        token = link.rsplit("/surveys/a/", 1)[1].strip("/")
        assert token not in str(row.__dict__)
    # the new links' pages are the same too: the form, then the same thanks
    client.logout()
    seen = []
    for w in (answered, silent):
        link = pages[w.code][1]
        path = link.split("testserver", 1)[1]
        form = client.get(path)
        assert b'id="answer-form"' in form.content and b'id="already"' not in form.content
        done = client.post(path, FORM).content.decode()
        seen.append(done.split('id="thanks">', 1)[1].split("<", 1)[0])
    assert seen[0] == seen[1]
    assert Response.objects.filter(survey=rs.survey).count() == 2  # one each, never more


@pytest.mark.django_db
def test_refusals_name_the_field_and_do_not_change_the_link(client: Any, rs: Any) -> None:
    from django.core.exceptions import ValidationError

    alice, w = rs.sw.world.alice, rs.nologin[0]
    before = Invitation.objects.get(survey=rs.survey, worker=w).token_hash
    outsider = make_workers(rs.sw.world.enterprise_b, 1, start=400, users=False)[0]  # not sent
    for code in ("", "nobody", outsider.code):
        with pytest.raises(ValidationError) as exc:
            services.link_reissue(actor=alice, survey=rs.survey, worker_code=code)
        assert "worker" in exc.value.message_dict
    # a worker with a login answers on their home page
    with pytest.raises(ValidationError) as exc:
        services.link_reissue(actor=alice, survey=rs.survey, worker_code=rs.sw.workers[0].code)
    assert "worker" in exc.value.message_dict
    assert Invitation.objects.get(survey=rs.survey, worker=w).token_hash == before
    client.force_login(alice)
    r = client.post(f"/surveys/{rs.survey.code}/reissue/", {"worker": "nobody"})
    assert r.status_code == 400 and "invalid-feedback" in r.content.decode()
    # a closed survey takes no new links
    services.survey_close(actor=alice, survey=rs.survey)
    with pytest.raises(ConflictError):
        _reissue(rs, w)
    assert not AuditEvent.objects.filter(action="survey.link_reissue").exists()


@pytest.mark.django_db
def test_scoped_page_and_api(client: Any, rs: Any) -> None:
    w = rs.nologin[0]
    alice, bob = rs.sw.world.alice, rs.sw.world.bob
    # out of scope (another province; an enterprise officer below the organiser): 404
    check_access(
        client,
        url=f"/surveys/{rs.survey.code}/reissue/",
        method="post",
        data={"worker": w.code},
        in_scope=alice,
        out_of_scope=bob,
    )
    for other in (rs.sw.world.enterprise_officer_a, rs.sw.inspector):
        client.force_login(other)
        assert (
            client.post(f"/surveys/{rs.survey.code}/reissue/", {"worker": w.code}).status_code
            == 404
        )
    url = f"/api/v1/surveys/surveys/{rs.survey.code}/links"
    r = check_access(
        client,
        url=url,
        method="post",
        data={"worker": w.code},
        in_scope=alice,
        out_of_scope=bob,
        ok=201,
    )
    body = r.json()
    assert set(body) == {"worker", "link"} and body["worker"] == w.code
    assert client.get(body["link"]).status_code == 200
    bad = client.post(url, data={"worker": "nobody"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "worker"
    assert (
        client.post(url, data={"worker": "x" * 21}, content_type="application/json").status_code
        == 422
    )
    client.force_login(rs.sw.world.enterprise_officer_a)
    assert (
        client.post(url, data={"worker": w.code}, content_type="application/json").status_code
        == 404
    )


@pytest.mark.django_db
def test_no_column_links_a_person_to_a_response(rs: Any) -> None:
    """After re-issues and answers, no table of the app (nor the audit row) holds a person next to
    a response: Response has no reference out but survey and organisation, nothing refers to it."""
    for i, w in enumerate(rs.nologin):
        services.response_submit_by_token(token=rs.tokens[w.code], answers=answers(i))
        services.response_submit_by_token(token=_reissue(rs, w), answers=answers(i))
    refs_out = {f.name for f in Response._meta.get_fields() if f.is_relation and f.many_to_one}
    assert refs_out == {"survey", "organization"}
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if f.is_relation and f.concrete:
                assert f.related_model is not Response, f"{model.__name__}.{f.name}"
    assert {f.name for f in Invitation._meta.get_fields()} == {
        "id",
        "survey",
        "worker",
        "organization",
        "token_hash",
        "completed_on",
    }
    assert Response.objects.filter(survey=rs.survey).count() == 3
    ids = {str(pk) for pk in Response.objects.values_list("pk", flat=True)}
    for row in AuditEvent.objects.filter(action__startswith="survey."):
        assert not any(i in str(row.details) for i in ids)
    assert Survey.objects.get(pk=rs.survey.pk).status == "open"

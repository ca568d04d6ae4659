"""Scoped access on every page and endpoint (tests/access_helpers.check_access): anonymous →
401/login, out of scope → 404, in scope → the answer."""

from __future__ import annotations

from typing import Any

import openpyxl
import pytest

from gongjiang.surveys import services
from tests.access_helpers import check_access

from ..counters_helpers import fold
from .helpers import QUESTIONS, answers


@pytest.fixture
def answered(sw: Any) -> Any:
    for i, w in enumerate(sw.workers[:12]):
        services.response_submit(actor=w.user, survey=sw.survey, answers=answers(i))
    fold()
    return sw


@pytest.mark.django_db
def test_pages(client: Any, answered: Any) -> None:
    sw = answered
    code, alice, bob = sw.survey.code, sw.world.alice, sw.world.bob
    for url in [
        f"/surveys/{code}/",
        f"/surveys/{code}/results/",
        f"/surveys/{code}/results/?dim=age_band",
        f"/surveys/{code}/results/?dim=org",
        f"/surveys/{code}/texts/q6/",
        f"/surveys/{code}/distribute/",
    ]:
        check_access(client, url=url, in_scope=alice, out_of_scope=bob)
    xlsx = check_access(
        client, url=f"/surveys/{code}/answers.xlsx", in_scope=alice, out_of_scope=bob
    )
    book = openpyxl.load_workbook(__import__("io").BytesIO(b"".join(xlsx.streaming_content)))
    assert book.worksheets[0].max_row == 13  # header + 12 responses
    check_access(client, url=f"/surveys/{code}/answers.csv", in_scope=alice, out_of_scope=bob)
    # lists answer everyone with the permission, showing only their own scope
    client.force_login(bob)
    assert sw.survey.title.encode() not in client.get("/surveys/").content
    client.force_login(alice)
    assert sw.survey.title.encode() in client.get("/surveys/").content
    assert client.get("/surveys/new/").status_code == 200
    # a worker answers only their own invitation
    worker = sw.workers[20].user
    check_access(client, url=f"/surveys/{code}/answer/", in_scope=worker, out_of_scope=bob)
    client.force_login(worker)
    assert client.get("/surveys/").status_code == 404  # the managing list is not a worker's page
    assert code.encode() in client.get("/surveys/mine/").content
    # managing pages refuse a worker and an inspector (403), not only other provinces (404)
    assert client.get(f"/surveys/{code}/").status_code == 404
    client.force_login(sw.inspector)
    assert client.get(f"/surveys/{code}/results/").status_code == 200
    assert client.post(f"/surveys/{code}/act/close/").status_code == 404


@pytest.mark.django_db
def test_post_pages(client: Any, sw: Any) -> None:
    alice, bob = sw.world.alice, sw.world.bob
    s = services.survey_create(actor=alice, organization=sw.world.province_a, title="第二轮")
    url = f"/surveys/{s.code}/questions/"
    data = {"type": "single", "text": "您满意吗？", "options": "满意\n不满意", "required": "on"}
    check_access(
        client, url=url, method="post", data=data, in_scope=alice, out_of_scope=bob, ok=302
    )
    check_access(
        client,
        url=f"/surveys/{s.code}/questions/q1/",
        method="post",
        data={"act": "down"},
        in_scope=alice,
        out_of_scope=bob,
        ok=302,
    )
    check_access(
        client,
        url=f"/surveys/{s.code}/act/publish/",
        method="post",
        in_scope=sw.carol,
        out_of_scope=bob,
        ok=302,
    )
    check_access(
        client,
        url=f"/surveys/{s.code}/distribute/",
        method="post",
        data={"audience": sw.world.city_a.code, "mode": "subtree", "response_rate": "1"},
        in_scope=alice,
        out_of_scope=bob,
    )
    s.refresh_from_db()
    assert s.status == "open" and s.invited == 27
    check_access(
        client,
        url=f"/surveys/{s.code}/act/close/",
        method="post",
        in_scope=alice,
        out_of_scope=bob,
        ok=302,
    )


@pytest.mark.django_db
def test_api(client: Any, answered: Any) -> None:
    sw = answered
    code, alice, bob = sw.survey.code, sw.world.alice, sw.world.bob
    base = "/api/v1/surveys"
    for url in [
        f"{base}/surveys/{code}",
        f"{base}/surveys/{code}/results",
        f"{base}/surveys/{code}/results?dimension=skill_level",
        f"{base}/surveys/{code}/texts/q6",
        f"{base}/surveys/{code}/verify",
        f"{base}/sample-size?organization={sw.world.province_a.code}&margin=0.05",
    ]:
        check_access(client, url=url, in_scope=alice, out_of_scope=bob)
    r = check_access(client, url=f"{base}/surveys", in_scope=alice, out_of_scope=None)
    assert [s["code"] for s in r.json()["items"]] == [code]
    worker = sw.workers[13].user
    check_access(client, url=f"{base}/mine/{code}", in_scope=worker, out_of_scope=bob)
    r = check_access(
        client,
        url=f"{base}/mine/{code}/responses",
        method="post",
        data={"answers": answers(13)},
        in_scope=worker,
        out_of_scope=bob,
    )
    assert r.json() == {"saved": True}
    client.force_login(worker)
    again = client.post(
        f"{base}/mine/{code}/responses", {"answers": answers(13)}, content_type="application/json"
    )
    assert again.status_code == 409 and again.json()["code"] == "already_answered"
    assert client.get(f"{base}/mine").json() == []
    # create, edit, publish (by another officer), send, close
    r = check_access(
        client,
        url=f"{base}/surveys",
        method="post",
        data={
            "organization": sw.world.province_a.code,
            "title": "API 调查",
            "questions": QUESTIONS[:2],
        },
        in_scope=alice,
        out_of_scope=None,
        ok=201,
    )
    new = r.json()["code"]
    client.force_login(bob)
    assert (
        client.post(
            f"{base}/surveys",
            {"organization": sw.world.province_a.code, "title": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )
    check_access(
        client,
        url=f"{base}/surveys/{new}/questions",
        method="put",
        data={"questions": QUESTIONS},
        in_scope=alice,
        out_of_scope=bob,
    )
    client.force_login(alice)
    refused = client.post(f"{base}/surveys/{new}/publish")
    assert refused.status_code == 403 and refused.json()["code"] == "separation_of_duties"
    check_access(
        client,
        url=f"{base}/surveys/{new}/publish",
        method="post",
        in_scope=sw.carol,
        out_of_scope=bob,
    )
    r = check_access(
        client,
        url=f"{base}/surveys/{new}/distribute",
        method="post",
        data={"audience": sw.world.province_a.code, "mode": "sample", "margin_of_error": "0.1"},
        in_scope=alice,
        out_of_scope=bob,
    )
    assert r.json()["invited"] == 22
    check_access(
        client, url=f"{base}/surveys/{new}/close", method="post", in_scope=alice, out_of_scope=bob
    )


@pytest.mark.django_db
def test_anonymous_link(client: Any, sw: Any) -> None:
    token = sw.tokens[sw.few[0].code]
    assert client.get("/surveys/a/not-a-token/").status_code == 404
    page = client.get(f"/surveys/a/{token}/")
    assert page.status_code == 200 and b'id="answer-form"' in page.content
    data = {
        "q1": "b",
        "q2": ["wage"],
        "q3": "4",
        "q4__r1": "2",
        "q4__r2": "5",
        "q5__x": "2",
        "q5__y": "1",
        "q6": "太累",
    }
    done = client.post(f"/surveys/a/{token}/", data)
    assert done.status_code == 200 and b'id="thanks"' in done.content
    assert b'id="already"' in client.get(f"/surveys/a/{token}/").content
    from gongjiang.surveys.models import Response

    stored = Response.objects.get(survey=sw.survey).answers
    assert stored["q5"] == ["y", "x"] and stored["q4"] == {"r1": "2", "r2": "5"}
    # a refused answer shows the form again with the message, and nothing is stored
    token2 = sw.tokens[sw.few[1].code]
    bad = client.post(f"/surveys/a/{token2}/", {"q2": ["wage"]})
    assert bad.status_code == 400 and b"invalid-feedback" in bad.content


@pytest.mark.django_db
def test_todo_counts_in_scope_only(sw: Any) -> None:
    from gongjiang.surveys.todos import survey_todos

    worker = sw.workers[0].user
    todos = survey_todos(worker)
    assert [t.count for t in todos] == [1] and todos[0].url == "/surveys/mine/"
    services.response_submit(actor=worker, survey=sw.survey, answers=answers(0))
    assert survey_todos(worker) == []
    assert survey_todos(sw.world.bob) == []
    assert survey_todos(sw.world.worker_a) == []  # a worker login without a registry record

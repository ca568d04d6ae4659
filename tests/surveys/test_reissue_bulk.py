"""Re-issuing lost anonymous links for a list of workers: all or none, every bad entry named
(row, column, value), the new links as one formula-safe export in the list's order, the same
result whether or not a worker answered, strangers and workers outside the subtree refused in the
same words as unknown codes, long lists in a background job handed over once."""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils.translation import gettext as _

from gongjiang.core.models import AuditEvent, Job
from gongjiang.core.spreadsheets import read_rows
from gongjiang.surveys import reissue, services
from gongjiang.surveys.models import Invitation, Response
from tests.access_helpers import check_access

from .helpers import QUESTIONS, answers, make_workers


def _unknown() -> str:
    return _("No worker with this registry code was sent this survey.")


def _login() -> str:
    return _("This worker has a login: they answer on their home page, without a link.")


@pytest.fixture
def rs(sw: Any) -> Any:
    """A second round sent to province A, with four workers of enterprise A without a login."""
    nologin = make_workers(sw.world.enterprise_a, 4, start=300, users=False)
    survey = services.survey_create(
        actor=sw.world.alice, organization=sw.world.province_a, title="第二轮", questions=QUESTIONS
    )
    services.survey_publish(actor=sw.carol, survey=survey)
    sent = services.survey_distribute(
        actor=sw.world.alice, survey=survey, audience=sw.world.province_a
    )
    survey.refresh_from_db()
    return SimpleNamespace(sw=sw, survey=survey, nologin=nologin, tokens=sent["tokens"])


def _sheet(data: bytes) -> list[list[str]]:
    rows = read_rows(io.BytesIO(data), "links.xlsx")
    return [[str(c) for c in row] for _n, row in rows]


def _hashes(rs: Any) -> dict[int, str]:
    return dict(Invitation.objects.filter(survey=rs.survey).values_list("pk", "token_hash"))


@pytest.mark.django_db
def test_a_list_gets_new_links_in_its_order_and_the_old_ones_stop(client: Any, rs: Any) -> None:
    w0, w1, w2, _w3 = rs.nologin
    # w1 answered through the first link: nothing of the re-issue may show it
    assert services.response_submit_by_token(token=rs.tokens[w1.code], answers=answers(1))
    entries = reissue.entries_from_text(f"{w2.code}\n{w0.code}, {w1.code}\n")
    assert [(e.row, e.value) for e in entries] == [(1, w2.code), (2, w0.code), (2, w1.code)]
    issued = reissue.link_reissue_bulk(actor=rs.sw.world.alice, survey=rs.survey, entries=entries)
    assert [i.worker for i in issued] == [w2.code, w0.code, w1.code]
    assert all(i.token.startswith(services.REISSUED) for i in issued)
    for w in (w0, w1, w2):
        assert client.get(f"/surveys/a/{rs.tokens[w.code]}/").status_code == 404
    for i in issued:
        page = client.get(f"/surveys/a/{i.token}/")
        assert page.status_code == 200 and b'id="already"' not in page.content
    # the answered worker's new link stores nothing more; the others answer once
    assert services.response_submit_by_token(token=issued[2].token, answers=answers(2)) is False
    assert services.response_submit_by_token(token=issued[0].token, answers=answers(2))
    assert Response.objects.filter(survey=rs.survey).count() == 2
    # one audit row: the workers' codes, never a token, never who answered
    row = AuditEvent.objects.get(action="survey.link_reissue_bulk")
    assert row.details == {"workers": [w2.code, w0.code, w1.code]}
    assert not any(i.token in str(row.__dict__) for i in issued)


@pytest.mark.django_db
def test_the_export_is_the_same_whether_or_not_a_worker_answered(client: Any, rs: Any) -> None:
    answered, silent = rs.nologin[0], rs.nologin[1]
    services.response_submit_by_token(token=rs.tokens[answered.code], answers=answers(1))
    client.force_login(rs.sw.world.alice)
    shapes = []
    for w in (answered, silent):
        r = client.post(f"/surveys/{rs.survey.code}/reissue/list/", {"codes": w.code})
        assert r.status_code == 200 and r["Cache-Control"] == "no-store"
        assert r["Content-Type"].startswith("application/vnd.openxmlformats")
        rows = _sheet(r.content)
        assert len(rows) == 2 and rows[1][0] == w.code and rows[1][1] == w.name
        link = rows[1][3]
        assert link.startswith("http://testserver/surveys/a/r.")
        shapes.append([rows[0], [rows[1][2], len(link)]])
        # the new link opens the form either way
        page = client.get(link.split("testserver", 1)[1])
        assert b'id="answer-form"' in page.content
    assert shapes[0] == shapes[1]
    details = [
        e.details
        for e in AuditEvent.objects.filter(action="survey.link_reissue_bulk").order_by("pk")
    ]
    assert details == [{"workers": [answered.code]}, {"workers": [silent.code]}]


@pytest.mark.django_db
def test_every_bad_entry_is_named_and_nothing_is_reissued(client: Any, rs: Any) -> None:
    alice, w0, w1 = rs.sw.world.alice, rs.nologin[0], rs.nologin[1]
    # a worker of province B exists but lies outside alice's subtree
    outside = make_workers(rs.sw.world.enterprise_b, 1, start=500, users=False)[0]
    with_login = rs.sw.workers[0]
    before = _hashes(rs)
    text = "\n".join(
        [w0.code, "nobody", f"{w1.code} {w0.code}", outside.code, with_login.code, "x" * 21]
    )
    with pytest.raises(reissue.ListRefused) as exc:
        reissue.link_reissue_bulk(
            actor=alice, survey=rs.survey, entries=reissue.entries_from_text(text)
        )
    got = [(e["row"], e["value"], e["error"]) for e in exc.value.details]
    assert got == [
        (2, "nobody", _unknown()),
        (3, w0.code, _("Listed twice (first in row %(row)d).") % {"row": 1}),
        (4, outside.code, _unknown()),  # the same words as a code nobody has
        (5, with_login.code, _login()),
        (6, "x" * 21, _unknown()),  # refused whole, never cut to 20 characters
    ]
    assert all(e["column"] and e["field"] == "workers" for e in exc.value.details)
    assert _hashes(rs) == before
    assert not AuditEvent.objects.filter(action="survey.link_reissue_bulk").exists()
    # the page shows the same table and changes nothing
    client.force_login(alice)
    r = client.post(f"/surveys/{rs.survey.code}/reissue/list/", {"codes": text})
    html = r.content.decode()
    assert r.status_code == 400 and 'id="bulk-errors"' in html
    assert "nobody" in html and outside.code in html and "x" * 21 in html
    assert _hashes(rs) == before
    # an empty list names the form's error
    r = client.post(f"/surveys/{rs.survey.code}/reissue/list/", {"codes": "  "})
    assert (
        r.status_code == 400 and _("Paste registry codes or upload a list.") in r.content.decode()
    )


@pytest.mark.django_db
def test_an_uploaded_list_is_read_with_its_row_numbers(client: Any, rs: Any) -> None:
    w0, w1 = rs.nologin[0], rs.nologin[1]
    csv = f"名单\n姓名,职工编号\n{w0.name},{w0.code}\n,\n某人,nobody\n{w1.name},{w1.code}\n"
    client.force_login(rs.sw.world.alice)
    upload = SimpleUploadedFile("list.csv", csv.encode("utf-8-sig"), content_type="text/csv")
    before = _hashes(rs)
    r = client.post(f"/surveys/{rs.survey.code}/reissue/list/", {"file": upload})
    html = r.content.decode()
    assert r.status_code == 400
    row = html.split('id="bulk-errors"', 1)[1]
    assert "<td>5</td><td>职工编号</td><td>nobody</td>" in row  # the line as the user sees it
    assert _hashes(rs) == before
    good = f"职工编号\n{w0.code}\n\n{w1.code}\n"
    upload = SimpleUploadedFile("list.csv", good.encode(), content_type="text/csv")
    r = client.post(f"/surveys/{rs.survey.code}/reissue/list/", {"file": upload})
    assert r.status_code == 200
    assert [row[0] for row in _sheet(r.content)[1:]] == [w0.code, w1.code]
    # a file that is no spreadsheet is refused with its name
    upload = SimpleUploadedFile("list.txt.exe", b"MZ", content_type="application/octet-stream")
    r = client.post(f"/surveys/{rs.survey.code}/reissue/list/", {"file": upload})
    assert r.status_code == 400 and "list.txt.exe" in r.content.decode()


@pytest.mark.django_db
def test_a_long_list_runs_as_a_job_handed_over_once(
    client: Any, rs: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setattr(reissue, "IN_REQUEST_MAX", 2)
    alice = rs.sw.world.alice
    codes = "\n".join(w.code for w in rs.nologin)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/surveys/{rs.survey.code}/reissue/list/", {"codes": codes})
    assert r.status_code == 302
    job = Job.objects.get(kind=reissue.KIND)
    assert job.status == "succeeded" and job.result == {"links": 4, "survey": rs.survey.code}
    assert (job.done, job.total) == (4, 4) and job.created_by == alice
    page = client.get(f"/surveys/{rs.survey.code}/").content.decode()
    assert 'id="reissue-job"' in page and 'id="relinks-download"' in page
    url = f"/surveys/{rs.survey.code}/relinks/{job.code}/"
    for other in (rs.sw.carol, rs.sw.world.bob):  # another officer in scope; one out of scope
        client.force_login(other)
        assert client.get(url).status_code == 404
        assert 'id="reissue-job"' not in client.get(f"/surveys/{rs.survey.code}/").content.decode()
    client.force_login(alice)
    r = client.get(url)
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    rows = _sheet(r.content)
    assert [row[0] for row in rows[1:]] == [w.code for w in rs.nologin]
    token = rows[1][3].rsplit("/surveys/a/", 1)[1].strip("/")
    assert services.response_submit_by_token(token=token, answers=answers(1))
    job.refresh_from_db()
    assert not job.output_file and "entries" not in job.params
    r = client.get(url, follow=True)
    assert "relinks-download" not in r.content.decode()
    assert AuditEvent.objects.filter(action="survey.links").count() == 1
    # a bad list never starts a job
    with pytest.raises(reissue.ListRefused):
        reissue.reissue_start(
            actor=alice, survey=rs.survey, entries=reissue.entries_from_text(codes + "\nnobody")
        )
    assert Job.objects.filter(kind=reissue.KIND).count() == 1


@pytest.mark.django_db
def test_job_fails_whole_when_the_registry_changed_meanwhile(rs: Any) -> None:
    from gongjiang.core.jobs import job_execute

    alice = rs.sw.world.alice
    entries = reissue.entries_from_text("\n".join(w.code for w in rs.nologin))
    job = reissue.reissue_start(actor=alice, survey=rs.survey, entries=entries)
    before = _hashes(rs)
    Invitation.objects.filter(survey=rs.survey, worker=rs.nologin[2]).delete()
    job = job_execute(Job.objects.get(pk=job.pk))
    assert job.status == "failed" and rs.nologin[2].code in job.result["error"]
    after = _hashes(rs)
    assert all(after[pk] == before[pk] for pk in after)
    with pytest.raises(Http404):
        reissue.reissue_links_take(actor=alice, survey=rs.survey, job_code=job.code)


@pytest.mark.django_db
def test_api_scoped_all_or_none(client: Any, rs: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    alice, bob = rs.sw.world.alice, rs.sw.world.bob
    w0, w1 = rs.nologin[0], rs.nologin[1]
    url = f"/api/v1/surveys/surveys/{rs.survey.code}/links/bulk"
    r = check_access(
        client,
        url=url,
        method="post",
        data={"workers": [w0.code, w1.code]},
        in_scope=alice,
        out_of_scope=bob,
        ok=201,
    )
    links = r.json()["links"]
    assert [x["worker"] for x in links] == [w0.code, w1.code]
    assert client.get(links[0]["link"]).status_code == 200
    before = _hashes(rs)
    outside = make_workers(rs.sw.world.enterprise_b, 1, start=600, users=False)[0]
    bad = client.post(
        url, data={"workers": [w0.code, outside.code, "nobody"]}, content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json()["code"] == "list_invalid"
    details = bad.json()["details"]
    assert [(d["row"], d["value"], d["error"]) for d in details] == [
        (2, outside.code, _unknown()),
        (3, "nobody", _unknown()),
    ]
    assert _hashes(rs) == before
    for body in ({"workers": []}, {"workers": ["x" * 21]}, {"workers": "abc"}):
        r = client.post(url, data=body, content_type="application/json")
        assert r.status_code == 422 and r.json()["details"][0]["field"].startswith("workers")
    # an inspector or an enterprise officer below the organiser: 404, as for a stranger's survey
    for other in (rs.sw.inspector, rs.sw.world.enterprise_officer_a):
        client.force_login(other)
        r = client.post(url, data={"workers": [w0.code]}, content_type="application/json")
        assert r.status_code == 404
    # a long list: 202 and a job only its starter follows
    monkeypatch.setattr(reissue, "IN_REQUEST_MAX", 1)
    client.force_login(alice)
    r = client.post(url, data={"workers": [w0.code, w1.code]}, content_type="application/json")
    assert r.status_code == 202
    code = r.json()["code"]
    assert client.get(
        f"/api/v1/surveys/surveys/{rs.survey.code}/relink-jobs/{code}"
    ).status_code == (200)
    client.force_login(rs.sw.carol)
    assert client.get(
        f"/api/v1/surveys/surveys/{rs.survey.code}/relink-jobs/{code}"
    ).status_code == (404)


@pytest.mark.django_db
def test_name_search_on_the_reissue_forms_stays_in_the_subtree(client: Any, rs: Any) -> None:
    w = rs.nologin[0]
    outside = make_workers(rs.sw.world.enterprise_b, 1, start=700, users=False)[0]
    client.force_login(rs.sw.world.alice)
    page = client.get(f"/surveys/{rs.survey.code}/").content.decode()
    assert 'data-picker="/pick/survey_workers/"' in page and 'id="pick-reissue-worker"' in page
    found = client.get("/pick/survey_workers/", {"q": w.name}).json()["results"]
    assert w.code in [x["value"] for x in found]
    seen = client.get("/pick/survey_workers/", {"q": outside.code}).json()["results"]
    assert outside.code not in [x["value"] for x in seen]
    # bob (province B) finds his own worker, never alice's; an inspector finds nobody
    client.force_login(rs.sw.world.bob)
    assert w.code not in [
        x["value"] for x in client.get("/pick/survey_workers/", {"q": w.name}).json()["results"]
    ]
    client.force_login(rs.sw.inspector)
    assert client.get("/pick/survey_workers/", {"q": w.name}).json()["results"] == []


@pytest.mark.django_db
def test_the_links_workbook_holds_formula_like_names_as_text(client: Any, rs: Any) -> None:
    """A worker (and their employer) named like a formula: the re-issued links' workbook, from the
    page and from the API, holds the names as text — no formula, no link (core.exports)."""
    from openpyxl import load_workbook

    from gongjiang.workforce.models import Worker

    hostile = ['=HYPERLINK("http://x","y")', "@SUM(A1)"]
    w0, w1 = rs.nologin[0], rs.nologin[1]
    for w, name in zip((w0, w1), hostile, strict=True):
        Worker.objects.filter(pk=w.pk).update(name=name)
    client.force_login(rs.sw.world.alice)
    page = client.post(
        f"/surveys/{rs.survey.code}/reissue/list/", {"codes": f"{w0.code} {w1.code}"}
    )
    assert page.status_code == 200
    # what the background job stores for the API's download (the same writer)
    issued = reissue.link_reissue_bulk(
        actor=rs.sw.world.alice,
        survey=rs.survey,
        entries=reissue.entries_from_text(f"{w0.code}\n{w1.code}"),
    )
    for body in (page.content, reissue.links_xlsx(issued)):
        sheet = load_workbook(io.BytesIO(body)).active
        cells = [c for row in sheet.iter_rows() for c in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"]
        assert not [c.coordinate for c in cells if c.hyperlink is not None]
        assert {c.value for c in cells} >= set(hostile)

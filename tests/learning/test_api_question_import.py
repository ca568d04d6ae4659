"""Question bank import over the API: upload (a dry run), progress, confirm — spreadsheets and Word
files, the same services and rules as the import page."""

from __future__ import annotations

import io
from typing import Any

import pytest

from gongjiang.core.exports import xlsx_bytes
from gongjiang.core.models import Job
from gongjiang.learning.bank import word as bank_docx
from gongjiang.learning.models import Question
from tests.access_helpers import check_access

URL = "/api/v1/learning/question-imports"
HEADER = ["题型", "题干", "选项A", "选项B", "选项C", "答案", "解析", "难度", "知识点", "分值"]
GOOD_ROWS = [
    ["单选题", "游标卡尺的读数精度是", "0.02mm", "0.1mm", "1mm", "A", "常用 0.02", "易", "量具", 1],
    ["判断题", "焊接时可以不戴面罩。", "", "", "", "错", "", "较易", "安全", 1],
]
BAD_DOCX = ["一、单选题", "1. 题干", "A. 甲 B. 乙", "D. 丁", "答案：A"]  # option C is missing


def xlsx_file(rows: list[list[Any]], name: str = "题库.xlsx") -> io.BytesIO:
    f = io.BytesIO(xlsx_bytes([("题库", HEADER, rows)]))
    f.name = name
    return f


def docx_file(data: bytes, name: str = "题库.docx") -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def upload(client: Any, org: Any, f: io.BytesIO, capture: Any, **extra: Any) -> Any:
    """POST the file; the dry-run job runs when the request's transaction commits."""
    code = org if isinstance(org, str) else org.code
    with capture(execute=True):
        return client.post(URL, {"organization": code, "file": f}, **extra)


def confirm(client: Any, code: str, capture: Any) -> Any:
    with capture(execute=True):
        return client.post(f"{URL}/{code}/confirm")


# ---------------------------------------------------------------------------------- the flow
def test_a_spreadsheet_is_checked_then_imported(
    client, world, django_capture_on_commit_callbacks
) -> None:
    client.force_login(world.alice)
    r = upload(client, world.city_a, xlsx_file(GOOD_ROWS), django_capture_on_commit_callbacks)
    assert r.status_code == 202, r.content
    started = r.json()
    assert set(started) == {
        "code",
        "status",
        "done",
        "total",
        "percent",
        "dry_run",
        "checked",
        "organization",
        "result",
    }
    assert started["dry_run"] is True and started["organization"] == world.city_a.code
    assert started["checked"] is None
    assert Question.objects.count() == 0  # a dry run writes nothing

    checked = client.get(f"{URL}/{started['code']}").json()
    assert checked["status"] == "succeeded" and checked["percent"] == 100
    assert checked["result"]["rows"] == 2 and checked["result"]["valid"] == 2
    assert checked["result"]["errors"] == [] and checked["result"]["created"] == 0

    r = confirm(client, started["code"], django_capture_on_commit_callbacks)
    assert r.status_code == 202, r.content
    real = r.json()
    assert real["dry_run"] is False and real["checked"] == started["code"]
    assert real["code"] != started["code"] and real["organization"] == world.city_a.code
    done = client.get(f"{URL}/{real['code']}").json()
    assert done["status"] == "succeeded" and done["result"]["created"] == 2
    assert Question.objects.filter(organization=world.city_a).count() == 2
    assert Question.objects.count() == 2
    assert set(Question.objects.values_list("qtype", flat=True)) == {"single", "true_false"}

    # the same checked file is imported once: a second confirm (a retry, a double click) is refused
    again = confirm(client, started["code"], django_capture_on_commit_callbacks)
    assert again.status_code == 409 and again.json()["code"] == "already_imported"
    assert Question.objects.count() == 2
    # an import job is not a dry run: it cannot be confirmed
    r = confirm(client, real["code"], django_capture_on_commit_callbacks)
    assert r.status_code == 409 and r.json()["code"] == "not_checked"


def test_a_word_file_is_checked_then_imported(
    client, world, django_capture_on_commit_callbacks
) -> None:
    client.force_login(world.alice)
    sample = client.get(f"{URL}/sample.docx")
    assert sample.status_code == 200
    assert sample["Content-Type"].endswith("wordprocessingml.document")
    assert "attachment" in sample["Content-Disposition"]
    assert sample.content == bank_docx.sample_docx()

    r = upload(
        client, world.province_a, docx_file(sample.content), django_capture_on_commit_callbacks
    )
    assert r.status_code == 202, r.content
    code = r.json()["code"]
    checked = client.get(f"{URL}/{code}").json()
    assert checked["status"] == "succeeded" and checked["result"]["source"] == "docx"
    assert checked["result"]["errors"] == [] and checked["result"]["valid"] == 6
    assert Question.objects.count() == 0

    r = confirm(client, code, django_capture_on_commit_callbacks)
    assert r.status_code == 202, r.content
    done = client.get(f"{URL}/{r.json()['code']}").json()
    assert done["status"] == "succeeded" and done["result"]["created"] == 6
    assert Question.objects.filter(organization=world.province_a).count() == 6
    assert Question.objects.count() == 6


def test_a_failed_import_may_be_confirmed_again(
    client, world, django_capture_on_commit_callbacks
) -> None:
    """Only a confirm that is queued, running or done blocks another one: after a failure the user
    can try again without uploading the file anew."""
    client.force_login(world.alice)
    code = upload(
        client, world.province_a, xlsx_file(GOOD_ROWS), django_capture_on_commit_callbacks
    ).json()["code"]
    r = client.post(f"{URL}/{code}/confirm")  # queued, never run (no on-commit callbacks here)
    assert r.status_code == 202 and r.json()["status"] == "queued"
    assert client.post(f"{URL}/{code}/confirm").status_code == 409
    Job.objects.filter(code=r.json()["code"]).update(status=Job.Status.FAILED)
    r = confirm(client, code, django_capture_on_commit_callbacks)
    assert r.status_code == 202
    assert Question.objects.filter(organization=world.province_a).count() == 2


# -------------------------------------------------------------------------- files with errors
def test_a_word_file_with_errors_cannot_be_confirmed(
    client, world, django_capture_on_commit_callbacks
) -> None:
    client.force_login(world.alice)
    r = upload(
        client,
        world.province_a,
        docx_file(bank_docx.docx_bytes(BAD_DOCX)),
        django_capture_on_commit_callbacks,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    code = r.json()["code"]
    checked = client.get(f"{URL}/{code}").json()
    assert checked["status"] == "succeeded"
    errors = checked["result"]["errors"]
    assert errors and errors[0]["column"] == "选项C"
    assert "Option C is missing" in errors[0]["message"]
    assert {"question", "paragraph", "column", "value", "message"} <= set(errors[0])

    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"{URL}/{code}/confirm", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "not_checked" and "without errors" in body["message"]
    assert set(body) == {"code", "message", "details"}
    assert Question.objects.count() == 0
    assert not Job.objects.filter(params__dry_run=False).exists()


def test_a_spreadsheet_with_one_bad_row_imports_nothing(
    client, world, django_capture_on_commit_callbacks
) -> None:
    client.force_login(world.alice)
    rows = [*GOOD_ROWS, ["连线题", "未知题型", "", "", "", "x", "", "易", "", 1]]
    code = upload(
        client, world.province_a, xlsx_file(rows), django_capture_on_commit_callbacks
    ).json()["code"]
    result = client.get(f"{URL}/{code}").json()["result"]
    assert result["valid"] == 2 and result["rejected"] == 1
    assert [(e["row"], e["column"]) for e in result["errors"]] == [(4, "题型")]
    assert confirm(client, code, django_capture_on_commit_callbacks).status_code == 409
    assert Question.objects.count() == 0


def test_a_dry_run_that_has_not_finished_cannot_be_confirmed(client, world) -> None:
    client.force_login(world.alice)
    r = client.post(URL, {"organization": world.province_a.code, "file": xlsx_file(GOOD_ROWS)})
    assert r.status_code == 202 and r.json()["status"] == "queued"  # never run here
    r = client.post(f"{URL}/{r.json()['code']}/confirm")
    assert r.status_code == 409 and r.json()["code"] == "not_checked"


# ----------------------------------------------------------------------------- bad requests
def _field_errors(r: Any) -> list[str]:
    assert r.status_code == 422, r.content
    assert r.json()["code"] == "validation_error"
    return [d["field"] for d in r.json()["details"]]


def test_bad_uploads_answer_422_naming_the_field(client, world, settings) -> None:
    client.force_login(world.alice)
    r = client.post(URL, {"organization": world.province_a.code, "file": xlsx_file([], "a.txt")})
    assert _field_errors(r) == ["file"]
    r = client.post(URL, {"organization": world.province_a.code, "file": xlsx_file([], "a.pdf")})
    assert "docx" in r.json()["details"][0]["error"]
    r = client.post(URL, {"organization": world.province_a.code})
    assert _field_errors(r) == ["file"]
    r = client.post(URL, {"file": xlsx_file(GOOD_ROWS)})
    assert _field_errors(r) == ["organization"]
    settings.MAX_UPLOAD_SIZE = 100
    r = client.post(URL, {"organization": world.province_a.code, "file": xlsx_file(GOOD_ROWS)})
    assert _field_errors(r) == ["file"]
    assert r.json()["details"][0]["error"] == "文件过大。"  # the caller's language (zh-hans here)
    r = client.post(
        URL,
        {"organization": world.province_a.code, "file": xlsx_file(GOOD_ROWS)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.json()["details"] == [{"field": "file", "error": "The file is too large."}]
    assert not Job.objects.exists()


def test_an_organization_out_of_scope_looks_like_an_unknown_one(client, world) -> None:
    client.force_login(world.alice)
    unknown = client.post(URL, {"organization": "NO-SUCH-ORG", "file": xlsx_file(GOOD_ROWS)})
    other = client.post(URL, {"organization": world.province_b.code, "file": xlsx_file(GOOD_ROWS)})
    parent = client.post(URL, {"organization": world.national.code, "file": xlsx_file(GOOD_ROWS)})
    assert _field_errors(unknown) == ["organization"]
    assert other.json() == unknown.json() == parent.json()
    assert other.status_code == parent.status_code == 422
    # a user with no right to change questions anywhere gets the same answer
    client.force_login(world.worker_a)
    mine = client.post(URL, {"organization": world.enterprise_a.code, "file": xlsx_file(GOOD_ROWS)})
    assert mine.status_code == 422 and mine.json() == unknown.json()
    assert not Job.objects.exists()


# --------------------------------------------------------------------------------- access
def test_jobs_of_other_users_and_other_kinds_are_404(
    client, world, django_capture_on_commit_callbacks
) -> None:
    client.force_login(world.alice)
    code = upload(
        client, world.province_a, xlsx_file(GOOD_ROWS), django_capture_on_commit_callbacks
    ).json()["code"]
    roster = Job.objects.create(kind="workforce.roster_import", created_by=world.alice)
    assert client.get(f"{URL}/{roster.code}").status_code == 404
    assert client.post(f"{URL}/{roster.code}/confirm").status_code == 404
    assert client.get(f"{URL}/NO-SUCH-JOB").status_code == 404
    # nobody else sees or confirms alice's import: not bob, not an admin of her province, not root
    for user in (world.bob, world.alice_admin, world.nobody, world.root):
        client.force_login(user)
        r = client.get(f"{URL}/{code}")
        assert r.status_code == 404 and r.json()["code"] == "not_found"
        assert client.post(f"{URL}/{code}/confirm").status_code == 404
    assert not Job.objects.filter(params__dry_run=False).exists()


def test_anonymous_callers_get_401(client, world) -> None:
    job = Job.objects.create(
        kind="learning.question_import", created_by=world.alice, params={"dry_run": True}
    )
    for r in (
        client.post(URL, {"organization": world.province_a.code, "file": xlsx_file(GOOD_ROWS)}),
        client.get(f"{URL}/{job.code}"),
        client.post(f"{URL}/{job.code}/confirm"),
        client.get(f"{URL}/sample.docx"),
    ):
        assert r.status_code == 401 and r.json()["code"] == "not_authenticated"
    assert Job.objects.count() == 1


def test_scoped_access(client, world, django_capture_on_commit_callbacks) -> None:
    client.force_login(world.alice)
    code = upload(
        client, world.province_a, xlsx_file(GOOD_ROWS), django_capture_on_commit_callbacks
    ).json()["code"]
    r = check_access(client, url=f"{URL}/{code}", in_scope=world.alice, out_of_scope=world.bob)
    assert r.json()["code"] == code
    with django_capture_on_commit_callbacks(execute=True):
        r = check_access(
            client,
            url=f"{URL}/{code}/confirm",
            method="post",
            in_scope=world.alice,
            out_of_scope=world.bob,
            ok=202,
        )
    assert r.json()["checked"] == code
    assert Question.objects.filter(organization=world.province_a).count() == 2
    check_access(client, url=f"{URL}/sample.docx", in_scope=world.alice, out_of_scope=None)
    client.force_login(world.worker_a)  # no right to change questions anywhere
    assert client.get(f"{URL}/sample.docx").status_code == 403


@pytest.mark.parametrize("path", ["", "/sample.docx", "/{code}", "/{code}/confirm"])
def test_the_endpoints_are_in_the_openapi_spec(client, path: str) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert f"{URL}{path}" in spec["paths"]

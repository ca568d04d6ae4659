"""The courses API (/api/v1/learning/courses…, /lessons…): every endpoint answers anonymous → 401,
out of scope → 404, in scope → ok; the shapes, the validation errors (naming the field) and the
same rules as the course pages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongjiang.core.models import Organization
from gongjiang.learning.bank.services import paper_create
from gongjiang.learning.courses import services as courses
from gongjiang.learning.models import Course, Enrollment
from tests.access_helpers import check_access
from tests.factories import UserFactory, member

from .conftest import VIDEO
from .factories import make_question

API = "/api/v1/learning"
COURSE_KEYS = {
    "code",
    "organization",
    "organization_name",
    "title",
    "description",
    "hours",
    "published_wide",
    "is_active",
    "created_at",
    "lesson_count",
    "enrolled",
    "completed_at",
}
ENROLLMENT_KEYS = {
    "code",
    "course",
    "enrolled_at",
    "completed_at",
    "assigned",
    "training_record",
    "progress",
}
LESSON_KEYS = {
    "code",
    "course",
    "course_title",
    "position",
    "title",
    "kind",
    "body",
    "file",
    "file_size",
    "quiz_paper",
    "enrolled",
    "done",
}


class Upload:
    """A file for the test client that can be sent more than once (check_access sends it three
    times; a BytesIO would be empty after the first)."""

    def __init__(self, name: str, content: bytes) -> None:
        self.name = name
        self.content = content

    def read(self, *args: Any) -> bytes:
        return self.content


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def post(client: Any, url: str, data: Any, **extra: Any) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json", **extra)


def fields(response: Any) -> dict[str, str]:
    """field → error of a 422 answer."""
    assert response.status_code == 422, response.content
    return {d["field"]: d["error"] for d in response.json()["details"]}


# ------------------------------------------------------------------------------ the catalogue
def test_learner_list_is_the_courses_the_caller_may_take(client, world, course) -> None:
    wide = courses.course_create(
        actor=world.bob, organization=world.province_b, title="公开课", published_wide=True
    )
    own_b = courses.course_create(actor=world.bob, organization=world.province_b, title="浙江课程")
    r = check_access(client, url=f"{API}/courses", in_scope=world.worker_a, out_of_scope=None)
    body = r.json()
    assert body["count"] == 2 and body["page"] == 1 and body["page_size"] == 50
    assert [c["code"] for c in body["items"]] == [wide.code, course.code]  # by title
    row = body["items"][1]
    assert set(row) == COURSE_KEYS
    assert row["organization"] == world.province_a.code
    assert row["lesson_count"] == 2 and row["hours"] == "4.0"
    assert row["enrolled"] is False and row["completed_at"] is None
    courses.course_enroll(actor=world.worker_a, course=course)
    mine = client.get(f"{API}/courses").json()["items"]
    assert [c["enrolled"] for c in mine] == [False, True]
    # bob (province B) never sees province A's course; a user without a role only the open ones
    client.force_login(world.bob)
    assert {c["code"] for c in client.get(f"{API}/courses").json()["items"]} == {
        wide.code,
        own_b.code,
    }
    client.force_login(world.nobody)
    assert [c["code"] for c in client.get(f"{API}/courses").json()["items"]] == [wide.code]


def test_manager_list_of_an_organisation(client, world, course) -> None:
    city = courses.course_create(actor=world.alice, organization=world.city_a, title="市级课程")
    inactive = courses.course_create(
        actor=world.alice, organization=world.enterprise_a, title="停用课程"
    )
    Course.objects.filter(pk=inactive.pk).update(is_active=False)
    r = check_access(
        client,
        url=f"{API}/courses?organization={world.province_a.code}",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert {c["code"] for c in r.json()["items"]} == {course.code, city.code, inactive.code}
    # the subtree only: a city's list leaves out the province's course
    r = client.get(f"{API}/courses", {"organization": world.city_a.code})
    assert {c["code"] for c in r.json()["items"]} == {city.code, inactive.code}
    # the learner view leaves out an inactive course
    assert inactive.code not in {c["code"] for c in client.get(f"{API}/courses").json()["items"]}
    # above one's own scope, a worker, an unknown code: 404
    client.force_login(world.enterprise_officer_a)
    assert client.get(f"{API}/courses", {"organization": world.province_a.code}).status_code == 404
    r = client.get(f"{API}/courses", {"organization": world.enterprise_a.code})
    assert [c["code"] for c in r.json()["items"]] == [inactive.code]
    client.force_login(world.worker_a)
    assert (
        client.get(f"{API}/courses", {"organization": world.enterprise_a.code}).status_code == 404
    )
    client.force_login(world.alice)
    assert client.get(f"{API}/courses", {"organization": "NOSUCHORG"}).status_code == 404


def test_list_pages_and_its_queries_do_not_grow(client, world) -> None:
    client.force_login(world.worker_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"{API}/courses").status_code == 200
        return len(ctx.captured_queries)

    for i in range(2):
        c = courses.course_create(actor=world.alice, organization=world.city_a, title=f"课程{i}")
        courses.course_enroll(actor=world.worker_a, course=c)
    queries()  # the first request of a session also touches the session
    few = queries()
    for i in range(2, 7):
        c = courses.course_create(actor=world.alice, organization=world.city_a, title=f"课程{i}")
        courses.lesson_add(actor=world.alice, course=c, title="一", kind="text", body="x")
        courses.course_enroll(actor=world.worker_a, course=c)
    assert queries() == few
    r = client.get(f"{API}/courses", {"page": 2, "page_size": 3})
    body = r.json()
    assert (body["count"], body["page"], body["page_size"]) == (7, 2, 3)
    assert [c["title"] for c in body["items"]] == ["课程3", "课程4", "课程5"]
    assert all(c["enrolled"] for c in body["items"])
    assert set(fields(client.get(f"{API}/courses", {"page_size": 0}))) == {"page_size"}
    assert set(fields(client.get(f"{API}/courses", {"page_size": 500}))) == {"page_size"}
    assert set(fields(client.get(f"{API}/courses", {"page": "two"}))) == {"page"}


# ------------------------------------------------------------------------------------ create
def test_create_a_course(client, world) -> None:
    data = {
        "organization": world.city_a.code,
        "title": "数控编程",
        "description": "<p>入门</p><script>alert(1)</script>",
        "hours": 8.5,
        "published_wide": True,
    }
    r = check_access(
        client,
        url=f"{API}/courses",
        method="post",
        data=data,
        ok=201,
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    body = r.json()
    assert set(body) == COURSE_KEYS | {
        "lessons",
        "enrollment",
        "progress",
        "can_change",
        "enrolled_count",
    }
    assert body["organization"] == world.city_a.code and body["hours"] == "8.5"
    assert body["description"] == "<p>入门</p>" and body["published_wide"] is True
    assert body["lessons"] == [] and body["enrollment"] is None
    assert body["progress"] == {"done": 0, "total": 0, "percent": 0}
    assert body["can_change"] is True and body["enrolled_count"] == 0
    course = Course.objects.get(code=body["code"])
    assert course.created_by == world.alice and course.organization == world.city_a
    # a worker may not create courses, not even in their own organisation
    client.force_login(world.worker_a)
    assert (
        post(
            client, f"{API}/courses", {**data, "organization": world.enterprise_a.code}
        ).status_code
        == 404
    )
    assert post(client, f"{API}/courses", {**data, "organization": "NOSUCHORG"}).status_code == 404


def test_create_validation_errors_name_the_field(client, world) -> None:
    client.force_login(world.alice)
    ok = {"organization": world.province_a.code, "title": "课程", "hours": 2}
    cases = [
        ({k: v for k, v in ok.items() if k != "title"}, "title"),
        ({k: v for k, v in ok.items() if k != "organization"}, "organization"),
        ({**ok, "title": ""}, "title"),
        ({**ok, "title": 5}, "title"),
        ({**ok, "title": "长" * 201}, "title"),
        ({**ok, "hours": "abc"}, "hours"),
        ({**ok, "hours": 0.25}, "hours"),
        ({**ok, "hours": 1001}, "hours"),
        ({**ok, "hours": "1.25"}, "hours"),
        ({**ok, "published_wide": "maybe"}, "published_wide"),
        ({**ok, "description": ["x"]}, "description"),
        ({**ok, "colour": "red"}, "colour"),
    ]
    for data, field in cases:
        r = post(client, f"{API}/courses", data)
        assert r.json()["code"] == "validation_error", (data, r.content)
        assert set(fields(r)) == {field}, (data, r.content)
    assert fields(post(client, f"{API}/courses", {**ok, "colour": "red"}))["colour"] == (
        "unknown field"
    )
    r = client.post(f"{API}/courses", data="{", content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "malformed_json"
    # the service's rule: not in an inactive organisation (the page offers only active ones)
    Organization.objects.filter(pk=world.city_a.pk).update(is_active=False)
    r = post(client, f"{API}/courses", {**ok, "organization": world.city_a.code})
    assert set(fields(r)) == {"organization"}
    assert fields(r)["organization"] == "该组织已停用。"
    r = post(
        client,
        f"{API}/courses",
        {**ok, "organization": world.city_a.code},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert fields(r)["organization"] == "This organization is not active."
    assert not Course.objects.exists()


# ----------------------------------------------------------------------------- detail, enrol
def test_course_detail_with_the_callers_progress(client, world, course) -> None:
    text, video = course.lessons.all()
    r = check_access(
        client,
        url=f"{API}/courses/{course.code}",
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    )
    body = r.json()
    assert body["lessons"] == [
        {"code": text.code, "position": 1, "title": "第一课", "kind": "text", "done": False},
        {"code": video.code, "position": 2, "title": "操作视频", "kind": "video", "done": False},
    ]
    assert body["enrollment"] is None and body["enrolled"] is False
    assert body["progress"] == {"done": 0, "total": 2, "percent": 0}
    assert body["can_change"] is False and body["enrolled_count"] is None
    enrollment = courses.course_enroll(actor=world.worker_a, course=course)
    courses.lesson_complete(actor=world.worker_a, lesson=text)
    body = client.get(f"{API}/courses/{course.code}").json()
    assert [lesson["done"] for lesson in body["lessons"]] == [True, False]
    assert body["progress"] == {"done": 1, "total": 2, "percent": 50}
    assert body["enrollment"]["code"] == enrollment.code
    assert body["enrollment"]["progress"] == body["progress"]
    # the manager sees it with the enrolment count, and no progress of their own
    client.force_login(world.alice)
    body = client.get(f"{API}/courses/{course.code}").json()
    assert body["can_change"] is True and body["enrolled_count"] == 1
    assert body["enrollment"] is None and body["progress"]["done"] == 0
    for user in (world.nobody, world.bob):
        client.force_login(user)
        assert client.get(f"{API}/courses/{course.code}").status_code == 404
    assert client.get(f"{API}/courses/NOSUCHCOURSE").json()["code"] == "not_found"


def test_self_enrolment(client, world, course) -> None:
    r = check_access(
        client,
        url=f"{API}/courses/{course.code}/enrol",
        method="post",
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    )
    body = r.json()
    assert set(body) == ENROLLMENT_KEYS
    enrollment = Enrollment.objects.get(user=world.worker_a, course=course)
    assert body["code"] == enrollment.code and body["course"] == course.code
    assert body["assigned"] is False and body["completed_at"] is None
    assert body["progress"] == {"done": 0, "total": 2, "percent": 0}
    # again: the same enrolment
    again = client.post(f"{API}/courses/{course.code}/enrol").json()
    assert again["code"] == enrollment.code
    assert Enrollment.objects.filter(course=course).count() == 1
    # an inactive course: its manager still sees it, nobody may enrol
    Course.objects.filter(pk=course.pk).update(is_active=False)
    client.force_login(world.alice)
    assert client.get(f"{API}/courses/{course.code}").status_code == 200
    assert client.post(f"{API}/courses/{course.code}/enrol").status_code == 404
    client.force_login(world.nobody)
    assert client.post(f"{API}/courses/{course.code}/enrol").status_code == 404


# ------------------------------------------------------------------------------------ assign
def test_assign_to_an_organisations_workers(client, world, course) -> None:
    mate = UserFactory(username="mate_api")
    member(mate, world.team_a, "worker")
    r = check_access(
        client,
        url=f"{API}/courses/{course.code}/assign",
        method="post",
        data={"organization": world.enterprise_a.code},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert r.json() == {"enrolled": 2}
    assert set(
        Enrollment.objects.filter(course=course).values_list("user__username", flat=True)
    ) == {"worker_a", "mate_api"}
    assert Enrollment.objects.get(user=mate).assigned_by == world.alice
    r = post(client, f"{API}/courses/{course.code}/assign", {"organization": world.city_a.code})
    assert r.json() == {"enrolled": 0}
    client.force_login(world.worker_a)
    assigned = client.get(f"{API}/courses/{course.code}").json()["enrollment"]
    assert assigned["assigned"] is True
    # a worker, and a manager below the course's organisation, cannot see it as a manager
    for user in (world.worker_a, world.enterprise_officer_a):
        client.force_login(user)
        r = post(
            client,
            f"{API}/courses/{course.code}/assign",
            {"organization": world.enterprise_a.code},
        )
        assert r.status_code == 404, user


def test_assign_errors(client, world) -> None:
    city_course = courses.course_create(actor=world.alice, organization=world.city_a, title="市课")
    url = f"{API}/courses/{city_course.code}/assign"
    client.force_login(world.alice)
    assert set(fields(post(client, url, {}))) == {"organization"}
    assert set(fields(post(client, url, {"organization": 7}))) == {"organization"}
    assert set(fields(post(client, url, {"organization": "x", "users": []}))) == {"users"}
    # an organisation out of scope or unknown: 404
    assert post(client, url, {"organization": world.enterprise_b.code}).status_code == 404
    assert post(client, url, {"organization": "NOSUCHORG"}).status_code == 404
    # above the course's organisation, or inactive: the service's rule, named
    r = post(client, url, {"organization": world.province_a.code}, HTTP_ACCEPT_LANGUAGE="en")
    assert fields(r) == {
        "organization": "Choose an active organization inside the course's owner organization."
    }
    Organization.objects.filter(pk=world.team_a.pk).update(is_active=False)
    r = post(client, url, {"organization": world.team_a.code})
    assert fields(r) == {"organization": "请选择课程所属组织范围内的在用组织。"}
    assert not Enrollment.objects.exists()


def test_assign_rule_holds_for_the_page_too(world) -> None:
    city_course = courses.course_create(actor=world.alice, organization=world.city_a, title="市课")
    with pytest.raises(ValidationError) as exc:
        courses.course_assign(actor=world.alice, course=city_course, organization=world.province_a)
    assert "organization" in exc.value.message_dict


# ------------------------------------------------------------------------------------ lessons
def test_add_a_text_lesson_as_json(client, world, course) -> None:
    r = check_access(
        client,
        url=f"{API}/courses/{course.code}/lessons",
        method="post",
        data={"title": "第三课", "kind": "text", "body": "<p>正文</p><img src=x onerror=alert(1)>"},
        ok=201,
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    body = r.json()
    assert set(body) == LESSON_KEYS
    assert body["position"] == 3 and body["kind"] == "text" and body["course"] == course.code
    assert "onerror" not in body["body"] and "<p>正文</p>" in body["body"]
    assert body["file"] is None and body["quiz_paper"] is None
    assert course.lessons.count() == 3
    # learners and managers of other organisations: 404
    for user in (world.worker_a, world.enterprise_officer_a):
        client.force_login(user)
        r = post(client, f"{API}/courses/{course.code}/lessons", {"title": "x", "kind": "text"})
        assert r.status_code == 404
    assert course.lessons.count() == 3


def test_add_a_quiz_lesson(client, world, course) -> None:
    q = make_question(world.alice, world.province_a)
    practice = paper_create(
        actor=world.alice,
        organization=world.province_a,
        title="练习卷",
        question_codes=[q.code],
        is_practice=True,
    )
    exam = paper_create(
        actor=world.alice, organization=world.province_a, title="考试卷", question_codes=[q.code]
    )
    bobs = paper_create(
        actor=world.bob,
        organization=world.province_b,
        title="浙江卷",
        question_codes=[make_question(world.bob, world.province_b).code],
        is_practice=True,
    )
    url = f"{API}/courses/{course.code}/lessons"
    client.force_login(world.alice)
    r = post(client, url, {"title": "测验", "kind": "quiz", "quiz_paper": practice.code})
    assert r.status_code == 201, r.content
    assert r.json()["quiz_paper"] == practice.code
    r = post(client, url, {"title": "测验", "kind": "quiz"}, HTTP_ACCEPT_LANGUAGE="en")
    assert fields(r) == {"quiz_paper": "A quiz lesson needs a practice paper."}
    r = post(
        client,
        url,
        {"title": "测验", "kind": "quiz", "quiz_paper": exam.code},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert fields(r) == {"quiz_paper": "The quiz paper must be usable for practice mock exams."}
    r = post(client, url, {"title": "测验", "kind": "quiz", "quiz_paper": bobs.code})
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"
    assert course.lessons.count() == 3
    # the learner cannot mark a quiz done before passing it
    quiz = course.lessons.get(kind="quiz")
    courses.course_enroll(actor=world.worker_a, course=course)
    client.force_login(world.worker_a)
    r = client.post(f"{API}/lessons/{quiz.code}/complete")
    assert r.status_code == 409 and r.json()["code"] == "quiz_not_passed"


def test_lesson_json_validation_errors_name_the_field(client, world, course) -> None:
    url = f"{API}/courses/{course.code}/lessons"
    client.force_login(world.alice)
    cases = [
        ({"kind": "text"}, "title"),
        ({"title": "x"}, "kind"),
        ({"title": "x", "kind": "audio"}, "kind"),
        ({"title": 3, "kind": "text"}, "title"),
        ({"title": "x", "kind": "text", "body": {"a": 1}}, "body"),
        ({"title": "x", "kind": "text", "quiz_paper": ""}, "quiz_paper"),
        ({"title": "x", "kind": "text", "position": 1}, "position"),
        ({"title": "x\x00", "kind": "text"}, "title"),
    ]
    for data, field in cases:
        r = post(client, url, data)
        assert set(fields(r)) == {field}, (data, r.content)
    # a file lesson sent as JSON has no file
    r = post(client, url, {"title": "讲义", "kind": "pdf"}, HTTP_ACCEPT_LANGUAGE="en")
    assert fields(r) == {"file": "Upload a .pdf file."}
    r = client.post(url, data="[1, 2", content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "malformed_json"
    r = post(client, url, ["title", "kind"])
    assert r.status_code == 422 and r.json()["code"] == "validation_error"
    assert course.lessons.count() == 2


def test_add_a_file_lesson_by_upload(client, world, course) -> None:
    url = f"{API}/courses/{course.code}/lessons"
    pdf = b"%PDF-1.4 lesson notes"
    client.logout()
    r = client.post(url, {"title": "讲义", "kind": "pdf", "file": Upload("notes.pdf", pdf)})
    assert r.status_code == 401 and r.json()["code"] == "not_authenticated"
    r = check_access(
        client,
        url=url,
        method="post",
        data={"title": "讲义", "kind": "pdf", "file": Upload("notes.pdf", pdf)},
        api=False,
        ok=201,
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    body = r.json()
    assert body["kind"] == "pdf" and body["position"] == 3
    assert body["file"] == f"{API}/lessons/{body['code']}/file" and body["file_size"] == len(pdf)
    client.force_login(world.worker_a)
    r = client.get(body["file"])
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert b"".join(r.streaming_content) == pdf
    client.force_login(world.alice)
    r = client.post(url, {"title": "视频", "kind": "video", "file": Upload("a.webm", b"webm")})
    assert r.status_code == 201 and r.json()["kind"] == "video"
    # a text lesson may be sent as a form too
    r = client.post(url, {"title": "正文", "kind": "text", "body": "<b>粗体</b>"})
    assert r.status_code == 201 and r.json()["body"] == "<b>粗体</b>"
    assert course.lessons.count() == 5


def test_upload_errors_name_the_field(client, world, course, settings) -> None:
    url = f"{API}/courses/{course.code}/lessons"
    client.force_login(world.alice)
    en = {"HTTP_ACCEPT_LANGUAGE": "en"}
    r = client.post(url, {"title": "讲义", "kind": "pdf", "file": Upload("notes.txt", b"x")}, **en)
    assert fields(r) == {"file": "Upload a .pdf file."}
    r = client.post(url, {"title": "讲义", "kind": "pdf", "file": Upload("notes.txt", b"x")})
    assert fields(r) == {"file": "请上传 .pdf 文件。"}
    r = client.post(url, {"title": "视频", "kind": "video", "file": Upload("a.pdf", b"x")}, **en)
    assert fields(r) == {"file": "Upload a .mp4 / .webm / .m4v / .ogv file."}
    r = client.post(url, {"title": "讲义", "kind": "pdf"}, **en)
    assert fields(r) == {"file": "Upload a .pdf file."}
    r = client.post(url, {"kind": "pdf", "file": Upload("notes.pdf", b"x")})
    assert set(fields(r)) == {"title"}
    r = client.post(url, {"title": "讲义", "kind": "doc", "file": Upload("a.doc", b"x")})
    assert set(fields(r)) == {"kind"}
    r = client.post(
        url, {"title": "讲义", "kind": "pdf", "extra": "1", "file": Upload("a.pdf", b"x")}
    )
    assert fields(r) == {"extra": "unknown field"}
    settings.MAX_UPLOAD_SIZE = 10
    r = client.post(url, {"title": "讲义", "kind": "pdf", "file": Upload("a.pdf", b"x" * 11)}, **en)
    assert fields(r) == {"file": "The file is too large."}
    assert course.lessons.count() == 2


# ------------------------------------------------------------------------------ a lesson
def test_lesson_detail(client, world, course) -> None:
    text, video = course.lessons.all()
    r = check_access(
        client,
        url=f"{API}/lessons/{video.code}",
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    )
    body = r.json()
    assert set(body) == LESSON_KEYS
    assert body["course"] == course.code and body["course_title"] == "安全生产培训"
    assert body["file"] == f"{API}/lessons/{video.code}/file" and body["file_size"] == len(VIDEO)
    assert body["enrolled"] is False and body["done"] is False
    body = client.get(f"{API}/lessons/{text.code}").json()
    assert body["body"] == "<p>安全第一</p>" and body["file"] is None
    courses.course_enroll(actor=world.worker_a, course=course)
    courses.lesson_complete(actor=world.worker_a, lesson=text)
    body = client.get(f"{API}/lessons/{text.code}").json()
    assert body["enrolled"] is True and body["done"] is True
    assert client.get(f"{API}/lessons/{video.code}").json()["done"] is False
    client.force_login(world.nobody)
    assert client.get(f"{API}/lessons/{text.code}").status_code == 404
    assert client.get(f"{API}/lessons/NOSUCHLESSON").status_code == 404


def test_complete_lessons_returns_the_progress(
    client, world, course, django_capture_on_commit_callbacks
) -> None:
    text, video = course.lessons.all()
    client.force_login(world.worker_a)
    r = client.post(f"{API}/lessons/{text.code}/complete")
    assert r.status_code == 409 and r.json()["code"] == "not_enrolled"
    courses.course_enroll(actor=world.worker_a, course=course)
    r = check_access(
        client,
        url=f"{API}/lessons/{text.code}/complete",
        method="post",
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    )
    body = r.json()
    assert set(body) == ENROLLMENT_KEYS
    assert body["progress"] == {"done": 1, "total": 2, "percent": 50}
    assert body["completed_at"] is None
    # again: nothing changes
    assert client.post(f"{API}/lessons/{text.code}/complete").json()["progress"]["done"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        body = client.post(f"{API}/lessons/{video.code}/complete").json()
    assert body["progress"] == {"done": 2, "total": 2, "percent": 100}
    assert body["completed_at"] is not None
    assert client.get(f"{API}/courses").json()["items"][0]["completed_at"] == body["completed_at"]
    client.force_login(world.nobody)
    assert client.post(f"{API}/lessons/{text.code}/complete").status_code == 404


def test_lesson_file_with_ranges(client, world, course) -> None:
    text, video = course.lessons.all()
    url = f"{API}/lessons/{video.code}/file"
    r = check_access(client, url=url, in_scope=world.worker_a, out_of_scope=world.bob)
    assert r["Accept-Ranges"] == "bytes" and r["Content-Type"] == "video/mp4"
    assert b"".join(r.streaming_content) == VIDEO
    r = client.get(url, HTTP_RANGE="bytes=100-199")
    assert r.status_code == 206 and r["Content-Range"] == "bytes 100-199/10240"
    assert r.content == VIDEO[100:200]
    r = client.get(url, HTTP_RANGE="bytes=-24")
    assert r.status_code == 206 and r.content == VIDEO[-24:]
    r = client.get(url, HTTP_RANGE="bytes=99999-")
    assert r.status_code == 416 and r["Content-Range"] == "bytes */10240"
    # a lesson without a file, and a user without a role
    assert client.get(f"{API}/lessons/{text.code}/file").status_code == 404
    client.force_login(world.nobody)
    assert client.get(url).status_code == 404


# --------------------------------------------------------------------------------- the router
def test_every_course_endpoint_requires_authentication(client, world, course) -> None:
    """Walk the router, so a new endpoint cannot forget authentication."""
    from gongjiang.learning.courses.api import router

    lesson = course.lessons.first()
    seen = 0
    for path, view in router.path_operations.items():
        for op in view.operations:
            code = lesson.code if path.startswith("/lessons") else course.code
            url = API + path.replace("{code}", code)
            for method in op.methods:
                r = getattr(client, method.lower())(url)
                assert r.status_code == 401, (method, url, r.status_code)
                seen += 1
    assert seen == 9


def test_openapi_describes_both_lesson_bodies(client, world) -> None:
    client.force_login(world.alice)
    spec = client.get("/api/v1/openapi.json").json()
    op = spec["paths"][f"{API}/courses/{{code}}/lessons"]["post"]
    content = op["requestBody"]["content"]
    assert set(content) == {"application/json", "multipart/form-data"}
    assert content["application/json"]["schema"]["required"] == ["title", "kind"]
    assert content["multipart/form-data"]["schema"]["properties"]["file"]["format"] == "binary"
    assert set(spec["paths"][f"{API}/courses"]) == {"get", "post"}


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("clip.ogv", "video/ogg"), ("clip.webm", "video/webm"), ("clip.M4V", "video/mp4")],
)
def test_a_lesson_file_is_served_with_its_own_type(
    client, world, course, name, content_type
) -> None:
    """Regression: every video that was not .webm was served as video/mp4 (an .ogv too)."""
    video = SimpleUploadedFile(name, VIDEO)
    lesson = courses.lesson_add(
        actor=world.alice, course=course, title=name, kind="video", file=video
    )
    client.force_login(world.worker_a)
    assert client.get(f"{API}/lessons/{lesson.code}/file")["Content-Type"] == content_type

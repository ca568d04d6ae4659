import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongjiang.core.errors import ApplicationError
from gongjiang.learning.courses import services as courses
from gongjiang.learning.models import Enrollment
from tests.access_helpers import check_access
from tests.factories import UserFactory, member
from tests.learning.conftest import VIDEO


def test_course_visibility(world, course) -> None:
    assert courses.learner_courses(world.worker_a).filter(pk=course.pk).exists()
    assert not courses.learner_courses(world.bob).filter(pk=course.pk).exists()
    wide = courses.course_create(
        actor=world.bob, organization=world.province_b, title="公开课", published_wide=True
    )
    assert courses.learner_courses(world.worker_a).filter(pk=wide.pk).exists()
    assert course.lessons.first().body == "<p>安全第一</p>"


def test_enrol_progress_and_completion(world, course, django_capture_on_commit_callbacks) -> None:
    lesson1, lesson2 = list(course.lessons.all())
    with pytest.raises(ApplicationError):
        courses.lesson_complete(actor=world.worker_a, lesson=lesson1)
    courses.course_enroll(actor=world.worker_a, course=course)
    courses.lesson_complete(actor=world.worker_a, lesson=lesson1)
    assert (
        courses.course_progress(Enrollment.objects.get(user=world.worker_a), course)["percent"]
        == 50
    )
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = courses.lesson_complete(actor=world.worker_a, lesson=lesson2)
    assert enrollment.completed_at is not None


def test_assign_enrols_workers_of_an_organization(world, course) -> None:
    mate = UserFactory(username="mate_c")
    member(mate, world.team_a, "worker")
    assert (
        courses.course_assign(actor=world.alice, course=course, organization=world.enterprise_a)
        == 2
    )
    assert (
        courses.course_assign(actor=world.alice, course=course, organization=world.enterprise_a)
        == 0
    )


def test_course_pages_and_api(client, world, course) -> None:
    lesson = course.lessons.get(kind="video")
    check_access(client, url="/learning/courses/", in_scope=world.worker_a, out_of_scope=None)
    check_access(client, url="/learning/courses/new/", in_scope=world.alice, out_of_scope=None)
    check_access(
        client,
        url=f"/learning/courses/{course.code}/",
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    )
    check_access(
        client,
        url=f"/learning/courses/{course.code}/enrol/",
        method="post",
        ok=302,
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    )
    check_access(
        client,
        url=f"/learning/lessons/{lesson.code}/",
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    )
    r = check_access(
        client,
        url=f"/learning/lessons/{lesson.code}/file/",
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    )
    assert r["Accept-Ranges"] == "bytes"
    client.force_login(world.worker_a)
    r = client.get(f"/learning/lessons/{lesson.code}/file/", HTTP_RANGE="bytes=100-199")
    assert (
        r.status_code == 206
        and r["Content-Range"] == "bytes 100-199/10240"
        and len(r.content) == 100
    )
    assert r.content == VIDEO[100:200]
    r = client.get(f"/learning/lessons/{lesson.code}/file/", HTTP_RANGE="bytes=-24")
    assert r.status_code == 206 and len(r.content) == 24
    assert (
        client.get(f"/learning/lessons/{lesson.code}/file/", HTTP_RANGE="bytes=99999-").status_code
        == 416
    )
    check_access(
        client,
        url=f"/learning/lessons/{lesson.code}/complete/",
        method="post",
        ok=302,
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    )
    check_access(
        client,
        url=f"/learning/courses/{course.code}/lessons/new/",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    check_access(
        client,
        url=f"/learning/courses/{course.code}/assign/",
        method="post",
        ok=302,
        data={"organization": world.enterprise_a.code},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    r = check_access(
        client, url="/api/v1/learning/courses", in_scope=world.worker_a, out_of_scope=None
    )
    assert [c["code"] for c in r.json()["items"]] == [course.code]
    check_access(
        client,
        url=f"/api/v1/learning/courses/{course.code}",
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    )
    check_access(
        client,
        url=f"/api/v1/learning/courses/{course.code}/enrol",
        method="post",
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    )
    text = course.lessons.get(kind="text")
    r = check_access(
        client,
        url=f"/api/v1/learning/lessons/{text.code}/complete",
        method="post",
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    )
    assert r.json()["completed_at"] is not None


def test_course_create_page(client, world) -> None:
    client.force_login(world.alice)
    r = client.post(
        "/learning/courses/new/",
        {"organization": world.province_a.code, "title": "数控编程", "hours": "8"},
    )
    assert r.status_code == 302
    code = r["Location"].rstrip("/").rsplit("/", 1)[-1]
    pdf = SimpleUploadedFile("notes.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    r = client.post(
        f"/learning/courses/{code}/lessons/new/", {"title": "讲义", "kind": "pdf", "file": pdf}
    )
    assert r.status_code == 302
    bad = io.BytesIO(b"x")
    bad.name = "notes.txt"
    r = client.post(
        f"/learning/courses/{code}/lessons/new/", {"title": "讲义", "kind": "pdf", "file": bad}
    )
    assert r.status_code == 200 and b"pdf" in r.content


def test_completion_credits_the_training_record(
    world, course, django_capture_on_commit_callbacks
) -> None:
    from gongjiang.workforce.models import TrainingRecord
    from gongjiang.workforce.services import worker_create

    worker = worker_create(
        actor=world.alice,
        organization=world.enterprise_a,
        name="张三",
        citizen_id="11010519491231002X",
        user=world.worker_a,
    )
    courses.course_enroll(actor=world.worker_a, course=course)
    with django_capture_on_commit_callbacks(execute=True):
        for lesson in course.lessons.all():
            courses.lesson_complete(actor=world.worker_a, lesson=lesson)
    record = TrainingRecord.objects.get(worker=worker)
    assert record.hours == 4 and record.title == "安全生产培训" and record.source_ref == course.code
    assert Enrollment.objects.get(user=world.worker_a).training_record == record.code
    assert (
        courses.course_credit_training(Enrollment.objects.get(user=world.worker_a).pk)
        == record.code
    )  # once


def test_a_lesson_added_after_a_deletion_goes_last(world, course) -> None:
    """Regression: the position was the lesson count + 1, so after a deletion a new lesson took the
    position of the last one."""
    first, last = course.lessons.order_by("position")
    first.delete()
    added = courses.lesson_add(
        actor=world.alice, course=course, title="补充", kind="text", body="x"
    )
    assert added.position == last.position + 1
    assert [lesson.title for lesson in course.lessons.order_by("position")] == [last.title, "补充"]

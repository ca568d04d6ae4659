"""Courses over the API (/api/v1/learning/): the catalogue (a learner's, or a manager's per
organisation), a course with the caller's progress, self enrolment, assignment to an organisation's
workers, lessons (text and quiz as JSON, PDF and video as a multipart upload), lesson completion and
the lesson file with range requests. The same services as the course pages (:mod:`.services`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

import pydantic
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError

from gongjiang.core.schemas import PageNumber, PageSize, StrictSchema, paginate

from .. import selectors
from ..models import Course, Enrollment, Lesson
from ..selectors import org_for
from . import services as courses

router = Router(tags=["learning"])

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


# -------------------------------------------------------------------------------- schemas
class ProgressOut(Schema):
    done: int
    total: int
    percent: int


class EnrollmentOut(Schema):
    code: str
    course: str = Field(..., description="course code")
    enrolled_at: dt.datetime
    completed_at: dt.datetime | None
    assigned: bool = Field(..., description="enrolled by a manager, not by the learner")
    training_record: str = Field(..., description="code of the training record credited, or ''")
    progress: ProgressOut


class CourseOut(Schema):
    code: str
    organization: str = Field(..., description="owner organisation's code")
    organization_name: str
    title: str
    description: str
    hours: Decimal
    published_wide: bool
    is_active: bool
    created_at: dt.datetime
    lesson_count: int
    enrolled: bool = Field(..., description="the caller is enrolled")
    completed_at: dt.datetime | None = Field(..., description="when the caller completed it")


class CoursePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CourseOut]


class LessonRowOut(Schema):
    code: str
    position: int
    title: str
    kind: str
    done: bool = Field(..., description="the caller has done the lesson")


class CourseDetailOut(CourseOut):
    lessons: list[LessonRowOut]
    enrollment: EnrollmentOut | None = Field(..., description="the caller's enrolment")
    progress: ProgressOut
    can_change: bool = Field(..., description="the caller may add lessons and assign the course")
    enrolled_count: int | None = Field(..., description="learners enrolled (only to managers)")


class LessonOut(Schema):
    code: str
    course: str = Field(..., description="course code")
    course_title: str
    position: int
    title: str
    kind: str
    body: str = Field(..., description="sanitised HTML")
    file: str | None = Field(..., description="URL of the PDF or video (range requests)")
    file_size: int | None
    quiz_paper: str | None = Field(..., description="practice paper code of a quiz lesson")
    enrolled: bool
    done: bool


class CourseFilters(Schema):
    organization: str = Field(
        "", max_length=20, description="managers: the courses of this organisation's subtree"
    )
    page: PageNumber = 1
    page_size: PageSize = 50


class CourseIn(StrictSchema):
    organization: str = Field(..., min_length=1, max_length=20)
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=20000)
    hours: Decimal = Field(Decimal(1), ge=Decimal("0.5"), le=1000, decimal_places=1)
    published_wide: bool = False


class AssignIn(StrictSchema):
    organization: str = Field(..., min_length=1, max_length=20)


class AssignOut(Schema):
    enrolled: int = Field(..., description="workers newly enrolled")


class LessonIn(StrictSchema):
    title: str = Field(..., min_length=1, max_length=200)
    kind: Literal["text", "pdf", "video", "quiz"]
    body: str = Field("", max_length=100000)
    quiz_paper: str | None = Field(None, min_length=1, max_length=20)


# -------------------------------------------------------------------------------- shaping
def _progress(progress: dict[str, Any]) -> dict[str, int]:
    return {"done": progress["done"], "total": progress["total"], "percent": progress["percent"]}


def _enrollment_out(enrollment: Enrollment, course: Course) -> dict[str, Any]:
    return {
        "code": enrollment.code,
        "course": course.code,
        "enrolled_at": enrollment.enrolled_at,
        "completed_at": enrollment.completed_at,
        "assigned": enrollment.assigned_by_id is not None,
        "training_record": enrollment.training_record,
        "progress": _progress(courses.course_progress(enrollment, course)),
    }


def _course_out(course: Course, enrollment: Enrollment | None, lesson_count: int) -> dict[str, Any]:
    return {
        "code": course.code,
        "organization": course.organization.code,
        "organization_name": course.organization.name,
        "title": course.title,
        "description": course.description,
        "hours": course.hours,
        "published_wide": course.published_wide,
        "is_active": course.is_active,
        "created_at": course.created_at,
        "lesson_count": lesson_count,
        "enrolled": enrollment is not None,
        "completed_at": enrollment.completed_at if enrollment else None,
    }


def _course_detail(actor: Any, course: Course) -> dict[str, Any]:
    state = courses.course_state(actor=actor, course=course)
    enrollment, progress = state["enrollment"], state["progress"]
    return {
        **_course_out(course, enrollment, progress["total"]),
        "lessons": [
            {
                "code": lesson.code,
                "position": lesson.position,
                "title": lesson.title,
                "kind": lesson.kind,
                "done": done,
            }
            for lesson, done in progress["lessons"]
        ],
        "enrollment": _enrollment_out(enrollment, course) if enrollment else None,
        "progress": _progress(progress),
        "can_change": state["can_change"],
        "enrolled_count": state["enrolled"],
    }


def _lesson_out(actor: Any, lesson: Lesson) -> dict[str, Any]:
    state = courses.lesson_state(actor=actor, lesson=lesson)
    return {
        "code": lesson.code,
        "course": lesson.course.code,
        "course_title": lesson.course.title,
        "position": lesson.position,
        "title": lesson.title,
        "kind": lesson.kind,
        "body": lesson.body,
        "file": reverse("api:learning_lesson_file", kwargs={"code": lesson.code})
        if lesson.file
        else None,
        "file_size": lesson.file.size if lesson.file else None,
        "quiz_paper": lesson.quiz_paper.code if lesson.quiz_paper_id else None,
        "enrolled": state["enrollment"] is not None,
        "done": state["done"],
    }


def _lesson_input(request: HttpRequest) -> tuple[LessonIn, Any]:
    """The lesson from a JSON body, or from a form (multipart: the ``file`` of a PDF or video
    lesson). Errors answer like a declared body: 422 naming the field."""
    from gongjiang.api import NUL_ERROR, MalformedBody, api

    upload = None
    if request.content_type in FORM_TYPES:
        data: Any = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        if not data.get("quiz_paper"):
            data.pop("quiz_paper", None)
        nul = [
            {"loc": ("body", "payload", k), "msg": NUL_ERROR, "type": "nul_character"}
            for k, v in data.items()
            if "\x00" in v
        ]
        if nul:
            raise NinjaValidationError(nul)
        upload = request.FILES.get("file")
    else:
        try:
            data = api.parser.parse_body(request)  # refuses NUL characters, naming the field
        except MalformedBody as exc:
            raise NinjaValidationError(
                [{"loc": ("body", "payload"), "msg": str(exc), "type": "json_invalid"}]
            ) from exc
    try:
        return LessonIn.model_validate(data), upload
    except pydantic.ValidationError as exc:
        errors = [
            {**e, "loc": ("body", "payload", *e["loc"])} for e in exc.errors(include_url=False)
        ]
        raise NinjaValidationError(errors) from exc


def _lesson_request_body() -> dict[str, Any]:
    schema = LessonIn.model_json_schema()
    form = {
        **schema,
        "properties": {
            **schema["properties"],
            "file": {"type": "string", "format": "binary", "description": "PDF or video"},
        },
    }
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": schema},
                "multipart/form-data": {"schema": form},
            },
        }
    }


# ------------------------------------------------------------------------------ endpoints
@router.get(
    "/courses",
    response=CoursePage,
    summary="Courses the caller may take, or (managers, ?organization=) an organisation's courses",
)
def course_list(request: HttpRequest, filters: Query[CourseFilters]) -> dict[str, Any]:
    if filters.organization:
        org = org_for(request.user, filters.organization, "learning.view_course")
        qs = courses.managed_courses(request.user).within(org)
    else:
        qs = courses.learner_courses(request.user)
    qs = qs.annotate(lesson_count=Count("lessons")).order_by("title", "pk")
    page = paginate(qs, filters.page, filters.page_size)
    mine = {
        e.course_id: e
        for e in Enrollment.objects.filter(
            user=request.user, course_id__in=[c.pk for c in page["items"]]
        )
    }
    page["items"] = [_course_out(c, mine.get(c.pk), c.lesson_count) for c in page["items"]]
    return page


@router.post("/courses", response={201: CourseDetailOut}, summary="Create a course")
def course_create(request: HttpRequest, payload: CourseIn) -> tuple[int, dict[str, Any]]:
    org = org_for(request.user, payload.organization, "learning.change_course")
    course = courses.course_create(
        actor=request.user,
        organization=org,
        title=payload.title,
        description=payload.description,
        hours=payload.hours,
        published_wide=payload.published_wide,
    )
    return 201, _course_detail(request.user, course)


@router.get(
    "/courses/{code}",
    response=CourseDetailOut,
    summary="A course with its lessons and the caller's own progress",
)
def course_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    course = courses.course_get_for_learner(actor=request.user, code=code)
    return _course_detail(request.user, course)


@router.post(
    "/courses/{code}/enrol",
    response=EnrollmentOut,
    summary="Enrol the caller in a course (again: the same enrolment)",
)
def course_enrol(request: HttpRequest, code: str) -> dict[str, Any]:
    course = courses.course_get_for_learner(actor=request.user, code=code)
    enrollment = courses.course_enroll(actor=request.user, course=course)
    return _enrollment_out(enrollment, course)


@router.post(
    "/courses/{code}/assign",
    response=AssignOut,
    summary="Enrol every worker of an organisation's subtree in the course",
)
def course_assign(request: HttpRequest, code: str, payload: AssignIn) -> dict[str, int]:
    course = courses.course_get_for_manager(actor=request.user, code=code)
    org = org_for(request.user, payload.organization, "learning.change_course")
    n = courses.course_assign(actor=request.user, course=course, organization=org)
    return {"enrolled": n}


@router.post(
    "/courses/{code}/lessons",
    response={201: LessonOut},
    summary="Add a lesson: text or quiz as JSON; PDF or video as multipart/form-data with `file`",
    openapi_extra=_lesson_request_body(),
)
def lesson_create(request: HttpRequest, code: str) -> tuple[int, dict[str, Any]]:
    course = courses.course_get_for_manager(actor=request.user, code=code)
    payload, upload = _lesson_input(request)
    paper = (
        selectors.paper_get(actor=request.user, code=payload.quiz_paper)
        if payload.quiz_paper
        else None
    )
    lesson = courses.lesson_add(
        actor=request.user,
        course=course,
        title=payload.title,
        kind=payload.kind,
        body=payload.body,
        file=upload,
        quiz_paper=paper,
    )
    return 201, _lesson_out(request.user, lesson)


@router.get("/lessons/{code}", response=LessonOut, summary="A lesson and whether the caller did it")
def lesson_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _lesson_out(request.user, courses.lesson_get_for_learner(actor=request.user, code=code))


@router.post(
    "/lessons/{code}/complete",
    response=EnrollmentOut,
    summary="Mark a lesson done (a quiz: after passing it); returns the enrolment's progress",
)
def lesson_complete(request: HttpRequest, code: str) -> dict[str, Any]:
    lesson = courses.lesson_get_for_learner(actor=request.user, code=code)
    enrollment = courses.lesson_complete(actor=request.user, lesson=lesson)
    return _enrollment_out(enrollment, lesson.course)


@router.get(
    "/lessons/{code}/file",
    url_name="learning_lesson_file",
    summary="The PDF or video of a lesson (HTTP range requests: 206, 416)",
)
def lesson_file(request: HttpRequest, code: str) -> HttpResponse:
    lesson = courses.lesson_get_for_learner(actor=request.user, code=code)
    return courses.lesson_file_response(request, lesson)

"""Courses: lessons (text, PDF, video, quiz), enrolment (self or assigned to an organisation's workers),
progress per lesson, and completion, which credits the course hours to the worker's training record
(``workforce.services.training_record_add``, as the course's creator).

Learners see active courses owned by their organisations or the organisations above them, and every
course ``published_wide``. Managers see the courses of their subtree.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.audit import audit_record
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import Membership, Organization

from ..models import Attempt, Course, Enrollment, Lesson, LessonProgress, Paper
from ..sanitize import sanitize_html

logger = logging.getLogger(__name__)
FILE_KINDS = {"pdf": (".pdf",), "video": (".mp4", ".webm", ".m4v", ".ogv")}
FILE_TYPES = {
    ".pdf": "application/pdf",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".ogv": "video/ogg",
}


def _ancestor_paths(path: str) -> list[str]:
    step = Organization.SEGMENT
    return [path[: i + step] for i in range(0, len(path), step)]


def learner_courses(user: Any) -> QuerySet[Course]:
    q = Q(published_wide=True)
    for _role, path, _id in access.memberships_of(user):
        q |= Q(organization__path__in=_ancestor_paths(path))
    return Course.objects.filter(q, is_active=True).select_related("organization")


def managed_courses(user: Any) -> QuerySet[Course]:
    """The courses of the subtrees where the user's roles may view courses (managers)."""
    return Course.objects.visible_to(user, "learning.view_course").select_related("organization")


def course_get_for_learner(*, actor: Any, code: str) -> Course:
    """A course the actor may take, or manage: anything else (missing, out of scope) is a 404."""
    course = learner_courses(actor).filter(code=code).first()
    if course is None:
        course = managed_courses(actor).filter(code=code).first()
    if course is None:
        raise Http404("course")
    return course


def course_get_for_manager(*, actor: Any, code: str) -> Course:
    """A course in the actor's scope (404 otherwise) that the actor may change (403 otherwise)."""
    course = access.get_visible_or_404(
        Course.objects.select_related("organization"), actor, "learning.view_course", code=code
    )
    access.require(actor, "learning.change_course", course.organization)
    return course


def lesson_get_for_learner(*, actor: Any, code: str) -> Lesson:
    """A lesson of a course the actor may take or manage (404 otherwise)."""
    lesson = Lesson.objects.select_related("course__organization").filter(code=code).first()
    if lesson is None:
        raise Http404("lesson")
    course_get_for_learner(actor=actor, code=lesson.course.code)
    return lesson


def enrollment_for(user: Any, course: Course) -> Enrollment | None:
    """The user's own enrolment in the course, if any."""
    return Enrollment.objects.filter(course=course, user=user).first()


def course_state(*, actor: Any, course: Course) -> dict[str, Any]:
    """What the course page and the API show the actor besides the course: their enrolment and
    progress, whether they may change the course and, if so, how many are enrolled."""
    enrollment = enrollment_for(actor, course)
    can_change = access.can(actor, "learning.change_course", course.organization)
    return {
        "enrollment": enrollment,
        "progress": course_progress(enrollment, course),
        "can_change": can_change,
        "enrolled": course.enrollments.count() if can_change else None,
    }


def lesson_state(*, actor: Any, lesson: Lesson) -> dict[str, Any]:
    """The actor's enrolment in the lesson's course and whether they have done the lesson."""
    enrollment = enrollment_for(actor, lesson.course)
    done = bool(enrollment and enrollment.progress.filter(lesson=lesson).exists())
    return {"enrollment": enrollment, "done": done}


def course_assign_organizations(actor: Any, course: Course) -> QuerySet[Organization]:
    """The active organisations inside the course's owner organisation that the actor may assign
    the course to."""
    return Organization.objects.visible_to(actor, "learning.change_course").filter(
        path__startswith=course.organization.path, is_active=True
    )


@transaction.atomic
def course_create(
    *,
    actor: Any,
    organization: Organization,
    title: str,
    description: str = "",
    hours: Any = 1,
    published_wide: bool = False,
) -> Course:
    access.require(actor, "learning.change_course", organization)
    if not organization.is_active:
        raise ValidationError({"organization": [_("This organization is not active.")]})
    course = Course(
        organization=organization,
        title=title,
        description=sanitize_html(description),
        hours=hours,
        published_wide=published_wide,
        created_by=actor,
    )
    course.full_clean(exclude=["created_by"])
    course.save()
    audit_record(actor=actor, action="course.create", obj=course)
    return course


@transaction.atomic
def lesson_add(
    *,
    actor: Any,
    course: Course,
    title: str,
    kind: str,
    body: str = "",
    file: Any = None,
    quiz_paper: Paper | None = None,
) -> Lesson:
    access.require(actor, "learning.change_course", course.organization)
    if kind in FILE_KINDS:
        if file is None or not str(file.name).lower().endswith(FILE_KINDS[kind]):
            raise ValidationError(
                {"file": [_("Upload a %(types)s file.") % {"types": " / ".join(FILE_KINDS[kind])}]}
            )
        if (file.size or 0) > settings.MAX_UPLOAD_SIZE:
            raise ValidationError({"file": [_("The file is too large.")]})
    if kind == Lesson.Kind.QUIZ and quiz_paper is None:
        raise ValidationError({"quiz_paper": [_("A quiz lesson needs a practice paper.")]})
    if quiz_paper is not None and not quiz_paper.is_practice:
        raise ValidationError(
            {"quiz_paper": [_("The quiz paper must be usable for practice mock exams.")]}
        )
    # the course row is locked so that two lessons added at once get different positions
    Course.objects.select_for_update().filter(pk=course.pk).first()
    position = (course.lessons.aggregate(last=Max("position"))["last"] or 0) + 1
    lesson = Lesson(
        course=course,
        position=position,
        title=title,
        kind=kind,
        body=sanitize_html(body),
        quiz_paper=quiz_paper if kind == Lesson.Kind.QUIZ else None,
    )
    if file is not None and kind in FILE_KINDS:
        lesson.file.save(file.name, file, save=False)
    lesson.full_clean()
    lesson.save()
    audit_record(
        actor=actor,
        action="course.lesson_add",
        obj=course,
        details={"lesson": lesson.code, "kind": kind},
    )
    return lesson


@transaction.atomic
def course_enroll(*, actor: Any, course: Course) -> Enrollment:
    if not learner_courses(actor).filter(pk=course.pk).exists():
        raise Http404("course")
    enrollment, _created = Enrollment.objects.get_or_create(course=course, user=actor)
    return enrollment


@transaction.atomic
def course_assign(*, actor: Any, course: Course, organization: Organization) -> int:
    """Enrol every user with the worker role in ``organization``'s subtree. Returns how many were new."""
    access.require(actor, "learning.change_course", course.organization)
    access.require(actor, "learning.change_course", organization)
    if not course_assign_organizations(actor, course).filter(pk=organization.pk).exists():
        raise ValidationError(
            {
                "organization": [
                    _("Choose an active organization inside the course's owner organization.")
                ]
            }
        )
    users = set(
        Membership.objects.filter(
            organization__path__startswith=organization.path, role="worker"
        ).values_list("user_id", flat=True)
    )
    existing = set(
        Enrollment.objects.filter(course=course, user_id__in=users).values_list(
            "user_id", flat=True
        )
    )
    new = [
        Enrollment(course=course, user_id=u, assigned_by=actor) for u in sorted(users - existing)
    ]
    Enrollment.objects.bulk_create(new, batch_size=1000)
    audit_record(
        actor=actor,
        action="course.assign",
        obj=course,
        details={"organization": organization.code, "enrolled": len(new)},
    )
    return len(new)


def _quiz_passed(user: Any, lesson: Lesson) -> bool:
    return Attempt.objects.filter(
        user=user,
        session__paper=lesson.quiz_paper,
        session__is_mock=True,
        status=Attempt.Status.COMPLETE,
        passed=True,
    ).exists()


@transaction.atomic
def lesson_complete(*, actor: Any, lesson: Lesson) -> Enrollment:
    enrollment = (
        Enrollment.objects.select_for_update().filter(course=lesson.course, user=actor).first()
    )
    if enrollment is None:
        raise ApplicationError(_("Enrol in the course first."), code="not_enrolled", status=409)
    if lesson.kind == Lesson.Kind.QUIZ and not _quiz_passed(actor, lesson):
        raise ApplicationError(_("Pass the quiz first."), code="quiz_not_passed", status=409)
    LessonProgress.objects.get_or_create(enrollment=enrollment, lesson=lesson)
    done = LessonProgress.objects.filter(enrollment=enrollment).count()
    if enrollment.completed_at is None and done >= lesson.course.lessons.count():
        enrollment.completed_at = timezone.now()
        enrollment.save(update_fields=["completed_at"])
        audit_record(
            actor=actor,
            action="course.complete",
            obj=lesson.course,
            details={"enrollment": enrollment.code},
        )
        transaction.on_commit(lambda: course_credit_training(enrollment.pk))
    return enrollment


def course_credit_training(enrollment_id: int) -> str:
    """Credit a completed course's hours to the worker's training record (once). Returns the record
    code, or "" when the user has no worker record or the course's creator may not add to it."""
    enrollment = Enrollment.objects.select_related("course__created_by", "user").get(
        pk=enrollment_id
    )
    if enrollment.training_record or enrollment.completed_at is None:
        return enrollment.training_record
    try:
        from gongjiang.workforce.services import training_record_add
    except ImportError:
        return ""
    worker = getattr(enrollment.user, "worker", None)
    creator = enrollment.course.created_by
    if (
        worker is None
        or creator is None
        or not access.can(creator, "workforce.add_training_record", worker.organization)
    ):
        return ""
    record = training_record_add(
        actor=creator,
        worker=worker,
        title=enrollment.course.title,
        hours=enrollment.course.hours,
        date=timezone.localdate(enrollment.completed_at),
        result=_("completed"),
        provider=enrollment.course.organization.name,
        source=_("Online course"),
        source_ref=enrollment.course.code,
    )
    Enrollment.objects.filter(pk=enrollment.pk).update(training_record=record.code)
    return record.code


def course_progress(enrollment: Enrollment | None, course: Course) -> dict[str, Any]:
    lessons = list(course.lessons.all())
    done = set()
    if enrollment is not None:
        done = set(
            LessonProgress.objects.filter(enrollment=enrollment).values_list("lesson_id", flat=True)
        )
    return {
        "lessons": [(lesson, lesson.pk in done) for lesson in lessons],
        "done": len(done),
        "total": len(lessons),
        "percent": int(len(done) * 100 / len(lessons)) if lessons else 0,
    }


def lesson_file_response(request: HttpRequest, lesson: Lesson) -> HttpResponse:
    """A PDF or video lesson's file, with range requests (404 when the lesson has no file)."""
    if not lesson.file:
        raise Http404("file")
    suffix = "." + lesson.file.name.lower().rsplit(".", 1)[-1]
    return ranged_file_response(request, lesson.file, FILE_TYPES.get(suffix, "video/mp4"))


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def ranged_file_response(request: HttpRequest, field_file: Any, content_type: str) -> HttpResponse:
    """Serve a stored file with HTTP range requests (video seeking, PDF byte ranges)."""
    size = field_file.size
    header = request.headers.get("Range", "")
    match = _RANGE.match(header.strip()) if header else None
    if not match or (not match.group(1) and not match.group(2)):
        response = FileResponse(field_file.open("rb"), content_type=content_type)
        response["Accept-Ranges"] = "bytes"
        return response
    first, last = match.groups()
    if first:
        start, end = int(first), int(last) if last else size - 1
    else:
        start, end = max(0, size - int(last)), size - 1
    if start >= size or start > end:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    end = min(end, size - 1)
    with field_file.open("rb") as fh:
        fh.seek(start)
        data = fh.read(end - start + 1)
    response = HttpResponse(data, status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["Content-Length"] = str(len(data))
    return response

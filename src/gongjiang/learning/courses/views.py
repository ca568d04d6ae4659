"""Course pages: catalogue, course, lesson (text, PDF, video with range requests, quiz), enrolment,
assignment to an organisation's workers, and the manager's course and lesson forms."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core.errors import ApplicationError
from gongjiang.core.forms import BootstrapForm
from gongjiang.core.models import Organization
from gongjiang.core.views import form_errors_from

from .. import selectors
from ..forms import OrgChoiceForm
from ..models import Enrollment, Lesson, Paper
from . import services as courses


class CourseForm(OrgChoiceForm):
    title = forms.CharField(label=gettext_lazy("title"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    hours = forms.DecimalField(
        label=gettext_lazy("hours"), min_value=0.5, max_value=1000, decimal_places=1, initial=1
    )
    published_wide = forms.BooleanField(
        label=gettext_lazy("open to every organization"), required=False
    )


class LessonForm(BootstrapForm):
    title = forms.CharField(label=gettext_lazy("title"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=Lesson.Kind.choices)
    body = forms.CharField(
        label=gettext_lazy("text"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    file = forms.FileField(label=gettext_lazy("file (PDF or video)"), required=False)
    quiz_paper = forms.ModelChoiceField(
        label=gettext_lazy("quiz paper"),
        queryset=Paper.objects.none(),
        to_field_name="code",
        required=False,
    )


@login_required
def course_list(request: HttpRequest) -> HttpResponse:
    mine = Enrollment.objects.filter(user=request.user).select_related("course")
    return render(
        request,
        "learning/course_list.html",
        {
            "courses": courses.learner_courses(request.user).order_by("title")[:200],
            "enrollments": mine,
            "managed": courses.managed_courses(request.user).order_by("title")[:200]
            if access.can(request.user, "learning.view_course")
            else None,
            "can_change": access.can(request.user, "learning.change_course"),
        },
    )


@login_required
def course_create(request: HttpRequest) -> HttpResponse:
    orgs = Organization.objects.visible_to(request.user, "learning.change_course").filter(
        is_active=True
    )
    if not orgs.exists():
        raise PermissionDenied
    form = CourseForm(request.POST or None, organizations=orgs)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            course = courses.course_create(
                actor=request.user,
                organization=d["organization"],
                title=d["title"],
                description=d["description"],
                hours=d["hours"],
                published_wide=d["published_wide"],
            )
        except (ValidationError, ApplicationError) as exc:
            form_errors_from(exc, form)
        else:
            return redirect("learning:course_detail", code=course.code)
    return render(request, "learning/course_form.html", {"form": form})


@login_required
def course_detail(request: HttpRequest, code: str) -> HttpResponse:
    course = courses.course_get_for_learner(actor=request.user, code=code)
    state = courses.course_state(actor=request.user, course=course)
    return render(
        request,
        "learning/course_detail.html",
        {
            "course": course,
            **state,
            "assign_orgs": courses.course_assign_organizations(request.user, course)[:200]
            if state["can_change"]
            else None,
        },
    )


@login_required
@require_POST
def course_enrol(request: HttpRequest, code: str) -> HttpResponse:
    course = courses.course_get_for_learner(actor=request.user, code=code)
    courses.course_enroll(actor=request.user, course=course)
    return redirect("learning:course_detail", code=course.code)


@login_required
@require_POST
def course_assign(request: HttpRequest, code: str) -> HttpResponse:
    course = courses.course_get_for_manager(actor=request.user, code=code)
    org = selectors.org_for(
        request.user, request.POST.get("organization", ""), "learning.change_course"
    )
    try:
        n = courses.course_assign(actor=request.user, course=course, organization=org)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(n)d workers enrolled.") % {"n": n})
    return redirect("learning:course_detail", code=course.code)


@login_required
def lesson_create(request: HttpRequest, code: str) -> HttpResponse:
    course = courses.course_get_for_manager(actor=request.user, code=code)
    form = LessonForm(request.POST or None, request.FILES or None)
    form.fields["quiz_paper"].queryset = Paper.objects.visible_to(request.user).filter(
        is_practice=True
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            courses.lesson_add(
                actor=request.user,
                course=course,
                title=d["title"],
                kind=d["kind"],
                body=d["body"],
                file=d["file"],
                quiz_paper=d["quiz_paper"],
            )
        except (ValidationError, ApplicationError) as exc:
            form_errors_from(exc, form)
        else:
            return redirect("learning:course_detail", code=course.code)
    return render(request, "learning/lesson_form.html", {"form": form, "course": course})


@login_required
def lesson_detail(request: HttpRequest, code: str) -> HttpResponse:
    lesson = courses.lesson_get_for_learner(actor=request.user, code=code)
    return render(
        request,
        "learning/lesson_detail.html",
        {"lesson": lesson, **courses.lesson_state(actor=request.user, lesson=lesson)},
    )


@login_required
def lesson_file(request: HttpRequest, code: str) -> HttpResponse:
    lesson = courses.lesson_get_for_learner(actor=request.user, code=code)
    return courses.lesson_file_response(request, lesson)


@login_required
@require_POST
def lesson_complete(request: HttpRequest, code: str) -> HttpResponse:
    lesson = courses.lesson_get_for_learner(actor=request.user, code=code)
    try:
        enrollment = courses.lesson_complete(actor=request.user, lesson=lesson)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("learning:lesson_detail", code=lesson.code)
    if enrollment.completed_at:
        messages.success(request, _("Course completed."))
    return redirect("learning:course_detail", code=lesson.course.code)

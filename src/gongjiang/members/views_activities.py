"""Pages of activities (sign-up, waiting list, QR check-in, photos, feedback, attendance)."""

from __future__ import annotations

import io
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import Organization
from gongjiang.core.views import form_errors_from

from . import activities as svc
from . import photos
from .forms import ActivityForm
from .views_home import phone_context, require_use


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    require_use(request)
    items = list(svc.activities_for(actor=request.user)[:100])
    mine = dict(
        svc.ActivitySignup.objects.filter(user=request.user, activity__in=items).values_list(
            "activity_id", "status"
        )
    )
    rows = [(a, mine.get(a.pk)) for a in items]
    return render(
        request,
        "members/activity_list.html",
        phone_context(
            request,
            rows=rows,
            manages=access.can(request.user, svc.MANAGE),
            statuses=dict(svc.Status.choices),
        ),
    )


@login_required
def activity_detail(request: HttpRequest, code: str) -> HttpResponse:
    require_use(request)
    activity = svc.activity_get(actor=request.user, code=code)
    signup = svc.my_signup(actor=request.user, activity=activity)
    return render(
        request,
        "members/activity_detail.html",
        phone_context(
            request,
            activity=activity,
            signup=signup,
            position=svc.waiting_position(signup) if signup else None,
            manages=access.can(request.user, svc.MANAGE, activity.organization),
            photos=list(photos.photos_of(activity=activity)[: photos.MAX_PER_ACTIVITY]),
            max_mb=photos.max_bytes() // (1024 * 1024),
        ),
    )


@login_required
@require_POST
def activity_photo_add(request: HttpRequest, code: str) -> HttpResponse:
    require_use(request)
    activity = svc.activity_get(actor=request.user, code=code[:20])
    upload = request.FILES.get("image")
    try:
        if upload is None:
            raise ApplicationError(_("Choose a photo."), code="image")
        photos.photo_add(
            actor=request.user,
            activity=activity,
            file=upload,
            caption=request.POST.get("caption", "")[:201],
        )
        messages.success(request, _("Photo added."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("members:activity_detail", code=activity.code)


@login_required
def activity_photo(request: HttpRequest, code: str, photo: str) -> HttpResponse:
    """The photo's bytes, for those the activity is offered to (404 otherwise)."""
    require_use(request)
    activity = svc.activity_get(actor=request.user, code=code[:20])
    item = photos.photo_get(activity=activity, code=photo)
    response = FileResponse(item.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def activity_photo_remove(request: HttpRequest, code: str, photo: str) -> HttpResponse:
    require_use(request)
    activity = svc.activity_get(actor=request.user, code=code[:20])
    photos.photo_remove(actor=request.user, photo=photos.photo_get(activity=activity, code=photo))
    messages.success(request, _("Photo removed."))
    return redirect("members:activity_detail", code=activity.code)


@login_required
@require_POST
def activity_signup(request: HttpRequest, code: str) -> HttpResponse:
    require_use(request)
    activity = svc.activity_get(actor=request.user, code=code)
    try:
        if request.POST.get("cancel"):
            svc.activity_cancel(actor=request.user, activity=activity)
            messages.success(request, _("Your sign-up is cancelled."))
        else:
            signup = svc.activity_signup(actor=request.user, activity=activity)
            messages.success(
                request,
                _("You have a place.")
                if signup.status == svc.Status.CONFIRMED
                else _(
                    "The activity is full: you are on the waiting list and move up by yourself."
                ),
            )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("members:activity_detail", code=code)


@login_required
def activity_checkin(request: HttpRequest, code: str, token: str) -> HttpResponse:
    require_use(request)
    activity = svc.activity_get(actor=request.user, code=code)
    if token != activity.checkin_secret:
        raise Http404("activity")
    if request.method == "POST":
        try:
            svc.activity_checkin(actor=request.user, activity=activity, token=token)
            messages.success(request, _("You are checked in. Enjoy!"))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("members:activity_detail", code=code)
    return render(
        request, "members/activity_checkin.html", phone_context(request, activity=activity)
    )


@login_required
@require_POST
def activity_feedback(request: HttpRequest, code: str) -> HttpResponse:
    require_use(request)
    activity = svc.activity_get(actor=request.user, code=code)
    try:
        stars = int(request.POST.get("stars", "0"))
        svc.activity_feedback_add(
            actor=request.user,
            activity=activity,
            stars=stars,
            text=request.POST.get("text", ""),
        )
        messages.success(request, _("Thank you for your feedback."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))  # e.g. the comment past 500 characters
    except (ValueError, ApplicationError) as exc:
        messages.error(request, getattr(exc, "message", None) or _("Give one to five stars."))
    return redirect("members:activity_detail", code=code)


@login_required
def activity_qr(request: HttpRequest, code: str) -> HttpResponse:
    activity = svc.activity_managed_get(actor=request.user, code=code)
    url = request.build_absolute_uri(
        reverse("members:activity_checkin", args=[activity.code, activity.checkin_secret])
    )
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=8, title=activity.title)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


def _orgs(user: Any, perm: str) -> Any:
    return (
        Organization.objects.visible_to(user, perm)
        .filter(is_active=True)
        .exclude(kind="team")
        .order_by("path")[:500]
    )


@login_required
def activity_manage(request: HttpRequest) -> HttpResponse:
    """Publish an activity and read the attendance of one's activities (desktop)."""
    if not access.can(request.user, svc.MANAGE):
        raise PermissionDenied
    form = ActivityForm()
    if request.method == "POST":
        form = ActivityForm(request.POST)
        org = access.get_visible_or_404(
            Organization.objects.all(),
            request.user,
            svc.MANAGE,
            code=request.POST.get("organization", "")[:20],
        )
        if form.is_valid():
            try:
                activity = svc.activity_create(
                    actor=request.user, organization=org, **form.cleaned_data
                )
            except (ValidationError, ApplicationError) as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("Activity published."))
                return redirect("members:activity_detail", code=activity.code)
    return render(
        request,
        "members/activity_manage.html",
        {
            "form": form,
            "orgs": _orgs(request.user, svc.MANAGE),
            "report": svc.attendance_report(actor=request.user),
            "by_union": svc.attendance_by_union(actor=request.user),
        },
    )

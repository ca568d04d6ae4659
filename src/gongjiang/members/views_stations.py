"""Pages of the service stations: directory, nearest open stations, a station, QR check-in,
feedback; for the union that runs them: the management list, check-ins per day, import, QR poster."""

from __future__ import annotations

import datetime as dt
import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core.errors import ApplicationError
from gongjiang.core.forms import UploadForm
from gongjiang.core.models import Organization
from gongjiang.core.spreadsheets import UnreadableFile
from gongjiang.core.views import page

from . import stations as svc
from .forms import NearForm, StationFeedbackForm
from .views_home import phone_context, require_use

GEO_POLICY = "camera=(), microphone=(), geolocation=(self), payment=(), usb=(), fullscreen=(self)"


@login_required
def station_list(request: HttpRequest) -> HttpResponse:
    require_use(request)
    near = NearForm(request.GET) if "lat" in request.GET else None
    nearest = None
    if near is not None and near.is_valid():
        d = near.cleaned_data
        nearest = svc.stations_nearest(
            latitude=d["lat"],
            longitude=d["lon"],
            radius_km=d["radius"] or 30,
            open_only=not d["all"],
        )
    directory = (
        page(
            request,
            svc.stations_directory(
                region=request.GET.get("region", "")[:6], q=request.GET.get("q", "")[:50]
            ),
            20,
        )
        if nearest is None
        else None
    )
    response = render(
        request,
        "members/station_list.html",
        phone_context(request, near=near, nearest=nearest, directory=directory),
    )
    response["Permissions-Policy"] = GEO_POLICY
    return response


@login_required
def station_detail(request: HttpRequest, code: str) -> HttpResponse:
    require_use(request)
    station = svc.station_get(code=code)
    form = StationFeedbackForm()
    if request.method == "POST":
        form = StationFeedbackForm(request.POST)
        if form.is_valid():
            try:
                item = svc.station_feedback_add(
                    actor=request.user, station=station, **form.cleaned_data
                )
            except ValidationError as exc:
                for field, errs in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            else:
                messages.success(
                    request,
                    _("Thank you: the station's union has your rating.")
                    if item.kind == "rating"
                    else _("Reported to the union that runs the station."),
                )
                return redirect("members:station_detail", code=code)
    labels = {
        "mon": _("Mon"),
        "tue": _("Tue"),
        "wed": _("Wed"),
        "thu": _("Thu"),
        "fri": _("Fri"),
        "sat": _("Sat"),
        "sun": _("Sun"),
        "holiday": _("Holidays"),
    }
    hours = [(labels[k], (station.hours or {}).get(k)) for k in labels]
    return render(
        request,
        "members/station_detail.html",
        phone_context(
            request,
            station=station,
            hours=hours,
            form=form,
            manages=access.can(request.user, svc.MANAGE, station.organization),
        ),
    )


@login_required
def station_checkin(request: HttpRequest, code: str, token: str) -> HttpResponse:
    """The page the station's QR code opens; the worker confirms with one tap."""
    require_use(request)
    station = svc.station_get(code=code)
    if token != svc.checkin_token(station):
        raise_404()
    if request.method == "POST":
        _checkin, created = svc.station_checkin(actor=request.user, station=station, token=token)
        messages.success(
            request,
            _("Welcome to %(s)s: you are checked in.") % {"s": station.name}
            if created
            else _("You have already checked in here today."),
        )
        return redirect("members:station_detail", code=code)
    return render(request, "members/station_checkin.html", phone_context(request, station=station))


def raise_404() -> None:
    from django.http import Http404

    raise Http404("station")


# ------------------------------------------------------------------------------ management
@login_required
def station_manage(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, svc.MANAGE):
        raise PermissionDenied
    today = timezone.localdate()
    since = today - dt.timedelta(days=30)
    return render(
        request,
        "members/station_manage.html",
        {
            "stations": page(request, svc.stations_managed(actor=request.user), 50),
            "checkins": svc.checkins_per_day(actor=request.user, since=since, until=today)[:200],
            "feedback": list(svc.station_feedback_for(actor=request.user)[:50]),
            "since": since,
        },
    )


@login_required
def station_import(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, svc.MANAGE):
        raise PermissionDenied
    orgs = (
        Organization.objects.visible_to(request.user, svc.MANAGE)
        .filter(is_active=True)
        .exclude(kind="team")
        .order_by("path")[:500]
    )
    form = UploadForm()
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        org = access.get_visible_or_404(
            Organization.objects.all(),
            request.user,
            svc.MANAGE,
            code=request.POST.get("organization", "")[:20],
        )
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                n = svc.stations_import(
                    actor=request.user, organization=org, source=upload, filename=upload.name
                )
            except ApplicationError as exc:
                errors = exc.details
                form.add_error(None, exc.message)
            except UnreadableFile as exc:
                form.add_error("file", str(exc))
            else:
                messages.success(request, _("%(n)d stations imported.") % {"n": n})
                return redirect("members:station_manage")
    return render(
        request, "members/station_import.html", {"form": form, "orgs": orgs, "errors": errors}
    )


@login_required
def station_qr(request: HttpRequest, code: str) -> HttpResponse:
    """The QR poster of a station (SVG), for the union that runs it."""
    station = svc.station_managed_get(actor=request.user, code=code)
    url = request.build_absolute_uri(
        reverse("members:station_checkin", args=[station.code, svc.checkin_token(station)])
    )
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=8, title=station.name)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


@login_required
@require_POST
def feedback_resolve(request: HttpRequest, code: str) -> HttpResponse:
    item = access.get_visible_or_404(
        svc.StationFeedback.objects.all(), request.user, svc.MANAGE, code=code
    )
    svc.station_feedback_resolve(actor=request.user, item=item)
    return redirect("members:station_manage")

"""The worker's phone home: the installable web app (manifest, service worker, offline page), the
home screen built from every app's to-dos (core.todos), and the in-app notifications."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core.todos import todos_for

from . import activities, campaigns, helpdesk, library, news
from .notify import notifications_mark_read, notifications_of


def phone_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    unread = notifications_of(actor=request.user).filter(read_at__isnull=True).count()
    return {"unread_notifications": unread, **extra}


def require_use(request: HttpRequest) -> None:
    if not access.can(request.user, "members.use"):
        raise PermissionDenied


@login_required
def home(request: HttpRequest) -> HttpResponse:
    require_use(request)
    user = request.user
    todos = todos_for(user)
    return render(
        request,
        "members/home.html",
        phone_context(
            request,
            todos=[t for t in todos if t.count is not None],
            shortcuts=[t for t in todos if t.count is None],
            worker=getattr(user, "worker", None),
            activities=list(activities.activities_for(actor=user)[:3]),
            campaigns=list(
                campaigns.campaigns_for(actor=user).filter(
                    starts_at__lte=timezone.now(), ends_at__gt=timezone.now()
                )[:3]
            ),
            news=list(news.feed(actor=user)[:3]),
            reading=library.continue_reading(actor=user),
            open_help=helpdesk.my_requests(actor=user)
            .exclude(status=helpdesk.Status.RESOLVED)
            .count(),
            manages=access.can(user, "members.manage_station")
            or access.can(user, "members.manage_activity")
            or access.can(user, "members.handle_help"),
        ),
    )


def offline(request: HttpRequest) -> HttpResponse:
    """The page the service worker shows without a network (cached at install; no personal data)."""
    return render(request, "members/offline.html", {"unread_notifications": 0})


def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest (public: browsers fetch it without credentials)."""
    icon = static("gongjiang/icon-192.png")
    data = {
        "name": _("Union e-home"),
        "short_name": _("Union e-home"),
        "start_url": reverse("members:home"),
        "scope": reverse("members:home"),
        "display": "standalone",
        "background_color": "#f4f5f7",
        "theme_color": "#c8102e",
        "lang": "zh-CN",
        "icons": [
            {"src": icon, "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("gongjiang/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@lru_cache(maxsize=4)
def _shell(offline_url: str) -> tuple[list[str], str]:
    shell = [offline_url, static("members/phone.js"), static("gongjiang/icon-192.png")]
    version = hashlib.sha256(
        (json.dumps(shell) + str(getattr(settings, "MEMBERS_SHELL_VERSION", "1"))).encode()
    ).hexdigest()[:10]
    return shell, version


@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    offline_url = reverse("members:offline")
    shell, version = _shell(offline_url)
    response = render(
        request,
        "members/sw.js",
        {"shell": json.dumps(shell), "version": version, "offline_url": offline_url},
        content_type="application/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = reverse("members:home")
    return response


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    require_use(request)
    items = list(notifications_of(actor=request.user)[:100])
    response = render(request, "members/notifications.html", phone_context(request, items=items))
    return response


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    require_use(request)
    notifications_mark_read(actor=request.user)
    from django.shortcuts import redirect

    return redirect("members:notifications")

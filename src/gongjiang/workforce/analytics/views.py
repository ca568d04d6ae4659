"""The skill-structure dashboard pages at /workforce/analytics/ (workforce/urls.py adds
:mod:`gongjiang.workforce.analytics.urls`). The dashboard links to its exports and to other
organisations' dashboards relatively.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gongjiang.core.downloads import download_filename
from gongjiang.core.exports import xlsx_bytes, xlsx_response

from . import services as analytics

CHARTED = analytics.DIMENSIONS
EXPORTABLE = analytics.EXPORTABLE


@login_required
def analytics_home(request: HttpRequest) -> HttpResponse:
    """The dashboard of the user's (first) top organisation."""
    orgs = analytics.analytics_home_orgs(request.user)
    if not orgs:
        raise Http404("no organisation")
    return redirect("workforce:analytics_dashboard", code=orgs[0].code)


@login_required
def analytics_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    org = analytics.analytics_org_get(request.user, code)
    levels = {d: request.GET.get(f"{d}_level", "") for d in ("region", "industry", "occupation")}
    figures = [analytics.figure(org, name, levels.get(name, "")) for name in CHARTED]
    gains = analytics.level_gains(org)
    honours = analytics.honours(org)
    ladder = analytics.levels()
    charts: dict[str, Any] = {
        "ladder": ladder,
        "figures": {
            f.name: {"title": f.title, "rows": [r.as_dict() for r in f.rows]} for f in figures
        },
        "gains": gains["rows"],
    }
    return render(
        request,
        "workforce/dashboard.html",
        {
            "org": org,
            "summary": analytics.summary(org),
            "figures": figures,
            "gains": gains,
            "honours": honours,
            "ladder": ladder,
            "charts": charts,
            "levels": levels,
            "homes": analytics.analytics_home_orgs(request.user),
            "children": _children(org),
        },
    )


def _children(org: Any) -> list[Any]:
    from gongjiang.core.models import Organization

    return list(
        Organization.objects.filter(parent=org, is_active=True)
        .exclude(kind="team")
        .order_by("name")[:50]
    )


@login_required
def analytics_export(request: HttpRequest, code: str, figure: str) -> HttpResponse:
    org = analytics.analytics_org_get(request.user, code)
    if figure not in EXPORTABLE:
        raise Http404(_("No such figure."))
    title, header, rows = analytics.export_sheet(org, figure, request.GET.get("level", ""))
    return xlsx_response(
        xlsx_bytes([(title[:31], header, rows)]), download_filename(title, org.name, ext="xlsx")
    )

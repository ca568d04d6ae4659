"""Skill-linked pay pages: an enterprise's bands and allowances, the entitlement report, the
medians by skill level (groups of at least 10), Excel in (bounded reader) and out (export helper).
Thin: the same services as the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core.errors import ApplicationError
from gongjiang.core.exports import xlsx_bytes, xlsx_response
from gongjiang.core.forms import UploadForm
from gongjiang.core.views import page as paged

from . import pay
from .models_pay import CHANNELS, CHIEF, SkillAllowance
from .selectors import enterprise_get
from .words import level_name

CHANNEL_NAMES = dict(CHANNELS)


def _level(channel: str, level: str) -> str:
    return level if channel == "management" else level_name(level)


def _placed(e: pay.Entitlement) -> str:
    """The channel that placed the worker in their band, with its level (技能通道：技师)."""
    if not e.channel:
        return ""
    return f"{CHANNEL_NAMES[e.channel]}：{_level(e.channel, e.channel_level)}"


@login_required
def pay_page(request: HttpRequest, code: str) -> HttpResponse:
    enterprise = enterprise_get(request.user, code)
    may_analyse = access.can(request.user, pay.ANALYTICS, enterprise)
    report = paged(request, pay.entitlement_report(request.user, enterprise), 100, param="report")
    report.object_list = [(e, _placed(e)) for e in report.object_list]
    return render(
        request,
        "careers/pay.html",
        {
            "enterprise": enterprise,
            "bands": [
                {"channel": CHANNEL_NAMES[b.channel], "level": _level(b.channel, b.level), "b": b}
                for b in pay.bands(enterprise)
            ],
            "allowances": [
                (_("chief-technician allowance") if a.level == CHIEF else level_name(a.level), a)
                for a in SkillAllowance.objects.filter(organization=enterprise)
            ],
            "medians": [
                {**m, "level": level_name(m["skill_level"])}
                for m in (pay.pay_medians(request.user, enterprise) if may_analyse else [])
            ],
            "may_analyse": may_analyse,
            "min_group": pay.MIN_GROUP,
            "report": report,
            "may_manage": access.can(request.user, pay.MANAGE, enterprise),
            "form": UploadForm(),
        },
    )


@login_required
@require_POST
def bands_import(request: HttpRequest, code: str) -> HttpResponse:
    enterprise = enterprise_get(request.user, code)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for es in form.errors.values() for e in es))
        return redirect("careers:pay", code=enterprise.code)
    upload = form.cleaned_data["file"]
    try:
        n = pay.pay_bands_import(
            actor=request.user, organization=enterprise, source=upload.file, name=upload.name
        )
    except ApplicationError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        detail = "；".join(d["field"] + "：" + d["error"] for d in exc.details[:20])
        messages.error(request, f"{exc.message} {detail}")
    else:
        messages.success(request, _("%(n)s bands saved.") % {"n": n})
    return redirect("careers:pay", code=enterprise.code)


@login_required
@require_POST
def workers_import(request: HttpRequest, code: str) -> HttpResponse:
    """Payroll's bands (and, for HR, monthly pay) of many workers from a file: a background job
    whose page shows its progress and then every bad row."""
    from .pay_import import worker_pay_import_start

    enterprise = enterprise_get(request.user, code)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for es in form.errors.values() for e in es))
        return redirect("careers:pay", code=enterprise.code)
    job = worker_pay_import_start(
        actor=request.user,
        enterprise=enterprise,
        upload=form.cleaned_data["file"],
        dry_run=request.POST.get("dry_run") == "1",
    )
    return redirect("core:job_detail", code=job.code)


@login_required
def bands_export(request: HttpRequest, code: str) -> HttpResponse:
    enterprise = enterprise_get(request.user, code)
    header = [_("channel"), _("level"), _("band from"), _("band to")]
    rows = [
        [CHANNEL_NAMES[b.channel], _level(b.channel, b.level), b.band_min, b.band_max]
        for b in pay.bands(enterprise)
    ]
    return xlsx_response(
        xlsx_bytes([(_("Pay bands"), header, rows)]), f"薪酬档位-{enterprise.name}.xlsx"
    )


@login_required
def report_export(request: HttpRequest, code: str) -> HttpResponse:
    enterprise = enterprise_get(request.user, code)
    header = [
        _("name"),
        _("skill level"),
        _("professional title"),
        _("management grade"),
        _("placed by channel"),
        _("band from"),
        _("band to"),
        _("allowances"),
        _("recorded band"),
        _("gap"),
    ]
    rows = (
        [
            e.worker.name,
            level_name(e.skill_level),
            level_name(e.title_level) if e.title_level else "",
            e.management_grade,
            _placed(e),
            e.entitled.band_min if e.entitled else "",
            e.entitled.band_max if e.entitled else "",
            e.allowance,
            e.recorded_label,
            e.gap if e.gap is not None else "",
        ]
        for e in pay.entitlement_report(request.user, enterprise)
    )
    return xlsx_response(
        xlsx_bytes([(_("Pay entitlement"), header, rows)]), f"技能薪酬对照-{enterprise.name}.xlsx"
    )


@login_required
def medians_export(request: HttpRequest, code: str) -> HttpResponse:
    enterprise = enterprise_get(request.user, code)
    if not access.can(request.user, pay.ANALYTICS, enterprise):
        raise PermissionDenied(pay.ANALYTICS)
    rows = [
        [level_name(m["skill_level"]), m["workers"], m["median"]]
        for m in pay.pay_medians(request.user, enterprise)
    ]
    header = [_("skill level"), _("workers"), _("median monthly pay")]
    return xlsx_response(
        xlsx_bytes([(_("Pay by skill level"), header, rows)]),
        f"技能等级薪酬中位数-{enterprise.name}.xlsx",
    )

"""Organiser pages: competitions, set-up, entries & review, results, publication, analytics."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core.downloads import download_filename
from gongjiang.core.errors import ApplicationError
from gongjiang.core.exports import xlsx_bytes, xlsx_response
from gongjiang.core.forms import UploadForm
from gongjiang.core.models import Organization, SkillLevel
from gongjiang.core.views import form_errors_from, page
from gongjiang.workforce.models import Honour

from . import awards, marking, results, selectors, services
from .draw import stage_draw
from .forms import CompetitionForm, StageForm, TradeForm
from .models import Competition, Entry, Quota
from .scheme_xlsx import scheme_template, scheme_upload


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ApplicationError):
        return exc.message + "".join(f" {d['error']}" for d in exc.details[:3])
    return " ".join(getattr(exc, "messages", [str(exc)]))


@login_required
def competition_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.competition_list(actor=request.user)
    return render(
        request,
        "competitions/competition_list.html",
        {
            "page_obj": page(request, qs),
            "can_create": access.can(request.user, "competitions.change_competition"),
        },
    )


@login_required
def competition_create(request: HttpRequest) -> HttpResponse:
    orgs = (
        Organization.objects.visible_to(request.user, "competitions.change_competition")
        .exclude(kind__in=["team", "department"])
        .order_by("path")
    )
    if not access.can(request.user, "competitions.change_competition"):
        raise Http404("competition")
    form = CompetitionForm(request.POST or None, organizations=orgs)
    if request.method == "POST" and form.is_valid():
        try:
            competition = services.competition_create(actor=request.user, **form.cleaned_data)
        except (ValidationError, ApplicationError) as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Competition created. Add its trades and stages."))
            return redirect("competitions:detail", code=competition.code)
    return render(request, "competitions/competition_form.html", {"form": form})


@login_required
def competition_detail(request: HttpRequest, code: str) -> HttpResponse:
    competition = selectors.competition_get(actor=request.user, code=code)
    can_change = access.can(
        request.user, "competitions.change_competition", competition.organization
    )
    stages = list(competition.stages.all())
    trades = list(
        competition.trades.select_related("occupation", "skill_level").prefetch_related("criteria")
    )
    counts = {
        (r["stage_id"], r["trade_id"]): r["n"]
        for r in Entry.objects.visible_to(request.user)
        .filter(competition=competition, status__in=Entry.ACTIVE)
        .values("stage_id", "trade_id")
        .annotate(n=Count("id"))
    }
    grid = [
        {
            "trade": t,
            "cells": [counts.get((s.pk, t.pk), 0) for s in stages],
            "total": marking.scheme_total(t),
        }
        for t in trades
    ]
    return render(
        request,
        "competitions/competition_detail.html",
        {
            "competition": competition,
            "stages": stages,
            "published": any(s.published_at for s in stages),
            "trades": trades,
            "grid": grid,
            "can_change": can_change,
            "rules": competition.award_rules.select_related("promote_to", "promote_else_to"),
            "rule_rows": _rule_rows(competition) if can_change else [],
            "skill_levels": SkillLevel.objects.all(),
            "honour_levels": Honour.Level.choices,
            "trade_form": TradeForm(prefix="trade"),
            "stage_form": StageForm(prefix="stage"),
            "quotas": Quota.objects.filter(stage__competition=competition).select_related(
                "stage", "trade", "organization"
            )
            if can_change
            else [],
        },
    )


@login_required
def scheme_template_download(request: HttpRequest, code: str, trade: str) -> HttpResponse:
    """The marking-scheme template of one trade (its current scheme, or a worked example)."""
    competition = selectors.competition_get_for_change(actor=request.user, code=code)
    trade_obj = competition.trades.filter(code=trade).first()
    if trade_obj is None:
        raise Http404("trade")
    return xlsx_response(
        scheme_template(trade_obj),
        download_filename(_("Marking scheme"), trade_obj.name, ext="xlsx"),
    )


@login_required
@require_POST
def competition_setup(request: HttpRequest, code: str) -> HttpResponse:
    """One POST target for the set-up forms on the detail page (``action`` says which)."""
    competition = selectors.competition_get_for_change(actor=request.user, code=code)
    action = request.POST.get("action", "")
    try:
        if action == "trade":
            form = TradeForm(request.POST, prefix="trade")
            if not form.is_valid():
                raise ValidationError(form.errors.as_text())
            data = form.cleaned_data
            titles = [
                t
                for t in data.pop("excluded_titles", "").replace("，", ",").split(",")
                if t.strip()
            ]
            services.trade_create(
                actor=request.user, competition=competition, excluded_titles=titles, **data
            )
        elif action == "stage":
            form = StageForm(request.POST, prefix="stage")
            if not form.is_valid():
                raise ValidationError(form.errors.as_text())
            services.stage_create(actor=request.user, competition=competition, **form.cleaned_data)
        elif action == "quota":
            stage = competition.stages.get(code=request.POST["stage"])
            trade = competition.trades.get(code=request.POST["trade"])
            org = (
                Organization.objects.visible_to(request.user)
                .filter(code=request.POST.get("organization", ""))
                .first()
            )
            if org is None:
                raise ValidationError(_("Unknown organisation code."))
            services.quota_set(
                actor=request.user,
                stage=stage,
                trade=trade,
                organization=org,
                places=int(request.POST.get("places", "0")),
                waiting=int(request.POST.get("waiting", "2")),
            )
        elif action == "scheme_file":
            trade = competition.trades.get(code=request.POST["trade"])
            form = UploadForm(request.POST, request.FILES)
            if not form.is_valid():
                raise ValidationError(form.errors.as_text())
            upload = form.cleaned_data["file"]
            try:
                scheme_upload(actor=request.user, trade=trade, upload=upload, filename=upload.name)
            except ApplicationError as exc:
                messages.error(request, exc.message)
                for d in exc.details[:20]:
                    messages.error(request, d["error"])
                return redirect("competitions:detail", code=competition.code)
        elif action == "scheme":
            trade = competition.trades.get(code=request.POST["trade"])
            marking.scheme_load(
                actor=request.user, trade=trade, scheme=json.loads(request.POST.get("scheme", "[]"))
            )
        elif action == "rules":
            awards.award_rules_set(
                actor=request.user, competition=competition, rules=_rules_from_post(request.POST)
            )
        elif action == "default_rules":
            awards.award_rules_set(
                actor=request.user, competition=competition, rules=awards.default_rules(competition)
            )
        elif action == "judge":
            from django.contrib.auth import get_user_model

            stage = competition.stages.get(code=request.POST["stage"])
            trade = competition.trades.get(code=request.POST["trade"])
            criterion = trade.criteria.get(letter=request.POST.get("letter", "").upper())
            user = (
                get_user_model().objects.filter(username=request.POST.get("username", "")).first()
            )
            if user is None:
                raise ValidationError(_("No such user."))
            marking.judge_assign(
                actor=request.user,
                stage=stage,
                criterion=criterion,
                user=user,
                is_chief=bool(request.POST.get("is_chief")),
            )
        else:
            raise ValidationError(_("Unknown action."))
    except (ValidationError, ApplicationError, ValueError, KeyError, json.JSONDecodeError) as exc:
        messages.error(request, _error_text(exc))
    except ObjectDoesNotExist:
        messages.error(request, _("Unknown stage, trade or criterion."))
    else:
        messages.success(request, _("Saved."))
    return redirect("competitions:detail", code=competition.code)


# --------------------------------------------------------------------------- entries & review
@login_required
def entry_list(request: HttpRequest, code: str) -> HttpResponse:
    competition = selectors.competition_get(actor=request.user, code=code)
    stage, trade, status = (request.GET.get(k, "")[:20] for k in ("stage", "trade", "status"))
    qs = selectors.entry_list(
        actor=request.user, competition=competition, stage=stage, trade=trade, status=status
    )
    if request.GET.get("export") == "xlsx":
        header = [
            _("stage"),
            _("trade"),
            _("draw number"),
            _("name"),
            _("sending organisation"),
            _("employer"),
            _("status"),
            _("reason"),
            _("theory score"),
        ]
        rows = (
            [
                e.stage.name,
                e.trade.name,
                e.draw_number,
                e.worker.name,
                e.sending_org.name,
                e.worker.employer.name,
                e.get_status_display(),
                e.status_reason,
                float(e.theory_score) if e.theory_score is not None else None,
            ]
            for e in qs.iterator(2000)
        )
        return xlsx_response(
            xlsx_bytes([(_("Entries"), header, rows)]),
            download_filename(_("Entries"), competition.name, ext="xlsx"),
        )
    return render(
        request,
        "competitions/entry_list.html",
        {
            "competition": competition,
            "page_obj": page(request, qs),
            "stage": stage,
            "trade": trade,
            "status": status,
            "stages": competition.stages.all(),
            "trades": competition.trades.all(),
            "statuses": Entry.Status.choices,
            "can_change": access.can(
                request.user, "competitions.change_competition", competition.organization
            ),
        },
    )


@login_required
@require_POST
def entry_add(request: HttpRequest, code: str) -> HttpResponse:
    """Nominate a worker (a union below the organiser) or register oneself: by worker code or exact name."""
    competition = selectors.competition_get(actor=request.user, code=code)
    stage = competition.stages.filter(code=request.POST.get("stage", "")).first()
    trade = competition.trades.filter(code=request.POST.get("trade", "")).first()
    try:
        if stage is None or trade is None:
            raise ValidationError(_("Choose the stage and the trade."))
        entry = services.entry_register(
            actor=request.user, stage=stage, trade=trade, worker=_worker_named(request)
        )
    except (ValidationError, ApplicationError) as exc:
        messages.error(request, _error_text(exc))
    except PermissionDenied:
        messages.error(request, _("You may not enter this worker."))
    else:
        messages.success(request, _("%(name)s entered.") % {"name": entry.worker.name})
    return redirect("competitions:entries", code=competition.code)


RULE_FIELDS = (
    "rank_from",
    "rank_to",
    "honour_title",
    "honour_level",
    "promote_to",
    "promote_else_to",
    "nominate_title",
)


def _rule_rows(competition: Competition) -> list[dict[str, Any]]:
    """The rule table as editable rows, plus three blank rows for new rules."""
    rows = [
        {
            "rank_from": r.rank_from,
            "rank_to": r.rank_to,
            "honour_title": r.honour_title,
            "honour_level": r.honour_level,
            "promote_to": r.promote_to_id or "",
            "promote_else_to": r.promote_else_to_id or "",
            "nominate_title": r.nominate_title,
        }
        for r in competition.award_rules.all()
    ]
    return rows + [dict.fromkeys(RULE_FIELDS, "") for _ in range(3)]


def _rules_from_post(data: Any) -> list[dict[str, Any]]:
    """Rows ``rule-<i>-<field>`` of the rule editor; fully blank rows are dropped."""
    rules = []
    for i in range(50):
        row = {f: str(data.get(f"rule-{i}-{f}", "")).strip()[:60] for f in RULE_FIELDS}
        if not any(row.values()):
            continue
        for f in ("rank_from", "rank_to"):
            try:
                row[f] = int(row[f])
            except ValueError as exc:
                raise ValidationError(
                    _("Row %(n)d: the ranks must be whole numbers.") % {"n": i + 1}
                ) from exc
        rules.append(row)
    return rules


def _worker_named(request: HttpRequest) -> Any:
    """The one worker in the user's scope whose code or exact name was typed in ``worker``."""
    from gongjiang.workforce.models import Worker

    who = request.POST.get("worker", "").strip()[:50]
    workers = list(
        Worker.objects.visible_to(request.user)
        .filter(Q(code=who) | Q(name=who))
        .select_related("organization", "skill_level")[:2]
    )
    if not workers:
        raise ValidationError(_("No worker with this name or code in your organisations."))
    if len(workers) > 1:
        raise ValidationError(_("Several workers have this name: use the worker code."))
    return workers[0]


@login_required
@require_POST
def entry_act(request: HttpRequest, code: str) -> HttpResponse:
    entry = selectors.entry_get(actor=request.user, code=code)
    action, reason = request.POST.get("action", ""), request.POST.get("reason", "")
    try:
        if action == "confirm":
            services.entry_confirm(actor=request.user, entry=entry, reason=reason)
        elif action == "withdraw":
            services.entry_withdraw(actor=request.user, entry=entry, reason=reason)
        elif action == "substitute":
            services.entry_substitute(
                actor=request.user, entry=entry, worker=_worker_named(request), reason=reason
            )
        elif action == "theory":
            services.entry_theory_set(
                actor=request.user, entry=entry, score=request.POST.get("score") or None
            )
            minutes = request.POST.get("time_taken", "").strip()
            if minutes or entry.time_taken is not None:
                services.entry_time_taken_set(
                    actor=request.user, entry=entry, minutes=int(minutes) if minutes else None
                )
        elif action in ("advance", "hold_back"):
            results.advancement_override(
                actor=request.user, entry=entry, advance=action == "advance", reason=reason
            )
        else:
            raise ValidationError(_("Unknown action."))
    except (ValidationError, ApplicationError, ArithmeticError, ValueError) as exc:
        messages.error(request, _error_text(exc))
    except PermissionDenied:
        messages.error(request, _("You may not enter this worker."))
    else:
        messages.success(request, _("Saved."))
    return redirect(request.POST.get("next") or f"/competitions/{entry.competition.code}/entries/")


# --------------------------------------------------------------------------- results
@login_required
def stage_results(request: HttpRequest, code: str, stage: str) -> HttpResponse:
    competition = selectors.competition_get_for_change(actor=request.user, code=code)
    stage_obj = competition.stages.filter(code=stage).first()
    if stage_obj is None:
        raise Http404("stage")
    by_trade = selectors.stage_results(stage=stage_obj)
    if request.GET.get("export") == "xlsx":
        header = [
            _("trade"),
            _("rank"),
            _("draw number"),
            _("name"),
            _("sending organisation"),
            _("theory"),
            _("practical"),
            _("total"),
            _("standardised"),
            _("prize"),
        ]
        rows = [
            [
                t.name,
                r.rank,
                r.entry.draw_number,
                r.entry.worker.name,
                r.entry.sending_org.name,
                r.theory,
                r.practical,
                r.total,
                r.scaled,
                r.prize,
            ]
            for t, rs in by_trade.items()
            for r in rs
        ]
        rows = [[float(v) if hasattr(v, "as_tuple") else v for v in row] for row in rows]
        return xlsx_response(
            xlsx_bytes([(_("Results"), header, rows)]),
            download_filename(_("Results"), competition.name, stage_obj.name, ext="xlsx"),
        )
    flags = []
    for trade in competition.trades.all():
        for criterion in trade.criteria.all():
            flags.extend(marking.spread_flags(stage=stage_obj, criterion=criterion))
    return render(
        request,
        "competitions/stage_results.html",
        {
            "competition": competition,
            "stage": stage_obj,
            "by_trade": by_trade,
            "flags": flags,
            "scaler_label": selectors.scaler_label(competition),
            "is_final": stage_obj.is_final,
            "undrawn": Entry.objects.filter(
                stage=stage_obj, status=Entry.Status.CONFIRMED, draw_number__isnull=True
            ).count(),
        },
    )


@login_required
@require_POST
def stage_act(request: HttpRequest, code: str, stage: str) -> HttpResponse:
    competition = selectors.competition_get_for_change(actor=request.user, code=code)
    stage_obj = competition.stages.filter(code=stage).first()
    if stage_obj is None:
        raise Http404("stage")
    action = request.POST.get("action", "")
    try:
        if action == "draw":
            n = stage_draw(actor=request.user, stage=stage_obj)
            messages.info(request, _("%(n)d entrants drew their numbers.") % {"n": n})
        elif action == "compute":
            for trade in competition.trades.all():
                results.results_compute(actor=request.user, stage=stage_obj, trade=trade)
        elif action == "approve":
            results.stage_results_approve(actor=request.user, stage=stage_obj)
        elif action == "publish":
            results.stage_results_publish(actor=request.user, stage=stage_obj)
        elif action == "withdraw":
            results.stage_results_withdraw(
                actor=request.user, stage=stage_obj, reason=request.POST.get("reason", "")
            )
        elif action == "advance":
            out = results.advancement_run(actor=request.user, stage=stage_obj)
            messages.info(
                request,
                _("%(a)d advanced, %(w)d on waiting lists.")
                % {"a": out["advanced"], "w": out["waiting"]},
            )
        else:
            raise ValidationError(_("Unknown action."))
    except (ValidationError, ApplicationError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Done."))
    return redirect("competitions:stage_results", code=competition.code, stage=stage_obj.code)


# --------------------------------------------------------------------------- analytics
@login_required
def analytics(request: HttpRequest, code: str) -> HttpResponse:
    competition = selectors.competition_get(actor=request.user, code=code)
    data = selectors.analytics(actor=request.user, competition=competition)
    if request.GET.get("export") == "xlsx":
        sheets: list[Any] = [
            (
                _("By stage"),
                [_("stage"), _("entries")],
                [[r["stage__name"], r["n"]] for r in data["by_stage"]],
            ),
            (
                _("By trade"),
                [_("trade"), _("entries")],
                [[r["trade__name"], r["n"]] for r in data["by_trade"]],
            ),
            (
                _("By organisation"),
                [_("organisation"), _("entries")],
                [[r["sending_org__name"], r["n"]] for r in data["by_org"]],
            ),
            (
                _("Pass-through"),
                [_("from"), _("to"), _("rate %")],
                [[p["from"], p["to"], p["rate"]] for p in data["passes"]],
            ),
            (
                _("Judges"),
                [_("judge"), _("scores"), _("mean deviation"), _("flagged")],
                [[j["judge"], j["n"], j["mean_deviation"], j["flagged"]] for j in data["judges"]],
            ),
        ]
        return xlsx_response(
            xlsx_bytes(sheets),
            download_filename(_("Competition analytics"), competition.name, ext="xlsx"),
        )
    charts = {
        "stage": {
            "labels": [r["stage__name"] for r in data["by_stage"]],
            "values": [r["n"] for r in data["by_stage"]],
        },
        "trade": {
            "labels": [r["trade__name"] for r in data["by_trade"]],
            "values": [r["n"] for r in data["by_trade"]],
        },
        "org": {
            "labels": [r["sending_org__name"] for r in data["by_org"]],
            "values": [r["n"] for r in data["by_org"]],
        },
        "bins": data["bins"],
        "distributions": data["distributions"],
        "judges": {
            "labels": [j["judge"] for j in data["judges"]],
            "values": [j["mean_deviation"] for j in data["judges"]],
        },
    }
    return render(
        request,
        "competitions/analytics.html",
        {"competition": competition, "data": data, "charts": charts},
    )

"""Editing the career table on a page: HR drafts a new version (the equivalences across channels
and the parameters of the bridge rules — years, occupation codes), another person approves it or
sets it aside; every earlier version stays. Thin: services.career_table_create /
career_table_approve / career_table_discard, as the API."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core.duties import same_person
from gongjiang.core.errors import ApplicationError, validation_details

from . import selectors, services
from .form_values import bounded_text
from .models import CareerTable
from .policy import KIND_CHOICES, SKILL_RANK, TITLE_LEVELS, TITLE_RANK
from .registry import table_in_force
from .words import HONOUR_WORDS, PATH_WORDS, level_name, path_name, target_choices, target_name

MANAGE = "careers.manage"
EQ_FIELDS = {
    "skill_level": gettext_lazy("skill level"),
    "title_level": gettext_lazy("title level"),
    "management_grade": gettext_lazy("management grade"),
    "source": gettext_lazy("source"),
}
RULE_FIELDS = {
    "years": gettext_lazy("years required"),
    "prefixes": gettext_lazy("occupation codes"),
    "level": gettext_lazy("level"),
    "target": gettext_lazy("target"),
    "kind": gettext_lazy("condition"),
    "source": gettext_lazy("source"),
}
# each posted text's bound: the model's field length (a longer one is refused, never cut)
EQ_BOUNDS = {"skill_level": 30, "title_level": 16, "management_grade": 30, "source": 200}
RULE_BOUNDS = {
    "target": 30,
    "path": 20,
    "kind": 24,
    "level": 30,
    "years": 6,
    "prefixes": 200,
    "source": 200,
}
NOTE_BOUND = 200
TOP_FIELDS = {
    "effective_from": gettext_lazy("in force from"),
    "note": gettext_lazy("note"),
}


def _label(field: str, eqs: list[dict[str, Any]], rules: list[dict[str, Any]]) -> str:
    """``equivalences[2].management_grade`` → 对照表第3行（技师）· 管理职级."""
    m = re.fullmatch(r"(equivalences|rules)\[(\d+)\]\.(\w+)", field)
    if not m:
        return str(TOP_FIELDS.get(field, field))
    i = int(m.group(2))
    if m.group(1) == "equivalences":
        what = level_name(eqs[i]["skill_level"]) if i < len(eqs) else ""
        return _("Equivalence row %(n)s (%(what)s) · %(field)s") % {
            "n": i + 1,
            "what": what,
            "field": EQ_FIELDS.get(m.group(3), m.group(3)),
        }
    what = target_name(rules[i]["target"]) if i < len(rules) else ""
    return _("Bridge rule %(n)s (%(what)s) · %(field)s") % {
        "n": i + 1,
        "what": what,
        "field": RULE_FIELDS.get(m.group(3), m.group(3)),
    }


def _errors(
    exc: Exception, eqs: list[dict[str, Any]], rules: list[dict[str, Any]]
) -> list[dict[str, str]]:
    if isinstance(exc, ApplicationError):
        details = list(exc.details or [{"field": "", "error": exc.message}])
    else:
        details = validation_details(exc)
    return [
        dict(d, label=_label(d.get("field", ""), eqs, rules) if d.get("field") else "")
        for d in details
    ]


def _kinds() -> dict[str, str]:
    return {k: str(v) for k, v in KIND_CHOICES}


def _rows_for_form(
    eqs: list[dict[str, Any]], rules: list[dict[str, Any]], bad: set[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    kinds = _kinds()
    eq_rows = [
        dict(
            e,
            i=i,
            skill_name=level_name(e["skill_level"]),
            bad={f for f in EQ_FIELDS if f"equivalences[{i}].{f}" in bad},
        )
        for i, e in enumerate(eqs)
    ]
    rule_rows = [
        dict(
            r,
            i=i,
            target_name=target_name(r["target"]),
            path_name=path_name(r["path"]),
            kind_name=kinds.get(r["kind"], r["kind"]),
            level_name=_level_words(r["kind"], r["level"]),
            has_years=r["kind"] in ("years_at_skill_level", "years_at_title"),
            has_prefixes=r["kind"] == "occupation",
            bad={f for f in RULE_FIELDS if f"rules[{i}].{f}" in bad},
        )
        for i, r in enumerate(rules)
    ]
    return eq_rows, rule_rows


def _posted(post: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, str]]]:
    """The rows as typed; a ``years`` that is no whole number is named here (the service takes
    numbers)."""
    errors: list[dict[str, str]] = []
    eqs = []
    for i in range(min(int(post.get("eq_rows", "0")[:2] or 0), 20)):
        eqs.append(
            {
                key: _bounded(post, f"eq-{i}-{key}", f"equivalences[{i}].{key}", bound, errors)
                for key, bound in EQ_BOUNDS.items()
            }
        )
    rules = []
    for i in range(min(int(post.get("rule_rows", "0")[:3] or 0), 500)):
        if post.get(f"rule-{i}-remove"):
            continue  # taken out of the draft
        rules.append(_rule_posted(post, f"rule-{i}-", len(rules), errors))
    new = _new_posted(post)
    if new:
        rules.append(_rule_posted(post, "new-", len(rules), errors))
    return eqs, rules, errors


def _years_posted(text: str, field: str, errors: list[dict[str, str]]) -> Any:
    if not text:
        return None
    if text.isdigit():
        return int(text)
    errors.append({"field": field, "error": _("Give a whole number.")})
    return text


def _rule_posted(post: Any, prefix: str, i: int, errors: list[dict[str, str]]) -> dict[str, Any]:
    """One rule row as typed (a row of the table or the new one), bounded as the API's schema."""
    row: dict[str, Any] = {
        key: _bounded(post, f"{prefix}{key}", f"rules[{i}].{key}", bound, errors)
        for key, bound in RULE_BOUNDS.items()
    }
    if not any(e["field"] == f"rules[{i}].years" for e in errors):
        row["years"] = _years_posted(row["years"], f"rules[{i}].years", errors)
    return row


def _new_posted(post: Any) -> dict[str, str]:
    """The new rule's fields as typed, whole ({} when nothing was chosen: no rule is added);
    ``_rule_posted`` refuses any past its bound."""
    new = {k: str(post.get(f"new-{k}", "")) for k in NEW_FIELDS}
    return new if new["target"] or new["kind"] else {}


def _bounded(post: Any, key: str, field: str, bound: int, errors: list[dict[str, str]]) -> str:
    """A posted text whole (stripped): past its bound ``form_values.bounded_text`` refuses it with
    the field named, the error joins the form's and the text stays as typed, never cut."""
    try:
        return bounded_text(post.get(key, ""), field, bound)
    except ApplicationError as exc:
        errors.extend(exc.details or [{"field": field, "error": exc.message}])
        return str(post.get(key, "")).strip()


NEW_FIELDS = ("target", "path", "kind", "level", "years", "prefixes", "source")


def _level_words(kind: str, level: str) -> str:
    if not level:
        return ""
    if kind == "honour":
        return str(HONOUR_WORDS.get(level, level))
    return level_name(level)


def _about_new(errors: list[dict[str, str]], i: int) -> bool:
    return any(e.get("field", "").startswith(f"rules[{i}].") for e in errors)


def _count(text: str) -> bool:
    return text.isdigit()


@login_required
def table_draft(request: HttpRequest, code: str) -> HttpResponse:
    """The form of a new version, filled with the table in force on the chosen day."""
    enterprise = selectors.enterprise_get(request.user, code)
    if not access.can(request.user, MANAGE, enterprise):
        raise PermissionDenied(MANAGE)
    today = timezone.localdate()
    errors: list[dict[str, str]] = []
    form = {"effective_from": "", "note": ""}
    new: dict[str, str] = {}
    if request.method == "POST":
        post = request.POST
        if not (_count(post.get("eq_rows", "")[:2]) and _count(post.get("rule_rows", "")[:3])):
            raise Http404("form")
        eqs, rules, errors = _posted(post)
        new = _new_posted(post)
        form = {
            "effective_from": str(post.get("effective_from", "")).strip(),
            "note": _bounded(post, "note", "note", NOTE_BOUND, errors),
        }
        adding = post.get("act") == "add"
        if not adding:
            try:
                day = dt.date.fromisoformat(form["effective_from"])
            except ValueError:
                errors.append({"field": "effective_from", "error": _("Give a date as YYYY-MM-DD.")})
        if not errors:
            try:
                if adding:
                    # the new rule joins the form, nothing is saved yet: the same check as the
                    # API's (services.bridge_rules_check), so the page refuses what the API refuses
                    services.bridge_rules_check(
                        rules, [str(e.get("management_grade") or "").strip() for e in eqs]
                    )
                else:
                    table = services.career_table_create(
                        actor=request.user,
                        organization=enterprise,
                        effective_from=day,
                        note=form["note"],
                        rules=rules,
                        equivalences=eqs,
                    )
            except (ApplicationError, ValidationError) as exc:
                errors = _errors(exc, eqs, rules)
            else:
                if not adding:
                    messages.success(request, _("Draft saved; another person approves it."))
                    return redirect("careers:table_version", code=table.code)
                new = {}
        else:
            errors = [dict(e, label=_label(e["field"], eqs, rules)) for e in errors]
        if new and errors and _about_new(errors, len(rules) - 1):
            rules = rules[:-1]  # the new rule stays in its own fields, to be put right
        else:
            new = {}
    else:
        current = table_in_force(enterprise, today)
        eqs = [e.__dict__ for e in current.equivalences]
        rules = [r.__dict__ for r in current.rules]
        form["effective_from"] = (today + dt.timedelta(days=1)).isoformat()
    eq_rows, rule_rows = _rows_for_form(eqs, rules, {e.get("field", "") for e in errors})
    return render(
        request,
        "careers/table_draft.html",
        {
            "enterprise": enterprise,
            "eq_rows": eq_rows,
            "rule_rows": rule_rows,
            "titles": TITLE_LEVELS,
            "new": new,
            "new_bad": {
                e.get("field", "").rpartition(".")[2]
                for e in errors
                if new and _about_new([e], len(rules))
            },
            "targets": target_choices(),
            "kinds": KIND_CHOICES,
            "skill_levels": [(c, level_name(c)) for c in SKILL_RANK],
            "title_levels": [(c, level_name(c)) for c in TITLE_RANK],
            "honour_levels": [(c, str(w)) for c, w in HONOUR_WORDS.items()],
            "grade_levels": list(
                dict.fromkeys(
                    g for g in (str(e.get("management_grade") or "").strip() for e in eqs) if g
                )
            ),
            "paths": [(c, str(w)) for c, w in PATH_WORDS.items()],
            "form": form,
            "errors": errors,
            "bad": {e.get("field", "") for e in errors},
            "today": today,
        },
        status=422 if errors else 200,
    )


def _version(request: HttpRequest, code: str) -> CareerTable:
    return access.get_visible_or_404(
        CareerTable.objects.select_related("organization", "created_by", "decided_by"),
        request.user,
        "careers.view",
        code=code,
    )


@login_required
def table_version(request: HttpRequest, code: str) -> HttpResponse:
    """One version: its rows beside the version in force on its day, and — for a draft — the
    approval (never by its drafter) or setting it aside."""
    table = _version(request, code)
    user = request.user
    before = table_in_force(table.organization, table.effective_from)
    if before.version is not None and before.version.pk == table.pk:
        before = table_in_force(table.organization, table.effective_from - dt.timedelta(days=1))
    old_eq = {e.skill_level: e for e in before.equivalences}
    eqs = []
    for e in table.equivalences.order_by("id"):
        was = old_eq.get(e.skill_level)
        eqs.append(
            {
                "skill": level_name(e.skill_level),
                "title": level_name(e.title_level),
                "grade": e.management_grade,
                "source": e.source,
                "changed": was is None
                or (was.title_level, was.management_grade) != (e.title_level, e.management_grade),
                "was": f"{level_name(was.title_level)} · {was.management_grade}" if was else "—",
            }
        )
    old_rules = {(r.target, r.path, r.kind, r.level): r for r in before.rules}
    kinds = _kinds()
    rules = []
    kept = set()
    for r in table.rules.order_by("id"):
        kept.add((r.target, r.path, r.kind, r.level))
        was = old_rules.get((r.target, r.path, r.kind, r.level))
        rules.append(
            {
                "target": target_name(r.target),
                "path": path_name(r.path),
                "kind": kinds.get(r.kind, r.kind),
                "level": _level_words(r.kind, r.level),
                "added": was is None,
                "years": r.years,
                "prefixes": r.prefixes,
                "changed": was is None or (was.years, was.prefixes) != (r.years, r.prefixes),
                "was": "—"
                if was is None
                else (was.years if was.years is not None else was.prefixes),
            }
        )
    # the conditions of the version before that this one no longer has (taken out on the page)
    removed = [
        {
            "target": target_name(r.target),
            "path": path_name(r.path),
            "kind": kinds.get(r.kind, r.kind),
            "level": _level_words(r.kind, r.level),
            "years": r.years,
            "prefixes": r.prefixes,
        }
        for key, r in old_rules.items()
        if key not in kept
    ]
    manages = access.can(user, MANAGE, table.organization)
    draft = table.status == CareerTable.Status.DRAFT
    return render(
        request,
        "careers/table_version.html",
        {
            "table": table,
            "enterprise": table.organization,
            "eqs": eqs,
            "rules": rules,
            "removed": removed,
            "changes": sum(1 for x in eqs + rules if x["changed"]) + len(removed),
            "before": before.version,
            "may_approve": draft and manages and not same_person(user, table.created_by_id),
            "may_discard": draft and manages,
            "drafter": draft and same_person(user, table.created_by_id),
        },
    )


@login_required
@require_POST
def table_decide(request: HttpRequest, code: str) -> HttpResponse:
    table = _version(request, code)
    act = request.POST.get("act", "")
    note = request.POST.get("note", "")  # whole: the services refuse one past 200, named
    try:
        if act == "approve":
            services.career_table_approve(actor=request.user, table=table, note=note)
            messages.success(request, _("Approved: the version applies from its day."))
        elif act == "discard":
            services.career_table_discard(actor=request.user, table=table, note=note)
            messages.success(request, _("The draft is set aside."))
        else:
            raise Http404("act")
    except ApplicationError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        named = [
            f"{TOP_FIELDS.get(d['field'], d['field'])}：{d.get('error', '')}"
            for d in exc.details or []
            if d.get("field")
        ]
        messages.error(request, "；".join(named) or exc.message)
    return redirect("careers:table_version", code=table.code)

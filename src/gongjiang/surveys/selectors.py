"""Reads of surveys. Every figure leaves through ``breakdown`` (pages, API) or ``export_table``
(downloads), both applying ``anonymity.suppressed`` with the survey's threshold."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.models import Organization, Region, SkillLevel

from .anonymity import suppressed
from .models import DIMENSIONS, Invitation, Population, Response, Rollup, Survey
from .questions import SCALE
from .rollups import level_dim
from .sampling import AGE_BAND_LABELS

VIEW = "surveys.view_survey"
READ_TEXT = "surveys.read_text"
BREAKDOWNS = ("all", *DIMENSIONS, "org")


# ---------------------------------------------------------------------------- surveys
def survey_list(*, actor: Any) -> QuerySet[Survey]:
    return Survey.objects.visible_to(actor, VIEW).select_related("organization")


def survey_get(*, actor: Any, code: str, perm: str = VIEW) -> Survey:
    return access.get_visible_or_404(
        Survey.objects.select_related("organization", "audience", "previous"),
        actor,
        perm,
        code=code,
    )


def surveys_to_answer(*, actor: Any) -> QuerySet[Invitation]:
    """The open surveys the actor (a worker with an account) was invited to and has not answered."""
    if not getattr(actor, "is_authenticated", False):
        return Invitation.objects.none()
    return Invitation.objects.filter(
        worker__user=actor, completed_on=None, survey__status=Survey.Status.OPEN
    ).select_related("survey", "survey__organization")


def invitation_for(*, actor: Any, code: str) -> Invitation:
    """The actor's own invitation to a survey (404 for anyone not invited)."""
    inv = (
        Invitation.objects.filter(worker__user=actor, survey__code=code)
        .select_related("survey")
        .first()
        if getattr(actor, "is_authenticated", False)
        else None
    )
    if inv is None:
        raise Http404("survey")
    return inv


def progress(survey: Survey) -> dict[str, int]:
    answered = Invitation.objects.filter(survey=survey).exclude(completed_on=None).count()
    return {"invited": survey.invited, "answered": answered}


# ---------------------------------------------------------------------------- labels
def value_labels(dim: str, values: list[str]) -> dict[str, str]:
    if dim == "region":
        return dict(Region.objects.filter(code__in=values).values_list("code", "name"))
    if dim == "skill_level":
        return dict(SkillLevel.objects.filter(code__in=values).values_list("code", "name_zh"))
    if dim == "age_band":
        return {v: str(AGE_BAND_LABELS.get(v, v)) for v in values}
    if dim == "org":
        return dict(Organization.objects.filter(path__in=values).values_list("path", "name"))
    return {v: v for v in values}


def option_labels(q: dict[str, Any]) -> list[tuple[str, str]]:
    if q["type"] in ("single", "multiple"):
        return [(o["key"], o["text"]) for o in q["options"]]
    if q["type"] == "scale":
        return [(s, s) for s in SCALE]
    if q["type"] == "matrix":
        return [(f"{r['key']}:{s}", f"{r['text']} · {s}") for r in q["rows"] for s in SCALE]
    if q["type"] == "ranking":
        n = len(q["options"])
        return [
            (f"{o['key']}:{rank}", f"{o['text']} · {rank}")
            for o in q["options"]
            for rank in range(1, n + 1)
        ]
    return [("answered", _("answered"))]


# ---------------------------------------------------------------------------- the gate
def _counts(
    survey: Survey, dim: str, within: Organization | None
) -> dict[str, dict[tuple[str, str], int]]:
    """{group value: {(question, option): n}} from the rollups, one indexed read each:
    organisations through the rollups of their tree level (``lv<k>``, see ``rollups``), so the
    children of an organisation, or a subtree's total, never sum the organisations below."""
    qs = Rollup.objects.filter(survey=survey)
    out: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    if dim == "org":
        base = within.path if within else survey.organization.path
        rows = (
            qs.filter(dim=f"lv{len(base) // Organization.SEGMENT + 1}", value__startswith=base)
            .values_list("value", "question", "option")
            .annotate(t=Sum("n"))
        )
    elif within is not None:
        rows = (
            qs.filter(dim=level_dim(within.path), value=within.path)
            .values_list("value", "question", "option")
            .annotate(t=Sum("n"))
        )
        for _v, q, o, t in rows:
            out[""][(q, o)] = t
        return out
    else:
        rows = qs.filter(dim=dim).values_list("value", "question", "option").annotate(t=Sum("n"))
    for value, q, o, t in rows:
        out[value][(q, o)] = t
    return out


def _gate(
    survey: Survey, dim: str, within: Organization | None
) -> tuple[dict[str, dict[tuple[str, str], int]], dict[str, int], set[str], int]:
    """The counts of ``dim``'s groups, their sizes, the groups withheld and the total: the one
    place the threshold is applied (``anonymity.suppressed``; everything withheld while the total
    is under the threshold)."""
    counts = _counts(survey, dim, within)
    sizes = {g: c.get(("_n", ""), 0) for g, c in counts.items()}
    total = sum(sizes.values())
    hidden = suppressed(sizes, survey.threshold)
    if total < survey.threshold:
        hidden = set(sizes)
    return counts, sizes, hidden, total


def _check_within(survey: Survey, within: Organization) -> None:
    """``within`` must lie inside the survey's organisation and be reachable through shown groups
    of the organisation breakdowns (so no subtree total differs from its parent by a small group)."""
    base = survey.organization
    if not within.path.startswith(base.path):
        raise Http404("organization")
    path = base.path
    while path != within.path:
        groups = {
            v: c.get(("_n", ""), 0)
            for v, c in _counts(survey, "org", Organization(path=path)).items()
        }
        nxt = within.path[: len(path) + Organization.SEGMENT]
        if nxt not in groups or nxt in suppressed(groups, survey.threshold):
            raise PermissionDenied(_("This group is too small to be shown."))
        path = nxt


def breakdown(
    *, actor: Any, survey: Survey, dim: str = "all", within: Organization | None = None
) -> dict[str, Any]:
    """Figures of a survey by group of ``dim`` (``all``: one group), optionally within a subtree.
    Groups under the threshold come back with ``suppressed`` and no figures."""
    access.require(actor, VIEW, survey.organization)
    if dim not in BREAKDOWNS:
        raise Http404("dimension")
    if within is not None:
        _check_within(survey, within)
        if dim not in ("all", "org"):
            dim = "all"
    version = survey.published_version()
    questions = version.questions if version else []
    counts, sizes, hidden, total = _gate(survey, dim, within)
    labels = value_labels(dim, list(sizes))
    groups = [
        {
            "value": g,
            "label": labels.get(g) or g or _("not recorded"),
            "n": None if g in hidden else sizes[g],
            "suppressed": g in hidden,
        }
        for g in sorted(sizes)
    ]
    out_q = []
    for q in questions:
        opts = option_labels(q)
        cells = {
            g: (None if g in hidden else {o: counts[g].get((q["key"], o), 0) for o, _l in opts})
            for g in sorted(sizes)
        }
        out_q.append({**q, "option_labels": opts, "counts": cells})
    return {
        "survey": survey.code,
        "dimension": dim,
        "threshold": survey.threshold,
        "respondents": None if total < survey.threshold else total,
        "suppressed": total < survey.threshold,
        "groups": groups,
        "questions": out_q,
    }


def weighted(*, actor: Any, survey: Survey) -> dict[str, dict[str, float]]:
    """Shares per question and option weighted back to the registry's population by
    ``survey.weight_by`` (post-stratification; withheld groups are pooled into one cell)."""
    access.require(actor, VIEW, survey.organization)
    counts, _sizes, hidden, total = _gate(survey, survey.weight_by, None)
    if total < survey.threshold:
        return {}
    version = survey.published_version()
    pop = dict(
        Population.objects.filter(survey=survey, dim=survey.weight_by).values_list(
            "value", "population"
        )
    )
    cells: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    cell_pop: dict[str, int] = defaultdict(int)
    for g, c in counts.items():
        cell = "*" if g in hidden else g
        for k, n in c.items():
            cells[cell][k] = cells[cell].get(k, 0) + n
        cell_pop[cell] += pop.get(g, 0)
    out: dict[str, dict[str, float]] = {}
    for q in version.questions if version else []:
        if q["type"] not in ("single", "scale", "multiple"):
            continue
        opts = option_labels(q)
        shares: dict[str, float] = {}
        covered = 0
        for cell, c in cells.items():
            if q["type"] == "multiple":
                denom = c.get(("_n", ""), 0)
            else:
                denom = sum(c.get((q["key"], o), 0) for o, _l in opts)
            if not denom or not cell_pop[cell]:
                continue
            covered += cell_pop[cell]
            for o, _l in opts:
                shares[o] = shares.get(o, 0.0) + cell_pop[cell] * c.get((q["key"], o), 0) / denom
        if covered:
            out[q["key"]] = {o: round(v / covered, 4) for o, v in shares.items()}
    return out


def shares(result: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Unweighted shares of the ``all`` group per question (for charts and round comparison)."""
    out: dict[str, dict[str, float]] = {}
    for q in result["questions"]:
        cells = q["counts"].get("")
        if not cells:
            continue
        if q["type"] in ("multiple", "open"):
            denom = result["respondents"] or 0
        elif q["type"] in ("single", "scale"):
            denom = sum(cells.values())
        else:
            continue
        if denom:
            out[q["key"]] = {o: round(n / denom, 4) for o, n in cells.items()}
    return out


def comparison(*, actor: Any, survey: Survey) -> dict[str, dict[str, float]]:
    """The previous round's shares for questions with the same key and type (through the gate)."""
    prev = survey.previous
    if prev is None or not access.can(actor, VIEW, prev.organization):
        return {}
    now_types = {
        q["key"]: q["type"]
        for q in (survey.published_version() or survey.current_version()).questions
    }
    before = breakdown(actor=actor, survey=prev, dim="all")
    if before["suppressed"]:
        return {}
    return {
        k: v
        for k, v in shares(before).items()
        if now_types.get(k) == next(q["type"] for q in before["questions"] if q["key"] == k)
    }


def open_texts(*, actor: Any, survey: Survey, key: str) -> dict[str, Any]:
    """All answers to an open question, only as a whole (no strata, sorted by text, never in
    arrival order) and only when at least ``threshold`` people answered it."""
    if not access.can(actor, READ_TEXT, survey.organization):
        raise PermissionDenied(READ_TEXT)
    version = survey.published_version()
    q = next((q for q in (version.questions if version else []) if q["key"] == key), None)
    if q is None or q["type"] != "open":
        raise Http404("question")
    texts = sorted(
        Response.objects.filter(survey=survey, **{f"answers__{key}__isnull": False})
        .values_list(f"answers__{key}", flat=True)
        .iterator(chunk_size=2000)
    )
    texts = [t for t in texts if isinstance(t, str) and t]
    if len(texts) < survey.threshold:
        return {"question": q, "count": None, "suppressed": True, "texts": []}
    return {"question": q, "count": len(texts), "suppressed": False, "texts": texts}


# ---------------------------------------------------------------------------- export
SUPPRESSED = "*"


def export_columns(questions: list[dict[str, Any]]) -> list[tuple[str, str, Any]]:
    """(column name, label, extractor) of the coded, one-row-per-response layout."""
    cols: list[tuple[str, str, Any]] = []
    for q in questions:
        key, qtype = q["key"], q["type"]
        if qtype in ("single",):
            index = {o["key"]: i for i, o in enumerate(q["options"], start=1)}
            cols.append((key, q["text"], lambda a, k=key, ix=index: ix.get(a.get(k))))
        elif qtype == "scale":
            cols.append((key, q["text"], lambda a, k=key: int(a[k]) if a.get(k) else None))
        elif qtype == "multiple":
            for i, o in enumerate(q["options"], start=1):
                cols.append(
                    (
                        f"{key}_{i}",
                        f"{q['text']} · {o['text']}",
                        lambda a, k=key, ok=o["key"]: None if k not in a else int(ok in a[k]),
                    )
                )
        elif qtype == "matrix":
            for i, r in enumerate(q["rows"], start=1):
                cols.append(
                    (
                        f"{key}_{i}",
                        f"{q['text']} · {r['text']}",
                        lambda a, k=key, rk=r["key"]: int(a[k][rk]) if rk in a.get(k, {}) else None,
                    )
                )
        elif qtype == "ranking":
            for i, o in enumerate(q["options"], start=1):
                cols.append(
                    (
                        f"{key}_{i}",
                        f"{q['text']} · {o['text']}",
                        lambda a, k=key, ok=o["key"]: a[k].index(ok) + 1 if k in a else None,
                    )
                )
    return cols


def export_table(*, actor: Any, survey: Survey) -> dict[str, Any]:
    """The answers, one row per response with coded columns (SPSS style), for a download.

    Refused (403) while fewer than ``threshold`` people answered. A row's strata are withheld
    (``*``) when its combination of strata is a group under the threshold (with the same secondary
    suppression as the pages); open answers are never exported."""
    result = breakdown(actor=actor, survey=survey, dim="all")
    if result["suppressed"]:
        raise PermissionDenied(_("Too few answers to export."))
    versions = {v.number: v.questions for v in survey.versions.exclude(published_at=None)}
    questions = versions[max(versions)]
    combos = {
        "|".join(row[d] for d in DIMENSIONS): row["n"]
        for row in Response.objects.filter(survey=survey)
        .values(*DIMENSIONS)
        .annotate(n=Count("id"))
    }
    hidden = suppressed(combos, survey.threshold)
    cols = export_columns(questions)
    header = ["id", *DIMENSIONS, *(c[0] for c in cols)]

    def rows() -> Any:
        qs = Response.objects.filter(survey=survey).order_by("id")
        for number, (answers, *strata) in enumerate(
            qs.values_list("answers", *DIMENSIONS).iterator(chunk_size=5000), start=1
        ):
            masked = "|".join(strata) in hidden
            yield [
                number,
                *((SUPPRESSED if masked else s) for s in strata),
                *(c[2](answers) for c in cols),
            ]

    codebook = [[c[0], c[1]] for c in cols]
    for q in questions:
        if q["type"] == "single":
            codebook += [
                [q["key"], f"{i} = {o['text']}"] for i, o in enumerate(q["options"], start=1)
            ]
    return {"header": header, "rows": rows, "codebook": codebook}

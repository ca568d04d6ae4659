"""Skill-structure analytics: every figure is a SUM over the rollup tables, scoped by path prefix.

``analytics_org_get(actor, code)`` fetches the organisation a dashboard is about (404 when the
actor's roles do not cover it, as everywhere); each figure function takes that organisation and
returns :class:`Figure` rows (key, label, total, counts per skill level, shares, the link to the
worker list it counts). No figure reads the worker table.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal, get_args
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Sum
from django.urls import NoReverseMatch, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.enterprises import legal_name_of_union
from gongjiang.core.models import Enterprise, Industry, Occupation, Organization, Region, SkillLevel

from .rollup_models import HonourRollup, LevelGainRollup, RollupMeta, WorkerRollup
from .rollups import AGGREGATE_KINDS_EXCLUDED, META_KEY, age_band_range

VIEW_PERM = "workforce.view_worker"
# the figures a dashboard charts, and those its export gives (the API's parameters: one list)
Dimension = Literal[
    "region", "industry", "occupation", "employer", "age", "employment", "gender", "status"
]
DIMENSIONS: tuple[str, ...] = get_args(Dimension)
Exportable = Literal[Dimension, "level-gains", "honours"]
EXPORTABLE: tuple[str, ...] = get_args(Exportable)
AGE_LABELS = {"u25": "18–24", "25_34": "25–34", "35_44": "35–44", "45_54": "45–54", "55p": "55+"}
MAX_ROWS = 200


@dataclass
class Row:
    key: str
    label: str
    total: int = 0
    levels: dict[str, int] = field(default_factory=dict)
    high: int = 0  # 高级工 and above
    technician: int = 0  # 技师 and above
    link: str = ""

    @property
    def high_share(self) -> float | None:
        return round(self.high / self.total, 4) if self.total else None

    @property
    def technician_share(self) -> float | None:
        return round(self.technician / self.total, 4) if self.total else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "total": self.total,
            "levels": self.levels,
            "high_skilled": self.high,
            "high_skilled_share": self.high_share,
            "technician_or_above": self.technician,
            "technician_or_above_share": self.technician_share,
            "link": self.link,
        }


@dataclass
class Figure:
    name: str
    title: str
    rows: list[Row]
    as_of: dt.date | None
    truncated: bool = False


# ------------------------------------------------------------------------------------ reference
@functools.cache
def _levels() -> tuple[tuple[str, str, str, int, bool], ...]:
    return tuple(
        SkillLevel.objects.order_by("rank").values_list(
            "code", "name_zh", "name_en", "rank", "is_high_skilled"
        )
    )


def levels() -> list[dict[str, Any]]:
    """The skill-level ladder, plus "" for workers without a level."""
    from django.utils.translation import get_language

    zh = (get_language() or "zh-hans").startswith("zh")
    out = [
        {"code": c, "name": zh_name if zh else en, "high_skilled": high}
        for c, zh_name, en, _r, high in _levels()
    ]
    return [*out, {"code": "", "name": _("no skill level"), "high_skilled": False}]


def _high_codes() -> set[str]:
    return {c for c, _zh, _en, _r, high in _levels() if high}


def _technician_codes() -> set[str]:
    rank = {c: r for c, _zh, _en, r, _h in _levels()}
    floor = rank.get("TECHNICIAN", 5)
    return {c for c, r in rank.items() if r >= floor}


# ------------------------------------------------------------------------------------ scope
def analytics_org_get(actor: Any, code: str) -> Organization:
    """The organisation a dashboard is about; 404 when missing or outside the actor's roles."""
    return access.get_visible_or_404(
        Organization.objects.select_related("region"), actor, VIEW_PERM, code=code
    )


def analytics_home_orgs(actor: Any) -> list[Organization]:
    """The top organisations the actor may see analytics of (one per role subtree)."""
    paths = access.scope_paths(actor, VIEW_PERM)
    qs = (
        Organization.objects.filter(depth=0)
        if paths is None
        else Organization.objects.filter(path__in=paths)
    )
    return list(qs.order_by("path"))


def meta() -> RollupMeta | None:
    return RollupMeta.objects.filter(key=META_KEY).first()


# ------------------------------------------------------------------------------------ links
def worker_list_url() -> str:
    return _list_url(get_urlconf() or settings.ROOT_URLCONF)


@functools.lru_cache(maxsize=8)
def _list_url(urlconf: str) -> str:
    try:
        return reverse("workforce:worker_list", urlconf=urlconf)
    except NoReverseMatch:
        return "/workforce/workers/"


def link(org: Organization, **params: Any) -> str:
    query = {"employer": org.code, **{k: v for k, v in params.items() if v not in (None, "")}}
    return f"{worker_list_url()}?{urlencode(query)}"


# ------------------------------------------------------------------------------------ folding
def _fold(rows: Any, key_of: Any, label_of: Any, link_of: Any) -> list[Row]:
    """Turn (group…, level, n) aggregates into rows with level counts and shares."""
    high, tech = _high_codes(), _technician_codes()
    out: dict[str, Row] = {}
    for item in rows:
        key = key_of(item)
        row = out.get(key)
        if row is None:
            row = out[key] = Row(key=key, label="")
        level, n = item["level"], int(item["n"] or 0)
        row.total += n
        row.levels[level] = row.levels.get(level, 0) + n
        row.high += n if level in high else 0
        row.technician += n if level in tech else 0
    for row in out.values():
        row.label = label_of(row.key)
        row.link = link_of(row.key)
    return sorted(out.values(), key=lambda r: (-r.total, r.key))


def _scoped(model: Any, org: Organization) -> Any:
    """Rollup rows of the organisation's subtree: its own subtree rows for a federation or union,
    the employer rows under it for an enterprise (or team)."""
    if org.kind in AGGREGATE_KINDS_EXCLUDED:
        return model.objects.filter(organization__path__startswith=org.path, subtree=False)
    return model.objects.filter(organization=org, subtree=True)


def _cells(org: Organization, dim: str) -> Any:
    return _scoped(WorkerRollup, org).filter(dim=dim)


def _employer_cells(org: Organization) -> Any:
    """Per-employer totals under the organisation (grouped by the employer's region, industry…)."""
    return WorkerRollup.objects.filter(
        dim="total", subtree=False, organization__path__startswith=org.path
    )


def _region_level(org: Organization, wanted: str) -> str:
    if wanted in ("province", "city", "county"):
        return wanted
    return {"national": "province", "provincial": "city"}.get(org.kind, "county")


def _region_key(code: str, level: str) -> str:
    if level == "province":
        return code[:2] + "0000"
    if level == "city":
        return code[:4] + "00"
    return code


def _names(model: Any, codes: set[str]) -> dict[str, str]:
    return dict(model.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}


def _by_employer_column(org: Organization, dim: str, column: str) -> list[dict[str, Any]]:
    """(employer region or industry, level, n): the subtree rows of a federation, or the employer
    rows under an enterprise grouped by the employer's column."""
    if org.kind in AGGREGATE_KINDS_EXCLUDED:
        agg = _employer_cells(org).values(column, "level").annotate(n=Sum("n")).order_by()
        return [{"key": r[column] or "", "level": r["level"], "n": r["n"]} for r in agg]
    return list(_cells(org, dim).values("key", "level").annotate(n=Sum("n")).order_by())


def by_region(org: Organization, level: str = "") -> Figure:
    level = _region_level(org, level)
    items = [
        {"key": _region_key(r["key"], level), "level": r["level"], "n": r["n"]}
        for r in _by_employer_column(org, "region", "organization__region_id")
    ]
    codes = {i["key"] for i in items}
    names = _names(Region, codes | {c[:2] + "0000" for c in codes})

    def label(code: str) -> str:  # municipalities have no city level: 110100 → 北京市
        return names.get(code) or names.get(code[:2] + "0000", code)

    rows = _fold(items, lambda i: i["key"], label, lambda k: link(org, region=k, status="active"))
    return Figure("region", _("Workers by region"), rows, _as_of())


def by_industry(org: Organization, level: str = "section") -> Figure:
    raw = _by_employer_column(org, "industry", "organization__industry_id")
    if level == "division":
        items = [{"key": r["key"][:2], "level": r["level"], "n": r["n"]} for r in raw]
    else:
        sections = dict(
            Industry.objects.filter(code__in={r["key"] for r in raw}).values_list("code", "section")
        )
        items = [{"key": sections.get(r["key"], ""), "level": r["level"], "n": r["n"]} for r in raw]
    names = _names(Industry, {i["key"] for i in items})
    rows = _fold(
        items,
        lambda i: i["key"],
        lambda k: names.get(k, k or _("unknown")),
        lambda k: link(org, industry=k, status="active"),
    )
    return Figure("industry", _("Workers by industry"), rows, _as_of())


def by_occupation(org: Organization, level: str = "medium") -> Figure:
    agg = _cells(org, "occ").values("key", "level").annotate(n=Sum("n")).order_by()
    width = 1 if level == "major" else 4
    items = [{"key": r["key"][:width], "level": r["level"], "n": r["n"]} for r in agg]
    names = _names(Occupation, {i["key"] for i in items})
    rows = _fold(
        items,
        lambda i: i["key"],
        lambda k: f"{k} {names[k]}" if k in names else _("no occupation"),
        lambda k: link(org, occupation=k or None, status="active"),
    )
    return Figure("occupation", _("Workers by occupation"), rows, _as_of())


def by_employer(org: Organization, level: str = "", limit: int = MAX_ROWS) -> Figure:
    limit = max(1, limit)
    cells = _employer_cells(org)
    totals = cells.values("organization_id").annotate(t=Sum("n")).order_by("-t", "organization_id")
    top = list(totals.values_list("organization_id", flat=True)[: limit + 1])
    truncated = len(top) > limit
    top = top[:limit]
    agg = (
        cells.filter(organization_id__in=top)
        .values(
            "organization_id",
            "organization__code",
            "organization__short_name",
            "organization__name",
            "level",
        )
        .annotate(n=Sum("n"))
        .order_by()
    )
    # each row is an enterprise union's workers, labelled with its enterprise's legal name (a joint
    # union covering several enterprises: its name without 工会) — never "…工会"
    agg = list(agg)
    companies: dict[int, list[str]] = {}
    for union_id, name in Enterprise.objects.filter(union_id__in=top, is_active=True).values_list(
        "union_id", "name"
    ):
        companies.setdefault(union_id, []).append(name)
    labels = {}
    for item in agg:
        names = companies.get(item["organization_id"], [])
        labels[item["organization__code"]] = (
            names[0] if len(names) == 1 else legal_name_of_union(item["organization__name"])
        )
    base = worker_list_url()
    rows = _fold(
        agg,
        lambda i: i["organization__code"],
        lambda k: labels.get(k, k),
        lambda k: f"{base}?{urlencode({'employer': k, 'status': 'active'})}",
    )
    return Figure("employer", _("Workers by employer"), rows, _as_of(), truncated)


def by_age(org: Organization, level: str = "") -> Figure:
    as_of = _as_of() or timezone.localdate()
    agg = _cells(org, "age").values("key", "level").annotate(n=Sum("n")).order_by()

    def age_link(band: str) -> str:
        after, before = age_band_range(band, as_of) if band in AGE_LABELS else (None, None)
        return link(
            org,
            born_after=after and after.isoformat(),
            born_before=before and before.isoformat(),
            status="active",
        )

    rows = _fold(agg, lambda i: i["key"], lambda k: AGE_LABELS.get(k, k), age_link)
    order = list(AGE_LABELS)
    rows.sort(key=lambda r: order.index(r.key) if r.key in order else 99)
    return Figure("age", _("Workers by age band"), rows, as_of)


def _choice_figure(
    org: Organization, dim: str, name: str, title: str, labels: dict[str, str], param: str
) -> Figure:
    agg = _cells(org, dim).values("key", "level").annotate(n=Sum("n")).order_by()
    extra = {} if dim == "status" else {"status": "active"}
    rows = _fold(
        agg,
        lambda i: i["key"],
        lambda k: str(labels.get(k, k)),
        lambda k: link(org, **{param: k}, **extra),
    )
    return Figure(name, title, rows, _as_of())


def by_employment(org: Organization, level: str = "") -> Figure:
    from ..models import Worker

    return _choice_figure(
        org,
        "emp",
        "employment",
        _("Workers by employment type"),
        dict(Worker.EmploymentType.choices),
        "employment_type",
    )


def by_gender(org: Organization, level: str = "") -> Figure:
    from ..models import Worker

    return _choice_figure(
        org, "gender", "gender", _("Workers by gender"), dict(Worker.Gender.choices), "gender"
    )


def by_status(org: Organization, level: str = "") -> Figure:
    from ..models import Worker

    return _choice_figure(
        org,
        "status",
        "status",
        _("Workers by status (all workers)"),
        dict(Worker.Status.choices),
        "status",
    )


FIGURES = {
    "region": by_region,
    "industry": by_industry,
    "occupation": by_occupation,
    "employer": by_employer,
    "age": by_age,
    "employment": by_employment,
    "gender": by_gender,
    "status": by_status,
}


def figure(org: Organization, dimension: str, level: str = "", limit: int = MAX_ROWS) -> Figure:
    if dimension == "employer":
        return by_employer(org, level, limit)
    return FIGURES[dimension](org, level)


def _as_of() -> dt.date | None:
    state = meta()
    return state.as_of if state else None


# ------------------------------------------------------------------------------------ summary
def summary(org: Organization) -> dict[str, Any]:
    """Headcount on the job, the level distribution and the two shares of the whole subtree."""
    agg = _cells(org, "total").values("level").annotate(n=Sum("n")).order_by()
    rows = _fold(agg, lambda i: "all", lambda k: org.name, lambda k: link(org, status="active"))
    row = rows[0] if rows else Row("all", org.name, link=link(org, status="active"))
    state = meta()
    return {
        "organization": org.code,
        "organization_name": org.name,
        "headcount": row.total,
        "levels": row.levels,
        "high_skilled": row.high,
        "high_skilled_share": row.high_share,
        "technician_or_above": row.technician,
        "technician_or_above_share": row.technician_share,
        "as_of": state.as_of if state else None,
        "built_at": state.built_at if state else None,
        "link": row.link,
    }


def level_gains(org: Organization) -> dict[str, Any]:
    """Skill levels gained per year (a first level or a higher one; reverted changes excluded)."""
    agg = (
        _scoped(LevelGainRollup, org).values("year", "level").annotate(n=Sum("n")).order_by("year")
    )
    years: dict[int, dict[str, int]] = defaultdict(dict)
    for item in agg:
        years[item["year"]][item["level"]] = int(item["n"] or 0)
    return {
        "as_of": _as_of(),
        "rows": [
            {"year": y, "levels": v, "total": sum(v.values())} for y, v in sorted(years.items())
        ],
    }


def honours(org: Organization) -> dict[str, Any]:
    """Honours (not revoked) by title, with the years."""
    agg = (
        _scoped(HonourRollup, org)
        .values("title", "honour_level", "year")
        .annotate(n=Sum("n"))
        .order_by()
    )
    titles: dict[str, dict[str, Any]] = {}
    for item in agg:
        row = titles.setdefault(
            item["title"],
            {
                "title": item["title"],
                "level": item["honour_level"],
                "total": 0,
                "years": {},
                "link": link(org, honour=item["title"]),
            },
        )
        n = int(item["n"] or 0)
        row["total"] += n
        row["years"][item["year"]] = row["years"].get(item["year"], 0) + n
    rows = sorted(titles.values(), key=lambda r: (-r["total"], r["title"]))
    return {"as_of": _as_of(), "rows": rows}


# ------------------------------------------------------------------------------------ export
def export_sheet(
    org: Organization, name: str, level: str = ""
) -> tuple[str, list[str], list[list[Any]]]:
    """One figure as a sheet (title, header, rows) for core.exports.xlsx_bytes."""
    ladder = levels()
    if name == "level-gains":
        data = level_gains(org)
        header = [_("year"), _("total"), *[lv["name"] for lv in ladder[:-1]]]
        body = [
            [r["year"], r["total"], *[r["levels"].get(lv["code"], 0) for lv in ladder[:-1]]]
            for r in data["rows"]
        ]
        return _("Levels gained per year"), header, body
    if name == "honours":
        data = honours(org)
        years = sorted({y for r in data["rows"] for y in r["years"]})
        header = [_("honour"), _("level"), _("total"), *[str(y) for y in years]]
        body = [
            [r["title"], r["level"], r["total"], *[r["years"].get(y, 0) for y in years]]
            for r in data["rows"]
        ]
        return _("Honours"), header, body
    fig = figure(org, name, level, limit=10_000_000)  # the export has every employer
    header = [
        _("code"),
        _("name"),
        _("workers"),
        *[lv["name"] for lv in ladder],
        _("high-skilled"),
        _("share high-skilled"),
        _("technician or above"),
        _("share technician or above"),
    ]
    body = [
        [
            r.key,
            r.label,
            r.total,
            *[r.levels.get(lv["code"], 0) for lv in ladder],
            r.high,
            r.high_share,
            r.technician,
            r.technician_share,
        ]
        for r in fig.rows
    ]
    return fig.title, header, body

"""Reads of the workforce registry, always starting from ``Worker.objects.visible_to(actor)``.

Search and paging are built to stay fast at 10 million workers:

* every filter is an indexed equality or prefix match: name prefix (``name`` has a
  ``varchar_pattern_ops`` index on PostgreSQL), full pinyin or initials prefix (``name_pinyin`` as a
  range on the list-order index, ``name_initials``; see :func:`pinyin_branches`), the last 4 characters of the citizen ID (``citizen_id_last4``), a full ID
  through its keyed hash, occupation, level, employer, region (employer region-code prefix),
  honour title, status;
* the list is ordered by ``(name_pinyin, id)`` (a composite index) and paged by keyset: the "next
  page" link carries the last row's ``(name_pinyin, id)``, so page 1,000 costs what page 1 costs;
* the total is counted only up to :data:`COUNT_CAP` rows (``SELECT count(*) FROM (… LIMIT n)``)
  and shown as "10,000+" beyond it — never a ``COUNT(*)`` of the whole table per page.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from gongjiang.core import access
from gongjiang.core.models import Organization

from . import personal
from .models import Worker

COUNT_CAP = 10_000
PAGE_SIZE = 50
_LAST4 = re.compile(r"\d{3}[\dXx]")
_ID_LIKE = re.compile(r"\d{17}[\dXx]|\d{15}")
_LETTERS = re.compile(r"[A-Za-z]+")


@dataclass
class WorkerFilters:
    q: str = ""  # name / pinyin / initials / last 4 of the ID / the full ID
    occupation: str = ""  # occupation code (a group code matches its occupations)
    level: str = ""  # skill level code
    employer: str = ""  # organisation code: workers of it and of the organisations below it
    region: str = ""  # GB/T 2260 code: employers whose region code starts with its prefix
    honour: str = ""  # honour title (exact), or "any"
    status: str = ""
    gender: str = ""
    employment_type: str = ""
    industry: str = ""  # GB/T 4754 section letter or division/group/class code of the employer
    born_after: dt.date | None = None
    born_before: dt.date | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: Any) -> WorkerFilters:
        def text(key: str, limit: int = 100) -> str:
            return str(data.get(key) or "").strip()[:limit]

        return cls(
            q=text("q"),
            occupation=text("occupation", 20),
            level=text("level", 30),
            employer=text("employer", 20),
            region=text("region", 6),
            honour=text("honour", 60),
            status=text("status", 8),
            gender=text("gender", 1),
            employment_type=text("employment_type", 12),
            industry=text("industry", 4),
            born_after=_date(text("born_after", 10)),
            born_before=_date(text("born_before", 10)),
        )

    def as_query(self) -> dict[str, str]:
        return {
            k: v
            for k, v in (
                ("q", self.q),
                ("occupation", self.occupation),
                ("level", self.level),
                ("employer", self.employer),
                ("region", self.region),
                ("honour", self.honour),
                ("status", self.status),
                ("gender", self.gender),
                ("employment_type", self.employment_type),
                ("industry", self.industry),
                ("born_after", self.born_after.isoformat() if self.born_after else ""),
                ("born_before", self.born_before.isoformat() if self.born_before else ""),
            )
            if v
        }


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:  # a damaged link widens the list rather than failing
        return None


def region_prefix(code: str) -> str:
    """320100 → 3201, 320000 → 32, 320111 → 320111."""
    code = code.strip()
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


def _search(qs: QuerySet[Worker], q: str) -> QuerySet[Worker]:
    """``qs`` (already in list order) narrowed to the search text ``q``."""
    q = q.strip().replace(" ", "")
    if not q:
        return qs
    if _ID_LIKE.fullmatch(q):
        from gongjiang.core.validators import normalize_citizen_id

        try:
            return qs.filter(
                citizen_id_hash__in=personal.citizen_id_hashes(normalize_citizen_id(q))
            )
        except Exception:  # not a valid ID: nothing has it
            return qs.none()
    if _LAST4.fullmatch(q):
        return qs.filter(citizen_id_last4=q.upper())
    if _LETTERS.fullmatch(q):
        key = q.lower()
        return _phased(qs, pinyin_either(key), pinyin_branches(key))
    return qs.filter(name__startswith=q)


_KEY_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def prefix_bounds(prefix: str) -> tuple[str, str | None]:
    """(low, high) such that a string of 0-9 and a-z starts with ``prefix`` exactly when
    low <= it < high (high None: no upper bound): "zhang" → ("zhang", "zhanh"), "az" → ("az", "b")."""
    chars = list(prefix)
    while chars:
        at = _KEY_ALPHABET.find(chars[-1])
        if 0 <= at < len(_KEY_ALPHABET) - 1:
            chars[-1] = _KEY_ALPHABET[at + 1]
            return prefix, "".join(chars)
        chars.pop()  # "…z": the bound moves to the character before
    return prefix, None


def key_prefix(field: str, prefix: str) -> Q:
    """``field`` starts with ``prefix``, for search keys made of 0-9 and a-z only (name_pinyin,
    name_initials), written as a range: every collation orders such strings alike, so the plain
    (name_pinyin, id) index serves it *in list order* (a LIKE could only use a pattern_ops index,
    which returns rows in no useful order)."""
    low, high = prefix_bounds(prefix)
    condition = Q(**{f"{field}__gte": low})
    return condition if high is None else condition & Q(**{f"{field}__lt": high})


def pinyin_branches(key: str) -> list[tuple[Q, tuple[str, ...]]]:
    """The readings of a search in letters, best match first, each with the order its page is read
    in: (1) the full pinyin starts with ``key`` ("zhang" → 张…), in list order; (2) otherwise the
    initials start with it ("wj" → 王军, 王建国 …), by initials then list order. Each is one range on
    one index — ``(name_pinyin, id)`` and ``(name_initials, name_pinyin, id)`` — so a page costs an
    index range scan of its own size whatever the number of workers."""
    pinyin, initials = key_prefix("name_pinyin", key), key_prefix("name_initials", key)
    return [
        (pinyin, ("name_pinyin", "id")),
        (initials & ~pinyin, ("name_initials", "name_pinyin", "id")),
    ]


def pinyin_either(key: str) -> Q:
    """The union of :func:`pinyin_branches` as one condition (what the count and exports read)."""
    return key_prefix("name_pinyin", key) | key_prefix("name_initials", key)


_PHASES = "gongjiang_search_phases"


def _phased(
    qs: QuerySet[Worker], either: Q, phases: list[tuple[Q, tuple[str, ...]]]
) -> QuerySet[Worker]:
    """``qs`` filtered by ``either`` — any of the phases' conditions (the count and the exports use
    this, in list order) — remembering the phases so that :func:`worker_page` lists the matches phase by phase, each
    in its own index order — one OR in one query would make PostgreSQL walk the list-order index
    testing every row or fetch and sort every match (seconds at millions of workers)."""
    combined = qs.filter(either)
    setattr(
        combined.query,
        _PHASES,
        (combined.query.where, [(qs.filter(c).order_by(*order), order) for c, order in phases]),
    )
    return combined


def _phases_of(qs: QuerySet[Worker]) -> list[tuple[QuerySet[Worker], tuple[str, ...]]]:
    """The phases of ``qs`` when it is still exactly what :func:`_phased` made (no filter, order or
    slice added since); otherwise ``qs`` itself as one phase in list order."""
    spec = getattr(qs.query, _PHASES, None)
    query = qs.query
    if spec is not None:
        where, phases = spec
        if (
            query.where == where
            and tuple(query.order_by) == ("name_pinyin", "id")
            and not query.low_mark
            and query.high_mark is None
        ):
            return phases
    return [(qs, ("name_pinyin", "id"))]


def worker_list(actor: Any, filters: WorkerFilters | None = None) -> QuerySet[Worker]:
    """Workers the actor may see, filtered, in list order (name pinyin, id)."""
    f = filters or WorkerFilters()
    qs = Worker.objects.visible_to(actor).select_related(
        "organization", "employer", "skill_level", "occupation", "team"
    )
    if f.occupation:
        qs = (
            qs.filter(occupation__code__startswith=f.occupation)
            if len(f.occupation) < 8
            else qs.filter(occupation_id=f.occupation)
        )
    if f.level:
        qs = (
            qs.filter(skill_level__isnull=True)
            if f.level == "none"
            else qs.filter(skill_level_id=f.level)
        )
    if f.employer:
        org = Organization.objects.filter(code=f.employer).only("path").first()
        qs = qs.filter(organization__path__startswith=org.path) if org else qs.none()
    if f.region:
        qs = qs.filter(organization__region__code__startswith=region_prefix(f.region))
    if f.honour:
        honours = (
            Q(honours__revoked=False)
            if f.honour == "any"
            else Q(honours__title=f.honour, honours__revoked=False)
        )
        qs = qs.filter(pk__in=Worker.objects.filter(honours).values("pk"))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.gender:
        qs = qs.filter(gender=f.gender)
    if f.employment_type:
        qs = qs.filter(employment_type=f.employment_type)
    if f.industry:
        if f.industry.isalpha():
            qs = qs.filter(organization__industry__section=f.industry.upper())
        else:
            qs = qs.filter(organization__industry__code__startswith=f.industry)
    if f.born_after:
        qs = qs.filter(birth_date__gte=f.born_after)
    if f.born_before:
        qs = qs.filter(birth_date__lt=f.born_before)
    return _search(qs.order_by("name_pinyin", "id"), f.q)  # last: it may split the query


# ---------------------------------------------------------------------------------- paging
@dataclass
class WorkerPage:
    items: list[Worker]
    next_cursor: str | None
    count: int  # exact when count_capped is False
    count_capped: bool


def encode_cursor(
    worker: Worker, order: tuple[str, ...] = ("name_pinyin", "id"), phase: int = 0
) -> str:
    """The keyset position after ``worker``: its phase and its values of the phase's order."""
    values = [str(getattr(worker, f if f != "id" else "pk")) for f in order]
    raw = "|".join(values) if phase == 0 else "|".join([f"~{phase}", *values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, list[str], int] | None:
    """(phase, key values, id), or None for a damaged cursor (the list then starts from the top)."""
    try:
        parts = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split("|")
        phase = 0
        if parts[0].startswith("~"):
            phase = int(parts.pop(0)[1:])
        return phase, parts[:-1], int(parts[-1])
    except Exception:
        return None


def _after(order: tuple[str, ...], values: list[str], pk: int) -> Q | None:
    """Rows after (values, pk) in ``order`` (its last field is id): the keyset condition, with the
    first field's bound repeated so that the database scans the index range from there."""
    fields = order[:-1]
    if len(values) != len(fields):
        return None
    after = Q(pk__gt=pk)
    for name, value in reversed(list(zip(fields, values, strict=True))):
        after = Q(**{f"{name}__gt": value}) | (Q(**{name: value}) & after)
    return Q(**{f"{fields[0]}__gte": values[0]}) & after if fields else after


def count_capped(qs: QuerySet[Any], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(count, capped): counts at most ``cap + 1`` rows — for a letters search phase by phase, each
    phase's condition a range of its own index (the OR of both lets PostgreSQL pick a whole-index
    scan: 1.2 s at 10M workers)."""
    n = 0
    for part, _order in _phases_of(qs) if qs.model is Worker else [(qs, ())]:
        n += part.order_by()[: cap + 1 - n].count()
        if n > cap:
            break
    return (cap, True) if n > cap else (n, False)


def worker_page(
    qs: QuerySet[Worker],
    *,
    cursor: str | None = None,
    size: int = PAGE_SIZE,
    with_count: bool = True,
) -> WorkerPage:
    """One page of ``qs`` after ``cursor`` (keyset paging), phase by phase for a letters search."""
    size = max(1, min(size, 500))
    phases = _phases_of(qs)
    start, position = 0, decode_cursor(cursor) if cursor else None
    if position is not None and position[0] >= len(phases):
        position = None
    if position is not None:
        start = position[0]
    rows: list[tuple[Worker, int]] = []  # (worker, its phase)
    for phase in range(start, len(phases)):
        part, order = phases[phase]
        if position is not None and phase == start:
            after = _after(order, position[1], position[2])
            if after is not None:
                part = part.filter(after)
        rows += [(worker, phase) for worker in part[: size + 1 - len(rows)]]
        if len(rows) > size:
            break
    items = [worker for worker, _phase in rows]
    next_cursor = None
    if len(rows) > size:
        shown, phase = rows[size - 1]
        next_cursor = encode_cursor(shown, phases[phase][1], phase)
    count, capped = count_capped(qs) if with_count else (0, False)
    return WorkerPage(items[:size], next_cursor, count, capped)


# ---------------------------------------------------------------------------------- objects
def worker_get_for_user(actor: Any, code: str) -> Worker:
    """One worker the actor may see (404 for missing and out-of-scope alike)."""
    qs = Worker.objects.select_related(
        "organization",
        "organization__region",
        "organization__industry",
        "employer",
        "employer__industry",
        "skill_level",
        "occupation",
        "team",
        "user",
    )
    return access.get_visible_or_404(qs, actor, code=code)


def employer_choices(actor: Any, perm: str = "workforce.change_worker") -> QuerySet[Organization]:
    """Enterprises the actor may put workers into."""
    return (
        Organization.objects.visible_to(actor, perm)
        .filter(kind=Organization.Kind.ENTERPRISE, is_active=True)
        .order_by("path")
    )


def team_choices(organization: Organization) -> QuerySet[Organization]:
    return Organization.objects.filter(
        path__startswith=organization.path, kind=Organization.Kind.TEAM, is_active=True
    ).order_by("path")


def may_view_full_id(actor: Any, worker: Worker | None = None) -> bool:
    return access.can(actor, "core.view_full_citizen_id", worker.organization if worker else None)

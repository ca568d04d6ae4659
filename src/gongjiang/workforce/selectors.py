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
import heapq
import operator
import re
from dataclasses import dataclass, field
from functools import reduce
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
            return qs.filter(citizen_id_hash=personal.citizen_id_hash(normalize_citizen_id(q)))
        except Exception:  # not a valid ID: nothing has it
            return qs.none()
    if _LAST4.fullmatch(q):
        return qs.filter(citizen_id_last4=q.upper())
    if _LETTERS.fullmatch(q):
        return _either(qs, pinyin_branches(q.lower()))
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


def pinyin_branches(key: str) -> tuple[Q, Q]:
    """The two readings of a search in letters: the full pinyin starts with ``key`` ("zhang"), or
    the initials do ("zw"). A name's pinyin and initials start with the same letter, so the initials
    branch also holds the pinyin range of that letter: where such initials are common, the database
    finds a page by walking the list-order index from that letter rather than from "a"."""
    return (
        key_prefix("name_pinyin", key),
        Q(name_initials__startswith=key) & key_prefix("name_pinyin", key[:1]),
    )


_BRANCHES = "gongjiang_either_branches"


def _either(qs: QuerySet[Worker], branches: tuple[Q, ...]) -> QuerySet[Worker]:
    """``qs`` filtered by any of ``branches``, remembering the branches so that :func:`worker_page`
    can read a page as one ordered, limited query per branch, merged — an OR in one query makes
    PostgreSQL either walk the list-order index testing every row or fetch and sort every match
    (seconds for a common prefix at millions of workers). The count and the exports use the OR."""
    combined = qs.filter(reduce(operator.or_, branches))
    setattr(combined.query, _BRANCHES, (combined.query.where, [qs.filter(b) for b in branches]))
    return combined


def _branches_of(qs: QuerySet[Worker]) -> list[QuerySet[Worker]] | None:
    """The branch querysets when ``qs`` is still exactly what :func:`_either` made (no filter,
    order or slice added since); None otherwise."""
    spec = getattr(qs.query, _BRANCHES, None)
    if spec is None:
        return None
    where, branches = spec
    query = qs.query
    if (
        query.where != where
        or tuple(query.order_by) != ("name_pinyin", "id")
        or query.low_mark
        or query.high_mark is not None
    ):
        return None
    return branches


def worker_list(actor: Any, filters: WorkerFilters | None = None) -> QuerySet[Worker]:
    """Workers the actor may see, filtered, in list order (name pinyin, id)."""
    f = filters or WorkerFilters()
    qs = Worker.objects.visible_to(actor).select_related(
        "organization", "skill_level", "occupation", "team"
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


def encode_cursor(worker: Worker) -> str:
    return (
        base64.urlsafe_b64encode(f"{worker.name_pinyin}|{worker.pk}".encode()).decode().rstrip("=")
    )


def decode_cursor(cursor: str) -> tuple[str, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        key, _sep, pk = raw.rpartition("|")
        return key, int(pk)
    except Exception:  # a damaged cursor starts from the top
        return None


def count_capped(qs: QuerySet[Any], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(count, capped): counts at most ``cap + 1`` rows."""
    n = qs.order_by()[: cap + 1].count()
    return (cap, True) if n > cap else (n, False)


def worker_page(
    qs: QuerySet[Worker],
    *,
    cursor: str | None = None,
    size: int = PAGE_SIZE,
    with_count: bool = True,
) -> WorkerPage:
    size = max(1, min(size, 500))
    parts = _branches_of(qs) or [qs]
    position = decode_cursor(cursor) if cursor else None
    if position is not None:
        key, pk = position
        after = Q(name_pinyin__gt=key) | Q(name_pinyin=key, id__gt=pk)
        parts = [part.filter(after) for part in parts]
    if len(parts) == 1:
        items = list(parts[0][: size + 1])
    else:  # each branch in list order, merged without duplicates
        items, seen = [], set()
        merged = heapq.merge(
            *(list(part[: size + 1]) for part in parts), key=lambda w: (w.name_pinyin, w.pk)
        )
        for worker in merged:
            if worker.pk not in seen:
                seen.add(worker.pk)
                items.append(worker)
            if len(items) > size:
                break
    next_cursor = encode_cursor(items[size - 1]) if len(items) > size else None
    count, capped = count_capped(qs) if with_count else (0, False)
    return WorkerPage(items[:size], next_cursor, count, capped)


# ---------------------------------------------------------------------------------- objects
def worker_get_for_user(actor: Any, code: str) -> Worker:
    """One worker the actor may see (404 for missing and out-of-scope alike)."""
    qs = Worker.objects.select_related(
        "organization",
        "organization__region",
        "organization__industry",
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

"""Synthetic workers: realistic, reproducible, fast enough for 10 million rows.

``generate_workers(count=N, province="320000", seed=S)`` (CLI: ``gongjiang generate workers``)
puts N workers into the enterprises of a province (or of one organisation, ``org=CODE``), creating
city federations and enterprises with teams through ``core.services.organization_create`` when the
province has none. Rows are drawn in numpy batches and written through the registry's own bulk
path (:func:`gongjiang.workforce.roster.bulk.insert_rows` in the import's column order: COPY on PostgreSQL,
executemany on SQLite; workers whose ID already exists are left out first),
with the IDs and phones encrypted, hashed and masked exactly as an import does, plus one
skill-level-change row per worker with a level and rare honours. Then the rollups are rebuilt.

What is realistic about them:

* names: surnames weighted by frequency (incl. 曾, 单 and rare compound surnames), given names of one
  or two characters by gender; a few minority names with "·"; ethnicity mostly 汉族;
* citizen IDs: a real county code (85 % born in the province), a real birth date giving an age of
  18–60, the sequence digit matching the gender, a correct check digit; unique;
* hire dates after the 18th birthday; employment types, gender mix and skill-level mix by industry,
  with per-enterprise variation (a rail-equipment maker about 62 % 高级工 and above, construction and
  services mostly 初级/中级 or none); occupations of the 职业分类大典 matching the employer's
  GB/T 4754 industry (manufacturing division 37 → 6-23, …);
* honours rare, likelier for the highly skilled; mobile numbers on real prefixes.

The same seed and count give the same workers (IDs, names, everything but the random codes); a
worker whose ID already exists is left alone, so running it twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from gongjiang.core.actors import SYSTEM, audit
from gongjiang.core.models import Occupation, Organization, Region
from gongjiang.core.pinyin import pinyin_initials, pinyin_key

from .. import personal
from ..analytics.rollups import rollups_rebuild
from ..models import Honour, Worker
from ..roster import bulk
from .data import (
    COMPOUND_SURNAMES,
    EDUCATION,
    EDUCATION_MIX,
    EMPLOYMENT,
    EMPLOYMENT_MIX,
    ETHNICITIES,
    GIVEN_COMMON,
    GIVEN_FEMALE,
    GIVEN_MALE,
    HONOURS,
    LEVELS,
    MALE_SHARE,
    MINORITY_FIRST,
    MINORITY_LAST,
    MIXES,
    PHONE_PREFIXES,
    POLITICAL,
    SOURCE,
    SURNAMES,
    industry_kind,
    medium_groups,
)
from .orgs import Employer, employers_of, ensure_enterprises, province_org

BATCH = 20_000
__all__ = ["demo_workers", "ensure_enterprises", "generate_workers", "load_demo_workers"]


@dataclass
class Profile:
    level_p: np.ndarray  # (E, 9)
    emp_p: np.ndarray  # (E, 4)
    male_p: np.ndarray  # (E,)
    size_p: np.ndarray  # (E,)
    occupations: list[list[str]]
    occupation_p: list[np.ndarray]
    skilled: np.ndarray  # (E,) 1 = uses the better-educated mix


def _occupations_by_group() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for code in Occupation.objects.filter(level=Occupation.Level.OCCUPATION).values_list(
        "code", flat=True
    ):
        out.setdefault(code[:4], []).append(code)
    return out


def _profiles(employers: list[Employer], rng: np.random.Generator) -> Profile:
    from gongjiang.core.models import Industry

    sections = dict(
        Industry.objects.filter(code__in={e.industry_id for e in employers}).values_list(
            "code", "section"
        )
    )
    by_group = _occupations_by_group()
    level_p, emp_p, male_p, occupations, occupation_p, skilled = [], [], [], [], [], []
    for e in employers:
        section = sections.get(e.industry_id, "C")
        kind = industry_kind(e.industry_id, section)
        base = np.array(MIXES[kind]) + 1e-4
        level_p.append(rng.dirichlet(base / base.sum() * 400))
        emp_key = kind if kind in EMPLOYMENT_MIX else "default"
        emp_p.append(rng.dirichlet(np.array(EMPLOYMENT_MIX[emp_key]) * 60 + 0.05))
        male_p.append(
            float(
                np.clip(
                    MALE_SHARE.get(kind, MALE_SHARE["default"]) + rng.normal(0, 0.05), 0.2, 0.95
                )
            )
        )
        codes: list[str] = []
        weights: list[float] = []
        for group, weight in medium_groups(e.industry_id, section):
            pool = by_group.get(group) or by_group.get("6-99") or ["8-00-00-00"]
            k = min(len(pool), int(rng.integers(1, 5)))
            chosen = rng.choice(len(pool), size=k, replace=False)
            codes += [pool[i] for i in sorted(chosen)]
            weights += list(rng.dirichlet(np.ones(k) * 2) * weight)
        occupations.append(codes)
        occupation_p.append(np.array(weights) / sum(weights))
        skilled.append(1 if kind in ("rail", "advanced") else 0)
    sizes = rng.lognormal(0, 1.0, len(employers))
    return Profile(
        np.array(level_p),
        np.array(emp_p),
        np.array(male_p),
        sizes / sizes.sum(),
        occupations,
        occupation_p,
        np.array(skilled),
    )


# ------------------------------------------------------------------------------ organisations
class Names:
    def __init__(self) -> None:
        pairs = [(s[0], int(s[1:])) for s in SURNAMES]
        self.surnames = [p[0] for p in pairs] + list(COMPOUND_SURNAMES)
        weights = np.array([p[1] for p in pairs] + [0.05] * len(COMPOUND_SURNAMES), dtype=float)
        self.surname_p = weights / weights.sum()
        self.male_chars = GIVEN_MALE + GIVEN_COMMON
        self.female_chars = GIVEN_FEMALE + GIVEN_COMMON
        self._py: dict[tuple[str, bool], tuple[str, str]] = {}

    def pinyin(self, text: str, surname: bool) -> tuple[str, str]:
        key = (text, surname)
        found = self._py.get(key)
        if found is None:
            found = self._py[key] = (
                pinyin_key(text, surname=surname),
                pinyin_initials(text, surname=surname),
            )
        return found


def _check_digits(first17: np.ndarray) -> np.ndarray:
    weights = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
    return np.array(list("10X98765432"))[(first17 * weights).sum(axis=1) % 11]


class Generator:
    """Draws batches of worker rows; the same seed gives the same sequence of workers."""

    def __init__(self, employers: list[Employer], province: str, seed: int, today: dt.date) -> None:
        self.rng = np.random.default_rng(seed)
        self.seed = seed  # shifts the ID sequence numbers: other seeds rarely collide
        self.employers = employers
        self.profile = _profiles(employers, np.random.default_rng(seed + 1))
        self.today = today
        self.names = Names()
        home = list(
            Region.objects.filter(code__startswith=province[:2], level=Region.Level.COUNTY)
            .order_by("code")
            .values_list("code", flat=True)
        )
        away = list(
            Region.objects.filter(level=Region.Level.COUNTY)
            .exclude(code__startswith=province[:2])
            .filter(code__regex=r"^(41|34|51|37|43|36|42|45|50|52)")
            .order_by("code")
            .values_list("code", flat=True)
        )[::4]
        self.home, self.away = home or ["110101"], away or ["410102"]
        self.regions = self.home + self.away
        self.oldest = today.toordinal() - int(61 * 365.25) + 1
        self.days = int(61 * 365.25) - int(18 * 365.25)
        self.used = np.zeros(len(self.regions) * (self.days + 1) * 2, dtype=np.int16)

    def _birth_and_sequence(
        self, n: int, male: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rng = self.rng
        region = np.where(
            rng.random(n) < 0.85,
            rng.integers(0, len(self.home), n),
            len(self.home) + rng.integers(0, len(self.away), n),
        )
        age = np.clip(rng.normal(38, 10, n), 18.01, 60.99)
        day = np.clip((61 - age) * 365.25, 0, self.days).astype(
            np.int64
        )  # days after the oldest birth date
        seq = np.zeros(n, dtype=np.int64)
        todo = np.arange(n)
        while todo.size:
            keys = (region[todo] * (self.days + 1) + day[todo]) * 2 + male[todo]
            order = np.argsort(keys, kind="stable")
            sorted_keys = keys[order]
            starts = np.r_[0, np.flatnonzero(np.diff(sorted_keys)) + 1]
            group_of = np.repeat(np.arange(starts.size), np.diff(np.r_[starts, sorted_keys.size]))
            rank = np.arange(sorted_keys.size) - starts[group_of]
            slot = np.empty_like(rank)
            slot[order] = self.used[sorted_keys[starts]][group_of] + rank
            uniq, counts = sorted_keys[starts], np.diff(np.r_[starts, sorted_keys.size])
            self.used[uniq] = np.minimum(self.used[uniq] + counts, 500)
            ok = slot < 500
            # spread the sequence numbers over 000–999 (a fixed offset per place, day and gender)
            offset = ((keys * 2654435761 >> 7) + self.seed * 7919) % 500
            seq[todo[ok]] = (slot[ok] + offset[ok]) % 500 * 2 + male[todo[ok]]
            todo = todo[~ok]
            day[todo] = np.minimum(day[todo] + 1, self.days)  # that day is full there: the next day
        return region, day + self.oldest, seq

    def batch(self, n: int) -> dict[str, Any]:
        rng, p = self.rng, self.profile
        ent = rng.choice(len(self.employers), size=n, p=p.size_p)
        male = (rng.random(n) < p.male_p[ent]).astype(np.int64)
        region, birth_ord, seq = self._birth_and_sequence(n, male)
        # skill level by the employer's mix (inverse CDF per row)
        cdf = np.cumsum(p.level_p[ent], axis=1)
        level = (rng.random(n)[:, None] > cdf).sum(axis=1).clip(0, len(LEVELS) - 1)
        emp = (rng.random(n)[:, None] > np.cumsum(p.emp_p[ent], axis=1)).sum(axis=1).clip(0, 3)
        adult = birth_ord + int(18 * 365.25) + 1
        # tenure: exponential with a mean of 9 years (about 10 % hired in the last year), never
        # before the 18th birthday
        today = self.today.toordinal()
        tenure = np.minimum(rng.exponential(9 * 365.25, n).astype(np.int64), today - adult)
        hire = today - np.maximum(tenure, 0)
        hire = np.minimum(hire, self.today.toordinal())
        occ_u, team_u, edu_u, misc_u = (
            rng.random(n),
            rng.random(n),
            rng.random(n),
            rng.random((n, 6)),
        )
        surname = rng.choice(len(self.names.surnames), size=n, p=self.names.surname_p)
        given = rng.integers(0, 10_000, (n, 2))
        two = rng.random(n) < 0.72
        phone_tail = rng.integers(0, 100_000_000, n)
        phone_prefix = rng.integers(0, len(PHONE_PREFIXES), n)
        level_date = hire + ((self.today.toordinal() - hire) * rng.random(n)).astype(np.int64)
        honour_u = rng.random((n, len(HONOURS)))
        honour_year = rng.random(n)
        return {
            "ent": ent,
            "male": male,
            "region": region,
            "birth": birth_ord,
            "seq": seq,
            "level": level,
            "emp": emp,
            "hire": hire,
            "occ_u": occ_u,
            "team_u": team_u,
            "edu_u": edu_u,
            "misc_u": misc_u,
            "surname": surname,
            "given": given,
            "two": two,
            "phone_tail": phone_tail,
            "phone_prefix": phone_prefix,
            "level_date": level_date,
            "honour_u": honour_u,
            "honour_year": honour_year,
        }

    def citizen_ids(self, b: dict[str, Any]) -> list[str]:
        n = b["ent"].size
        regions = np.array([[int(c) for c in code] for code in self.regions])[b["region"]]
        dates = [dt.date.fromordinal(int(o)) for o in b["birth"]]
        ymd = np.array([[d.year, d.month, d.day] for d in dates])
        digits = np.zeros((n, 17), dtype=np.int64)
        digits[:, :6] = regions
        for i, (div, col) in enumerate(((1000, 0), (100, 0), (10, 0), (1, 0))):
            digits[:, 6 + i] = ymd[:, col] // div % 10
        digits[:, 10], digits[:, 11] = ymd[:, 1] // 10, ymd[:, 1] % 10
        digits[:, 12], digits[:, 13] = ymd[:, 2] // 10, ymd[:, 2] % 10
        digits[:, 14], digits[:, 15], digits[:, 16] = (
            b["seq"] // 100,
            b["seq"] // 10 % 10,
            b["seq"] % 10,
        )
        checks = _check_digits(digits)
        return [
            "".join(map(str, row)) + c
            for row, c in zip(digits.tolist(), checks.tolist(), strict=True)
        ]

    def name(self, b: dict[str, Any], i: int) -> tuple[str, str, str]:
        names = self.names
        u = b["misc_u"][i]
        if u[0] < 0.003:
            spread = u[1] * len(MINORITY_FIRST)
            first = MINORITY_FIRST[int(spread)]
            last = MINORITY_LAST[int((spread % 1) * len(MINORITY_LAST))]
            full = f"{first}·{last}"
            return full, "维吾尔族", ""
        surname = names.surnames[b["surname"][i]]
        chars = names.male_chars if b["male"][i] else names.female_chars
        g = chars[b["given"][i][0] % len(chars)] + (
            chars[b["given"][i][1] % len(chars)] if b["two"][i] else ""
        )
        ethnicity = "汉族"
        acc = 0.0
        for ethnic, share in ETHNICITIES:
            acc += share
            if u[1] < acc:
                ethnicity = ethnic
                break
        return surname + g, ethnicity, g


def _pick(u: float, shares: tuple[tuple[str, float], ...]) -> str:
    acc = 0.0
    for value, share in shares:
        acc += share
        if u < acc:
            return value
    return shares[-1][0]


def generate_workers(
    *,
    count: int,
    province: str = "320000",
    org: Organization | None = None,
    seed: int = 1,
    batch_size: int = BATCH,
    rebuild: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Generate ``count`` workers (see the module doc); returns counts and seconds."""
    started = time.perf_counter()
    root = org or province_org(province)
    province = root.region_id[:2] + "0000"
    employers = employers_of(root)
    if not employers:
        if root.kind not in (
            Organization.Kind.PROVINCIAL,
            Organization.Kind.CITY,
            Organization.Kind.COUNTY,
        ):
            raise ValueError(f"{root} has no enterprises and is not a federation to create them in")
        ensure_enterprises(root, max(8, min(4000, count // 2500)), seed)
        employers = employers_of(root)
    today = timezone.localdate()
    gen = Generator(employers, province, seed, today)
    created = existing = 0
    done = 0
    while done < count:
        n = min(batch_size, count - done)
        made, skipped = _write_batch(gen, gen.batch(n))
        created, existing, done = created + made, existing + skipped, done + n
        if progress:
            progress(done, count)
    audit(
        actor=SYSTEM,
        action="worker.generate",
        organization=root,
        details={"count": count, "created": created, "existing": existing, "seed": seed},
    )
    rollup_seconds = 0.0
    if rebuild:
        meta = rollups_rebuild()
        rollup_seconds = meta.seconds
    return {
        "count": count,
        "created": created,
        "existing": existing,
        "employers": len(employers),
        "seconds": round(time.perf_counter() - started, 2),
        "rollup_seconds": round(rollup_seconds, 2),
    }


def _write_batch(gen: Generator, b: dict[str, Any]) -> tuple[int, int]:
    now = timezone.now()
    ids = gen.citizen_ids(b)
    hashes = [personal.citizen_id_hash(c) for c in ids]
    with transaction.atomic():
        known = bulk.ids_by_hash(hashes)
        rows: list[tuple[Any, ...]] = []
        keep: list[int] = []
        codes = bulk.new_codes(len(ids))
        p = gen.profile
        for i, cid in enumerate(ids):
            if hashes[i] in known:
                continue
            e = int(b["ent"][i])
            employer = gen.employers[e]
            name, ethnicity, given = gen.name(b, i)
            if given:
                surname = name[: len(name) - len(given)]
                s_py, s_in = gen.names.pinyin(surname, True)
                g_py, g_in = gen.names.pinyin(given, False)
                py, initials = s_py + g_py, s_in + g_in
            else:
                py, initials = pinyin_key(name, surname=True), pinyin_initials(name, surname=True)
            occ_codes, occ_p = p.occupations[e], p.occupation_p[e]
            occupation = occ_codes[
                min(int(np.searchsorted(np.cumsum(occ_p), b["occ_u"][i])), len(occ_codes) - 1)
            ]
            teams = employer.team_ids
            team = (
                teams[int(b["team_u"][i] * len(teams) / 0.6)]
                if teams and b["team_u"][i] < 0.6
                else None
            )
            edu = EDUCATION_MIX[int(p.skilled[e])]
            education = _pick(float(b["edu_u"][i]), tuple(zip(EDUCATION, edu, strict=True)))
            u = b["misc_u"][i]
            phone = (
                ""
                if u[2] < 0.08
                else f"{PHONE_PREFIXES[b['phone_prefix'][i]]}{b['phone_tail'][i]:08d}"
            )
            level = LEVELS[int(b["level"][i])]
            age_years = (gen.today.toordinal() - int(b["birth"][i])) / 365.25
            status = (
                "retired"
                if age_years >= 55 and u[3] < 0.08
                else "left"
                if u[3] > 0.97
                else "active"
            )
            rows.append(
                (
                    codes[i],
                    employer.id,
                    employer.enterprise_id,
                    team,
                    name,
                    py[:200],
                    initials[:50],
                    personal.encrypt(cid),
                    hashes[i],
                    cid[-4:],
                    personal.mask_citizen_id(cid),
                    "M" if b["male"][i] else "F",
                    dt.date.fromordinal(int(b["birth"][i])),
                    ethnicity,
                    education,
                    _pick(float(u[4]), POLITICAL),
                    personal.encrypt(phone),
                    personal.mask_phone(phone),
                    personal.phone_digest(phone),
                    f"G{e:04d}{i:06d}"[-12:],
                    occupation,
                    "2022",
                    "",
                    level,
                    dt.date.fromordinal(int(b["hire"][i])),
                    EMPLOYMENT[int(b["emp"][i])],
                    status,
                    now,
                    now,
                )
            )
            keep.append(i)
        if not rows:
            return 0, len(ids)
        bulk.insert_rows(
            Worker, bulk.WORKER_COLUMNS, rows
        )  # all new (known IDs were left out): plain COPY
        worker_ids = bulk.ids_by_hash([hashes[i] for i in keep])
        _write_history(gen, b, keep, [worker_ids[hashes[i]] for i in keep], now)
    return len(rows), len(ids) - len(rows)


def _write_history(
    gen: Generator, b: dict[str, Any], keep: list[int], worker_ids: list[int], now: Any
) -> None:
    level_rows: list[tuple[Any, ...]] = []
    honour_rows: list[tuple[Any, ...]] = []
    year = gen.today.year
    codes = iter(bulk.new_codes(2 * len(keep)))
    for i, wid in zip(keep, worker_ids, strict=True):
        rank = int(b["level"][i])
        if rank:
            before = LEVELS[rank - 1] if rank > 2 else None
            level_rows.append(
                (
                    next(codes),
                    wid,
                    dt.date.fromordinal(int(b["level_date"][i])),
                    SOURCE,
                    "",
                    None,
                    now,
                    before,
                    LEVELS[rank],
                    "",
                    False,
                )
            )
        boost = rank >= 5
        for k, (title, level, rate, multiplier) in enumerate(HONOURS):
            if b["honour_u"][i][k] < rate * (multiplier if boost else 0.3 if rank < 4 else 1):
                hired = dt.date.fromordinal(int(b["hire"][i])).year
                first = max(hired, 1990)
                when = min(year, first + int(b["honour_year"][i] * (year - first + 1)))
                honour_rows.append(
                    (
                        next(codes, bulk.new_codes(1)[0]),
                        wid,
                        dt.date(when, 5, 1),
                        SOURCE,
                        "",
                        None,
                        now,
                        title,
                        level,
                        when,
                        "",
                        False,
                    )
                )
    bulk.insert_level_changes(level_rows)
    bulk.insert_rows(
        Honour,
        (*bulk.HISTORY_COLUMNS, "title", "level", "year", "awarded_by", "revoked"),
        honour_rows,
    )


#: besides the demo province (and the second demo province, ``ctx.other_province``): provinces
#: whose federations get enterprises and workers too, so that a national view is not 30 empty
#: provinces and one full one — (region code, workers)
DEMO_PROVINCES = (
    ("440000", 1200),  # 广东
    ("370000", 1000),  # 山东
    ("410000", 900),  # 河南
    ("510000", 800),  # 四川
    ("420000", 700),  # 湖北
    ("210000", 600),  # 辽宁
)
OTHER_DEMO_PROVINCE_WORKERS = 1000


def load_demo_workers(ctx: Any, count: int = 20_000, seed: int = 2026) -> dict[str, Any]:
    """The demo's workers: ``count`` generated workers, most in the demo province's enterprises and
    the rest in the second demo province and the ``DEMO_PROVINCES`` (idempotent: a second run
    finds them all and adds nothing). Call from workforce/demo.py."""
    province = getattr(ctx, "province", None)
    other = getattr(ctx, "other_province", None)
    plan: list[tuple[Organization | None, str, int]] = []
    if other is not None:
        plan.append((other, "", OTHER_DEMO_PROVINCE_WORKERS))
    plan += [(None, code, n) for code, n in DEMO_PROVINCES]
    plan.insert(0, (province, "320000", count - sum(n for _o, _c, n in plan)))
    created = existing = 0
    seconds = 0.0
    for index, (root, code, n) in enumerate(plan):
        root = root or province_org(code)
        have = Worker.objects.filter(organization__path__startswith=root.path).count()
        if have >= n:
            existing += n
            continue
        result = generate_workers(count=n, org=root, seed=seed + index, rebuild=False)
        created, existing = created + result["created"], existing + result["existing"]
        seconds += result["seconds"]
    if created:
        rollups_rebuild()
    return {"count": count, "created": created, "existing": existing, "seconds": round(seconds, 2)}


def demo_workers(ctx: Any, stdout: Any) -> int:
    """The hook workforce/demo.py looks for: about 20,000 workers in several provinces."""
    result = load_demo_workers(ctx)
    if stdout is not None and result.get("created"):
        stdout.write(f"  generated {result['created']:,} workers in {result.get('seconds', 0)} s\n")
    return Worker.objects.count()

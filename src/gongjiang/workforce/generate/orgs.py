"""Organisations for the synthetic-data generator: the province, its city federations and
enterprises with teams (created through ``core.services.organization_create``), and the
enterprises that get workers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from gongjiang.core.actors import SYSTEM, audit
from gongjiang.core.models import Enterprise, Organization, Region
from gongjiang.core.validators import uscc_with_check

from .data import BRANDS, COMPANY_FORMS, ENTERPRISE_KINDS, SOURCE


@dataclass
class Employer:
    id: int  # the enterprise union (the worker's organization)
    region_id: str
    industry_id: str
    team_ids: list[int]
    enterprise_id: int = 0  # the enterprise itself (the worker's employer)


def _uscc(seed: str, region: str) -> str:
    digits = "".join(str(int(c, 16) % 10) for c in hashlib.sha256(seed.encode()).hexdigest())
    org_code = digits[:8]
    total = sum(int(c) * w for c, w in zip(org_code, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))
    return uscc_with_check("91" + region + org_code + check)


def _create_org(**fields: Any) -> Organization:
    """core.services.organization_create as the system (audited through the workforce actor)."""
    from gongjiang.core.services import organization_create

    org = organization_create(actor=SYSTEM, audit=False, **fields)
    audit(
        actor=SYSTEM,
        action="organization.create",
        obj=org,
        organization=org,
        details={"name": org.name, "kind": org.kind, "region": org.region_id, "source": SOURCE},
    )
    return org


def province_org(code: str) -> Organization:

    org = (
        Organization.objects.filter(kind=Organization.Kind.PROVINCIAL, region_id=code)
        .order_by("path")
        .first()
    )
    if org is not None:
        return org
    national = Organization.objects.filter(kind=Organization.Kind.NATIONAL).order_by("path").first()
    if national is None:
        national = _create_org(parent=None, name="中华全国总工会", kind="national", region="110000")
    name = Region.objects.get(code=code).name
    return _create_org(parent=national, name=f"{name}总工会", kind="provincial", region=code)


def ensure_enterprises(parent: Organization, count: int, seed: int) -> None:
    """Create ``count`` enterprises with teams under city federations of ``parent`` (a province
    or city federation), in real cities and counties, with real industries and valid USCCs."""
    rng = np.random.default_rng(seed + 7)
    province = parent.region_id[:2]
    cities = list(
        Region.objects.filter(code__startswith=province, level=Region.Level.CITY).order_by("code")
    )
    counties = list(
        Region.objects.filter(code__startswith=province, level=Region.Level.COUNTY).order_by("code")
    )
    homes: list[Organization] = []
    if parent.kind == Organization.Kind.PROVINCIAL and cities:
        for city in cities:
            home = Organization.objects.filter(
                parent=parent, region_id=city.code, kind="city"
            ).first()
            homes.append(
                home
                or _create_org(
                    parent=parent, name=f"{city.name}总工会", kind="city", region=city.code
                )
            )
    else:
        homes = [parent]
    for i in range(count):
        home = homes[i % len(homes)]
        local = (
            [c for c in counties if c.code.startswith(home.region_id[:4])]
            or counties
            or [home.region]
        )
        county = local[int(rng.integers(len(local)))]
        industry, product = ENTERPRISE_KINDS[int(rng.integers(len(ENTERPRISE_KINDS)))]
        place = Region.objects.get(code=home.region_id).name.rstrip("市省")[:4]
        brand = BRANDS[i % len(BRANDS)] + BRANDS[(i // len(BRANDS)) % len(BRANDS)][:1]
        if i < len(BRANDS):
            brand = BRANDS[i]
        serial = "" if i < len(BRANDS) ** 2 else str(i // len(BRANDS) ** 2 + 1)
        form = COMPANY_FORMS[i % len(COMPANY_FORMS)]
        name = f"{place}{brand}{product}{serial}{form}工会"  # the union of 南京恒达特钢有限公司
        if Organization.objects.filter(parent=home, name=name).exists():
            continue
        ent = _create_org(
            parent=home,
            name=name,
            kind="enterprise",
            region=county.code,
            industry=industry,
            short_name=f"{brand}{product}{serial}",
            uscc=_uscc(f"{parent.code}-{name}", county.code),
        )
        for team in ("一车间", "二车间", "综合班组")[: int(rng.integers(1, 4))]:
            _create_org(parent=ent, name=team, kind="team", region=county.code)


def employers_of(root: Organization) -> list[Employer]:
    rows = list(
        Organization.objects.filter(
            path__startswith=root.path, kind=Organization.Kind.ENTERPRISE, is_active=True
        )
        .order_by("path")
        .values_list("id", "path", "region_id", "industry_id")
    )
    teams: dict[str, list[int]] = {}
    for tid, tpath in (
        Organization.objects.filter(
            path__startswith=root.path, kind=Organization.Kind.TEAM, is_active=True
        )
        .order_by("path")
        .values_list("id", "path")
    ):
        teams.setdefault(tpath[: -Organization.SEGMENT], []).append(tid)
    enterprises: dict[int, int] = {}
    for union_id, enterprise_id in (
        Enterprise.objects.filter(union__path__startswith=root.path, is_active=True)
        .order_by("-id")
        .values_list("union_id", "id")
    ):
        enterprises[union_id] = enterprise_id
    return [
        Employer(i, region, industry or "3311", teams.get(path, []), enterprises[i])
        for i, path, region, industry in rows
        if i in enterprises
    ]


# ------------------------------------------------------------------------------ generation

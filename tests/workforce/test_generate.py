"""The synthetic-data generator: reproducible, valid, realistic mixes, idempotent."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from gongjiang.core.models import Organization
from gongjiang.core.validators import normalize_citizen_id
from gongjiang.workforce import personal
from gongjiang.workforce.analytics.rollups import rollups_verify
from gongjiang.workforce.generate.workers import generate_workers
from gongjiang.workforce.models import Honour, SkillLevelChange, Worker
from tests.factories import OrganizationFactory

HIGH = {"SENIOR", "TECHNICIAN", "SENIOR_TECHNICIAN", "PRINCIPAL_TECHNICIAN", "CHIEF_TECHNICIAN"}
FIELDS = (
    "name",
    "name_pinyin",
    "name_initials",
    "citizen_id_hash",
    "gender",
    "birth_date",
    "ethnicity",
    "education",
    "occupation_id",
    "skill_level_id",
    "hire_date",
    "employment_type",
    "status",
    "organization__name",
    "phone_masked",
)


def _rows() -> list[tuple[Any, ...]]:
    return list(Worker.objects.order_by("citizen_id_hash").values_list(*FIELDS))


@pytest.mark.django_db
def test_same_seed_same_rows_and_idempotent(world: Any) -> None:
    generate_workers(count=400, org=world.province_a, seed=11, batch_size=150)
    first = _rows()
    assert len(first) == 400
    again = generate_workers(count=400, org=world.province_a, seed=11, batch_size=150)
    assert again["created"] == 0 and again["existing"] == 400
    assert _rows() == first
    Worker.objects.all().delete()
    generate_workers(count=400, org=world.province_a, seed=11, batch_size=150)
    assert _rows() == first
    Worker.objects.all().delete()
    generate_workers(count=400, org=world.province_a, seed=12, batch_size=150)
    assert _rows() != first


@pytest.mark.django_db
def test_rows_are_valid(world: Any) -> None:
    result = generate_workers(count=1500, province="440000", seed=3)
    assert result["created"] == 1500
    province = Organization.objects.get(kind="provincial", region_id="440000")
    enterprises = Organization.objects.filter(path__startswith=province.path, kind="enterprise")
    assert enterprises.count() >= 8 and all(e.industry_id and e.uscc for e in enterprises)
    assert Organization.objects.filter(path__startswith=province.path, kind="city").exists()
    today = timezone.localdate()
    hashes = set()
    for w in Worker.objects.filter(organization__path__startswith=province.path).iterator():
        number = personal.decrypt(w.citizen_id_encrypted)
        assert normalize_citizen_id(number) == number  # 18 characters, real date, right check digit
        assert personal.citizen_id_hash(number) == w.citizen_id_hash
        assert (
            w.citizen_id_masked == personal.mask_citizen_id(number)
            and w.citizen_id_last4 == number[-4:]
        )
        assert w.gender == ("M" if int(number[16]) % 2 else "F")
        assert dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14])) == w.birth_date
        age = (today - w.birth_date).days / 365.25
        assert 18 <= age < 61
        assert w.hire_date is not None and w.hire_date <= today
        assert (w.hire_date - w.birth_date).days >= 18 * 365
        assert w.organization.kind == "enterprise"
        assert w.team is None or w.team.path.startswith(w.organization.path)
        phone = personal.decrypt(w.phone_encrypted)
        assert phone == "" or (
            len(phone) == 11 and phone[0] == "1" and w.phone_masked == personal.mask_phone(phone)
        )
        assert w.name and w.name_pinyin and w.name_initials
        hashes.add(w.citizen_id_hash)
    assert len(hashes) == 1500
    born_here = Worker.objects.filter(organization__path__startswith=province.path)
    local = sum(
        1 for m in born_here.values_list("citizen_id_masked", flat=True) if m.startswith("44")
    )
    assert local > 0.75 * 1500
    surnames = Counter(n[0] for n in born_here.values_list("name", flat=True))
    assert surnames.most_common(1)[0][0] in "王李张刘陈"
    assert (
        SkillLevelChange.objects.filter(
            worker__organization__path__startswith=province.path
        ).count()
        > 500
    )
    assert rollups_verify() == []


@pytest.mark.django_db
def test_skill_mix_differs_by_industry(world: Any) -> None:
    rail = OrganizationFactory(
        parent=world.city_a,
        name="轨交装备工会",
        kind="enterprise",
        region="320111",
        industry="3711",
    )
    build = OrganizationFactory(
        parent=world.city_a,
        name="建工集团工会",
        kind="enterprise",
        region="320105",
        industry="4710",
    )
    generate_workers(count=3000, org=world.city_a, seed=5)

    def share(org: Organization) -> float:
        qs = Worker.objects.filter(organization=org)
        return qs.filter(skill_level_id__in=HIGH).count() / max(1, qs.count())

    assert Worker.objects.filter(organization=rail).count() > 100
    assert Worker.objects.filter(organization=build).count() > 100
    assert 0.5 < share(rail) < 0.75
    assert share(build) < 0.25
    rail_occupations = set(
        Worker.objects.filter(organization=rail).values_list("occupation_id", flat=True)
    )
    assert any(code.startswith("6-23") for code in rail_occupations)
    build_occupations = set(
        Worker.objects.filter(organization=build).values_list("occupation_id", flat=True)
    )
    assert any(code.startswith(("6-29", "6-30")) for code in build_occupations)
    honours = Honour.objects.count()
    assert honours < 3000 * 0.05


@pytest.mark.django_db
def test_command(world: Any, capsys: Any) -> None:
    call_command(
        "generate", "workers", "--count", "50", "--org", world.enterprise_a.code, "--seed", "2"
    )
    assert Worker.objects.filter(organization=world.enterprise_a).count() == 50
    assert "50 workers created" in capsys.readouterr().out

"""Careers lists page instead of cutting at 200 (issue #17): the apprenticeship desk (pilots,
cohorts, institutions, claims), a pilot's cohorts and a cohort's apprentices come in pages of 50
with "page n of m (N in all)" counted inside the reader's scope, each list with a parameter of its
own; nobody out of scope is counted."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from gongjiang.careers.models_apprentice import Apprentice, ApprenticeCohort, TrainingInstitution

from . import apprentice_helpers
from .apprentice_helpers import (
    END,
    START,
    WELDER,
    Appr,
    trainee,
)

pytestmark = pytest.mark.django_db
appr = apprentice_helpers.appr


def test_a_cohort_of_more_than_one_page(client: Any, world: Any, appr: Appr) -> None:
    workers = [trainee(world.enterprise_a, 200 + i) for i in range(57)]
    Apprentice.objects.bulk_create(
        Apprentice(
            cohort=appr.cohort,
            worker=w,
            origin="new_hire",
            signed_on=START,
            contract_months=36,
            starts_on=START,
            ends_on=END,
            mentor=appr.mentor,
            teacher_name="王老师",
        )
        for w in workers
    )
    client.force_login(appr.hr)
    url = reverse("careers:apprentice_cohort", args=[appr.cohort.code])
    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    codes = set(Apprentice.objects.filter(cohort=appr.cohort).values_list("code", flat=True))
    on_first = {c for c in codes if f"/apprentices/{c}/" in first}
    on_second = {c for c in codes if f"/apprentices/{c}/" in second}
    assert len(on_first) == 50 and len(on_second) == 7
    assert on_first | on_second == codes  # nobody is lost between the pages
    assert "57" in first and "page=2" in first
    # the reader out of scope gets 404, never a count
    client.force_login(world.bob)
    assert client.get(url, {"page": 2}).status_code == 404


def test_desk_lists_page_apart_and_count_in_scope(client: Any, world: Any, appr: Appr) -> None:
    TrainingInstitution.objects.bulk_create(
        TrainingInstitution(organization=world.province_a, name=f"A校{i:03}", kind="technical")
        for i in range(60)
    )
    TrainingInstitution.objects.bulk_create(  # out of alice's scope: never counted
        TrainingInstitution(organization=world.province_b, name=f"B校{i:03}", kind="technical")
        for i in range(9)
    )
    ApprenticeCohort.objects.bulk_create(
        ApprenticeCohort(
            pilot=appr.pilot,
            institution=appr.institution,
            name=f"班{i:03}",
            occupation_id=WELDER,
            level_id="SENIOR",
            year=2024,
        )
        for i in range(52)
    )
    client.force_login(world.alice)
    url = reverse("careers:apprenticeship")
    page = client.get(url).content.decode()
    institutions = page[page.index('id="institutions"') :]
    assert "61" in institutions[: institutions.index("</section>")]  # 60 + the fixture's one
    assert "B校" not in page
    assert 'data-param="institutions"' in page and 'data-param="cohorts"' in page
    cohorts = page[page.index('id="cohorts"') :]
    assert "53" in cohorts[: cohorts.index("</section>")]  # 52 + the fixture's cohort
    # the second page of one list leaves the others on their first page
    page2 = client.get(url, {"institutions": 2}).content.decode()
    assert "A校059" in page2 and "A校000" not in page2
    assert "班000" in page2 or "2025级焊工学徒班" in page2
    client.force_login(world.bob)
    assert "A校" not in client.get(url).content.decode()


def test_pilot_cohorts_page(client: Any, world: Any, appr: Appr) -> None:
    ApprenticeCohort.objects.bulk_create(
        ApprenticeCohort(
            pilot=appr.pilot,
            institution=appr.institution,
            name=f"班{i:03}",
            occupation_id=WELDER,
            level_id="SENIOR",
            year=2020,
        )
        for i in range(55)
    )
    client.force_login(appr.hr)
    url = reverse("careers:apprentice_pilot", args=[appr.pilot.code])
    first = client.get(url).content.decode()
    last = client.get(url, {"page": 2}).content.decode()
    shown = [n for n in (f"班{i:03}" for i in range(55)) if n in first or n in last]
    assert len(shown) == 55 and "56" in first

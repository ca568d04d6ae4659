"""Marks that ask first: a measurement far outside any plausible range (10.06 for 100 ± 0.05) and a
change to an entrant whose sheet is complete answer 422 with a clear code until confirmed — on the
service, the API (``confirm: true``) and the judge's page (a "save anyway" button)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from gongjiang.competitions import marking
from gongjiang.competitions.models import Aspect, JudgeAssignment, Mark
from gongjiang.core.errors import ApplicationError

from .factories import assign_judges, confirmed_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world: Any, comp: dict[str, Any], workers: list[Any]) -> dict[str, Any]:
    stage = comp["stages"][0]
    assign_judges(world.alice, stage, comp["criteria"], comp["judges"])
    entry = confirmed_entry(world.alice, stage, comp["trade"], workers[0])
    by_label = {a.label: a for a in Aspect.objects.filter(criterion__trade=comp["trade"])}
    judge = comp["judges"][1]
    assignment = JudgeAssignment.objects.get(
        user=judge, stage=stage, criterion=by_label["A1.1"].criterion
    )
    return {"entry": entry, "a": by_label, "judge": judge, "assignment": assignment}


def test_plausible_band_rule() -> None:
    aspect = Aspect(target=Decimal(80), tolerance=Decimal("0.02"))
    assert marking.plausible_band(aspect) == 40  # half the target beats ten tolerances
    assert marking.implausible(aspect, Decimal("10.06"))
    assert not marking.implausible(aspect, Decimal("80.5"))  # a real miss: 0 marks, no question
    small = Aspect(target=Decimal("0.5"), tolerance=Decimal("0.1"))
    assert marking.plausible_band(small) == 1  # ten tolerances
    assert not marking.implausible(Aspect(target=Decimal(0), tolerance=None), Decimal(7))


def test_implausible_measurement_asks_before_saving_zero(setup: dict[str, Any]) -> None:
    entry, length, judge = setup["entry"], setup["a"]["A1.1"], setup["judge"]
    with pytest.raises(ApplicationError) as exc:
        marking.mark_save(actor=judge, entry=entry, aspect=length, value="10.06", version=0)
    assert exc.value.status == 422 and exc.value.code == "implausible_measurement"
    assert "10.06" in exc.value.message and "100 ± 0.05" in exc.value.message
    assert not Mark.objects.filter(entry=entry, aspect=length).exists()
    saved = marking.mark_save(
        actor=judge, entry=entry, aspect=length, value="10.06", version=0, confirm=True
    )
    assert saved.mark.mark == 0 and saved.mark.value == Decimal("10.06")
    # a plausible miss is saved at once (0 marks, no question)
    marking.mark_save(actor=judge, entry=entry, aspect=length, value="101", version=1)


def test_api_answers_422_until_confirmed(client: Any, setup: dict[str, Any]) -> None:
    entry, judge = setup["entry"], setup["judge"]
    length, holes = setup["a"]["A1.1"], setup["a"]["A1.2"]
    client.force_login(judge)

    def put(aspect: Aspect, value: str, version: int, **extra: Any) -> Any:
        body = {"entry": entry.code, "aspect": aspect.code, "value": value, "version": version}
        return client.put(
            "/api/v1/competitions/judging/marks",
            data=json.dumps({**body, **extra}),
            content_type="application/json",
        )

    r = put(length, "10.06", 0)
    assert r.status_code == 422 and r.json()["code"] == "implausible_measurement"
    assert r.json()["details"][0]["field"] == "value"
    assert put(length, "10.06", 0, confirm=True).status_code == 201
    # complete the sheet (A1.1 and A1.2), then a change asks first
    assert put(holes, "25", 0).status_code == 201
    r = put(length, "100", 1)
    assert r.status_code == 422 and r.json()["code"] == "overwrite_complete"
    assert Mark.objects.get(entry=entry, aspect=length).value == Decimal("10.06")
    r = put(length, "100", 1, confirm=True)
    assert r.status_code == 200 and Decimal(r.json()["mark"]) == 30


def test_page_offers_save_anyway(client: Any, setup: dict[str, Any]) -> None:
    entry, length, judge, a = (
        setup["entry"],
        setup["a"]["A1.1"],
        setup["judge"],
        setup["assignment"],
    )
    client.force_login(judge)
    url = reverse("competitions:mark_save", args=[a.code, entry.code, length.code])
    r = client.post(url, {"value": "10.06", "version": "0"})
    assert r.status_code == 422
    body = r.content.decode()
    assert "mark-confirm" in body and 'name="confirm" value="1"' in body
    assert not Mark.objects.filter(entry=entry, aspect=length).exists()
    r = client.post(url, {"value": "10.06", "version": "0", "confirm": "1"})
    assert r.status_code == 200 and "mark-confirm" not in r.content.decode()
    assert Mark.objects.get(entry=entry, aspect=length).mark == 0
    # an incomplete sheet is changed without a question
    r = client.post(url, {"value": "100", "version": "1"})
    assert r.status_code == 200
    assert Mark.objects.get(entry=entry, aspect=length).mark == 30

"""Blind judging: draw numbers by lot at check-in (audited), judges see only numbers on every page,
API answer and export until the stage's results are published; the organiser sees both; conflict
checks still work on the hidden identity."""

from __future__ import annotations

import io
import json
from typing import Any

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from gongjiang.competitions import marking, services
from gongjiang.competitions.draw import draw_lots
from gongjiang.competitions.models import Aspect, Entry, JudgeAssignment
from gongjiang.core.models import AuditEvent

from .factories import assign_judges, confirmed_entry, score_entry

pytestmark = pytest.mark.django_db


def _identities(entries: list[Entry]) -> list[str]:
    out = set()
    for e in entries:
        out |= {e.worker.name, e.sending_org.name, e.worker.organization.name}
    return sorted(out)


def _blind_stage(world: Any, comp: dict[str, Any], workers: list[Any]) -> tuple[Any, list[Entry]]:
    stage, trade = comp["stages"][0], comp["trade"]
    assign_judges(world.alice, stage, comp["criteria"], comp["judges"])
    entries = [confirmed_entry(world.alice, stage, trade, w, theory=70) for w in workers[:4]]
    score_entry(entries[0], comp["judges"], 1)  # a spread flag needs differing scores:
    aspect = Aspect.objects.filter(criterion__trade=trade, kind="judgement").first()
    mark = entries[0].marks.get(aspect=aspect, judge=comp["judges"][1])
    marking.mark_save(
        actor=comp["judges"][1],
        entry=entries[0],
        aspect=aspect,
        value=3,
        version=mark.version,
        confirm=True,
    )
    return stage, entries


def test_draw_is_a_random_permutation_audited_and_for_the_organiser_only(
    client: Any, world: Any, comp: dict[str, Any], workers: list[Any]
) -> None:
    stage, trade = comp["stages"][0], comp["trade"]
    entries = []
    for w in workers[:5]:
        e = services.entry_register(actor=world.alice, stage=stage, trade=trade, worker=w)
        services.entry_confirm(actor=world.alice, entry=e)
        entries.append(e)
    late = services.entry_register(actor=world.alice, stage=stage, trade=trade, worker=workers[5])
    client.force_login(world.bob)  # outside the organiser's scope: like missing
    assert client.post(f"/api/v1/competitions/stages/{stage.code}/draw").status_code == 404
    client.force_login(world.alice)
    r = client.post(f"/api/v1/competitions/stages/{stage.code}/draw")
    assert r.status_code == 200 and r.json()["drawn"] == 5
    numbers = {e.code: e.draw_number for e in Entry.objects.filter(pk__in=[e.pk for e in entries])}
    assert sorted(numbers.values()) == [1, 2, 3, 4, 5]
    assert {row["entry"]: row["draw_number"] for row in r.json()["entries"]} == numbers
    row = AuditEvent.objects.get(action="competition.draw")
    assert row.actor == world.alice and row.details["numbers"] == numbers
    # a second draw keeps the numbers; an entrant checked in later draws the next one
    services.entry_confirm(actor=world.alice, entry=late)
    assert draw_lots(actor=world.alice, stage=stage, trade=trade) == {late.code: 6}
    assert {
        e.code: e.draw_number for e in Entry.objects.filter(pk__in=[e.pk for e in entries])
    } == numbers
    # the page's button does the same
    r = client.post(
        reverse("competitions:stage_act", args=[comp["competition"].code, stage.code]),
        {"action": "draw"},
        follow=True,
    )
    assert r.status_code == 200
    client.force_login(comp["judges"][0])  # a judge does not draw lots
    assert client.post(f"/api/v1/competitions/stages/{stage.code}/draw").status_code in (403, 404)


def test_judge_pages_api_and_export_show_only_numbers_until_published(
    client: Any, world: Any, comp: dict[str, Any], workers: list[Any]
) -> None:
    stage, entries = _blind_stage(world, comp, workers)
    chief = comp["judges"][0]
    secrets_ = _identities(entries)
    client.force_login(chief)
    flagged = Aspect.objects.filter(criterion__trade=comp["trade"], kind="judgement").first()
    assignment = JudgeAssignment.objects.get(
        user=chief, stage=stage, is_chief=True, criterion=flagged.criterion
    )
    pages = [
        reverse("competitions:judge_home"),
        reverse("competitions:judge_queue", args=[assignment.code]),
        reverse("competitions:chief", args=[assignment.code]),
        reverse("competitions:judge_export", args=[assignment.code]),
        f"/api/v1/competitions/judging/assignments/{assignment.code}/queue",
        "/api/v1/competitions/judging/assignments",
    ] + [reverse("competitions:mark_sheet", args=[assignment.code, e.code]) for e in entries]
    bodies = {}
    for url in pages:
        r = client.get(url)
        assert r.status_code == 200, url
        body = r.content
        if url.endswith(".xlsx"):
            book = openpyxl.load_workbook(io.BytesIO(body))
            body = json.dumps(
                [list(row) for row in book.active.iter_rows(values_only=True)],
                ensure_ascii=False,
                default=str,
            ).encode()
        bodies[url] = body
        for secret in secrets_:
            assert secret.encode() not in body, (url, secret)
    queue = json.loads(bodies[pages[4]])
    assert [q["label"] for q in queue] == ["1号", "2号", "3号", "4号"]
    assert all(q["name"] is None and q["sending_org"] is None for q in queue)
    numbers = {e.draw_number for e in Entry.objects.filter(pk__in=[e.pk for e in entries])}
    assert {q["draw_number"] for q in queue} == numbers
    assert "1号".encode() in bodies[pages[3]]  # the export names entrants by number
    assert "号".encode() in bodies[pages[2]]  # the chief's spread flag, by number
    # the organiser sees both, on the entries page and the results page
    client.force_login(world.alice)
    body = client.get(reverse("competitions:entries", args=[comp["competition"].code])).content
    assert entries[0].worker.name.encode() in body
    r = client.get(f"/api/v1/competitions/{comp['competition'].code}/entries")
    assert {e["draw_number"] for e in r.json()} == numbers
    # published: the judge sees names again
    stage.published_at = timezone.now()
    stage.save(update_fields=["published_at"])
    client.force_login(chief)
    body = client.get(pages[1]).content
    assert entries[0].worker.name.encode() in body
    queue = client.get(pages[4]).json()
    assert entries[0].worker.name in {q["name"] for q in queue}


def test_blind_judging_is_per_competition(client, world, comp, workers) -> None:
    stage, entries = _blind_stage(world, comp, workers)
    services.competition_update(
        actor=world.alice, competition=comp["competition"], blind_judging=False
    )
    a = JudgeAssignment.objects.filter(user=comp["judges"][0], stage=stage).first()
    client.force_login(comp["judges"][0])
    body = client.get(reverse("competitions:judge_queue", args=[a.code])).content
    assert all(e.worker.name.encode() in body for e in entries)
    client.force_login(world.alice)
    r = client.post(
        "/api/v1/competitions/",
        data=json.dumps(
            {"organiser": world.province_a.code, "name": "赛", "year": 2026, "level": "province"}
        ),
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["blind_judging"] is True  # blind is the default


def test_conflicts_work_on_the_hidden_identity(client, world, comp, workers) -> None:
    stage, entries = _blind_stage(world, comp, workers)
    judge = comp["judges"][1]
    marking.judge_conflict_declare(actor=judge, entry=entries[1], reason="前同事")
    aspect = Aspect.objects.filter(criterion__trade=comp["trade"], kind="judgement").first()
    a = JudgeAssignment.objects.get(user=judge, stage=stage, criterion=aspect.criterion)
    client.force_login(judge)
    queue = client.get(f"/api/v1/competitions/judging/assignments/{a.code}/queue").json()
    assert entries[1].code not in {q["entry"] for q in queue}  # left out, not named
    r = client.put(
        "/api/v1/competitions/judging/marks",
        data=json.dumps(
            {"entry": entries[1].code, "aspect": aspect.code, "value": 2, "version": 0}
        ),
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "judge_conflict"
    for secret in _identities(entries):
        assert secret not in r.json()["message"]
    body = client.get(reverse("competitions:mark_sheet", args=[a.code, entries[1].code])).content
    assert b'id="conflict"' in body
    for secret in _identities(entries):
        assert secret.encode() not in body


def test_an_entrant_without_a_number_cannot_be_marked_blind(client, world, comp, workers) -> None:
    stage, trade = comp["stages"][0], comp["trade"]
    assign_judges(world.alice, stage, comp["criteria"], comp["judges"])
    e = services.entry_register(actor=world.alice, stage=stage, trade=trade, worker=workers[0])
    services.entry_confirm(actor=world.alice, entry=e)
    judge = comp["judges"][0]
    a = JudgeAssignment.objects.filter(user=judge, stage=stage).first()
    aspect = Aspect.objects.filter(criterion=a.criterion).first()
    client.force_login(judge)
    r = client.put(
        "/api/v1/competitions/judging/marks",
        data=json.dumps({"entry": e.code, "aspect": aspect.code, "value": 2, "version": 0}),
        content_type="application/json",
    )
    assert r.status_code == 409 and r.json()["code"] == "not_drawn"
    body = client.get(reverse("competitions:judge_queue", args=[a.code])).content
    assert workers[0].name.encode() not in body

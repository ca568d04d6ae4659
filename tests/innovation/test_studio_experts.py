"""Studio leaders are exchange experts through ``exchange.EXPERT_PROVIDERS`` (the exchange never
imports studios): a named studio's leader is marked, with the studio as the reason, on the
service, the page and the API; a proposed or revoked studio marks nobody."""

from __future__ import annotations

import ast
import pathlib
from typing import Any

import pytest

from gongjiang.innovation import exchange
from gongjiang.innovation.models import Studio
from gongjiang.innovation.studio_experts import studio_leader_experts

from .test_studios import honour, propose

pytestmark = pytest.mark.django_db


def test_named_studio_leader_is_an_expert(world: Any, team: Any, client: Any) -> None:
    leader = world.worker_a  # the login of team.workers[0] (李斌)
    honour(team.workers[0])
    assert studio_leader_experts in exchange.EXPERT_PROVIDERS
    studio = propose(world, team)
    assert exchange.expert_reasons([leader]) == {}  # proposed: not yet
    from gongjiang.innovation import studios

    studios.studio_approve(actor=world.alice, studio=studio)
    reason = exchange.expert_reasons([leader])[leader.pk]
    assert "李斌劳模创新工作室" in reason
    # shown beside the leader's answer on the page and in the API
    question = exchange.question_ask(
        actor=world.enterprise_officer_a, title="焊缝跟踪怎么调", body="偏差大", topic="焊接"
    )
    exchange.answer_post(actor=leader, question=question, body="先校准激光传感器的零点。")
    client.force_login(world.bob)
    page = client.get(f"/innovation/exchange/q/{question.code}/").content.decode()
    assert "gj-expert" in page and "李斌劳模创新工作室" in page
    data = client.get(f"/api/v1/innovation/exchange/questions/{question.code}").json()
    experts = [a["author"]["expert"] for a in data["answers"]]
    assert any(e and "李斌劳模创新工作室" in str(e) for e in experts)
    # a studio marked for revocation is still named; a revoked one marks nobody
    Studio.objects.filter(pk=studio.pk).update(status=Studio.Status.MARKED)
    assert leader.pk in exchange.expert_reasons([leader])
    Studio.objects.filter(pk=studio.pk).update(status=Studio.Status.REVOKED)
    assert exchange.expert_reasons([leader]) == {}


def test_leader_of_several_studios_gets_the_highest_level(world: Any, team: Any) -> None:
    honour(team.workers[0], "全国劳动模范", "national")
    low = propose(world, team, level="enterprise", name="企业级工作室")
    high = propose(world, team, level="national", name="国家级工作室")
    Studio.objects.filter(pk__in=[low.pk, high.pk]).update(status=Studio.Status.NAMED)
    assert "国家级工作室" in studio_leader_experts([world.worker_a.pk])[world.worker_a.pk]


def test_exchange_does_not_import_studios() -> None:
    src = pathlib.Path(exchange.__file__).read_text(encoding="utf-8")
    imported = {
        getattr(node, "module", None) or ""
        for node in ast.walk(ast.parse(src))
        if isinstance(node, ast.ImportFrom)
    }
    assert not any("studio" in name for name in imported)

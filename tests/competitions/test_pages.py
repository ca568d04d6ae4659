"""Every page answers anonymous → login, out of scope → 404, in scope → 200 (check_access);
the public results page shows names, organisations and scores and nothing else personal."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from gongjiang.competitions import awards, results
from gongjiang.competitions.models import Aspect, Mark
from tests.access_helpers import check_access
from tests.download_helpers import download_name
from tests.pdf_helpers import assert_cjk_font_embedded

from .factories import assign_judges, confirmed_entry, score_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def marked(world, comp, workers):
    """First stage: three confirmed entrants fully marked by three judges, results computed."""
    stage, trade = comp["stages"][0], comp["trade"]
    assign_judges(world.alice, stage, comp["criteria"], comp["judges"])
    entries = [
        confirmed_entry(world.alice, stage, trade, w, theory=60 + 10 * i)
        for i, w in enumerate(workers[:3])
    ]
    for i, e in enumerate(entries):
        score_entry(e, comp["judges"], i + 1)
    results.results_compute(actor=world.alice, stage=stage, trade=trade)
    comp["entries"] = entries
    return comp


def test_organiser_pages(client, world, marked):
    c = marked["competition"]
    stage = marked["stages"][0]
    for url in (
        reverse("competitions:detail", args=[c.code]),
        reverse("competitions:entries", args=[c.code]),
        reverse("competitions:analytics", args=[c.code]),
        reverse("competitions:stage_results", args=[c.code, stage.code]),
    ):
        r = check_access(client, url=url, in_scope=world.alice, out_of_scope=world.bob)
        assert r.status_code == 200
    r = check_access(
        client, url=reverse("competitions:list"), in_scope=world.alice, out_of_scope=None
    )
    assert c.name.encode() in r.content
    client.force_login(world.bob)
    assert c.name.encode() not in client.get(reverse("competitions:list")).content
    for url, name in (
        (reverse("competitions:entries", args=[c.code]), f"报名-{c.name}.xlsx"),
        (reverse("competitions:analytics", args=[c.code]), f"大赛数据分析-{c.name}.xlsx"),
        (
            reverse("competitions:stage_results", args=[c.code, stage.code]),
            f"成绩-{c.name}-{stage.name}.xlsx",
        ),
    ):
        r = check_access(
            client, url=url + "?export=xlsx", in_scope=world.alice, out_of_scope=world.bob
        )
        assert r["Content-Type"].startswith("application/vnd.openxmlformats")
        assert download_name(r) == name
    # the enterprise that sent entrants sees the competition and its own entries, not the results page
    client.force_login(world.enterprise_officer_a)
    assert client.get(reverse("competitions:entries", args=[c.code])).status_code == 200
    assert (
        client.get(reverse("competitions:stage_results", args=[c.code, stage.code])).status_code
        == 403
    )


def test_create_and_setup_pages(client, world, comp):
    check_access(
        client, url=reverse("competitions:create"), in_scope=world.alice, out_of_scope=world.nobody
    )
    r = client.post(
        reverse("competitions:create"),
        {
            "organization": world.province_a.pk,
            "name": "江苏省职工职业技能大赛",
            "year": 2025,
            "level": "province",
            "klass": "I",
            "theory_weight": "0.3",
            "scaler": "worldskills",
        },
    )
    assert r.status_code == 302
    c = comp["competition"]
    setup = reverse("competitions:setup", args=[c.code])
    check_access(
        client,
        url=setup,
        method="post",
        data={
            "action": "stage",
            "stage-order": 3,
            "stage-name": "决赛",
            "stage-kind": "provincial",
        },
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )
    assert c.stages.filter(name="决赛").exists()
    client.post(
        setup,
        {
            "action": "trade",
            "trade-name": "砌筑工",
            "trade-occupation": "6-29-01-01",
            "trade-skill_level": "SENIOR",
            "trade-excluded_titles": "全国技术能手",
        },
    )
    assert c.trades.get(name="砌筑工").excluded_titles == ["全国技术能手"]
    client.post(
        setup,
        {
            "action": "quota",
            "stage": comp["stages"][0].code,
            "trade": comp["trade"].code,
            "organization": world.enterprise_a.code,
            "places": 2,
            "waiting": 1,
        },
    )
    assert comp["stages"][0].quotas.get().places == 2
    client.post(setup, {"action": "default_rules"})
    assert c.award_rules.count() == 3
    from .factories import SCHEME

    bricks = c.trades.get(name="砌筑工")
    client.post(setup, {"action": "scheme", "trade": bricks.code, "scheme": json.dumps(SCHEME)})
    assert bricks.criteria.count() == 2
    client.post(
        setup,
        {
            "action": "judge",
            "stage": comp["stages"][0].code,
            "trade": bricks.code,
            "letter": "A",
            "username": comp["judges"][0].username,
            "is_chief": "1",
        },
    )
    assert comp["judges"][0].judge_assignments.get().is_chief
    # a mistake comes back as a message, not an error page
    r = client.post(
        setup,
        {"action": "judge", "stage": "nope", "trade": bricks.code, "letter": "A", "username": "x"},
        follow=True,
    )
    assert r.status_code == 200


def test_entry_actions_page(client, world, comp, workers):
    from gongjiang.competitions import services

    e = services.entry_register(
        actor=world.enterprise_officer_a,
        stage=comp["stages"][0],
        trade=comp["trade"],
        worker=workers[0],
    )
    url = reverse("competitions:entry_act", args=[e.code])
    check_access(
        client,
        url=url,
        method="post",
        data={"action": "confirm"},
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )
    e.refresh_from_db()
    assert e.status == "confirmed"
    client.post(url, {"action": "theory", "score": "88.5", "time_taken": "95"})
    client.post(url, {"action": "withdraw", "reason": ""})  # refused: a reason is needed
    e.refresh_from_db()
    assert e.theory_score == 88.5 and e.time_taken == 95 and e.status == "confirmed"


def test_judge_pages(client, world, marked):
    j0, j1 = marked["judges"][:2]
    a = j0.judge_assignments.get(criterion__letter="B")
    entry = marked["entries"][0]
    check_access(client, url=reverse("competitions:judge_home"), in_scope=j0, out_of_scope=None)
    for url in (
        reverse("competitions:judge_queue", args=[a.code]),
        reverse("competitions:mark_sheet", args=[a.code, entry.code]),
        reverse("competitions:chief", args=[a.code]),
    ):
        check_access(client, url=url, in_scope=j0, out_of_scope=j1)
    # the organiser is no judge: 404 on a judge's screen
    client.force_login(world.alice)
    assert client.get(reverse("competitions:judge_queue", args=[a.code])).status_code == 404
    aspect = Aspect.objects.get(criterion=a.criterion, number=1)
    mark = Mark.objects.get(entry=entry, aspect=aspect, judge=j0)
    url = reverse("competitions:mark_save", args=[a.code, entry.code, aspect.code])
    r = check_access(
        client,
        url=url,
        method="post",
        data={"value": "3", "version": mark.version, "confirm": "1"},  # a complete sheet
        in_scope=j0,
        out_of_scope=j1,
    )
    assert "mark-message" in r.content.decode()
    # the same stale version again: 409 with the current value, nothing overwritten
    r = client.post(url, {"value": "0", "version": mark.version})
    assert r.status_code == 409 and "3" in r.content.decode()
    assert Mark.objects.get(pk=mark.pk).value == 3
    r = check_access(
        client,
        url=reverse("competitions:sign_off", args=[a.code]),
        method="post",
        in_scope=j0,
        out_of_scope=j1,
        ok=302,
    )


def test_publish_and_public_page_shows_nothing_private(client, world, marked):
    c, stage = marked["competition"], marked["stages"][0]
    act = reverse("competitions:stage_act", args=[c.code, stage.code])
    public = reverse("competitions:public_results", args=[c.code])
    client.logout()
    assert client.get(public).status_code == 404  # nothing published yet
    check_access(
        client,
        url=act,
        method="post",
        data={"action": "approve"},
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )
    client.post(act, {"action": "publish"})
    stage.refresh_from_db()
    assert stage.published_at
    client.logout()
    r = client.get(public)
    assert r.status_code == 200
    html = r.content.decode()
    for e in marked["entries"]:
        w = e.worker
        assert w.name in html and e.sending_org.name in html
        for private in (
            w.citizen_id_masked,
            w.citizen_id_last4,
            w.phone_masked,
            str(w.birth_date),
            w.birth_date.strftime("%Y年"),
            w.code,
            w.employee_number or "∅∅",
        ):
            assert private not in html, private
    entry = marked["entries"][0]
    r = client.get(reverse("competitions:public_entry", args=[c.code, entry.code]))
    assert r.status_code == 200 and entry.worker.citizen_id_masked not in r.content.decode()
    cert = reverse("competitions:certificate", args=[entry.code])
    r = check_access(client, url=cert, in_scope=world.alice, out_of_scope=world.bob)
    assert r["Content-Type"] == "application/pdf"
    assert_cjk_font_embedded(r.content)
    assert download_name(r) == f"证书-{c.name}-{entry.worker.name}.pdf"
    # withdrawing for correction takes the page down again
    client.post(act, {"action": "withdraw", "reason": "更正"})
    client.logout()
    assert client.get(public).status_code == 404


def test_default_rules_for_levels(world, comp):
    assert awards.default_rules(comp["competition"])[0]["honour_title"] == "省级技术能手"
    comp["competition"].level = "national"
    assert awards.default_rules(comp["competition"])[0]["honour_title"] == "全国技术能手"
    comp["competition"].klass = "II"
    assert awards.default_rules(comp["competition"]) == []


def test_entry_add_page(client, world, comp, workers):
    c = comp["competition"]
    url = reverse("competitions:entry_add", args=[c.code])
    data = {"stage": comp["stages"][0].code, "trade": comp["trade"].code, "worker": workers[0].code}
    check_access(
        client,
        url=url,
        method="post",
        data=data,
        in_scope=world.enterprise_officer_a,
        out_of_scope=world.bob,
        ok=302,
    )
    entry = c.entries.get()
    assert entry.worker == workers[0] and entry.status == "nominated"
    r = client.post(url, {**data, "worker": "无此人"}, follow=True)
    assert "No worker" in r.content.decode() or "没有" in r.content.decode()


def test_substitution_page(client, world, comp, workers):
    from gongjiang.competitions import services
    from gongjiang.competitions.models import Entry

    e = services.entry_register(
        actor=world.alice, stage=comp["stages"][0], trade=comp["trade"], worker=workers[0]
    )
    url = reverse("competitions:entry_act", args=[e.code])
    data = {"action": "substitute", "worker": workers[1].code, "reason": "因伤退赛"}
    check_access(
        client,
        url=url,
        method="post",
        data=data,
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )
    e.refresh_from_db()
    new = Entry.objects.get(substitutes=e)
    assert e.status == "substituted" and new.worker == workers[1] and new.status == "nominated"
    # no reason: refused, nothing changes
    client.post(
        reverse("competitions:entry_act", args=[new.code]),
        {"action": "substitute", "worker": workers[2].code, "reason": ""},
    )
    assert not Entry.objects.filter(substitutes=new).exists()
    page = client.get(reverse("competitions:entries", args=[comp["competition"].code]))
    assert f'id="substitute-{new.code}"' in page.content.decode()


def test_judge_declares_conflict_on_the_mark_sheet(client, world, marked):
    from gongjiang.competitions.marking import conflict_reason

    j0, j1 = marked["judges"][:2]
    a = j0.judge_assignments.get(criterion__letter="B")
    entry = marked["entries"][0]
    sheet = reverse("competitions:mark_sheet", args=[a.code, entry.code])
    client.force_login(j0)
    assert 'id="conflict-form"' in client.get(sheet).content.decode()
    url = reverse("competitions:conflict_declare", args=[a.code, entry.code])
    assert client.post(url, {"reason": ""}).status_code == 302  # refused: a reason is needed
    assert conflict_reason(j0, entry) is None
    check_access(
        client,
        url=url,
        method="post",
        data={"reason": "曾是同事"},
        in_scope=j0,
        out_of_scope=j1,
        ok=302,
    )
    assert conflict_reason(j0, entry) is not None
    assert 'id="conflict"' in client.get(sheet).content.decode()


def test_award_rule_editor(client, world, comp):
    from gongjiang.competitions.models import AwardRule

    c = comp["competition"]
    url = reverse("competitions:setup", args=[c.code])
    data = {
        "action": "rules",
        "rule-0-rank_from": "1",
        "rule-0-rank_to": "3",
        "rule-0-honour_title": "省级技术能手",
        "rule-0-honour_level": "provincial",
        "rule-0-promote_to": "TECHNICIAN",
        "rule-0-promote_else_to": "SENIOR_TECHNICIAN",
        "rule-1-rank_from": "4",
        "rule-1-rank_to": "10",
        "rule-1-promote_to": "SENIOR",
    }
    check_access(
        client,
        url=url,
        method="post",
        data=data,
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )
    rules = list(AwardRule.objects.filter(competition=c).order_by("rank_from"))
    assert [(r.rank_from, r.rank_to, r.honour_title, r.promote_to_id) for r in rules] == [
        (1, 3, "省级技术能手", "TECHNICIAN"),
        (4, 10, "", "SENIOR"),
    ]
    page = client.get(reverse("competitions:detail", args=[c.code])).content.decode()
    assert 'id="rules-form"' in page and 'value="省级技术能手"' in page
    # a broken rank keeps the old table
    client.post(url, {"action": "rules", "rule-0-rank_from": "x", "rule-0-rank_to": "3"})
    assert AwardRule.objects.filter(competition=c).count() == 2

"""Browser flows (system Chromium): a judge marks on a phone-sized screen (autosave, conflict
message), and an organiser computes, approves and publishes results, after which the winner's
workforce profile shows the new skill level."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings

from gongjiang.competitions import awards, marking, services
from gongjiang.competitions.models import Aspect, Entry, Mark

from .factories import assign_judges, confirmed_entry, make_worker, score_entry

# all apps, so the flush after each test truncates with CASCADE (tables of apps being built may
# reference ours without their model being loaded yet)
ALL_APPS = list(settings.INSTALLED_APPS)
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, available_apps=ALL_APPS),
]
PASSWORD = "Correct-horse-9"


@pytest.fixture
def refdata(transactional_db):
    """Reference data (regions, occupations, skill levels) survive a flush only if reloaded."""
    from gongjiang.core.models import SkillLevel
    from gongjiang.core.refdata import load_reference_data

    if not SkillLevel.objects.exists():
        load_reference_data()


def login(page, live_server, username):
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-button")
    page.wait_for_url(lambda url: "/login/" not in url)


def test_judge_marks_on_phone(refdata, phone_page, live_server, world, comp, workers):
    page = phone_page
    stage = comp["stages"][0]
    chief, judge, third = comp["judges"]
    assign_judges(world.alice, stage, comp["criteria"], [chief, judge, third])
    entry = confirmed_entry(world.alice, stage, comp["trade"], workers[0])
    login(page, live_server, judge.username)
    page.goto(live_server.url + "/competitions/judging/")
    page.locator("#assignments a", has_text="B ").first.click()
    page.locator("#queue a", has_text=f"{entry.draw_number}号").click()  # blind: by number
    look = Aspect.objects.get(criterion__trade=comp["trade"], criterion__letter="B", number=1)
    card = page.locator(f"#aspect-{look.code}")
    button = card.locator("button[value='2']")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44  # a thumb-sized target on a 390 px screen
    button.click()
    page.locator(f"#aspect-{look.code} .mark-message.alert-success").wait_for()
    mark = Mark.objects.get(entry=entry, aspect=look, judge=judge)
    assert mark.value == 2 and mark.version == 1
    # the same judge changes the mark on a tablet meanwhile (another session) ...
    marking.mark_save(actor=judge, entry=entry, aspect=look, value=1, version=1)
    # ... so the phone's next save is refused with the current value, and nothing is lost
    page.locator(f"#aspect-{look.code} button[value='3']").click()
    warning = page.locator(f"#aspect-{look.code} .mark-message.alert-warning")
    warning.wait_for()
    assert "1" in warning.inner_text()
    assert Mark.objects.get(pk=mark.pk).value == 1
    page.locator(f"#aspect-{look.code} button[value='3']").click()  # the card now carries version 2
    page.locator(f"#aspect-{look.code} .mark-message.alert-success").wait_for()
    assert Mark.objects.get(pk=mark.pk).value == 3
    # measurement aspects: type the measured value; it saves on change
    page.goto(live_server.url + "/competitions/judging/")
    page.locator("#assignments a", has_text="A ").first.click()
    page.locator("#queue a", has_text=f"{entry.draw_number}号").click()  # blind: by number
    holes = Aspect.objects.get(criterion__trade=comp["trade"], criterion__letter="A", number=2)
    field = page.locator(f"#aspect-{holes.code} input[name=value]")
    field.fill("25.035")
    field.press("Tab")
    page.locator(f"#aspect-{holes.code} .mark-message.alert-success").wait_for()
    assert Mark.objects.get(entry=entry, aspect=holes).mark == 20  # two steps beyond tolerance


def test_organiser_publishes_and_profile_shows_level(refdata, page, live_server, world, comp):
    final = comp["stages"][1]
    c = comp["competition"]
    awards.award_rules_set(actor=world.alice, competition=c, rules=awards.default_rules(c))
    assign_judges(world.alice, final, comp["criteria"], comp["judges"])
    winner = make_worker(world.alice, world.enterprise_a, "冠军选手", level="SENIOR")
    runner = make_worker(world.alice, world.enterprise_a, "亚军选手", level="SENIOR")
    score_entry(
        confirmed_entry(world.alice, final, comp["trade"], winner, theory=95), comp["judges"], 3
    )
    score_entry(
        confirmed_entry(world.alice, final, comp["trade"], runner, theory=80), comp["judges"], 1
    )
    login(page, live_server, world.alice.username)
    page.goto(f"{live_server.url}/competitions/{c.code}/results/{final.code}/")
    page.click("#compute")
    page.locator(".results-table").first.wait_for()
    page.click("#approve")
    page.locator("#publish:not([disabled])").wait_for()
    page.click("#publish")
    page.locator("#published-badge").wait_for()
    winner.refresh_from_db()
    assert winner.skill_level_id == "TECHNICIAN"
    page.goto(f"{live_server.url}/workforce/workers/{winner.code}/")
    assert page.locator("#worker-level-value").inner_text().strip() in (
        "技师",
        "Technician (Level 2)",
    )
    # the public page, logged out, lists the winner
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/competitions/public/{c.code}/")
    assert "冠军选手" in page.locator(".public-results").first.inner_text()


def test_organiser_draws_lots_and_judge_marks_blind_on_phone(
    refdata, page, phone_page, live_server, world, comp, workers
):
    """The organiser draws lots at check-in; the judge's phone shows numbers only, and an
    implausible measurement asks before it is saved."""
    stage, trade = comp["stages"][0], comp["trade"]
    assign_judges(world.alice, stage, comp["criteria"], comp["judges"])
    entries = []
    for w in workers[:3]:
        e = services.entry_register(actor=world.alice, stage=stage, trade=trade, worker=w)
        services.entry_confirm(actor=world.alice, entry=e)
        entries.append(e)
    login(page, live_server, world.alice.username)
    page.goto(f"{live_server.url}/competitions/{comp['competition'].code}/results/{stage.code}/")
    page.click("#draw")
    page.locator(".alert", has_text="3名选手完成抽签").wait_for()
    numbers = sorted(Entry.objects.filter(stage=stage).values_list("draw_number", flat=True))
    assert numbers == [1, 2, 3]
    first = Entry.objects.get(stage=stage, draw_number=1)
    # the judge, on a 390 px phone
    judge = comp["judges"][1]
    phone = phone_page
    login(phone, live_server, judge.username)
    phone.goto(live_server.url + "/competitions/judging/")
    phone.locator("#assignments a", has_text="A ").first.click()
    phone.locator("#blind-note").wait_for()
    text = phone.locator("body").inner_text()
    assert [line for line in ("1号", "2号", "3号") if line in text] == ["1号", "2号", "3号"]
    for e in entries:
        assert e.worker.name not in text and e.worker.organization.name not in text
    phone.locator("#queue a", has_text="1号").click()
    assert phone.locator("#entrant").inner_text().strip() == "1号"
    sheet = phone.locator("body").inner_text()
    assert first.worker.name not in sheet and first.sending_org.name not in sheet
    length = Aspect.objects.get(criterion__trade=trade, criterion__letter="A", number=1)
    field = phone.locator(f"#aspect-{length.code} input[name=value]")
    field.fill("10.06")
    field.press("Tab")
    confirm = phone.locator(f"#aspect-{length.code} .confirm-save")
    confirm.wait_for()
    assert not Mark.objects.filter(entry=first, aspect=length).exists()
    box = confirm.bounding_box()
    assert box["height"] >= 36
    confirm.click()
    phone.locator(f"#aspect-{length.code} .mark-message.alert-success").wait_for()
    mark = Mark.objects.get(entry=first, aspect=length)
    assert mark.value == Decimal("10.06") and mark.mark == 0


def test_search_picker_fills_choices_in_scope(refdata, page, live_server, world, comp):
    """Typing part of a name in the quota organisation field lists the organisations in scope."""
    login(page, live_server, world.alice.username)
    page.goto(f"{live_server.url}/competitions/{comp['competition'].code}/")
    field = page.locator("#quota-org")
    field.click()
    field.type("南京")
    options = page.locator("#pick-quota-org option")
    options.first.wait_for(state="attached")
    values = options.evaluate_all("els => els.map(e => e.value)")
    assert world.city_a.code in values and world.enterprise_a.code in values
    field.fill("")
    field.type("杭州")  # another province: the list is emptied, nothing of it is offered
    page.wait_for_function("document.querySelectorAll('#pick-quota-org option').length === 0")

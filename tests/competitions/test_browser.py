"""Browser flows (system Chromium): a judge marks on a phone-sized screen (autosave, conflict
message), and an organiser computes, approves and publishes results, after which the winner's
workforce profile shows the new skill level."""

from __future__ import annotations

import pytest
from django.conf import settings

from gongjiang.competitions import awards, marking
from gongjiang.competitions.models import Aspect, Mark

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
    page.locator("#queue a", has_text=entry.worker.name).click()
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
    page.locator("#queue a", has_text=entry.worker.name).click()
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

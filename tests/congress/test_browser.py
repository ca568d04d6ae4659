"""In the browser, on a phone (390 px): a delegate drafts a proposal, two delegates co-sign, the
proposer submits; the committee accepts and assigns a department; the department's responder
replies; the proposer rates 不满意, the department replies once more, the proposer rates 满意; the
committee closes. No page scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest

from gongjiang.congress.models_proposals import Proposal

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTH = 390


def login(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "Correct-horse-9")
    page.click("#login-button")
    page.wait_for_url(lambda url: "/login/" not in url)


def done(page: Any) -> None:
    """The act answered without an error message."""
    alerts = page.locator(".alert-danger, .alert-warning")
    assert alerts.count() == 0, alerts.first.inner_text()


def follow(page: Any, selector: str) -> None:
    """Click something that loads a new page and wait until that page has loaded, so the next
    check reads the new page, never the old one half torn down."""
    with page.expect_navigation():
        page.click(selector)


def fits(page: Any) -> None:
    page.wait_for_load_state()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH + 2, f"{page.url} is {width}px wide"


def status(page: Any) -> str:
    return page.inner_text("#status")


def test_proposal_full_cycle_on_a_phone(phone_page: Any, live_server: Any, congress: Any) -> None:
    c = congress
    page = phone_page
    base = live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    proposer, signer1, signer2 = (u.username for u in c.users[:3])

    # the delegate drafts the proposal on the phone
    login(page, base, proposer)
    page.goto(f"{base}/congress/proposals/")
    fits(page)
    follow(page, "#new-proposal")
    fits(page)
    page.fill("#id_title", "增设夜班班车")
    page.select_option("#id_category", "welfare")
    page.fill("#id_reasons", "夜班职工下班后没有公交")
    page.fill("#id_measures", "开通两条夜班班车线路")
    follow(page, "#save")
    page.wait_for_url(lambda url: "/congress/proposals/" in url and "/new/" not in url)
    fits(page)
    proposal = Proposal.objects.get(title="增设夜班班车")
    detail = f"{base}/congress/proposals/{proposal.code}/"
    assert page.locator("#submit").count() == 1
    # submitting without co-signers is refused with the numbers
    follow(page, "#submit")
    assert "0" in page.inner_text(".alert-danger")
    fits(page)

    # two delegates co-sign on their phones
    for username in (signer1, signer2):
        login(page, base, username)
        page.goto(detail)
        fits(page)
        follow(page, "#cosign")
        done(page)
        assert page.locator("#cosign").count() == 0
    # the proposer submits
    login(page, base, proposer)
    page.goto(detail)
    follow(page, "#submit")
    done(page)
    assert status(page) == "待审查"
    fits(page)

    # the committee accepts, then assigns the department
    login(page, base, c.committee.username)
    page.goto(f"{base}/congress/proposals/?status=submitted")
    fits(page)
    follow(page, f"a[href='/congress/proposals/{proposal.code}/']")
    fits(page)
    page.select_option("#id_decision", "accept")
    follow(page, "#decide")
    done(page)
    assert status(page) == "已立案"
    fits(page)
    page.select_option("#id_lead", c.department.code)
    follow(page, "#assign")
    done(page)
    assert status(page) == "办理中"
    fits(page)

    # the department's responder replies
    login(page, base, c.responder.username)
    page.goto(f"{base}/congress/proposals/?status=assigned")
    fits(page)
    page.goto(detail)
    page.select_option("#id_outcome", "partly")
    page.fill("#id_text", "先开通一条线路")
    follow(page, "#reply")
    done(page)
    assert status(page) == "已答复"
    fits(page)

    # the proposer is not satisfied: one more reply
    login(page, base, proposer)
    page.goto(detail)
    page.check("input[name=rating][value=not]")
    page.fill("#id_comment", "一条线路不够")
    follow(page, "#rate")
    done(page)
    assert status(page) == "办理中"
    fits(page)
    login(page, base, c.responder.username)
    page.goto(detail)
    page.select_option("#id_outcome", "adopted")
    page.fill("#id_text", "两条线路下月开通")
    follow(page, "#reply")
    done(page)
    login(page, base, proposer)
    page.goto(detail)
    page.check("input[name=rating][value=satisfied]")
    follow(page, "#rate")
    done(page)
    assert status(page) == "已评价"
    fits(page)

    # the committee closes it
    login(page, base, c.committee.username)
    page.goto(detail)
    follow(page, "#close")
    done(page)
    assert status(page) == "已办结"
    fits(page)

    proposal.refresh_from_db()
    assert proposal.status == "closed"
    assert proposal.cosignatures.count() == 2
    assert [r.rating for r in proposal.replies.all()] == ["not", "satisfied"]
    assert not errors, errors


def test_setting_up_on_a_phone(
    phone_page: Any, live_server: Any, world: Any, congress: Any
) -> None:
    """The officer's setup pages fit a phone; the department form picks its responder from the
    scoped search (never a typed name) and the new department answers proposals."""
    page = phone_page
    base = live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, base, world.enterprise_officer_a.username)
    page.goto(f"{base}/congress/")
    fits(page)
    follow(page, "#new-term")
    fits(page)
    page.goto(f"{base}/congress/terms/{congress.term.code}/")
    fits(page)
    follow(page, "#new-session")
    fits(page)
    page.goto(f"{base}/congress/terms/{congress.term.code}/")
    follow(page, "#rules-link")
    fits(page)
    assert page.input_value("#id_reply_days") == "30"
    page.goto(f"{base}/congress/departments/")
    fits(page)
    page.fill("#id_organization", world.enterprise_a.code)
    page.fill("#id_name", "安全环保部")
    page.type("#id_responder", "hr_")
    page.wait_for_selector("#pick-dept-user option[value='hr_a']", state="attached")
    page.fill("#id_responder", "hr_a")
    follow(page, "#save")
    done(page)
    fits(page)
    row = page.locator("#departments tr", has_text="安全环保部")
    assert "hr_a" in row.inner_html()
    page.goto(f"{base}/congress/sessions/{congress.session.code}/")
    fits(page)
    page.goto(f"{base}/congress/proposals/rates/")
    fits(page)
    assert not errors, errors

"""The year's correction form in the browser, on a phone (390 px) and on a desktop, with no
sideways scroll: an officer adds two workers who were not in the year through the scoped picker,
each on its own row with its share ("add another worker" shows the next row), and the correction
waits with all of them; a bad row is named at its field."""

from __future__ import annotations

from typing import Any

import pytest

from gongjiang.innovation.models import RevenueCorrection

from .test_browser import login, no_horizontal_scroll
from .test_revenue_corrections import PDF, certified_year, codes, fund  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("viewport", ["phone_page", "page"])
def test_correction_adds_several_workers(
    request: Any,
    viewport: str,
    live_server: Any,
    world: Any,
    team: Any,
    fund: Any,  # noqa: F811
    tmp_path: Any,
    settings: Any,
) -> None:
    from tests.workforce.helpers import make_worker

    settings.MEDIA_ROOT = tmp_path / "media"
    page = request.getfixturevalue(viewport)
    base = live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    year = certified_year(world, team, fund, pay=False)
    w0, w1, w2 = codes(team)
    sun = make_worker(world.enterprise_a, 105, name="孙丽")
    zhou = make_worker(world.enterprise_a, 106, name="周强")
    document = tmp_path / "审计报告.pdf"
    document.write_bytes(PDF)

    login(page, base, world.enterprise_officer_a.username)
    page.goto(f"{base}/innovation/revenue/years/{year.code}/")
    no_horizontal_scroll(page)
    assert page.locator("#added-row-1").is_visible()
    assert not page.locator("#added-row-2").is_visible()
    page.fill("#id_amount", "1000.01")
    page.fill("#id_reason", "漏报两名成员")
    page.fill(f"#id_c_{w0}", "40")
    page.fill(f"#id_c_{w1}", "30")
    page.fill(f"#id_c_{w2}", "10")
    # the picker offers the manager's own workers by name; the option's value is the code
    page.fill("#id_add_worker_1", "孙丽")
    page.wait_for_function(
        "code => [...document.querySelectorAll('#pick-revenue-worker option')]"
        ".some(o => o.value === code)",
        arg=sun.code,
    )
    page.fill("#id_add_worker_1", sun.code)
    page.fill("#id_add_contribution_1", "10")
    page.click("#add-row")
    assert page.locator("#added-row-2").is_visible()
    no_horizontal_scroll(page)
    page.fill("#id_add_worker_2", sun.code)  # the same worker twice: row 2 is refused
    page.fill("#id_add_contribution_2", "10")
    page.set_input_files("#id_file", str(document))
    with page.expect_navigation():
        page.click("#ask-correction")
    no_horizontal_scroll(page)
    assert "2" in page.inner_text("#added-row-2 .invalid-feedback")
    assert page.locator("#added-row-2").is_visible()
    assert not RevenueCorrection.objects.exists()
    page.fill("#id_add_worker_2", zhou.code)
    page.set_input_files("#id_file", str(document))
    with page.expect_navigation():
        page.click("#ask-correction")
    no_horizontal_scroll(page)
    correction = RevenueCorrection.objects.get()
    assert [w for w, _s in correction.contributions][-2:] == [sun.code, zhou.code]
    text = page.inner_text("#correction-1")
    assert sun.code in text and zhou.code in text
    assert not errors

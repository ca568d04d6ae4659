"""Documents of an expert-level application in the browser: the worker on a 390-px phone opens
their application from “my expert level”, attaches a PDF and sees the missing kind named; a bad
file is refused with the field named; HR on a desktop opens the application from the call's page
and downloads the document. No horizontal scroll on the phone, no page errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gongjiang.careers import experts

from .experts_helpers import new_call
from .test_browser import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_documents_on_a_phone_and_a_desktop(
    phone_page: Any,
    page: Any,
    live_server: Any,
    world: Any,
    exp: Any,
    careers: Any,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    errors: list[str] = []
    phone_page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    call = new_call(exp.level, exp.organiser, year=2027, required_documents=["form", "mentoring"])
    a = experts.expert_apply(
        actor=world.worker_a, call=call, worker=careers.welder, statement="带徒八名"
    )
    pdf = tmp_path / "申报表.pdf"
    pdf.write_bytes(b"%PDF-1.4 test")
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"MZ not a pdf")

    tab = phone_page
    login(tab, base, "worker_a")
    tab.goto(f"{base}/careers/experts/me/")
    tab.locator(f"#my-applications a[href$='/applications/{a.code}/']").click()
    tab.wait_for_selector("#document-add")
    assert "传技带徒证明" in tab.inner_text("#documents-missing")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 392
    form = tab.locator("#document-add")
    form.locator("select[name=kind]").select_option("form")
    form.locator("input[name=file]").set_input_files(str(pdf))
    with tab.expect_navigation():
        form.locator("button[type=submit]").click()
    tab.wait_for_selector("#documents .document[data-kind=form]")
    assert "申报表" not in tab.inner_text("#documents-missing")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 392
    # a file that only claims to be a PDF: refused, the field named, nothing added
    form = tab.locator("#document-add")
    form.locator("select[name=kind]").select_option("mentoring")
    form.locator("input[name=file]").set_input_files(str(fake))
    with tab.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "文件：" in tab.inner_text("[role=alert]")
    assert a.documents.count() == 1
    assert tab.evaluate("document.documentElement.scrollWidth") <= 392

    login(page, base, "hr_org")
    page.goto(f"{base}/careers/experts/calls/{call.code}/")
    page.locator(f"#applications a[href$='/applications/{a.code}/']").click()
    page.wait_for_selector("#documents .document[data-kind=form]")
    with page.expect_download() as download:
        page.locator("#documents .document[data-kind=form] a").click()
    assert Path(download.value.path()).read_bytes() == b"%PDF-1.4 test"
    assert errors == []

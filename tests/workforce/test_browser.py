"""In the browser: upload a roster with errors, see the report, download it, import the valid rows,
find the workers, open a profile, reveal the ID (audited), change a skill level, visit the forms."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from gongjiang.core.models import AuditEvent
from gongjiang.workforce.models import Worker

from .helpers import unique_id, write_roster


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Correct-horse-9")
    page.click("#login-button")
    page.wait_for_url(f"{base}/")


@pytest.fixture
def refdata(transactional_db: Any) -> None:
    """Reference data (loaded by a migration) may have been flushed by an earlier transactional test."""
    from django.core.management import call_command

    from gongjiang.core.models import Region

    if not Region.objects.exists():
        call_command("load-refdata", verbosity=0)


@pytest.mark.browser
def test_roster_import_to_profile(
    page: Any, live_server: Any, refdata: None, world: Any, tmp_path: Path
) -> None:
    rows = [
        ["张三", unique_id(1), "男", "高级工"],
        ["李四", unique_id(2), "男", "技师"],
        ["王五", "110105199913320000", "", ""],
        ["赵六", unique_id(4), "男", "宗师"],
    ]
    path = write_roster(
        tmp_path / "花名册.xlsx",
        rows,
        header=["姓名", "身份证号", "性别", "技能等级"],
        title_rows=1,
    )
    base = live_server.url
    _login(page, base, "alice")

    page.goto(f"{base}/workforce/imports/")
    page.set_input_files("input[name=file]", str(path))
    page.select_option("select[name=organization]", world.enterprise_a.code)
    page.click("#import-upload")
    page.wait_for_selector("#import-errors")
    assert page.inner_text("#count-rows") == "4"
    assert page.inner_text("#count-valid") == "2" and page.inner_text("#count-rejected") == "2"
    errors = page.inner_text("#import-errors")
    assert "5\t" in errors and "6\t" in errors and "技能等级" in errors and "宗师" in errors
    assert page.input_value("#id_col_name") == "0" and page.input_value("#id_col_citizen_id") == "1"

    with page.expect_download() as info:
        page.click("#download-report")
    from python_calamine import CalamineWorkbook

    report = CalamineWorkbook.from_filelike(io.BytesIO(Path(info.value.path()).read_bytes()))
    sheet = report.get_sheet_by_index(0).to_python()
    assert sheet[0][0] == "2026年职工花名册" and sheet[4][0] == "王五" and sheet[4][4]

    page.click("#import-valid")
    page.wait_for_selector("#import-done")
    assert page.inner_text("#count-created") == "2"
    assert set(Worker.objects.values_list("name", flat=True)) == {"张三", "李四"}

    page.goto(f"{base}/workforce/workers/?q=zs")
    assert "张三" in page.inner_text("#worker-table") and "李四" not in page.inner_text(
        "#worker-table"
    )
    page.click("text=张三")
    page.wait_for_selector("#timeline")
    assert unique_id(1) not in page.content()
    page.click("#reveal-id")
    page.wait_for_function(
        f"document.querySelector('#citizen-id').innerText.includes('{unique_id(1)}')"
    )
    assert AuditEvent.objects.filter(action="worker.citizen_id_reveal").count() == 1

    page.click("#worker-level")
    page.select_option("select[name=level]", "TECHNICIAN")
    page.fill("input[name=source]", "技能等级认定")
    page.click("#workforce-form button[type=submit]")
    page.wait_for_selector("#timeline")
    assert page.inner_text("#worker-level-value") in ("技师", "Technician")
    for button in (
        "#worker-edit",
        "#worker-transfer",
        "#add-certificate",
        "#add-honour",
        "#add-training",
    ):
        page.click(button)
        page.wait_for_selector("#workforce-form")
        page.go_back()
    page.goto(f"{base}/workforce/workers/new/")
    page.wait_for_selector("#workforce-form")

"""The marking scheme as an Excel template: download (current scheme or example), upload (all or
nothing, errors naming row, column and field), organiser only."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongjiang.competitions import services
from gongjiang.competitions.models import Aspect
from gongjiang.competitions.scheme_xlsx import EXAMPLE, scheme_upload
from gongjiang.core.errors import ApplicationError
from tests.access_helpers import check_access

pytestmark = pytest.mark.django_db


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        ["模块", "模块名称", "分项", "评分项", "类型", "分值", "目标值", "公差", "评分规则"]
    )
    sheet.append([])  # header names may be the Chinese ones; blank rows are skipped
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(content: bytes) -> list[list[Any]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def test_template_download_and_round_trip(client: Any, world: Any, comp: dict[str, Any]) -> None:
    c, trade = comp["competition"], comp["trade"]
    url = reverse("competitions:scheme_template", args=[c.code, trade.code])
    r = check_access(client, url=url, in_scope=world.alice, out_of_scope=world.bob)
    rows = _sheet(r.content)
    assert rows[0][4:6] == ["类型", "分值"]  # headers in Chinese
    assert rows[1][:6] == ["A", "工件尺寸", "关键尺寸", "长度 100±0.05", "测量", 30]
    # a new trade has no scheme: the template is the worked example; uploaded as is, it loads
    other = services.trade_create(
        actor=world.alice, competition=c, name="钳工", occupation="6-18-02-04", skill_level="SENIOR"
    )
    r = client.get(reverse("competitions:scheme_template", args=[c.code, other.code]))
    assert len(_sheet(r.content)) == 1 + len(EXAMPLE)
    r = client.post(
        reverse("competitions:setup", args=[c.code]),
        {
            "action": "scheme_file",
            "trade": other.code,
            "file": SimpleUploadedFile("scheme.xlsx", r.content),
        },
    )
    assert r.status_code == 302
    loaded = Aspect.objects.filter(criterion__trade=other).order_by("criterion__letter", "number")
    assert [a.label for a in loaded] == ["A1.1", "A1.2", "B1.1", "B1.2"]
    holes = loaded[1]
    assert (holes.kind, holes.rule, holes.target, holes.step) == (
        "measurement",
        "deduction",
        25,
        Decimal("0.01"),
    )
    assert loaded[2].descriptors == ["差", "合格", "良好", "优秀"]


def test_errors_name_row_and_column_and_nothing_changes(world: Any, comp: dict[str, Any]) -> None:
    trade = comp["trade"]
    before = list(Aspect.objects.filter(criterion__trade=trade).values_list("code", flat=True))
    content = _xlsx(
        [
            ["A", "尺寸", "关键尺寸", "长度", "测量", "三十", 100, 0.05, "全对或零"],
            ["A", "尺寸", "关键尺寸", "孔径", "量具", 30, 25, 0.02, "超差扣分"],
            ["B", "外观", "质量", "", "评价", 40, None, None, None],
        ]
    )
    with pytest.raises(ApplicationError) as exc:
        scheme_upload(actor=world.alice, trade=trade, upload=io.BytesIO(content), filename="s.xlsx")
    errors = [d["error"] for d in exc.value.details]
    assert any("第4行" in e or "Row 4" in e for e in errors)  # the header is row 1, a blank row 2
    assert any("分值" in e for e in errors) and any("类型" in e for e in errors)
    assert any("评分项" in e for e in errors)
    assert exc.value.code == "scheme_file_invalid"
    # a total other than 100 is refused as a whole too
    content = _xlsx([["A", "尺寸", "关键尺寸", "长度", "测量", 30, 100, 0.05, "全对或零"]])
    with pytest.raises(ApplicationError) as exc2:
        scheme_upload(actor=world.alice, trade=trade, upload=io.BytesIO(content), filename="s.xlsx")
    assert "100" in exc2.value.details[0]["error"]
    after = list(Aspect.objects.filter(criterion__trade=trade).values_list("code", flat=True))
    assert after == before


def test_page_shows_the_row_errors(client: Any, world: Any, comp: dict[str, Any]) -> None:
    c, trade = comp["competition"], comp["trade"]
    content = _xlsx([["A", "尺寸", "关键尺寸", "长度", "测量", 100, None, 0.05, "全对或零"]])
    client.force_login(world.alice)
    r = client.post(
        reverse("competitions:setup", args=[c.code]),
        {
            "action": "scheme_file",
            "trade": trade.code,
            "file": SimpleUploadedFile("s.xlsx", content),
        },
        follow=True,
    )
    body = r.content.decode()
    assert "目标值" in body and ("第3行" in body or "Row 3" in body)
    client.force_login(world.bob)
    r = client.post(
        reverse("competitions:setup", args=[c.code]),
        {
            "action": "scheme_file",
            "trade": trade.code,
            "file": SimpleUploadedFile("s.xlsx", content),
        },
    )
    assert r.status_code == 404

"""The yearly work ledger (年度工作台账) as Excel, in the conventional layout:

row 1 the title, row 2 the header 序号 · 改革任务 · 牵头单位 · 配合单位 · 完成时限 · 进展情况 · 存在问题 ·
下步打算 · 备注, then for each area a group row (一、…), for each measure a group row (（一）…) and its
tasks numbered 1, 2, 3 … through the whole ledger (sub-tasks 1.1, 1.2). 进展情况, 存在问题 and 下步打算
come from the latest accepted progress report; 备注 carries the status on the ledger date (overdue
derived) and the task's remarks. The column headings are the fixed form used by the coordination
offices, so they stay in Chinese whatever the interface language.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from gongjiang.core.exports import ExportWorkbook

from .models import Plan, PlanItem
from .selectors import latest_accepted, plan_items, plan_tree

HEADER = [
    "序号",
    "改革任务",
    "牵头单位",
    "配合单位",
    "完成时限",
    "进展情况",
    "存在问题",
    "下步打算",
    "备注",
]
WIDTHS = [6, 36, 16, 22, 12, 40, 24, 24, 14]
STATUS_ZH = {
    "not_started": "未启动",
    "in_progress": "推进中",
    "done": "已完成",
    "at_risk": "有风险",
    "overdue": "逾期",
}


def deadline_text(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月" if day else ""


def ledger_rows(*, plan: Plan, year: int | None, on: dt.date) -> list[tuple[str, list[Any]]]:
    """(row kind, cells) in ledger order; kinds: "area", "measure", "task"."""
    items = plan_items(plan)
    rows, _ = plan_tree(plan=plan, on=on, items=items)
    in_year = {
        i.pk for i in items if i.kind == PlanItem.Kind.TASK and (year is None or i.year == year)
    }
    reports = latest_accepted([i for i in items if i.pk in in_year])
    parent_of = {i.pk: i.parent_id for i in items}
    keep: set[int] = set()  # areas and measures with a task of the year below them
    for pk in in_year:
        p = parent_of[pk]
        while p is not None:
            keep.add(p)
            p = parent_of[p]
    out: list[tuple[str, list[Any]]] = []
    for row in rows:
        item = row.item
        if item.kind != PlanItem.Kind.TASK:
            if item.pk in keep:
                out.append((item.kind, [f"{row.number}{item.title}"]))
            continue
        if item.pk not in in_year:
            continue
        report = reports.get(item.pk)
        progress = ""
        if report is not None:
            progress = f"{report.text}（{report.period}，完成{report.percent}%）"
        remarks = "；".join(x for x in (STATUS_ZH.get(row.status, ""), item.remarks) if x)
        out.append(
            (
                "task",
                [
                    row.number,
                    item.title,
                    item.lead_unit.name if item.lead_unit_id else "",
                    "、".join(o.name for o in item.cooperating_units.all()),
                    deadline_text(item.deadline),
                    progress,
                    report.problems if report else "",
                    report.next_steps if report else "",
                    remarks,
                ],
            )
        )
    return out


def ledger_xlsx(*, plan: Plan, year: int | None, on: dt.date) -> bytes:
    buffer = io.BytesIO()
    book = ExportWorkbook(buffer)
    sheet = book.add_sheet(f"{year}年度台账" if year else "工作台账")
    base = {
        "font_name": "宋体",
        "font_size": 10,
        "border": 1,
        "valign": "vcenter",
        "text_wrap": True,
    }
    title = book.add_format(
        {"font_name": "黑体", "font_size": 16, "bold": True, "align": "center", "valign": "vcenter"}
    )
    head = book.add_format({**base, "bold": True, "align": "center", "bg_color": "#D9D9D9"})
    area = book.add_format({**base, "bold": True, "bg_color": "#F2DCDB"})
    measure = book.add_format({**base, "bold": True, "bg_color": "#F9F9F9"})
    cell = book.add_format(base)
    center = book.add_format({**base, "align": "center"})
    for col, width in enumerate(WIDTHS):
        sheet.set_column(col, col, width)
    heading = f"{plan.title}{year}年度工作台账" if year else f"{plan.title}工作台账"
    sheet.merged(0, 0, 0, len(HEADER) - 1, heading, title)
    sheet.set_row(0, 30)
    sheet.row(1, HEADER, head)
    sheet.freeze_panes(2, 0)
    r = 2
    for kind, cells in ledger_rows(plan=plan, year=year, on=on):
        if kind == "task":
            sheet.row(r, [str(v) for v in cells], cell, formats={0: center, 4: center})
        else:
            sheet.merged(r, 0, r, len(HEADER) - 1, cells[0], area if kind == "area" else measure)
        r += 1
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.repeat_rows(1)
    sheet.fit_to_pages(1, 0)
    sheet.cell(r + 1, 0, f"填报日期：{on.isoformat()}")
    book.close()
    return buffer.getvalue()

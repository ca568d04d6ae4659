"""The round's award list (获奖名单) as unions publish it: a title row, then the results grade by
grade (序号, 成果名称, 完成单位, 主要完成人 in contribution order, 奖励等级), written through
core.exports.ExportWorkbook."""

from __future__ import annotations

import io

from gongjiang.core.exports import ExportWorkbook

from .models import AwardRound

HEADER = ["序号", "成果名称", "完成单位", "主要完成人", "奖励等级", "评审得分"]
WIDTHS = [6, 40, 30, 30, 10, 10]


def award_list_xlsx(round_: AwardRound) -> bytes:
    from .awards import winners

    buffer = io.BytesIO()
    book = ExportWorkbook(buffer)
    sheet = book.add_sheet("获奖名单")
    base = {
        "font_name": "宋体",
        "font_size": 11,
        "border": 1,
        "valign": "vcenter",
        "text_wrap": True,
    }
    title = book.add_format(
        {"font_name": "黑体", "font_size": 16, "bold": True, "align": "center", "valign": "vcenter"}
    )
    head = book.add_format({**base, "bold": True, "align": "center", "bg_color": "#D9D9D9"})
    grade_row = book.add_format({**base, "bold": True, "bg_color": "#F2DCDB"})
    cell = book.add_format(base)
    for col, width in enumerate(WIDTHS):
        sheet.set_column(col, col, width)
    sheet.merged(0, 0, 0, len(HEADER) - 1, f"{round_.title}获奖名单", title)
    sheet.set_row(0, 30)
    sheet.row(1, HEADER, head)
    sheet.freeze_panes(2, 0)
    r, number, grade = 2, 0, None
    for n in winners(round_):
        if n.item.grade != grade:
            grade = n.item.grade
            sheet.merged(r, 0, r, len(HEADER) - 1, grade, grade_row)
            r += 1
        number += 1
        names = "、".join(
            m.worker.name
            for m in n.result.members.select_related("worker").order_by("-contribution", "position")
        )
        sheet.row(
            r,
            [number, n.result.title, n.result.employer.name, names, grade, n.item.total],
            cell,
        )
        r += 1
    book.close()
    return buffer.getvalue()

"""Certificates (PDF) for winners and participants: reportlab with the embedded CJK font of core.pdf_fonts, and a
QR code (segno) that opens the entrant's line on the public results page."""

from __future__ import annotations

import io
from typing import Any

PRIZE_ZH = {"first": "一等奖", "second": "二等奖", "third": "三等奖", "excellence": "优秀奖"}


def certificate_pdf(*, entry: Any, result: Any, verify_url: str) -> bytes:
    import segno
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from gongjiang.core.pdf_fonts import cjk_font

    font = cjk_font()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    c = canvas.Canvas(buffer, pagesize=(width, height))
    c.setTitle(f"{entry.competition.name} {entry.worker.name}")
    c.setStrokeColorRGB(0.7, 0.1, 0.1)
    c.setLineWidth(4)
    c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    winner = bool(result and result.prize)
    title = "获奖证书" if winner else "参赛证书"
    c.setFont(font, 40)
    c.drawCentredString(width / 2, height - 50 * mm, title)
    c.setFont(font, 18)
    lines = [
        f"{entry.worker.name} 同志（{entry.worker.employer.name}）：",
        f"在{entry.competition.name}{entry.stage.name}{entry.trade.name}赛项中",
    ]
    if winner:
        lines.append(f"荣获第{result.rank}名，{PRIZE_ZH.get(result.prize, '')}。")
    else:
        lines.append("参加比赛，特发此证。")
    y = height - 80 * mm
    for line in lines:
        c.drawString(40 * mm, y, line)
        y -= 14 * mm
    c.setFont(font, 14)
    c.drawRightString(width - 40 * mm, 40 * mm, entry.competition.organization.name)
    qr = segno.make(verify_url, error="m")
    png = io.BytesIO()
    qr.save(png, kind="png", scale=4, border=1)
    png.seek(0)
    c.drawImage(ImageReader(png), 25 * mm, 22 * mm, 30 * mm, 30 * mm)
    c.setFont(font, 9)
    c.drawString(25 * mm, 18 * mm, "扫码核验")
    c.showPage()
    c.save()
    return buffer.getvalue()

"""The certificate as a PDF (reportlab, with the embedded CJK font of core.pdf_fonts) with a QR code that opens
the public verification page. Rendered from the stored record on each download, so a revoked
certificate's PDF says so."""

from __future__ import annotations

import io
from typing import Any

import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from gongjiang.core.pdf_fonts import cjk_font

from .bodies import body_name


def _font() -> str:
    return cjk_font()


def draw_qr(c: canvas.Canvas, data: str, x: float, y: float, size: float) -> None:
    """Draw a QR code as vector squares (no image library needed)."""
    qr = segno.make(data, error="m", micro=False)
    matrix = list(qr.matrix)
    border = 2
    n = len(matrix) + 2 * border
    cell = size / n
    c.setFillColor(colors.white)
    c.rect(x, y, size, size, stroke=0, fill=1)
    c.setFillColor(colors.black)
    for r, row in enumerate(matrix):
        for col, value in enumerate(row):
            if value:
                c.rect(
                    x + (col + border) * cell,
                    y + size - (r + border + 1) * cell,
                    cell,
                    cell,
                    stroke=0,
                    fill=1,
                )


def level_label(level: Any) -> str:
    return f"{level.name_zh}（{level.grade_zh}）" if level.grade_zh else level.name_zh


def certificate_pdf(certificate: Any, verify_url: str) -> bytes:
    font = _font()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    c = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=0)
    c.setTitle(f"职业技能等级证书 {certificate.number}")
    c.setSubject(certificate.number)
    body = body_name(certificate.organization)
    c.setAuthor(body)
    c.setCreator("Gongjiang")

    c.setStrokeColor(colors.HexColor("#b8860b"))
    c.setLineWidth(3)
    c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    c.setLineWidth(0.8)
    c.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)

    c.setFillColor(colors.HexColor("#8b0000"))
    c.setFont(font, 30)
    c.drawCentredString(width / 2, height - 40 * mm, "职业技能等级证书")
    c.setFont("Helvetica", 11)
    c.drawCentredString(width / 2, height - 48 * mm, "VOCATIONAL SKILL LEVEL CERTIFICATE")

    c.setFillColor(colors.black)
    rows = [
        ("姓　　名", certificate.holder_name),
        ("职　　业", f"{certificate.occupation.name}（{certificate.occupation.code}）"),
        ("技能等级", level_label(certificate.level)),
        ("证书编号", certificate.number),
        ("发证日期", certificate.issue_date.strftime("%Y年%m月%d日")),
        (
            "有 效 期",
            certificate.valid_until.strftime("至%Y年%m月%d日")
            if certificate.valid_until
            else "长期有效",
        ),
        ("评价机构", body),
    ]
    y = height - 70 * mm
    for label, value in rows:
        c.setFont(font, 14)
        c.drawString(40 * mm, y, label + "：")
        if label == "证书编号":
            c.setFont("Courier-Bold", 14)
        c.drawString(72 * mm, y, value)
        y -= 11 * mm

    qr_size = 42 * mm
    qr_x, qr_y = width - 40 * mm - qr_size, 32 * mm
    draw_qr(c, verify_url, qr_x, qr_y, qr_size)
    c.setFont(font, 9)
    c.drawCentredString(qr_x + qr_size / 2, qr_y - 5 * mm, "扫码核验证书真伪")
    c.setFont("Helvetica", 6)
    c.drawCentredString(qr_x + qr_size / 2, qr_y - 9 * mm, verify_url[:90])

    if certificate.revoked:
        c.saveState()
        c.setFillColor(colors.Color(0.8, 0, 0, alpha=0.35))
        c.setFont(font, 72)
        c.translate(width / 2, height / 2)
        c.rotate(20)
        c.drawCentredString(0, 0, "已撤销 REVOKED")
        c.restoreState()

    c.showPage()
    c.save()
    return buffer.getvalue()

"""Every PDF embeds its Chinese font: certificates of both kinds and the reform bulletin."""

from __future__ import annotations

import pytest

from gongjiang.core.pdf_fonts import FONT_FILE, cjk_font
from tests.pdf_helpers import assert_cjk_font_embedded


def test_font_file_and_licence_ship_with_the_package() -> None:
    assert FONT_FILE.is_file() and FONT_FILE.stat().st_size > 1_000_000
    licence = FONT_FILE.parent / "LICENSE-DroidSansFallback.txt"
    assert "Apache License" in licence.read_text()


def test_canvas_text_embeds_a_subset() -> None:
    import io

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer)
    c.setFont(cjk_font(), 14)
    c.drawString(100, 700, "职业技能等级证书 焊工")
    c.showPage()
    c.save()
    data = buffer.getvalue()
    assert_cjk_font_embedded(data)
    # a subset, not the 4 MB font
    assert len(data) < 200_000


@pytest.mark.django_db
def test_certification_certificate_pdf_embeds_font(world) -> None:  # noqa: ANN001
    from gongjiang.certification.pdf import certificate_pdf
    from tests.certification.factories import issued_certificate

    cert = issued_certificate(world.enterprise_a)
    assert_cjk_font_embedded(certificate_pdf(cert, "https://gj.example.cn/v/x/"))

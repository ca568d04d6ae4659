"""The Chinese font every PDF of the platform uses, embedded (subset) so a certificate or a bulletin
prints the same on any machine and any viewer.

The font is Droid Sans Fallback Full (Google, Apache License 2.0; the file comes from Debian's
``fonts-droid-fallback`` package and its licence ships next to it in ``core/fonts/``). It has
TrueType (glyf) outlines, which reportlab embeds as a subset holding only the characters used —
reportlab cannot embed CFF/OpenType outlines such as Noto CJK's. See docs/dependencies.md.
"""

from __future__ import annotations

import threading
from pathlib import Path

FONT_NAME = "GongjiangCJK"
FONT_FILE = Path(__file__).resolve().parent / "fonts" / "DroidSansFallbackFull.ttf"

_lock = threading.Lock()


def cjk_font() -> str:
    """Register the embedded CJK font with reportlab once per process; return its name for
    ``canvas.setFont`` and paragraph styles."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_NAME in pdfmetrics.getRegisteredFontNames():
        return FONT_NAME
    with _lock:
        if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_FILE)))
    return FONT_NAME

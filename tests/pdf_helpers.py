"""Checks on generated PDFs shared by the apps' tests."""

from __future__ import annotations

import re


def assert_cjk_font_embedded(data: bytes) -> None:
    """The PDF carries its Chinese font inside (a TrueType subset, /FontFile2), and refers to no
    font the reader would have to supply (reportlab's built-in CID fonts such as STSong-Light)."""
    assert data.startswith(b"%PDF")
    assert b"STSong" not in data and b"UniGB-UCS2" not in data, "a non-embedded CID font is used"
    assert b"/FontFile2" in data, "no embedded TrueType font program"
    # reportlab names each subset "<6 letters>+<font name>"
    assert re.search(rb"/BaseFont /[A-Z]{6}\+DroidSansFallback", data), "CJK subset not found"

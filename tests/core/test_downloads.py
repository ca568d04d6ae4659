"""Download file names: what the file is, cleaned, sent as RFC 5987 with an ASCII fallback."""

from __future__ import annotations

from django.http import HttpResponse
from hypothesis import given
from hypothesis import strategies as st

from gongjiang.core.downloads import (
    MAX_STEM,
    ascii_fallback,
    attach,
    content_disposition,
    download_filename,
    safe_filename,
)
from gongjiang.core.exports import xlsx_bytes, xlsx_response
from tests.download_helpers import download_name


def test_name_says_what_it_is() -> None:
    assert download_filename("工作台账", "焊工技能提升方案", 2026, ext="xlsx") == (
        "工作台账-焊工技能提升方案-2026.xlsx"
    )
    assert download_filename("证书", "Y000032000001263000001", ext=".pdf") == (
        "证书-Y000032000001263000001.pdf"
    )


def test_unsafe_characters_are_removed() -> None:
    name = download_filename('../../etc/"台账"', "a\r\nb:c*?<>|", None, "", ext="xlsx")
    assert name == "etc 台账-a b c.xlsx"
    assert download_filename("", None, ext="pdf") == "download.pdf"


@given(st.lists(st.text(max_size=300), max_size=5))
def test_any_parts_give_a_safe_bounded_name(parts: list[str]) -> None:
    name = download_filename(*parts, ext="xlsx")
    stem = name[: -len(".xlsx")]
    assert name.endswith(".xlsx") and 0 < len(stem) <= MAX_STEM
    assert not any(ch in stem for ch in '\\/:*?"<>|;\r\n\x00')
    header = content_disposition(name)
    assert "\n" not in header and "\r" not in header and header.isascii()


def test_header_has_utf8_name_and_ascii_fallback() -> None:
    response = attach(HttpResponse(b"x"), "工作台账-焊工方案-2026.xlsx")
    header = response["Content-Disposition"]
    assert header.startswith("attachment; ")
    assert 'filename="GongZuoTaiZhang-HanGongFangAn-2026.xlsx"' in header
    assert download_name(response) == "工作台账-焊工方案-2026.xlsx"
    assert content_disposition("证书-1.pdf", inline=True).startswith("inline; ")


def test_ascii_fallback_keeps_ascii_and_extension() -> None:
    assert ascii_fallback("report-2026.xlsx") == "report-2026.xlsx"
    assert ascii_fallback("名册.csv") == "MingCe.csv"


@given(st.lists(st.text(max_size=300), max_size=5))
def test_a_built_name_passes_the_export_helpers_unchanged(parts: list[str]) -> None:
    # exports had its own cleaner, which cut a name built here to 120 characters with the
    # extension and put "_" where this one puts " ": the name a page built was not the one sent
    name = download_filename(*parts, ext="xlsx")
    assert safe_filename(name) == name


def test_export_response_sends_the_built_name() -> None:
    name = download_filename("工作台账", "方" * 200, 2026, ext="xlsx")
    response = xlsx_response(xlsx_bytes([("s", ["a"], [[1]])]), name)
    assert download_name(response) == name
    assert safe_filename("a/b\\c:d.csv") == "a b c d.csv"
    assert safe_filename("no extension?") == "no extension"
    assert safe_filename("") == "download" and safe_filename(".xlsx") == "download.xlsx"

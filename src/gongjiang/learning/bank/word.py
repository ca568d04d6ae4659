"""Word (.docx) question import: the “1. 题干 / A. 选项 / 答案：” layout teachers write.

The document is read into the rows the spreadsheet import validates (题型 · 题干 · 选项A … 选项H · 答案 ·
解析 · 难度 · 知识点 · 分值 · 评分标准 · 评分要点 · 计分规则 · 职业编码 · 技能等级), one row per question,
so every rule and the write path are those of :func:`gongjiang.learning.bank.transfer.question_import`.
This module only finds the questions and says where each field was written::

    一、单选题（每题1分）            a heading sets the type (and 分值) of the questions below it
    1. 焊接时，……（  ）。            numbering “1.” “1、” “1．” “（1）” (typed or Word's automatic numbering)
    A. 选项一   B. 选项二            options A–H, one or several a line: “A.” “A、” “A．” “A:”
    答案：B                          答案:/【答案】/正确答案：…; 解析, 难度, 知识点, 分值, 题型 (overrides the
    解析：……                         heading), 评分标准, 评分要点, 计分规则, 职业编码, 技能等级 likewise

A .docx is a zip; only ``word/document.xml`` (and ``word/numbering.xml`` and ``word/styles.xml``
for automatic numbering, written on the paragraph or through its style, e.g. “List Number”) is read, each capped at :data:`MAX_PART_BYTES` uncompressed, with a parser that refuses any DTD (so no
entity expansion). Anything unreadable raises :class:`UnreadableFile` — nothing is imported.
Images and text boxes are not imported (a warning names the question); equations become plain text
(with a warning).
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree as ET
from xml.parsers import expat

from django.utils.translation import gettext as _

from gongjiang.core.spreadsheets import UnreadableFile

from .columns import (
    ALIASES,
    EXPORT_HEADER,
    OPTION_LETTERS,
    QTYPE_LABELS,
    QTYPE_NAMES,
    parse_answer,
)

MAX_PART_BYTES = 20 * 1024 * 1024
DOCUMENT = "word/document.xml"
NUMBERING = "word/numbering.xml"
STYLES = "word/styles.xml"

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# “Strict Open XML” documents name the same elements in other namespaces
STRICT = {
    "http://purl.oclc.org/ooxml/wordprocessingml/main": W[1:-1],
    "http://purl.oclc.org/ooxml/officeDocument/math": M[1:-1],
}

# the columns a question fills, in the order of the spreadsheet layout (the export's columns
# without its question code and version)
COLUMNS = EXPORT_HEADER[: EXPORT_HEADER.index("试题编码")]
# field lines (“答案：B”, “【解析】……”): every header name of the spreadsheet layout except the stem
# and options, mapped to the column it fills
FIELD_NAMES: dict[str, str] = {"参考答案": "答案"}
for _field, _names in ALIASES.items():
    if _field == "stem" or _field.startswith("option_"):
        continue
    for _name in _names:
        FIELD_NAMES[_name] = _names[0]
HTML_COLUMNS = {"题干", "解析", "评分标准", *[f"选项{c}" for c in OPTION_LETTERS]}
# fields whose text may go on over several paragraphs
MULTILINE = {"解析", "评分标准", "评分要点"}

CHOICE = "选择题"  # a heading that does not say single or multiple: decided by the answer
HEADING_TYPES: dict[str, str] = {
    **{name: QTYPE_LABELS[qtype] for name, qtype in QTYPE_NAMES.items()},
    "单项选择": "单选题",
    "多项选择": "多选题",
    "不定项选择题": "多选题",
    "选择题": CHOICE,
    "是非题": "判断题",
    "名词解释": "简答题",
    "计算题": "简答题",
    "案例分析题": "简答题",
    "操作题": "实操题",
    "技能操作题": "实操题",
}

_NAMES = "|".join(sorted(map(re.escape, FIELD_NAMES), key=len, reverse=True))
FIELD_LINE = re.compile(rf"^(?:【\s*({_NAMES})\s*】\s*:?|({_NAMES})\s*:)\s*(.*)$")
QUESTION_LINE = re.compile(r"^(?:\((\d{1,4})\)|(\d{1,4})\s*(?:、|\.(?!\d)))\s*(.*)$")
OPTION_MARK = re.compile(r"([A-H])\s*[.、:]")
OPTION_LINE = re.compile(r"^[A-H]\s*[.、:]")
HEADING = re.compile(
    r"^(?P<prefix>第?[一二三四五六七八九十]+(?:部分|大题)?\s*[、.]?\s*)?"
    r"(?P<name>[^\s()【】:,]{1,20}?)\s*(?:\((?P<note>[^)]*)\)|:(?P<after>.*))?\s*[:。.]?$"
)
SCORE_NOTE = re.compile(r"每\s*小?\s*题\s*(\d+(?:\.\d+)?)\s*分")


@dataclass
class Issue:
    """A problem (or a warning) found while reading the document."""

    paragraph: int
    column: str
    value: str
    message: str
    question: int | None = None  # the question (DocxQuestion.index) it is in or follows
    loose: bool = False  # text that belongs to no question: an error of the whole file


@dataclass
class DocxQuestion:
    index: int  # 1-based order in the document: the “row” the validation reports
    number: str  # the number as written, e.g. “3.” or “(3)”
    section: str  # the heading it stands under, e.g. “一、单选题”
    section_type: str  # the type the heading gives (a column value; “” when none)
    section_score: str
    paragraph: int
    stem: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)
    option_order: list[str] = field(default_factory=list)
    fields: dict[str, list[str]] = field(default_factory=dict)
    paragraphs: dict[str, int] = field(default_factory=dict)  # column → paragraph

    @property
    def label(self) -> str:
        return f"{self.section} {self.number}".strip()

    def qtype(self) -> str:
        written = " ".join(self.fields.get("题型", [])).strip()
        qtype = HEADING_TYPES.get(written, written) if written else self.section_type
        if qtype == CHOICE:
            letters = parse_answer("multiple", " ".join(self.fields.get("答案", [])))
            qtype = "多选题" if len(set(letters)) > 1 else "单选题"
        return qtype

    def row(self) -> list[str]:
        values = {column: "" for column in COLUMNS}
        values["题型"] = self.qtype()
        values["题干"] = "<br>".join(self.stem)
        for letter, text in self.options.items():
            values[f"选项{letter}"] = text
        for column, lines in self.fields.items():
            if column == "题型":
                continue
            joiner = "<br>" if column in HTML_COLUMNS else "\n"
            values[column] = joiner.join(lines)
        if not values["分值"]:
            values["分值"] = self.section_score
        return [values[c] for c in COLUMNS]


@dataclass
class DocxBank:
    questions: list[DocxQuestion]
    errors: list[Issue]
    warnings: list[Issue]

    def rows(self) -> list[tuple[int, list[str]]]:
        """The header and one row per question, numbered by question index (the header is 0)."""
        return [(0, list(COLUMNS))] + [(q.index, q.row()) for q in self.questions]

    def errors_by_row(self) -> dict[int, list[Issue]]:
        """The errors that reject one question, by question index."""
        out: dict[int, list[Issue]] = {}
        for issue in self.errors:
            if issue.question is not None and not issue.loose:
                out.setdefault(issue.question, []).append(issue)
        return out

    def loose_errors(self) -> list[Issue]:
        return [i for i in self.errors if i.loose or i.question is None]

    @staticmethod
    def column_group(column: str) -> str:
        """The columns one reading error stands for: every option column counts as one."""
        return "选项" if column.startswith("选项") else column

    def located(self, issue: Issue) -> dict[str, Any]:
        return {
            "row": issue.paragraph,
            "paragraph": issue.paragraph,
            "question": self.questions[issue.question - 1].label if issue.question else "",
            "column": issue.column,
            "value": issue.value,
            "message": issue.message,
        }

    def locate(self, row: int, column: str, value: str, message: str) -> dict[str, Any]:
        """A validation error on (question index, column) as the Word user finds it."""
        q = self.questions[row - 1]
        paragraph = q.paragraphs.get(column) or q.paragraph
        for issue in self.errors:  # an error found while reading keeps its own line
            if (issue.question, issue.column, issue.message) == (row, column, message):
                paragraph = issue.paragraph
                break
        return self.located(Issue(paragraph, column, value, message, q.index))


# ----------------------------------------------------------------------------- reading the zip
def _unreadable(reason: str) -> UnreadableFile:
    return UnreadableFile(
        _("This file cannot be read as a Word document: %(reason)s") % {"reason": reason}
    )


def _part(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    too_large = _("%(part)s is larger than %(mb)d MB uncompressed.") % {
        "part": name,
        "mb": MAX_PART_BYTES // (1024 * 1024),
    }
    if info.file_size > MAX_PART_BYTES:
        raise _unreadable(too_large)
    try:
        with archive.open(info) as fh:
            data = fh.read(MAX_PART_BYTES + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError):
        raise _unreadable(_("%(part)s is damaged or encrypted.") % {"part": name}) from None
    if len(data) > MAX_PART_BYTES:
        raise _unreadable(too_large)
    return data


class _Forbidden(Exception):
    pass


def _parse_xml(
    data: bytes,
    part: str,
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None],
    chars: Callable[[str], None],
) -> None:
    """Run expat over ``data`` with names as ``{namespace}local``; a DTD (and so any entity
    declaration: “billion laughs”, external entities) is refused."""
    parser = expat.ParserCreate(namespace_separator=" ")

    def name(raw: str) -> str:
        uri, _sep, local = raw.rpartition(" ")
        uri = STRICT.get(uri, uri)
        return f"{{{uri}}}{local}" if uri else local

    def forbid(*_args: Any) -> None:
        raise _Forbidden

    parser.StartDoctypeDeclHandler = forbid
    parser.EntityDeclHandler = forbid
    parser.UnparsedEntityDeclHandler = forbid
    parser.ExternalEntityRefHandler = forbid
    parser.StartElementHandler = lambda tag, attrs: start(
        name(tag), {name(k): v for k, v in attrs.items()}
    )
    parser.EndElementHandler = lambda tag: end(name(tag))
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(data, True)
    except _Forbidden:
        raise _unreadable(
            _("%(part)s declares a DTD or entities, which a Word document never does.")
            % {"part": part}
        ) from None
    except expat.ExpatError as exc:
        raise _unreadable(
            _("%(part)s is not well-formed XML (line %(line)d).")
            % {"part": part, "line": exc.lineno}
        ) from None
    except RecursionError:
        raise _unreadable(_("%(part)s is nested too deeply.") % {"part": part}) from None


def _parse_tree(data: bytes, part: str) -> ET.Element:
    builder = ET.TreeBuilder()
    _parse_xml(data, part, builder.start, builder.end, builder.data)
    return builder.close()


# ------------------------------------------------------------------------ automatic numbering
CHINESE_DIGITS = "〇一二三四五六七八九"
HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"


def _chinese(n: int) -> str:
    if n <= 0 or n >= 100:
        return str(n)
    tens, ones = divmod(n, 10)
    text = ("" if tens <= 1 else CHINESE_DIGITS[tens]) + ("十" if tens else "")
    return text + (CHINESE_DIGITS[ones] if ones else "")


def _letters(n: int) -> str:
    text = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        text = chr(ord("A") + rest) + text
    return text


def _roman(n: int) -> str:
    out = ""
    for value, digits in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out += digits
            n -= value
    return out


def format_number(n: int, fmt: str) -> str:
    if fmt in ("upperLetter", "lowerLetter"):
        text = _letters(n)
        return text if fmt == "upperLetter" else text.lower()
    if fmt in ("upperRoman", "lowerRoman"):
        return _roman(n) if fmt == "upperRoman" else _roman(n).lower()
    if fmt.startswith("chinese") or fmt in ("ideographDigital", "japaneseCounting"):
        return _chinese(n)
    if fmt.startswith("ideographTraditional") and 1 <= n <= 10:
        return HEAVENLY_STEMS[n - 1]
    if fmt.startswith("decimalEnclosedCircle") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = ""


class Numbering:
    """Word's automatic list numbering, rendered as the text a reader sees (“1.”, “A.”, “一、”)."""

    def __init__(self, root: ET.Element | None) -> None:
        self.levels: dict[str, dict[int, _Level]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        # paragraph style → the list level that names it (<w:lvl><w:pStyle w:val="…"/>)
        self.style_levels: dict[str, int] = {}
        if root is None:
            return
        abstract: dict[str, dict[int, _Level]] = {}
        for node in root.iter(f"{W}abstractNum"):
            levels = {}
            for lvl in node.iter(f"{W}lvl"):
                style = lvl.find(f"{W}pStyle")
                if style is not None and style.get(f"{W}val"):
                    self.style_levels.setdefault(
                        style.get(f"{W}val", ""), _int(lvl.get(f"{W}ilvl"), 0)
                    )
                level = _Level()
                start, fmt, text = (lvl.find(f"{W}{n}") for n in ("start", "numFmt", "lvlText"))
                level.start = _int((start.get(f"{W}val") if start is not None else None), 1)
                level.fmt = (fmt.get(f"{W}val") if fmt is not None else None) or "decimal"
                level.text = (text.get(f"{W}val") if text is not None else None) or ""
                levels[_int(lvl.get(f"{W}ilvl"), 0)] = level
            abstract[node.get(f"{W}abstractNumId", "")] = levels
        for num in root.iter(f"{W}num"):
            ref = num.find(f"{W}abstractNumId")
            base = abstract.get(ref.get(f"{W}val", "") if ref is not None else "", {})
            levels = {k: _Level(v.start, v.fmt, v.text) for k, v in base.items()}
            for override in num.iter(f"{W}lvlOverride"):
                start = override.find(f"{W}startOverride")
                ilvl = _int(override.get(f"{W}ilvl"), 0)
                if start is not None and ilvl in levels:
                    levels[ilvl].start = _int(start.get(f"{W}val"), 1)
            self.levels[num.get(f"{W}numId", "")] = levels

    def label(self, num_id: str, ilvl: int) -> str:
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, levels[ilvl].start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        level = levels[ilvl]
        if level.fmt in ("bullet", "none"):
            return ""

        def value(match: re.Match[str]) -> str:
            k = int(match.group(1)) - 1
            lv = levels.get(k)
            if lv is None:
                return ""
            return format_number(counters.get(k, lv.start), lv.fmt)

        return re.sub(r"%([1-9])", value, level.text)


class Styles:
    """The automatic numbering that paragraph styles carry (styles.xml: a style's own
    ``<w:numPr>``, or one inherited through ``<w:basedOn>``)."""

    def __init__(self, root: ET.Element | None, numbering: Numbering) -> None:
        self.own: dict[str, tuple[str | None, int | None]] = {}
        self.based_on: dict[str, str] = {}
        self.numbering = numbering
        if root is None:
            return
        for style in root.iter(f"{W}style"):
            if style.get(f"{W}type", "paragraph") != "paragraph":
                continue
            style_id = style.get(f"{W}styleId", "")
            base = style.find(f"{W}basedOn")
            if base is not None and base.get(f"{W}val"):
                self.based_on[style_id] = base.get(f"{W}val", "")
            ppr = style.find(f"{W}pPr")
            numpr = ppr.find(f"{W}numPr") if ppr is not None else None
            if numpr is None:
                continue
            num_id, ilvl = numpr.find(f"{W}numId"), numpr.find(f"{W}ilvl")
            self.own[style_id] = (
                num_id.get(f"{W}val", "") if num_id is not None else None,
                _int(ilvl.get(f"{W}val"), 0) if ilvl is not None else None,
            )

    def list_of(self, style_id: str) -> tuple[str, int]:
        """(numId, level) of a paragraph in this style; ("", 0) when it is not numbered."""
        num_id: str | None = None
        ilvl: int | None = None
        seen: set[str] = set()
        current = style_id
        while current and current not in seen and len(seen) < 50:  # basedOn may loop
            seen.add(current)
            own_id, own_level = self.own.get(current, (None, None))
            num_id = own_id if num_id is None else num_id
            ilvl = own_level if ilvl is None else ilvl
            current = self.based_on.get(current, "")
        if not num_id or num_id == "0":
            return "", 0
        if ilvl is None:
            ilvl = self.numbering.style_levels.get(style_id, 0)
        return num_id, ilvl


def _int(text: str | None, default: int) -> int:
    try:
        return int(text or "")
    except ValueError:
        return default


# -------------------------------------------------------------------------------- paragraphs
@dataclass
class Line:
    paragraph: int
    text: str  # NFKC, trimmed
    images: int = 0
    equations: int = 0


MEDIA = {f"{W}drawing", f"{W}pict", f"{W}object", f"{MC}AlternateContent"}
# deleted (tracked) text, and the properties a tracked change replaced
SKIPPED = {*MEDIA, f"{W}del", f"{W}moveFrom", f"{W}pPrChange", f"{W}rPrChange"}


class _DocumentReader:
    """Streams document.xml into paragraphs: run text, tabs and line breaks, Word's automatic
    numbering; images, text boxes and embedded objects are counted and left out, deleted (tracked)
    and hidden text is dropped, an underlined gap becomes “____”."""

    def __init__(self, numbering: Numbering, styles: Styles | None = None) -> None:
        self.numbering = numbering
        self.styles = styles or Styles(None, numbering)
        self.paragraphs: list[tuple[int, str, int, int]] = []
        self.count = 0
        self.skip = 0  # depth inside a subtree that is left out
        self.in_p = False
        self.in_run = False
        self.in_text = False
        self.in_math = 0
        self.parts: list[str] = []
        self.run: list[str] = []
        self.underlined = False
        self.hidden = False
        self.num_id = ""
        self.ilvl: int | None = None
        self.style = ""
        self.images = 0
        self.equations = 0

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if self.skip:
            self.skip += 1
            return
        if tag in SKIPPED:
            if self.in_p and tag in MEDIA:
                self.images += 1
            self.skip = 1
            return
        if tag == f"{W}p":
            self.in_p, self.parts, self.num_id, self.ilvl, self.style = True, [], "", None, ""
            self.images = self.equations = 0
            self.count += 1
        elif not self.in_p:
            return
        elif tag in (f"{W}r", f"{M}r"):
            self.in_run, self.run, self.underlined, self.hidden = True, [], False, False
        elif not self.in_run:
            if tag == f"{W}numId":
                self.num_id = attrs.get(f"{W}val", "")
            elif tag == f"{W}ilvl":
                self.ilvl = _int(attrs.get(f"{W}val"), 0)
            elif tag == f"{W}pStyle":
                self.style = attrs.get(f"{W}val", "")
            elif tag in (f"{M}oMath", f"{M}oMathPara"):
                self.equations += 0 if self.in_math else 1
                self.in_math += 1
        elif tag in (f"{W}t", f"{M}t"):
            self.in_text = True
        elif tag == f"{W}tab":
            self.run.append("\t")
        elif tag in (f"{W}br", f"{W}cr"):
            self.run.append("\n")
        elif tag == f"{W}noBreakHyphen":
            self.run.append("-")
        elif tag == f"{W}u":
            self.underlined = attrs.get(f"{W}val", "single") != "none"
        elif tag == f"{W}vanish":
            self.hidden = attrs.get(f"{W}val", "true") not in ("false", "0")

    def end(self, tag: str) -> None:
        if self.skip:
            self.skip -= 1
            return
        if not self.in_p:
            return
        if tag in (f"{W}t", f"{M}t"):
            self.in_text = False
        elif tag in (f"{W}r", f"{M}r") and self.in_run:
            text = "".join(self.run)
            if self.underlined and text and not text.strip():
                text = "_" * max(4, len(text))  # an underlined gap is a blank to fill in
            if not self.hidden:
                self.parts.append(text)
            self.in_run, self.run = False, []
        elif tag in (f"{M}oMath", f"{M}oMathPara"):
            self.in_math = max(0, self.in_math - 1)
        elif tag == f"{W}p":
            text = "".join(self.parts)
            num_id, ilvl = self.num_id, self.ilvl
            if not num_id and self.style:  # numbered through its style (a numId of 0 turns it off)
                num_id, style_level = self.styles.list_of(self.style)
                ilvl = style_level if ilvl is None else ilvl
            if num_id and num_id != "0":
                label = self.numbering.label(num_id, ilvl or 0)
                if label:
                    text = f"{label} {text}"
            self.paragraphs.append((self.count, text, self.images, self.equations))
            self.in_p = False

    def chars(self, data: str) -> None:
        if self.in_text and self.in_run:
            self.run.append(data)


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return text.replace("\u200b", "").replace("\ufeff", "").replace("\t", "  ").strip()


def read_lines(source: str | Path | IO[bytes]) -> list[Line]:
    """The document's lines (a paragraph split at its line breaks), each with its paragraph number."""
    if isinstance(source, str | Path):
        data = Path(source).read_bytes()
    else:
        data = source.read()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise _unreadable(
            _(
                "it is not a .docx file (an old .doc file must first be saved as .docx in "
                "Word or WPS)."
            )
        ) from None
    with archive:
        document = _part(archive, DOCUMENT)
        if document is None:
            raise _unreadable(
                _("it has no %(part)s, so it is not a Word document.") % {"part": DOCUMENT}
            )
        numbering_xml = _part(archive, NUMBERING)
        styles_xml = _part(archive, STYLES) if numbering_xml else None
    numbering = Numbering(_parse_tree(numbering_xml, NUMBERING) if numbering_xml else None)
    styles = Styles(_parse_tree(styles_xml, STYLES) if styles_xml else None, numbering)
    reader = _DocumentReader(numbering, styles)
    _parse_xml(document, DOCUMENT, reader.start, reader.end, reader.chars)
    lines: list[Line] = []
    for number, text, images, equations in reader.paragraphs:
        pieces = [_clean(piece) for piece in text.split("\n")]
        pieces = [p for p in pieces if p] or ([""] if images or equations else [])
        for i, piece in enumerate(pieces):
            first = i == 0
            lines.append(Line(number, piece, images if first else 0, equations if first else 0))
    return lines


# ----------------------------------------------------------------------------------- parsing
def split_options(text: str) -> Iterator[tuple[str, str]]:
    """“A. 甲   B. 乙” → (A, 甲), (B, 乙): the letters after the first must follow in order."""
    first = OPTION_MARK.match(text)
    if first is None:
        return
    marks = [first]
    for match in OPTION_MARK.finditer(text, first.end()):
        before = text[match.start() - 1]
        expected = chr(ord(marks[-1].group(1)) + 1)
        if match.group(1) == expected and not (before.isascii() and before.isalnum()):
            marks.append(match)
    for i, match in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        yield match.group(1), text[match.end() : end].strip()


def _heading(text: str) -> tuple[str, str, str] | None:
    """(heading as shown, column value of the type, 分值) for a section heading, else None."""
    match = HEADING.match(text)
    if match is None:
        return None
    name = match.group("name")
    qtype = HEADING_TYPES.get(name)
    if qtype is None:
        if not (match.group("prefix") and name.endswith("题")):
            return None
        qtype = name  # an unknown type: every question under it is reported (use 题型：…)
    note = match.group("note") or match.group("after") or ""
    score = SCORE_NOTE.search(note)
    shown = f"{(match.group('prefix') or '').strip()}{name}"
    return shown, qtype, score.group(1) if score else ""


class _Parser:
    """One pass over the lines: headings, question lines, options, field lines and the text that
    goes on from the line before."""

    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        self.questions: list[DocxQuestion] = []
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []
        self.section = ""
        self.section_type = ""
        self.section_score = ""
        self.q: DocxQuestion | None = None
        self.context = ""  # "", "stem", "options" or the column of the last field line
        self.inner = 0  # the last number of a numbered list inside the current text

    # -- reporting
    def _issue(self, line: Line, column: str, message: str, value: str | None) -> Issue:
        return Issue(
            line.paragraph,
            column,
            line.text if value is None else value,
            message,
            self.q.index if self.q else None,
        )

    def error(self, line: Line, column: str, message: str, value: str | None = None) -> None:
        self.errors.append(self._issue(line, column, message, value))

    def loose(self, line: Line, message: str) -> None:
        """Text that belongs to no question: an error of the whole file."""
        issue = self._issue(line, "", message, None)
        issue.loose = True
        self.errors.append(issue)

    def warn(self, line: Line, column: str, message: str) -> None:
        self.warnings.append(self._issue(line, column, message, None))

    # -- deciding what a numbered line is
    def qtype(self) -> str:
        return self.q.qtype() if self.q is not None else ""

    def continuable(self) -> bool:
        """Does the text of the current field go on over the next paragraphs?"""
        if self.context in MULTILINE:
            return True
        if self.context == "答案":
            qtype = self.qtype()
            return qtype in ("简答题", "实操题") or qtype not in (*QTYPE_LABELS.values(), CHOICE)
        return False

    def body_follows(self, start: int) -> bool:
        """Does an option or an answer line come before the next numbered line or heading?"""
        for line in self.lines[start + 1 :]:
            if OPTION_LINE.match(line.text):
                return True
            match = FIELD_LINE.match(line.text)
            if match is not None:
                if FIELD_NAMES[match.group(1) or match.group(2)] in ("答案", "评分要点"):
                    return True
                continue
            if QUESTION_LINE.match(line.text) or _heading(line.text):
                return False
        return False

    def starts_question(self, i: int, number: int) -> bool:
        """A numbered line starts a question, unless it goes on with a numbered list inside a stem
        (“(1) … (2) …” before the options) or inside a long answer or explanation (then it starts
        a question only when options or an answer line follow it)."""
        if self.q is None or self.context == "options":
            return True
        if self.context == "stem":
            return number != self.inner + 1
        if self.continuable() and number == self.inner + 1:
            return self.body_follows(i)
        return True

    # -- the walk
    def parse(self) -> None:
        for i, line in enumerate(self.lines):
            text = line.text
            if not text:
                self.media(line)
                continue
            match = FIELD_LINE.match(text)
            if match is not None:
                self.field_line(line, FIELD_NAMES[match.group(1) or match.group(2)], match.group(3))
                continue
            heading = _heading(text)
            if heading is not None:
                self.section, self.section_type, self.section_score = heading
                self.q, self.context, self.inner = None, "", 0
                self.media(line)
                continue
            number = QUESTION_LINE.match(text)
            if number is not None:
                n = int(number.group(1) or number.group(2))
                if self.starts_question(i, n):
                    self.question_line(line, number)
                    continue
                self.inner = n
            elif OPTION_LINE.match(text):
                self.option_line(line)
                continue
            self.more_text(line)
        for q in self.questions:
            self.check(q)

    def media(self, line: Line) -> None:
        column = self.context if self.context not in ("", "stem", "options") else "题干"
        if self.context == "options" and self.q is not None and self.q.option_order:
            column = f"选项{self.q.option_order[-1]}"
        if line.images:
            self.warn(
                line,
                column,
                _(
                    "An image or text box was left out: images are not imported from Word; "
                    "add it by editing the question."
                ),
            )
        if line.equations:
            self.warn(line, column, _("An equation was imported as plain text: check it."))

    def question_line(self, line: Line, match: re.Match[str]) -> None:
        stem = match.group(3)
        token = line.text[: match.start(3)].strip() if stem else line.text.strip()
        q = DocxQuestion(
            index=len(self.questions) + 1,
            number=token,
            section=self.section,
            section_type=self.section_type,
            section_score=self.section_score,
            paragraph=line.paragraph,
        )
        self.questions.append(q)
        self.q, self.context, self.inner = q, "stem", 0
        q.paragraphs["题干"] = line.paragraph
        if stem:
            q.stem.append(html.escape(stem, quote=False))
        self.media(line)

    def option_line(self, line: Line) -> None:
        q = self.q
        if q is None:
            self.loose(line, _("This option is not under any question: is its number missing?"))
            return
        if "答案" in q.fields:
            self.error(
                line,
                f"选项{line.text[0]}",
                _("An option after the answer line: is the number of the next question missing?"),
            )
            return
        for letter, text in split_options(line.text):
            column = f"选项{letter}"
            if letter in q.options:
                self.error(
                    line,
                    column,
                    _("Option %(letter)s is written twice.") % {"letter": letter},
                    text,
                )
                continue
            q.options[letter] = html.escape(text, quote=False)
            q.option_order.append(letter)
            q.paragraphs[column] = line.paragraph
        self.context, self.inner = "options", 0
        self.media(line)

    def field_line(self, line: Line, column: str, value: str) -> None:
        q = self.q
        if q is None:
            self.loose(
                line,
                _("This %(field)s line is not under any question: is the question number missing?")
                % {"field": column},
            )
            return
        if column in q.fields:
            self.error(
                line,
                column,
                _(
                    "A second %(field)s line in the same question: is the number of the next "
                    "question missing?"
                )
                % {"field": column},
                value,
            )
            self.context = ""
            return
        escaped = html.escape(value, quote=False) if column in HTML_COLUMNS else value
        q.fields[column] = [escaped] if value else []
        q.paragraphs[column] = line.paragraph
        self.context, self.inner = column, 0
        self.media(line)

    def more_text(self, line: Line) -> None:
        q = self.q
        if q is None:
            self.warn(
                line, "", _("Text outside the questions (a title or an instruction) was left out.")
            )
            return
        if self.context == "stem":
            q.stem.append(html.escape(line.text, quote=False))
        elif self.continuable():
            column = self.context
            text = html.escape(line.text, quote=False) if column in HTML_COLUMNS else line.text
            q.fields[column].append(text)
        elif self.context == "options":
            self.loose(
                line,
                _(
                    "This text follows the options but is neither an option (A. …) nor a line "
                    "such as 答案：…, so it cannot be attached to the question."
                ),
            )
            return
        else:
            self.loose(
                line,
                _(
                    "This text follows a %(field)s line, which takes a single line, so it cannot "
                    "be attached to the question."
                )
                % {"field": self.context or "—"},
            )
            return
        self.media(line)

    def check(self, q: DocxQuestion) -> None:
        """What only the document can tell: a missing answer line, a gap in the option letters, a
        question with no type. Everything else is checked by the spreadsheet rules."""
        self.q = q
        qtype = q.qtype()
        stem_line = Line(q.paragraph, "")
        if not qtype:
            self.error(
                stem_line,
                "题型",
                _(
                    "The question type is not known: put the question under a heading such as "
                    "“一、单选题” or add a line “题型：单选题”."
                ),
                "",
            )
        if "答案" not in q.fields and qtype != "实操题":
            self.error(stem_line, "答案", _("This question has no answer line (答案：…)."), "")
        if q.options:
            last = max(q.options)
            where = Line(q.paragraphs.get(f"选项{last}", q.paragraph), "")
            for letter in OPTION_LETTERS[: OPTION_LETTERS.index(last)]:
                if letter not in q.options:
                    self.error(
                        where,
                        f"选项{letter}",
                        _("Option %(letter)s is missing: the options go %(letters)s.")
                        % {"letter": letter, "letters": "、".join(q.option_order)},
                        "",
                    )
        self.q = None


def docx_bank(source: str | Path | IO[bytes]) -> DocxBank:
    """Read a .docx into questions; raises :class:`UnreadableFile` when it cannot be read or holds
    no question."""
    lines = read_lines(source)
    parser = _Parser(lines)
    parser.parse()
    if not parser.questions:
        raise UnreadableFile(
            _(
                "No question was found in the document: number each question (“1. 题干”) and "
                "put its options (A. …) and its answer (答案：…) below it."
            )
        )
    return DocxBank(parser.questions, parser.errors, parser.warnings)


# ------------------------------------------------------------------------------- the sample
SAMPLE = """一、单选题（每题1分）
1. 焊接时，为防止弧光伤害眼睛，应佩戴（  ）。
A. 普通眼镜\tB. 焊接面罩\tC. 太阳镜\tD. 不需要防护
答案：B
解析：焊接弧光含强烈的紫外线，须使用带滤光片的焊接面罩。
难度：易
知识点：安全防护
二、多选题（每题2分）
1. 下列属于个人防护用品的是（  ）。
A. 安全帽
B. 护目镜
C. 扳手
D. 绝缘手套
答案：ABD
难度：中等
知识点：安全防护
三、判断题（每题1分）
1. 焊接作业结束后可以立即离开现场，不必检查火种。（  ）
答案：×
解析：作业结束后须检查并清除火种，确认安全后方可离开。
四、填空题（每题2分）
1. M10 表示公称直径为____mm 的____螺纹。
答案：10；普通|粗牙
知识点：识图
五、简答题
1. 简述錾削的安全要求。
答案：戴防护眼镜；錾子无毛刺；錾削方向不得对着人。
分值：5
六、实操题
1. 锉削一个 30×30 mm 的正方体。
评分要点：尺寸:6；平面度:4
难度：较难"""

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def docx_bytes(paragraphs: list[str]) -> bytes:
    """A minimal .docx with one paragraph per text (tabs kept; headings such as “一、单选题” bold)."""
    body = []
    for text in paragraphs:
        runs = []
        for i, piece in enumerate(text.split("\t")):
            if i:
                runs.append("<w:r><w:tab/></w:r>")
            bold = "<w:rPr><w:b/></w:rPr>" if _heading(_clean(text)) else ""
            escaped = html.escape(piece, quote=False)
            runs.append(f'<w:r>{bold}<w:t xml:space="preserve">{escaped}</w:t></w:r>')
        body.append(f"<w:p>{''.join(runs)}</w:p>")
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W[1:-1]}"><w:body>{"".join(body)}</w:body></w:document>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr(DOCUMENT, document)
    return buffer.getvalue()


def sample_docx() -> bytes:
    return docx_bytes(SAMPLE.splitlines())

"""Worker roster rows: header detection, normalisation and validation (no database).

The import page reads a file with :func:`gongjiang.core.spreadsheets.read_rows`, hands the rows to
:class:`RosterReader`, and receives per data row either a :class:`ParsedWorker` or the reasons
(:class:`RowError`) it was rejected, plus :class:`RowWarning` items that do not reject it.

The rules are a public contract (see the roster import help page):

1. The header row is the first row, among the first 10, holding the name and citizen-ID columns;
   rows above it are ignored. Fully blank rows are skipped and not counted.
2. Columns are recognised by the headers in :data:`COLUMN_ALIASES` (exact after NFKC and trimming).
3. Values are NFKC-normalised; IDs and phones lose spaces and dashes; names are trimmed and their
   middle-dot look-alikes become "·"; a final lower-case x in an ID becomes X.
4. The citizen ID is required and validated by :func:`gongjiang.core.validators.normalize_citizen_id`.
5. Gender and birth date, when given, must agree with the ID (a year and month agree to the month).
6. Skill levels: ladder name, national grade, or both (agreeing). Empty is allowed.
7. Dates: Excel dates, Excel serial numbers, and the usual Chinese text forms.
8. Phones: 11-digit mobile (optional +86) or a landline with area code; normalised.
9. The name is required. An occupation not found by the lookup is only a warning.
10. A citizen ID seen before in the file rejects the later rows, naming the first one.
11. Errors carry the row number the user sees, the header as written, the value and the reason.

Speed: typical rows are parsed at over 100,000 rows/s per core. For an ID already in canonical
form (18 ASCII characters) the structural checks of ``normalize_citizen_id`` (format, real birth
date not in the future, check digit) are repeated here cheaply, and ``normalize_citizen_id`` itself
is asked once per (region prefix, birth year) about a representative ID, so a check it makes on
the region (e.g. python-stdnum's "region existed in the birth year", used by earlier versions)
still applies. Every other input (full width, spaces, lower-case x, 15 digits, anything failing here) goes
through ``normalize_citizen_id`` directly, which also words the error. A Hypothesis test keeps the
two in agreement.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, islice
from operator import itemgetter
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric

from gongjiang.core.refdata import read_csv
from gongjiang.core.spreadsheets import UnreadableFile, cell_text, find_header, is_blank
from gongjiang.core.validators import (
    citizen_id_birth_date,
    citizen_id_check_digit,
    citizen_id_gender,
    normalize_citizen_id,
)

__all__ = [
    "COLUMN_ALIASES",
    "FIELDS",
    "HEADER_SEARCH_ROWS",
    "MAX_NAME_LENGTH",
    "MIN_HIRE_AGE",
    "REQUIRED_FIELDS",
    "SKILL_LEVEL_CODES",
    "OccupationLookup",
    "ParsedWorker",
    "RosterReader",
    "RowError",
    "RowParser",
    "RowWarning",
    "normalize_name",
    "parse_citizen_id",
    "parse_date",
    "parse_gender",
    "parse_phone",
    "parse_row",
    "parse_skill_level",
    "parse_year_month",
]

OccupationLookup = Callable[[str], str | None]

# ---------------------------------------------------------------------------------------------
# Columns
# ---------------------------------------------------------------------------------------------

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "职工姓名", "员工姓名"),
    "citizen_id": ("身份证号", "身份证号码", "公民身份号码", "证件号码"),
    "gender": ("性别",),
    "birth_date": ("出生日期", "出生年月"),
    "ethnicity": ("民族",),
    "education": ("学历", "文化程度"),
    "phone": ("手机号", "手机号码", "联系电话", "联系方式"),
    "occupation": ("职业", "工种", "职业(工种)"),
    "skill_level": ("技能等级", "职业技能等级", "技术等级"),
    "hire_date": ("入职日期", "入职时间", "进厂时间"),
    "employee_number": ("工号", "员工编号"),
    "team": ("班组",),
    # the employing enterprise, by legal name or unified social credit code (a union covering
    # several enterprises needs it; see importer.EmployerLookup)
    "employer": (
        "用人单位",
        "工作单位",
        "单位名称",
        "统一社会信用代码",
        "用人单位统一社会信用代码",
    ),
}
FIELDS: tuple[str, ...] = tuple(COLUMN_ALIASES)
REQUIRED_FIELDS: tuple[str, ...] = ("name", "citizen_id")
HEADER_SEARCH_ROWS = 10
MAX_NAME_LENGTH = 50
MIN_HIRE_AGE = 16

# headers are compared after NFKC and trimming (so 职业（工种） is 职业(工种))
_ALIASES_NFKC: dict[str, tuple[str, ...]] = {
    f: tuple(unicodedata.normalize("NFKC", a).strip() for a in names)
    for f, names in COLUMN_ALIASES.items()
}

# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class RowError:
    """Why a row was rejected: the row as the user sees it, the header as written, the value."""

    row: int
    column: str
    value: str
    message: str


@dataclass(slots=True)
class RowWarning:
    """Something worth telling the user that does not reject the row."""

    row: int
    column: str
    value: str
    message: str


@dataclass(slots=True)
class ParsedWorker:
    row: int
    name: str
    citizen_id: str  # canonical 18 characters
    gender: Literal["M", "F"]  # derived from the ID
    birth_date: dt.date  # derived from the ID
    ethnicity: str = ""
    education: str = ""
    phone: str = ""  # 11-digit mobile or "0XX-XXXXXXXX"
    occupation_code: str | None = None
    job_title: str = ""  # the occupation text when the lookup did not find it
    skill_level: str | None = None  # a skill level code
    hire_date: dt.date | None = None
    employee_number: str = ""
    team: str = ""
    employer: str = ""  # legal name or credit code of the employing enterprise, as written


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------

_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_SPACE_DASH_RE = re.compile(r"[\s" + re.escape(_DASHES) + r"]+")
_DASH_TABLE = {ord(c): "-" for c in _DASHES}
# middle-dot look-alikes (after NFKC: U+FF65 is U+30FB, U+0387 is U+00B7)
_MIDDLE_DOTS = "\u00b7\u0387\u16eb\u2022\u2027\u2219\u22c5\u2e31\u30fb\uff65\u10fb\u318d"
_DOT_TABLE = {ord(c): "·" for c in _MIDDLE_DOTS}
_DOT_SPACING_RE = re.compile(r"\s*·\s*")


def _nfkc(value: Any) -> str:
    """``cell_text`` with a shortcut for text (ASCII text is already in NFKC form)."""
    if type(value) is str:
        return value.strip() if value.isascii() else unicodedata.normalize("NFKC", value).strip()
    return cell_text(value)


def _given(value: Any) -> bool:
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def _display(value: Any) -> str:
    """A cell as the user would recognise it (for error messages)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    return cell_text(value)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------


def normalize_name(value: Any) -> str:
    """NFKC, trimmed, middle-dot look-alikes as "·" (without spaces around it); raise ValueError."""
    name = _nfkc(value)
    if not name:
        raise ValueError(_("The name is required."))
    plain = name.isalpha()  # the common case: letters or Chinese characters only
    if not plain:
        name = name.translate(_DOT_TABLE)
        if "·" in name:
            name = _DOT_SPACING_RE.sub("·", name)
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(
            _("The name is longer than %(max)d characters.") % {"max": MAX_NAME_LENGTH}
        )
    if not plain and not any(ch.isalpha() for ch in name):
        raise ValueError(_("The name must contain at least one letter or Chinese character."))
    return name


# ---------------------------------------------------------------------------------------------
# Citizen ID
# ---------------------------------------------------------------------------------------------

_REGION_YEAR_OK: dict[tuple[str, int], bool] = {}


def _fast_citizen_id(text: str, today: dt.date) -> dt.date | None:
    """The birth date when ``text`` is a canonical 18-character ID that ``normalize_citizen_id``
    accepts; None means "not decided here" (the caller then runs ``normalize_citizen_id``).
    """
    if len(text) != 18 or not text.isascii():
        return None
    if not text[:17].isdigit() or text[17] not in "0123456789X":
        return None
    if ric.calc_check_digit(text) != text[17]:  # the same MOD 11-2 as core.validators, faster
        return None
    try:
        birth = citizen_id_birth_date(text)
    except ValueError:
        return None
    if birth > today or birth.year < 1900:
        return None
    key = (text[:6], birth.year)
    ok = _REGION_YEAR_OK.get(key)
    if ok is None:
        # the only part of the validation left depends on the region prefix and the birth year:
        # ask normalize_citizen_id about a representative ID (1 January of that year)
        body = f"{text[:6]}{birth.year:04d}0101000"
        try:
            normalize_citizen_id(body + citizen_id_check_digit(body), today=today)
            ok = True
        except (ValidationError, LookupError):  # stdnum raises KeyError for some region codes
            ok = False
        if len(_REGION_YEAR_OK) < 200_000:
            _REGION_YEAR_OK[key] = ok
    return birth if ok else None


def _numeric_id_lost_digits(value: Any) -> bool:
    # a spreadsheet number holds ~15 significant digits: an 18-digit ID stored as a number is garbled
    return _is_number(value) and abs(value) >= 1e15


def parse_citizen_id(value: Any, today: dt.date | None = None) -> str:
    """The canonical 18-character citizen ID, or ValueError with the reason."""
    return _citizen_id(value, today or timezone.localdate())[0]


def _citizen_id(value: Any, today: dt.date) -> tuple[str, dt.date]:
    """(canonical ID, birth date) or ValueError."""
    if _numeric_id_lost_digits(value):
        raise ValueError(
            _(
                "The citizen ID number was stored as a number and has lost its last digits; "
                "format the column as text and enter it again."
            )
        )
    text = value.strip() if isinstance(value, str) else cell_text(value)
    birth = _fast_citizen_id(text, today)
    if birth is not None:
        return text, birth
    try:
        number = normalize_citizen_id(text, today=today)
    except ValidationError as exc:
        raise ValueError(" ".join(str(m) for m in exc.messages)) from exc
    except LookupError as exc:  # python-stdnum: a province or city code without a county
        raise ValueError(
            _("The region code %(region)s of the citizen ID number is not a county.")
            % {"region": text[:6]}
        ) from exc
    return number, citizen_id_birth_date(number)


# ---------------------------------------------------------------------------------------------
# Gender
# ---------------------------------------------------------------------------------------------

_GENDERS: dict[str, Literal["M", "F"]] = {
    "男": "M",
    "女": "F",
    "m": "M",
    "f": "F",
    "male": "M",
    "female": "F",
}


def parse_gender(text: Any) -> Literal["M", "F"]:
    """'M' or 'F' from 男/女/M/F/male/female (case-insensitive); ValueError otherwise."""
    value = _nfkc(text)
    gender = _GENDERS.get(value) or _GENDERS.get(value.lower())
    if gender is None:
        raise ValueError(_("The gender must be 男 or 女 (or M/F, male/female)."))
    return gender


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------

MIN_YEAR = 1900
MAX_YEAR = 2100
# serial 61 = 1900-03-01 (Excel counts a fictitious 1900-02-29); below _SERIAL_MIN (1910-01-01)
# a number is not a plausible date of a worker's life
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SERIAL_MIN = (dt.date(1910, 1, 1) - _EXCEL_EPOCH).days
_SERIAL_MAX = (dt.date(MAX_YEAR, 12, 31) - _EXCEL_EPOCH).days

_DATE_RE = re.compile(
    r"(\d{4})\s*([-/.年])\s*(\d{1,2})\s*([-/.月])\s*(\d{1,2})\s*日?"
    r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_COMPACT_DATE_RE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_YEAR_MONTH_RE = re.compile(r"(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))")
_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
_SEPARATORS_OK = {("-", "-"), ("/", "/"), (".", "."), ("年", "月")}


def _checked_date(year: int, month: int, day: int, shown: str) -> dt.date:
    try:
        value = dt.date(year, month, day)
    except ValueError:
        raise ValueError(_("“%(value)s” is not a real date.") % {"value": shown}) from None
    return _in_range(value)


def _in_range(value: dt.date) -> dt.date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(
            _("The date %(date)s is outside the accepted years %(first)d–%(last)d.")
            % {"date": value.isoformat(), "first": MIN_YEAR, "last": MAX_YEAR}
        )
    return value


def _from_serial(number: float, shown: str) -> dt.date:
    if not _SERIAL_MIN <= number < _SERIAL_MAX + 1:
        raise ValueError(
            _("The number %(value)s is not a date (nor an Excel date serial number).")
            % {"value": shown}
        )
    return _EXCEL_EPOCH + dt.timedelta(days=int(number))


def _not_a_date(shown: str) -> ValueError:
    return ValueError(
        _(
            "“%(value)s” is not a date; write it like 1990-01-05, 1990/1/5, 1990.1.5, "
            "1990年1月5日 or 19900105."
        )
        % {"value": shown}
    )


def _only_year_month(shown: str) -> ValueError:
    return ValueError(
        _("“%(value)s” has only a year and month; give the full date.") % {"value": shown}
    )


def parse_date(value: Any) -> dt.date:
    """A date from an Excel date, an Excel serial number (1900 system) or text; ValueError otherwise.

    Text forms: 1990-01-05, 1990/1/5, 1990.1.5, 1990年1月5日, 19900105 (a time after the date is
    ignored). Years outside 1900–2100 are refused.
    """
    if isinstance(value, dt.datetime):
        return _in_range(value.date())
    if isinstance(value, dt.date):
        return _in_range(value)
    if isinstance(value, dt.time | dt.timedelta):
        raise ValueError(_("A time of day or a duration is not a date."))
    if _is_number(value):
        shown = cell_text(value)
        if isinstance(value, float) and not value.is_integer():
            if MIN_YEAR <= value < MAX_YEAR + 1:  # 1990.01 typed in a number cell
                raise _only_year_month(shown)
            return _from_serial(value, shown)
        return _parse_digits(str(int(value)), shown)
    text = _nfkc(value)
    if not text:
        raise ValueError(_("The date is empty."))
    match = _DATE_RE.fullmatch(text)
    if match:
        year, sep1, month, sep2, day = match.groups()
        if (sep1, sep2) not in _SEPARATORS_OK:
            raise _not_a_date(text)
        return _checked_date(int(year), int(month), int(day), text)
    if _NUMBER_RE.fullmatch(text):
        if "." in text:
            if _YEAR_MONTH_RE.fullmatch(text):
                raise _only_year_month(text)
            return _from_serial(float(text), text)
        return _parse_digits(text, text)
    if _YEAR_MONTH_RE.fullmatch(text):
        raise _only_year_month(text)
    raise _not_a_date(text)


def _parse_digits(digits: str, shown: str) -> dt.date:
    if len(digits) == 8:
        match = _COMPACT_DATE_RE.fullmatch(digits)
        assert match is not None
        return _checked_date(int(match[1]), int(match[2]), int(match[3]), shown)
    if len(digits) == 6 and _YEAR_MONTH_RE.fullmatch(digits):
        raise _only_year_month(shown)
    return _from_serial(int(digits), shown)


def _year_month_text(value: Any) -> str | None:
    """The text of a year-and-month value (1990.01, 1990年1月, 1990-01, 199001), else None."""
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return None
    if _is_number(value):
        if isinstance(value, float) and not value.is_integer():
            return repr(value) if MIN_YEAR <= value < MAX_YEAR + 1 else None
        text = str(int(value))
        return text if len(text) == 6 else None
    text = _nfkc(value)
    return text if _YEAR_MONTH_RE.fullmatch(text) else None


def parse_year_month(value: Any) -> tuple[int, int]:
    """(year, month) from "1990.01", "1990年1月", "1990-01", "1990/01", "199001" or a number.

    A number cell holding 1990.1 reads as January (Excel shows 1990.10 the same way: the roster
    check accepts either month when comparing with the ID).
    """
    text = _year_month_text(value)
    match = _YEAR_MONTH_RE.fullmatch(text) if text else None
    shown = _display(value)
    if not match:
        raise ValueError(
            _("“%(value)s” is not a year and month such as 1990.01, 1990年1月, 1990-01 or 199001.")
            % {"value": shown}
        )
    year, month = int(match[1]), int(match[2] or match[3])
    if not 1 <= month <= 12:
        raise ValueError(_("“%(value)s” is not a real date.") % {"value": shown})
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(
            _("The date %(date)s is outside the accepted years %(first)d–%(last)d.")
            % {"date": shown, "first": MIN_YEAR, "last": MAX_YEAR}
        )
    return year, month


def _year_month_candidates(value: Any) -> tuple[tuple[int, int], ...] | None:
    """The (year, month) readings of a year-and-month value, None when it is not one."""
    if _year_month_text(value) is None:
        return None
    year, month = parse_year_month(value)
    if isinstance(value, float) and month == 1 and repr(value).endswith(".1"):
        return ((year, 1), (year, 10))  # a number cell: 1990.1 may have been typed as 1990.10
    return ((year, month),)


# ---------------------------------------------------------------------------------------------
# Phones
# ---------------------------------------------------------------------------------------------

_MOBILE_RE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
_LANDLINE_DASH_RE = re.compile(r"(0\d{2,3})-(\d{7,8})")
_LANDLINE_RE = re.compile(r"0\d{9,11}")
_SPACES_RE = re.compile(r"\s+")


def parse_phone(text: Any) -> str:
    """The normalised phone: "" for empty, an 11-digit mobile, or a landline "0XX-XXXXXXXX"; ValueError otherwise.

    A landline without a dash is split by the national plan: 010 and 02X have 3-character area
    codes, every other 0XXX a 4-character one. Extensions are not accepted.
    """
    raw = _nfkc(text)
    if not raw:
        return ""
    if len(raw) == 11 and raw.isdigit() and raw[0] == "1" and raw[1] in "3456789":
        return raw  # the common case
    compact = _SPACE_DASH_RE.sub("", raw)
    match = _MOBILE_RE.fullmatch(compact)
    if match:
        return match[1]
    dashed = _SPACES_RE.sub("", raw).translate(_DASH_TABLE)
    match = _LANDLINE_DASH_RE.fullmatch(dashed)
    if match:
        return f"{match[1]}-{match[2]}"
    if "-" not in dashed and _LANDLINE_RE.fullmatch(dashed):
        area_len = 3 if dashed[1] in "12" else 4
        area, local = dashed[:area_len], dashed[area_len:]
        if 7 <= len(local) <= 8:
            return f"{area}-{local}"
    raise ValueError(
        _(
            "“%(value)s” is not a phone number: give an 11-digit mobile number or a landline "
            "with its area code such as 010-12345678 (no extension)."
        )
        % {"value": _display(text)}
    )


# ---------------------------------------------------------------------------------------------
# Skill levels
# ---------------------------------------------------------------------------------------------

_LADDER = read_csv("skill_levels.csv")
SKILL_LEVEL_CODES: tuple[str, ...] = tuple(r["code"] for r in _LADDER)
_NAME_TO_CODE: dict[str, str] = {r["name_zh"]: r["code"] for r in _LADDER}
_GRADE_TO_CODE: dict[str, str] = {}
for _r in _LADDER:
    if _r["grade_zh"]:
        _GRADE_TO_CODE[_r["grade_zh"]] = _r["code"]
    if _r["national_level"]:
        _GRADE_TO_CODE[f"{_r['national_level']}级"] = _r["code"]
# both parts, in either order, once the separators are removed: code, or (grade, name) when they
# disagree
_COMBINED: dict[str, str | tuple[str, str]] = {}
for _grade, _grade_code in _GRADE_TO_CODE.items():
    for _name, _name_code in _NAME_TO_CODE.items():
        _value: str | tuple[str, str] = _name_code if _name_code == _grade_code else (_grade, _name)
        _COMBINED[_grade + _name] = _value
        _COMBINED[_name + _grade] = _value
del _r, _grade, _grade_code, _name, _name_code, _value
_SKILL_SEPARATORS_RE = re.compile(r"[\s/\\()\[\]【】〔〕<>《》、,;:|·*+-]+")


@lru_cache(maxsize=4096)
def _skill_level(text: str) -> tuple[str | None, tuple[str, str] | None]:
    """(code, None) when understood, (None, (grade, name)) when disagreeing, (None, None) else."""
    code = _NAME_TO_CODE.get(text) or _GRADE_TO_CODE.get(text)
    if code:
        return code, None
    squeezed = _SKILL_SEPARATORS_RE.sub("", text)
    if squeezed != text:
        code = _NAME_TO_CODE.get(squeezed) or _GRADE_TO_CODE.get(squeezed)
        if code and len(_SKILL_SEPARATORS_RE.sub(" ", text).split()) == 1:
            return code, None  # "(高级工)": one part wrapped in brackets
    found = _COMBINED.get(squeezed)
    if isinstance(found, str):
        return found, None
    if found is not None:
        return None, found
    return None, None


def parse_skill_level(text: Any) -> str | None:
    """A skill level code from 学徒工…首席技师, 五级…一级 / 5级…1级, or both agreeing; None if empty."""
    value = _nfkc(text)
    if not value:
        return None
    code, disagreement = _skill_level(value)
    if code:
        return code
    if disagreement:
        raise ValueError(
            _("The grade %(grade)s and the level %(name)s do not agree.")
            % {"grade": disagreement[0], "name": disagreement[1]}
        )
    raise ValueError(
        _(
            "“%(value)s” is not a skill level: use 学徒工, 初级工, 中级工, 高级工, 技师, 高级技师, "
            "特级技师 or 首席技师, or a grade from 五级 to 一级."
        )
        % {"value": value}
    )


# ---------------------------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------------------------


def _sixteenth_birthday(birth: dt.date) -> dt.date:
    try:
        return birth.replace(year=birth.year + MIN_HIRE_AGE)
    except ValueError:  # 29 February
        return dt.date(birth.year + MIN_HIRE_AGE, 3, 1)


def _occupation_unknown(text: str) -> str:
    """The warning of an occupation not in the catalogue (remembered per text by the parser: a
    file often repeats one job title thousands of times, and gettext costs more than the row)."""
    return _(
        "The occupation “%(value)s” is not in the occupation catalogue; it is kept as the job title."
    ) % {"value": text}


class RowParser:
    """Parses data rows of one file; remembers the citizen IDs seen (rule 10) and the lookups.

    ``mapping`` is {field: column index}; ``labels`` the header, as written, of each column index
    (a column without a header is named by its letter).
    """

    def __init__(
        self,
        mapping: Mapping[str, int],
        labels: Sequence[str],
        occupation_lookup: OccupationLookup,
        today: dt.date,
        seen_ids: dict[str, int] | None = None,
    ) -> None:
        self.mapping = dict(mapping)
        self.labels = list(labels)
        self.occupation_lookup = occupation_lookup
        self.today = today
        self.seen_ids: dict[str, int] = seen_ids if seen_ids is not None else {}
        self._occupations: dict[str, str | None] = {}
        self._memos: dict[Callable[[Any], Any], dict[str, Any]] = {}
        self._label: dict[str, str] = {}
        for name, index in self.mapping.items():
            label = self.labels[index] if index < len(self.labels) else ""
            self._label[name] = label or _("column %(letter)s") % {"letter": _column_letter(index)}
        # the cells of FIELDS, in order; an unmapped field reads the None appended to each row
        self._pick = itemgetter(*(self.mapping.get(name, -1) for name in FIELDS))
        self._width = max(self.mapping.values(), default=-1) + 1

    def lookup_occupation(self, text: str) -> str | None:
        """The occupation code for ``text`` (each distinct text is looked up once)."""
        try:
            return self._occupations[text]
        except KeyError:
            code = self._occupations[text] = self.occupation_lookup(text)
            return code

    def _memo(self, value: Any, parse: Callable[[Any], Any]) -> Any:
        """``parse(value)``, remembered for text values (columns with few distinct values)."""
        if type(value) is not str:
            return parse(value)
        memo = self._memos.get(parse)
        if memo is None:
            memo = self._memos[parse] = {}
        try:
            return memo[value]
        except KeyError:
            result = parse(value)  # a ValueError is not remembered
            if len(memo) < 10_000:
                memo[value] = result
            return result

    def _error(self, errors: list[RowError], row: int, name: str, value: Any, message: str) -> None:
        errors.append(RowError(row, self._label.get(name, name), _display(value), message))

    def __call__(
        self, row: int, cells: Sequence[Any]
    ) -> tuple[ParsedWorker | None, list[RowError], list[RowWarning]]:
        padded = [*cells, None]
        if len(cells) < self._width:
            padded.extend([None] * (self._width - len(cells)))
        (
            name_value,
            id_value,
            gender_value,
            birth_value,
            ethnicity_value,
            education_value,
            phone_value,
            occupation_value,
            skill_value,
            hire_value,
            number_value,
            team_value,
            employer_value,
        ) = self._pick(padded)
        errors: list[RowError] = []
        warnings: list[RowWarning] = []
        today = self.today

        # name (rule 9)
        name = ""
        try:
            name = normalize_name(name_value)
        except ValueError as exc:
            self._error(errors, row, "name", name_value, str(exc))

        # citizen ID (rules 4 and 10)
        citizen_id = ""
        birth: dt.date | None = None
        try:
            citizen_id, birth = _citizen_id(id_value, today)
        except ValueError as exc:
            self._error(errors, row, "citizen_id", id_value, str(exc))
        gender: Literal["M", "F"] = "M"
        if citizen_id:
            first = self.seen_ids.get(citizen_id)
            if first is None:
                self.seen_ids[citizen_id] = row
            else:
                self._error(
                    errors,
                    row,
                    "citizen_id",
                    id_value,
                    _("This citizen ID number already appears in row %(row)d.") % {"row": first},
                )
            gender = "M" if citizen_id_gender(citizen_id) == "M" else "F"

        # gender (rule 5)
        if _given(gender_value):
            try:
                given = _GENDERS.get(gender_value) or parse_gender(gender_value)
            except ValueError as exc:
                self._error(errors, row, "gender", gender_value, str(exc))
            else:
                if citizen_id and given != gender:
                    self._error(
                        errors,
                        row,
                        "gender",
                        gender_value,
                        _("The gender does not agree with the citizen ID number."),
                    )

        # birth date (rules 5 and 7)
        if _given(birth_value):
            message = self._birth_date_problem(birth_value, birth)
            if message:
                self._error(errors, row, "birth_date", birth_value, message)

        # hire date (rule 7)
        hire_date: dt.date | None = None
        if _given(hire_value):
            message = None
            try:
                hire_date = self._memo(hire_value, parse_date)
            except ValueError as exc:
                message = str(exc)
            else:
                if hire_date > today:
                    message = _("The hire date is in the future.")
                elif birth is not None and hire_date < birth:
                    message = _("The hire date is before the birth date.")
                elif birth is not None and hire_date < _sixteenth_birthday(birth):
                    message = _("The worker would have been younger than %(age)d when hired.") % {
                        "age": MIN_HIRE_AGE
                    }
            if message:
                self._error(errors, row, "hire_date", hire_value, message)

        # phone (rule 8)
        phone = ""
        if phone_value is not None:
            try:
                phone = parse_phone(phone_value)
            except ValueError as exc:
                self._error(errors, row, "phone", phone_value, str(exc))

        # skill level (rule 6)
        skill_level: str | None = None
        if skill_value is not None:
            try:
                skill_level = self._memo(skill_value, parse_skill_level)
            except ValueError as exc:
                self._error(errors, row, "skill_level", skill_value, str(exc))

        # occupation (rule 9): not found is a warning, the text becomes the job title
        occupation_code: str | None = None
        job_title = ""
        text = self._memo(occupation_value, _nfkc) if occupation_value is not None else ""
        if text:
            occupation_code = self.lookup_occupation(text)
            if occupation_code is None:
                job_title = text
                warnings.append(
                    RowWarning(
                        row,
                        self._label["occupation"],
                        _display(occupation_value),
                        self._memo(text, _occupation_unknown),
                    )
                )

        if errors or birth is None:
            return None, errors, warnings
        return (
            ParsedWorker(
                row,
                name,
                citizen_id,
                gender,
                birth,
                self._memo(ethnicity_value, _nfkc),
                self._memo(education_value, _nfkc),
                phone,
                occupation_code,
                job_title,
                skill_level,
                hire_date,
                _nfkc(number_value),
                self._memo(team_value, _nfkc),
                self._memo(employer_value, _nfkc),
            ),
            errors,
            warnings,
        )

    def _birth_date_problem(self, value: Any, birth: dt.date | None) -> str | None:
        """Why the birth date column is wrong (format, future, disagreement with the ID), or None."""
        today = self.today
        if birth is not None:  # the common cases: an Excel date or ISO text equal to the ID's
            if type(value) is dt.datetime:
                if value.date() == birth:
                    return None
            elif type(value) is str and value.strip() == birth.isoformat():
                return None
        try:
            months = _year_month_candidates(value)
            given = None if months else parse_date(value)
        except ValueError as exc:
            return str(exc)
        if months:
            future = months[0] > (today.year, today.month)
            agrees = birth is None or (birth.year, birth.month) in months
        else:
            assert given is not None
            future = given > today
            agrees = birth is None or given == birth
        if future:
            return _("The birth date is in the future.")
        if not agrees:
            assert birth is not None
            return _("The birth date does not agree with the citizen ID number (%(date)s).") % {
                "date": birth.isoformat()
            }
        return None


def parse_row(
    row: int,
    cells: Sequence[Any],
    mapping: Mapping[str, int],
    headers: Sequence[str],
    occupation_lookup: OccupationLookup,
    today: dt.date | None = None,
    seen_ids: dict[str, int] | None = None,
) -> tuple[ParsedWorker | None, list[RowError], list[RowWarning]]:
    """Parse one data row (see :class:`RowParser`; a reader parses whole files faster)."""
    parser = RowParser(mapping, headers, occupation_lookup, today or timezone.localdate(), seen_ids)
    return parser(row, cells)


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def _header_text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    return _display(value)


def _checked_override(override: Mapping[str, int | None]) -> dict[str, int]:
    mapping: dict[str, int] = {}
    used: dict[int, str] = {}
    for name, index in override.items():
        if name not in COLUMN_ALIASES:
            raise ValueError(
                _("The column mapping names an unknown field “%(field)s”.") % {"field": name}
            )
        if index is None:
            continue
        if not isinstance(index, int) or isinstance(index, bool) or index < 0:
            raise ValueError(_("A column index must be a whole number, 0 or more."))
        if index in used:
            raise ValueError(
                _("Two fields are mapped to the same column %(column)s.")
                % {"column": _column_letter(index)}
            )
        used[index] = name
        mapping[name] = index
    if any(f not in mapping for f in REQUIRED_FIELDS):
        raise ValueError(
            _("The column mapping must include the name and the citizen ID number columns.")
        )
    return mapping


class RosterReader:
    """A roster file's rows: the header found, then the data rows parsed one by one.

    ``rows`` is what :func:`gongjiang.core.spreadsheets.read_rows` yields. ``mapping`` optionally
    replaces the detected {field: column index} mapping (the user corrected it on the page; a
    field mapped to ``None`` is ignored); it must hold the name and citizen-ID columns. Raises
    :class:`UnreadableFile` when no header row is found (and no mapping is given), ValueError for
    a broken mapping.
    """

    def __init__(
        self,
        rows: Iterable[tuple[int, list[Any]]],
        mapping: Mapping[str, int | None] | None = None,
    ) -> None:
        override = _checked_override(mapping) if mapping is not None else None
        iterator = iter(rows)
        head = list(islice(iterator, HEADER_SEARCH_ROWS))
        header_cells: list[Any]
        try:
            number, detected, _texts, rest = find_header(
                iter(head), _ALIASES_NFKC, REQUIRED_FIELDS, within=HEADER_SEARCH_ROWS
            )
        except UnreadableFile:
            if override is None:
                raise
            # the user mapped the columns by hand: the header is the first non-blank row
            position = next((i for i, (_n, cells) in enumerate(head) if not is_blank(cells)), None)
            if position is None:
                raise UnreadableFile(_("The file is empty.")) from None
            number = head[position][0]
            detected = {}
            header_cells = head[position][1]
            rest = iter(head[position + 1 :])
        else:
            header_cells = next(cells for n, cells in head if n == number)
        self.header_row: int = number
        self.headers: list[str] = [_header_text(c) for c in header_cells]
        self.detected_mapping: dict[str, int] = dict(detected)
        self.mapping: dict[str, int] = override if override is not None else dict(detected)
        self.rows_count: int = 0
        self._rows: Iterator[tuple[int, list[Any]]] = chain(rest, iterator)
        self._started = False

    @property
    def columns(self) -> dict[str, str]:
        """{field: header as written} for the mapped fields."""
        return {
            name: (self.headers[i] if i < len(self.headers) else "") or _column_letter(i)
            for name, i in self.mapping.items()
        }

    @property
    def ignored_headers(self) -> list[str]:
        """Headers of the columns no field is mapped to (shown on the mapping page)."""
        used = set(self.mapping.values())
        return [h for i, h in enumerate(self.headers) if h and i not in used]

    def iter_parsed(
        self, occupation_lookup: OccupationLookup, today: dt.date | None = None
    ) -> Iterator[tuple[int, ParsedWorker | None, list[RowError], list[RowWarning]]]:
        """Yield (row, worker or None, errors, warnings) per non-blank data row, once."""
        if self._started:
            raise RuntimeError("RosterReader.iter_parsed() can run only once.")
        self._started = True
        parser = RowParser(
            self.mapping, self.headers, occupation_lookup, today or timezone.localdate()
        )
        for number, cells in self._rows:
            first = cells[0] if cells else None
            # a row starting with text is not blank; any other goes through is_blank
            if not (type(first) is str and first.strip()) and is_blank(cells):
                continue
            self.rows_count += 1
            worker, errors, warnings = parser(number, cells)
            yield number, worker, errors, warnings

"""The roster-row layer (gongjiang.workforce.roster.reader): the public import rules, no database."""

from __future__ import annotations

import ast
import datetime as dt
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongjiang.core.spreadsheets import UnreadableFile, read_rows
from gongjiang.core.validators import citizen_id_check_digit, normalize_citizen_id
from gongjiang.workforce.roster import reader as roster
from gongjiang.workforce.roster.reader import (
    COLUMN_ALIASES,
    ParsedWorker,
    RosterReader,
    RowError,
    RowWarning,
    normalize_name,
    parse_citizen_id,
    parse_date,
    parse_gender,
    parse_phone,
    parse_row,
    parse_skill_level,
    parse_year_month,
)

TODAY = dt.date(2025, 6, 30)
# region prefixes valid for every birth year from 1900 on (also for python-stdnum's ric.validate)
PREFIXES = ("110101", "110102", "110105", "110106", "110108", "310104", "120101")
HEADER = ["姓名", "身份证号", "性别", "出生日期", "手机号", "职业(工种)", "技能等级", "入职日期"]
OCCUPATIONS = {"焊工": "6-18-02-04", "6-18-02-04": "6-18-02-04", "电工": "6-31-01-03"}


def make_id(prefix: str = "110105", birth: dt.date = dt.date(1990, 3, 7), seq: int = 123) -> str:
    body = f"{prefix}{birth:%Y%m%d}{seq:03d}"
    return body + citizen_id_check_digit(body)


MAN = make_id(seq=123)  # odd sequence: male, born 1990-03-07
WOMAN = make_id(birth=dt.date(1988, 10, 21), seq=246)  # even sequence: female


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def lookup(text: str) -> str | None:
    return OCCUPATIONS.get(text)


def parse(
    data: Sequence[Sequence[Any]], header: Sequence[str] = HEADER, **kwargs: Any
) -> tuple[RosterReader, list[tuple[int, ParsedWorker | None, list[RowError], list[RowWarning]]]]:
    """Rows numbered like an Excel sheet whose first row is the header."""
    rows = [(1, list(header))] + [(n, list(r)) for n, r in enumerate(data, start=2)]
    reader = RosterReader(iter(rows), **kwargs)
    return reader, list(reader.iter_parsed(lookup, TODAY))


def one(
    row: Sequence[Any], header: Sequence[str] = HEADER
) -> tuple[ParsedWorker | None, list[RowError], list[RowWarning]]:
    _reader, results = parse([row], header)
    assert len(results) == 1
    _n, worker, errors, warnings = results[0]
    return worker, errors, warnings


def ok(row: Sequence[Any], header: Sequence[str] = HEADER) -> ParsedWorker:
    worker, errors, _w = one(row, header)
    assert errors == []
    assert worker is not None
    return worker


def rejected(row: Sequence[Any], header: Sequence[str] = HEADER) -> list[RowError]:
    worker, errors, _w = one(row, header)
    assert worker is None
    assert errors
    return errors


# --- rule 1: the header row ---------------------------------------------------------------------


def test_header_is_found_below_title_rows_and_blank_rows_are_skipped() -> None:
    rows = [
        (1, ["某某公司2025年职工花名册", None, None]),
        (2, ["填报单位：某某公司工会", "", ""]),
        (3, ["序号", "姓名", "身份证号"]),
        (4, [1, "张三", MAN]),
        (5, [None, "", "   "]),
        (6, [2, "李四", WOMAN]),
        (7, []),
    ]
    reader = RosterReader(iter(rows))
    assert reader.header_row == 3
    assert reader.headers == ["序号", "姓名", "身份证号"]
    assert reader.mapping == {"name": 1, "citizen_id": 2}
    results = list(reader.iter_parsed(lookup, TODAY))
    assert [r[0] for r in results] == [4, 6]
    assert reader.rows_count == 2
    assert all(r[1] is not None for r in results)


def test_header_needs_name_and_citizen_id_within_the_first_ten_rows() -> None:
    late = [(n, [f"标题{n}"]) for n in range(1, 11)] + [
        (11, ["姓名", "身份证号"]),
        (12, ["张三", MAN]),
    ]
    with pytest.raises(UnreadableFile):
        RosterReader(iter(late))
    with pytest.raises(UnreadableFile):
        RosterReader(iter([(1, ["姓名", "性别"]), (2, ["张三", "男"])]))
    reader = RosterReader(iter(late[1:]))  # now the header is the 10th row
    assert reader.header_row == 11


# --- rule 2: the columns ------------------------------------------------------------------------


def test_column_aliases_are_the_published_ones() -> None:
    assert COLUMN_ALIASES["name"] == ("姓名", "职工姓名", "员工姓名")
    assert COLUMN_ALIASES["citizen_id"] == ("身份证号", "身份证号码", "公民身份号码", "证件号码")
    assert COLUMN_ALIASES["phone"] == ("手机号", "手机号码", "联系电话", "联系方式")
    assert COLUMN_ALIASES["occupation"] == ("职业", "工种", "职业(工种)")
    assert COLUMN_ALIASES["hire_date"] == ("入职日期", "入职时间", "进厂时间")
    assert set(COLUMN_ALIASES) == {
        "name", "citizen_id", "gender", "birth_date", "ethnicity", "education", "phone",
        "occupation", "skill_level", "hire_date", "employee_number", "team", "employer",
    }  # fmt: skip
    assert COLUMN_ALIASES["employer"] == (
        "用人单位", "工作单位", "单位名称", "统一社会信用代码", "用人单位统一社会信用代码"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("field", "alias"), [(f, a) for f, names in COLUMN_ALIASES.items() for a in names]
)
def test_every_alias_is_recognised(field: str, alias: str) -> None:
    header = ["姓名", "身份证号"] if field not in ("name", "citizen_id") else []
    if field == "name":
        header = [alias, "身份证号"]
    elif field == "citizen_id":
        header = ["姓名", alias]
    else:
        header = header + [f"  {alias} "]  # trimmed
    reader = RosterReader(iter([(1, header)]))
    assert field in reader.mapping


def test_full_width_parentheses_other_headers_and_all_columns() -> None:
    header = [
        "工号", "职工姓名", "公民身份号码", "性别", "出生年月", "民族", "文化程度", "联系电话",
        "职业（工种）", "职业技能等级", "进厂时间", "班组", "备注",
    ]  # fmt: skip
    row = ["A-007", " 王 五 ", MAN, "男", "1990.03", "汉族", "大专", "13912345678", "焊工",
           "三级/高级工", dt.datetime(2012, 7, 1), "焊接一班", "随便写"]  # fmt: skip
    reader, results = parse([row], header)
    assert reader.mapping["occupation"] == 8
    assert "备注" not in reader.mapping.values()
    assert reader.ignored_headers == ["备注"]
    assert reader.columns["occupation"] == "职业（工种）"  # as written
    _n, worker, errors, warnings = results[0]
    assert errors == [] and warnings == []
    assert worker == ParsedWorker(
        row=2, name="王 五", citizen_id=MAN, gender="M", birth_date=dt.date(1990, 3, 7),
        ethnicity="汉族", education="大专", phone="13912345678", occupation_code="6-18-02-04",
        job_title="", skill_level="SENIOR", hire_date=dt.date(2012, 7, 1), employee_number="A-007",
        team="焊接一班",
    )  # fmt: skip


def test_the_user_may_correct_the_mapping() -> None:
    header = ["名字", "号码", "电话"]
    rows = [(1, ["职工信息"]), (2, header), (3, ["张三", MAN, "13812345678"])]
    with pytest.raises(UnreadableFile):
        RosterReader(iter(rows))
    reader = RosterReader(iter(rows), mapping={"name": 0, "citizen_id": 1, "phone": 2})
    assert reader.header_row == 1  # the first non-blank row, as nothing was recognised
    reader = RosterReader(iter(rows[1:]), mapping={"name": 0, "citizen_id": 1, "phone": 2})
    assert reader.header_row == 2
    [(number, worker, errors, _w)] = list(reader.iter_parsed(lookup, TODAY))
    assert number == 3 and errors == [] and worker is not None and worker.phone == "13812345678"

    # a detected mapping can be overridden (here: a column is dropped)
    reader = RosterReader(
        iter([(1, HEADER), (2, ["张三", MAN, "女"])]),
        mapping={"name": 0, "citizen_id": 1, "gender": None},
    )
    assert reader.detected_mapping["gender"] == 2
    assert "gender" not in reader.mapping
    [(_n, worker, errors, _w)] = list(reader.iter_parsed(lookup, TODAY))
    assert worker is not None and errors == []


@pytest.mark.parametrize(
    "mapping",
    [
        {"name": 0},
        {"name": 0, "citizen_id": 0},
        {"name": 0, "citizen_id": 1, "salary": 2},
        {"name": -1, "citizen_id": 1},
    ],
)
def test_a_broken_mapping_is_refused(mapping: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        RosterReader(iter([(1, HEADER)]), mapping=mapping)


# --- rule 3: normalisation ----------------------------------------------------------------------


def test_full_width_input_is_normalised() -> None:
    full_id = MAN.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    worker = ok(
        [
            "\u3000张三\u3000",
            full_id,
            "男",
            "１９９０－０３－０７",
            "＋８６ １３８－００１３－８０００",
            "焊工",
            "３级",
            "２０１２年７月１日",
        ]
    )
    assert worker.citizen_id == MAN
    assert worker.phone == "13800138000"
    assert worker.name == "张三"
    assert worker.skill_level == "SENIOR"
    assert worker.hire_date == dt.date(2012, 7, 1)


def test_spaces_and_dashes_inside_ids_and_phones_are_removed() -> None:
    spaced = f"{MAN[:6]} {MAN[6:14]}-{MAN[14:]}"
    worker = ok(["张三", spaced, "", "", "138 0013 8000", "", "", ""])
    assert worker.citizen_id == MAN and worker.phone == "13800138000"


def test_final_lower_case_x_becomes_upper_case() -> None:
    seq = next(s for s in range(1, 999, 2) if make_id(seq=s).endswith("X"))
    number = make_id(seq=seq)
    assert parse_citizen_id(number.lower(), TODAY) == number
    assert ok(["张三", number[:-1] + "x", "男"]).citizen_id == number


@pytest.mark.parametrize("dot", ["·", "•", "・", "‧", "･", "∙", "⋅", "\u0387"])
def test_middle_dot_look_alikes_become_the_middle_dot(dot: str) -> None:
    assert normalize_name(f" 买买提{dot}艾力 ") == "买买提·艾力"
    assert ok([f"阿依古丽 {dot} 吐尔逊", WOMAN]).name == "阿依古丽·吐尔逊"


# --- rule 4: the citizen ID ---------------------------------------------------------------------


def test_fifteen_digit_numbers_are_upgraded() -> None:
    legacy = MAN[:6] + MAN[8:17]  # 15 digits: two-digit year, no check digit
    assert len(legacy) == 15
    assert parse_citizen_id(legacy, TODAY) == MAN
    assert ok(["张三", legacy, "男", "1990-03-07"]).citizen_id == MAN
    assert ok(["张三", int(legacy)]).citizen_id == MAN  # a number cell keeps 15 digits


@pytest.mark.parametrize(
    "value",
    [
        "",
        None,
        MAN[:-1] + ("0" if MAN[-1] != "0" else "1"),  # check digit
        MAN[:17],  # length
        MAN[:10] + "13" + MAN[12:],  # month 13
        "ABCDEFGHIJKLMNOPQR",  # format
        make_id(birth=dt.date(2030, 1, 1)),  # born in the future
        make_id(birth=dt.date(1899, 12, 31)),  # before 1900
        "\uff11" * 17,  # 17 full-width digits
    ],
)
def test_an_invalid_citizen_id_rejects_the_row_with_the_validator_reason(value: Any) -> None:
    with pytest.raises(ValidationError) as info:
        normalize_citizen_id(value, today=TODAY)
    errors = rejected(["张三", value])
    assert [(e.row, e.column) for e in errors] == [(2, "身份证号")]
    assert errors[0].message == " ".join(info.value.messages)
    assert errors[0].value == ("" if value is None else value)


def test_an_18_digit_number_cell_has_lost_digits() -> None:
    errors = rejected(["张三", float(MAN[:17] + "0")])
    assert "lost its last digits" in errors[0].message


@pytest.mark.parametrize("prefix", ["990000", "110001", "110103", "440305", "110105"])
def test_region_codes_are_judged_by_normalize_citizen_id(prefix: str) -> None:
    number = make_id(prefix=prefix, birth=dt.date(1960, 1, 1))
    try:
        normalize_citizen_id(number, today=TODAY)
        valid = True
    except (ValidationError, KeyError):
        valid = False
    worker, errors, _w = one(["张三", number])
    assert (worker is not None) == valid
    assert [e.column for e in errors] == ([] if valid else ["身份证号"])


valid_ids = st.builds(
    make_id,
    st.sampled_from(PREFIXES),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY),
    st.integers(min_value=0, max_value=999),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(number=valid_ids)
def test_generated_valid_ids_always_pass(number: str) -> None:
    assert parse_citizen_id(number, TODAY) == number
    assert normalize_citizen_id(number, today=TODAY) == number


@settings(max_examples=200, deadline=None)
@given(
    number=st.builds(
        make_id,
        st.sampled_from(PREFIXES),
        st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31)),
        st.integers(min_value=0, max_value=999),
    )
)
def test_generated_fifteen_digit_numbers_are_upgraded(number: str) -> None:
    assert parse_citizen_id(number[:6] + number[8:17], TODAY) == number


@settings(max_examples=300, deadline=None)
@given(
    number=valid_ids,
    position=st.integers(min_value=0, max_value=17),
    replacement=st.sampled_from("0123456789XAZ"),
)
def test_any_single_character_substitution_fails(
    number: str, position: int, replacement: str
) -> None:
    if number[position] == replacement:
        replacement = "A"
    changed = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(ValueError):
        parse_citizen_id(changed, TODAY)


@settings(max_examples=300, deadline=None)
@given(
    prefix=st.integers(min_value=0, max_value=999_999),
    birth=st.dates(min_value=dt.date(1890, 1, 1), max_value=dt.date(2030, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
    spoil=st.booleans(),
)
def test_the_fast_path_agrees_with_normalize_citizen_id(
    prefix: int, birth: dt.date, seq: int, spoil: bool
) -> None:
    number = make_id(f"{prefix:06d}", birth, seq)
    if spoil:
        number = number[:17] + ("1" if number[17] != "1" else "2")
    try:
        expected: str | None = normalize_citizen_id(number, today=TODAY)
    except (ValidationError, KeyError):  # stdnum's ric.validate() raised KeyError for e.g. 110001
        expected = None
    try:
        got: str | None = parse_citizen_id(number, TODAY)
    except ValueError:
        got = None
    assert got == expected


# --- rule 5: gender and birth date agree with the ID ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("男", "M"),
        ("女", "F"),
        ("M", "M"),
        ("f", "F"),
        ("Male", "M"),
        ("FEMALE", "F"),
        (" 女 ", "F"),
    ],
)
def test_gender_words(text: str, code: str) -> None:
    assert parse_gender(text) == code


def test_gender_must_agree_with_the_id() -> None:
    assert ok(["张三", MAN, "男"]).gender == "M"
    assert ok(["李四", WOMAN, "female"]).gender == "F"
    assert ok(["李四", WOMAN, ""]).gender == "F"  # derived from the ID when not given
    errors = rejected(["张三", MAN, "女"])
    assert [(e.column, e.value) for e in errors] == [("性别", "女")]
    assert "does not agree" in errors[0].message
    errors = rejected(["张三", MAN, "未知"])
    assert errors[0].column == "性别"


@pytest.mark.parametrize(
    "value",
    ["1990-03-07", "1990/3/7", "1990.3.7", "1990年3月7日", "19900307", 19900307, 32939,
     "32939", dt.datetime(1990, 3, 7), dt.date(1990, 3, 7),
     "1990.03", "1990年3月", "1990-03", "199003", 199003, 1990.03, "1990/03"],
)  # fmt: skip
def test_birth_date_forms_that_agree(value: Any) -> None:
    header = ["姓名", "身份证号", "出生年月"]
    assert ok(["张三", MAN, value], header).birth_date == dt.date(1990, 3, 7)


@pytest.mark.parametrize(
    "value",
    [
        "1990-03-08",
        "1990.04",
        "1990年2月",
        "199004",
        1991.03,
        dt.datetime(1990, 3, 8),
        "2099-01-01",
        "2026.01",
    ],
)
def test_birth_date_forms_that_disagree(value: Any) -> None:
    errors = rejected(["张三", MAN, value], ["姓名", "身份证号", "出生日期"])
    assert [e.column for e in errors] == ["出生日期"]


def test_birth_date_in_the_future_is_named() -> None:
    errors = rejected(["张三", MAN, "2099-01-01"], ["姓名", "身份证号", "出生日期"])
    assert "future" in errors[0].message


def test_a_number_cell_reading_1990_1_may_be_january_or_october() -> None:
    header = ["姓名", "身份证号", "出生年月"]
    october = make_id(birth=dt.date(1990, 10, 2))
    january = make_id(birth=dt.date(1990, 1, 2))
    assert ok(["张三", october, 1990.1], header).citizen_id == october
    assert ok(["张三", january, 1990.1], header).citizen_id == january
    rejected(["张三", october, "1990.1"], header)  # text says January


def test_parse_year_month() -> None:
    for value in ("1990.01", "1990年1月", "1990-01", "199001", "1990/1", 199001, 1990.01):
        assert parse_year_month(value) == (1990, 1)
    for value in ("1990.13", "1990", "1990-01-05", "abc", 1990):
        with pytest.raises(ValueError):
            parse_year_month(value)


# --- rule 6: skill levels -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("学徒工", "APPRENTICE"), ("初级工", "JUNIOR"), ("中级工", "INTERMEDIATE"), ("高级工", "SENIOR"),
        ("技师", "TECHNICIAN"), ("高级技师", "SENIOR_TECHNICIAN"), ("特级技师", "PRINCIPAL_TECHNICIAN"),
        ("首席技师", "CHIEF_TECHNICIAN"), ("五级", "JUNIOR"), ("四级", "INTERMEDIATE"), ("三级", "SENIOR"),
        ("二级", "TECHNICIAN"), ("一级", "SENIOR_TECHNICIAN"), ("5级", "JUNIOR"), ("1级", "SENIOR_TECHNICIAN"),
        ("３级", "SENIOR"), ("三级/高级工", "SENIOR"), ("高级工（三级）", "SENIOR"), ("三级 高级工", "SENIOR"),
        ("高级工/三级", "SENIOR"), ("一级/高级技师", "SENIOR_TECHNICIAN"), ("二级（技师）", "TECHNICIAN"),
        ("", None), ("  ", None), (None, None),
    ],
)  # fmt: skip
def test_skill_levels(text: Any, code: str | None) -> None:
    assert parse_skill_level(text) == code


@pytest.mark.parametrize(
    "text",
    ["三级/技师", "高级技师（二级）", "六级", "高级", "高级工程师", "A", "3", "初级工 中级工"],
)
def test_wrong_skill_levels_reject_the_row(text: str) -> None:
    with pytest.raises(ValueError):
        parse_skill_level(text)
    errors = rejected(["张三", MAN, "", "", "", "", text])
    assert [(e.column, e.value) for e in errors] == [("技能等级", text)]


def test_disagreeing_grade_and_name_are_explained() -> None:
    with pytest.raises(ValueError, match="do not agree"):
        parse_skill_level("三级/技师")


# --- rule 7: dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.datetime(2012, 7, 1, 0, 0), dt.date(2012, 7, 1)),
        (dt.date(2012, 7, 1), dt.date(2012, 7, 1)),
        (32874, dt.date(1990, 1, 1)),
        (32874.0, dt.date(1990, 1, 1)),
        (32874.75, dt.date(1990, 1, 1)),
        ("32874", dt.date(1990, 1, 1)),
        ("1990-01-05", dt.date(1990, 1, 5)),
        ("1990/1/5", dt.date(1990, 1, 5)),
        ("1990.1.5", dt.date(1990, 1, 5)),
        ("1990年1月5日", dt.date(1990, 1, 5)),
        ("1990 年 1 月 5 日", dt.date(1990, 1, 5)),
        ("19900105", dt.date(1990, 1, 5)),
        (19900105, dt.date(1990, 1, 5)),
        ("1990-01-05 00:00:00", dt.date(1990, 1, 5)),
        ("２０１２－０７－０１", dt.date(2012, 7, 1)),
    ],
)
def test_parse_date_accepts(value: Any, expected: dt.date) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value",
    ["", "abc", "1990-02-30", "1990/13/01", "90-01-05", "1990-01", "1990.01", 1990.01, 0, -5, 10,
     2015, 3_000_000, "19901305", "1990-01/05", dt.time(8, 0), True, "1890-01-01"],
)  # fmt: skip
def test_parse_date_refuses(value: Any) -> None:
    with pytest.raises(ValueError):
        parse_date(value)


def test_unparseable_hire_date_rejects_the_row() -> None:
    errors = rejected(["张三", MAN, "", "", "", "", "", "去年三月"])
    assert [(e.column, e.value) for e in errors] == [("入职日期", "去年三月")]


def test_hire_date_rules() -> None:
    assert ok(["张三", MAN, "", "", "", "", "", TODAY]).hire_date == TODAY
    assert ok(["张三", MAN, "", "", "", "", "", "2006-03-07"]).hire_date == dt.date(
        2006, 3, 7
    )  # 16 today
    future = rejected(["张三", MAN, "", "", "", "", "", TODAY + dt.timedelta(days=1)])
    assert "future" in future[0].message
    before_birth = rejected(["张三", MAN, "", "", "", "", "", "1989-12-31"])
    assert "before the birth date" in before_birth[0].message
    too_young = rejected(["张三", MAN, "", "", "", "", "", "2006-03-06"])
    assert "younger than 16" in too_young[0].message
    leap = make_id(birth=dt.date(1992, 2, 29))
    assert ok(["张三", leap, "", "", "", "", "", "2008-03-01"]).hire_date == dt.date(2008, 3, 1)
    rejected(["张三", leap, "", "", "", "", "", "2008-02-28"])


# --- rule 8: phones -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""), (None, ""), ("13800138000", "13800138000"), ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"), ("+86 138 0013 8000", "13800138000"),
        ("8613800138000", "13800138000"), ("+86-19912345678", "19912345678"), (13800138000, "13800138000"),
        ("010-12345678", "010-12345678"), ("01012345678", "010-12345678"), ("021 6123 4567", "021-61234567"),
        ("0571-8888888", "0571-8888888"), ("057188888888", "0571-88888888"), ("0571 88888888", "0571-88888888"),
        ("０２０－１２３４５６７８", "020-12345678"),
    ],
)  # fmt: skip
def test_phones_accepted(text: Any, expected: str) -> None:
    assert parse_phone(text) == expected


@pytest.mark.parametrize(
    "text",
    ["12345678901", "1380013800", "138001380001", "010-12345678-123", "12345678", "010-123456",
     "abc", "+1 415 555 0100", "0086 138 0013 8000x", "010-123456789", "110"],
)  # fmt: skip
def test_phones_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_phone(text)
    errors = rejected(["张三", MAN, "", "", text])
    assert [(e.column, e.value) for e in errors] == [("手机号", text)]


# --- rule 9: name and occupation ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "required"),
        ("   ", "required"),
        ("张" * 51, "longer than 50"),
        ("123", "letter"),
        ("·-·", "letter"),
    ],
)
def test_bad_names_reject_the_row(name: str, reason: str) -> None:
    errors = rejected([name, MAN])
    assert [e.column for e in errors] == ["姓名"]
    assert reason in errors[0].message


def test_names_are_trimmed_and_kept() -> None:
    assert ok(["  欧阳 娜娜 ", WOMAN]).name == "欧阳 娜娜"
    assert ok(["张" * 50, MAN]).name == "张" * 50
    assert ok(["John Smith", MAN]).name == "John Smith"


def test_occupation_found_or_kept_as_job_title_with_a_warning() -> None:
    found = ok(["张三", MAN, "", "", "", "6-18-02-04"])
    assert found.occupation_code == "6-18-02-04" and found.job_title == ""
    worker, errors, warnings = one(["张三", MAN, "", "", "", "数控操作员"])
    assert errors == [] and worker is not None
    assert worker.occupation_code is None and worker.job_title == "数控操作员"
    assert [(w.row, w.column, w.value) for w in warnings] == [(2, "职业(工种)", "数控操作员")]


def test_the_occupation_lookup_is_called_once_per_distinct_text() -> None:
    calls: list[str] = []

    def counting(text: str) -> str | None:
        calls.append(text)
        return OCCUPATIONS.get(text)

    rows = [(1, HEADER)] + [
        (n, ["张三", make_id(seq=n), "", "", "", "焊工" if n % 2 else "钳工"]) for n in range(2, 50)
    ]
    reader = RosterReader(iter(rows))
    results = list(reader.iter_parsed(counting, TODAY))
    assert sorted(calls) == ["焊工", "钳工"]
    assert len(results) == reader.rows_count == 48


# --- rule 10: duplicates ------------------------------------------------------------------------


def test_the_same_citizen_id_twice_rejects_the_later_rows() -> None:
    legacy = MAN[:6] + MAN[8:17]
    _reader, results = parse(
        [["张三", MAN], ["李四", WOMAN], ["张三", MAN.lower()], ["张三", legacy]]
    )
    assert [r[1] is not None for r in results] == [True, True, False, False]
    for _n, _w, errors, _warn in results[2:]:
        assert [e.column for e in errors] == ["身份证号"]
        assert "row 2" in errors[0].message


def test_the_first_occurrence_is_validated_as_usual() -> None:
    _reader, results = parse([["张三", MAN, "女"], ["张三", MAN, "男"]])
    assert results[0][1] is None and results[0][2][0].column == "性别"
    assert results[1][1] is None and "row 2" in results[1][2][0].message


# --- rule 11: what the errors say ---------------------------------------------------------------


def test_errors_name_row_column_as_written_value_and_reason() -> None:
    header = ["员工姓名", "身份证号码", "联系方式", "技术等级"]
    rows = [
        (1, ["花名册"]),
        (2, [""]),
        (3, header),
        (4, ["", MAN[:-1] + "0" if MAN[-1] != "0" else MAN[:-1] + "1", "1234", "大师"]),
    ]
    reader = RosterReader(iter(rows))
    [(number, worker, errors, _w)] = list(reader.iter_parsed(lookup, TODAY))
    assert number == 4 and worker is None
    assert [(e.row, e.column) for e in errors] == [
        (4, "员工姓名"),
        (4, "身份证号码"),
        (4, "联系方式"),
        (4, "技术等级"),
    ]
    assert [e.value for e in errors[2:]] == ["1234", "大师"]
    assert all(e.message for e in errors)


def test_a_missing_header_cell_is_named_by_its_column_letter() -> None:
    reader = RosterReader(
        iter([(1, ["姓名", "身份证号"]), (2, ["张三", MAN, "x"])]),
        mapping={"name": 0, "citizen_id": 1, "phone": 2},
    )
    [(_n, _worker, errors, _w)] = list(reader.iter_parsed(lookup, TODAY))
    assert errors[0].column == "column C"


def test_messages_are_translatable() -> None:
    with translation.override("zh-hans"):
        with pytest.raises(ValueError) as info:
            parse_phone("1234")
    assert "1234" in str(info.value)
    msgids = Path(roster.__file__).parents[1] / "locale" / "roster_msgids_zh.txt"
    lines = [
        line.split("\t") for line in msgids.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    assert all(len(parts) == 2 and parts[0] and parts[1] for parts in lines)
    tree = ast.parse(Path(roster.__file__).read_text(encoding="utf-8"))
    used = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"
    }
    assert {msgid for msgid, _zh in lines} == used
    for msgid, zh in lines:  # the same placeholders on both sides
        assert sorted(re.findall(r"%\(\w+\)[sd]", msgid)) == sorted(re.findall(r"%\(\w+\)[sd]", zh))


def test_parse_row_on_its_own() -> None:
    seen: dict[str, int] = {}
    mapping = {"name": 0, "citizen_id": 1}
    worker, errors, _w = parse_row(
        7, ["张三", MAN], mapping, ["姓名", "身份证号"], lookup, TODAY, seen
    )
    assert worker is not None and worker.row == 7 and errors == []
    worker, errors, _w = parse_row(
        9, ["张三", MAN], mapping, ["姓名", "身份证号"], lookup, TODAY, seen
    )
    assert worker is None and "row 7" in errors[0].message


# --- files --------------------------------------------------------------------------------------


def _read(path: Path) -> list[tuple[int, ParsedWorker | None, list[RowError], list[RowWarning]]]:
    reader = RosterReader(read_rows(path))
    return list(reader.iter_parsed(lookup, TODAY))


def test_gbk_csv(tmp_path: Path) -> None:
    text = (
        "姓名,身份证号,性别,手机号,职业(工种),技能等级,入职日期\r\n"
        f"张三,{MAN},男,138 0013 8000,焊工,高级工,2012/7/1\r\n"
        ",,,,,,\r\n"
        f"李四,{WOMAN},男,13900139000,钳工,四级,2010年9月1日\r\n"
    )
    path = tmp_path / "roster.csv"
    path.write_bytes(text.encode("gbk"))
    results = _read(path)
    assert [r[0] for r in results] == [2, 4]  # CSV line numbers counting the header
    assert results[0][1] is not None and results[0][1].skill_level == "SENIOR"
    assert [(e.row, e.column, e.value) for e in results[1][2]] == [(4, "性别", "男")]
    assert results[1][3][0].column == "职业(工种)"


def test_csv_with_bom(tmp_path: Path) -> None:
    text = f"姓名,身份证号,出生日期\n张三,{MAN},1990-03-07\n"
    path = tmp_path / "roster.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    reader = RosterReader(read_rows(path))
    assert reader.headers[0] == "姓名"
    [(number, worker, errors, _w)] = list(reader.iter_parsed(lookup, TODAY))
    assert number == 2 and errors == [] and worker is not None


def test_xlsx_with_two_title_rows(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "roster.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("花名册")
    date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.merge_range(0, 0, 0, 5, "某某机械有限公司职工花名册")
    ws.write_row(1, 0, ["填报日期：2025年6月", "", "", "", "", ""])
    ws.write_row(2, 0, ["姓名", "身份证号", "出生日期", "手机号码", "职业（工种）", "入职日期"])
    ws.write_row(3, 0, ["张三", MAN])
    ws.write_datetime(3, 2, dt.datetime(1990, 3, 7), date_format)
    ws.write_number(3, 3, 13800138000)
    ws.write_string(3, 4, "焊工")
    ws.write_number(3, 5, 41091)  # an Excel serial: 2012-07-01
    ws.write_row(5, 0, ["李四", WOMAN, "1988-10-21", "", "维修工"])
    ws.write_datetime(5, 5, dt.datetime(2030, 1, 1), date_format)
    wb.close()
    reader = RosterReader(read_rows(path))
    assert reader.header_row == 3
    assert reader.headers[4] == "职业（工种）"
    results = list(reader.iter_parsed(lookup, TODAY))
    assert [r[0] for r in results] == [4, 6]  # the Excel row numbers
    first = results[0][1]
    assert first is not None
    assert (first.phone, first.hire_date, first.occupation_code) == (
        "13800138000",
        dt.date(2012, 7, 1),
        "6-18-02-04",
    )
    assert [(e.row, e.column) for e in results[1][2]] == [(6, "入职日期")]
    assert [(w.row, w.column, w.value) for w in results[1][3]] == [(6, "职业（工种）", "维修工")]
    assert reader.rows_count == 2


def test_xls(tmp_path: Path) -> None:
    import xlwt

    path = tmp_path / "roster.xls"
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Sheet1")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    ws.write(0, 0, "职工名册")
    for col, text in enumerate(["序号", "姓名", "身份证号", "性别", "入职日期", "技能等级"]):
        ws.write(1, col, text)
    ws.write(2, 0, 1)
    ws.write(2, 1, "张三")
    ws.write(2, 2, MAN)
    ws.write(2, 3, "男")
    ws.write(2, 4, dt.datetime(2012, 7, 1), date_style)
    ws.write(2, 5, "三级/高级工")
    ws.write(3, 0, 2)
    ws.write(3, 1, "李四")
    ws.write(3, 2, WOMAN)
    ws.write(3, 3, "女")
    ws.write(3, 4, "2010.9.1")
    ws.write(3, 5, "二级/高级工")
    wb.save(str(path))
    results = _read(path)
    assert [r[0] for r in results] == [3, 4]
    first = results[0][1]
    assert (
        first is not None
        and first.hire_date == dt.date(2012, 7, 1)
        and first.skill_level == "SENIOR"
    )
    assert [(e.row, e.column, e.value) for e in results[1][2]] == [(4, "技能等级", "二级/高级工")]

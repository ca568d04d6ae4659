"""Citizen ID number (GB 11643) and unified social credit code (GB 32100) validators. Check
characters are computed here independently of the code under test."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from gongjiang.core.validators import (
    citizen_id_birth_date,
    citizen_id_gender,
    mask_citizen_id,
    mask_phone,
    normalize_citizen_id,
    normalize_uscc,
)

TODAY = dt.date(2026, 11, 25)
ID_CHARS = "0123456789X"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def id_check(first17: str) -> str:
    """ISO 7064 MOD 11-2: weights 2^(17-i) mod 11, check = (12 - sum mod 11) mod 11, 10 → X."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def uscc_check(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return USCC_ALPHABET[(31 - total % 31) % 31]


@st.composite
def citizen_ids(draw: st.DrawFn) -> str:
    region = draw(
        st.sampled_from(["110105", "320111", "320115", "330106", "440305", "650102", "542621"])
    )
    birth = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY))
    seq = draw(st.integers(0, 999))
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check(first17)


@given(number=citizen_ids())
@settings(max_examples=300, deadline=None)
def test_generated_citizen_ids_pass(number: str) -> None:
    assert normalize_citizen_id(number, today=TODAY) == number
    assert citizen_id_birth_date(number) == dt.date(
        int(number[6:10]), int(number[10:12]), int(number[12:14])
    )


@given(number=citizen_ids(), position=st.integers(0, 17), replacement=st.sampled_from(ID_CHARS))
@settings(max_examples=400, deadline=None)
def test_any_single_character_change_fails(number: str, position: int, replacement: str) -> None:
    changed = number[:position] + replacement + number[position + 1 :]
    if changed == number:
        return
    with pytest.raises(ValidationError):
        normalize_citizen_id(changed, today=TODAY)


def test_known_real_format_examples() -> None:
    # The example number printed in GB 11643-1999.
    assert normalize_citizen_id("11010519491231002X", today=TODAY) == "11010519491231002X"
    assert normalize_citizen_id("11010519491231002x", today=TODAY) == "11010519491231002X"
    # a person born 1960 registered in a district created later (Shenzhen Nanshan, 440305) is valid
    first17 = "44030519600101123"
    assert normalize_citizen_id(first17 + id_check(first17), today=TODAY)


def test_normalisation() -> None:
    number = "11010519491231002X"
    full_width = "１１０１０５１９４９１２３１００２ｘ"
    assert normalize_citizen_id(full_width, today=TODAY) == number
    assert normalize_citizen_id(" 110105 19491231 002x ", today=TODAY) == number
    assert normalize_citizen_id("110105-19491231-002X", today=TODAY) == number


def test_fifteen_digit_upgrade() -> None:
    # 15-digit legacy number: region + yymmdd + sequence; the century is 19
    legacy = "110105491231002"
    upgraded = normalize_citizen_id(legacy, today=TODAY)
    assert upgraded == "11010519491231002X"
    with pytest.raises(ValidationError) as exc:
        normalize_citizen_id("110105490231002", today=TODAY)  # 1949-02-31
    assert exc.value.code == "birth_date"
    with pytest.raises(ValidationError):
        normalize_citizen_id("11010549123100X", today=TODAY)  # letters in a 15-digit number


@pytest.mark.parametrize(
    ("first17", "code"),
    [
        ("11010520991231002", "birth_date"),  # future
        ("11010520261126002", "birth_date"),  # tomorrow
        ("11010518991231002", "birth_date"),  # before 1900
        ("11010519490230002", "birth_date"),  # 30 February
        ("11010519491301002", "birth_date"),  # month 13
        ("11010519490000002", "birth_date"),  # day 0
        ("11010519000229002", "birth_date"),  # 1900 is not a leap year
    ],
)
def test_bad_birth_dates(first17: str, code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        normalize_citizen_id(first17 + id_check(first17), today=TODAY)
    assert exc.value.code == code


def test_leap_day_and_today_are_fine() -> None:
    for first17 in ("11010520000229002", f"110105{TODAY:%Y%m%d}002"):
        assert normalize_citizen_id(first17 + id_check(first17), today=TODAY)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "required"),
        (None, "required"),
        ("1101051949123100", "length"),
        ("1101051949123100200", "length"),
        ("X1010519491231002X", "format"),
        ("1101051949123100X2", "format"),
        ("11010519491231002Y", "format"),
        ("110105194912310021", "check_digit"),
    ],
)
def test_bad_citizen_ids(value: object, code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        normalize_citizen_id(value, today=TODAY)
    assert exc.value.code == code


def test_derived_facts_and_masks() -> None:
    assert citizen_id_gender("11010519491231002X") == "F"  # 17th digit 2: even
    assert citizen_id_gender("110105194912310018") == "M"
    assert mask_citizen_id("11010519491231002X") == "110***********002X"
    assert mask_citizen_id("") == ""
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("12345") == "*****"


# ------------------------------------------------------------------------------------- USCC
@st.composite
def usccs(draw: st.DrawFn) -> str:
    head = draw(st.sampled_from(["91", "92", "93", "11", "12", "51", "52", "Y1"]))
    if not head[0].isdigit():
        head = "91"
    region = draw(st.sampled_from(["110000", "320100", "320111", "440305"]))
    org = draw(st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9))
    first17 = head + region + org
    return first17 + uscc_check(first17)


@given(code=usccs())
@settings(max_examples=200, deadline=None)
def test_generated_usccs_pass(code: str) -> None:
    assert normalize_uscc(code) == code
    assert normalize_uscc(code.lower()) == code


@given(code=usccs(), position=st.integers(0, 17), replacement=st.sampled_from(USCC_ALPHABET))
@settings(max_examples=300, deadline=None)
def test_single_uscc_change_fails(code: str, position: int, replacement: str) -> None:
    changed = code[:position] + replacement + code[position + 1 :]
    if changed == code:
        return
    with pytest.raises(ValidationError):
        normalize_uscc(changed)


def test_uscc_normalisation_and_errors() -> None:
    first17 = "91320000MA1MXXXX0"[:17]
    code = first17 + uscc_check(first17)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert normalize_uscc(full_width) == code
    assert normalize_uscc(f" {code[:9]} {code[9:]} ") == code
    for bad in ("", "9132000", code + "1", code[:-1] + "I", "ABCDEFGH" + code[8:]):
        with pytest.raises(ValidationError):
            normalize_uscc(bad)

"""The Chinese patent number: format and check character (ZC 0006-2003)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from gongjiang.innovation.patents import check_character, kind_of, normalise_patent_number


@pytest.mark.parametrize(
    ("digits", "check"),
    [
        ("201710601862", "3"),  # the worked example of the standard's explanations
        ("95115608", "X"),  # an old 8-digit number whose remainder is 10
        ("200810000000", str((2 * 2 + 0 * 3 + 0 * 4 + 8 * 5 + 1 * 6) % 11)),
    ],
)
def test_check_character(digits: str, check: str) -> None:
    assert check_character(digits) == check


def test_every_remainder_maps_to_its_character() -> None:
    seen = {check_character(f"2020{k}{n:07d}") for k in (1, 2) for n in range(200)}
    assert seen == {str(i) for i in range(10)} | {"X"}


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("ZL201710601862.3", "ZL201710601862.3"),
        ("zl 2017 1 0601862.3", "ZL201710601862.3"),
        ("CN201710601862.3", "CN201710601862.3"),
        ("201710601862.3", "201710601862.3"),
        ("ZL95115608.X", "ZL95115608.X"),
        ("ZL95115608.x", "ZL95115608.X"),
        ("ZL201710601862．3", "ZL201710601862.3"),
    ],
)
def test_valid_numbers_are_normalised(raw: str, normal: str) -> None:
    assert normalise_patent_number(raw) == normal


@pytest.mark.parametrize(
    "raw",
    [
        "ZL201710601862.4",  # wrong check character
        "ZL201710601862.X",
        "ZL20171060186.3",  # 11 digits
        "ZL2017106018623.3",  # 13 digits
        "US201710601862.3",
        "ZL198010601862.0",  # year before Chinese patents
        "",
        "ZL95115608.1",
    ],
)
def test_invalid_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValidationError):
        normalise_patent_number(raw)


def test_kind_of() -> None:
    assert kind_of("ZL201710601862.3") == "invention"
    assert kind_of("ZL95115608.X") == "invention"
    n = "201620000001"
    assert kind_of(f"{n}.{check_character(n)}") == "utility_model"

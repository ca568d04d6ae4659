"""The 22-character certificate number (the ministry's layout): format, structure check, the
workforce validator's positions, allocation (also concurrent), the plan-code migration."""

from __future__ import annotations

import datetime as dt
import importlib
import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from gongjiang.certification.models import CertificateCounter
from gongjiang.certification.numbers import (
    MAX_SERIAL,
    NUMBER_LENGTH,
    NUMBER_RE,
    PREFIX_LENGTH,
    PROVINCES,
    SPANS,
    WIDTHS,
    InvalidNumber,
    is_valid_number,
    number_allocate,
    parse_number,
)
from gongjiang.core.errors import ApplicationError
from gongjiang.workforce import validators
from gongjiang.workforce.validators import normalize_certificate_number

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)
TODAY = dt.date(2026, 11, 25)
# The example of the ministry's coding rule ("Y000123XXXXXX195000001" with site 000001).
EXAMPLE = "Y000123000001195000001"
MIGRATION = importlib.import_module(
    "gongjiang.certification.migrations.0002_ministry_number_layout"
)


def test_layout_is_the_ministrys() -> None:
    assert WIDTHS == {
        "kind": 1,
        "body": 4,
        "province": 2,
        "site": 6,
        "year": 2,
        "level": 1,
        "serial": 6,
    }
    assert NUMBER_LENGTH == 22 and PREFIX_LENGTH == 16 and MAX_SERIAL == 999_999


def test_the_ministrys_example_parses() -> None:
    assert len(EXAMPLE) == NUMBER_LENGTH == 22
    parsed = parse_number(EXAMPLE)
    assert (
        parsed.kind,
        parsed.body,
        parsed.province,
        parsed.site,
        parsed.year,
        parsed.level,
        parsed.serial,
    ) == ("Y", "0001", "23", "000001", "19", 5, 1)
    assert str(parsed) == EXAMPLE and parsed.prefix == EXAMPLE[:16]
    assert normalize_certificate_number(EXAMPLE, national_level=5, today=TODAY) == EXAMPLE


def test_body_code_0000_of_a_provincially_filed_body_is_accepted() -> None:
    number = "S000032000118263000042"
    parsed = parse_number(number)
    assert (parsed.kind, parsed.body, parsed.province, parsed.site) == ("S", "0000", "32", "000118")
    assert (parsed.year, parsed.level, parsed.serial) == ("26", 3, 42)
    assert normalize_certificate_number(number, national_level=3, today=TODAY) == number


def test_workforce_validator_uses_the_same_positions() -> None:
    # workforce cannot import this app (certification depends on it): its constants must agree
    assert validators._PROVINCE == SPANS["province"] == slice(5, 7)
    assert validators._YEAR == SPANS["year"] == slice(13, 15)
    assert slice(validators._LEVEL, validators._LEVEL + 1) == SPANS["level"] == slice(15, 16)
    assert (
        validators.certificate_number_with(
            issuer="Y", body="0001", province="23", site="000001", year=2019, level=5, serial=1
        )
        == EXAMPLE
    )


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "Y00012300000119500000",  # 21 characters
        "X000123000001195000001",  # not Y/S
        "Y000199000001195000001",  # 99 is no province
        "Y000100000001195000001",  # 00 is no province
        "Y000123000001196000001",  # level 6
        "Y000123000001190000001",  # level 0
        "Y000123000001195000000",  # serial 0
        "Y0001230000011950000A1",
        # the old layout (body 6, site 3, serial 7): characters 16 … are the serial's zeros
        "Y000123320012630000001",
        "Y000132320012130000001",
    ],
)
def test_invalid_numbers_are_refused(bad: str) -> None:
    assert not is_valid_number(bad)
    with pytest.raises(InvalidNumber):
        parse_number(bad)


@pytest.mark.parametrize(
    ("number", "code", "message"),
    [
        (
            "Y000199000001195000001",
            "province",
            "Characters 6–7 of the certificate number (99) are not a province code.",
        ),
        (
            "Y000123000001275000001",
            "year",
            "The year of issue in the certificate number (2027) is in the future.",
        ),
        (
            "Y000123000001196000001",
            "level",
            "Character 16 of the certificate number is the level, 1 to 5; it is 6.",
        ),
        (
            "Y000123000001190000001",
            "level",
            "Character 16 of the certificate number is the level, 1 to 5; it is 0.",
        ),
        # old layout Y·000132·32·001·21·3·0000001: province 32 and year 13 look right in the new
        # positions, but character 16 is the first digit of the old 7-digit serial
        (
            "Y000132320012130000001",
            "level",
            "Character 16 of the certificate number is the level, 1 to 5; it is 0.",
        ),
    ],
)
def test_workforce_validator_names_the_wrong_position(number: str, code: str, message: str) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        normalize_certificate_number(number, today=TODAY)
    assert exc.value.code == code and exc.value.messages == [message]


def test_workforce_validator_checks_the_level_at_character_16() -> None:
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        normalize_certificate_number(EXAMPLE, national_level=3, today=TODAY)
    assert exc.value.code == "level_mismatch"
    assert "says level 5" in exc.value.messages[0]


@given(
    kind=st.sampled_from("YS"),
    body=st.integers(0, 9_999),
    province=st.sampled_from(sorted(PROVINCES)),
    site=st.integers(0, 999_999),
    year=st.integers(2000, 2026),
    level=st.integers(1, 5),
    serial=st.integers(1, 999_999),
)
def test_every_composed_number_is_valid(
    kind: str, body: int, province: str, site: int, year: int, level: int, serial: int
) -> None:
    number = f"{kind}{body:04d}{province}{site:06d}{year % 100:02d}{level}{serial:06d}"
    assert NUMBER_RE.match(number)
    parsed = parse_number(number)
    assert str(parsed) == number and parsed.level == level and parsed.serial == serial
    # the workforce registry accepts exactly the same numbers (one rule on the platform)
    assert normalize_certificate_number(number, national_level=level, today=TODAY) == number


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (("000123", "001"), ("0123", "000001")),
        (("000118", "017"), ("0118", "000017")),
        (("120000", "999"), ("0000", "000999")),  # a last-4 of 0000 is the provincial value
        (("0123", "000001"), ("0123", "000001")),  # already converted: unchanged
    ],
)
def test_migration_converts_plan_codes(old: tuple[str, str], new: tuple[str, str]) -> None:
    assert (MIGRATION.new_body_code(old[0]), MIGRATION.new_site_code(old[1])) == new
    assert MIGRATION.old_site_code(MIGRATION.new_site_code(old[1])) == old[1][-3:].zfill(3)


@pytest.mark.django_db
def test_sequential_allocation_is_unique_and_well_formed() -> None:
    numbers = []
    with transaction.atomic():
        for _ in range(25):
            numbers.append(
                number_allocate(
                    kind="S", body="0042", province="33", site="000007", year=2025, level=2
                )
            )
    assert len(set(numbers)) == 25
    assert all(is_valid_number(n) and n.startswith("S004233000007252") for n in numbers)
    assert numbers[0].endswith("000001") and numbers[-1].endswith("000025")
    other = number_allocate(kind="S", body="0042", province="33", site="000007", year=2025, level=1)
    assert other == "S004233000007251000001"  # another level, another counter
    assert CertificateCounter.objects.count() == 2


@pytest.mark.django_db
def test_the_six_digit_serial_ends_at_999999() -> None:
    prefix = "Y000132000001265"  # Y·0001·32·000001·26·5
    assert len(prefix) == PREFIX_LENGTH
    CertificateCounter.objects.create(prefix=prefix, last_serial=MAX_SERIAL - 1)
    with transaction.atomic():
        last = number_allocate(
            kind="Y", body="0001", province="32", site="000001", year=2026, level=5
        )
    assert last == "Y000132000001265999999" and is_valid_number(last)
    with transaction.atomic(), pytest.raises(ApplicationError) as exc:
        number_allocate(kind="Y", body="0001", province="32", site="000001", year=2026, level=5)
    assert exc.value.code == "serials_exhausted"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="row locks across threads need PostgreSQL (SQLite serialises writers anyway)",
)
def test_concurrent_allocation_never_repeats_a_number() -> None:
    results: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(10):
                with transaction.atomic():
                    results.append(
                        number_allocate(
                            kind="Y", body="0001", province="32", site="000001", year=2025, level=3
                        )
                    )
        except BaseException as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(results) == 40 and len(set(results)) == 40
    assert sorted(int(n[-6:]) for n in results) == list(range(1, 41))

"""The 22-character certificate number: format, structure check, allocation (also concurrent)."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from gongjiang.certification.models import CertificateCounter
from gongjiang.certification.numbers import (
    NUMBER_LENGTH,
    NUMBER_RE,
    PROVINCES,
    InvalidNumber,
    is_valid_number,
    number_allocate,
    parse_number,
)
from gongjiang.workforce.validators import normalize_certificate_number

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


def test_layout_sums_to_22_and_parses() -> None:
    number = "Y000123320012630000001"
    assert len(number) == NUMBER_LENGTH == 22
    parsed = parse_number(number)
    assert (
        parsed.kind,
        parsed.body,
        parsed.province,
        parsed.site,
        parsed.year,
        parsed.level,
        parsed.serial,
    ) == ("Y", "000123", "32", "001", "26", 3, 1)
    assert str(parsed) == number


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "Y00012332001263000000",  # 21 characters
        "X000123320012630000001",  # not Y/S
        "Y000123990012630000001",  # 99 is no province
        "Y000123320012660000001",  # level 6
        "Y000123320012600000001",  # level 0
        "Y000123320012630000000",  # serial 0
        "Y0001233200126300000A1",
    ],
)
def test_invalid_numbers_are_refused(bad: str) -> None:
    assert not is_valid_number(bad)
    with pytest.raises(InvalidNumber):
        parse_number(bad)


@given(
    kind=st.sampled_from("YS"),
    body=st.integers(0, 999_999),
    province=st.sampled_from(sorted(PROVINCES)),
    site=st.integers(0, 999),
    year=st.integers(2000, 2026),
    level=st.integers(1, 5),
    serial=st.integers(1, 9_999_999),
)
def test_every_composed_number_is_valid(
    kind: str, body: int, province: str, site: int, year: int, level: int, serial: int
) -> None:
    number = f"{kind}{body:06d}{province}{site:03d}{year % 100:02d}{level}{serial:07d}"
    assert NUMBER_RE.match(number)
    parsed = parse_number(number)
    assert str(parsed) == number and parsed.level == level and parsed.serial == serial
    # the workforce registry accepts exactly the same numbers (one rule on the platform)
    assert normalize_certificate_number(number, national_level=level) == number


@pytest.mark.django_db
def test_sequential_allocation_is_unique_and_well_formed() -> None:
    numbers = []
    with transaction.atomic():
        for _ in range(25):
            numbers.append(
                number_allocate(
                    kind="S", body="000042", province="33", site="007", year=2025, level=2
                )
            )
    assert len(set(numbers)) == 25
    assert all(is_valid_number(n) and n.startswith("S0000423300725") for n in numbers)
    assert numbers[0].endswith("0000001") and numbers[-1].endswith("0000025")
    other = number_allocate(kind="S", body="000042", province="33", site="007", year=2025, level=1)
    assert other.endswith("0000001")  # another level, another counter
    assert CertificateCounter.objects.count() == 2


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
                            kind="Y", body="000001", province="32", site="001", year=2025, level=3
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
    assert sorted(int(n[-7:]) for n in results) == list(range(1, 41))

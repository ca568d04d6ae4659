"""The 22-character number of a vocational skill level certificate (职业技能等级证书编号).

Layout (positions 1-based). It is the platform's one rule, shared with the workforce registry's
validator (``gongjiang.workforce.validators.normalize_certificate_number``), so a certificate issued
here is accepted there:

====== ======= ===================================================================
pos    width   meaning
====== ======= ===================================================================
1      1       kind of evaluation body: ``Y`` 用人单位 (an employer evaluating its own
               workers), ``S`` 社会培训评价组织 (a social training and evaluation organisation)
2-7    6       evaluation body code
8-9    2       province of the evaluation site (first two digits of GB/T 2260, 11…82)
10-12  3       evaluation site code
13-14  2       year of issue (last two digits)
15     1       skill level digit: 5 初级工 / 4 中级工 / 3 高级工 / 2 技师 / 1 高级技师
16-22  7       certificate serial within the first 15 characters, from 0000001
====== ======= ===================================================================

1 + 6 + 2 + 3 + 2 + 1 + 7 = 22. The widths live in :data:`WIDTHS` only. (The ministry's published
coding table reads 1 + 4 + 2 + 6 + 2 + 1 + 6: body 4, site 6, serial 6; switching is a change of
:data:`WIDTHS` here and of the workforce validator — see docs/certification.md.)

Serials are allocated under a row lock on
:class:`~gongjiang.certification.models.CertificateCounter` (one row per prefix, the number without
its serial), so two processes issuing at once never draw the same number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction

WIDTHS = {"kind": 1, "body": 6, "province": 2, "site": 3, "year": 2, "level": 1, "serial": 7}
NUMBER_LENGTH = sum(WIDTHS.values())
assert NUMBER_LENGTH == 22
SERIAL_WIDTH = WIDTHS["serial"]
BODY_WIDTH = WIDTHS["body"]
SITE_WIDTH = WIDTHS["site"]
PREFIX_LENGTH = NUMBER_LENGTH - SERIAL_WIDTH
MAX_SERIAL = 10**SERIAL_WIDTH - 1
NUMBER_RE = re.compile(
    rf"^(?P<kind>[YS])(?P<body>\d{{{BODY_WIDTH}}})(?P<province>[1-9]\d)(?P<site>\d{{{SITE_WIDTH}}})"
    rf"(?P<year>\d{{2}})(?P<level>[1-5])(?P<serial>\d{{{SERIAL_WIDTH}}})$"
)
# Provinces of GB/T 2260 (first two digits), plus 71 台湾, 81 香港, 82 澳门.
PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 "
    "71 81 82".split()
)


@dataclass(frozen=True)
class CertificateNumber:
    kind: str
    body: str
    province: str
    site: str
    year: str
    level: int
    serial: int

    def __str__(self) -> str:
        return f"{self.prefix}{self.serial:0{SERIAL_WIDTH}d}"

    @property
    def prefix(self) -> str:
        return f"{self.kind}{self.body}{self.province}{self.site}{self.year}{self.level}"


class InvalidNumber(ValueError):
    pass


def parse_number(text: str) -> CertificateNumber:
    """Check the regular form and the structure (a real province, a serial from 1); raise
    :class:`InvalidNumber` naming what is wrong."""
    text = (text or "").strip().upper()
    if len(text) != NUMBER_LENGTH:
        raise InvalidNumber(f"a certificate number has {NUMBER_LENGTH} characters, not {len(text)}")
    m = NUMBER_RE.match(text)
    if not m:
        raise InvalidNumber(
            "the number does not have the form Y/S + 21 digits with a level digit 1-5"
        )
    if m["province"] not in PROVINCES:
        raise InvalidNumber(f"{m['province']} is not a province code")
    serial = int(m["serial"])
    if serial == 0:
        raise InvalidNumber("the serial starts at 1")
    return CertificateNumber(
        m["kind"], m["body"], m["province"], m["site"], m["year"], int(m["level"]), serial
    )


def is_valid_number(text: str) -> bool:
    try:
        parse_number(text)
    except InvalidNumber:
        return False
    return True


def number_prefix(*, kind: str, body: str, province: str, site: str, year: int, level: int) -> str:
    prefix = f"{kind}{body}{province}{site}{year % 100:02d}{level}"
    # validate the prefix by completing it with serial 1
    parse_number(prefix + "1".rjust(SERIAL_WIDTH, "0"))
    return prefix


def number_allocate(
    *, kind: str, body: str, province: str, site: str, year: int, level: int
) -> str:
    """Draw the next number for this prefix. Must run inside the caller's transaction: the counter
    row stays locked (SELECT … FOR UPDATE) until it commits, so concurrent callers queue."""
    from .models import CertificateCounter

    prefix = number_prefix(
        kind=kind, body=body, province=province, site=site, year=year, level=level
    )
    if not CertificateCounter.objects.filter(prefix=prefix).exists():
        try:
            with transaction.atomic():  # savepoint: another process may create it at the same time
                CertificateCounter.objects.create(prefix=prefix, last_serial=0)
        except IntegrityError:
            pass
    counter = CertificateCounter.objects.select_for_update().get(prefix=prefix)
    if counter.last_serial >= MAX_SERIAL:
        from django.utils.translation import gettext as _

        from gongjiang.core.errors import ApplicationError

        raise ApplicationError(
            _("All certificate serials of %(prefix)s are used.") % {"prefix": prefix},
            code="serials_exhausted",
        )
    counter.last_serial += 1
    CertificateCounter.objects.filter(pk=counter.pk).update(last_serial=counter.last_serial)
    return prefix + f"{counter.last_serial:0{SERIAL_WIDTH}d}"

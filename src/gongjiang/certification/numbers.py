"""The 22-character number of a vocational skill level certificate (职业技能等级证书编号).

Layout (positions 1-based), the coding rule published by the Ministry of Human Resources and Social
Security (人力资源社会保障部 职业技能等级证书编码规则): one upper-case letter and 21 digits. It is the
platform's one rule, shared with the workforce registry's validator
(``gongjiang.workforce.validators.normalize_certificate_number``), so a certificate issued here is
accepted there:

====== ======= ===================================================================
pos    width   meaning
====== ======= ===================================================================
1      1       kind of evaluation body: ``Y`` 用人单位 (an employer evaluating its own
               workers), ``S`` 社会培训评价组织 (a social training and evaluation organisation)
2-5    4       evaluation body code assigned by the ministry, 0001-9999; ``0000`` for a
               body filed with a provincial department rather than the ministry
6-7    2       province of the evaluation body (site): first two digits of GB/T 2260
               (11…65, 71, 81, 82)
8-13   6       evaluation body (site) serial code, assigned by the provincial department
14-15  2       year of issue (last two digits)
16     1       skill level digit: 5 初级工 / 4 中级工 / 3 高级工 / 2 技师 / 1 高级技师
17-22  6       certificate serial within the first 16 characters, from 000001
====== ======= ===================================================================

1 + 4 + 2 + 6 + 2 + 1 + 6 = 22, e.g. ``Y000123000001195000001`` (Y, body 0001, 黑龙江 23, site
000001, 2019, 初级工, serial 1). The widths live in :data:`WIDTHS` only; the workforce validator
keeps the positions as constants (the workforce app must not import this one) and a test checks
that both agree.

Serials are allocated under a row lock on
:class:`~gongjiang.certification.models.CertificateCounter` (one row per prefix, the number without
its serial), so two processes issuing at once never draw the same number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from gongjiang.core.validators import PROVINCE_CODES

WIDTHS = {"kind": 1, "body": 4, "province": 2, "site": 6, "year": 2, "level": 1, "serial": 6}
NUMBER_LENGTH = sum(WIDTHS.values())
assert NUMBER_LENGTH == 22
SERIAL_WIDTH = WIDTHS["serial"]
BODY_WIDTH = WIDTHS["body"]
SITE_WIDTH = WIDTHS["site"]
PREFIX_LENGTH = NUMBER_LENGTH - SERIAL_WIDTH
MAX_SERIAL = 10**SERIAL_WIDTH - 1


def _spans() -> dict[str, slice]:
    spans, start = {}, 0
    for name, width in WIDTHS.items():
        spans[name] = slice(start, start + width)
        start += width
    return spans


SPANS = _spans()  # 0-based slices of each part, e.g. SPANS["province"] == slice(5, 7)
NUMBER_RE = re.compile(
    rf"^(?P<kind>[YS])(?P<body>\d{{{BODY_WIDTH}}})(?P<province>[1-9]\d)(?P<site>\d{{{SITE_WIDTH}}})"
    rf"(?P<year>\d{{2}})(?P<level>[1-5])(?P<serial>\d{{{SERIAL_WIDTH}}})$"
)
PROVINCES = PROVINCE_CODES  # GB/T 2260 provinces, plus 71 台湾, 81 香港, 82 澳门


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

"""Validators of the workforce registry: the 22-character skill-certificate number.

The number of a vocational skill level certificate (职业技能等级证书编号), 22 characters, as the
Ministry of Human Resources and Social Security's coding rule lays it out:

=====  =======  ==========================================================================
pos    length   meaning
=====  =======  ==========================================================================
1      1        issuer type: ``Y`` (an employer, 用人单位) or ``S`` (a social training and
                evaluation organisation, 社会培训评价组织)
2–5    4        evaluation body code assigned by the ministry (0001–9999; 0000 for a body
                filed with a provincial department)
6–7    2        province: the first two digits of a GB/T 2260 province code (11 … 82)
8–13   6        evaluation body (site) serial code, assigned by the provincial department
14–15  2        year of issue, two digits (20YY, not in the future)
16     1        national level: 1 (一级/高级技师) … 5 (五级/初级工)
17–22  6        certificate serial (digits)
=====  =======  ==========================================================================

Full-width characters, spaces and dashes are normalised away and a lower-case first letter is
upper-cased before checking.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core.validators import PROVINCE_CODES

PROVINCE_PREFIXES = PROVINCE_CODES
_FORMAT = re.compile(r"[YS]\d{21}")
# Positions of the parts (0-based slices). They must stay equal to
# ``gongjiang.certification.numbers.SPANS`` (the certification app's WIDTHS), which is not imported
# here because certification depends on this app; tests/certification/test_numbers.py checks it.
_PROVINCE = slice(5, 7)  # characters 6–7
_YEAR = slice(13, 15)  # characters 14–15
_LEVEL = 15  # character 16
_STRIP = re.compile(r"[\s\-\u2010-\u2015\u2212_]+")


def normalize_certificate_number(
    value: object, *, national_level: int | None = None, today: dt.date | None = None
) -> str:
    """The canonical 22-character number, or ValidationError naming what is wrong.

    ``national_level`` (1–5), when known, must agree with the level digit.
    """
    text = _STRIP.sub("", unicodedata.normalize("NFKC", str(value or "")))
    if text[:1] in ("y", "s"):
        text = text[0].upper() + text[1:]
    if len(text) != 22:
        raise ValidationError(
            _("A skill-certificate number has 22 characters; this one has %(n)d.")
            % {"n": len(text)},
            code="length",
        )
    if not _FORMAT.fullmatch(text):
        raise ValidationError(
            _("A skill-certificate number is the letter Y or S followed by 21 digits."),
            code="format",
        )
    if text[_PROVINCE] not in PROVINCE_PREFIXES:
        raise ValidationError(
            _("Characters 6–7 of the certificate number (%(code)s) are not a province code.")
            % {"code": text[_PROVINCE]},
            code="province",
        )
    today = today or timezone.localdate()
    year = 2000 + int(text[_YEAR])
    if year > today.year:
        raise ValidationError(
            _("The year of issue in the certificate number (%(year)d) is in the future.")
            % {"year": year},
            code="year",
        )
    level = int(text[_LEVEL])
    if not 1 <= level <= 5:
        raise ValidationError(
            _("Character 16 of the certificate number is the level, 1 to 5; it is %(level)d.")
            % {"level": level},
            code="level",
        )
    if national_level is not None and level != national_level:
        raise ValidationError(
            _(
                "The certificate number says level %(number)d but the certificate is for level %(level)d."
            )
            % {"number": level, "level": national_level},
            code="level_mismatch",
        )
    return text


def certificate_number_with(
    *,
    issuer: str = "Y",
    body: str = "0001",
    province: str = "32",
    site: str = "000001",
    year: int = 2024,
    level: int = 3,
    serial: int = 1,
) -> str:
    """Build a valid number (demo and test data)."""
    return f"{issuer}{body:0>4}{province}{site:0>6}{year % 100:02d}{level}{serial:06d}"

"""Chinese patent application numbers (专利申请号) and patent numbers (专利号 = ZL + 申请号).

Since 1 October 2003 an application number has 12 digits — the year (4), the kind of application
(1 invention, 2 utility model, 3 design, 8 PCT invention entering China, 9 PCT utility model), a
serial number (7) — then a point and a check character. Before that it had 8 digits (year in 2).

The check character (国家知识产权局《专利申请号标准》ZC 0006-2003): multiply the digits, left to
right, by 2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5 (the old 8-digit numbers by 2 … 9), add the products and
take the remainder modulo 11; a remainder of 10 is written ``X``. Example: 201710601862 → 3.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
KINDS_BY_DIGIT = {
    "1": "invention",
    "2": "utility_model",
    "3": "design",
    "8": "invention",
    "9": "utility_model",
}
_PATTERN = re.compile(r"^(ZL|CN)?(\d{12}|\d{8})\.?([0-9X])$")


def check_character(digits: str) -> str:
    """The check character of the 12 (or old 8) digits of an application number."""
    if not digits.isdigit() or len(digits) not in (8, 12):
        raise ValueError("an application number has 8 or 12 digits")
    total = sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=False))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def normalise_patent_number(raw: str) -> str:
    """``ZL 2017 1 0601862.3`` → ``ZL201710601862.3``; raises ValidationError when it is not a valid
    number (format or check character). The prefix is kept (ZL for a granted patent, CN or none for
    an application)."""
    text = re.sub(r"[\s\u3000]", "", raw or "").upper().replace("．", ".").replace("。", ".")
    match = _PATTERN.match(text)
    if not match:
        raise ValidationError(
            _("A patent number is ZL or CN, 12 digits, a point and a check character."),
            code="patent_format",
        )
    prefix, digits, check = match.groups()
    if len(digits) == 12 and not (1985 <= int(digits[:4]) <= 2100):
        raise ValidationError(_("The year of the patent number is not valid."), code="patent_year")
    if check_character(digits) != check:
        raise ValidationError(
            _("The check character of the patent number is wrong."), code="patent_check"
        )
    return f"{prefix or ''}{digits}.{check}"


def kind_of(number: str) -> str:
    """The kind of patent the number's kind digit states (invention, utility_model, design)."""
    digits = re.sub(r"\D", "", number.split(".")[0])
    digit = digits[4] if len(digits) == 12 else digits[2]
    return KINDS_BY_DIGIT.get(digit, "")

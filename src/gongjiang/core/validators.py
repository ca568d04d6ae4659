"""National code validators: citizen ID number (GB 11643) and unified social credit code (GB 32100).

The check-digit arithmetic comes from python-stdnum; this module adds the normalisation rosters need
(full-width characters, spaces, dashes, lower-case x, 15-digit legacy numbers) and the facts derived
from an ID (birth date, gender).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

# Provinces of GB/T 2260 (the first two digits of a region code), plus 71 台湾, 81 香港, 82 澳门:
# shared by the citizen-ID, certificate-number and evaluation-plan rules.
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 "
    "71 81 82".split()
)
_STRIP = re.compile(r"[\s\-\u2010-\u2015\u2212_]+")
_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"


def citizen_id_check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def _clean(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value if value is not None else ""))
    return _STRIP.sub("", text)


def _real_date(text: str) -> dt.date | None:
    try:
        return dt.date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def normalize_citizen_id(value: object, *, today: dt.date | None = None) -> str:
    """Return the canonical 18-character ID or raise ValidationError naming the reason.

    Accepts full-width characters, inner spaces and dashes, a final lower-case x, and 15-digit legacy
    numbers (upgraded with century 19 and a computed check digit).
    """
    text = _clean(value)
    if text.endswith("x"):
        text = text[:-1] + "X"
    if not text:
        raise ValidationError(_("The citizen ID number is required."), code="required")
    today = today or timezone.localdate()
    if len(text) == 15:
        if not text.isdigit():
            raise ValidationError(
                _("A 15-digit citizen ID number may hold digits only."), code="format"
            )
        birth = _real_date("19" + text[6:12])
        if birth is None:
            raise ValidationError(
                _("The birth date inside the citizen ID number is not a real date."),
                code="birth_date",
            )
        first17 = text[:6] + "19" + text[6:]
        text = first17 + citizen_id_check_digit(first17)
    if len(text) != 18:
        raise ValidationError(
            _("A citizen ID number has 18 characters (or 15 for old numbers); this one has %(n)d.")
            % {"n": len(text)},
            code="length",
        )
    if not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        raise ValidationError(
            _("The first 17 characters must be digits and the last a digit or X."), code="format"
        )
    birth = _real_date(text[6:14])
    if birth is None:
        raise ValidationError(
            _("The birth date inside the citizen ID number is not a real date."), code="birth_date"
        )
    if birth > today or birth.year < 1900:
        raise ValidationError(
            _("The birth date inside the citizen ID number is impossible."), code="birth_date"
        )
    if citizen_id_check_digit(text[:17]) != text[17] or ric.calc_check_digit(text) != text[17]:
        raise ValidationError(
            _("The check digit of the citizen ID number is wrong."), code="check_digit"
        )
    # Not stdnum's ric.validate(): it also requires the region code to have existed in the birth
    # year, which refuses real numbers (a person born in 1960 who registered in a district created
    # later, e.g. 440305 Nanshan). GB 11643 validity is length, format, birth date and check digit.
    return text


def citizen_id_birth_date(number: str) -> dt.date:
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def citizen_id_gender(number: str) -> str:
    """'M' or 'F' from the 17th digit (odd for men)."""
    return "M" if int(number[16]) % 2 == 1 else "F"


def citizen_id_region(number: str) -> str:
    return number[:6]


def mask_citizen_id(number: str | None) -> str:
    if not number:
        return ""
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_name(name: str | None) -> str:
    """What the public may see of a person's name: the first and last character (张*三, 张*,
    欧**明). The one name mask of the platform (certificate verification, public notices)."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" if name else ""
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    if len(phone) >= 7:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * len(phone)


def validate_citizen_id(value: object) -> None:
    normalize_citizen_id(value)


def normalize_uscc(value: object) -> str:
    """Return the canonical unified social credit code (GB 32100) or raise ValidationError."""
    text = _clean(value).upper()
    if not text:
        raise ValidationError(_("The unified social credit code is required."), code="required")
    try:
        return uscc.validate(text)
    except StdnumError as exc:
        raise ValidationError(
            _(
                "“%(value)s” is not a valid unified social credit code (18 characters with a correct check character)."
            )
            % {"value": text},
            code="invalid",
        ) from exc


def validate_uscc(value: object) -> None:
    normalize_uscc(value)


def uscc_with_check(first17: str) -> str:
    """Complete a 17-character USCC body with its check character (used by demo/test data)."""
    return first17 + uscc.calc_check_digit(first17)

"""Values typed into the careers desk's plain forms, checked once for every page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gongjiang.core.errors import field_error


def whole_number(value: Any, field: str, *, digits: int) -> int:
    """A non-negative whole number of at most ``digits`` digits, else a field error naming ``field``."""
    text = str(value or "").strip()
    if not text.isdigit() or len(text) > digits:
        raise ValidationError({field: [_("Give a whole number.")]})
    return int(text)


def bounded_text(value: Any, field: str, limit: int) -> str:
    """Posted text, stripped and whole: longer than ``limit`` characters it is refused with the
    field named (``field_error``), never cut. Every careers service checks its text through this
    one function; the pages and the API pass what was typed whole."""
    text = ("" if value is None else str(value)).strip()
    if len(text) > limit:
        raise field_error(field, _("At most %(n)s characters.") % {"n": limit})
    return text

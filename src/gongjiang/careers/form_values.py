"""Values typed into the careers desk's plain forms, checked once for every page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def whole_number(value: Any, field: str, *, digits: int) -> int:
    """A non-negative whole number of at most ``digits`` digits, else a field error naming ``field``."""
    text = str(value or "").strip()
    if not text.isdigit() or len(text) > digits:
        raise ValidationError({field: [_("Give a whole number.")]})
    return int(text)

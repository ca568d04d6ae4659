"""Generic references: what a fund entry pays for, what a notice is about, what a panel reviews —
any object with a public ``code``, stored as (content type, code), never as a sequential id."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext as _

from .errors import field_error


def reference_of(
    obj: models.Model | None, *, field: str = "about"
) -> tuple[ContentType | None, str]:
    """(content type, code) of ``obj``; (None, "") for None. An object without a code is refused."""
    if obj is None:
        return None, ""
    code = getattr(obj, "code", None)
    if not isinstance(obj, models.Model) or not code:
        message = _("What this refers to must be a record with a public code.")
        raise field_error(field, message, "invalid_reference")
    return ContentType.objects.get_for_model(obj), str(code)

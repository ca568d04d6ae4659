"""Small pieces shared by the model modules."""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy

from gongjiang.core.codes import new_code


def code_field() -> models.CharField:
    """The opaque public code of a row (used in URLs)."""
    return models.CharField(
        pgettext_lazy("reform", "code"),
        max_length=20,
        unique=True,
        default=new_code,
        editable=False,
    )

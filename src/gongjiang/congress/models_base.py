"""Small pieces shared by the model modules."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjiang.core.codes import new_code


def code_field() -> models.CharField:
    """The opaque public code of a row (used in URLs)."""
    return models.CharField(_("code"), max_length=20, unique=True, default=new_code, editable=False)

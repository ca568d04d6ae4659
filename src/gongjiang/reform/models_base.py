"""Small pieces shared by the model modules."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
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


def responsible_person_field() -> models.ForeignKey:
    """The person responsible (负责人) for a task or a rectification; optional, kept when the user
    goes (set to null)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("responsible person"),
    )


class ReformRecord(models.Model):
    """The common ground of the reform app's rows: an opaque public code (used in URLs) and a title
    as the row's name (a model whose rows are named otherwise overrides ``__str__``)."""

    code = code_field()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(getattr(self, "title", ""))

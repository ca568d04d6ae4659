"""Documents of a session's agenda items (议题材料): uploaded files, stored encrypted at rest like
other apps' evidence (core.filecrypt.private_file_storage), downloaded by those who may read the
session (its union's scope and the term's delegates)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjiang.core.filecrypt import private_file_storage
from gongjiang.core.scoping import ScopedQuerySet

from .models_base import code_field


class AgendaDocument(models.Model):
    code = code_field()
    item = models.ForeignKey(
        "congress.AgendaItem",
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("agenda item"),
    )
    name = models.CharField(_("file name"), max_length=200)
    file = models.FileField(
        _("file"), upload_to="congress/agenda/%Y/%m/", storage=private_file_storage
    )
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "item__session__term__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("agenda document")
        verbose_name_plural = _("agenda documents")

    def __str__(self) -> str:
        return self.name

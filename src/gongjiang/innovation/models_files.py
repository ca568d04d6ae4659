"""Documents and photos of innovation results (成果材料与照片).

Stored like the platform's other uploads that may show people (reform evidence, hardship scans):
through ``core.filecrypt.private_file_storage`` — encrypted at rest, 0600. Photos are re-encoded on
upload by the platform's image check (``core.images.image_check``, called from
``result_files.clean_photo``), so no camera metadata (GPS position, owner) survives.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjiang.core.filecrypt import private_file_storage

from .models_results import code_field


class ResultFile(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("photo")
        DOCUMENT = "document", _("document")

    code = code_field()
    result = models.ForeignKey("innovation.Result", on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(pgettext_lazy("file", "kind"), max_length=8, choices=Kind.choices)
    title = models.CharField(pgettext_lazy("file", "title"), max_length=100)
    file = models.FileField(
        pgettext_lazy("file", "file"), upload_to="innovation/%Y/%m/", storage=private_file_storage
    )
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(default=0)
    # a document is shown on the public showcase only when the uploader says it may be
    # (a photo is re-encoded without metadata and always shown with a consented, adopted result)
    public = models.BooleanField(_("may be shown in the public showcase"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "result__organization__path"

    class Meta:
        ordering = ["kind", "uploaded_at", "id"]
        verbose_name = _("file of a result")
        verbose_name_plural = _("files of results")

    def __str__(self) -> str:
        return self.title

    @property
    def extension(self) -> str:
        return {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}.get(
            self.content_type, "bin"
        )

"""A roster import waiting for approval (settings.ROSTER_IMPORT_APPROVAL): see roster/approval.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjiang.core.codes import new_code
from gongjiang.core.scoping import ScopedQuerySet


class RosterImportApproval(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for approval")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("enterprise"),
    )
    checked_job = models.ForeignKey(
        "core.Job", on_delete=models.CASCADE, related_name="+", verbose_name=_("checked file")
    )
    import_job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mapping = models.JSONField(null=True, blank=True)
    filename = models.CharField(_("file"), max_length=200, blank=True)
    valid_rows = models.PositiveIntegerField(_("valid rows"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("roster import approval")
        verbose_name_plural = _("roster import approvals")

    def __str__(self) -> str:
        return f"{self.filename} → {self.organization}"


def approval_required() -> bool:
    """Whether roster imports need a second person's approval (``GONGJIANG_ROSTER_IMPORT_APPROVAL``)."""
    return bool(getattr(settings, "ROSTER_IMPORT_APPROVAL", False))

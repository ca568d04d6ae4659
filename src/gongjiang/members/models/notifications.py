"""In-app notifications of one person (also sent by SMS or WeChat through a pluggable sender)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjiang.core.codes import new_code


class Notification(models.Model):
    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="member_notifications",
        verbose_name=_("user"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.CharField(_("message"), max_length=500, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"], name="members_notice_unread")]

    def __str__(self) -> str:
        return self.title

"""Open affairs (厂务公开): notices to the workers of an enterprise or a subtree, with read receipts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongjiang.core.scoping import ScopedQuerySet

from .models_base import code_field


class AffairsNoticeQuerySet(ScopedQuerySet):
    def default_perm(self) -> str:
        return "congress.view"

    def visible_to(self, user: Any, perm: str | None = None) -> Any:
        """The publisher's scope, plus what concerns the user's employer: a notice whose audience
        subtree holds the user's union (worker record) or one of the user's memberships."""
        qs = super().visible_to(user, perm)
        if not getattr(user, "is_authenticated", False) or user.is_superuser:
            return qs
        from gongjiang.core.access import memberships_of

        paths = [path for _role, path, _id in memberships_of(user)]
        worker = getattr(user, "worker", None) if hasattr(user, "worker") else None
        if worker is not None:
            paths.append(worker.organization.path)
        concern = Q(pk__in=[])
        for path in set(paths):
            # the audience's path is a prefix of (or equal to) the user's organisation's path
            prefixes = [path[:i] for i in range(7, len(path) + 1, 7)]
            concern |= Q(audience__path__in=prefixes)
        mine = self.filter(concern, published_at__isnull=False).values("pk")
        return self.filter(Q(pk__in=qs.values("pk")) | Q(pk__in=mine))


class AffairsNotice(models.Model):
    class Kind(models.TextChoices):
        REGULATION = "regulation", _("regulation adopted")
        RESOLUTION = "resolution", _("congress resolution")
        WAGE_PLAN = "wage_plan", _("wage plan")
        PROPOSAL_REPLY = "proposal", _("proposal replies")
        OTHER = "other", _("other affairs")

    code = code_field()
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="affairs_notices",
        verbose_name=_("published by"),
    )
    audience = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("for the workers of"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=50000)
    resolution = models.ForeignKey(
        "congress.Resolution",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notices",
        verbose_name=_("resolution"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AffairsNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("open affairs notice")
        verbose_name_plural = _("open affairs notices")

    def __str__(self) -> str:
        return self.title


class NoticeRead(models.Model):
    """A read receipt: the user opened the notice (once, the first time)."""

    notice = models.ForeignKey(AffairsNotice, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notice", "user"], name="congress_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id}:{self.user_id}"

"""News and notices (学习宣传) of a union for its subtree or the public, with images, scheduled
publishing and read counts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjiang.core.codes import new_code
from gongjiang.core.filecrypt import private_file_storage
from gongjiang.core.scoping import ScopedQuerySet


class Article(models.Model):
    class Kind(models.TextChoices):
        NEWS = "news", _("news")
        NOTICE = "notice", _("notice")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="member_articles",
        verbose_name=_("publisher"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NEWS)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), max_length=20000)
    publish_at = models.DateTimeField(_("publish at"), db_index=True)
    is_public = models.BooleanField(_("public (everyone, not only the subtree)"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self) -> str:
        return self.title


class ArticleRead(models.Model):
    """One reader of an article (counted once per person)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "article__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="members_article_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} · {self.user_id}"


class ArticleImage(models.Model):
    """An image of an article, checked and re-encoded on upload (``core.images``: no EXIF, no GPS,
    at most ``MAX_SIDE`` pixels a side), stored encrypted at rest and served through the app to
    exactly those who may read the article — never from a public media URL."""

    MAX_SIDE = 1600

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images")
    image = models.FileField(
        upload_to="members/news/%Y/%m/", storage=private_file_storage, max_length=200
    )
    content_type = models.CharField(max_length=20)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "article__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("article image")
        verbose_name_plural = _("article images")

    def __str__(self) -> str:
        return f"{self.article_id} · {self.code}"

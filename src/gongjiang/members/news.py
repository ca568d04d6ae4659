"""News and notices: publishing (now or at a set time), images, the feed of a worker, read counts.

Images go through the platform's image check (``core.images``: content, size, pixels; re-encoded
without EXIF/GPS, at most ``ArticleImage.MAX_SIDE`` a side) and are stored encrypted at rest. Only
the article's union editors (``members.publish_news`` on its organisation) add and remove them;
whoever may read the article sees them (``article_get``), nobody else — not even that they exist."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit, user_or_none
from gongjiang.core.errors import ApplicationError, field_error
from gongjiang.core.images import image_check
from gongjiang.core.models import Organization

from .audience import audience_q
from .models import Article, ArticleImage, ArticleRead

PUBLISH = "members.publish_news"
MAX_IMAGES = 10  # per article


def _with_images(qs: QuerySet[Article]) -> QuerySet[Article]:
    return qs.prefetch_related(
        Prefetch("images", queryset=ArticleImage.objects.order_by("created_at", "id"))
    )


def feed(*, actor: Any) -> QuerySet[Article]:
    """Published articles for the actor: their units' and those above, and the public ones."""
    if not getattr(actor, "is_authenticated", False):
        return Article.objects.none()
    return _with_images(
        Article.objects.filter(audience_q(actor) | Q(is_public=True))
        .filter(publish_at__lte=timezone.now())
        .select_related("organization")
    )


def public_articles() -> QuerySet[Article]:
    """Published articles for everyone: readable without signing in (page and images)."""
    return _with_images(
        Article.objects.filter(is_public=True, publish_at__lte=timezone.now()).select_related(
            "organization"
        )
    )


def article_get(*, actor: Any, code: str) -> Article:
    """A published article the actor may read, or one they manage (scheduled too); without
    signing in, a published public one; 404 otherwise."""
    if not getattr(actor, "is_authenticated", False):
        article = public_articles().filter(code=code).first()
        if article is None:
            raise Http404("article")
        return article
    article = (
        feed(actor=actor).filter(code=code).first()
        or articles_managed(actor=actor).filter(code=code).first()
    )
    if article is None:
        raise Http404("article")
    return article


def articles_managed(*, actor: Any) -> QuerySet[Article]:
    return _with_images(
        Article.objects.visible_to(actor, PUBLISH)
        .select_related("organization")
        .annotate(readers=Count("reads"))
        .order_by("-publish_at", "-id")
    )


def article_publish(*, actor: Any, organization: Organization, **fields: Any) -> Article:
    access.require(actor, PUBLISH, organization)
    fields.setdefault("publish_at", timezone.now())
    with transaction.atomic():
        article = Article(organization=organization, created_by=user_or_none(actor), **fields)
        article.full_clean()
        article.save()
        audit(actor=actor, action="members.article_publish", obj=article)
    return article


def article_read(*, actor: Any, article: Article) -> bool:
    """Count the actor as a reader (once); True the first time."""
    if not getattr(actor, "is_authenticated", False) or article.publish_at > timezone.now():
        return False
    try:
        with transaction.atomic():
            ArticleRead.objects.create(article=article, user=actor)
    except IntegrityError:
        return False
    return True


# --------------------------------------------------------------------------------- images
def images_of(*, article: Article) -> list[ArticleImage]:
    """The images of an article already fetched through ``article_get`` (its readers)."""
    return list(article.images.all())


def article_image_get(*, actor: Any, article: Article, code: str) -> ArticleImage:
    """An image of an article fetched through ``article_get`` for this actor (404 otherwise)."""
    image = next((i for i in article.images.all() if i.code == code[:20]), None)
    if image is None:
        raise Http404("image")
    return image


def max_image_bytes() -> int:
    return int(getattr(settings, "MEMBERS_PHOTO_MAX_BYTES", 5 * 1024 * 1024))


def article_image_add(
    *, actor: Any, article: Article, file: Any, caption: str = ""
) -> ArticleImage:
    """An editor of the article's union adds an image (checked by ``core.images``)."""
    access.require(actor, PUBLISH, article.organization)
    caption = (caption or "").strip()
    if len(caption) > 200:
        raise field_error("caption", _("A caption is at most 200 characters."), "caption")
    checked = image_check(
        file,
        field="image",
        max_bytes=max_image_bytes(),
        max_pixels=int(getattr(settings, "MEMBERS_PHOTO_MAX_PIXELS", 40_000_000)),
        max_side=ArticleImage.MAX_SIDE,
    )
    with transaction.atomic():
        Article.objects.select_for_update().filter(pk=article.pk).first()
        if ArticleImage.objects.filter(article=article).count() >= MAX_IMAGES:
            raise ApplicationError(
                _("An article has at most %(n)d images.") % {"n": MAX_IMAGES},
                code="too_many_images",
                status=409,
            )
        image = ArticleImage(
            article=article,
            caption=caption,
            content_type=checked.content_type,
            width=checked.width,
            height=checked.height,
            size=len(checked.data),
            uploaded_by=user_or_none(actor),
        )
        image.image.save(f"{image.code}.{checked.extension}", ContentFile(checked.data), save=False)
        stored, storage = image.image.name, image.image.storage
        # the file is written before the row: if the transaction fails, remove it again
        try:
            image.full_clean(exclude=["uploaded_by"])
            image.save()
            audit(
                actor=actor,
                action="members.article_image_add",
                obj=article,
                organization=article.organization,
                details={"image": image.code, "bytes": image.size},
            )
        except Exception:
            storage.delete(stored)
            raise
    return image


def article_image_remove(*, actor: Any, image: ArticleImage) -> None:
    article = image.article
    if not access.can(actor, PUBLISH, article.organization):
        raise PermissionDenied(PUBLISH)
    name, storage = image.image.name, image.image.storage
    with transaction.atomic():
        image.delete()
        audit(
            actor=actor,
            action="members.article_image_remove",
            obj=article,
            organization=article.organization,
            details={"image": image.code},
        )
        transaction.on_commit(lambda: storage.delete(name))

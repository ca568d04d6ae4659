"""News and notices: publishing (now or at a set time), the feed of a worker, read counts."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from gongjiang.core import access
from gongjiang.core.actors import audit, user_or_none
from gongjiang.core.models import Organization

from .audience import audience_q
from .models import Article, ArticleRead

PUBLISH = "members.publish_news"


def feed(*, actor: Any) -> QuerySet[Article]:
    """Published articles for the actor: their units' and those above, and the public ones."""
    if not getattr(actor, "is_authenticated", False):
        return Article.objects.none()
    return (
        Article.objects.filter(audience_q(actor) | Q(is_public=True))
        .filter(publish_at__lte=timezone.now())
        .select_related("organization")
    )


def article_get(*, actor: Any, code: str) -> Article:
    """A published article the actor may read, or one they manage (scheduled too); 404 otherwise."""
    article = (
        feed(actor=actor).filter(code=code).first()
        or articles_managed(actor=actor).filter(code=code).first()
    )
    if article is None:
        raise Http404("article")
    return article


def articles_managed(*, actor: Any) -> QuerySet[Article]:
    return (
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

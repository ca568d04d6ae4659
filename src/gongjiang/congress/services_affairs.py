"""Open affairs (厂务公开): publish a notice to the workers of a subtree; record who read it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from gongjiang.core import access
from gongjiang.core.access import get_visible_or_404
from gongjiang.core.audit import audit_record
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import Organization
from gongjiang.workforce.models import Worker

from .models import Resolution
from .models_affairs import AffairsNotice, NoticeRead


@transaction.atomic
def notice_publish(
    *,
    actor: Any,
    organization: Organization,
    kind: str,
    title: str,
    body: str,
    audience: Organization | None = None,
    resolution: Resolution | None = None,
) -> AffairsNotice:
    access.require(actor, "congress.manage", organization)
    audience = audience or organization
    if not audience.path.startswith(organization.path):
        raise ApplicationError(
            "The audience must be the publishing organisation or a unit below it.",
            details=[{"field": "audience", "error": audience.name}],
        )
    notice = AffairsNotice(
        organization=organization,
        audience=audience,
        kind=kind,
        title=title,
        body=body,
        resolution=resolution,
        published_at=timezone.now(),
        published_by=actor,
    )
    notice.full_clean()
    notice.save()
    audit_record(actor=actor, action="congress.notice_publish", obj=notice)
    return notice


def notice_list(*, actor: Any) -> QuerySet[AffairsNotice]:
    return AffairsNotice.objects.visible_to(actor).select_related("organization", "audience")


def notice_read(*, actor: Any, code: str) -> AffairsNotice:
    """Open a notice: 404 unless it concerns the user; the first opening writes the read receipt."""
    notice = get_visible_or_404(AffairsNotice.objects, actor, None, code=code)
    if notice.published_at is None:
        raise Http404("notice")
    NoticeRead.objects.get_or_create(notice=notice, user=actor)
    return notice


def read_receipts(notice: AffairsNotice) -> dict[str, int]:
    """Readers, and workers with a login in the audience (the people it concerns)."""
    audience = Worker.objects.filter(
        organization__path__startswith=notice.audience.path,
        status=Worker.Status.ACTIVE,
        user__isnull=False,
    )
    return {
        "read": notice.reads.count(),
        "workers_read": notice.reads.filter(user__worker__in=audience).count(),
        "workers": audience.count(),
    }

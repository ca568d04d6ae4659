"""What waits for a user in the workforce registry (registered on the home page, see core.todos)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models.fields.json import KeyTextTransform
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.models import Job
from gongjiang.core.todos import Todo, register

from .models import Worker
from .roster.jobs import KIND as IMPORT_KIND

CHECK_DAYS = 14  # a checked roster not imported within two weeks is no longer a to-do


def roster_checks_waiting(user: Any) -> Any:
    """The user's finished roster checks (dry runs) that no later run of theirs followed up."""
    mine = Job.objects.filter(kind=IMPORT_KIND, created_by=user)
    followed = (
        mine.annotate(previous=KeyTextTransform("previous", "params"))
        .filter(previous__isnull=False)
        .values("previous")
    )
    return (
        mine.filter(
            status=Job.Status.SUCCEEDED,
            params__dry_run=True,
            created_at__gte=timezone.now() - dt.timedelta(days=CHECK_DAYS),
        )
        .exclude(result__has_key="error")
        .exclude(code__in=followed)
        .order_by("-created_at")
    )


@register("workforce")
def workforce_todos(user: Any) -> list[Todo]:
    if not user.is_authenticated:
        return []
    out: list[Todo] = []
    if access.can(user, "workforce.change_worker"):
        codes = list(roster_checks_waiting(user).values_list("code", flat=True)[:100])
        out.append(
            Todo(
                _("Checked rosters to import"),
                len(codes),
                reverse("workforce:import_detail", args=[codes[0]])
                if codes
                else reverse("workforce:import_upload"),
                priority=20,
                icon="file-earmark-arrow-up",
            )
        )
    if not access.can(user, "workforce.view_worker"):
        own = Worker.objects.filter(user=user).only("code").first()
        if own is not None:
            out.append(
                Todo(
                    _("My record"),
                    None,
                    reverse("workforce:worker_detail", args=[own.code]),
                    30,
                    "person-vcard",
                )
            )
    return out

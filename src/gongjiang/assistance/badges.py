"""The "receives support" (享受帮扶) badge on a worker's profile (core.profile_badges).

Shown only to those who may know it: assistance officers whose scope covers the file's union (that
union and the levels above it) and the worker themself. Everyone else gets no badge — the same
answer as for a worker without a filed file, so nobody can tell the two apart."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjiang.core.profile_badges import Badge, register

from .models import HardshipFile

KEY = "assistance.receives_support"


@register("assistance")
def assistance_badges(viewer: Any, worker: Any) -> list[Badge]:
    own = worker.user_id is not None and worker.user_id == viewer.pk
    filed = HardshipFile.objects.filter(worker=worker, status=HardshipFile.Status.FILED)
    if own:
        file = filed.only("code").first()
        url = reverse("assistance:me_file", args=[file.code]) if file else ""
    else:
        file = filed.visible_to(viewer).only("code").first()
        url = reverse("assistance:file_detail", args=[file.code]) if file else ""
    if file is None:
        return []
    return [Badge(KEY, _("Receives support"), url, icon="heart")]

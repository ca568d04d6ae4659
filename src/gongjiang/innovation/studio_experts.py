"""Studio leaders (工作室领衔人) as experts of the technical exchange.

Registered in ``exchange.EXPERT_PROVIDERS`` by the app's ``ready``: the exchange asks every
provider which of the given users are experts and why, and never imports studios itself. The
leader of a named studio (also one marked for revocation, which is still named until revoked)
whose registry record is active and linked to the user's login is an expert; a proposed or
revoked studio makes nobody an expert.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from .models_studios import Studio

EXPERT_STATUSES = (Studio.Status.NAMED, Studio.Status.MARKED)


def studio_leader_experts(user_ids: Iterable[int]) -> dict[int, str]:
    """{user id: "<studio name>领衔人"} for the users among ``user_ids`` who lead a named studio;
    the highest-level studio first when someone leads several."""
    ids = [i for i in user_ids if i]
    if not ids:
        return {}
    rank = {level: i for i, level in enumerate(("national", "provincial", "city", "enterprise"))}
    rows = Studio.objects.filter(
        status__in=EXPERT_STATUSES, leader__user_id__in=ids, leader__status="active"
    ).values_list("leader__user_id", "name", "level")
    out: dict[int, tuple[int, str]] = {}
    for user_id, name, level in rows:
        key = (rank.get(level, 9), name)
        if user_id not in out or key < out[user_id]:
            out[user_id] = key
    return {
        user_id: _("Leader of %(studio)s") % {"studio": name}
        for user_id, (_rank, name) in out.items()
    }

"""Reminders actually sent (members.notify: stored in-app and pushed through the configured
sender, SMS or console): re-verifications coming due and public notices ending. Run daily by the
scheduled task ``assistance.remind`` (tasks.py).

* re-verification due within ``VERIFY_SOON_DAYS`` days: the assistance officers who may check the
  file (``assistance.check`` over its union, at that union or above) get one message per run with
  the number of files; the worker gets a message about their own file. Each file is reminded once
  per due date (``verify_reminded_for``); after the re-verification sets the next due date, the
  next year's reminder goes out in its turn.
* a public notice ending within ``NOTICE_ENDING_DAYS`` days: the assistance officers who see the
  file (``assistance.view``) — among them the level above that approves after the notice — get one
  message with the number of notices. Once per notice end (``notice_reminded_for``).

Messages carry counts and links only: no names, no household data, no category.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from gongjiang.core.access import roles_with
from gongjiang.core.models import Membership

from .models import HardshipFile
from .selectors import NOTICE_ENDING_DAYS, VERIFY_SOON_DAYS


def _officers(perm: str) -> list[tuple[int, str]]:
    """(user id, organisation path) of every active membership whose role holds ``perm``."""
    return list(
        Membership.objects.filter(
            role__in=roles_with(perm), organization__is_active=True, user__is_active=True
        ).values_list("user_id", "organization__path")
    )


def _covering(officers: list[tuple[int, str]], path: str) -> set[int]:
    return {user_id for user_id, scope in officers if path.startswith(scope)}


@transaction.atomic
def reminders_send(*, on: dt.date | None = None) -> dict[str, int]:
    """Send the day's reminders; returns the counts. Running twice on a day sends nothing new."""
    from gongjiang.members.notify import notify

    day = on or timezone.localdate()
    users = get_user_model().objects.in_bulk
    out = {"verify_files": 0, "notice_files": 0, "messages": 0}

    verify = list(
        HardshipFile.objects.select_for_update(of=("self",))
        .filter(status=HardshipFile.Status.FILED, verify_due_on__isnull=False)
        .filter(verify_due_on__lte=day + dt.timedelta(days=VERIFY_SOON_DAYS))
        .filter(Q(verify_reminded_for__isnull=True) | Q(verify_reminded_for__lt=F("verify_due_on")))
        .select_related("organization", "worker")
    )
    checkers = _officers("assistance.check") if verify else []
    per_officer: dict[int, int] = defaultdict(int)
    for file in verify:
        for user_id in _covering(checkers, file.organization.path):
            per_officer[user_id] += 1
    people = users(list(per_officer) + [f.worker.user_id for f in verify if f.worker_id])
    with override("zh-hans"):
        url = reverse("assistance:file_list") + "?view=verify"
        for user_id, n in sorted(per_officer.items()):
            notify(
                people[user_id],
                ngettext(
                    "%(n)d hardship file is due for re-verification",
                    "%(n)d hardship files are due for re-verification",
                    n,
                )
                % {"n": n},
                _("Re-verify them before the due date (动态管理)."),
                url,
            )
            out["messages"] += 1
        for file in verify:
            worker_user = people.get(file.worker.user_id) if file.worker_id else None
            if worker_user is not None:
                notify(
                    worker_user,
                    _("Your hardship file is due for re-verification"),
                    _("Due by %(date)s. Your union will contact you; you can update your file.")
                    % {"date": file.verify_due_on.isoformat()},
                    reverse("assistance:me_file", args=[file.code]),
                )
                out["messages"] += 1
    HardshipFile.objects.filter(pk__in=[f.pk for f in verify]).update(
        verify_reminded_for=F("verify_due_on")
    )
    out["verify_files"] = len(verify)

    ending = list(
        HardshipFile.objects.select_for_update(of=("self",))
        .filter(
            status=HardshipFile.Status.NOTICE,
            notice__ends_on__gte=day,
            notice__ends_on__lte=day + dt.timedelta(days=NOTICE_ENDING_DAYS),
        )
        .filter(
            Q(notice_reminded_for__isnull=True) | Q(notice_reminded_for__lt=F("notice__ends_on"))
        )
        .select_related("organization", "notice")
    )
    viewers = _officers("assistance.view") if ending else []
    per_viewer: dict[int, int] = defaultdict(int)
    for file in ending:
        for user_id in _covering(viewers, file.organization.path):
            per_viewer[user_id] += 1
    people = users(list(per_viewer))
    with override("zh-hans"):
        url = reverse("assistance:file_list") + "?view=notices"
        for user_id, n in sorted(per_viewer.items()):
            notify(
                people[user_id],
                ngettext(
                    "%(n)d hardship public notice is ending",
                    "%(n)d hardship public notices are ending",
                    n,
                )
                % {"n": n},
                _("After the notice ends, the level above approves the file."),
                url,
            )
            out["messages"] += 1
    for file in ending:
        HardshipFile.objects.filter(pk=file.pk).update(notice_reminded_for=file.notice.ends_on)
    out["notice_files"] = len(ending)
    return out

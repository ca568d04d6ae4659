"""In-app notifications, and the pluggable senders that also reach a phone (SMS, WeChat).

The sender is chosen by ``settings.MEMBERS_SENDER`` (a dotted path; the console sender by default).
``HttpSmsSender`` posts JSON to an SMS gateway: ``MEMBERS_SMS_URL`` and ``MEMBERS_SMS_TOKEN`` (sent
as a bearer token); a gateway answering other than 2xx, or not at all within
``MEMBERS_SMS_TIMEOUT`` seconds, is a failed send, logged, never an error for the person acting."""

from __future__ import annotations

import json
import logging
import sys
import urllib.error
import urllib.request
from collections.abc import Iterable
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Notification

logger = logging.getLogger(__name__)


class Sender(Protocol):
    def send(self, *, user: Any, title: str, body: str) -> bool: ...


class ConsoleSender:
    """Writes the message to standard output (development, tests, installations without SMS)."""

    def send(self, *, user: Any, title: str, body: str) -> bool:
        sys.stdout.write(f"[notice → {user.get_username()}] {title}: {body}\n")
        return True


class HttpSmsSender:
    """A generic HTTP SMS gateway: POST {"to": phone, "text": "…"} with a bearer token."""

    def __init__(
        self, url: str | None = None, token: str | None = None, timeout: float | None = None
    ):
        self.url = url or getattr(settings, "MEMBERS_SMS_URL", "")
        self.token = token if token is not None else getattr(settings, "MEMBERS_SMS_TOKEN", "")
        self.timeout = timeout or float(getattr(settings, "MEMBERS_SMS_TIMEOUT", 5))

    def phone_of(self, user: Any) -> str:
        from gongjiang.workforce.personal import decrypt

        worker = getattr(user, "worker", None)
        token = getattr(worker, "phone_encrypted", "") if worker is not None else ""
        return decrypt(token) if token else ""

    def send(self, *, user: Any, title: str, body: str) -> bool:
        phone = self.phone_of(user)
        if not phone or not self.url:
            return False
        payload = json.dumps({"to": phone, "text": f"【工会e家】{title} {body}".strip()}).encode()
        request = urllib.request.Request(  # noqa: S310 (an https URL from the settings)
            self.url,
            data=payload,
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return 200 <= response.status < 300
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            logger.warning("SMS gateway failed for %s: %s", user.get_username(), exc)
            return False


def sender() -> Sender:
    path = getattr(settings, "MEMBERS_SENDER", "gongjiang.members.notify.ConsoleSender")
    return import_string(path)()


def notify(
    user: Any, title: str, body: str = "", url: str = "", *, push: bool = True
) -> Notification:
    """Store an in-app notification (in the caller's transaction) and hand it to the configured
    sender once that transaction commits (a rolled-back act sends nothing)."""
    note = Notification(user=user, title=title[:200], body=body[:500], url=url[:300])
    note.full_clean()
    note.save()
    if push:
        transaction.on_commit(lambda: sender().send(user=user, title=note.title, body=note.body))
    return note


def notify_many(
    messages: Iterable[tuple[Any, str, str, str]], *, push: bool = True
) -> list[Notification]:
    """:func:`notify` for many (user, title, body, url) at once: one ``INSERT`` per thousand
    notifications instead of a validation and an insert each (a daily reminder run sends
    thousands), pushed after the caller's transaction commits, in the given order."""
    notes = []
    for user, title, body, url in messages:
        if not title:
            raise ValueError("a notification needs a title")
        notes.append(Notification(user=user, title=title[:200], body=body[:500], url=url[:300]))
    Notification.objects.bulk_create(notes, batch_size=1000)
    if push and notes:

        def send() -> None:
            out = sender()
            for note in notes:
                out.send(user=note.user, title=note.title, body=note.body)

        transaction.on_commit(send)
    return notes


def notifications_of(*, actor: Any) -> QuerySet[Notification]:
    if not getattr(actor, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(user=actor)


def notifications_mark_read(*, actor: Any) -> int:
    return notifications_of(actor=actor).filter(read_at__isnull=True).update(read_at=timezone.now())

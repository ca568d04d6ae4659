"""The worker profile's timeline, which other systems extend.

A provider is a function ``(worker, actor) -> list[TimelineEntry]``; register it once at start-up
(e.g. in your app's ``AppConfig.ready``)::

    from gongjiang.workforce.timeline import TimelineEntry, register_timeline_provider

    @register_timeline_provider
    def exam_entries(worker, actor):
        return [TimelineEntry(date=a.date, kind="exam", title="…", detail="…", url="…") for a in ...]

The actor is passed so a provider shows only what the viewer may see. A failing provider is logged
and skipped (the profile still opens). This module's own providers cover skill-level changes,
certificates, honours, training records and transfers.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def source_label(source: str) -> str:
    """A record's source in words: the markers the demo and the generator write are internal."""
    from .generate.data import SOURCE as GENERATED

    if source in ("demo", "demo-bulk") or source.endswith(" demo"):
        return _("demo data")
    if source == GENERATED:
        return _("synthetic data")
    return source


@dataclass(frozen=True)
class TimelineEntry:
    date: dt.date
    kind: (
        str  # "skill_level", "certificate", "honour", "training", "transfer", or another app's kind
    )
    title: str
    detail: str = ""
    url: str = ""
    struck: bool = False  # reverted / revoked entries stay visible, struck through


Provider = Callable[[Any, Any], list[TimelineEntry]]
_PROVIDERS: list[Provider] = []


def register_timeline_provider(func: Provider) -> Provider:
    if func not in _PROVIDERS:
        _PROVIDERS.append(func)
    return func


def timeline_for(worker: Any, actor: Any) -> list[TimelineEntry]:
    """Every provider's entries, newest first."""
    entries: list[TimelineEntry] = []
    for provider in list(_PROVIDERS):
        try:
            entries.extend(provider(worker, actor))
        except Exception:  # one broken provider must not hide the profile
            logger.exception("timeline provider %r failed", provider)
    return sorted(entries, key=lambda e: e.date, reverse=True)


def _level_name(level: Any) -> str:
    return str(level) if level is not None else _("none")


@register_timeline_provider
def _registry_entries(worker: Any, actor: Any) -> list[TimelineEntry]:
    out: list[TimelineEntry] = []
    for c in worker.skill_level_changes.select_related("from_level", "to_level"):
        detail = " · ".join(x for x in (source_label(c.source), c.reason) if x)
        out.append(
            TimelineEntry(
                c.date,
                "skill_level",
                _("Skill level: %(from)s → %(to)s")
                % {"from": _level_name(c.from_level), "to": _level_name(c.to_level)},
                detail + (" · " + _("reverted") if c.reverted else ""),
                struck=c.reverted,
            )
        )
    for cert in worker.certificates.select_related("level", "occupation"):
        title = _("Certificate: %(kind)s") % {"kind": cert.get_kind_display()}
        parts = [
            cert.number,
            cert.issuer,
            str(cert.level) if cert.level_id else "",
            cert.occupation.name if cert.occupation_id else "",
        ]
        out.append(
            TimelineEntry(
                cert.date,
                "certificate",
                title,
                " · ".join(p for p in parts if p),
                struck=cert.revoked,
            )
        )
    for h in worker.honours.all():
        out.append(
            TimelineEntry(
                h.date,
                "honour",
                _("Honour: %(title)s") % {"title": h.title},
                " · ".join(p for p in (h.get_level_display(), str(h.year), h.awarded_by) if p),
                struck=h.revoked,
            )
        )
    for t in worker.training_records.all():
        out.append(
            TimelineEntry(
                t.date,
                "training",
                _("Training: %(title)s") % {"title": t.title},
                " · ".join(
                    p for p in (_("%(h)s hours") % {"h": t.hours}, t.result, t.provider) if p
                ),
            )
        )
    for tr in worker.transfers.select_related("from_organization", "to_organization"):
        out.append(
            TimelineEntry(
                tr.date,
                "transfer",
                _("Transfer: %(from)s → %(to)s")
                % {"from": tr.from_organization.name, "to": tr.to_organization.name},
                tr.reason,
            )
        )
    return out

"""The two tables unions file (提案汇总表, 提案办理情况表), through core.exports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _

from gongjiang.core.exports import xlsx_bytes, xlsx_response

from .models_proposals import Proposal


def _summary_rows(qs: QuerySet[Proposal]) -> Iterator[list[Any]]:
    for p in qs.select_related(
        "proposer__worker__employer", "proposer__delegation", "organization"
    ):
        yield [
            p.number,
            p.title,
            p.get_category_display(),
            p.proposer.worker.name,
            p.proposer.delegation.name,
            p.cosigners if hasattr(p, "cosigners") else p.cosignatures.count(),
            p.submitted_at.date() if p.submitted_at else None,
            p.get_status_display(),
            p.decision_reason,
        ]


def summary_response(qs: QuerySet[Proposal]) -> HttpResponse:
    header = [
        _("proposal number"),
        _("title"),
        _("category"),
        _("proposer"),
        _("delegation"),
        _("co-signers"),
        _("submitted on"),
        _("status"),
        _("committee's reason"),
    ]
    data = xlsx_bytes([(_("Proposal summary"), header, _summary_rows(qs))])
    return xlsx_response(data, "提案汇总表.xlsx")


def _handling_rows(qs: QuerySet[Proposal]) -> Iterator[list[Any]]:
    for p in qs.select_related("proposer__worker", "lead_department").prefetch_related(
        "cooperating_departments", "replies"
    ):
        replies = list(p.replies.all())
        last = replies[-1] if replies else None
        yield [
            p.number,
            p.title,
            p.proposer.worker.name,
            p.lead_department.name if p.lead_department_id else "",
            "、".join(d.name for d in p.cooperating_departments.all()),
            p.reply_due,
            last.replied_at.date() if last else None,
            last.get_outcome_display() if last else "",
            last.text if last else "",
            last.get_rating_display() if last and last.rating else "",
            p.get_status_display(),
            p.closed_at.date() if p.closed_at else None,
        ]


def handling_response(qs: QuerySet[Proposal]) -> HttpResponse:
    header = [
        _("proposal number"),
        _("title"),
        _("proposer"),
        _("lead department"),
        _("cooperating departments"),
        _("reply due"),
        _("replied on"),
        _("outcome"),
        _("reply"),
        _("rating"),
        _("status"),
        _("closed on"),
    ]
    data = xlsx_bytes([(_("Proposal handling"), header, _handling_rows(qs))])
    return xlsx_response(data, "提案办理情况表.xlsx")

"""Bulletins (工作通报): a PDF briefing on one plan for a chosen period, generated as a background job.

Sections: overall progress on the last day (rolled up, tasks by status), progress reported in the
period (accepted reports), overdue tasks, inspection findings in the period, and highlights (tasks
completed in the period and findings marked as good practice). Text uses the platform's CJK font
(core.pdf_fonts), embedded as a subset so the bulletin prints the same everywhere.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from xml.sax.saxutils import escape

from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import override, pgettext

from gongjiang.core.jobs import Progress, job_handler, job_start
from gongjiang.core.models import Job

from . import selectors
from .models import Finding, Plan, PlanItem, ProgressReport

KIND = "reform.bulletin"


def bulletin_start(*, actor: Any, plan: Plan, since: dt.date, until: dt.date) -> Job:
    """Queue the bulletin job (the caller fetched ``plan`` through visible_to)."""
    from django.core.exceptions import ValidationError

    if until < since:
        raise ValidationError({"until": _("The end is before the start.")})
    from django.utils.translation import get_language

    return job_start(
        actor=actor,
        kind=KIND,
        organization=plan.organization,
        params={
            "plan": plan.code,
            "since": since.isoformat(),
            "until": until.isoformat(),
            "language": get_language() or "zh-hans",
        },
    )


def bulletin_data(*, actor: Any, plan: Plan, since: dt.date, until: dt.date) -> dict[str, Any]:
    items = selectors.plan_items(plan)
    summary = selectors.plan_summary(plans=[plan], on=until)[0]
    tasks = [i for i in items if i.kind == PlanItem.Kind.TASK]
    reports = list(
        ProgressReport.objects.filter(
            task__plan=plan,
            status="accepted",
            submitted_at__date__gte=since,
            submitted_at__date__lte=until,
        )
        .select_related("task", "organization")
        .order_by("task__position", "period")
    )
    overdue = [t for t in tasks if t.is_overdue(until)]
    findings = list(
        Finding.objects.filter(
            Q(task__plan=plan) | Q(inspection__organization=plan.organization),
            inspection__start__lte=until,
            inspection__end__gte=since,
        )
        .select_related("inspection", "organization")
        .prefetch_related("rectifications")
        .distinct()
    )
    completed = [
        t
        for t in tasks
        if t.status == "done" and t.completed_on and since <= t.completed_on <= until
    ]
    return {
        "plan": plan,
        "since": since,
        "until": until,
        "summary": summary,
        "reports": reports,
        "overdue": overdue,
        "findings": [f for f in findings if f.severity != "highlight"],
        "highlights": [f for f in findings if f.severity == "highlight"],
        "completed": completed,
    }


def bulletin_pdf(data: dict[str, Any], progress: Progress | None = None) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from gongjiang.core.pdf_fonts import cjk_font

    font = cjk_font()
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=26, alignment=1, spaceAfter=6)
    sub = ParagraphStyle("sub", parent=body, alignment=1, textColor=colors.grey)
    h2 = ParagraphStyle("h2", parent=body, fontSize=13, leading=20, spaceBefore=10, spaceAfter=4)
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=13)

    def p(text: Any, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(str(text)), style)

    def table(header: list[str], rows: list[list[Any]], widths: list[float]) -> Table:
        t = Table(
            [[p(h, small) for h in header]] + [[p(c, small) for c in r] for r in rows],
            colWidths=widths,
            repeatRows=1,
        )
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return t

    plan, summary = data["plan"], data["summary"]
    story: list[Any] = [
        p(_("Work bulletin"), title),
        p(plan.title, sub),
        p(
            _("%(org)s · period %(since)s to %(until)s")
            % {"org": plan.organization.name, "since": data["since"], "until": data["until"]},
            sub,
        ),
        Spacer(1, 6 * mm),
        p(_("1. Overall progress"), h2),
    ]
    counts = summary["counts"]
    percent = summary["percent"]
    story.append(
        p(
            _(
                "Overall progress %(p)s. Of %(n)d tasks: %(done)d done, %(prog)d in progress, %(risk)d at risk, "
                "%(over)d overdue, %(ns)d not started."
            )
            % {
                "p": f"{percent:.0f}%" if percent is not None else "—",
                "n": summary["tasks"],
                "done": counts.get("done", 0),
                "prog": counts.get("in_progress", 0),
                "risk": counts.get("at_risk", 0),
                "over": counts.get("overdue", 0),
                "ns": counts.get("not_started", 0),
            }
        )
    )
    if progress:
        progress(1, 5, pgettext("reform", "progress"))
    story.append(p(_("2. Progress reported in the period"), h2))
    rows = [
        [r.task.title, r.organization.name, r.period, f"{r.percent}%", r.text]
        for r in data["reports"]
    ]
    story.append(
        table(
            [
                pgettext("reform", "task"),
                pgettext("reform", "unit"),
                pgettext("reform", "period"),
                pgettext("reform", "done"),
                pgettext("reform", "progress"),
            ],
            rows,
            [40 * mm, 30 * mm, 16 * mm, 12 * mm, 72 * mm],
        )
        if rows
        else p(_("No accepted reports."))
    )
    if progress:
        progress(2, 5, pgettext("reform", "reports"))
    story.append(p(_("3. Overdue tasks"), h2))
    rows = [
        [t.title, t.lead_unit.name if t.lead_unit_id else "", str(t.deadline), f"{t.percent}%"]
        for t in data["overdue"]
    ]
    story.append(
        table(
            [
                pgettext("reform", "task"),
                _("lead unit"),
                pgettext("reform", "deadline"),
                pgettext("reform", "done"),
            ],
            rows,
            [80 * mm, 40 * mm, 26 * mm, 24 * mm],
        )
        if rows
        else p(_("No overdue tasks."))
    )
    if progress:
        progress(3, 5, _("overdue tasks"))
    story.append(p(_("4. Inspection findings"), h2))
    rows = []
    for f in data["findings"]:
        rects = "；".join(f"{r.title}（{r.get_status_display()}）" for r in f.rectifications.all())
        rows.append([f.inspection.title, f.organization.name, f.text, rects])
    story.append(
        table(
            [_("inspection"), pgettext("reform", "organization"), _("finding"), _("rectification")],
            rows,
            [36 * mm, 30 * mm, 56 * mm, 48 * mm],
        )
        if rows
        else p(_("No findings in the period."))
    )
    if progress:
        progress(4, 5, pgettext("reform", "findings"))
    story.append(p(_("5. Highlights"), h2))
    lines = [
        _("Completed: %(t)s (%(u)s)")
        % {"t": t.title, "u": t.lead_unit.name if t.lead_unit_id else ""}
        for t in data["completed"]
    ]
    lines += [f"{f.organization.name}：{f.text}" for f in data["highlights"]]
    story += [p("· " + line) for line in lines] or [p(_("None."))]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=plan.title,
    ).build(story)
    return buffer.getvalue()


@job_handler(KIND)
def run_bulletin(job: Job, progress: Progress) -> dict[str, Any]:
    params = job.params
    with override(params.get("language", "zh-hans")):
        plan = selectors.plan_get(actor=job.created_by, code=params["plan"])
        since, until = (
            dt.date.fromisoformat(params["since"]),
            dt.date.fromisoformat(params["until"]),
        )
        progress(0, 5, _("collecting"))
        data = bulletin_data(actor=job.created_by, plan=plan, since=since, until=until)
        pdf = bulletin_pdf(data, progress)
        job.output_file.save(
            f"bulletin-{plan.code}-{until.isoformat()}.pdf", ContentFile(pdf), save=False
        )
        Job.objects.filter(pk=job.pk).update(output_file=job.output_file.name)
        progress(5, 5, pgettext("reform", "done"))
    return {
        "plan": plan.code,
        "pages": pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages"),
        "reports": len(data["reports"]),
        "overdue": len(data["overdue"]),
        "findings": len(data["findings"]),
    }

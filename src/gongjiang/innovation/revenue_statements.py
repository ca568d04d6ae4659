"""Revenue-sharing statements (收益分红对账单) as PDF: one page per worker, every certified part with
its computation line by line. One worker's statement is small and is built in the request; the
statements of a whole scheme (a page per member) are built as a background job (core.jobs)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from gongjiang.core.jobs import Progress, job_handler, job_start
from gongjiang.core.models import Job
from gongjiang.workforce.models import Worker

from .models_revenue import RevenuePart, RevenueScheme
from .split import share_text

KIND = "innovation.revenue_statements"


def statements_pdf(pages: Sequence[tuple[Worker, Sequence[RevenuePart]]], title: str = "") -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    from gongjiang.core.pdf_fonts import cjk_font

    font = cjk_font()
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, fontSize=17, leading=24, alignment=1)
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=12)

    def p(text: Any, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(str(text)), style)

    story: list[Any] = []
    today = timezone.localdate()
    for n, (worker, parts) in enumerate(pages):
        if n:
            story.append(PageBreak())
        story += [
            p(_("Revenue-sharing statement"), head),
            Spacer(1, 4 * mm),
            p(
                _("Worker: %(name)s · employer: %(employer)s · issued %(date)s")
                % {"name": worker.name, "employer": worker.employer.name, "date": today}
            ),
            Spacer(1, 3 * mm),
        ]
        header = [
            _("year"),
            _("result"),
            _("mode"),
            _("amount (yuan)"),
            _("share"),
            _("pool (yuan)"),
            _("contribution"),
            _("exact part"),
            _("part (yuan)"),
            _("state"),
        ]
        rows: list[list[Any]] = [[p(h, small) for h in header]]
        total = 0
        for part in parts:
            year = part.year
            scheme = year.scheme
            # a part made by a correction shows the corrected figures; a replaced one is shown,
            # struck through in words, and not counted
            made = part.correction if part.correction_id else year
            state = year.get_status_display()
            if part.correction_id:
                state += " · " + _("correction %(n)d") % {"n": part.correction.number}
            if part.replaced_by_id:
                state = _("replaced by correction %(n)d") % {"n": part.replaced_by.number}
            rows.append(
                [
                    p(year.year, small),
                    p(scheme.result.title, small),
                    p(scheme.get_mode_display(), small),
                    p(f"{made.amount:,.2f}", small),
                    p(share_text(made.share) if made.share is not None else "", small),
                    p(f"{made.pool:,.2f}" if made.pool is not None else "", small),
                    p(f"{part.contribution}%", small),
                    p(f"{part.exact}", small),
                    p(f"{part.amount:,.2f}" + (" (+0.01)" if part.extra_fen else ""), small),
                    p(state, small),
                ]
            )
            if not part.replaced_by_id:
                total += part.amount
        rows.append(
            [p(_("total"), small), "", "", "", "", "", "", "", p(f"{total:,.2f}", small), ""]
        )
        table = Table(
            rows,
            colWidths=[
                12 * mm,
                34 * mm,
                18 * mm,
                22 * mm,
                12 * mm,
                20 * mm,
                14 * mm,
                20 * mm,
                20 * mm,
                12 * mm,
            ],
            repeatRows=1,
        )
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story += [
            table,
            Spacer(1, 4 * mm),
            p(
                _(
                    "Rounding: the pool is amount × share, rounded half up to the fen; each part is "
                    "pool × contribution ÷ 100 cut down to the fen; the fen left over go one each "
                    "to the largest remainders (ties: larger contribution, then worker code), so "
                    "the parts add up to the pool exactly. Basis: art. 45 of the Law on Promoting "
                    "the Transformation of Scientific and Technological Achievements."
                ),
                small,
            ),
        ]
    if not story:
        story.append(p(_("No certified revenue shares.")))
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=title or _("Revenue-sharing statement"),
    ).build(story)
    return buffer.getvalue()


def scheme_statements_start(*, actor: Any, scheme: RevenueScheme) -> Job:
    """Queue the statements of every member of a scheme (the caller fetched it in scope)."""
    return job_start(
        actor=actor,
        kind=KIND,
        organization=scheme.organization,
        params={"scheme": scheme.code, "language": get_language() or "zh-hans"},
    )


@job_handler(KIND)
def run_scheme_statements(job: Job, progress: Progress) -> dict[str, Any]:
    from .revenue import scheme_get

    with override(job.params.get("language", "zh-hans")):
        scheme = scheme_get(actor=job.created_by, code=job.params["scheme"])
        parts = list(
            RevenuePart.objects.filter(year__scheme=scheme)
            .select_related(
                "worker",
                "worker__employer",
                "year",
                "year__scheme__result",
                "correction",
                "replaced_by",
            )
            .order_by("position", "worker_id", "year__year")
        )
        by_worker: dict[int, tuple[Worker, list[RevenuePart]]] = {}
        for part in parts:
            by_worker.setdefault(part.worker_id, (part.worker, []))[1].append(part)
        progress(0, len(by_worker) + 1, _("collecting"))
        pdf = statements_pdf(list(by_worker.values()), title=scheme.result.title)
        job.output_file.save(f"revenue-{scheme.code}.pdf", ContentFile(pdf), save=False)
        Job.objects.filter(pk=job.pk).update(output_file=job.output_file.name)
        progress(len(by_worker) + 1, len(by_worker) + 1, _("done"))
    return {"scheme": scheme.code, "workers": len(by_worker), "parts": len(parts)}

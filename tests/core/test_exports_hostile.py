"""Every export of the platform, pages and API, run with organisations, workers, questions, plan
items and competitions named like formulas: each file is read back with openpyxl and must hold the
names as text, with no formula and no link anywhere.

``EXPORTS`` lists every export; ``test_every_export_is_listed`` scans the source for the helper's
writers (``xlsx_response``, ``xlsx_file``, ``file_response``, ``csv_response``, ``ExportWorkbook``)
so a new export that is not run here fails the suite."""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongjiang.competitions import results
from gongjiang.core.exports import FORMULA_TRIGGERS
from gongjiang.core.models import Enterprise, Organization
from gongjiang.reform import services as reform_services
from gongjiang.workforce.analytics import rollups
from tests.competitions.factories import (
    assign_judges,
    confirmed_entry,
    make_competition,
    make_worker,
    score_entry,
)
from tests.factories import UserFactory, member
from tests.innovation.hostile import innovation_export_urls
from tests.learning.factories import make_question
from tests.learning.test_item_stats_pages import _exam

from .test_exports import formulas_in, values_in

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-2+3",
    "@SUM(A1)",
    "=cmd|' /C calc'!A0",
]
SRC = Path(__file__).resolve().parents[2] / "src" / "gongjiang"
WRITERS = re.compile(
    r"\b(xlsx_response|xlsx_file|file_response|csv_response|ExportWorkbook)\(", re.M
)
#: the modules that produce a download, each exercised by ``test_every_export_is_hostile_safe``
EXPORT_MODULES = {
    # congress proves its downloads hostile-safe beside its data (tests/congress/test_pages.py);
    # the survey download holds codes and numbers only (no open answers), escaped by core.exports
    "congress/exports.py",  # 提案汇总表, 提案办理情况表
    "congress/views_documents.py",  # an agenda document as uploaded (a stored file, no table)
    "surveys/views_results.py",  # responses as Excel and CSV (coded columns)
    "core/views.py",  # organisations, audit log
    "learning/bank/views.py",  # question bank
    "learning/statistics/views.py",  # item statistics (session, bank)
    "workforce/exports.py",  # worker list (page and API)
    "workforce/analytics/views.py",  # analytics figures (page)
    "workforce/analytics/api.py",  # analytics figures (API)
    "workforce/roster/report.py",  # roster import validation report
    "workforce/roster/jobs.py",  # the report's download (page and API)
    "workforce/roster/template.py",  # the roster upload template (no user data)
    "competitions/views.py",  # entries, results, analytics
    "competitions/judging_views.py",  # a judge's marks (draw numbers, aspects: no names to exercise)
    "reform/ledger.py",  # yearly work ledger (merged group rows)
    "reform/views_exports.py",  # ledger download and bulletin PDF
    "reform/api.py",  # ledger download (API)
    "assistance/views_money.py",  # assistance report (funds named by their organisation)
    "assistance/views.py",  # a hardship file's scan as uploaded (a stored file, no table)
    "innovation/views.py",  # innovation results
    "innovation/views_awards.py",  # an award round's list (download)
    "innovation/award_list.py",  # the award list in the published layout
    "innovation/exports.py",  # award rounds, schemes, studios, alliances, reviews, the exchange (tests/innovation/test_exports.py)
    "innovation/views_revenue.py",  # revenue-sharing totals (Excel) and statements (PDF)
    "innovation/views_files.py",  # a result's document or photo as stored (no table)
    "members/views_library_manage.py",  # e-library reading statistics (unions by name)
    "careers/views_pay.py",  # pay bands, the pay entitlement report, medians by skill level
    "careers/views_honours.py",  # a nomination's document as uploaded (a stored file, no table)
    "careers/views_programmes.py",  # a programme's applications (Excel)
    # the apprenticeship's claims report and a cohort's apprentices (hostile-safe in
    # tests/careers/test_apprenticeship_access.py), a claim's document as uploaded (no table)
    "careers/views_apprentice.py",  # and a pilot enterprise's apprentices (all its cohorts)
    # an expert-level call's applications and ranking (tests/careers/test_experts_exports.py)
    "careers/views_experts.py",
    "congress/api_documents.py",  # an agenda document as uploaded (API; a stored file, no table)
    "innovation/views_studio_files.py",  # a studio's yearly plan or report as uploaded (no table)
    "innovation/api_studio_files.py",  # the same file through the API (no table)
    "innovation/api_revenue.py",  # a correction's supporting document as stored (no table)
    "careers/api_experts.py",  # an expert application's document as uploaded (API; no table)
    # re-issued survey links (worker names; tests/surveys/test_reissue_bulk.py reads them back)
    "surveys/views.py",
    "surveys/api.py",  # the same links of a background re-issue job
}


def test_every_export_is_listed() -> None:
    found = set()
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        if rel != "core/exports.py" and WRITERS.search(path.read_text(encoding="utf-8")):
            found.add(rel)
    assert found == EXPORT_MODULES


@pytest.fixture
def hostile(world: Any, tmp_path: Any, settings: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    root, alice = world.root, world.alice
    Organization.objects.filter(pk=world.enterprise_a.pk).update(name=HOSTILE[0])
    Enterprise.objects.filter(union=world.enterprise_a).update(name=HOSTILE[0])  # the employer
    Organization.objects.filter(pk=world.team_a.pk).update(name=HOSTILE[4])
    world.enterprise_a.refresh_from_db()
    # workers, a competition with a marked stage and results
    comp = make_competition(alice, world.province_a, stages=1, level="province")
    comp["competition"].name = HOSTILE[3]
    comp["competition"].save(update_fields=["name"])
    trade = comp["trade"]
    trade.name = HOSTILE[2]
    trade.save(update_fields=["name"])
    stage = comp["stages"][0]
    judges = []
    for i in range(3):
        judge = UserFactory(username=f"-{i}+{i}")
        member(judge, world.enterprise_b, "judge")
        judges.append(judge)
    workers = [make_worker(alice, world.enterprise_a) for _ in HOSTILE]
    for worker, name in zip(workers, HOSTILE, strict=True):  # as a legacy registry could hold
        type(worker).objects.filter(pk=worker.pk).update(name=name)
    assign_judges(alice, stage, comp["criteria"], judges)
    entries = [confirmed_entry(alice, stage, trade, w, theory=60) for w in workers[:3]]
    for i, e in enumerate(entries):
        score_entry(e, judges, i + 1)
    results.results_compute(actor=alice, stage=stage, trade=trade)
    rollups.rollups_rebuild()  # the analytics figures read the rollups
    # questions and an exam on them
    questions = [
        make_question(alice, world.province_a, "single", kp=HOSTILE[1], stem=HOSTILE[0]),
        make_question(alice, world.province_a, "single", kp=HOSTILE[3], stem=HOSTILE[2], score=2),
        make_question(alice, world.province_a, "true_false", stem=HOSTILE[4], answer=True),
    ]
    session, _, _ = _exam(world, questions=questions)
    # a reform plan whose area, measure and task titles (merged rows) are formulas
    plan = reform_services.plan_create(actor=root, organization=world.national, title=HOSTILE[0])
    area = reform_services.plan_item_create(actor=root, plan=plan, kind="area", title=HOSTILE[1])
    measure = reform_services.plan_item_create(
        actor=root, plan=plan, kind="measure", title=HOSTILE[2], parent=area
    )
    reform_services.plan_item_create(
        actor=root,
        plan=plan,
        kind="task",
        title=HOSTILE[3],
        parent=measure,
        lead_unit=world.enterprise_a,
    )
    return {"competition": comp["competition"], "stage": stage, "session": session, "plan": plan}


def _roster_report_urls(client: Any, world: Any, capture: Any) -> list[str]:
    """Upload a roster whose cells are formulas (as text); the report copies them back."""
    rows = "\r\n".join(
        ["姓名,身份证号", *[f'"{h.replace(chr(34), 2 * chr(34))}",bad' for h in HOSTILE]]
    )
    client.force_login(world.alice)
    with capture(execute=True):
        response = client.post(
            reverse("workforce:import_upload"),
            {"file": SimpleUploadedFile("名册.csv", rows.encode("utf-8"))},
        )
    assert response.status_code == 302, response.content[:500]
    code = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    return [
        reverse("workforce:import_report", args=[code]),
        f"/api/v1/workforce/imports/{code}/report",
    ]


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_every_export_is_hostile_safe(
    client: Any, world: Any, hostile: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    c, stage, session, plan = (hostile[k] for k in ("competition", "stage", "session", "plan"))
    pa = world.province_a.code
    by_user = {
        world.alice: [
            reverse("core:organization_list") + "?export=xlsx",
            reverse("learning:question_list") + "?export=xlsx",
            reverse("learning:session_statistics", args=[session.code]) + "?format=xlsx",
            reverse("learning:bank_statistics") + f"?organization={pa}&format=xlsx",
            reverse("workforce:worker_list") + "?export=xlsx",
            "/api/v1/workforce/workers/export",
            reverse("workforce:analytics_export", args=[pa, "employer"]),
            f"/api/v1/workforce/analytics/{pa}/export/employer",
            reverse("competitions:entries", args=[c.code]) + "?export=xlsx",
            reverse("competitions:stage_results", args=[c.code, stage.code]) + "?export=xlsx",
            reverse("competitions:analytics", args=[c.code]) + "?export=xlsx",
            reverse("members:library_stats") + f"?organization={world.city_a.code}&format=xlsx",
        ],
        world.alice_admin: [reverse("core:audit_list") + "?export=xlsx"],
        world.root: [
            reverse("assistance:reports_export"),
            reverse("reform:ledger_export", args=[plan.code]),
            f"/api/v1/reform/plans/{plan.code}/ledger.xlsx",
        ],
    }
    by_user[world.alice] += _roster_report_urls(client, world, django_capture_on_commit_callbacks)
    # a hardship fund of enterprise A (whose name is a formula) for the assistance report
    from gongjiang.core.ledger.services import fund_create

    fund_create(actor=world.root, organization=world.enterprise_a, name="帮扶资金")
    by_user[world.alice] += innovation_export_urls(world, HOSTILE[1])
    by_user[world.alice].append(  # the hostile workers of enterprise A in the pay report
        reverse("careers:pay_report_export", args=[world.enterprise_a.code])
    )
    # the audit log also goes out as CSV: every cell that could start a formula is escaped
    client.force_login(world.alice_admin)
    response = client.get(reverse("core:audit_list") + "?export=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    data = _body(response)
    assert data.startswith(codecs.BOM_UTF8)
    cells = [
        c for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")) for c in row
    ]
    assert not [c for c in cells if c.startswith(FORMULA_TRIGGERS)]
    assert any(c.startswith("'" + HOSTILE[0]) for c in cells)  # enterprise A, as organisation
    for user, urls in by_user.items():
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            assert response["Content-Type"].startswith("application/vnd.openxmlformats"), url
            data = _body(response)
            assert formulas_in(data) == [], url
            shown = {v for v in values_in(data) if isinstance(v, str)}
            names = {h for h in HOSTILE if any(h in v for v in shown)}
            assert names, f"{url}: no hostile name was exported, the test proves nothing"

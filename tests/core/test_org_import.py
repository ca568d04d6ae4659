"""Importing an organisation list (.xlsx and CSV) through the page and its background job: a valid
file creates the tree; any bad row imports nothing and the report names row, column, value, reason."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gongjiang.core.models import AuditEvent, Job, Organization
from tests.factories import valid_uscc

pytestmark = pytest.mark.django_db

HEADER = [
    "组织名称",
    "组织类型",
    "上级组织",
    "行政区划代码",
    "行业代码",
    "统一社会信用代码",
    "简称",
    "地址",
    "联系人",
]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def xlsx(rows: list[list[Any]], title_rows: int = 0) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for _ in range(title_rows):
        ws.append(["南京市基层工会名录（2026年）"])
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8-sig") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def upload(
    client: Client,
    parent: Organization,
    name: str,
    content: bytes,
    capture: Any,
    dry_run: bool = False,
) -> Job:
    data: dict[str, Any] = {"file": SimpleUploadedFile(name, content)}
    if dry_run:
        data["dry_run"] = "1"
    with capture(execute=True):
        r = client.post(reverse("core:organization_import", args=[parent.code]), data)
    assert r.status_code == 302, r.content[:500]
    job = Job.objects.get(code=r["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert job.status in (Job.Status.SUCCEEDED, Job.Status.FAILED)
    return job


def good_rows(world: Any) -> list[list[Any]]:
    u1, u2 = valid_uscc(), valid_uscc()
    return [
        ["江宁区总工会", "县总工会", "", 320115, "", "", "", "", ""],
        [
            "江宁机电有限公司工会",
            "企业工会",
            "江宁区总工会",
            "320115",
            "3821",
            u1,
            "江宁机电",
            "江宁区某路1号",
            "周",
        ],
        ["总装车间", "班组", "江宁机电有限公司工会", "320115", "", "", "", "", ""],
        [
            "浦口装备有限公司工会",
            "enterprise",
            world.city_a.code,
            "320111",
            "3711",
            u2.lower(),
            "",
            "",
            "",
        ],
        ["焊接二班", "车间", world.enterprise_a.name, "320111", "", "", "", "", ""],
    ]


@pytest.mark.parametrize("fmt", ["xlsx", "csv-utf8", "csv-gbk"])
def test_valid_file_creates_the_tree(
    client: Client, world: Any, django_capture_on_commit_callbacks: Any, fmt: str
) -> None:
    client.force_login(world.alice)
    rows = good_rows(world)
    if fmt == "xlsx":
        job = upload(
            client,
            world.city_a,
            "名录.xlsx",
            xlsx(rows, title_rows=1),
            django_capture_on_commit_callbacks,
        )
    else:
        enc = "utf-8-sig" if fmt == "csv-utf8" else "gbk"
        job = upload(
            client,
            world.city_a,
            "名录.csv",
            csv_bytes(rows, enc),
            django_capture_on_commit_callbacks,
        )
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert job.result["created"] == 5 and job.result["errors"] == [] and job.result["rows"] == 5
    county = Organization.objects.get(name="江宁区总工会")
    ent = Organization.objects.get(name="江宁机电有限公司工会")
    team = Organization.objects.get(name="总装车间")
    assert (
        county.parent == world.city_a and county.kind == "county" and county.region_id == "320115"
    )
    assert ent.parent == county and ent.industry_id == "3821" and ent.short_name == "江宁机电"
    assert (
        team.parent == ent and team.path.startswith(county.path) and team.depth == county.depth + 2
    )
    other = Organization.objects.get(name="浦口装备有限公司工会")
    assert other.parent == world.city_a and other.uscc == rows[3][5].upper()
    assert Organization.objects.get(name="焊接二班").parent == world.enterprise_a
    assert AuditEvent.objects.filter(action="organization.create", actor=world.alice).count() == 5
    # the job page shows the summary
    html = client.get(reverse("core:job_detail", args=[job.code])).content.decode()
    assert "job-summary" in html


def test_dry_run_imports_nothing(
    client: Client, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(world.alice)
    before = Organization.objects.count()
    job = upload(
        client,
        world.city_a,
        "a.xlsx",
        xlsx(good_rows(world)),
        django_capture_on_commit_callbacks,
        dry_run=True,
    )
    assert job.status == Job.Status.SUCCEEDED
    assert job.result["valid"] == 5 and job.result["created"] == 0
    assert Organization.objects.count() == before


def test_any_bad_row_imports_nothing(
    client: Client, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(world.alice)
    rows = good_rows(world) + [
        ["", "企业工会", "", "320111", "", "", "", "", ""],  # row 7: no name
        ["火星工会", "星际工会", "", "320111", "", "", "", "", ""],  # row 8: kind
        ["错区工会", "县总工会", "", "999999", "", "", "", "", ""],  # row 9: region
        [
            "错码企业工会",
            "企业工会",
            "",
            "320111",
            "3711",
            "91320000ABCDEFGH12",
            "",
            "",
            "",
        ],  # row 10: USCC
        [
            "孤儿班组",
            "班组",
            "后面才出现的企业",
            "320111",
            "",
            "",
            "",
            "",
            "",
        ],  # row 11: parent unknown
        ["江宁区总工会", "县总工会", "", "320115", "", "", "", "", ""],  # row 12: duplicate name
        [
            "错行业工会",
            "企业工会",
            "",
            "320111",
            "0000",
            valid_uscc(),
            "",
            "",
            "",
        ],  # row 13: industry
    ]
    before = Organization.objects.count()
    job = upload(client, world.city_a, "bad.xlsx", xlsx(rows), django_capture_on_commit_callbacks)
    assert Organization.objects.count() == before
    assert job.result["created"] == 0
    errors = {(e["row"], e["column"]) for e in job.result["errors"]}
    assert errors >= {
        (7, "组织名称"),
        (8, "组织类型"),
        (9, "行政区划代码"),
        (10, "统一社会信用代码"),
        (11, "上级组织"),
        (12, "组织名称"),
        (13, "行业代码"),
    }, job.result["errors"]
    err = next(e for e in job.result["errors"] if e["row"] == 9)
    assert err["value"] == "999999" and err["message"]
    html = client.get(reverse("core:job_detail", args=[job.code])).content.decode()
    assert "job-errors" in html and "999999" in html


def test_rule_errors_found_at_creation_import_nothing(
    client: Client, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Rows that pass the column checks but break a tree rule (a team under a city; an enterprise
    without its USCC; a repeated USCC) still import nothing and are reported by row."""
    client.force_login(world.alice)
    u = valid_uscc()
    rows = [
        ["好的县工会", "县总工会", "", "320115", "", "", "", "", ""],
        ["挂错的班组", "班组", "", "320111", "", "", "", "", ""],  # a team under the city
        ["没信用代码的企业工会", "企业工会", "", "320111", "3711", "", "", "", ""],
        ["甲企业工会", "企业工会", "", "320111", "3711", u, "", "", ""],
        ["乙企业工会", "企业工会", "", "320111", "3711", u, "", "", ""],  # same USCC
    ]
    before = Organization.objects.count()
    job = upload(
        client, world.city_a, "rules.csv", csv_bytes(rows), django_capture_on_commit_callbacks
    )
    assert Organization.objects.count() == before
    assert job.result["created"] == 0
    reported = {(e["row"], e["column"]) for e in job.result["errors"]}
    assert reported == {(3, "组织类型"), (4, "统一社会信用代码"), (6, "统一社会信用代码")}, (
        job.result["errors"]
    )
    assert job.result["valid"] == 2 and job.result["rejected"] == 3
    # a dry run reports the same rule errors
    job = upload(
        client,
        world.city_a,
        "rules.csv",
        csv_bytes(rows),
        django_capture_on_commit_callbacks,
        dry_run=True,
    )
    assert {e["row"] for e in job.result["errors"]} == {3, 4, 6}


def test_rows_under_a_rejected_row_are_reported(
    client: Client, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(world.alice)
    rows = [
        ["坏企业工会", "企业工会", "", "320111", "3711", "", "", "", ""],  # no USCC
        ["它的班组", "班组", "坏企业工会", "320111", "", "", "", "", ""],
    ]
    job = upload(
        client, world.city_a, "tree.csv", csv_bytes(rows), django_capture_on_commit_callbacks
    )
    assert [(e["row"], e["column"]) for e in job.result["errors"]] == [
        (2, "统一社会信用代码"),
        (3, "上级组织"),
    ]
    assert not Organization.objects.filter(name="坏企业工会").exists()


def test_out_of_scope_parent_is_refused(
    client: Client, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(world.alice)
    rows = [
        ["越界企业工会", "企业工会", world.city_b.code, "330105", "3711", valid_uscc(), "", "", ""],
        [
            "越界企业工会2",
            "企业工会",
            world.city_b.name,
            "330105",
            "3711",
            valid_uscc(),
            "",
            "",
            "",
        ],
    ]
    job = upload(client, world.city_a, "x.csv", csv_bytes(rows), django_capture_on_commit_callbacks)
    assert job.result["created"] == 0
    assert [(e["row"], e["column"]) for e in job.result["errors"]] == [
        (2, "上级组织"),
        (3, "上级组织"),
    ]
    assert not Organization.objects.filter(name__startswith="越界").exists()
    # the import page of another province's organisation is a 404
    assert (
        client.get(reverse("core:organization_import", args=[world.city_b.code])).status_code == 404
    )


def test_unreadable_files_fail_with_a_message(
    client: Client, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(world.alice)
    job = upload(
        client, world.city_a, "broken.xlsx", b"not a workbook", django_capture_on_commit_callbacks
    )
    assert job.status == Job.Status.FAILED and job.message
    job = upload(
        client,
        world.city_a,
        "noheader.csv",
        "甲,乙\n1,2\n".encode(),
        django_capture_on_commit_callbacks,
    )
    assert job.status == Job.Status.FAILED and "组织名称" in job.message
    r = client.post(
        reverse("core:organization_import", args=[world.city_a.code]),
        {"file": SimpleUploadedFile("x.pdf", b"%PDF")},
    )
    assert r.status_code == 200 and not Job.objects.filter(input_file__endswith=".pdf").exists()


def test_ambiguous_parent_name_is_refused(
    client: Client, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Regression: a parent named by a name several organisations share was silently guessed."""
    from tests.factories import OrganizationFactory

    other_ent = OrganizationFactory(parent=world.city_a, kind="enterprise", region="320111")
    OrganizationFactory(
        parent=other_ent, kind="team", name="焊接班组", region="320111"
    )  # like team_a
    client.force_login(world.alice)
    rows = [
        ["焊接一组", "班组", "焊接班组", "320111", "", "", "", "", ""],
        ["焊接二组", "班组", world.team_a.code, "320111", "", "", "", "", ""],
    ]
    job = upload(
        client, world.city_a, "amb.csv", csv_bytes(rows), django_capture_on_commit_callbacks
    )
    assert [(e["row"], e["column"]) for e in job.result["errors"]] == [(2, "上级组织")]
    assert job.result["created"] == 0

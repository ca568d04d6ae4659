"""A worker's employer is the enterprise (legal name, credit code), not the union that covers it:
on the profile, in the API, at registration and in the roster import (employer column)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongjiang.core.enterprises import enterprise_create
from gongjiang.core.models import Enterprise
from gongjiang.workforce.models import Worker
from gongjiang.workforce.roster.importer import roster_import
from tests.factories import valid_uscc

from .helpers import make_worker, unique_id, write_roster

pytestmark = pytest.mark.django_db
HEADER = ["姓名", "身份证号", "用人单位"]


@pytest.fixture
def two(world: Any) -> tuple[Enterprise, Enterprise]:
    """Enterprise union A covers two enterprises (a joint union)."""
    first = Enterprise.objects.get(union=world.enterprise_a)
    second = enterprise_create(
        actor=world.root,
        union=world.enterprise_a,
        name="南京测试物流有限公司",
        uscc=valid_uscc(),
        industry="3711",
    )
    return first, second


def test_profile_and_api_show_the_enterprise(client: Any, world: Any) -> None:
    worker = make_worker(world.enterprise_a, 1)
    enterprise = Enterprise.objects.get(union=world.enterprise_a)
    assert worker.employer == enterprise
    client.force_login(world.alice)
    html = client.get(f"/workforce/workers/{worker.code}/").content.decode()
    assert f'id="worker-employer">{enterprise.name}<' in html
    assert f'id="worker-union">{world.enterprise_a.name}<' in html
    assert "有限公司工会</dd>" not in html.split('id="worker-employer"')[1].split("</dd>")[0]
    data = client.get(f"/api/v1/workforce/workers/{worker.code}").json()
    assert (data["employer"], data["employer_name"], data["employer_uscc"]) == (
        enterprise.code,
        "南京测试装备有限公司",
        enterprise.uscc,
    )
    assert data["organization"] == world.enterprise_a.code
    client.force_login(world.bob)  # out of scope: like missing
    assert client.get(f"/workforce/workers/{worker.code}/").status_code == 404
    assert client.get(f"/api/v1/workforce/workers/{worker.code}").status_code == 404


def test_a_union_with_several_enterprises_needs_the_employer(world: Any, two: Any) -> None:
    first, second = two
    with pytest.raises(ValidationError) as exc:
        make_worker(world.enterprise_a, 2)
    assert "employer" in exc.value.message_dict
    assert make_worker(world.enterprise_a, 2, employer=second).employer == second
    other = Enterprise.objects.get(union=world.enterprise_b)
    with pytest.raises(ValidationError):
        make_worker(world.enterprise_a, 3, employer=other)


def test_import_resolves_employer_by_credit_code_or_name(
    world: Any, two: Any, tmp_path: Path
) -> None:
    first, second = two
    other = Enterprise.objects.get(union=world.enterprise_b)
    rows = [
        ["张一", unique_id(11), second.uscc.lower()],
        ["张二", unique_id(12), " 南京测试装备有限公司 "],
        ["张三", unique_id(13), ""],  # several enterprises: the column must say which
        ["张四", unique_id(14), other.name],  # not covered by this union (nor in scope)
        ["张五", unique_id(15), other.uscc],
    ]
    path = write_roster(tmp_path / "r.xlsx", rows, header=HEADER)
    result = roster_import(actor=world.alice, source=path, organization=world.enterprise_a)
    assert (result.rows, result.created, result.rejected) == (5, 2, 3)
    by_row = {e.row: e for e in result.errors}
    assert set(by_row) == {4, 5, 6} and all(e.column == "用人单位" for e in by_row.values())
    assert "several enterprises" in by_row[4].message or "多家" in by_row[4].message
    assert other.name not in {str(e.message) for e in result.errors}  # no hint it exists
    assert Worker.objects.get(name="张一").employer == second
    assert Worker.objects.get(name="张二").employer == first
    assert not Worker.objects.filter(name__in=["张三", "张四", "张五"]).exists()


def test_import_without_employer_column_uses_the_only_enterprise(
    world: Any, tmp_path: Path
) -> None:
    path = write_roster(tmp_path / "r.csv", [["李一", unique_id(21)]], header=["姓名", "身份证号"])
    result = roster_import(actor=world.alice, source=path, organization=world.enterprise_a)
    assert result.created == 1
    assert Worker.objects.get(name="李一").employer.union == world.enterprise_a


def test_import_resolves_employers_set_based(world: Any, two: Any, tmp_path: Path) -> None:
    """The employer lookup costs the same few queries for 3 rows as for 60 (never one per row)."""
    first, second = two

    def queries(n: int, offset: int) -> int:
        rows = [
            [f"王{i}", unique_id(offset + i), (first if i % 2 else second).uscc] for i in range(n)
        ]
        path = write_roster(tmp_path / f"r{n}.xlsx", rows, header=HEADER)
        with CaptureQueriesContext(connection) as ctx:
            result = roster_import(
                actor=world.alice, source=path, organization=world.enterprise_a, dry_run=True
            )
        assert result.rejected == 0 and result.created == n
        return sum("core_enterprise" in q["sql"] for q in ctx.captured_queries)

    assert queries(3, 100) == queries(60, 200) == 1


def test_register_and_transfer_pages_choose_the_employer(client: Any, world: Any, two: Any) -> None:
    first, second = two
    client.force_login(world.alice)
    data = {
        "organization": world.enterprise_a.code,
        "name": "韩梅",
        "citizen_id": unique_id(31),
        "employment_type": "contract",
        "status": "active",
    }
    response = client.post("/workforce/workers/new/", data)  # two enterprises: which one?
    html = response.content.decode()
    assert response.status_code == 200 and "该工会覆盖多家企业" in html
    assert second.name in html  # offered as a choice
    other = Enterprise.objects.get(union=world.enterprise_b)
    assert other.name not in html  # never offered out of scope
    response = client.post("/workforce/workers/new/", {**data, "employer": second.code})
    assert response.status_code == 302
    worker = Worker.objects.get(name="韩梅")
    assert worker.employer == second
    response = client.post(
        f"/workforce/workers/{worker.code}/transfer/",
        {
            "to_organization": world.enterprise_a.code,
            "to_employer": first.code,
            "date": "2024-01-02",
        },
    )
    worker.refresh_from_db()
    assert response.status_code == 302 and worker.employer == first

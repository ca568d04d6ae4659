"""The workforce API: scoped access on every endpoint (anonymous 401, out-of-scope 404, in-scope ok),
422 for bad input, masked IDs unless allowed, audited reveals and exports, the import flow."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongjiang.core.models import AuditEvent
from gongjiang.workforce.models import Certificate, Honour, SkillLevelChange, Worker
from gongjiang.workforce.validators import certificate_number_with
from tests.access_helpers import check_access
from tests.download_helpers import download_name
from tests.factories import OrganizationFactory, UserFactory, member

from .helpers import make_worker, unique_id, write_roster

BASE = "/api/v1/workforce"


@pytest.fixture
def worker(world: Any) -> Worker:
    return make_worker(
        world.enterprise_a, 1, name="张三", phone="13812345678", skill_level="JUNIOR"
    )


@pytest.fixture
def trainer(world: Any) -> Any:
    user = UserFactory(username="trainer_a")
    member(user, world.enterprise_a, "trainer")
    return user


def test_list_is_scoped(client: Any, world: Any, worker: Worker) -> None:
    make_worker(world.enterprise_b, 2, name="李四")
    response = check_access(client, url=f"{BASE}/workers", in_scope=world.alice, out_of_scope=None)
    data = response.json()
    assert (
        [w["name"] for w in data["items"]] == ["张三"]
        and data["count"] == 1
        and not data["count_capped"]
    )
    assert data["items"][0]["citizen_id"] == worker.citizen_id_masked
    assert data["items"][0]["phone"] == "138****5678"
    client.force_login(world.bob)
    assert [w["name"] for w in client.get(f"{BASE}/workers").json()["items"]] == ["李四"]
    client.force_login(world.worker_a)
    assert client.get(f"{BASE}/workers").json()["items"] == []
    assert client.get(f"{BASE}/workers", {"page_size": 0}).status_code == 422


def test_paging_by_cursor(client: Any, world: Any) -> None:
    for i in range(5):
        make_worker(world.enterprise_a, 10 + i, name="王" + "一二三四五"[i])
    client.force_login(world.alice)
    names, cursor = [], ""
    while True:
        data = client.get(f"{BASE}/workers", {"page_size": 2, "cursor": cursor}).json()
        names += [w["name"] for w in data["items"]]
        if not data["next_cursor"]:
            break
        cursor = data["next_cursor"]
    assert len(names) == 5 and len(set(names)) == 5


def test_detail_update_timeline(client: Any, world: Any, worker: Worker) -> None:
    url = f"{BASE}/workers/{worker.code}"
    assert (
        check_access(client, url=url, in_scope=world.alice, out_of_scope=world.bob).json()["name"]
        == "张三"
    )
    check_access(client, url=f"{url}/timeline", in_scope=world.alice, out_of_scope=world.bob)
    check_access(
        client, url=f"{url}/skill-level-changes", in_scope=world.alice, out_of_scope=world.bob
    )
    response = check_access(
        client,
        url=url,
        method="patch",
        data={"phone": "13900001111", "status": "left"},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert response.json()["phone"] == "139****1111" and response.json()["status"] == "left"
    client.force_login(world.alice)
    assert (
        client.patch(
            url, json.dumps({"skill_level": "SENIOR"}), content_type="application/json"
        ).status_code
        == 422
    )
    assert (
        client.patch(url, json.dumps({"phone": "123"}), content_type="application/json").status_code
        == 422
    )
    client.force_login(world.worker_a)
    assert client.get(url).status_code == 404  # not their own record


def test_worker_sees_own_record_but_cannot_edit(client: Any, world: Any, worker: Worker) -> None:
    Worker.objects.filter(pk=worker.pk).update(user=world.worker_a)
    client.force_login(world.worker_a)
    assert client.get(f"{BASE}/workers/{worker.code}").status_code == 200
    response = client.patch(
        f"{BASE}/workers/{worker.code}",
        json.dumps({"phone": "13900001111"}),
        content_type="application/json",
    )
    assert response.status_code == 403


def test_create(client: Any, world: Any) -> None:
    data = {
        "organization": world.enterprise_a.code,
        "name": "李雷",
        "citizen_id": unique_id(5),
        "skill_level": "SENIOR",
        "team": world.team_a.code,
        "phone": "13812345678",
    }
    response = check_access(
        client,
        url=f"{BASE}/workers",
        method="post",
        data=data,
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=201,
    )
    body = response.json()
    assert (
        body["skill_level"] == "SENIOR"
        and body["team"] == world.team_a.code
        and body["gender"] == "M"
    )
    assert (
        client.post(
            f"{BASE}/workers",
            json.dumps({**data, "citizen_id": unique_id(6), "extra": 1}),
            content_type="application/json",
        ).status_code
        == 422
    )
    assert (
        client.post(
            f"{BASE}/workers", json.dumps(data), content_type="application/json"
        ).status_code
        == 422
    )
    bad = {**data, "citizen_id": unique_id(7), "gender": "F"}
    response = client.post(f"{BASE}/workers", json.dumps(bad), content_type="application/json")
    assert response.status_code == 422 and response.json()["details"][0]["field"] == "gender"


def test_transfer_level_change_and_revert(client: Any, world: Any, worker: Worker) -> None:
    other = OrganizationFactory(
        parent=world.city_a, name="南京另一企业", kind="enterprise", region="320111"
    )
    response = check_access(
        client,
        url=f"{BASE}/workers/{worker.code}/skill-level-changes",
        method="post",
        data={"level": "SENIOR", "date": "2024-05-01", "source": "鉴定"},
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=201,
    )
    change = response.json()
    assert (change["from_level"], change["to_level"]) == ("JUNIOR", "SENIOR")
    check_access(
        client,
        url=f"{BASE}/skill-level-changes/{change['code']}/revert",
        method="post",
        data={},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    worker.refresh_from_db()
    assert (
        worker.skill_level_id == "JUNIOR"
        and SkillLevelChange.objects.get(code=change["code"]).reverted
    )
    response = check_access(
        client,
        url=f"{BASE}/workers/{worker.code}/transfer",
        method="post",
        data={"to_organization": other.code, "date": "2024-06-01", "reason": "调动"},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert response.json()["organization"] == other.code
    client.force_login(world.alice)
    response = client.post(
        f"{BASE}/workers/{worker.code}/transfer",
        json.dumps({"to_organization": world.enterprise_b.code, "date": "2024-06-01"}),
        content_type="application/json",
    )
    assert response.status_code == 404  # the target is outside alice's scope


def test_history_endpoints(client: Any, world: Any, worker: Worker, trainer: Any) -> None:
    url = f"{BASE}/workers/{worker.code}"
    cert = {
        "kind": "skill_level",
        "number": certificate_number_with(level=3),
        "issuer": "鉴定站",
        "date": "2024-03-01",
        "level": "SENIOR",
    }
    code = check_access(
        client,
        url=f"{url}/certificates",
        method="post",
        data=cert,
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=201,
    ).json()["code"]
    check_access(
        client,
        url=f"{BASE}/certificates/{code}/revoke",
        method="post",
        data={"reason": "x"},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert Certificate.objects.get(code=code).revoked
    client.force_login(world.alice)
    bad = client.post(
        f"{url}/certificates",
        json.dumps({**cert, "number": "Y123"}),
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "number"
    honour = {"title": "全国技术能手", "level": "national", "year": 2022}
    code = check_access(
        client,
        url=f"{url}/honours",
        method="post",
        data=honour,
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=201,
    ).json()["code"]
    check_access(
        client,
        url=f"{BASE}/honours/{code}/revoke",
        method="post",
        data={},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert Honour.objects.get(code=code).revoked
    training = {"title": "焊接培训", "hours": "16", "date": "2024-01-10", "result": "合格"}
    check_access(
        client,
        url=f"{url}/training-records",
        method="post",
        data=training,
        in_scope=trainer,
        out_of_scope=world.bob,
        ok=201,
    )
    client.force_login(trainer)
    assert (
        client.post(
            f"{url}/honours", json.dumps(honour), content_type="application/json"
        ).status_code
        == 403
    )


def test_reveal_is_permissioned_and_audited(
    client: Any, world: Any, worker: Worker, trainer: Any
) -> None:
    response = check_access(
        client,
        url=f"{BASE}/workers/{worker.code}/reveal-citizen-id",
        method="post",
        data={},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert response.json() == {"citizen_id": unique_id(1)}
    assert (
        AuditEvent.objects.filter(action="worker.citizen_id_reveal", actor=world.alice).count() == 1
    )
    client.force_login(trainer)
    assert client.post(f"{BASE}/workers/{worker.code}/reveal-citizen-id").status_code == 403


def _export_rows(response: Any) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    data = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def test_export_masks_ids_unless_allowed(
    client: Any, world: Any, worker: Worker, trainer: Any
) -> None:
    make_worker(world.enterprise_b, 2, name="李四")
    response = check_access(
        client, url=f"{BASE}/workers/export", in_scope=world.alice, out_of_scope=None
    )
    assert download_name(response).startswith("职工名册-")
    rows = _export_rows(response)
    assert len(rows) == 2 and rows[1][0] == "张三" and rows[1][1] == unique_id(1)
    client.force_login(trainer)
    rows = _export_rows(client.get(f"{BASE}/workers/export", {"q": "zs"}))
    assert rows[1][1] == worker.citizen_id_masked and unique_id(1) not in str(rows)
    events = AuditEvent.objects.filter(action="worker.export").order_by("id")
    assert [e.details["full_citizen_ids"] for e in events] == [1, 0]
    assert events[1].details["filters"] == {"q": "zs"}
    client.force_login(world.nobody)
    assert client.get(f"{BASE}/workers/export").status_code == 403


def test_import_flow(
    client: Any, world: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rows = [
        ["张三", unique_id(1), "女"],
        ["李四", unique_id(2), ""],
        ["王五", "123", ""],
        ["赵六", unique_id(2), ""],
    ]
    path = write_roster(tmp_path / "r.xlsx", rows, header=["姓名", "身份证号", "性别"])
    client.logout()
    upload = SimpleUploadedFile("r.xlsx", path.read_bytes())
    assert client.post(f"{BASE}/imports", {"file": upload}).status_code == 401
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{BASE}/imports",
            {
                "file": SimpleUploadedFile("r.xlsx", path.read_bytes()),
                "organization": world.enterprise_a.code,
            },
        )
    assert response.status_code == 202, response.content
    code = response.json()["code"]
    job = client.get(f"{BASE}/imports/{code}").json()
    assert job["status"] == "succeeded" and job["dry_run"]
    result = job["result"]
    assert (result["rows"], result["valid"], result["rejected"], result["created"]) == (4, 1, 3, 1)
    assert (
        result["errors"][-1]["value"] == unique_id(2)[:3] + "*" * 11 + unique_id(2)[-4:]
    )  # masked
    assert Worker.objects.count() == 0
    report = client.get(f"{BASE}/imports/{code}/report")
    assert report.status_code == 200 and b"".join(report.streaming_content)[:2] == b"PK"
    assert download_name(report) == "导入报告-r.xlsx"
    client.force_login(world.bob)
    assert client.get(f"{BASE}/imports/{code}").status_code == 404
    assert client.get(f"{BASE}/imports/{code}/report").status_code == 404
    assert (
        client.post(f"{BASE}/imports/{code}/run", "{}", content_type="application/json").status_code
        == 404
    )
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{BASE}/imports/{code}/run",
            json.dumps({"dry_run": False}),
            content_type="application/json",
        )
    assert response.status_code == 202
    done = client.get(f"{BASE}/imports/{response.json()['code']}").json()
    assert done["status"] == "succeeded" and done["result"]["created"] == 1
    assert list(Worker.objects.values_list("name", flat=True)) == ["李四"]
    bad = client.post(
        f"{BASE}/imports/{code}/run",
        json.dumps({"mapping": {"nope": 1}}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    bob_upload = SimpleUploadedFile("r.xlsx", path.read_bytes())
    client.force_login(world.bob)
    response = client.post(
        f"{BASE}/imports", {"file": bob_upload, "organization": world.enterprise_a.code}
    )
    assert response.status_code == 404

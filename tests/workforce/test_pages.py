"""The registry's pages: scoped access on every page (anonymous → login, out-of-scope → 404), masked
IDs for roles without the right, the audited reveal, forms that validate, the import pages."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongjiang.core.models import AuditEvent
from gongjiang.workforce.models import Honour, SkillLevelChange, TrainingRecord, Worker
from gongjiang.workforce.validators import certificate_number_with
from tests.access_helpers import check_access
from tests.factories import OrganizationFactory, UserFactory, member

from .helpers import make_worker, unique_id, write_roster


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


def url(name: str, *args: Any) -> str:
    return reverse(f"workforce:{name}", args=args)


def test_list_search_and_masking(client: Any, world: Any, worker: Worker, trainer: Any) -> None:
    make_worker(world.enterprise_b, 2, name="李四")
    response = check_access(client, url=url("worker_list"), in_scope=world.alice, out_of_scope=None)
    html = response.content.decode()
    assert (
        "张三" in html
        and "李四" not in html
        and worker.citizen_id_masked in html
        and unique_id(1) not in html
    )
    assert "张三" in client.get(url("worker_list"), {"q": "zs"}).content.decode()
    assert "张三" not in client.get(url("worker_list"), {"q": "ls"}).content.decode()
    client.force_login(world.nobody)
    assert client.get(url("worker_list")).status_code == 403
    client.force_login(trainer)
    assert unique_id(1) not in client.get(url("worker_list")).content.decode()


def test_worker_role_is_sent_to_own_record(client: Any, world: Any, worker: Worker) -> None:
    Worker.objects.filter(pk=worker.pk).update(user=world.worker_a)
    client.force_login(world.worker_a)
    response = client.get(url("worker_list"))
    assert response.status_code == 302 and response["Location"] == url("worker_detail", worker.code)
    html = client.get(url("worker_detail", worker.code)).content.decode()
    assert unique_id(1) not in html and "worker-edit" not in html and "reveal-id" not in html


def test_profile_reveal_and_timeline(client: Any, world: Any, worker: Worker, trainer: Any) -> None:
    response = check_access(
        client, url=url("worker_detail", worker.code), in_scope=world.alice, out_of_scope=world.bob
    )
    html = response.content.decode()
    assert worker.citizen_id_masked in html and unique_id(1) not in html and "reveal-id" in html
    assert 'data-kind="skill_level"' in html
    response = check_access(
        client,
        url=url("worker_reveal", worker.code),
        method="post",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert unique_id(1) in response.content.decode()
    assert AuditEvent.objects.filter(action="worker.citizen_id_reveal").count() == 1
    client.force_login(trainer)
    assert "reveal-id" not in client.get(url("worker_detail", worker.code)).content.decode()
    assert client.post(url("worker_reveal", worker.code)).status_code == 403


def test_create_and_edit_pages(client: Any, world: Any, worker: Worker) -> None:
    check_access(client, url=url("worker_create"), in_scope=world.alice, out_of_scope=None)
    data = {
        "organization": world.enterprise_a.code,
        "name": "李雷",
        "citizen_id": unique_id(5),
        "gender": "F",
        "employment_type": "contract",
        "status": "active",
    }
    response = client.post(url("worker_create"), data)
    assert response.status_code == 200 and not Worker.objects.filter(name="李雷").exists()
    data["gender"] = ""
    data["skill_level"] = "SENIOR"
    response = client.post(url("worker_create"), data)
    assert response.status_code == 302
    assert Worker.objects.get(name="李雷").skill_level_id == "SENIOR"
    edit = url("worker_edit", worker.code)
    check_access(client, url=edit, in_scope=world.alice, out_of_scope=world.bob)
    response = client.post(
        edit,
        {
            "name": "张三丰",
            "employment_type": "contract",
            "status": "active",
            "phone": "139 0000 1111",
        },
    )
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.name == "张三丰" and worker.phone_masked == "139****1111"
    assert (
        client.post(
            edit,
            {"name": "张三丰", "employment_type": "contract", "status": "active", "phone": "12"},
        ).status_code
        == 200
    )


def test_transfer_level_and_history_pages(client: Any, world: Any, worker: Worker) -> None:
    other = OrganizationFactory(
        parent=world.city_a, name="南京另一企业", kind="enterprise", region="320111"
    )
    check_access(
        client,
        url=url("worker_level_change", worker.code),
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    response = client.post(
        url("worker_level_change", worker.code),
        {"level": "SENIOR", "date": "2024-01-02", "source": "鉴定"},
    )
    assert response.status_code == 302
    change = SkillLevelChange.objects.filter(worker=worker).latest("id")
    check_access(
        client,
        url=url("level_change_revert", change.code),
        method="post",
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )
    worker.refresh_from_db()
    assert worker.skill_level_id == "JUNIOR"
    check_access(
        client,
        url=url("certificate_add", worker.code),
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert (
        client.post(
            url("certificate_add", worker.code),
            {
                "kind": "skill_level",
                "number": certificate_number_with(level=4),
                "level": "INTERMEDIATE",
                "issuer": "鉴定站",
                "date": "2024-01-02",
            },
        ).status_code
        == 302
    )
    check_access(
        client, url=url("honour_add", worker.code), in_scope=world.alice, out_of_scope=world.bob
    )
    assert (
        client.post(
            url("honour_add", worker.code),
            {"title": "省级技术能手", "level": "provincial", "year": 2023},
        ).status_code
        == 302
    )
    check_access(
        client, url=url("training_add", worker.code), in_scope=world.alice, out_of_scope=world.bob
    )
    assert (
        client.post(
            url("training_add", worker.code),
            {"title": "安全培训", "hours": "8", "date": "2024-02-01"},
        ).status_code
        == 302
    )
    assert (
        Honour.objects.filter(worker=worker).exists()
        and TrainingRecord.objects.filter(worker=worker).exists()
    )
    check_access(
        client,
        url=url("worker_transfer", worker.code),
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    response = client.post(
        url("worker_transfer", worker.code),
        {"to_organization": other.code, "date": "2024-03-01", "reason": "调动"},
    )
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.organization == other
    html = client.get(url("worker_detail", worker.code)).content.decode()
    assert (
        'data-kind="transfer"' in html
        and 'data-kind="honour"' in html
        and 'data-kind="certificate"' in html
    )


def test_export_page_masks_and_audits(
    client: Any, world: Any, worker: Worker, trainer: Any
) -> None:
    from python_calamine import CalamineWorkbook

    client.force_login(trainer)
    response = client.get(url("worker_list"), {"export": "xlsx"})
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert rows[1][1] == worker.citizen_id_masked
    client.force_login(world.alice)
    response = client.get(url("worker_list"), {"export": "xlsx", "q": "张"})
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert rows[1][1] == unique_id(1)
    assert AuditEvent.objects.filter(action="worker.export").count() == 2


def test_import_pages(
    client: Any, world: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    check_access(client, url=url("import_upload"), in_scope=world.alice, out_of_scope=None)
    client.force_login(world.nobody)
    assert client.get(url("import_upload")).status_code == 403
    path = write_roster(
        tmp_path / "r.csv", [["张三", unique_id(1)], ["李四", "bad"]], header=["姓名", "身份证号"]
    )
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("import_upload"), {"file": SimpleUploadedFile("r.csv", path.read_bytes())}
        )
    assert response.status_code == 302
    detail = response["Location"]
    code = detail.rstrip("/").rsplit("/", 1)[-1]
    check_access(client, url=detail, in_scope=world.alice, out_of_scope=world.bob)
    html = client.get(detail).content.decode()
    assert 'id="import-errors"' in html and "import-valid" in html
    check_access(
        client, url=url("import_report", code), in_scope=world.alice, out_of_scope=world.bob
    )
    run = url("import_run", code)
    data = {
        "col_name": "0",
        "col_citizen_id": "1",
        "organization": world.enterprise_a.code,
        "action": "import",
    }
    client.force_login(world.bob)
    assert client.post(run, data).status_code == 404
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(run, data)
    assert response.status_code == 302
    assert "import-done" in client.get(response["Location"]).content.decode()
    assert list(Worker.objects.values_list("name", flat=True)) == ["张三"]
    bad = {"col_name": "0", "col_citizen_id": "0", "action": "check"}
    response = client.post(run, bad)
    assert response.status_code == 302 and response["Location"].endswith(f"{code}/")

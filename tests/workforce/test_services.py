"""Services of the registry: create/update, skill levels (history + revert), transfers, history rows,
the audited ID reveal, the certificate number rule, the timeline registry, the change hooks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import AuditEvent
from gongjiang.workforce import hooks, personal, services, timeline
from gongjiang.workforce.models import Certificate, SkillLevelChange, Worker
from gongjiang.workforce.validators import certificate_number_with, normalize_certificate_number

from .helpers import make_worker, unique_id

TODAY = dt.date(2025, 6, 1)


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def test_create_derives_gender_and_birth_and_protects_the_id(world: Any) -> None:
    w = services.worker_create(
        actor=world.alice,
        organization=world.enterprise_a,
        name=" 曾 小明 ",
        citizen_id=unique_id(3).lower(),
        phone="139 1234 5678",
        skill_level="SENIOR",
        team=world.team_a,
    )
    assert w.gender == "M" and w.birth_date == dt.date(1970, 1, 1)
    assert w.name_pinyin.startswith("zeng") and w.name_initials.startswith("z")
    assert w.citizen_id_encrypted.startswith("g2:") and unique_id(3) not in w.citizen_id_encrypted
    assert w.citizen_id_masked == unique_id(3)[:3] + "*" * 11 + unique_id(3)[-4:]
    assert w.phone_masked == "139****5678"
    assert w.skill_level_id == "SENIOR" and w.skill_level_changes.count() == 1
    assert AuditEvent.objects.filter(action="worker.create", object_code=w.code).exists()
    with pytest.raises(ValidationError) as info:
        services.worker_create(
            actor=world.alice,
            organization=world.enterprise_a,
            name="甲",
            citizen_id=unique_id(4),
            gender="F",
        )
    assert "gender" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.worker_create(
            actor=world.alice, organization=world.enterprise_a, name="乙", citizen_id=unique_id(3)
        )
    assert "citizen_id" in info.value.message_dict  # already registered
    with pytest.raises(ValidationError):
        services.worker_create(
            actor=world.alice, organization=world.city_a, name="丙", citizen_id=unique_id(5)
        )
    with pytest.raises(PermissionDenied):
        services.worker_create(
            actor=world.bob, organization=world.enterprise_a, name="丁", citizen_id=unique_id(6)
        )
    with pytest.raises(PermissionDenied):
        services.worker_create(
            actor=world.worker_a,
            organization=world.enterprise_a,
            name="戊",
            citizen_id=unique_id(7),
        )


def test_update_validates_and_audits(world: Any) -> None:
    w = make_worker(world.enterprise_a, 1)
    services.worker_update(
        actor=world.enterprise_officer_a, worker=w, name="李雷", phone="010-12345678", status="left"
    )
    w.refresh_from_db()
    assert (
        w.name == "李雷"
        and w.name_initials == "ll"
        and w.status == "left"
        and w.phone_masked.startswith("010")
    )
    assert AuditEvent.objects.filter(action="worker.update", object_code=w.code).exists()
    with pytest.raises(ValidationError):
        services.worker_update(actor=world.alice, worker=w, phone="123")
    with pytest.raises(ApplicationError):
        services.worker_update(
            actor=world.alice, worker=w, skill_level="SENIOR"
        )  # only via its service
    with pytest.raises(PermissionDenied):
        services.worker_update(actor=world.bob, worker=w, name="x")


def test_skill_level_change_history_and_revert(world: Any) -> None:
    seen: list[hooks.WorkerChange] = []
    listener = hooks.register_worker_listener(lambda changes: seen.extend(changes))
    try:
        w = make_worker(world.enterprise_a, 2)
        first = services.worker_skill_level_change(
            actor=world.alice,
            worker=w,
            level="INTERMEDIATE",
            date=dt.date(2020, 5, 1),
            source="certification exam",
            source_ref="exam42",
        )
        second = services.worker_skill_level_change(
            actor=world.alice,
            worker=w,
            level="SENIOR",
            date=dt.date(2023, 5, 1),
            source="competition award",
        )
    finally:
        hooks.unregister_worker_listener(listener)
    w.refresh_from_db()
    assert w.skill_level_id == "SENIOR"
    assert (second.from_level_id, second.to_level_id) == ("INTERMEDIATE", "SENIOR")
    assert [c.before and c.before["skill_level_id"] for c in seen[-2:]] == [None, "INTERMEDIATE"]
    with pytest.raises(ApplicationError):
        services.worker_skill_level_change_revert(actor=world.alice, change=first)  # not the latest
    services.worker_skill_level_change_revert(actor=world.alice, change=second)
    w.refresh_from_db()
    assert w.skill_level_id == "INTERMEDIATE"
    assert SkillLevelChange.objects.get(pk=second.pk).reverted
    with pytest.raises(ApplicationError):
        services.worker_skill_level_change_revert(actor=world.alice, change=second)
    with pytest.raises(ApplicationError):
        services.worker_skill_level_change(
            actor=world.alice, worker=w, level="INTERMEDIATE", date=dt.date(2024, 1, 1), source="x"
        )
    with pytest.raises(ValidationError):
        services.worker_skill_level_change(
            actor=world.alice,
            worker=w,
            level="SENIOR",
            date=timezone.localdate() + dt.timedelta(days=2),
            source="x",
        )
    with pytest.raises(PermissionDenied):
        services.worker_skill_level_change(
            actor=world.bob, worker=w, level="SENIOR", date=TODAY, source="x"
        )
    with pytest.raises(PermissionDenied):  # trainers see workers but do not change levels
        from tests.factories import UserFactory, member

        trainer = UserFactory(username="trainer_a")
        member(trainer, world.enterprise_a, "trainer")
        services.worker_skill_level_change(
            actor=trainer, worker=w, level="SENIOR", date=TODAY, source="x"
        )
    assert AuditEvent.objects.filter(action="worker.skill_level_change_revert").count() == 1


def test_transfer_moves_scope_and_needs_both_ends(world: Any) -> None:
    from tests.factories import OrganizationFactory

    w = make_worker(world.enterprise_a, 3, skill_level="SENIOR")
    with pytest.raises(PermissionDenied):  # alice has no right in province B
        services.worker_transfer(
            actor=world.alice, worker=w, to_organization=world.enterprise_b, date=TODAY, reason=""
        )
    with pytest.raises(PermissionDenied):  # enterprise officer: only their own enterprise
        other = OrganizationFactory(
            parent=world.city_a, name="另一企业", kind="enterprise", region="320111"
        )
        services.worker_transfer(
            actor=world.enterprise_officer_a, worker=w, to_organization=other, date=TODAY, reason=""
        )
    transfer = services.worker_transfer(
        actor=world.root, worker=w, to_organization=world.enterprise_b, date=TODAY, reason="调动"
    )
    w.refresh_from_db()
    assert w.organization == world.enterprise_b and transfer.from_organization == world.enterprise_a
    assert not Worker.objects.visible_to(world.alice).filter(pk=w.pk).exists()
    assert Worker.objects.visible_to(world.bob).filter(pk=w.pk).exists()
    assert (
        SkillLevelChange.objects.visible_to(world.bob).filter(worker=w).count() == 1
    )  # history travels
    assert not SkillLevelChange.objects.visible_to(world.alice).filter(worker=w).exists()


def test_reveal_needs_the_right_and_is_audited(world: Any) -> None:
    w = make_worker(world.enterprise_a, 4)
    assert services.worker_citizen_id_reveal(actor=world.alice, worker=w) == unique_id(4)
    assert (
        AuditEvent.objects.filter(action="worker.citizen_id_reveal", actor=world.alice).count() == 1
    )
    from tests.factories import UserFactory, member

    trainer = UserFactory(username="trainer_b")
    member(trainer, world.enterprise_a, "trainer")
    with pytest.raises(PermissionDenied):
        services.worker_citizen_id_reveal(actor=trainer, worker=w)
    with pytest.raises(PermissionDenied):
        services.worker_citizen_id_reveal(actor=world.bob, worker=w)


def test_certificate_number_rule() -> None:
    # the ministry's layout: Y/S · body 4 · province 2 · site 6 · year 2 · level 1 · serial 6
    good = certificate_number_with(
        issuer="S", body="1234", province="32", site="000007", year=2023, level=3, serial=42
    )
    assert good == "S123432000007233000042" and len(good) == 22
    assert normalize_certificate_number(" s1234-32-000007-233-000042 ", today=TODAY) == good
    assert normalize_certificate_number(good, national_level=3, today=TODAY) == good
    provincial = certificate_number_with(body="0000", province="23", site="000001", year=2019)
    assert normalize_certificate_number(provincial, today=TODAY) == "Y000023000001193000001"
    for bad, code in (
        ("X123432000007233000042", "format"),
        ("S12343200000723300004", "length"),
        ("S123499000007233000042", "province"),  # characters 6–7
        ("S123432000007993000042", "year"),  # characters 14–15: 2099
        ("S123432000007236000042", "level"),  # character 16
        ("S12343200000723300004A", "format"),
        ("S123456320072330000042", "province"),  # the old layout: 56 at characters 6–7
    ):
        with pytest.raises(ValidationError) as exc:
            normalize_certificate_number(bad, today=TODAY)
        assert exc.value.code == code, bad
    with pytest.raises(ValidationError):
        normalize_certificate_number(good, national_level=2, today=TODAY)


def test_history_rows_and_timeline(world: Any) -> None:
    w = make_worker(world.enterprise_a, 5, skill_level="SENIOR", hire_date=dt.date(2010, 1, 1))
    number = certificate_number_with(level=3)
    cert = services.certificate_add(
        actor=world.alice,
        worker=w,
        kind="skill_level",
        number=number,
        issuer="鉴定站",
        date=dt.date(2024, 3, 1),
        level="SENIOR",
        occupation="6-18-02-04",
    )
    with pytest.raises(ValidationError):
        services.certificate_add(
            actor=world.alice,
            worker=w,
            kind="skill_level",
            number="123",
            issuer="x",
            date=TODAY,
            level="SENIOR",
        )
    services.certificate_add(
        actor=world.alice,
        worker=w,
        kind="special_operation",
        number="T-123",
        issuer="应急局",
        date=TODAY,
    )
    honour = services.honour_add(
        actor=world.alice, worker=w, title="全国技术能手", level="national", year=2022
    )
    services.honour_revoke(actor=world.alice, honour=honour, reason="撤销")
    services.training_record_add(
        actor=world.alice,
        worker=w,
        title="焊接培训",
        hours=16,
        date=dt.date(2023, 6, 1),
        result="合格",
    )
    with pytest.raises(ValidationError):
        services.training_record_add(actor=world.alice, worker=w, title="x", hours=0, date=TODAY)
    services.certificate_revoke(actor=world.alice, certificate=cert)
    assert Certificate.objects.get(pk=cert.pk).revoked

    def exams(worker: Any, actor: Any) -> list[timeline.TimelineEntry]:
        return [timeline.TimelineEntry(dt.date(2025, 1, 1), "exam", "考试", "90 分", "/x")]

    def broken(worker: Any, actor: Any) -> list[timeline.TimelineEntry]:
        raise RuntimeError("boom")

    timeline.register_timeline_provider(exams)
    timeline.register_timeline_provider(broken)
    try:
        entries = timeline.timeline_for(w, world.alice)
    finally:
        timeline._PROVIDERS.remove(exams)
        timeline._PROVIDERS.remove(broken)
    kinds = [e.kind for e in entries]
    assert set(kinds) == {"skill_level", "certificate", "honour", "training", "exam"}
    assert [e.date for e in entries] == sorted((e.date for e in entries), reverse=True)
    assert any(e.struck for e in entries if e.kind == "honour")


def test_personal_round_trip_reads_core_tokens() -> None:
    from gongjiang.core import crypto

    assert personal.decrypt(personal.encrypt("13812345678")) == "13812345678"
    assert personal.decrypt(crypto.encrypt("x1")) == "x1"
    assert personal.encrypt("") == "" and personal.phone_digest("") == ""
    assert personal.encrypt("a") != personal.encrypt("a")  # random nonce

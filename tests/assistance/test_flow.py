"""The flow of a hardship file: application (worker or union) → enterprise check → public notice
(masked name, no details) → approval one level up → filed; re-verification, exit, re-entry;
every refusal with its reason; re-assessment when a standard changes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from gongjiang.assistance import services
from gongjiang.assistance.models import HardshipFile, Reassessment
from gongjiang.assistance.standards import reassessment_review, standard_add
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import AuditEvent

from .conftest import end_notice, filed_file, household

pytestmark = pytest.mark.django_db


def test_whole_flow_and_audit(assist: Any) -> None:
    a = assist
    file = services.file_apply(
        actor=a.world.worker_a, worker=a.worker, household=household("800.00"), consent=True
    )
    assert file.status == "applied" and file.category == "deep"
    assert file.masked_name == "王*明"
    assert file.consent_at and "第二十九条" in file.consent_text
    # the approver cannot approve before the check and the notice
    with pytest.raises(ApplicationError) as exc:
        services.file_approve(actor=a.city_helper, file=file)
    assert exc.value.code == "wrong_status"
    file = services.file_check(actor=a.ent_helper, file=file)
    assert file.status == "notice"
    notice = file.notice
    assert notice.masked_names == ["王*明"]
    assert "王小明" not in notice.title + notice.body
    assert "800" not in notice.body
    # while the notice runs, no approval
    with pytest.raises(ApplicationError) as exc:
        services.file_approve(actor=a.city_helper, file=file)
    assert exc.value.code == "notice_running"
    end_notice(file)
    # the enterprise's own assistance officer is not the level above: refused and audited
    with pytest.raises(ApplicationError) as exc:
        services.file_approve(actor=a.ent_helper, file=file)
    assert exc.value.code == "separation_of_duties"
    assert AuditEvent.objects.filter(action="assistance.file_approve.refused").exists()
    file = services.file_approve(actor=a.city_helper, file=file)
    assert file.status == "filed" and file.verify_due_on
    actions = list(
        AuditEvent.objects.filter(object_code=file.code)
        .order_by("id")
        .values_list("action", flat=True)
    )
    for action in ("assistance.file_apply", "assistance.file_check", "assistance.file_approve"):
        assert action in actions


def test_union_applies_on_behalf_and_does_not_check_it(assist: Any) -> None:
    a = assist
    file = services.file_apply(
        actor=a.ent_helper, worker=a.worker, household=household("900.00"), consent=True
    )
    with pytest.raises(ApplicationError) as exc:
        services.file_check(actor=a.ent_helper, file=file)
    assert exc.value.code == "separation_of_duties"
    services.file_check(actor=a.city_helper, file=file)  # another officer checks


def test_refusals_need_reasons_and_consent(assist: Any) -> None:
    a = assist
    with pytest.raises(ApplicationError) as exc:
        services.file_apply(
            actor=a.world.worker_a, worker=a.worker, household=household(), consent=False
        )
    assert exc.value.code == "consent_required"
    file = services.file_apply(
        actor=a.world.worker_a, worker=a.worker, household=household(), consent=True
    )
    with pytest.raises(ApplicationError) as exc:  # one open file per worker
        services.file_apply(
            actor=a.world.worker_a, worker=a.worker, household=household(), consent=True
        )
    assert exc.value.code == "file_open"
    file = services.file_check(actor=a.ent_helper, file=file)
    with pytest.raises(ApplicationError) as exc:
        services.file_refuse(actor=a.city_helper, file=file, reason=" ")
    assert exc.value.code == "reason_required"
    file = services.file_refuse(actor=a.city_helper, file=file, reason="收入核实不符")
    assert file.status == "refused" and file.refusal_reason == "收入核实不符"
    file.notice.refresh_from_db()
    assert file.notice.withdrawn_at is not None  # the notice is withdrawn with the refusal


def test_an_ordinary_officer_cannot_act(assist: Any) -> None:
    from django.core.exceptions import PermissionDenied

    a = assist
    file = services.file_apply(
        actor=a.world.worker_a, worker=a.worker, household=household(), consent=True
    )
    with pytest.raises(PermissionDenied):
        services.file_check(actor=a.officer, file=file)
    with pytest.raises(PermissionDenied):
        services.file_apply(actor=a.officer, worker=a.worker, household=household(), consent=True)


def test_worker_corrects_and_category_is_recomputed(assist: Any) -> None:
    a = assist
    file = services.file_apply(
        actor=a.world.worker_a, worker=a.worker, household=household("3000.00"), consent=True
    )
    assert file.category == "none"
    file = services.file_correct(actor=a.world.worker_a, file=file, household=household("1200.00"))
    assert file.category == "relative"  # 1150 ≤ 1200 < 1725
    assert "1200.00" in file.sensitive()["assessment"]["income_per_head"]


def test_verify_exit_and_reenter(assist: Any) -> None:
    a = assist
    file = filed_file(a, "800.00")
    file = services.file_verify(actor=a.ent_helper, file=file)
    assert file.verified_at is not None
    with pytest.raises(ApplicationError):
        services.file_exit(actor=a.ent_helper, file=file, reason="nonsense")
    file = services.file_exit(actor=a.ent_helper, file=file, reason="employed", note="配偶就业")
    assert file.status == "exited" and file.exited_on
    file = services.file_reenter(actor=a.ent_helper, file=file)
    assert file.status == "applied" and file.notice is None and file.approved_by is None


def test_standard_change_lists_files_for_review_never_silently(
    assist: Any, django_capture_on_commit_callbacks: Any
) -> None:
    a = assist
    file = filed_file(a, "1200.00")  # relative under 1150.00
    assert file.category == "relative"
    # the county (浦口区, 320111) publishes its own, higher standard: the file becomes deep, but
    # only after review
    with django_capture_on_commit_callbacks(execute=True):  # the re-assessment job runs
        standard_add(
            actor=a.city_helper,
            region="320111",
            year=a.year,
            monthly_minimum=Decimal("1300.00"),
            source="测试",
        )
    file.refresh_from_db()
    assert file.category == "relative"  # not silently changed
    item = Reassessment.objects.get(file=file)
    assert (item.old_category, item.new_category, item.status) == ("relative", "deep", "pending")
    reassessment_review(actor=a.ent_helper, item=item, apply=True)
    file.refresh_from_db()
    assert file.category == "deep" and file.standard_id == item.standard_id
    assert "1300.00" in file.sensitive()["assessment"]["standard"]


def test_standards_are_set_only_inside_ones_region(assist: Any) -> None:
    from django.http import Http404

    a = assist
    with pytest.raises(Http404):  # 杭州's officer cannot set Nanjing's standard
        standard_add(
            actor=a.other_city_helper,
            region="320100",
            year=a.year + 1,
            monthly_minimum=Decimal("1.00"),
            source="x",
        )
    with pytest.raises(ApplicationError) as exc:
        standard_add(
            actor=a.city_helper,
            region="320100",
            year=a.year,
            monthly_minimum=Decimal("1.00"),
            source="x",
        )
    assert exc.value.code == "standard_exists"


def test_no_standard_refuses_the_application(assist: Any) -> None:
    a = assist
    a.standard.delete()
    with pytest.raises(ApplicationError) as exc:
        services.file_apply(
            actor=a.world.worker_a, worker=a.worker, household=household(), consent=True
        )
    assert exc.value.code == "no_standard"
    assert not HardshipFile.objects.exists()

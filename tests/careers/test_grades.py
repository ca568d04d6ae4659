"""Management grades held by workers (管理职级): the service (table's grades only, history kept, a
new grade ends the one before, nobody records their own), the pages and the API (404 outside the
subtree, nothing revealed), and the career page showing where the worker stands."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from gongjiang.careers import grades, selectors, services
from gongjiang.careers.models import ManagementGrade
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import AuditEvent

from ..access_helpers import check_access
from ..factories import member

pytestmark = pytest.mark.django_db

D = dt.date


def _record(careers: Any, worker: Any, grade: str, since: dt.date, doc: str = "人字〔2024〕1号"):
    return grades.management_grade_record(
        actor=careers.hr_a, worker=worker, grade=grade, since=since, document=doc
    )


def test_a_new_grade_ends_the_one_before(world: Any, careers: Any) -> None:
    first = _record(careers, careers.engineer, "副科级", D(2020, 1, 1))
    second = _record(careers, careers.engineer, "正科级", D(2023, 7, 1), "人字〔2023〕9号")
    first.refresh_from_db()
    assert first.ended_on == D(2023, 7, 1) and first.ended_by == careers.hr_a
    assert second.ended_on is None and second.organization == world.enterprise_a
    assert grades.grade_on(careers.engineer, D(2023, 6, 30)).grade == "副科级"
    assert grades.grade_on(careers.engineer, D(2023, 7, 1)).grade == "正科级"
    assert grades.grade_on(careers.engineer, D(2019, 12, 31)) is None
    assert [g.grade for g in grades.grades_of(careers.engineer)] == ["正科级", "副科级"]
    actions = list(
        AuditEvent.objects.filter(action__startswith="careers.management_grade").values_list(
            "action", flat=True
        )
    )
    assert actions == ["careers.management_grade_record"] * 2
    # a grade starting on or before the one held now is refused, naming the field
    with pytest.raises(ApplicationError) as exc:
        _record(careers, careers.engineer, "副处级", D(2023, 7, 1))
    assert exc.value.details[0]["field"] == "since"


def test_only_the_tables_grades_bounded_fields(world: Any, careers: Any) -> None:
    for grade, since, doc, field in [
        ("处长", D(2020, 1, 1), "x", "grade"),  # not a grade of the table
        ("正科级", timezone.localdate() + dt.timedelta(days=1), "x", "since"),
        ("正科级", D(2020, 1, 1), "", "document"),
        ("正科级", D(2020, 1, 1), "x" * 61, "document"),
    ]:
        with pytest.raises(ApplicationError) as exc:
            _record(careers, careers.engineer, grade, since, doc)
        assert exc.value.details[0]["field"] == field
    assert not ManagementGrade.objects.exists()
    # an enterprise's own table names its own grades
    services.career_table_create(
        actor=careers.hr_a,
        organization=world.enterprise_a,
        effective_from=timezone.localdate(),
        equivalences=[
            {"skill_level": "TECHNICIAN", "title_level": "intermediate", "management_grade": "主管"}
        ],
    )
    table = world.enterprise_a.career_tables.get()
    services.career_table_approve(actor=careers.hr_a2, table=table)
    assert grades.grade_choices(world.enterprise_a, timezone.localdate()) == ["主管"]
    assert _record(careers, careers.engineer, "主管", timezone.localdate()).grade == "主管"


def test_end_a_grade(world: Any, careers: Any) -> None:
    held = _record(careers, careers.engineer, "副科级", D(2020, 1, 1))
    with pytest.raises(ApplicationError) as exc:
        grades.management_grade_end(
            actor=careers.hr_a, record=held, ended_on=D(2019, 1, 1), reason="免职"
        )
    assert exc.value.details[0]["field"] == "ended_on"
    with pytest.raises(ApplicationError) as exc:
        grades.management_grade_end(
            actor=careers.hr_a, record=held, ended_on=D(2022, 1, 1), reason=""
        )
    assert exc.value.details[0]["field"] == "reason"
    grades.management_grade_end(
        actor=careers.hr_a2, record=held, ended_on=D(2022, 1, 1), reason="免职"
    )
    held.refresh_from_db()
    assert (held.ended_on, held.end_reason, held.ended_by) == (D(2022, 1, 1), "免职", careers.hr_a2)
    assert grades.grade_on(careers.engineer, D(2022, 1, 1)) is None
    with pytest.raises(ApplicationError):
        grades.management_grade_end(
            actor=careers.hr_a, record=held, ended_on=D(2022, 2, 1), reason="again"
        )
    # a later grade may start from the end; one starting inside the ended stretch may not
    with pytest.raises(ApplicationError) as exc:
        _record(careers, careers.engineer, "正科级", D(2021, 1, 1))
    assert exc.value.details[0]["field"] == "since"
    assert _record(careers, careers.engineer, "正科级", D(2022, 1, 1)).grade == "正科级"


def test_nobody_records_their_own_grade(world: Any, careers: Any) -> None:
    # worker_a (the welder) is also HR of the enterprise: refused, audited, nothing written
    member(world.worker_a, world.enterprise_a, "hr")
    with pytest.raises(ApplicationError) as exc:
        grades.management_grade_record(
            actor=world.worker_a,
            worker=careers.welder,
            grade="正科级",
            since=D(2020, 1, 1),
            document="x",
        )
    assert exc.value.code == "separation_of_duties"
    assert AuditEvent.objects.filter(action="careers.management_grade_record.refused").count() == 1
    held = _record(careers, careers.welder, "正科级", D(2020, 1, 1))
    with pytest.raises(ApplicationError):
        grades.management_grade_end(
            actor=world.worker_a, record=held, ended_on=D(2021, 1, 1), reason="x"
        )
    assert AuditEvent.objects.filter(action="careers.management_grade_end.refused").count() == 1
    assert ManagementGrade.objects.get().ended_on is None


def test_career_overview_reads_the_grade(world: Any, careers: Any) -> None:
    # the engineer has neither a skill level nor a title: the grade is where they stand
    _record(careers, careers.engineer, "正科级", D(2020, 1, 1))
    view = selectors.career_overview(careers.engineer, timezone.localdate())
    assert view.grade.grade == "正科级"
    assert view.grade_equivalent.skill_level == "TECHNICIAN"
    assert view.equivalent.title_level == "intermediate"
    # the welder's skill level stays what their equivalence reads; the grade is shown beside it
    _record(careers, careers.welder, "副处级", D(2021, 1, 1))
    view = selectors.career_overview(careers.welder, timezone.localdate())
    assert view.equivalent.skill_level == "TECHNICIAN" and view.grade.grade == "副处级"
    assert view.grade_equivalent.title_level == "deputy_senior"


def test_pages_record_end_and_show(client: Any, world: Any, careers: Any) -> None:
    url = reverse("careers:worker_grade_record", args=[careers.engineer.code])
    data = {"grade": "副科级", "since": "2021-03-01", "document": "人字〔2021〕3号"}
    check_access(
        client,
        url=url,
        method="post",
        ok=302,
        in_scope=careers.hr_a,
        out_of_scope=careers.hr_b,
        data=data,
    )
    assert not AuditEvent.objects.filter(actor=careers.hr_b).exists()
    held = ManagementGrade.objects.get()
    page = client.get(reverse("careers:worker", args=[careers.engineer.code])).content.decode()
    assert 'data-testid="management-grade">副科级' in page and "人字〔2021〕3号" in page
    assert 'id="record-grade"' in page and "正处级" in page  # the table's grades offered
    # a bad grade or date is a message, nothing written
    r = client.post(url, {**data, "grade": "局长", "since": "2022-01-01"}, follow=True)
    assert "局长" in r.content.decode() and ManagementGrade.objects.count() == 1
    r = client.post(url, {**data, "since": "2022-13-01"}, follow=True)
    assert ManagementGrade.objects.count() == 1
    # a union officer sees the grade but gets no form and may not post
    client.force_login(world.enterprise_officer_a)
    page = client.get(reverse("careers:worker", args=[careers.engineer.code])).content.decode()
    assert "副科级" in page and 'id="record-grade"' not in page
    assert client.post(url, data).status_code == 403
    end = reverse("careers:grade_end", args=[held.code])
    check_access(
        client,
        url=end,
        method="post",
        ok=302,
        in_scope=careers.hr_a2,
        out_of_scope=careers.hr_b,
        data={"ended_on": "2022-06-30", "reason": "退休"},
    )
    held.refresh_from_db()
    assert held.ended_on == D(2022, 6, 30) and held.end_reason == "退休"
    page = client.get(reverse("careers:worker", args=[careers.engineer.code])).content.decode()
    assert 'data-testid="management-grade">—' in page


def test_own_career_page_shows_the_grade(client: Any, world: Any, careers: Any) -> None:
    _record(careers, careers.welder, "正科级", D(2020, 1, 1), "人字〔2020〕8号")
    client.force_login(world.worker_a)
    page = client.get(reverse("careers:me")).content.decode()
    assert 'data-testid="management-grade">正科级' in page and "2020-01-01" in page
    assert 'id="record-grade"' not in page


def test_api(client: Any, world: Any, careers: Any) -> None:
    base = f"/api/v1/careers/workers/{careers.engineer.code}/management-grades"
    r = check_access(
        client,
        url=base,
        method="post",
        ok=201,
        in_scope=careers.hr_a,
        out_of_scope=careers.hr_b,
        data={"grade": "正科级", "since": "2022-01-01", "document": "人字〔2022〕1号"},
    )
    code = r.json()["code"]
    assert r.json()["worker"] == careers.engineer.code and r.json()["ended_on"] is None
    r = check_access(
        client, url=base, in_scope=world.enterprise_officer_a, out_of_scope=careers.hr_b
    )
    assert [g["grade"] for g in r.json()["items"]] == ["正科级"] and r.json()["count"] == 1
    # bounded: an unknown field, a too-long document, a grade not in the table
    client.force_login(careers.hr_a)
    for bad in (
        {"grade": "正科级", "since": "2023-01-01", "document": "x", "extra": 1},
        {"grade": "正科级", "since": "2023-01-01", "document": "x" * 61},
        {"grade": "局长", "since": "2023-01-01", "document": "x"},
    ):
        r = client.post(base, bad, content_type="application/json")
        assert r.status_code in (400, 422), r.content
    assert ManagementGrade.objects.count() == 1
    r = client.get(f"/api/v1/careers/workers/{careers.engineer.code}/career")
    assert r.json()["management_grade"] == "正科级"
    assert r.json()["management_grade_since"] == "2022-01-01"
    check_access(
        client,
        url=f"/api/v1/careers/management-grades/{code}/end",
        method="post",
        in_scope=careers.hr_a2,
        out_of_scope=careers.hr_b,
        data={"ended_on": "2023-01-01", "reason": "调离"},
    )
    assert ManagementGrade.objects.get().ended_on == D(2023, 1, 1)
    # a union officer follows careers but does not record grades
    client.force_login(world.enterprise_officer_a)
    r = client.post(
        base,
        {"grade": "正科级", "since": "2023-06-01", "document": "x"},
        content_type="application/json",
    )
    assert r.status_code == 403


def test_page_refuses_a_document_number_past_its_bound(
    client: Any, world: Any, careers: Any
) -> None:
    """Regression: the page cut a 61-character document number to 60 and saved it; the service
    refuses it, and now the page says so and writes nothing."""
    client.force_login(careers.hr_a)
    url = reverse("careers:worker_grade_record", args=[careers.engineer.code])
    data = {"grade": "副科级", "since": "2021-03-01", "document": "号" * 61}
    r = client.post(url, data, follow=True)
    assert r.status_code == 200
    assert not ManagementGrade.objects.exists()

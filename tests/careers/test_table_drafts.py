"""Editing the career table on a page: HR drafts a new version, another person approves it (never
the drafter), or sets it aside; earlier versions stay; bad values are named by row and field;
scoped (404 outside the enterprise subtree); the same services through the API."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from gongjiang.careers import services
from gongjiang.careers.models import CareerTable
from gongjiang.careers.policy import POLICY_EQUIVALENCE, POLICY_RULES
from gongjiang.careers.registry import table_in_force
from gongjiang.core.duties import DutyConflict
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import AuditEvent

from ..access_helpers import check_access

pytestmark = pytest.mark.django_db


def _form(day: dt.date, **changes: Any) -> dict[str, Any]:
    """The draft form as the page fills it (the policy defaults), with ``changes`` applied."""
    data: dict[str, Any] = {
        "effective_from": day.isoformat(),
        "note": "2027年起执行",
        "eq_rows": str(len(POLICY_EQUIVALENCE)),
        "rule_rows": str(len(POLICY_RULES)),
    }
    for i, e in enumerate(POLICY_EQUIVALENCE):
        data[f"eq-{i}-skill_level"] = e.skill_level
        data[f"eq-{i}-title_level"] = e.title_level
        data[f"eq-{i}-management_grade"] = e.management_grade
        data[f"eq-{i}-source"] = e.source
    for i, r in enumerate(POLICY_RULES):
        for k in ("target", "path", "kind", "level", "prefixes", "source"):
            data[f"rule-{i}-{k}"] = getattr(r, k) or ""
        data[f"rule-{i}-years"] = "" if r.years is None else str(r.years)
    data.update(changes)
    return data


def _tech_row() -> int:
    return next(i for i, e in enumerate(POLICY_EQUIVALENCE) if e.skill_level == "TECHNICIAN")


def _years_row() -> int:
    return next(i for i, r in enumerate(POLICY_RULES) if r.target == "intermediate" and r.years)


def test_draft_on_the_page_then_another_person_approves(
    client: Any, world: Any, careers: Any
) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    url = f"/careers/enterprises/{world.enterprise_a.code}/table/draft/"
    response = check_access(client, url=url, in_scope=careers.hr_a, out_of_scope=careers.hr_b)
    assert f'name="eq-{_tech_row()}-management_grade"' in response.content.decode()
    t, y = _tech_row(), _years_row()
    response = client.post(
        url, _form(tomorrow, **{f"eq-{t}-management_grade": "主任科员", f"rule-{y}-years": "5"})
    )
    assert response.status_code == 302
    draft = CareerTable.objects.get(organization=world.enterprise_a)
    assert draft.status == "draft" and draft.created_by_id == careers.hr_a.pk
    assert response["Location"].endswith(f"/careers/table-versions/{draft.code}/")
    # the draft applies to nothing yet
    assert table_in_force(world.enterprise_a, tomorrow).version is None
    page = client.get(response["Location"]).content.decode()
    assert 'id="drafter-note"' in page and 'id="approve-form"' not in page
    assert page.count('class="table-warning changed"') == 2
    # the drafter cannot approve (refused, audited)
    decide = f"/careers/table-versions/{draft.code}/decide/"
    assert client.post(decide, {"act": "approve"}).status_code == 403
    assert AuditEvent.objects.filter(action="careers.table_approve.refused").count() == 1
    draft.refresh_from_db()
    assert draft.status == "draft"
    # another HR of the enterprise approves
    client.force_login(careers.hr_a2)
    assert 'id="approve-form"' in client.get(response["Location"]).content.decode()
    client.post(decide, {"act": "approve", "note": "经职代会审议通过"})
    draft.refresh_from_db()
    assert draft.status == "in_force" and draft.decided_by_id == careers.hr_a2.pk
    assert draft.decision_note == "经职代会审议通过"
    in_force = table_in_force(world.enterprise_a, tomorrow)
    assert in_force.version.pk == draft.pk
    assert [e.management_grade for e in in_force.equivalences if e.skill_level == "TECHNICIAN"] == [
        "主任科员"
    ]
    # today still stands with the policy: the old version (here the defaults) is kept
    assert table_in_force(world.enterprise_a, timezone.localdate()).version is None
    assert AuditEvent.objects.filter(
        action="careers.table_approve", actor_id=careers.hr_a2.pk
    ).exists()
    # a decided version is not decided again
    client.post(decide, {"act": "discard", "note": "x"})
    draft.refresh_from_db()
    assert draft.status == "in_force"


def test_bad_values_are_named_by_row_and_field(client: Any, world: Any, careers: Any) -> None:
    client.force_login(careers.hr_a)
    url = f"/careers/enterprises/{world.enterprise_a.code}/table/draft/"
    today = timezone.localdate()
    t, y = _tech_row(), _years_row()
    cases = [
        (_form(today - dt.timedelta(days=1)), "effective_from"),
        (_form(today, effective_from="2027-02-30"), "effective_from"),
        (_form(today, **{f"rule-{y}-years": "五年"}), f"rules[{y}].years"),
        (_form(today, **{f"rule-{y}-years": "99"}), f"rules[{y}].years"),
        (
            _form(today, **{f"eq-{t}-management_grade": "科" * 31}),
            f"equivalences[{t}].management_grade",
        ),
        (_form(today, **{f"eq-{t}-title_level": "professor"}), f"equivalences[{t}].title_level"),
    ]
    for data, field in cases:
        response = client.post(url, data)
        html = response.content.decode()
        assert response.status_code == 422, field
        assert f'data-field="{field}"' in html, (field, html[:500])
        if field.startswith("equivalences"):
            assert "技师" in html  # the row is named by its skill level
    assert not CareerTable.objects.filter(organization=world.enterprise_a).exists()
    # a tampered row count is no form
    assert client.post(url, dict(_form(today), eq_rows="x")).status_code == 404


def test_scope_and_roles(client: Any, world: Any, careers: Any) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    draft = services.career_table_create(
        actor=careers.hr_a, organization=world.enterprise_a, effective_from=tomorrow
    )
    url = f"/careers/table-versions/{draft.code}/"
    check_access(client, url=url, in_scope=careers.hr_a2, out_of_scope=careers.hr_b)
    decide = f"/careers/table-versions/{draft.code}/decide/"
    client.force_login(careers.hr_b)
    assert client.post(decide, {"act": "approve"}).status_code == 404
    assert (
        client.post(
            f"/careers/enterprises/{world.enterprise_a.code}/table/draft/", _form(tomorrow)
        ).status_code
        == 404
    )
    # a union officer follows the table but neither drafts nor decides
    client.force_login(world.enterprise_officer_a)
    page = client.get(url).content.decode()
    assert 'id="approve-form"' not in page and 'id="discard-form"' not in page
    assert client.post(decide, {"act": "approve"}).status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_set_aside_is_kept_and_frees_the_day(client: Any, world: Any, careers: Any) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    first = services.career_table_create(
        actor=careers.hr_a, organization=world.enterprise_a, effective_from=tomorrow
    )
    second = services.career_table_create(
        actor=careers.hr_a, organization=world.enterprise_a, effective_from=tomorrow, note="另一稿"
    )
    client.force_login(careers.hr_a2)
    decide = f"/careers/table-versions/{first.code}/decide/"
    response = client.post(decide, {"act": "discard", "note": ""}, follow=True)
    assert "note" in response.content.decode() or "备注" in response.content.decode()
    first.refresh_from_db()
    assert first.status == "draft"
    client.post(decide, {"act": "discard", "note": "与另一稿重复"})
    first.refresh_from_db()
    assert first.status == "discarded" and first.decision_note == "与另一稿重复"
    services.career_table_approve(actor=careers.hr_a2, table=second)
    # once one version of the day is in force, no other draft for that day
    with pytest.raises(ApplicationError) as caught:
        services.career_table_create(
            actor=careers.hr_a, organization=world.enterprise_a, effective_from=tomorrow
        )
    assert caught.value.code == "version_exists"
    assert CareerTable.objects.filter(organization=world.enterprise_a).count() == 2
    page = client.get(f"/careers/enterprises/{world.enterprise_a.code}/table/").content.decode()
    assert page.count("/careers/table-versions/") == 2


def test_two_drafts_of_one_day_only_one_applies(world: Any, careers: Any) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    a = services.career_table_create(
        actor=careers.hr_a, organization=world.enterprise_a, effective_from=tomorrow
    )
    b = services.career_table_create(
        actor=careers.hr_a, organization=world.enterprise_a, effective_from=tomorrow
    )
    services.career_table_approve(actor=careers.hr_a2, table=a)
    with pytest.raises(ApplicationError) as caught:
        services.career_table_approve(actor=careers.hr_a2, table=b)
    assert caught.value.code == "version_exists"
    b.refresh_from_db()
    assert b.status == "draft"
    with pytest.raises(DutyConflict):
        services.career_table_approve(actor=careers.hr_a, table=b)


def test_api(client: Any, world: Any, careers: Any) -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    base = "/api/v1/careers"
    client.force_login(careers.hr_a)
    r = client.post(
        f"{base}/enterprises/{world.enterprise_a.code}/table",
        data=json.dumps({"effective_from": tomorrow}),
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["status"] == "draft"
    code = r.json()["code"]
    assert len(r.json()["equivalences"]) == len(POLICY_EQUIVALENCE)
    listing = check_access(
        client,
        url=f"{base}/enterprises/{world.enterprise_a.code}/table/versions",
        in_scope=careers.hr_a,
        out_of_scope=careers.hr_b,
    ).json()
    assert [(v["code"], v["status"], v["rules"]) for v in listing["items"]] == [(code, "draft", [])]
    assert listing["count"] == 1
    check_access(
        client,
        url=f"{base}/table-versions/{code}",
        in_scope=careers.hr_a,
        out_of_scope=careers.hr_b,
    )
    client.force_login(careers.hr_a)
    r = client.post(
        f"{base}/table-versions/{code}/approve", data="{}", content_type="application/json"
    )
    assert r.status_code == 403
    r = client.post(
        f"{base}/table-versions/{code}/approve",
        data=json.dumps({"note": "x" * 201}),
        content_type="application/json",
    )
    assert r.status_code == 422
    r = check_access(
        client,
        url=f"{base}/table-versions/{code}/approve",
        method="post",
        data={"note": "同意"},
        in_scope=careers.hr_a2,
        out_of_scope=careers.hr_b,
    )
    assert r.json()["status"] == "in_force" and r.json()["decided_by"] == "hr_a2"
    # a bad row through the API names the row too
    client.force_login(careers.hr_a)
    later = (timezone.localdate() + dt.timedelta(days=9)).isoformat()
    r = client.post(
        f"{base}/enterprises/{world.enterprise_a.code}/table",
        data=json.dumps(
            {
                "effective_from": later,
                "equivalences": [
                    {
                        "skill_level": "TECHNICIAN",
                        "title_level": "intermediate",
                        "management_grade": "正科",
                    },
                    {
                        "skill_level": "WIZARD",
                        "title_level": "intermediate",
                        "management_grade": "正科",
                    },
                ],
            }
        ),
        content_type="application/json",
    )
    assert r.status_code in (400, 422)
    assert r.json()["details"][0]["field"] == "equivalences[1].skill_level"


# ------------------------------------------------- bridge rules added and removed on the page
def _new(**fields: str) -> dict[str, str]:
    return {f"new-{k}": v for k, v in fields.items()}


def _removed_row() -> int:
    return next(
        i
        for i, r in enumerate(POLICY_RULES)
        if (r.target, r.path, r.kind) == ("deputy_senior", "achievement", "honour")
    )


def test_add_and_remove_rules_in_the_draft_another_person_approves(
    client: Any, world: Any, careers: Any
) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    url = f"/careers/enterprises/{world.enterprise_a.code}/table/draft/"
    client.force_login(careers.hr_a)
    page = client.get(url).content.decode()
    assert 'id="new-rule"' in page and f'name="rule-{_removed_row()}-remove"' in page
    new = _new(
        target="intermediate",
        path="achievement",
        kind="years_at_skill_level",
        level="TECHNICIAN",
        years="2",
        source="企业规定",
    )
    # "add" puts the rule into the form, nothing is saved yet
    response = client.post(url, {**_form(tomorrow), **new, "act": "add"})
    assert response.status_code == 200
    html = response.content.decode()
    n = len(POLICY_RULES)
    assert f'name="rule_rows" value="{n + 1}"' in html
    assert f'name="rule-{n}-kind" value="years_at_skill_level"' in html
    assert 'id="new-target"' in html and not CareerTable.objects.exists()
    # save with the added rule and one taken out
    data = _form(tomorrow, **{f"rule-{_removed_row()}-remove": "1"})
    data.update(new, act="save")
    response = client.post(url, data)
    assert response.status_code == 302
    draft = CareerTable.objects.get()
    rows = {(r.target, r.path, r.kind, r.level, r.years) for r in draft.rules.all()}
    assert ("intermediate", "achievement", "years_at_skill_level", "TECHNICIAN", 2) in rows
    assert not any(r[:3] == ("deputy_senior", "achievement", "honour") for r in rows)
    assert draft.rules.count() == n
    # the version page shows what was added and what was taken out; the drafter cannot approve
    page = client.get(response["Location"]).content.decode()
    assert page.count('class="table-danger removed"') == 1
    assert page.count("added") >= 1 and 'id="approve-form"' not in page
    assert table_in_force(world.enterprise_a, tomorrow).version is None
    decide = f"/careers/table-versions/{draft.code}/decide/"
    assert client.post(decide, {"act": "approve"}).status_code == 403
    client.force_login(careers.hr_a2)
    client.post(decide, {"act": "approve", "note": "同意"})
    draft.refresh_from_db()
    assert draft.status == "in_force"
    table = table_in_force(world.enterprise_a, tomorrow)
    kinds = {(r.target, r.path, r.kind) for r in table.rules}
    assert ("deputy_senior", "achievement", "honour") not in kinds
    assert ("intermediate", "achievement", "years_at_skill_level") in kinds
    # someone outside the enterprise's subtree cannot add a rule
    client.force_login(careers.hr_b)
    assert client.post(url, {**_form(tomorrow), **new, "act": "add"}).status_code == 404


BAD_RULES = [
    ({"target": "intermediate", "kind": "results"}, "kind"),
    ({"target": "wizard", "kind": "skill_level", "level": "SENIOR"}, "target"),
    ({"target": "intermediate", "kind": "honour", "level": "galactic"}, "level"),
    ({"target": "intermediate", "kind": "skill_level", "level": "senior"}, "level"),
    ({"target": "intermediate", "kind": "occupation", "prefixes": "机械,6"}, "prefixes"),
    ({"target": "intermediate", "kind": "occupation", "prefixes": ""}, "prefixes"),
    (
        {"target": "intermediate", "kind": "years_at_skill_level", "level": "TECHNICIAN"},
        "years",
    ),
    (
        {
            "target": "intermediate",
            "kind": "years_at_skill_level",
            "level": "TECHNICIAN",
            "years": "51",
        },
        "years",
    ),
    # the same condition twice on one path
    ({"target": "intermediate", "kind": "skill_level", "level": "TECHNICIAN"}, "kind"),
]


@pytest.mark.parametrize(("rule", "field"), BAD_RULES)
def test_page_and_api_refuse_a_bad_rule_alike(
    client: Any, world: Any, careers: Any, rule: dict[str, str], field: str
) -> None:
    """The page's new rule and the API's rows go through one check: the same row and field named,
    the same words; nothing saved by either."""
    import html as html_lib

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    n = len(POLICY_RULES)
    client.force_login(careers.hr_a)
    page_rule = dict({"path": "standard"}, **rule)
    url = f"/careers/enterprises/{world.enterprise_a.code}/table/draft/"
    for act in ("add", "save"):
        response = client.post(url, {**_form(tomorrow), **_new(**page_rule), "act": act})
        assert response.status_code == 422, (rule, act)
        page = html_lib.unescape(response.content.decode())
        assert f'data-field="rules[{n}].{field}"' in page, (rule, page[:800])
    api_rule: dict[str, Any] = dict(page_rule)
    if "years" in api_rule:
        api_rule["years"] = int(api_rule["years"])
    api_rules = [r.__dict__ for r in POLICY_RULES] + [api_rule]
    r = client.post(
        f"/api/v1/careers/enterprises/{world.enterprise_a.code}/table",
        data=json.dumps({"effective_from": tomorrow.isoformat(), "rules": api_rules}),
        content_type="application/json",
    )
    assert r.status_code == 422, r.content
    detail = r.json()["details"][0]
    assert detail["field"] == f"rules[{n}].{field}"
    assert detail["error"] in page
    # the new rule stays in its own fields, marked, to be put right
    assert 'class="form-select is-invalid"' in page or 'class="form-control is-invalid"' in page
    assert not CareerTable.objects.exists()


def test_page_refuses_a_source_longer_than_its_bound(client: Any, world: Any, careers: Any) -> None:
    """Regression: the page cut a 201-character source to 200 where the API refuses it; now the
    page refuses it too, at the new rule's source field, and saves nothing."""
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    n = len(POLICY_RULES)
    client.force_login(careers.hr_a)
    url = f"/careers/enterprises/{world.enterprise_a.code}/table/draft/"
    rule = _new(
        target="intermediate",
        path="standard",
        kind="years_at_skill_level",
        level="SENIOR",
        years="3",
        source="政" * 201,
    )
    response = client.post(url, {**_form(tomorrow), **rule, "act": "save"})
    assert response.status_code == 422
    assert f'data-field="rules[{n}].source"' in response.content.decode()
    assert not CareerTable.objects.exists()


def test_page_refuses_long_text_whole_with_the_field_named(
    client: Any, world: Any, careers: Any
) -> None:
    """Regression (#17): the page cut a rule's occupation codes to 200 characters, an
    equivalence's management grade to 200 and the note to 300 before the check (a long list of
    codes was cut and saved). Each is now passed whole and refused past its bound, named."""
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    t = _tech_row()
    client.force_login(careers.hr_a)
    url = f"/careers/enterprises/{world.enterprise_a.code}/table/draft/"
    codes = ",".join(["6"] * 101)  # 201 characters of valid codes, bound 200
    o = next(i for i, r in enumerate(POLICY_RULES) if r.kind == "occupation")
    cases = [
        (_form(tomorrow, **{f"rule-{o}-prefixes": codes}), f"rules[{o}].prefixes", 200),
        (_form(tomorrow, note="注" * 301), "note", 200),
        (
            _form(tomorrow, **{f"eq-{t}-management_grade": "科" * 201}),
            f"equivalences[{t}].management_grade",
            30,
        ),
        (_form(tomorrow, **{f"eq-{t}-source": "据" * 401}), f"equivalences[{t}].source", 200),
    ]
    for data, field, bound in cases:
        response = client.post(url, data)
        html = response.content.decode()
        assert response.status_code == 422, field
        assert f'data-field="{field}"' in html, field
        assert f"最多{bound}个字符" in html[html.index(f'data-field="{field}"') :][:300]
    assert not CareerTable.objects.exists()
    # the same codes within the bound are taken whole
    ok = _form(tomorrow, **{f"rule-{o}-prefixes": codes[:199]})
    assert client.post(url, ok).status_code == 302
    draft = CareerTable.objects.get(organization=world.enterprise_a)
    assert draft.rules.filter(kind="occupation", prefixes=codes[:199]).exists()
    # the decision's note: a long one is refused (named), not cut to 300 and saved
    client.force_login(careers.hr_a2)
    decide = f"/careers/table-versions/{draft.code}/decide/"
    page = client.post(decide, {"act": "approve", "note": "审" * 301}, follow=True)
    assert "200" in page.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.decision_note == ""

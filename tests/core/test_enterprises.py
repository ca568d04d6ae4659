"""Enterprises (用人单位) apart from their unions: the model's rules, registering one with its union,
access scoped through the union, and the data migration that split them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from gongjiang.core.enterprises import (
    employer_of_union,
    enterprise_create,
    enterprise_get,
    enterprise_list,
    enterprise_update,
    legal_name_of_union,
)
from gongjiang.core.models import Enterprise, Organization
from tests.factories import OrganizationFactory, valid_uscc

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("union", "legal"),
    [
        ("潍柴动力股份有限公司工会", "潍柴动力股份有限公司"),
        ("山东钢铁集团有限公司工会委员会", "山东钢铁集团有限公司"),
        ("某某工业园区联合工会", "某某工业园区"),
        ("南京测试装备有限公司", "南京测试装备有限公司"),
        ("工会", "工会"),
    ],
)
def test_legal_name_of_union(union: str, legal: str) -> None:
    assert legal_name_of_union(union) == legal


def test_enterprise_union_registers_its_enterprise(world: Any) -> None:
    enterprise = Enterprise.objects.get(union=world.enterprise_a)
    assert enterprise.name == "南京测试装备有限公司"  # the union is 南京测试装备有限公司工会
    assert enterprise.uscc == world.enterprise_a.uscc and enterprise.industry_id
    assert enterprise.region_id == world.enterprise_a.region_id
    # federations and teams have no enterprise
    assert not Enterprise.objects.filter(union__in=[world.city_a, world.team_a]).exists()


def test_enterprise_rules(world: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        enterprise_create(
            actor=world.root,
            union=world.enterprise_a,
            name="X公司",
            uscc="91320000MA1XXXXX0",
            industry=None,
        )
    assert {"uscc", "industry"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:  # the union's name is not the company's
        enterprise_create(
            actor=world.root,
            union=world.enterprise_a,
            name="南京测试装备有限公司工会",
            uscc=valid_uscc(),
            industry="3711",
        )
    assert "name" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # only an enterprise union covers an enterprise
        enterprise_create(
            actor=world.root, union=world.city_a, name="某公司", uscc=valid_uscc(), industry="3711"
        )
    assert "union" in exc.value.message_dict
    taken = Enterprise.objects.get(union=world.enterprise_a).uscc
    with pytest.raises(ValidationError) as exc:  # one credit code, one enterprise
        enterprise_create(
            actor=world.root, union=world.enterprise_a, name="另一公司", uscc=taken, industry="3711"
        )
    assert "uscc" in exc.value.message_dict


def test_access_goes_through_the_union(world: Any) -> None:
    mine = Enterprise.objects.get(union=world.enterprise_a)
    theirs = Enterprise.objects.get(union=world.enterprise_b)
    assert set(enterprise_list(world.alice)) == {mine}
    assert set(enterprise_list(world.bob)) == {theirs}
    assert enterprise_get(world.alice, mine.code) == mine
    with pytest.raises(Http404):  # out of scope answers exactly like missing
        enterprise_get(world.alice, theirs.code)
    with pytest.raises(Http404):
        enterprise_get(world.alice, "no-such-code")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        enterprise_update(actor=world.bob, enterprise=mine, size="large")
    assert enterprise_update(actor=world.alice, enterprise=mine, size="large").size == "large"


def test_employer_of_union(world: Any) -> None:
    only = Enterprise.objects.get(union=world.enterprise_a)
    assert employer_of_union(world.enterprise_a) == only
    second = enterprise_create(
        actor=world.root,
        union=world.enterprise_a,
        name="南京测试物流有限公司",
        uscc=valid_uscc(),
        industry="3711",
    )
    with pytest.raises(ValidationError):  # several: the employer must be chosen
        employer_of_union(world.enterprise_a)
    assert employer_of_union(world.enterprise_a, second) == second
    other = Enterprise.objects.get(union=world.enterprise_b)
    with pytest.raises(ValidationError):  # not covered by this union
        employer_of_union(world.enterprise_a, other)
    bare = OrganizationFactory(parent=world.city_a, name="无企业工会", kind="enterprise")
    Enterprise.objects.filter(union=bare).delete()
    with pytest.raises(ValidationError):
        employer_of_union(bare)


@pytest.mark.django_db(transaction=True)
def test_data_migration_splits_enterprise_from_union_and_back() -> None:
    """Forward: each enterprise union gets its enterprise (legal name without 工会, credit code and
    industry copied) and its workers' employer; backward: undone; forward again: the same."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from tests.conftest import ensure_reference_data

    ensure_reference_data()
    before = [("workforce", "0104_worker_employer")]
    executor = MigrationExecutor(connection)
    # every app's latest migration: migrating workforce back also unapplies the migrations of the
    # apps that depend on it, which must come back too
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    apps = MigrationExecutor(connection).loader.project_state(before).apps
    Org = apps.get_model("core", "Organization")
    OldWorker = apps.get_model("workforce", "Worker")
    root = Org.objects.create(
        code="m-root", name="全总", kind="national", region_id="110000", path="m0001.", depth=0
    )
    uscc = valid_uscc()
    union = Org.objects.create(
        code="m-union",
        name="潍柴动力股份有限公司工会",
        kind="enterprise",
        parent=root,
        region_id="370700",
        industry_id="3411",
        uscc=uscc,
        path="m0001.m0002.",
        depth=1,
    )
    OldWorker.objects.create(
        code="m-worker",
        organization=union,
        name="王五",
        citizen_id_encrypted="x",
        citizen_id_hash="h" * 64,
        citizen_id_last4="1234",
        citizen_id_masked="110***********1234",
        gender="M",
        birth_date="1990-01-01",
    )
    try:
        MigrationExecutor(connection).migrate(latest)
        from gongjiang.workforce.models import Worker

        enterprise = Enterprise.objects.get(union__code="m-union")
        assert (enterprise.name, enterprise.uscc, enterprise.industry_id, enterprise.region_id) == (
            "潍柴动力股份有限公司",
            uscc,
            "3411",
            "370700",
        )
        assert Worker.objects.get(code="m-worker").employer == enterprise
        MigrationExecutor(connection).migrate(before)
        assert not apps.get_model("core", "Enterprise").objects.exists()
        assert OldWorker.objects.get(code="m-worker").employer_id is None
    finally:
        MigrationExecutor(connection).migrate(latest)
    assert Enterprise.objects.get(union__code="m-union").name == "潍柴动力股份有限公司"
    assert Organization.objects.get(code="m-union").uscc == uscc  # the union keeps its record


def test_union_page_lists_its_enterprises(client: Any, world: Any) -> None:
    from tests.access_helpers import check_access

    enterprise = Enterprise.objects.get(union=world.enterprise_a)
    url = f"/organizations/{world.enterprise_a.code}/"
    r = check_access(client, url=url, in_scope=world.alice, out_of_scope=world.bob)
    html = r.content.decode()
    assert f'id="enterprise-{enterprise.code}"' in html and enterprise.uscc in html
    assert "南京测试装备有限公司</div>" in html
    # a federation's page has no enterprise card
    client.force_login(world.alice)
    assert (
        'id="enterprises"'
        not in client.get(f"/organizations/{world.city_a.code}/").content.decode()
    )

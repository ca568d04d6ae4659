"""Migrations 0002/0003: existing plans move to the ministry's layout (body 4 digits, site 6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("certification", "0001_initial")]
AFTER = [("certification", "0003_body_code_four_digits")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_plans_are_converted_and_issued_numbers_kept(world: Any) -> None:
    try:
        apps = _migrate(BEFORE)
        plan_model = apps.get_model("certification", "EvaluationPlan")
        common = {
            "organization_id": world.enterprise_a.pk,
            "occupation_id": "6-18-02-04",
            "level_id": "SENIOR",
            "province_code": "32",
            "starts_on": dt.date(2024, 5, 1),
            "ends_on": dt.date(2024, 6, 30),
        }
        first = plan_model.objects.create(
            code="P-OLD-1", name="旧计划", body_code="000123", site_code="001", **common
        )
        second = plan_model.objects.create(
            code="P-OLD-2", name="旧计划二", body_code="650000", site_code="917", **common
        )
        counter = apps.get_model("certification", "CertificateCounter")
        counter.objects.create(prefix="Y000123320012630", last_serial=7)

        apps = _migrate(AFTER)
        plan_model = apps.get_model("certification", "EvaluationPlan")
        codes = dict(plan_model.objects.values_list("pk", "body_code"))
        sites = dict(plan_model.objects.values_list("pk", "site_code"))
        assert (codes[first.pk], sites[first.pk]) == ("0123", "000001")
        assert (codes[second.pk], sites[second.pk]) == ("0000", "000917")
        counter = apps.get_model("certification", "CertificateCounter")
        assert counter.objects.get().prefix == "Y000123320012630"  # old counters are left alone

        apps = _migrate(BEFORE)  # backwards (lossy in general, exact for these)
        plan_model = apps.get_model("certification", "EvaluationPlan")
        assert plan_model.objects.get(pk=first.pk).body_code == "000123"
        assert plan_model.objects.get(pk=second.pk).site_code == "917"
    finally:
        # every app's latest migration, not only certification's: migrating back to 0001 also
        # unapplied the later migrations of apps that depend on certification
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

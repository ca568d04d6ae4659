"""Foreign keys of an import batch checked once per batch (roster/fkeys.py): the same workers and
history as with the database's per-row checks, a missing reference refused by name before anything
is written, the per-row triggers on again for everything after the batch's rows, and the path
used only where the database role may use it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from gongjiang.core.models import Occupation, Organization
from gongjiang.workforce.models import SkillLevelChange, Transfer, Worker
from gongjiang.workforce.roster import bulk, fkeys, importer
from gongjiang.workforce.roster.importer import roster_import

from ..factories import OrganizationFactory
from .helpers import unique_id, write_roster
from .test_import import HEADER, rule_rows

postgres_only = pytest.mark.skipif(
    "postgres" not in os.environ.get("DATABASE_URL", ""),
    reason="per-batch foreign-key checks run on PostgreSQL only",
)


def _role() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        return cursor.fetchone()[0]


def test_references_name_every_foreign_key_written_by_an_import() -> None:
    worker = {c: (t, k) for _, c, t, k in fkeys.references(Worker, bulk.WORKER_COLUMNS)}
    assert worker == {
        "organization_id": (Organization._meta.db_table, "id"),
        "employer_id": ("core_enterprise", "id"),
        "team_id": (Organization._meta.db_table, "id"),
        "occupation_id": (Occupation._meta.db_table, "code"),
        "skill_level_id": ("core_skilllevel", "code"),
    }
    level = {c for _, c, _, _ in fkeys.references(SkillLevelChange, bulk.LEVEL_COLUMNS)}
    assert level == {"worker_id", "recorded_by_id", "from_level_id", "to_level_id"}
    transfer = {c for _, c, _, _ in fkeys.references(Transfer, bulk.TRANSFER_COLUMNS)}
    assert transfer == {
        "worker_id",
        "recorded_by_id",
        "from_organization_id",
        "to_organization_id",
    }
    for at, column, _t, _k in fkeys.references(Worker, bulk.WORKER_COLUMNS):
        assert bulk.WORKER_COLUMNS[at] == column


@pytest.mark.django_db
def test_sqlite_and_the_row_mode_keep_the_databases_own_checks(monkeypatch: Any) -> None:
    if connection.vendor != "postgresql":
        assert fkeys.allowed() is False
    monkeypatch.setattr(fkeys, "MODE", "row")
    assert fkeys.allowed() is False


@postgres_only
@pytest.mark.django_db
def test_verify_refuses_a_missing_reference_by_column_and_value(world: Any) -> None:
    row: list[Any] = [None] * len(bulk.WORKER_COLUMNS)
    row[bulk.WORKER_COLUMNS.index("organization_id")] = world.enterprise_a.pk
    row[bulk.WORKER_COLUMNS.index("team_id")] = world.team_a.pk
    row[bulk.WORKER_COLUMNS.index("occupation_id")] = Occupation.objects.values_list(
        "code", flat=True
    ).first()
    fkeys.verify(Worker, bulk.WORKER_COLUMNS, [tuple(row)])  # all present: no error

    row[bulk.WORKER_COLUMNS.index("organization_id")] = 10**12
    with pytest.raises(IntegrityError) as caught:
        fkeys.verify(Worker, bulk.WORKER_COLUMNS, [tuple(row)])
    assert "organization_id=1000000000000" in str(caught.value)
    assert "core_organization" in str(caught.value)


@postgres_only
@pytest.mark.django_db
def test_a_role_that_may_not_set_the_replication_role_keeps_the_row_checks() -> None:
    assert fkeys.allowed() is True  # the test database's superuser
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE ROLE gj_plain_importer NOLOGIN")
        cursor.execute("SET LOCAL ROLE gj_plain_importer")
        assert fkeys.allowed() is False
        cursor.execute("RESET ROLE")
        transaction.set_rollback(True)


@postgres_only
@pytest.mark.django_db
def test_relax_is_undone_with_the_savepoint_an_error_rolls_back() -> None:
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            fkeys.relax()
            assert _role() == "replica"
            raise RuntimeError("the batch failed")
        assert _role() == "origin"
        fkeys.relax()
        fkeys.restore()
        assert _role() == "origin"


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_batch_checks_give_the_same_workers_and_history_as_row_checks(
    world: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    rows = rule_rows() + [
        [f"工人{i}", unique_id(700 + i), "", "", f"1390001{i:04d}", "中级工", "", "", "", "", ""]
        for i in range(25)
    ]
    path = write_roster(tmp_path / "roster.csv", rows, header=HEADER, title_rows=1)

    def snapshot() -> tuple[Any, ...]:
        workers = sorted(
            Worker.objects.filter(organization=world.enterprise_a).values_list(
                "citizen_id_hash", "name", "skill_level_id", "occupation_id", "team_id"
            )
        )
        levels = sorted(
            SkillLevelChange.objects.values_list(
                "worker__citizen_id_hash", "from_level_id", "to_level_id"
            )
        )
        return workers, levels

    seen: list[bool] = []
    real_write = importer.RosterImport._write

    def spy(self: Any, *args: Any) -> None:
        seen.append(self.batch_fkeys)
        real_write(self, *args)
        assert _role() == "origin"  # the hooks, rollups and audit ran with every check

    monkeypatch.setattr(importer.RosterImport, "_write", spy)
    with translation.override("zh-hans"):
        monkeypatch.setattr(fkeys, "MODE", "row")
        by_row = roster_import(
            actor=world.alice, source=path, organization=world.enterprise_a, batch_size=9
        )
        expected = snapshot()
        SkillLevelChange.objects.all().delete()
        Worker.objects.all().delete()
        monkeypatch.setattr(fkeys, "MODE", "batch")
        by_batch = roster_import(
            actor=world.alice, source=path, organization=world.enterprise_a, batch_size=9
        )
    assert seen and not seen[0] and seen[-1]
    assert by_batch.as_json() == by_row.as_json()
    assert snapshot() == expected
    assert by_batch.created == by_row.created > 25


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_reference_deleted_by_another_transaction_is_refused_and_nothing_is_written(
    world: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """The importer resolved the team; another transaction deleted it and committed before the
    batch was written. With no per-row trigger to notice, the batch's own check must: the batch
    is refused with the column named and no worker of it is written."""
    team = OrganizationFactory(parent=world.enterprise_a, name="临时班组", kind="team")
    header = ["姓名", "身份证号", "班组"]
    path = write_roster(tmp_path / "r.csv", [["李四", unique_id(801), team.name]], header=header)
    real_verify = fkeys.verify
    dsn = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
    name = connection.settings_dict["NAME"]

    def vanish_first(*args: Any) -> None:
        with psycopg.connect(dsn.rsplit("/", 1)[0] + "/" + name, autocommit=True) as other:
            other.execute("DELETE FROM core_organization WHERE id = %s", [team.pk])
        real_verify(*args)

    monkeypatch.setattr(fkeys, "verify", vanish_first)
    with pytest.raises(IntegrityError) as caught:
        roster_import(actor=world.alice, source=path, organization=world.enterprise_a)
    assert "team_id" in str(caught.value) and "core_organization" in str(caught.value)
    assert not Worker.objects.filter(name="李四").exists()

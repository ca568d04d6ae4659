"""Roster import end to end (file → parse → upsert), per rule of issue #3 §2, in every file format."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

from gongjiang.core.actors import SYSTEM
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import AuditEvent
from gongjiang.workforce import personal
from gongjiang.workforce.models import SkillLevelChange, Transfer, Worker
from gongjiang.workforce.roster.importer import roster_import

from .helpers import make_worker, unique_id, write_roster

FORMATS = ["roster.xlsx", "roster.xls", "roster.csv", "roster.gbk.csv", "roster.bom.csv"]
HEADER = [
    "职工姓名",
    "公民身份号码",
    "性别",
    "出生年月",
    "联系电话",
    "职业技能等级",
    "入职时间",
    "职业(工种)",
    "工号",
    "班组",
    "备注",
]
FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def _x_id() -> str:
    n = next(i for i in range(1000) if unique_id(i).endswith("X"))
    return unique_id(n)


ID_X = _x_id()
LEGACY = "110105850312123"  # 15 digits: 1985-03-12, male


def rule_rows() -> list[list[Any]]:
    """One row per rule; the expected outcome is in EXPECTED (row numbers with one title row)."""
    return [
        [
            "张三",
            unique_id(1),
            "男",
            "",
            "138 1234 5678",
            "三级/高级工",
            dt.date(2015, 3, 1),
            "焊工",
            "A001",
            "焊接班组",
            "x",
        ],  # 3 ok
        ["", "", "", "", "", "", "", "", "", "", ""],  # 4 blank: skipped, not counted
        [
            "李四",
            unique_id(2).translate(FULLWIDTH),
            "",
            "1970.01",
            "+86 139-0000-0000",
            "5级",
            "2016年3月5日",
            "",
            "",
            "",
            "",
        ],  # 5 ok
        [
            "王五",
            LEGACY,
            "男",
            "",
            "010-12345678",
            "技师",
            "20100105",
            "",
            "",
            "",
            "",
        ],  # 6 ok (upgraded)
        ["赵六", ID_X[:-1] + "x", "", "", "", "", "2012/9/1", "", "", "", ""],  # 7 ok
        ["孙七", unique_id(6), "女", "", "", "", "", "", "", "", ""],  # 8 gender disagrees
        ["周八", unique_id(8), "", "1980-01-01", "", "", "", "", "", "", ""],  # 9 birth disagrees
        ["吴九", unique_id(10), "", "", "", "大师", "", "", "", "", ""],  # 10 bad level
        [
            "郑十",
            unique_id(12),
            "",
            "",
            "",
            "",
            "2099-01-01",
            "",
            "",
            "",
            "",
        ],  # 11 hire date in future
        ["冯一", unique_id(14), "", "", "12345", "", "", "", "", "", ""],  # 12 bad phone
        ["", unique_id(16), "", "", "", "", "", "", "", "", ""],  # 13 no name
        [
            "陈二",
            unique_id(18),
            "",
            "",
            "",
            "",
            "",
            "火箭装配大师",
            "",
            "",
            "",
        ],  # 14 unknown occupation: warning
        ["褚三", unique_id(1), "", "", "", "", "", "", "", "", ""],  # 15 same ID as row 3
        ["卫四", unique_id(20), "", "", "", "", "2020-13-45", "", "", "", ""],  # 16 bad date
        ["阿卜杜拉•买买提", unique_id(22), "", "", "", "", "", "", "", "", ""],  # 17 ok, middle dot
    ]


EXPECTED_ERRORS = {
    8: "性别",
    9: "出生年月",
    10: "职业技能等级",
    11: "入职时间",
    12: "联系电话",
    13: "职工姓名",
    15: "公民身份号码",
    16: "入职时间",
}


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


@pytest.mark.parametrize("filename", FORMATS)
def test_rules_in_every_format(world: Any, tmp_path: Path, filename: str) -> None:
    path = write_roster(tmp_path / filename, rule_rows(), header=HEADER, title_rows=1)
    result = roster_import(actor=world.alice, source=path, dry_run=True)
    assert (result.rows, result.valid, result.rejected) == (14, 6, 8)
    assert {e.row: e.column for e in result.errors} == EXPECTED_ERRORS
    duplicate = next(e for e in result.errors if e.row == 15)
    assert "row 3" in duplicate.message
    assert [(w.row, w.column) for w in result.warnings] == [(14, "职业(工种)")]
    assert Worker.objects.count() == 0  # a dry run writes nothing

    result = roster_import(actor=world.alice, source=path, organization=world.enterprise_a)
    assert (result.created, result.updated, result.unchanged) == (6, 0, 0)
    zhang = Worker.objects.get(citizen_id_hash=personal.citizen_id_hash(unique_id(1)))
    assert zhang.organization == world.enterprise_a and zhang.team == world.team_a
    assert (
        zhang.phone_masked == "138****5678"
        and personal.decrypt(zhang.phone_encrypted) == "13812345678"
    )
    assert zhang.skill_level_id == "SENIOR" and zhang.hire_date == dt.date(2015, 3, 1)
    assert zhang.occupation_id == "6-18-02-04" and zhang.employee_number == "A001"
    assert zhang.name_pinyin == "zhangsan" and zhang.name_initials == "zs"
    assert personal.decrypt(zhang.citizen_id_encrypted) == unique_id(1)
    assert zhang.citizen_id_masked == unique_id(1)[:3] + "*" * 11 + unique_id(1)[-4:]
    assert SkillLevelChange.objects.get(worker=zhang).to_level_id == "SENIOR"
    upgraded = Worker.objects.get(name="王五")
    assert personal.decrypt(upgraded.citizen_id_encrypted).startswith("11010519850312123")
    assert upgraded.birth_date == dt.date(1985, 3, 12) and upgraded.gender == "M"
    assert Worker.objects.get(name="赵六").citizen_id_last4 == ID_X[-4:]
    assert Worker.objects.get(name="陈二").job_title == "火箭装配大师"
    assert Worker.objects.filter(name="阿卜杜拉·买买提").exists()
    assert Worker.objects.get(name="李四").skill_level_id == "JUNIOR"

    again = roster_import(actor=world.alice, source=path, organization=world.enterprise_a)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)
    assert SkillLevelChange.objects.count() == 3


def test_update_changes_only_given_cells_and_records_level_history(
    world: Any, tmp_path: Path
) -> None:
    worker = make_worker(world.enterprise_a, 30, phone="13800000000", ethnicity="汉族")
    path = write_roster(
        tmp_path / "r.csv",
        [
            [worker.name, unique_id(30), "", "", "", "技师", "", "", "", "", ""],
            ["新人", unique_id(31), "", "", "", "", "", "", "", "", ""],
        ],
        header=HEADER,
    )
    result = roster_import(
        actor=world.enterprise_officer_a, source=path, organization=world.enterprise_a
    )
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    worker.refresh_from_db()
    assert worker.skill_level_id == "TECHNICIAN"
    assert (
        worker.phone_masked == "138****0000" and worker.ethnicity == "汉族"
    )  # empty cells keep values
    change = SkillLevelChange.objects.get(worker=worker)
    assert (change.from_level_id, change.to_level_id) == (None, "TECHNICIAN")
    assert AuditEvent.objects.filter(action="worker.import_batch").count() == 1
    assert AuditEvent.objects.filter(action="worker.import").count() == 1


def test_worker_outside_scope_is_rejected_not_moved(world: Any, tmp_path: Path) -> None:
    from tests.factories import OrganizationFactory

    other_in_scope = OrganizationFactory(
        parent=world.city_a, name="南京另一企业", kind="enterprise", region="320111"
    )
    theirs = make_worker(world.enterprise_b, 40)
    ours = make_worker(other_in_scope, 41)
    rows = [
        [theirs.name, unique_id(40), "", "", "", "", "", "", "", "", ""],
        [ours.name, unique_id(41), "", "", "", "", "", "", "", "", ""],
    ]
    path = write_roster(tmp_path / "r.xlsx", rows, header=HEADER)
    result = roster_import(actor=world.alice, source=path, organization=world.enterprise_a)
    assert (result.rows, result.valid, result.rejected, result.updated) == (2, 1, 1, 1)
    assert result.errors[0].row == 2 and result.errors[0].column == "公民身份号码"
    theirs.refresh_from_db()
    ours.refresh_from_db()
    assert theirs.organization == world.enterprise_b
    assert ours.organization == world.enterprise_a
    transfer = Transfer.objects.get(worker=ours)
    assert (transfer.from_organization, transfer.to_organization) == (
        other_in_scope,
        world.enterprise_a,
    )


def test_actor_needs_the_right_at_the_enterprise(world: Any, tmp_path: Path) -> None:
    from django.core.exceptions import PermissionDenied

    path = write_roster(tmp_path / "r.csv", [["张三", unique_id(1)]], header=["姓名", "身份证号"])
    with pytest.raises(PermissionDenied):
        roster_import(actor=world.bob, source=path, organization=world.enterprise_a)
    with pytest.raises(PermissionDenied):
        roster_import(actor=world.worker_a, source=path, organization=world.enterprise_a)
    with pytest.raises(ApplicationError):
        roster_import(
            actor=world.alice, source=path, organization=world.city_a
        )  # not an enterprise


def test_mapping_can_be_corrected(world: Any, tmp_path: Path) -> None:
    path = write_roster(
        tmp_path / "r.csv",
        [["张三", unique_id(1), "13812345678"]],
        header=["名字", "证件", "电话号"],
    )
    with pytest.raises(ApplicationError):
        roster_import(actor=world.alice, source=path, dry_run=True)
    result = roster_import(
        actor=world.alice,
        source=path,
        organization=world.enterprise_a,
        mapping={"name": 0, "citizen_id": 1, "phone": 2},
    )
    assert result.created == 1
    assert Worker.objects.get().phone_masked == "138****5678"


def test_batches_commit_separately(world: Any, tmp_path: Path) -> None:
    rows = [[f"工人{i}", unique_id(100 + i)] for i in range(25)]
    path = write_roster(tmp_path / "r.csv", rows, header=["姓名", "身份证号"])
    result = roster_import(
        actor=SYSTEM, source=path, organization=world.enterprise_a, batch_size=10
    )
    assert result.created == 25
    assert AuditEvent.objects.filter(action="worker.import_batch").count() == 3


# ---------------------------------------------------------------------------------- the CLI
def _cli(*args: str) -> tuple[int, str, str]:
    import io

    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("import-workers", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_cli_json_contract_and_exit_status(world: Any, tmp_path: Path, capsys: Any) -> None:
    path = write_roster(tmp_path / "r.xlsx", rule_rows(), header=HEADER, title_rows=1)
    code, _out, _err = _cli(str(path), "--dry-run", "--json")
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert set(data) == {
        "rows",
        "valid",
        "rejected",
        "created",
        "updated",
        "unchanged",
        "errors",
        "warnings",
    }
    assert (data["rows"], data["valid"], data["rejected"]) == (14, 6, 8)
    assert set(data["errors"][0]) == {"row", "column", "value", "message"}
    assert data["errors"][0] == {
        "row": 8,
        "column": "性别",
        "value": "女",
        "message": "The gender does not agree with the citizen ID number.",
    }

    good = write_roster(
        tmp_path / "good.csv", [["张三", unique_id(1)]], header=["姓名", "身份证号"]
    )
    code, _out, _err = _cli(str(good), "--org", world.enterprise_a.code, "--json")
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["created"] == 1
    code, _out, _err = _cli(str(good), "--org", world.enterprise_a.code, "--json")
    assert code == 0 and json.loads(capsys.readouterr().out)["unchanged"] == 1


@pytest.mark.parametrize(
    "content,name",
    [
        (b"\x00\x01binary", "x.xlsx"),
        (b"a,b\n1,2\n", "x.csv"),
        (b"\x00\x00", "x.csv"),
        (b"hello", "x.pdf"),
    ],
)
def test_cli_unreadable_file_exits_2(world: Any, tmp_path: Path, content: bytes, name: str) -> None:
    from django.core.management.base import CommandError

    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError) as info:
        call_command("import-workers", str(path), "--dry-run")
    assert info.value.returncode == 2
    with pytest.raises(CommandError) as info:
        call_command("import-workers", str(tmp_path / "missing.csv"), "--dry-run")
    assert info.value.returncode == 2


def test_cli_report_highlights_bad_cells(world: Any, tmp_path: Path, capsys: Any) -> None:
    from python_calamine import CalamineWorkbook

    path = write_roster(tmp_path / "r.xlsx", rule_rows(), header=HEADER, title_rows=1)
    report = tmp_path / "report.xlsx"
    code, _out, _err = _cli(str(path), "--dry-run", "--report", str(report))
    assert code == 1
    rows = CalamineWorkbook.from_path(str(report)).get_sheet_by_index(0).to_python()
    assert rows[1][len(HEADER)] == "reason"
    assert rows[7][0] == "孙七" and "性别" in rows[7][len(HEADER)]
    assert rows[2][len(HEADER)] == ""  # a good row has no reason
    import zipfile

    styles = zipfile.ZipFile(report).read("xl/styles.xml").decode()
    assert "FFF8CBAD" in styles  # the highlight fill exists


# ------------------------------------------------------------ the background writer (PostgreSQL)
postgres_only = pytest.mark.skipif(
    "postgres" not in __import__("os").environ.get("DATABASE_URL", ""),
    reason="the background writer runs on PostgreSQL outside a transaction",
)


def _spy_writers(monkeypatch: Any) -> list[Any]:
    from gongjiang.workforce.roster import importer

    made: list[Any] = []
    real = importer._BackgroundWriter

    def spy(*args: Any, **kwargs: Any) -> Any:
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(importer, "_BackgroundWriter", spy)
    return made


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_background_writer_copies_new_workers_and_falls_back_to_upsert(
    world: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """New workers are COPied by the writer thread; one registered between the check and the
    write (hidden from the check here) makes that batch go through the upsert, without a duplicate."""
    from gongjiang.workforce.roster import bulk

    writers = _spy_writers(monkeypatch)
    known = make_worker(world.enterprise_a, 60, skill_level="JUNIOR")
    meanwhile = make_worker(world.enterprise_a, 61)
    real_lookup = bulk.existing_by_hash
    hidden = personal.citizen_id_hash(unique_id(61))
    monkeypatch.setattr(
        bulk,
        "existing_by_hash",
        lambda hashes, columns: [
            r for r in real_lookup(hashes, columns) if r["citizen_id_hash"] != hidden
        ],
    )
    rows = [[known.name, unique_id(60), "高级工"], [meanwhile.name, unique_id(61), "技师"]]
    rows += [[f"工人{i}", unique_id(700 + i), "中级工"] for i in range(23)]
    path = write_roster(tmp_path / "r.csv", rows, header=["姓名", "身份证号", "技能等级"])
    result = roster_import(
        actor=world.alice, source=path, organization=world.enterprise_a, batch_size=10
    )
    assert len(writers) == 1
    assert (result.rows, result.rejected, result.updated) == (25, 0, 1)
    assert result.created == 24  # the check saw the hidden worker as new
    assert Worker.objects.filter(organization=world.enterprise_a).count() == 25
    assert Worker.objects.filter(citizen_id_hash=hidden).count() == 1
    known.refresh_from_db()
    meanwhile.refresh_from_db()
    assert (known.skill_level_id, meanwhile.skill_level_id) == ("SENIOR", "TECHNICIAN")
    # one at the known worker's registration, one per imported row (every row sets a level)
    assert SkillLevelChange.objects.filter(worker__organization=world.enterprise_a).count() == 26
    assert AuditEvent.objects.filter(action="worker.import_batch").count() == 3
    monkeypatch.undo()
    again = roster_import(actor=world.alice, source=path, organization=world.enterprise_a)
    assert again.unchanged == 25


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_background_writer_error_stops_the_import(
    world: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from gongjiang.workforce.roster import importer
    from gongjiang.workforce.roster.importer import RosterImport

    monkeypatch.setattr(importer, "WRITERS", 1)  # with one writer, nothing after the failure
    writers = _spy_writers(monkeypatch)
    real_write = RosterImport._write
    calls: list[int] = []

    def failing(self: Any, *args: Any) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        real_write(self, *args)

    monkeypatch.setattr(RosterImport, "_write", failing)
    rows = [[f"工人{i}", unique_id(800 + i)] for i in range(45)]
    path = write_roster(tmp_path / "r.csv", rows, header=["姓名", "身份证号"])
    with pytest.raises(RuntimeError, match="disk full"):
        roster_import(
            actor=world.alice, source=path, organization=world.enterprise_a, batch_size=10
        )
    assert len(writers) == 1
    assert Worker.objects.filter(organization=world.enterprise_a).count() == 10  # batch 1 only
    assert len(calls) == 2  # nothing written after the failure


def _roster_state(org: Any, after: int = 0) -> tuple[list[Any], list[Any], list[Any]]:
    workers = sorted(
        Worker.objects.filter(organization=org).values_list(
            "citizen_id_hash", "name", "name_pinyin", "skill_level_id", "occupation_id", "team_id"
        ),
        key=str,
    )
    levels = sorted(
        SkillLevelChange.objects.filter(worker__organization=org).values_list(
            "worker__citizen_id_hash", "from_level_id", "to_level_id", "date"
        ),
        key=str,
    )
    audits = sorted(
        (e.details["batch"], e.details["created"], e.details["skill_level_changes"])
        for e in AuditEvent.objects.filter(action="worker.import_batch", pk__gt=after)
    )
    return workers, levels, audits


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("writers", [1, 2, 3])
def test_prepared_batches_write_what_the_general_path_writes(
    world: Any, tmp_path: Path, monkeypatch: Any, writers: int
) -> None:
    """The writer threads stream COPY text prepared by the importing thread (ids drawn with the
    look-up); the workers, history rows, audit rows and rollups are those of the general path,
    with one writer or several."""
    from gongjiang.workforce.analytics.rollups import rollups_rebuild, rollups_verify
    from gongjiang.workforce.roster import bulk, importer

    monkeypatch.setattr(importer, "WRITERS", writers)
    writers_made = _spy_writers(monkeypatch)
    known = make_worker(world.enterprise_a, 60, skill_level="JUNIOR")
    rows = [[known.name, unique_id(60), "高级工", "焊工"]]
    rows += [
        [f"工人{i}", unique_id(700 + i), ("中级工", "", "技师")[i % 3], "车工"] for i in range(47)
    ]
    path = write_roster(tmp_path / "r.csv", rows, header=["姓名", "身份证号", "技能等级", "工种"])
    rollups_rebuild()
    streamed: list[int] = []
    real_copy = bulk.copy_prepared
    monkeypatch.setattr(
        bulk, "copy_prepared", lambda *a: (streamed.append(len(a[2])), real_copy(*a))[1]
    )
    first = roster_import(
        actor=world.alice, source=path, organization=world.enterprise_a, batch_size=10
    )
    assert len(writers_made) == 1 and streamed  # the prepared path ran
    assert (first.created, first.updated) == (47, 1)
    assert rollups_verify() == []
    prepared = _roster_state(world.enterprise_a)
    assert [a[0] for a in prepared[2]] == [1, 2, 3, 4, 5]  # each batch audited once, by number

    # the same file through the general path, into a clean enterprise
    SkillLevelChange.objects.filter(worker__organization=world.enterprise_a).delete()
    Worker.objects.filter(organization=world.enterprise_a).delete()
    after = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    known = make_worker(world.enterprise_a, 60, skill_level="JUNIOR")
    rollups_rebuild()
    monkeypatch.setattr(importer.RosterImport, "_prepare", lambda self, *a: None)
    second = roster_import(
        actor=world.alice, source=path, organization=world.enterprise_a, batch_size=10
    )
    assert second.as_json() == first.as_json()
    assert _roster_state(world.enterprise_a, after) == prepared
    assert rollups_verify() == []


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_prepared_batch_falls_back_when_a_worker_was_registered_again(
    world: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """A worker read by the look-up but deleted and registered again (a new id) before the batch is
    written: the prepared ids no longer hold, so the batch is rolled back and written by the general
    path — the level-change row goes to the worker as they now are."""
    from gongjiang.workforce.roster import importer

    gone = make_worker(world.enterprise_a, 61, skill_level="JUNIOR")
    old_id = gone.pk
    real_prepare = importer.RosterImport._prepare
    fallbacks: list[int] = []
    real_batch = importer.RosterImport._write_batch

    def counting(self: Any, number: int, inserts: Any, changes: Any, prepared: Any) -> None:
        if prepared is None:
            fallbacks.append(number)
        real_batch(self, number, inserts, changes, prepared)

    def prepare_then_reregister(self: Any, *args: Any) -> Any:
        out = real_prepare(self, *args)
        if not fallbacks and Worker.objects.filter(pk=old_id).exists():
            SkillLevelChange.objects.filter(worker_id=old_id).delete()
            Worker.objects.filter(pk=old_id).delete()
            make_worker(world.enterprise_a, 61, skill_level="JUNIOR")
        return out

    monkeypatch.setattr(importer.RosterImport, "_prepare", prepare_then_reregister)
    monkeypatch.setattr(importer.RosterImport, "_write_batch", counting)
    rows = [[gone.name, unique_id(61), "技师"]] + [
        [f"工人{i}", unique_id(900 + i), "中级工"] for i in range(5)
    ]
    path = write_roster(tmp_path / "r.csv", rows, header=["姓名", "身份证号", "技能等级"])
    result = roster_import(actor=world.alice, source=path, organization=world.enterprise_a)
    assert fallbacks == [1]
    assert (result.created, result.updated) == (5, 1)
    now = Worker.objects.get(citizen_id_hash=personal.citizen_id_hash(unique_id(61)))
    assert now.pk != old_id and now.skill_level_id == "TECHNICIAN"
    assert SkillLevelChange.objects.filter(worker=now, to_level_id="TECHNICIAN").count() == 1
    assert Worker.objects.filter(organization=world.enterprise_a).count() == 6


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_writers_leave_whole_batches_when_one_fails(
    world: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """With two writer threads a failing batch stops the import; what is committed is whole
    batches (the other writer's batch may commit), and running the file again completes it."""
    from gongjiang.workforce.roster import importer
    from gongjiang.workforce.roster.importer import RosterImport

    monkeypatch.setattr(importer, "WRITERS", 2)
    real_batch = RosterImport._write_batch

    def failing(self: Any, number: int, *args: Any) -> None:
        if number == 2:
            raise RuntimeError("disk full")
        real_batch(self, number, *args)

    monkeypatch.setattr(RosterImport, "_write_batch", failing)
    rows = [[f"工人{i}", unique_id(800 + i)] for i in range(45)]
    path = write_roster(tmp_path / "r.csv", rows, header=["姓名", "身份证号"])
    with pytest.raises(RuntimeError, match="disk full"):
        roster_import(
            actor=world.alice, source=path, organization=world.enterprise_a, batch_size=10
        )
    written = set(
        Worker.objects.filter(organization=world.enterprise_a).values_list("name", flat=True)
    )
    batches = [{f"工人{i}" for i in range(b * 10, min(45, b * 10 + 10))} for b in range(5)]
    assert batches[0] <= written and not (batches[1] & written)
    assert all(b <= written or not (b & written) for b in batches)  # whole batches only
    assert SkillLevelChange.objects.filter(worker__organization=world.enterprise_a).count() == 0
    monkeypatch.undo()
    again = roster_import(actor=world.alice, source=path, organization=world.enterprise_a)
    assert again.created + again.unchanged == 45 and again.created >= 10
    assert Worker.objects.filter(organization=world.enterprise_a).count() == 45


def test_import_runs_with_fewer_collector_passes(
    world: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import raises the collector's thresholds while it runs (core.gc_tuning: 10–16 µs a
    row went to the collector) and puts them back after, also when it fails."""
    import gc

    from gongjiang.core.gc_tuning import BULK_THRESHOLDS
    from gongjiang.workforce.roster.importer import RosterImport

    seen: list[tuple[int, int, int]] = []
    original = RosterImport.run

    def spy(self: RosterImport, reader: Any) -> Any:
        seen.append(gc.get_threshold())
        return original(self, reader)

    monkeypatch.setattr(RosterImport, "run", spy)
    before = gc.get_threshold()
    path = write_roster(
        tmp_path / "r.csv",
        [["新人", unique_id(41), "", "", "", "", "", "", "", "", ""]],
        header=HEADER,
    )
    result = roster_import(
        actor=world.enterprise_officer_a, source=path, organization=world.enterprise_a
    )
    assert result.created == 1
    assert seen == [BULK_THRESHOLDS]
    assert gc.get_threshold() == before

    def broken(self: RosterImport, reader: Any) -> Any:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(RosterImport, "run", broken)
    with pytest.raises(RuntimeError):
        roster_import(
            actor=world.enterprise_officer_a, source=path, organization=world.enterprise_a
        )
    assert gc.get_threshold() == before

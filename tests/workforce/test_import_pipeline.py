"""The roster import on two cores (roster/pipeline.py, PostgreSQL outside a transaction): the same
results, errors and warnings word for word as the one-process path, the child's failures raised
in the importing process, no AES-GCM nonce drawn twice, no process left behind."""

from __future__ import annotations

import base64
import multiprocessing
import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from gongjiang.core.errors import ApplicationError
from gongjiang.workforce import personal
from gongjiang.workforce.models import SkillLevelChange, Worker
from gongjiang.workforce.roster import importer, pipeline
from gongjiang.workforce.roster.importer import roster_import

from .helpers import unique_id, write_roster
from .test_import import HEADER, rule_rows

postgres_only = pytest.mark.skipif(
    "postgres" not in os.environ.get("DATABASE_URL", ""),
    reason="the two-process import runs on PostgreSQL outside a transaction",
)


def _spy_pipelines(monkeypatch: Any) -> list[Any]:
    made: list[Any] = []
    real = pipeline.PreparedRows

    def spy(*args: Any, **kwargs: Any) -> Any:
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(pipeline, "PreparedRows", spy)
    return made


def _workers(org: Any) -> dict[str, tuple[Any, ...]]:
    return {
        personal.decrypt(w.citizen_id_encrypted): (
            w.name,
            w.name_pinyin,
            w.name_initials,
            w.citizen_id_masked,
            w.citizen_id_hash,
            personal.decrypt(w.phone_encrypted),
            w.phone_masked,
            w.phone_hash,
            w.skill_level_id,
            w.hire_date,
            w.team_id,
        )
        for w in Worker.objects.filter(organization=org)
    }


def _nonce(token: str) -> bytes:
    return base64.b64decode(token.rsplit(":", 1)[1])[:12]


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("filename", ["roster.xlsx", "roster.csv"])
def test_two_processes_give_the_one_process_results(
    world: Any, tmp_path: Path, monkeypatch: Any, filename: str
) -> None:
    rows = rule_rows() + [
        [f"工人{i}", unique_id(900 + i), "", "", f"1390000{i:04d}", "中级工", "", "", "", "", ""]
        for i in range(30)
    ]
    path = write_roster(tmp_path / filename, rows, header=HEADER, title_rows=1)
    with translation.override("zh-hans"):
        monkeypatch.setattr(pipeline, "ENABLED", False)
        one = roster_import(
            actor=world.alice, source=path, organization=world.enterprise_a, batch_size=7
        )
        expected = _workers(world.enterprise_a)
        SkillLevelChange.objects.all().delete()
        Worker.objects.all().delete()
        monkeypatch.setattr(pipeline, "ENABLED", True)
        made = _spy_pipelines(monkeypatch)
        personal.encrypt("x")  # this thread now holds a pool of nonces the fork copies
        pool, pos = personal._local.pool, personal._local.pos
        upcoming = {pool[i : i + 12] for i in range(pos, len(pool), 12)}
        two = roster_import(
            actor=world.alice, source=path, organization=world.enterprise_a, batch_size=7
        )
    assert len(made) == 1 and two.reader_peak_kib > 0
    assert two.as_json() == one.as_json()  # counts, errors and warnings, word for word
    assert (two.created, two.rejected) == (36, 8)
    assert any("第" in e.message or "行" in e.message for e in two.errors)  # in Chinese
    assert _workers(world.enterprise_a) == expected
    nonces = [
        _nonce(t)
        for pair in Worker.objects.values_list("citizen_id_encrypted", "phone_encrypted")
        for t in pair
        if t
    ]
    assert len(set(nonces)) == len(nonces)
    assert not upcoming & set(nonces)  # the child did not draw from the copied pool
    assert multiprocessing.active_children() == []
    again = roster_import(actor=world.alice, source=path, organization=world.enterprise_a)
    assert (again.unchanged, again.created, again.updated) == (36, 0, 0)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_failure_in_the_reading_process_is_raised_with_its_words(
    world: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """The child fails after the first chunks were written: the importing process raises the
    same error (type, message, code), the committed batches stay, and no process is left."""
    monkeypatch.setattr(pipeline, "CHUNK", 5)
    monkeypatch.setattr(pipeline, "ENABLED", True)
    real = importer.pipeline.RosterReader.iter_parsed

    def failing(self: Any, *args: Any) -> Any:
        for item in real(self, *args):
            if item[0] == 30:
                raise ApplicationError("The file is truncated.", code="unreadable")
            yield item

    monkeypatch.setattr(importer.pipeline.RosterReader, "iter_parsed", failing)
    rows = [[f"工人{i}", unique_id(950 + i)] for i in range(40)]
    path = write_roster(tmp_path / "r.csv", rows, header=["姓名", "身份证号"])
    with pytest.raises(ApplicationError) as caught:
        roster_import(
            actor=world.alice, source=path, organization=world.enterprise_a, batch_size=10
        )
    assert (caught.value.message, caught.value.code) == ("The file is truncated.", "unreadable")
    assert Worker.objects.filter(organization=world.enterprise_a).count() == 20  # 2 batches
    assert multiprocessing.active_children() == []
    monkeypatch.undo()
    again = roster_import(actor=world.alice, source=path, organization=world.enterprise_a)
    assert (again.unchanged, again.created) == (20, 20)  # the rerun completes the rest

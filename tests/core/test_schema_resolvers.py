"""``core.schemas.resolve_from``: the one-line resolver the API schemas share."""

from __future__ import annotations

from types import SimpleNamespace

from ninja import Schema

from gongjiang.core.schemas import resolve_from


class _TaskOut(Schema):
    code: str
    task: str | None
    task_title: str | None

    resolve_task = resolve_from("task.code")
    resolve_task_title = resolve_from("task.title")


def test_resolve_from_follows_the_path_and_answers_none_for_a_missing_link() -> None:
    task = SimpleNamespace(code="t1", title="技能提升")
    row = SimpleNamespace(code="r1", task=task)
    assert _TaskOut.from_orm(row).model_dump() == {
        "code": "r1",
        "task": "t1",
        "task_title": "技能提升",
    }
    empty = SimpleNamespace(code="r2", task=None)
    assert _TaskOut.from_orm(empty).model_dump() == {"code": "r2", "task": None, "task_title": None}


def test_resolve_from_is_inherited_like_a_written_resolver() -> None:
    class _Detail(_TaskOut):
        extra: int = 0

    row = SimpleNamespace(code="r1", task=SimpleNamespace(code="t1", title="x"))
    assert _Detail.from_orm(row).model_dump()["task"] == "t1"

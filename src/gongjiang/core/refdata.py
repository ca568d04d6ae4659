"""Loading the reference data shipped in ``gongjiang/data`` (provenance: docs/reference-data.md).

Idempotent: rows are upserted by code, so running it again changes nothing. Used by the data
migration ``core.0002_load_reference_data`` and by ``gongjiang load-refdata``.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from .pinyin import pinyin_initials, pinyin_key

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _upsert_tree(model: Any, rows: list[dict[str, Any]]) -> int:
    """Upsert rows (parents first: the files list parents before children)."""
    existing = set(model.objects.values_list("code", flat=True))
    fields = [f for f in rows[0] if f not in ("code",)]
    new = [model(**row) for row in rows if row["code"] not in existing]
    old = [model(**row) for row in rows if row["code"] in existing]
    # parents must exist before children: insert level by level in file order
    model.objects.bulk_create(new, batch_size=1000)
    if old:
        model.objects.bulk_update(old, fields, batch_size=500)
    return len(new)


def load_reference_data(apps: Any = None) -> dict[str, int]:
    get = (lambda name: apps.get_model("core", name)) if apps else _live_model
    Region, Occupation, Industry, SkillLevel = (
        get(n) for n in ("Region", "Occupation", "Industry", "SkillLevel")
    )
    created: dict[str, int] = {}

    def keyed(name: str) -> dict[str, str]:
        return {"pinyin": pinyin_key(name)[:600], "initials": pinyin_initials(name)[:200]}

    rows = [
        {
            "code": r["code"],
            "name": r["name"],
            "level": r["level"],
            "parent_id": r["parent_code"] or None,
            **keyed(r["name"]),
        }
        for r in read_csv("admin_divisions.csv")
    ]
    created["regions"] = _upsert_sorted(Region, rows)
    rows = [
        {
            "code": r["code"],
            "name": r["name"],
            "level": r["level"],
            "parent_id": r["parent_code"] or None,
            "major_group": r["major_group"],
            "is_digital": r["is_digital"] == "true",
            "is_green": r["is_green"] == "true",
            "edition": "2022",
            **keyed(r["name"]),
        }
        for r in read_csv("occupations.csv")
    ]
    created["occupations"] = _upsert_sorted(Occupation, rows)
    rows = [
        {
            "code": r["code"],
            "name": r["name"],
            "level": r["level"],
            "parent_id": r["parent_code"] or None,
            "section": r["section"],
            **keyed(r["name"]),
        }
        for r in read_csv("industries.csv")
    ]
    created["industries"] = _upsert_sorted(Industry, rows)
    rows = [
        {
            "code": r["code"],
            "name_zh": r["name_zh"],
            "grade_zh": r["grade_zh"],
            "name_en": r["name_en"],
            "rank": int(r["rank"]),
            "is_high_skilled": r["is_high_skilled"] == "true",
            "national_level": int(r["national_level"]) if r["national_level"] else None,
        }
        for r in read_csv("skill_levels.csv")
    ]
    created["skill_levels"] = _upsert_tree(SkillLevel, rows)
    return created


def _upsert_sorted(model: Any, rows: list[dict[str, Any]]) -> int:
    order = {
        "province": 0,
        "city": 1,
        "county": 2,
        "major": 0,
        "medium": 1,
        "minor": 2,
        "occupation": 3,
        "section": 0,
        "division": 1,
        "group": 2,
        "class": 3,
    }
    rows.sort(key=lambda r: order[r["level"]])
    return _upsert_tree(model, rows)


def _live_model(name: str) -> Any:
    from django.apps import apps

    return apps.get_model("core", name)

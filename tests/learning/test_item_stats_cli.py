"""The ``gongjiang item-stats MARKS.csv [--irt] [--json]`` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

HEADER = "attempt_id,question,mark,max_mark\n"
SRC = Path(__file__).resolve().parents[2] / "src"

# Same five attempts as in test_item_stats.py.
MARKS = {"a": (1, 2, 0), "b": (1, 1, 1), "c": (0, 0, 0), "d": (1, 2, 1), "e": (0, 1, 1)}
MAX = {"Q1": 1, "Q2": 2, "Q3": 1}


def write(tmp_path: Path, text: str, name: str = "marks.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def marks_csv(tmp_path: Path) -> Path:
    lines = [HEADER]
    for attempt, marks in MARKS.items():
        for (question, max_mark), mark in zip(MAX.items(), marks, strict=True):
            lines.append(f"{attempt},{question},{mark},{max_mark}\n")
    return write(tmp_path, "".join(lines))


def run(*args: str) -> str:
    out = StringIO()
    call_command("item-stats", *args, stdout=out)
    return out.getvalue()


def test_json_shape(marks_csv: Path):
    report = json.loads(run(str(marks_csv), "--json"))
    assert set(report) == {"exam", "questions"}
    assert set(report["exam"]) == {
        "count",
        "mean",
        "median",
        "sd",
        "skewness",
        "kurtosis",
        "alpha",
        "error_ratio",
        "standard_error",
    }
    assert report["exam"]["count"] == 5
    assert report["exam"]["mean"] == pytest.approx(2.4)
    assert report["exam"]["alpha"] == pytest.approx(150 * (1 - 1.3 / 2.3))
    assert [q["question"] for q in report["questions"]] == ["Q1", "Q2", "Q3"]
    for q in report["questions"]:
        assert set(q) == {
            "question",
            "count",
            "facility",
            "sd",
            "discrimination_index",
            "discriminative_efficiency",
            "effective_weight",
            "flag",
        }
    assert report["questions"][1]["facility"] == pytest.approx(0.6)


def test_json_with_irt(tmp_path: Path):
    rng = np.random.default_rng(5)
    a = rng.uniform(0.8, 1.8, 6)
    b = np.linspace(-1.5, 1.5, 6)
    theta = rng.standard_normal(400)
    correct = rng.random((400, 6)) < 1 / (1 + np.exp(-a * (theta[:, None] - b)))
    lines = [HEADER]
    for i, row in enumerate(correct):
        for j, right in enumerate(row):
            lines.append(f"p{i},item{j},{2 if right else 0},2\n")
    lines.append("p0,always,1,1\n")  # answered by one attempt, right: cannot be calibrated
    report = json.loads(run(str(write(tmp_path, "".join(lines))), "--json", "--irt"))
    fits = [q["irt"] for q in report["questions"]]
    assert all(set(fit) == {"a", "b"} for fit in fits[:6])
    assert [fit["b"] for fit in fits[:6]] == sorted(fit["b"] for fit in fits[:6])
    assert fits[6] is None


def test_readable_table(marks_csv: Path):
    text = run(str(marks_csv))
    assert "Attempts" in text and "Question" in text
    assert "Q2" in text and "60.00%" in text


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("id,q,m,mm\n1,Q1,1,1\n", "line 1"),
        (HEADER + "1,Q1,1,1\n2,Q1,abc,1\n", "line 3, column 'mark'"),
        (HEADER + "1,Q1,1,x\n", "line 2, column 'max_mark'"),
        (HEADER + "1,Q1,1,1\n1,Q2,3,2\n", "line 3, column 'mark': 3 is greater than max_mark 2"),
        (HEADER + "1,Q1,-1,1\n", "line 2, column 'mark': -1 is negative"),
        (HEADER + "1,Q1,nan,1\n", "line 2, column 'mark'"),
        (HEADER + "1,Q1,1\n", "line 2: expected 4 columns"),
        (HEADER + "1,Q1,1,1\n2,Q1,1,1\n1,Q1,0,1\n", "line 4"),
        (HEADER + "1,Q1,1,1\n2,Q1,1,2\n", "line 3, column 'max_mark'"),
        (HEADER + "1,Q1,1e400,1\n", "line 2, column 'mark'"),
        (HEADER + "1,Q1,0,-2\n", "line 2, column 'max_mark': -2 is negative"),
        (HEADER + "\n1,Q1,1,1\n,Q2,1,1\n", "line 4, column 'attempt_id': empty"),
        (HEADER, "no marks"),
        ("", "empty"),
    ],
)
def test_bad_input_names_line_and_column(tmp_path: Path, content: str, expected: str):
    path = write(tmp_path, content)
    with pytest.raises(CommandError) as error:
        run(str(path), "--json")
    assert error.value.returncode == 2
    assert expected in str(error.value)


def test_byte_order_mark_blank_lines_and_unicode_names(tmp_path: Path):
    path = tmp_path / "marks.csv"
    text = "\ufeff" + HEADER + "甲,安全 1,1,2\n\n乙,安全 1,2,2\n甲,识图,0,1\n乙,识图,1,1\n"
    path.write_text(text, encoding="utf-8")
    report = json.loads(run(str(path), "--json"))
    assert [q["question"] for q in report["questions"]] == ["安全 1", "识图"]
    assert report["exam"]["count"] == 2
    assert report["questions"][0]["facility"] == pytest.approx(0.75)


def test_missing_file(tmp_path: Path):
    with pytest.raises(CommandError) as error:
        run(str(tmp_path / "nope.csv"))
    assert error.value.returncode == 2
    assert "no such file" in str(error.value)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.update(DJANGO_SETTINGS_MODULE="gongjiang.settings", DEBUG="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-c", "from gongjiang.cli import main; main()", "item-stats", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_exit_status_and_stderr_from_the_command_line(tmp_path: Path, marks_csv: Path):
    ok = _cli(str(marks_csv), "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["exam"]["count"] == 5

    bad = _cli(str(write(tmp_path, HEADER + "1,Q1,oops,1\n", "bad.csv")))
    assert bad.returncode == 2
    assert "line 2, column 'mark'" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert bad.stdout == ""

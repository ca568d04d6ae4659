"""``gongjiang item-stats MARKS.csv [--irt] [--json]``: item statistics of an exam.

MARKS.csv has the header ``attempt_id,question,mark,max_mark`` and one row per attempt and
question. Bad input ends with a message naming the line and column, and exit status 2.
"""

from __future__ import annotations

import csv
import json
import math
import re
from array import array
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongjiang.learning.statistics.irt import dichotomise, twopl_mml
from gongjiang.learning.statistics.item_stats import (
    MarksCollector,
    MarksError,
    item_statistics_matrix,
)

HEADER = ["attempt_id", "question", "mark", "max_mark"]
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def _number(text: str, path: Path, line: int, column: str) -> float:
    value = text.strip()
    number = float(value) if _NUMBER.fullmatch(value) else math.nan
    if not math.isfinite(number):
        raise _fail(f"{path}, line {line}, column {column!r}: {text!r} is not a number")
    return number


def _reject(
    path: Path, line: int, attempt_id: str, question: str, mark: float, max_mark: float
) -> None:
    where = f"{path}, line {line}"
    if not attempt_id:
        raise _fail(f"{where}, column 'attempt_id': empty")
    if not question:
        raise _fail(f"{where}, column 'question': empty")
    if max_mark < 0:
        raise _fail(f"{where}, column 'max_mark': {max_mark:g} is negative")
    if mark < 0:
        raise _fail(f"{where}, column 'mark': {mark:g} is negative")
    raise _fail(f"{where}, column 'mark': {mark:g} is greater than max_mark {max_mark:g}")


def read_marks(path: Path) -> tuple[MarksCollector, array]:
    """Read and check MARKS.csv. Returns the marks and the file line number of each row."""
    collector = MarksCollector()
    lines = array("q")
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise _fail(f"{path}: no such file") from None
    except IsADirectoryError:
        raise _fail(f"{path}: is a directory, not a CSV file") from None
    except OSError as exc:
        raise _fail(f"{path}: cannot be read ({exc.strerror})") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            if header is None:
                raise _fail(f"{path}: the file is empty; expected the header {','.join(HEADER)}")
            if [cell.strip() for cell in header] != HEADER:
                raise _fail(
                    f"{path}, line 1: the header must be {','.join(HEADER)} "
                    f"(found {','.join(header)})"
                )
            for record in reader:
                line = reader.line_num
                if len(record) != len(HEADER):
                    if not any(cell.strip() for cell in record):
                        continue  # blank line
                    where = f"{path}, line {line}"
                    raise _fail(f"{where}: expected {len(HEADER)} columns, found {len(record)}")
                attempt_id, question = record[0].strip(), record[1].strip()
                mark = _number(record[2], path, line, "mark")
                max_mark = _number(record[3], path, line, "max_mark")
                if not attempt_id or not question or max_mark < 0 or mark < 0 or mark > max_mark:
                    _reject(path, line, attempt_id, question, mark, max_mark)
                collector.add(attempt_id, question, mark, max_mark)
                lines.append(line)
        except UnicodeDecodeError:
            raise _fail(f"{path}: not UTF-8 text") from None
        except csv.Error as exc:
            raise _fail(f"{path}, line {reader.line_num}: {exc}") from None
    if not len(collector):
        raise _fail(f"{path}: no marks after the header")
    return collector, lines


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}%"


def _plain(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _clean(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


class Command(BaseCommand):
    help = (
        "Item statistics of an exam (facility, discrimination, discriminative efficiency, "
        "effective weight, Cronbach's alpha ...) computed as Moodle's quiz statistics report, "
        "from MARKS.csv with the header attempt_id,question,mark,max_mark."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("marks", metavar="MARKS.csv", help="one row per attempt and question")
        parser.add_argument(
            "--irt",
            action="store_true",
            help="also calibrate a two-parameter logistic IRT model (mark >= half = correct)",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["marks"])
        collector, lines = read_marks(path)
        try:
            matrix, max_marks, names, _ = collector.matrix()
        except MarksError as exc:
            line = lines[exc.index] if exc.index is not None else None
            column = f", column {exc.column!r}" if exc.column else ""
            raise _fail(f"{path}, line {line}{column}: {exc}") from None
        report = item_statistics_matrix(matrix, max_marks, names)
        if options["irt"]:
            fit = twopl_mml(dichotomise(matrix, max_marks))
            for question, a, b in zip(report["questions"], fit["a"], fit["b"], strict=True):
                a_value, b_value = _clean(a), _clean(b)
                question["irt"] = (
                    None if a_value is None or b_value is None else {"a": a_value, "b": b_value}
                )
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, allow_nan=False))
        else:
            self.stdout.write(self._table(report, options["irt"]))

    @staticmethod
    def _table(report: dict[str, Any], irt: bool) -> str:
        exam = report["exam"]
        figures = [
            ("Attempts", str(exam["count"])),
            ("Mean total (marks)", _plain(exam["mean"])),
            ("Median total (marks)", _plain(exam["median"])),
            ("Standard deviation (marks)", _plain(exam["sd"])),
            ("Skewness", _plain(exam["skewness"], 4)),
            ("Kurtosis", _plain(exam["kurtosis"], 4)),
            ("Internal consistency (alpha)", _percent(exam["alpha"])),
            ("Error ratio", _percent(exam["error_ratio"])),
            ("Standard error (marks)", _plain(exam["standard_error"])),
        ]
        label_width = max(len(label) for label, _ in figures)
        out = ["Exam"] + [f"  {label.ljust(label_width)}  {value}" for label, value in figures]
        out.append("")
        headings = ["Question", "Count", "Facility", "SD", "Disc. index", "Disc. eff.", "Eff. wt"]
        if irt:
            headings += ["IRT a", "IRT b"]
        headings.append("Flag")
        body = []
        for q in report["questions"]:
            facility = None if q["facility"] is None else 100 * q["facility"]
            row = [
                str(q["question"]),
                str(q["count"]),
                _percent(facility),
                _plain(q["sd"]),
                _percent(q["discrimination_index"]),
                _percent(q["discriminative_efficiency"]),
                _percent(q["effective_weight"]),
            ]
            if irt:
                fit = q.get("irt")
                row += [_plain(fit and fit["a"], 3), _plain(fit and fit["b"], 3)]
            row.append(q["flag"] or "")
            body.append(row)
        widths = [max(len(r[i]) for r in [headings, *body]) for i in range(len(headings))]
        for r in [headings, *body]:
            cells = [r[0].ljust(widths[0])] + [
                c.rjust(w) for c, w in zip(r[1:-1], widths[1:-1], strict=True)
            ]
            out.append("  ".join([*cells, r[-1]]).rstrip())
        return "\n".join(out)

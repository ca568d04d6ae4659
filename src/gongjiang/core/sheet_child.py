"""The child process that reads a workbook for :mod:`gongjiang.core.spreadsheets`.

python-calamine loads a whole sheet into one dense grid, sized by the sheet's used area, and the
Rust runtime aborts the process (SIGABRT, no Python exception) when an allocation fails: a 1.6 KB
.xlsx with one cell at XFD1048576 asks for some 550 GB. So a workbook is never opened in the
process that asked for it. This script runs in its own interpreter, caps its own address space and
CPU time (``resource.setrlimit``) before it imports calamine, and streams the rows of the first
sheet to its parent as pickled batches on stdout:

    ("start", first row index, height, width)
    ("rows", [row, …])            (repeated)
    ("end",)
or  ("error", code, detail)       code: "no_sheets", "too_large", "memory", "unreadable"

A child that runs out of memory or time dies (by a signal, or with an error record); the parent
sees an unreadable file, never a dead worker. Only the standard library and python-calamine are
imported here, so it starts in a few tens of milliseconds.
"""

from __future__ import annotations

import pickle
import resource
import sys

BATCH = 2000


def _send(out: object, record: tuple[object, ...]) -> None:
    pickle.dump(record, out, protocol=pickle.HIGHEST_PROTOCOL)  # type: ignore[arg-type]


def main(argv: list[str]) -> int:
    path, memory, seconds, max_rows, max_columns, max_cells = argv
    limit = int(memory)
    if limit > 0:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    cpu = int(seconds)
    if cpu > 0:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an abort leaves no core file behind
    out = sys.stdout.buffer
    try:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(path)
        if not workbook.sheet_names:
            _send(out, ("error", "no_sheets", ""))
            return 0
        sheet = workbook.get_sheet_by_index(0)
        height, width = sheet.height, sheet.width
        if height > int(max_rows) or width > int(max_columns) or height * width > int(max_cells):
            _send(out, ("error", "too_large", f"{height}x{width}"))
            return 0
        start = sheet.start[0] if sheet.start else 0
        _send(out, ("start", start, height, width))
        batch: list[list[object]] = []
        for row in sheet.iter_rows():
            batch.append(row)
            if len(batch) >= BATCH:
                _send(out, ("rows", batch))
                batch = []
        if batch:
            _send(out, ("rows", batch))
        _send(out, ("end",))
    except MemoryError:
        _send(out, ("error", "memory", ""))
    except BrokenPipeError:  # the parent stopped reading (it found what it needed, or gave up)
        return 0
    except Exception as exc:  # calamine raises several types for broken files
        _send(out, ("error", "unreadable", str(exc)[:300]))
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

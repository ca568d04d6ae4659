"""Benchmark: item statistics and 2PL calibration on a large simulated exam.

Simulates ATTEMPTS x QUESTIONS dichotomous answers from a 2PL model (seeded), then times

* ``item_statistics_matrix`` on the dense marks matrix,
* ``item_statistics`` on the same data as (attempt, question, mark, max_mark) rows,
* our ``twopl_mml`` calibration,
* ``girth.twopl_mml`` on the same responses, if ``girth`` is importable (optional, not a
  dependency of the project: ``pip install girth`` to compare).

Run: ``PYTHONPATH=src .venv/bin/python bench/bench_item_stats.py [--attempts N] [--questions J]``
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from gongjiang.learning.statistics.irt import twopl_mml
from gongjiang.learning.statistics.item_stats import item_statistics, item_statistics_matrix


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def rmse(estimate: np.ndarray, truth: np.ndarray) -> float:
    ok = np.isfinite(estimate)
    return float(np.sqrt(np.mean((estimate[ok] - truth[ok]) ** 2)))


def timed(fn, repeat: int) -> tuple[object, float, float]:
    """Run ``fn`` ``repeat`` times: its result, the first (cold) time and the best time."""
    times = []
    result = None
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, times[0], min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=50_000)
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--repeat", type=int, default=3, help="runs of our code (best is kept)")
    parser.add_argument("--skip-rows", action="store_true", help="skip the row-form timing")
    parser.add_argument("--skip-girth", action="store_true", help="do not run girth")
    args = parser.parse_args()

    print(f"CPU: {cpu_model()}, nproc {os.cpu_count()}, numpy {np.__version__}")
    rng = np.random.default_rng(args.seed)
    a = rng.lognormal(0.0, 0.3, args.questions)
    b = rng.normal(0.0, 1.0, args.questions)
    theta = rng.standard_normal(args.attempts)
    p = 1.0 / (1.0 + np.exp(-a[None, :] * (theta[:, None] - b[None, :])))
    responses = (rng.random(p.shape) < p).astype(float)
    names = [f"Q{j + 1}" for j in range(args.questions)]
    print(f"Data: {args.attempts} attempts x {args.questions} questions (seed {args.seed})")

    print(f"Load average before timing: {os.getloadavg()[0]:.2f}")
    stats, cold, t_stats = timed(
        lambda: item_statistics_matrix(responses, np.ones(args.questions), names), args.repeat
    )
    print(
        f"item_statistics_matrix: best {t_stats:.2f} s, first {cold:.2f} s (alpha {stats['exam']['alpha']:.2f} %, "
        f"{sum(q['flag'] is not None for q in stats['questions'])} flagged)"
    )

    if not args.skip_rows:
        rows = [
            (i, names[j], responses[i, j], 1.0)
            for i in range(args.attempts)
            for j in range(args.questions)
        ]
        start = time.perf_counter()
        from_rows = item_statistics(rows)
        t_rows = time.perf_counter() - start
        assert from_rows == stats
        print(f"item_statistics on {len(rows)} rows (incl. building the matrix): {t_rows:.2f} s")
        del rows

    fit, cold, t_ours = timed(lambda: twopl_mml(responses), args.repeat)
    print(
        f"gongjiang twopl_mml: best {t_ours:.2f} s, first {cold:.2f} s, {fit['iterations']} EM cycles, "
        f"RMSE a {rmse(fit['a'], a):.4f}, RMSE b {rmse(fit['b'], b):.4f}"
    )
    print(f"item statistics + 2PL calibration (best runs): {t_stats + t_ours:.2f} s")

    if args.skip_girth:
        return
    try:
        import girth
    except ImportError:
        print("girth is not installed: skipped the comparison")
        return
    start = time.perf_counter()
    result = girth.twopl_mml(responses.T.astype(int))
    t_girth = time.perf_counter() - start
    g_a = np.asarray(result["Discrimination"], dtype=float)
    g_b = np.asarray(result["Difficulty"], dtype=float)
    print(f"girth twopl_mml: {t_girth:.2f} s, RMSE a {rmse(g_a, a):.4f}, RMSE b {rmse(g_b, b):.4f}")


if __name__ == "__main__":
    main()

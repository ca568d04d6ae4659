"""core.gc_tuning: thresholds raised inside, restored after, re-entrant across threads."""

from __future__ import annotations

import gc
import threading

import pytest

from gongjiang.core.gc_tuning import BULK_THRESHOLDS, fewer_collections


@pytest.fixture(autouse=True)
def _known_thresholds():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def test_raised_inside_and_restored_after() -> None:
    with fewer_collections():
        assert gc.get_threshold() == BULK_THRESHOLDS
    assert gc.get_threshold() == (700, 10, 10)


def test_restored_when_the_block_raises() -> None:
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("boom")
    assert gc.get_threshold() == (700, 10, 10)


def test_collector_stays_on_and_still_frees_cycles() -> None:
    class Node:
        pass

    with fewer_collections():
        assert gc.isenabled()
        a, b = Node(), Node()
        a.other, b.other = b, a  # a reference cycle
        probe = [a]
        del a, b
        import weakref

        ref = weakref.ref(probe.pop())
        gc.collect()
        assert ref() is None


def test_the_last_of_overlapping_jobs_restores() -> None:
    """Two imports in two threads: the first one out must not lower the thresholds under the
    second; the last one out puts back the original."""
    first_in, first_out, second_done = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, tuple[int, int, int]] = {}

    def first() -> None:
        with fewer_collections():
            first_in.set()
            second_done.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with fewer_collections():
            second_done.set()
            first_out.wait(5)
            seen["after first left"] = gc.get_threshold()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen["after first left"] == BULK_THRESHOLDS
    assert gc.get_threshold() == (700, 10, 10)

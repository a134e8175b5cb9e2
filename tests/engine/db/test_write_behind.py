"""Write-behind writes batches in order on one thread and hands its first failure back."""

from __future__ import annotations

import threading

import pytest

from lsx.engine.db.write_behind import WriteBehind


def test_batches_are_written_in_order_on_another_thread() -> None:
    written: list[tuple[int, str]] = []
    caller = threading.get_ident()
    threads: set[int] = set()

    def write(n: int, tag: str) -> None:
        threads.add(threading.get_ident())
        written.append((n, tag))

    behind = WriteBehind(write)
    for n in range(50):
        behind.submit(n, f"b{n}")
    behind.close()
    assert written == [(n, f"b{n}") for n in range(50)]
    assert threads and caller not in threads


def test_the_first_failure_is_raised_and_later_batches_are_not_written() -> None:
    written: list[int] = []

    def write(n: int) -> None:
        if n == 3:
            raise ValueError("batch 3 is bad")
        written.append(n)

    behind = WriteBehind(write)
    with pytest.raises(ValueError, match="batch 3 is bad"):
        for n in range(10):
            behind.submit(n)
        behind.close()
    behind.abort()
    assert 3 not in written and all(n < 3 for n in written)


def test_abort_waits_for_the_batch_in_progress_and_drops_its_error() -> None:
    started, release = threading.Event(), threading.Event()
    done: list[int] = []

    def write(n: int) -> None:
        started.set()
        release.wait(5)
        done.append(n)
        raise RuntimeError("ignored: the caller is failing already")

    behind = WriteBehind(write)
    behind.submit(1)
    started.wait(5)
    threading.Timer(0.05, release.set).start()
    behind.abort()  # returns only after the write ended, and raises nothing
    assert done == [1]

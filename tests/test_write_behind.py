"""The render's writes go to one thread: in order, a failure raised, nothing written after it."""

from __future__ import annotations

import threading

import pytest

from syndicator.write_behind import Stopped, WriteBehind


def test_documents_are_written_in_the_order_handed_and_told_back_in_that_order() -> None:
    landed: list[int] = []
    told: list[int] = []
    threads: set[str] = set()

    def write(n: int) -> int:
        threads.add(threading.current_thread().name)
        landed.append(n)
        return n

    with WriteBehind[int](depth=2) as behind:
        for n in range(50):
            behind.hand(lambda n=n: write(n), told.append)  # type: ignore[misc]
        behind.finish()
    assert landed == list(range(50))
    assert told == list(range(50))
    assert threads != {threading.current_thread().name}  # written by the writer thread, not here


def test_no_more_than_depth_documents_wait_to_be_written() -> None:
    gate = threading.Event()
    handed = 0

    def slow() -> None:
        gate.wait(10)

    def hand_all(behind: WriteBehind[None]) -> None:
        nonlocal handed
        for _ in range(10):
            behind.hand(slow, lambda _: None)
            handed += 1

    with WriteBehind[None](depth=3) as behind:
        filler = threading.Thread(target=hand_all, args=(behind,))
        filler.start()
        filler.join(0.5)
        # The first write is blocked: two more wait behind it, and the fourth hand-over waits.
        assert handed == 3
        gate.set()
        filler.join(10)
        behind.finish()
    assert handed == 10


def test_a_failed_write_is_raised_here_and_nothing_after_it_is_written() -> None:
    landed: list[int] = []
    release = threading.Event()

    def write(n: int) -> None:
        if n == 1:
            release.wait(10)
        if n == 2:
            raise OSError("disk full")
        landed.append(n)

    with pytest.raises(OSError, match="disk full"), WriteBehind[None](depth=10) as behind:
        for n in range(6):
            behind.hand(lambda n=n: write(n), lambda _: None)  # type: ignore[misc]
        release.set()
        behind.finish()
    assert landed == [0, 1]


def test_a_render_that_fails_stops_the_writer_before_its_next_file() -> None:
    started = threading.Event()
    release = threading.Event()
    files: list[str] = []
    behind = WriteBehind[None](depth=10)

    def write(name: str) -> None:
        for part in ("rss", "atom", "json"):
            if name == "page-1" and part == "atom":
                started.set()
                release.wait(10)
            behind.check()  # between two files, as the render's writer does
            files.append(f"{name}/{part}")

    with pytest.raises(RuntimeError, match="render failed"), behind:
        for n in range(5):
            behind.hand(lambda n=n: write(f"page-{n}"), lambda _: None)  # type: ignore[misc]
        assert started.wait(10)
        threading.Timer(0.2, release.set).start()
        raise RuntimeError("render failed")
    # page-1's writer was between two files when the render failed: it stopped there,
    # and no later page was begun.
    assert files == ["page-0/rss", "page-0/atom", "page-0/json", "page-1/rss"]


def test_check_raises_once_stopped() -> None:
    behind = WriteBehind[None]()
    behind.check()
    with pytest.raises(ZeroDivisionError), behind:
        raise ZeroDivisionError
    with pytest.raises(Stopped):
        behind.check()

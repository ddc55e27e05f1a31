"""One writer at a time: a second publish waits a bounded time, then gives up clearly."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from syndicator.errors import StoreLockedError
from syndicator.lock import LOCK_NAME, writer_lock


def test_lock_is_taken_and_released(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with writer_lock(state, wait_seconds=0.2):
        assert (state / LOCK_NAME).is_file()
    with writer_lock(state, wait_seconds=0.2):
        pass  # released: taken again at once


def test_second_writer_in_another_thread_times_out(tmp_path: Path) -> None:
    outcome: list[BaseException | None] = []
    with writer_lock(tmp_path, wait_seconds=0.2):

        def second() -> None:
            try:
                with writer_lock(tmp_path, wait_seconds=0.2):
                    outcome.append(None)
            except StoreLockedError as e:
                outcome.append(e)

        thread = threading.Thread(target=second)
        thread.start()
        thread.join(timeout=10)
    assert len(outcome) == 1
    error = outcome[0]
    assert isinstance(error, StoreLockedError)
    assert str(tmp_path / LOCK_NAME) in str(error)
    assert "another syndicator publish is running" in str(error)


HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from syndicator.lock import writer_lock
    with writer_lock(Path(sys.argv[1]), wait_seconds=5):
        print("locked", flush=True)
        sys.stdin.readline()
    """
)


def test_second_writer_in_another_process_times_out_then_succeeds(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        assert (tmp_path / LOCK_NAME).read_text().strip() == str(holder.pid)
        with pytest.raises(StoreLockedError), writer_lock(tmp_path, wait_seconds=0.2):
            pass
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)
    with writer_lock(tmp_path, wait_seconds=0.2):
        pass


def test_lock_of_a_killed_holder_is_free(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    holder.kill()
    holder.wait(timeout=10)
    with writer_lock(tmp_path, wait_seconds=0.2):
        assert (tmp_path / LOCK_NAME).exists()


def test_waiting_writer_gets_the_lock_when_the_first_finishes(tmp_path: Path) -> None:
    released = threading.Event()
    got_it = threading.Event()

    def second() -> None:
        released.wait(5)
        with writer_lock(tmp_path, wait_seconds=5):
            got_it.set()

    thread = threading.Thread(target=second)
    with writer_lock(tmp_path, wait_seconds=0.2):
        thread.start()
        released.set()
        time.sleep(0.3)  # the second writer is now waiting
        assert not got_it.is_set()
    thread.join(timeout=10)
    assert got_it.is_set()

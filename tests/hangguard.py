"""Run a piece of a test in a forked process that is killed at a deadline.

For inputs that once made syndicator run for minutes: the test asserts that
the work finishes, and the deadline (generous, never a speed target) keeps a
regression from hanging the suite.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable


def finishes_within(seconds: float, work: Callable[[], object]) -> bool:
    """True when `work` returned within `seconds`; the process is killed otherwise."""
    process = multiprocessing.get_context("fork").Process(target=work, daemon=True)
    process.start()
    process.join(seconds)
    if process.is_alive():
        process.kill()
        process.join(10)
        return False
    return process.exitcode == 0

"""The `syndicator` command's entry point.

Ctrl-C is answered from the first instant: importing the command line takes a
moment, and an interrupt during those imports would otherwise end in a
traceback. The handler is replaced by the long-running commands (daemon,
serve), which stop gracefully instead.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from types import FrameType
from typing import NoReturn


def exit_interrupted() -> NoReturn:
    """One line and status 130, without unwinding: feeds are replaced atomically and
    the store rolls back, so there is nothing to finish, and nothing to wait for
    (worker processes die with their parent)."""
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    with contextlib.suppress(OSError):
        os.write(2, b"\nsyndicator: interrupted\n")
    os._exit(130)


def _on_sigint(_signum: int, _frame: FrameType | None) -> None:
    exit_interrupted()


def run() -> None:
    signal.signal(signal.SIGINT, _on_sigint)
    from syndicator.cli import main

    main()


if __name__ == "__main__":
    run()

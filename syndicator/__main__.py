"""The `syndicator` command's entry point.

Ctrl-C is answered from the first instant: importing the command line takes a
moment, and an interrupt during those imports would otherwise end in a
traceback. The handler is replaced by the long-running commands (daemon,
serve), which stop gracefully instead.
"""

from __future__ import annotations

import signal
from types import FrameType

from syndicator.interrupt import exit_interrupted


def _on_sigint(_signum: int, _frame: FrameType | None) -> None:
    exit_interrupted()


def run() -> None:
    signal.signal(signal.SIGINT, _on_sigint)
    from syndicator.cli import main

    main()


if __name__ == "__main__":
    run()

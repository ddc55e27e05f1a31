"""The `syndicator` command's entry point.

Ctrl-C is answered from the first instant: importing the command line takes a
moment, and an interrupt during those imports would otherwise end in a
traceback. The handler is replaced by the long-running commands (daemon,
serve), which stop gracefully instead; once the command has ended, Ctrl-C is
ignored while the interpreter shuts down.
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

    try:
        main()
    finally:
        # The command is over and its status decided. While the interpreter shuts
        # down it puts back the default action of a signal that has a Python
        # handler, and a Ctrl-C then would kill the process (status -2, no
        # message); an ignored signal stays ignored, and there is nothing left to stop.
        signal.signal(signal.SIGINT, signal.SIG_IGN)


if __name__ == "__main__":
    run()

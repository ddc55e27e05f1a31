"""How a command ends when the user interrupts it (Ctrl-C).

Kept apart from the command line so the entry point (`__main__`) can answer
an interrupt before the command line is imported, and the command line can
end the same way, without either importing the other.
"""

from __future__ import annotations

import contextlib
import os
import sys
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

"""The command line: a thin shell that loads configuration, calls the run and
formats its report.

Progress goes to stderr, the summary to stdout; errors are one line naming
what failed and how to fix it; a traceback only with --traceback.

`_shell` holds the group, the exit statuses, the error handler and the
options several commands share; the commands live in `publish` (publish,
validate), `state` (history, retract, discover), `daemon` (daemon, serve),
`setup` (init, completion), `store` (state migrate) and `backfill`. The group
imports a command's module when the command is run or listed
(`_shell.COMMAND_MODULES`): `syndicator --version` imports none of them.
"""

from __future__ import annotations

from syndicator.cli._shell import (
    COMMAND_MODULES,
    ExitStatus,
    cli,
    closed_pipe,
    config_option,
    exit_statuses,
    handle_errors,
)
from syndicator.interrupt import exit_interrupted


def main() -> None:
    try:
        cli(prog_name="syndicator")
    except KeyboardInterrupt:
        exit_interrupted()
    except BrokenPipeError:
        closed_pipe()


__all__ = [
    "COMMAND_MODULES",
    "ExitStatus",
    "cli",
    "config_option",
    "exit_statuses",
    "handle_errors",
    "main",
]

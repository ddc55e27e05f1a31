"""The command line: a thin shell that loads configuration, calls the run and
formats its report.

Progress goes to stderr, the summary to stdout; errors are one line naming
what failed and how to fix it; a traceback only with --traceback.

This module holds the group, the exit statuses, the error handler and the
options several commands share; the commands live in `publish` (publish,
validate), `state` (history, retract, discover) and `daemon` (daemon, serve).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from enum import IntEnum
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from syndicator import __version__
from syndicator.config import Config, load_config, resolve_config_path
from syndicator.errors import ConfigError, StoreLockedError, SyndicatorError


class ExitStatus(IntEnum):
    """Documented in the README; scripts rely on them."""

    OK = 0  # everything published
    ERROR = 1  # an infrastructure failure: store, disk, unexpected error
    USAGE = 2  # bad command-line usage (click's own)
    CONFIG = 3  # the configuration is invalid; nothing was written
    REJECTED = 4  # the run finished, but some records were rejected
    LOCKED = 5  # another publish holds the lock
    SOURCE = 6  # the run finished, but a whole source could not be read


F = TypeVar("F", bound=Callable[..., Any])


def _now() -> datetime:
    """The one place the CLI reads the clock; everything below gets `now` passed in."""
    return datetime.now(UTC).replace(microsecond=0)


def handle_errors(func: F) -> F:
    """Our errors become one line on stderr and an exit status, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        traceback = click.get_current_context().find_root().params.get("traceback", False)
        try:
            return func(*args, **kwargs)
        except SyndicatorError as e:
            if traceback:
                raise
            status = ExitStatus.ERROR
            if isinstance(e, ConfigError):
                status = ExitStatus.CONFIG
            elif isinstance(e, StoreLockedError):
                status = ExitStatus.LOCKED
            click.echo(f"syndicator: error: {e}", err=True)
            sys.exit(status)
        except KeyboardInterrupt:
            click.echo("syndicator: interrupted", err=True)
            sys.exit(130)
        except Exception as e:
            if traceback:
                raise
            click.echo(
                f"syndicator: internal error: {type(e).__name__}: {e} (run again with --traceback"
                " and report it)",
                err=True,
            )
            sys.exit(ExitStatus.ERROR)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="syndicator")
@click.option("--traceback", is_flag=True, help="Show the full traceback of an error.")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug) to stderr.")
def cli(traceback: bool, verbose: int) -> None:
    """Publish article records as RSS 2.0, Atom 1.0 and JSON Feed 1.1."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Configuration file [default: $SYNDICATOR_CONFIG or config/syndicator.toml].",
)

# publish and daemon both take it; one declaration keeps their help and parsing the same.
source_option = click.option(
    "--source",
    "sources",
    multiple=True,
    help="Publish this folder or URL instead of the configured sources (repeatable).",
)


def _load(
    config_path: Path | None, sources: tuple[str, ...], output: Path | None, items: int | None
) -> Config:
    config = load_config(resolve_config_path(config_path))
    chosen = tuple(s if s.startswith(("http://", "https://")) else Path(s) for s in sources)
    return config.with_overrides(sources=chosen, output=output, items=items)


def main() -> None:
    cli(prog_name="syndicator")


# The command modules register themselves on `cli` when imported; they import
# the names above, so they come last.
from syndicator.cli import daemon, publish, state  # noqa: E402

__all__ = ["ExitStatus", "cli", "config_option", "daemon", "handle_errors", "main", "publish", "state"]

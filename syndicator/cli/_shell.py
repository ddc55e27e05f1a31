"""What every command shares: the group, the exit statuses, the error
handler, the options several commands take, and reading the clock.

The command modules (`publish`, `state`, `daemon`, `setup`, `store`,
`backfill`) import from here and register themselves on `cli`. The group
imports a command's module when that command is run or listed
(`COMMAND_MODULES`), so a command imports only what it uses and
`syndicator --version` none of them; nothing here imports a command module
at import time, so the package has no import cycle.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from enum import IntEnum
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from syndicator import __version__
from syndicator.errors import ConfigError, StoreLockedError, SyndicatorError
from syndicator.interrupt import exit_interrupted
from syndicator.logs import RedactingFormatter

if TYPE_CHECKING:
    from syndicator.config import Config

# The module that defines each command. It is imported when the command runs,
# or when `--help` lists the commands.
COMMAND_MODULES: dict[str, str] = {
    "backfill": "syndicator.cli.backfill",
    "completion": "syndicator.cli.setup",
    "daemon": "syndicator.cli.daemon",
    "discover": "syndicator.cli.state",
    "history": "syndicator.cli.state",
    "init": "syndicator.cli.setup",
    "publish": "syndicator.cli.publish",
    "retract": "syndicator.cli.state",
    "serve": "syndicator.cli.daemon",
    "state": "syndicator.cli.store",
    "validate": "syndicator.cli.publish",
}


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


EPILOG = """\b
Examples:
  syndicator init mysite && cd mysite && syndicator publish
  syndicator publish --source articles/ --output public/ --title "My news"
  syndicator daemon                   publish on the schedule and serve the feeds
  syndicator history --limit 3

Run `syndicator COMMAND --help` for a command's options, examples and exit status.
Shell completion: see `syndicator completion --help`."""


def _now() -> datetime:
    """The one place the CLI reads the clock; everything below gets `now` passed in."""
    return datetime.now(UTC).replace(microsecond=0)


def handle_errors(func: F) -> F:
    """Our errors become one line on stderr and an exit status, never a traceback.

    It also hands a command the global `--config` when it was given before the
    command's name (`syndicator --config X publish`)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        meta = click.get_current_context().find_root().meta
        if "config_path" in kwargs and kwargs["config_path"] is None:
            kwargs["config_path"] = meta.get(META_CONFIG)
        traceback = bool(meta.get(META_TRACEBACK))
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
            click.echo(f"syndicator: error: {e}", err=True, color=use_color())
            sys.exit(status)
        except KeyboardInterrupt:
            exit_interrupted()
        except BrokenPipeError:
            closed_pipe()
        except click.ClickException:
            raise  # a usage error found inside a command: click prints it, status 2
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


def closed_pipe() -> NoReturn:
    """`syndicator history | head`: the reader left; stop quietly (status 141, as for SIGPIPE)."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    os._exit(141)


META_CONFIG = "syndicator.config_path"
META_TRACEBACK = "syndicator.traceback"
META_VERBOSE = "syndicator.verbose"
META_NO_COLOR = "syndicator.no_color"


def use_color() -> bool | None:
    """None lets click colour a terminal only; NO_COLOR or --no-color turn it off."""
    if os.environ.get("NO_COLOR") or click.get_current_context(silent=True) is None:
        return False if os.environ.get("NO_COLOR") else None
    return False if click.get_current_context().find_root().meta.get(META_NO_COLOR) else None


def _set_traceback(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.find_root().meta[META_TRACEBACK] = True


def _set_no_color(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.find_root().meta[META_NO_COLOR] = True


def _set_verbose(ctx: click.Context, _param: click.Parameter, value: int) -> None:
    meta = ctx.find_root().meta
    meta[META_VERBOSE] = meta.get(META_VERBOSE, 0) + value
    level = logging.WARNING - 10 * min(meta[META_VERBOSE], 2)
    logging.getLogger().setLevel(level)


def _set_config(ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path | None:
    if value is not None:
        ctx.find_root().meta[META_CONFIG] = value
    return value


def _global_options() -> list[click.Parameter]:
    """Accepted before or after the command's name: `syndicator -v publish` and
    `syndicator publish -v` are the same."""
    return [
        click.Option(
            ["-v", "--verbose"],
            count=True,
            expose_value=False,
            callback=_set_verbose,
            help="Log more (-v info, -vv debug) to stderr.",
        ),
        click.Option(
            ["--traceback"],
            is_flag=True,
            expose_value=False,
            callback=_set_traceback,
            help="Show the full traceback of an error.",
        ),
        click.Option(
            ["--no-color"],
            is_flag=True,
            expose_value=False,
            callback=_set_no_color,
            help="No colour, even on a terminal (NO_COLOR=1 does the same).",
        ),
    ]


class _Command(click.Command):
    """Every command takes the global options too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.extend(_global_options())


class _Group(click.Group):
    command_class = _Command

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMAND_MODULES})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, its module imported first if it has not registered yet."""
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            importlib.import_module(COMMAND_MODULES[cmd_name])
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EPILOG,
)
@click.version_option(__version__, prog_name="syndicator")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    callback=_set_config,
    expose_value=False,
    help="Configuration file [default: $SYNDICATOR_CONFIG, ./syndicator.toml or config/syndicator.toml].",
)
def cli() -> None:
    """Publish article records as RSS 2.0, Atom 1.0 and JSON Feed 1.1."""
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    for handler in logging.getLogger().handlers:  # no credential in a URL reaches stderr
        if handler.formatter is not None and not isinstance(handler.formatter, RedactingFormatter):
            handler.setFormatter(RedactingFormatter(handler.formatter))


for _option in _global_options():
    cli.params.append(_option)


config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    callback=_set_config,
    help="Configuration file [default: $SYNDICATOR_CONFIG, ./syndicator.toml or config/syndicator.toml].",
)

# publish and daemon both take it; one declaration keeps their help and parsing the same.
source_option = click.option(
    "--source",
    "sources",
    multiple=True,
    help="Publish this folder or URL instead of the configured sources (repeatable).",
)


def _load(
    config_path: Path | None,
    sources: tuple[str, ...],
    output: Path | None,
    items: int | None,
    *,
    state: Path | None = None,
) -> Config:
    """The configured site, with the command line's overrides. An `--output`
    other than the configured one gets a state of its own (see oneoff.py)."""
    from syndicator.config import load_config, resolve_config_path
    from syndicator.oneoff import state_for_output

    config = load_config(resolve_config_path(config_path))
    chosen = tuple(s if s.startswith(("http://", "https://")) else Path(s) for s in sources)
    if output is not None and state is None and output.resolve() != config.output.directory:
        state = state_for_output(output)
    return config.with_overrides(sources=chosen, output=output, items=items, state=state)


def exit_statuses(*statuses: ExitStatus) -> str:
    """The 'Exit status' section of a command's help."""
    return "\b\nExit status:\n" + "\n".join(f"  {int(s)}  {_STATUS_TEXT[s]}" for s in statuses)


_STATUS_TEXT = {
    ExitStatus.OK: "done",
    ExitStatus.ERROR: "a failure of the store, the disk, or an unexpected error",
    ExitStatus.USAGE: "bad command-line usage",
    ExitStatus.CONFIG: "the configuration is invalid; nothing was written",
    ExitStatus.REJECTED: "finished, but some records were rejected",
    ExitStatus.LOCKED: "another publish holds the lock",
    ExitStatus.SOURCE: "finished, but a whole source could not be read",
}

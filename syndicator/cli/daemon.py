"""`daemon` and `serve`: the long-running commands. Both configure logging
themselves (they run unattended) and serve the output directory."""

from __future__ import annotations

import logging
import sys
from dataclasses import replace
from pathlib import Path

import click

from syndicator.cli._shell import (
    ExitStatus,
    _load,
    _now,
    cli,
    config_option,
    exit_statuses,
    handle_errors,
    source_option,
)
from syndicator.config import (
    STORE_NAME,
    Config,
    find_config_path,
    load_config,
    named_config_path,
    parse_interval_text,
)
from syndicator.logs import configure_logging
from syndicator.oneoff import one_off_config, state_for_output
from syndicator.write import VALIDATORS_NAME


@cli.command(
    epilog="""\b
Examples:
  syndicator daemon                          the configured schedule, feeds on :8080
  syndicator daemon --interval 5m --no-serve
  syndicator daemon --source articles/ --output public/ --port 9000

SIGTERM or Ctrl-C stops it within seconds (a run in progress stops at a safe
point); SIGHUP reloads the configuration, keeping the old one if the new is invalid.

"""
    + exit_statuses(ExitStatus.OK, ExitStatus.ERROR, ExitStatus.USAGE, ExitStatus.CONFIG),
)
@config_option
@source_option
@click.option(
    "--output", type=click.Path(path_type=Path, file_okay=False), help="Write and serve feeds here."
)
@click.option("--interval", help="Publish this often (90s, 5m, 1h) instead of the configured schedule.")
@click.option("--host", help="Listen on this address [default: server.host].")
@click.option("--port", type=click.IntRange(0, 65535), help="Listen on this port [default: server.port].")
@click.option("--no-serve", is_flag=True, help="Only publish on schedule; do not serve the feeds.")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handle_errors
def daemon(
    config_path: Path | None,
    sources: tuple[str, ...],
    output: Path | None,
    interval: str | None,
    host: str | None,
    port: int | None,
    no_serve: bool,
    log_format: str,
) -> None:
    """Publish on a schedule and serve the feeds; SIGHUP reloads, SIGTERM stops."""
    configure_logging(level=logging.INFO, fmt=log_format)
    one_off = output is not None and bool(sources) and named_config_path(config_path) is None

    def load() -> Config:
        if one_off and output is not None:
            config = one_off_config(output=output, sources=tuple(_source(s) for s in sources)).config
        else:
            config = _load(config_path, sources, output, None)
        if interval is not None:
            config = replace(config, cron=None, interval_seconds=parse_interval_option(interval))
        return config

    from syndicator.daemon import Daemon  # apscheduler and the run: only for this command

    runner = Daemon(load, now=_now)
    code = runner.run(
        host=host or runner.config.server_host,
        port=runner.config.server_port if port is None else port,
        serve=not no_serve,
    )
    sys.exit(code)


def _source(text: str) -> Path | str:
    return text if text.startswith(("http://", "https://")) else Path(text)


def parse_interval_option(text: str) -> int:
    return parse_interval_text(text, "--interval", "")


@cli.command(
    epilog="""\b
Examples:
  syndicator serve                        the configured output folder
  syndicator serve --output public/ --port 9000

"""
    + exit_statuses(ExitStatus.OK, ExitStatus.ERROR, ExitStatus.USAGE, ExitStatus.CONFIG),
)
@config_option
@click.option("--output", type=click.Path(path_type=Path, file_okay=False), help="Serve this folder.")
@click.option("--host", help="Listen on this address [default: server.host].")
@click.option("--port", type=click.IntRange(0, 65535), help="Listen on this port [default: server.port].")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handle_errors
def serve(
    config_path: Path | None, output: Path | None, host: str | None, port: int | None, log_format: str
) -> None:
    """Serve an existing output directory (no publishing); /status tells the last run."""
    configure_logging(level=logging.INFO, fmt=log_format)
    path = find_config_path(config_path)
    config = load_config(path) if path is not None else None
    directory = (
        output.resolve() if output is not None else (config.output.directory if config else Path("feeds"))
    )
    from syndicator.daemon import schedule_seconds
    from syndicator.server import ServerSettings, store_status
    from syndicator.server import serve as run_server

    settings = ServerSettings(
        directory=directory,
        host=host or (config.server_host if config else "127.0.0.1"),
        port=port if port is not None else (config.server_port if config else 8080),
        max_age_seconds=schedule_seconds(config) if config else 300,
        hubs=config.advertised_hubs if config else (),
        public_url=config.site.feeds_url if config else None,
        request_timeout_seconds=config.server_request_timeout if config else 10.0,
        connections_per_client=config.server_connections_per_client if config else 32,
    )
    # Without a configuration, the folder may be a one-off output, whose state lives elsewhere.
    state = config.state_directory if config else state_for_output(directory)
    settings = replace(settings, validators=state / VALIDATORS_NAME)
    run_server(settings, status=store_status(config.store_location if config else state / STORE_NAME))

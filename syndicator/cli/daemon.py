"""`daemon` and `serve`: the long-running commands. Both configure logging
themselves (they run unattended) and serve the output directory."""

from __future__ import annotations

import logging
import sys
from dataclasses import replace
from pathlib import Path

import click

from syndicator.cli import _load, _now, cli, config_option, handle_errors, source_option
from syndicator.config import Config, load_config, parse_interval_text, resolve_config_path
from syndicator.daemon import Daemon, schedule_seconds
from syndicator.logs import configure_logging
from syndicator.server import ServerSettings
from syndicator.server import serve as run_server


@cli.command()
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
    path = resolve_config_path(config_path)

    def load() -> Config:
        config = _load(path, sources, output, None)
        if interval is not None:
            config = replace(config, cron=None, interval_seconds=parse_interval_option(interval))
        return config

    runner = Daemon(load, now=_now)
    code = runner.run(
        host=host or runner.config.server_host,
        port=runner.config.server_port if port is None else port,
        serve=not no_serve,
    )
    sys.exit(code)


def parse_interval_option(text: str) -> int:
    return parse_interval_text(text, "--interval", "")


@cli.command()
@config_option
@click.option("--output", type=click.Path(path_type=Path, file_okay=False), help="Serve this folder.")
@click.option("--host", help="Listen on this address [default: server.host].")
@click.option("--port", type=click.IntRange(0, 65535), help="Listen on this port [default: server.port].")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handle_errors
def serve(
    config_path: Path | None, output: Path | None, host: str | None, port: int | None, log_format: str
) -> None:
    """Serve an existing output directory (no publishing)."""
    configure_logging(level=logging.INFO, fmt=log_format)
    path = resolve_config_path(config_path)
    config = load_config(path) if path.exists() or config_path is not None else None
    directory = (
        output.resolve() if output is not None else (config.output.directory if config else Path("feeds"))
    )
    settings = ServerSettings(
        directory=directory,
        host=host or (config.server_host if config else "127.0.0.1"),
        port=port if port is not None else (config.server_port if config else 8080),
        max_age_seconds=schedule_seconds(config) if config else 300,
        hubs=config.hubs if config else (),
        public_url=config.site.feeds_url if config else None,
    )
    run_server(settings)

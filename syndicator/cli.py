"""The command line: a thin shell that loads configuration, calls the run and
formats its report.

Progress goes to stderr, the summary to stdout; errors are one line naming
what failed and how to fix it; a traceback only with --traceback.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from enum import IntEnum
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from syndicator import __version__
from syndicator.articles import article_to_json
from syndicator.config import Config, load_config, resolve_config_path
from syndicator.daemon import Daemon, schedule_seconds
from syndicator.errors import ConfigError, StoreLockedError, SyndicatorError
from syndicator.intake import prepare, read_and_normalize
from syndicator.logs import configure_logging
from syndicator.output import feed_documents
from syndicator.pages import discovery_snippet
from syndicator.pipeline import STORE_NAME, publish_run, retract_run
from syndicator.report import RunReport
from syndicator.server import ServerSettings
from syndicator.server import serve as run_server
from syndicator.store import Store


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


def _load(
    config_path: Path | None, sources: tuple[str, ...], output: Path | None, items: int | None
) -> Config:
    config = load_config(resolve_config_path(config_path))
    chosen = tuple(s if s.startswith(("http://", "https://")) else Path(s) for s in sources)
    return config.with_overrides(sources=chosen, output=output, items=items)


@cli.command()
@config_option
@click.option(
    "--source",
    "sources",
    multiple=True,
    help="Publish this folder or URL instead of the configured sources (repeatable).",
)
@click.option("--output", type=click.Path(path_type=Path, file_okay=False), help="Write feeds here.")
@click.option("--items", type=click.IntRange(min=1), help="Items per feed [default: from config, 50].")
@click.option("--dry-run", is_flag=True, help="Do everything but write feeds or state.")
@click.option(
    "--full", is_flag=True, help="Re-read every source file, even those unchanged since the last run."
)
@click.option(
    "--wait",
    "wait_seconds",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="Seconds to wait for another running publish to finish.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("--json", "as_json", is_flag=True, help="Print the run report as JSON.")
@handle_errors
def publish(
    config_path: Path | None,
    sources: tuple[str, ...],
    output: Path | None,
    items: int | None,
    dry_run: bool,
    wait_seconds: float,
    full: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    """Read the sources and write the feeds, once."""
    config = _load(config_path, sources, output, items)
    progress = None
    if not quiet and not as_json and sys.stderr.isatty():

        def progress(stage: str, done: int) -> None:
            click.echo(f"\r{stage}: {done} records…", err=True, nl=False)

    report = publish_run(
        config, now=_now(), dry_run=dry_run, full=full, wait_seconds=wait_seconds, progress=progress
    )
    if progress is not None:
        click.echo("\r\033[K", err=True, nl=False)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    elif not quiet:
        click.echo(format_summary(report, config))
    for rejection in report.rejections if quiet else ():
        click.echo(f"rejected: {rejection}", err=True)
    sys.exit(exit_status(report))


def exit_status(report: RunReport) -> ExitStatus:
    if report.source_errors:
        return ExitStatus.SOURCE
    return ExitStatus.REJECTED if report.rejections else ExitStatus.OK


def format_summary(report: RunReport, config: Config) -> str:
    lines = []
    skipped = f", {report.files_skipped} unchanged files skipped" if report.files_skipped else ""
    lines.append(
        f"read {report.records_read} records{skipped}: {report.added} new, {report.changed} changed, "
        f"{report.unchanged} unchanged"
        + (f", {report.retracted} retracted" if report.retracted else "")
        + (f", {report.held} held back" if report.held else "")
    )
    verb = "would publish" if report.dry_run else "published"
    lines.append(f"{verb} {report.articles_total} articles in total")
    if report.removed_from_source:
        lines.append(
            f"{report.removed_from_source} articles are no longer in their source"
            + (
                " and were retracted"
                if config.output.removed == "retract"
                else " (kept: output.removed = keep)"
            )
        )
    for error in report.source_errors:
        lines.append(f"source failed: {error}")
    if report.rejections:
        lines.append(f"rejected {len(report.rejections)} records:")
        lines.extend(f"  {r}" for r in report.rejections)
        if report.rejection_report:
            lines.append(f"  (kept in {report.rejection_report})")
    if report.duplicates:
        lines.append(f"skipped {len(report.duplicates)} duplicates:")
        lines.extend(f"  {d}" for d in report.duplicates)
    if report.pings:
        lines.append(f"sent {len(report.pings)} WebSub pings, {report.pings_failed} failed")
        lines.extend(f"  {p}" for p in report.pings if "failed" in p)
    written = "would write" if report.dry_run else "wrote"
    lines.append(
        f"{written} {len(report.feeds_written)} files, {len(report.feeds_unchanged)} unchanged, "
        f"in {config.output.directory} ({report.duration:.2f}s)"
    )
    return "\n".join(lines)


@cli.command()
@config_option
@click.option("--explain", is_flag=True, help="Show each normalized record and what was inferred.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@handle_errors
def validate(config_path: Path | None, explain: bool, as_json: bool, paths: tuple[Path, ...]) -> None:
    """Check records and print what would be rejected, without writing anything."""
    config = load_config(resolve_config_path(config_path))
    folders = tuple(p for p in paths if p.is_dir())
    files = tuple(p for p in paths if not p.is_dir())
    config = config.with_overrides(sources=folders + tuple(sorted({f.parent for f in files})))
    intake = read_and_normalize(prepare(config, now=_now()))
    chosen = {f.resolve() for f in files}

    def wanted(origin: str) -> bool:
        return (
            not files
            or Path(origin).resolve() in chosen
            or any(Path(origin).resolve().is_relative_to(d.resolve()) for d in folders)
        )

    pairs = [(raw, a) for raw, a in intake.pairs if wanted(raw.origin)]
    rejections = [r for r in intake.rejections if wanted(r.origin)]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "valid": [
                        dict(article_to_json(a), where=raw.where, inferred=dict(a.inferred))
                        for raw, a in pairs
                    ],
                    "rejected": [
                        {"message": str(r), "field": r.field, "reason": r.reason} for r in rejections
                    ],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        for raw, article in pairs:
            click.echo(f"ok: {raw.where}: {article.title}")
            if explain:
                data = article_to_json(article)
                for key in ("id", "url", "title", "published", "updated", "language"):
                    if key in data:
                        click.echo(f"    {key}: {data[key]}")
                click.echo(f"    authors: {', '.join(a.name for a in article.authors) or '-'}")
                click.echo(f"    categories: {', '.join(c.label for c in article.categories) or '-'}")
                click.echo(f"    summary: {article.summary[:120]}")
                for field_name, how in article.inferred:
                    click.echo(f"    inferred {field_name}: from {how}")
        for rejection in rejections:
            click.echo(f"rejected: {rejection}")
        click.echo(f"{len(pairs)} valid, {len(rejections)} rejected")
    sys.exit(ExitStatus.REJECTED if rejections else ExitStatus.OK)


@cli.command()
@config_option
@click.option("--limit", default=10, show_default=True, type=click.IntRange(min=1), help="How many runs.")
@click.option("--json", "as_json", is_flag=True, help="Print the history as JSON.")
@handle_errors
def history(config_path: Path | None, limit: int, as_json: bool) -> None:
    """Show what each run added, changed, retracted or rejected, newest first."""
    config = load_config(resolve_config_path(config_path))
    store_path = config.state_directory / STORE_NAME
    if not store_path.exists():
        click.echo(f"no runs yet ({store_path} does not exist)")
        return
    with Store(store_path) as store:
        runs = store.history(limit)
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "run": rid,
                        "started": started,
                        "outcome": outcome,
                        "events": [
                            {"action": a, "id": aid, "ref": ref, "detail": d} for a, aid, ref, d in events
                        ],
                    }
                    for rid, started, outcome, events in runs
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    for rid, started, outcome, events in runs:
        click.echo(f"run {rid}  {started}  {outcome or 'unfinished'}  {len(events)} events")
        for action, aid, ref, detail in events:
            extra = f"  ({detail})" if detail else ""
            click.echo(f"  {action:<10} {aid or '-'}  {ref}{extra}")


@cli.command()
@config_option
@click.option("--undo", is_flag=True, help="Bring back an article retracted by hand.")
@click.argument("article_id")
@handle_errors
def retract(config_path: Path | None, undo: bool, article_id: str) -> None:
    """Remove one article (by id) from every feed; it stays out until `retract --undo`."""
    config = load_config(resolve_config_path(config_path))
    done, written = retract_run(config, article_id, now=_now(), undo=undo)
    if done and undo:
        click.echo(f"restored {article_id}; rewrote {len(written)} feed files")
        return
    if not done and undo:
        click.echo(f"syndicator: error: {article_id!r} was not retracted by hand", err=True)
        sys.exit(ExitStatus.ERROR)
    if not done:
        click.echo(
            f"syndicator: error: no published article has id {article_id!r} "
            "(see `syndicator history` or the feeds for ids)",
            err=True,
        )
        sys.exit(ExitStatus.ERROR)
    click.echo(f"retracted {article_id}; rewrote {len(written)} feed files")


@cli.command()
@config_option
@click.option(
    "--source",
    "sources",
    multiple=True,
    help="Publish this folder or URL instead of the configured sources (repeatable).",
)
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
    from syndicator.config import parse_interval_text

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


@cli.command()
@config_option
@handle_errors
def discover(config_path: Path | None) -> None:
    """Print the <link rel="alternate"> tags to paste into your site's <head>."""
    config = load_config(resolve_config_path(config_path))
    store_path = config.state_directory / STORE_NAME
    if not store_path.exists():
        click.echo("syndicator: error: nothing published yet; run `syndicator publish` first", err=True)
        sys.exit(ExitStatus.ERROR)
    with Store(store_path) as store:
        documents = feed_documents(config, store)
    click.echo(discovery_snippet(documents, formats=config.output.formats))


def main() -> None:
    cli(prog_name="syndicator")

"""`publish` and `validate`: the two commands that read sources, and the
summary a publish prints."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import click

from syndicator.articles import article_to_json
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
from syndicator.cli.progress import progress_display
from syndicator.config import Config, find_config_path, load_config, named_config_path
from syndicator.errors import ConfigError
from syndicator.oneoff import foreign_files, neutral_config, one_off_config
from syndicator.report import RunReport


@cli.command(
    epilog="""\b
Examples:
  syndicator publish                       the configured site (./syndicator.toml)
  syndicator publish --source articles/ --output public/
                                           any folder, no configuration needed
  syndicator publish --source https://example.com/feed.xml --output public/ --title "Mirror"
  syndicator publish --dry-run --json      what would change, as JSON

With --source and --output but no --config, the output is a site of its own: its
title, base URL and state are kept outside the output folder (see the README),
and history, retract and discover reach it with --output.

"""
    + exit_statuses(
        ExitStatus.OK,
        ExitStatus.ERROR,
        ExitStatus.USAGE,
        ExitStatus.CONFIG,
        ExitStatus.REJECTED,
        ExitStatus.LOCKED,
        ExitStatus.SOURCE,
    ),
)
@config_option
@source_option
@click.option("--output", type=click.Path(path_type=Path, file_okay=False), help="Write feeds here.")
@click.option("--title", help="Title of a one-off output's feeds [default: the source folder's name].")
@click.option(
    "--base-url", help="Public URL a one-off output is served at [default: http://localhost:8080/]."
)
@click.option(
    "--state",
    type=click.Path(path_type=Path, file_okay=False),
    help="Keep the output's state here [default: see the README].",
)
@click.option("--force", is_flag=True, help="Write into an --output folder holding other files.")
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
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    help="Processes that normalize a big run: 1 for none, 0 for one per core"
    " [default: from config, normalize.workers, 0].",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("--json", "as_json", is_flag=True, help="Print the run report as JSON.")
@handle_errors
def publish(
    config_path: Path | None,
    sources: tuple[str, ...],
    output: Path | None,
    title: str | None,
    base_url: str | None,
    state: Path | None,
    force: bool,
    items: int | None,
    dry_run: bool,
    wait_seconds: float,
    full: bool,
    workers: int | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Read the sources and write the feeds, once."""
    from syndicator.pipeline import publish_run  # the run's modules: not for --help or another command

    chosen = tuple(s if s.startswith(("http://", "https://")) else Path(s) for s in sources)
    if output is not None and sources and named_config_path(config_path) is None:
        one_off = one_off_config(
            output=output, state=state, sources=chosen, title=title, base_url=base_url, items=items
        )
        config, assumed = one_off.config, one_off.assumed
    else:
        if title is not None or base_url is not None:
            raise ConfigError(
                "--title" if title is not None else "--base-url",
                "",
                "is for a one-off publish (--source and --output without --config);"
                " a configured site sets it in [site]",
            )
        config, assumed = _load(config_path, sources, output, items, state=state), ()
    if workers is not None:
        config = dataclasses.replace(config, normalize_workers=workers)
    if output is not None and not force:
        foreign = foreign_files(config.output.directory, config.state_directory)
        if foreign:
            shown = ", ".join(foreign[:3]) + (", …" if len(foreign) > 3 else "")
            click.echo(
                f"syndicator: error: {output} holds files syndicator did not write ({shown});"
                " choose an empty folder, or --force to write there anyway",
                err=True,
            )
            sys.exit(ExitStatus.USAGE)
    if not quiet and not as_json:
        for line in assumed:
            click.echo(f"assumed: {line}", err=True)
    with progress_display(enabled=not quiet and not as_json) as progress:
        report = publish_run(
            config, now=_now(), dry_run=dry_run, full=full, wait_seconds=wait_seconds, progress=progress
        )
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    elif not quiet:
        click.echo(format_summary(report, config))
    for error in report.source_errors if quiet else ():
        click.echo(f"source failed: {error}", err=True)
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
                (" and would be retracted" if report.dry_run else " and were retracted")
                if config.output.removed == "retract"
                else " (kept: output.removed = keep)"
            )
        )
    for error in report.source_errors:
        lines.append(f"source failed: {error}")
    if report.rejections:
        retold = sum(r.retold for r in report.rejections)
        lines.append(
            f"rejected {len(report.rejections)} records"
            + (f" ({retold} in files unchanged since they were read)" if retold else "")
            + ":"
        )
        lines.extend(f"  {r}" for r in report.rejections)
        if report.rejection_report:
            lines.append(f"  (kept in {report.rejection_report})")
    if report.warnings:
        lines.append(f"{len(report.warnings)} warnings:")
        lines.extend(f"  {w}" for w in report.warnings)
    if report.duplicates:
        lines.append(f"skipped {len(report.duplicates)} duplicates:")
        lines.extend(f"  {d}" for d in report.duplicates)
    if report.pings:
        lines.append(f"sent {len(report.pings)} WebSub pings, {report.pings_failed} failed")
        lines.extend(f"  {p}" for p in report.pings if "failed" in p)
    if config.object_storage is not None and not report.dry_run:
        deleted = f", deleted {len(report.objects_deleted)}" if report.objects_deleted else ""
        lines.append(
            f"uploaded {len(report.objects_uploaded)} objects ({report.upload_bytes} bytes){deleted}"
            f" to {config.object_storage.url}"
        )
    written = "would write" if report.dry_run else "wrote"
    if report.output_up_to_date and len(set(report.failed_sources)) >= len(config.sources) > 0:
        lines.append(
            f"wrote nothing: no source could be read; {config.output.directory} stays as it was"
            f" ({report.duration:.2f}s)"
        )
    elif report.output_up_to_date:
        lines.append(f"nothing changed: {config.output.directory} is up to date ({report.duration:.2f}s)")
    else:
        lines.append(
            f"{written} {len(report.feeds_written)} files, {len(report.feeds_unchanged)} unchanged, "
            f"in {config.output.directory} ({report.duration:.2f}s)"
        )
    return "\n".join(lines)


@cli.command(
    epilog="""\b
Examples:
  syndicator validate articles/            every record of a folder
  syndicator validate --explain a.json     what was inferred, and from what
  syndicator validate --json articles/ | jq '.rejected'
  syndicator validate --profile google-news feeds/   the written feeds, as Google News reads them

Profiles: google-news, apple-news, flipboard, microsoft-start; each finding
quotes the aggregator's rule and the page it is published on.

Works with no configuration too (a neutral site: any language, UTC).

"""
    + exit_statuses(ExitStatus.OK, ExitStatus.USAGE, ExitStatus.CONFIG, ExitStatus.REJECTED),
)
@config_option
@click.option("--explain", is_flag=True, help="Show each normalized record and what was inferred.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option(
    "--profile",
    metavar="NAME",
    help="Check written feeds (PATHS: the output directory; default: the configured one) "
    "against an aggregator's requirements.",
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, exists=True))
@handle_errors
def validate(
    config_path: Path | None, explain: bool, as_json: bool, profile: str | None, paths: tuple[Path, ...]
) -> None:
    """Check records and print what would be rejected, without writing anything."""
    from syndicator.intake import prepare, read_and_normalize

    if profile is not None:
        validate_profile(config_path, profile, as_json, paths)
        return
    if not paths:
        raise click.UsageError("Missing argument 'PATHS...'.")
    folders = tuple(p for p in paths if p.is_dir())
    files = tuple(p for p in paths if not p.is_dir())
    read: tuple[Path | str, ...] = folders + tuple(sorted({f.parent for f in files}))
    path = find_config_path(config_path)
    config = (
        load_config(path, folders=False).with_overrides(sources=read, folders=False)
        if path is not None
        else neutral_config(read)
    )
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
                        dict(
                            article_to_json(a),
                            where=raw.where,
                            inferred=dict(a.inferred),
                            warnings=[f"{field}: {message}" for field, message in a.warnings],
                        )
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
            for field_name, message in article.warnings:
                click.echo(f"warning: {raw.where}: {field_name}: {message}")
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
        repaired = sum(len(a.warnings) for _, a in pairs)
        click.echo(
            f"{len(pairs)} valid, {len(rejections)} rejected"
            + (f", {repaired} fields repaired" if repaired else "")
        )
    sys.exit(ExitStatus.REJECTED if rejections else ExitStatus.OK)


def validate_profile(config_path: Path | None, profile: str, as_json: bool, paths: tuple[Path, ...]) -> None:
    """`validate --profile`: the written feeds against one aggregator's published rules."""
    from syndicator.profiles import check_output  # lxml: only when asked for

    if len(paths) > 1:
        raise click.UsageError("--profile checks one output directory")
    if paths:
        output = paths[0]
    else:
        path = find_config_path(config_path)
        if path is None:
            raise click.UsageError("name the output directory, or run where syndicator.toml is")
        output = load_config(path).output.directory
    findings = check_output(output, profile, _now())
    if as_json:
        body = [
            {
                "feed": f.feed,
                "item": f.item,
                "message": f.message,
                "rule": f.rule.says,
                "source": f.rule.source,
            }
            for f in findings
        ]
        click.echo(json.dumps({"profile": profile, "findings": body}, indent=2, ensure_ascii=False))
    else:
        for finding in findings:
            click.echo(str(finding))
        feeds = len({f.feed for f in findings})
        click.echo(f"{profile}: {len(findings)} findings in {feeds} feeds of {output}")
    sys.exit(ExitStatus.REJECTED if findings else ExitStatus.OK)

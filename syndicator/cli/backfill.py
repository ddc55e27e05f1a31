"""`backfill`: a big archive ingested in parts by several processes, published once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click

from syndicator.cli._shell import ExitStatus, _load, _now, cli, config_option, exit_statuses, handle_errors
from syndicator.cli.publish import exit_status


@cli.command(
    epilog="""\b
Examples:
  syndicator backfill archive/ --parts 4        four processes on this host
  syndicator backfill archive/ --part 1/2       on one host …
  syndicator backfill archive/ --part 2/2       … and on another, sharing the store

Each part stores the articles of its share of the folder's files and writes
no feed; every publish (the daemon's runs included) leaves the output as it
was until all parts are stored, then the next one publishes them at once. A
part that failed or was killed is run again with the same --part.

"""
    + exit_statuses(
        ExitStatus.OK, ExitStatus.ERROR, ExitStatus.USAGE, ExitStatus.CONFIG, ExitStatus.REJECTED
    ),
)
@config_option
@click.argument("folder", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--name", default="backfill", show_default=True, help="The source name its articles get.")
@click.option("--part", "part_text", help="Store only part K of N of the files (K/N), in this process.")
@click.option("--parts", type=click.IntRange(min=1), help="Store all N parts, in N processes at once.")
@click.option("--json", "as_json", is_flag=True, help="Print the report of each part as JSON.")
@handle_errors
def backfill(
    config_path: Path | None,
    folder: Path,
    name: str,
    part_text: str | None,
    parts: int | None,
    as_json: bool,
) -> None:
    """Ingest a folder in parts, in parallel; the feeds show it only once all is stored."""
    config = _load(config_path, (), None, None)
    if name in {s.name for s in config.sources}:
        raise click.UsageError(f"--name {name!r} is a configured source; give the backfill a name of its own")
    if (part_text is None) == (parts is None):
        raise click.UsageError("give --part K/N (this process stores part K) or --parts N (N processes)")
    if parts is not None:
        sys.exit(_all_parts(config_path, folder, name, parts, as_json))
    from syndicator.backfill import backfill_run  # the run's modules: only for this command
    from syndicator.sources.directory import parse_part

    try:
        part, count = parse_part(part_text)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--part") from e
    report = backfill_run(config, folder.resolve(), name=name, part=part, parts=count, now=_now())
    if as_json:
        click.echo(json.dumps({"part": f"{part}/{count}", **report.to_json()}, ensure_ascii=False))
    else:
        held = "; ".join(report.output_held) or "every part stored: the next publish writes them"
        click.echo(
            f"part {part}/{count}: read {report.records_read}, added {report.added},"
            f" changed {report.changed}, unchanged {report.unchanged},"
            f" rejected {len(report.rejections)} ({held})"
        )
    sys.exit(exit_status(report))


def _all_parts(config_path: Path | None, folder: Path, name: str, parts: int, as_json: bool) -> int:
    """Every part in a process of its own; the worst exit status of them."""
    command = [sys.executable, "-m", "syndicator"]
    if config_path is not None:
        command += ["--config", str(config_path)]
    children = [
        subprocess.Popen(
            [*command, "backfill", str(folder), "--name", name, "--part", f"{k}/{parts}"]
            + (["--json"] if as_json else [])
        )
        for k in range(1, parts + 1)
    ]
    codes = [child.wait() for child in children]
    return max(codes)

"""`history`, `retract` and `discover`: the commands that look at (or amend)
what earlier runs stored, without reading any source."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from syndicator.cli._shell import ExitStatus, _now, cli, config_option, exit_statuses, handle_errors
from syndicator.config import Config, find_config_path, load_config, named_config_path
from syndicator.oneoff import existing_one_off, state_for_output

output_option = click.option(
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    help="The output folder of a one-off `publish --source --output`.",
)
state_option = click.option(
    "--state",
    type=click.Path(path_type=Path, file_okay=False),
    help="Its state folder, if it was published with --state.",
)


def site_config(config_path: Path | None, output: Path | None, state: Path | None) -> Config:
    """The site these commands look at: a one-off output named by --output or
    --state, else the configured site."""
    if output is None and state is None:
        path = find_config_path(config_path)
        if path is None:
            return existing_one_off(None, None)  # says what to name
        return load_config(path)
    named = named_config_path(config_path)
    if named is None:
        return existing_one_off(output, state)
    config = load_config(named)
    return config.with_overrides(output=output, state=state or (state_for_output(output) if output else None))


@cli.command(
    epilog="""\b
Examples:
  syndicator history                    the last 10 runs
  syndicator history --limit 1 --json   the last run, as JSON
  syndicator history --output public/   the runs of a one-off output

"""
    + exit_statuses(ExitStatus.OK, ExitStatus.ERROR, ExitStatus.USAGE, ExitStatus.CONFIG),
)
@config_option
@output_option
@state_option
@click.option("--limit", default=10, show_default=True, type=click.IntRange(min=1), help="How many runs.")
@click.option("--json", "as_json", is_flag=True, help="Print the history as JSON.")
@handle_errors
def history(
    config_path: Path | None, output: Path | None, state: Path | None, limit: int, as_json: bool
) -> None:
    """Show what each run added, changed, retracted or rejected, newest first."""
    from syndicator.store import open_store, store_exists

    config = site_config(config_path, output, state)
    if not store_exists(config.store_location):
        click.echo(f"no runs yet ({config.store_location} does not exist)")
        return
    with open_store(config.store_location) as store:
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


@cli.command(
    epilog="""\b
Examples:
  syndicator retract tag:news.example.org,2024-01-17:/world/flood
  syndicator retract --undo tag:news.example.org,2024-01-17:/world/flood
  syndicator retract --output public/ ID     in a one-off output

"""
    + exit_statuses(ExitStatus.OK, ExitStatus.ERROR, ExitStatus.USAGE, ExitStatus.CONFIG, ExitStatus.LOCKED),
)
@config_option
@output_option
@state_option
@click.option("--undo", is_flag=True, help="Bring back an article retracted by hand.")
@click.argument("article_id")
@handle_errors
def retract(
    config_path: Path | None, output: Path | None, state: Path | None, undo: bool, article_id: str
) -> None:
    """Remove one article (by id) from every feed; it stays out until `retract --undo`."""
    config = site_config(config_path, output, state)
    from syndicator.pipeline import retract_run  # the render modules: only for this command

    outcome = retract_run(config, article_id, now=_now(), undo=undo)
    done, written = outcome.done, outcome.written
    if done and undo and outcome.still_out:
        click.echo(
            f"took back the retraction of {article_id} by hand; its source does not publish it"
            " (a draft, or gone from it), so it stays out of the feeds until the source does"
        )
        return
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


@cli.command(
    epilog="""\b
Examples:
  syndicator discover > feeds-head.html
  syndicator discover --output public/   for a one-off output

"""
    + exit_statuses(ExitStatus.OK, ExitStatus.ERROR, ExitStatus.USAGE, ExitStatus.CONFIG),
)
@config_option
@output_option
@state_option
@handle_errors
def discover(config_path: Path | None, output: Path | None, state: Path | None) -> None:
    """Print the <link rel="alternate"> tags to paste into your site's <head>."""
    from syndicator.store import open_store, store_exists

    config = site_config(config_path, output, state)
    if not store_exists(config.store_location):
        click.echo("syndicator: error: nothing published yet; run `syndicator publish` first", err=True)
        sys.exit(ExitStatus.ERROR)
    from syndicator.output_documents import feed_documents
    from syndicator.render.site import discovery_snippet

    with open_store(config.store_location) as store:
        documents = feed_documents(config, store)
    click.echo(discovery_snippet(documents, formats=config.output.formats))

"""`history`, `retract` and `discover`: the commands that look at (or amend)
what earlier runs stored, without reading any source."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from syndicator.cli import ExitStatus, _now, cli, config_option, handle_errors
from syndicator.config import load_config, resolve_config_path
from syndicator.output import feed_documents
from syndicator.pages import discovery_snippet
from syndicator.pipeline import STORE_NAME, retract_run
from syndicator.store import Store


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

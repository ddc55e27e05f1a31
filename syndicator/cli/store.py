"""`state migrate`: move a site's store to another engine (SQLite to
PostgreSQL, or back) without changing any id, date or archive slot."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import click

from syndicator.cli._shell import ExitStatus, cli, exit_statuses, handle_errors
from syndicator.errors import StoreError
from syndicator.redact import public_url


@cli.group(
    name="state",
    epilog="""\b
Examples:
  syndicator state migrate --from sqlite:.syndicator/state.sqlite3 --to postgresql://syndicator@db/news

"""
    + exit_statuses(ExitStatus.OK, ExitStatus.ERROR, ExitStatus.USAGE, ExitStatus.LOCKED),
)
def state_group() -> None:
    """Look after the state store itself."""


@state_group.command(
    epilog="""\b
Examples:
  syndicator state migrate --from sqlite:.syndicator/state.sqlite3 \\
      --to postgresql://syndicator@db.example.org/news
  SYNDICATOR_STATE_URL=postgresql://… syndicator publish   then publish from it

Stop the daemon first; then set [state] url (or SYNDICATOR_STATE_URL) to the target.

"""
    + exit_statuses(ExitStatus.OK, ExitStatus.ERROR, ExitStatus.USAGE, ExitStatus.LOCKED),
)
@click.option("--from", "source", required=True, metavar="LOCATION", help="sqlite:PATH or postgresql://…")
@click.option(
    "--to", "target", required=True, metavar="LOCATION", help="An empty store: postgresql://… or sqlite:PATH"
)
@handle_errors
def migrate(source: str, target: str) -> None:
    """Copy every article, identity, run and source memory into an empty store."""
    from syndicator.lock import writer_lock
    from syndicator.store import open_store, parse_location, store_exists
    from syndicator.store._store import StoreBase

    if not store_exists(source):
        raise StoreError(f"{source}: no store there")
    with ExitStack() as stack:
        # The publisher of a SQLite site takes its folder's lock; two stores in one
        # folder share it, and it is taken once (a second take would wait on the first).
        folders = {
            where.parent.resolve()
            for where in (parse_location(source), parse_location(target))
            if isinstance(where, Path)
        }
        for folder in sorted(folders):
            stack.enter_context(writer_lock(folder, wait_seconds=30.0))
        old = stack.enter_context(open_store(source))
        new = stack.enter_context(open_store(target))
        assert isinstance(old, StoreBase) and isinstance(new, StoreBase)
        from syndicator.store._copy import copy_store

        report = copy_store(old, new)
    for table, rows in report.rows:
        click.echo(f"{table:<20} {rows} rows")
    click.echo(f"copied {public_url(source)} to {public_url(target)}")

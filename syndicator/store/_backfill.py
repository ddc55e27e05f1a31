"""A backfill spread over several processes: which of its parts are stored.

A big archive is ingested in N parts by as many processes (on one host or
several, `syndicator backfill --part K/N`), while the output must not show a
part of it. Each part registers the backfill before it stores anything, and
marks itself done once every record of its files is stored; while a backfill
has parts not done, no publisher renders the output (the articles wait in the
store, marked for rendering), and the first run after the last part renders
them all at once. A part killed half-way is run again: its articles already
stored are found unchanged, with the ids they were given.

Kept in `meta` (`backfill:NAME` → {"parts": N, "done": [K, …]}), read and
written in one transaction so that parts finishing at once never lose one
another's mark. A finished backfill stays recorded, so that a part run again
afterwards holds nothing back.
"""

from __future__ import annotations

import json

from syndicator.errors import StoreError
from syndicator.store._base import Connected

PREFIX = "backfill:"


class BackfillMixin(Connected):
    def open_backfill(self, name: str, parts: int) -> None:
        """Hold the output until the `parts` parts of backfill `name` are stored."""
        with self.transaction():
            state = self._backfill(name)
            if state is None:
                self._save_backfill(name, parts, [])
            elif state[0] != parts:
                raise StoreError(
                    f"{self.label}: backfill {name!r} has {state[0]} parts, not {parts}"
                    " (give every part the same --part K/N)"
                )

    def backfill_part_done(self, name: str, part: int) -> None:
        with self.transaction():
            state = self._backfill(name)
            if state is None:
                raise StoreError(f"{self.label}: no backfill {name!r} was opened")
            self._save_backfill(name, state[0], sorted({*state[1], part}))

    def backfills_pending(self) -> list[str]:
        """Each unfinished backfill, as 'NAME: K of N parts stored'."""
        with self.errors():
            rows = list(
                self.db.execute("SELECT key, value FROM meta WHERE key LIKE 'backfill:%' ORDER BY key")
            )
        pending = []
        for key, value in rows:
            state = json.loads(value)
            if len(state["done"]) < state["parts"]:
                pending.append(
                    f"{key.removeprefix(PREFIX)}: {len(state['done'])} of {state['parts']} parts stored"
                )
        return pending

    def _backfill(self, name: str) -> tuple[int, list[int]] | None:
        """(parts, parts done) of backfill `name`, if it was opened."""
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (PREFIX + name,)).fetchone()
        if not row:
            return None
        state = json.loads(row[0])
        return int(state["parts"]), [int(k) for k in state["done"]]

    def _save_backfill(self, name: str, parts: int, done: list[int]) -> None:
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (PREFIX + name, json.dumps({"parts": parts, "done": done}, sort_keys=True)),
        )

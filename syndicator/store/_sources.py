"""What the sources learnt between runs (file sizes, mtimes and hashes; HTTP
validators), so the next run skips what did not change, and which published
articles have since disappeared from their source.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from syndicator.model import Rejection
from syndicator.normalize.ids import text_key, title_key
from syndicator.run_end import StoredPlace
from syndicator.sources.memory import FileState, HttpValidators, Location, MemoryUpdate, SourceMemory
from syndicator.store._base import RETRACTED_BY_HAND, Connected
from syndicator.store._sqlite import source_location


class SourcesMixin(Connected):
    def _locate_source_files(self) -> None:
        """Once, after migration v13: the file of each article whose ref holds "#",
        read again with `source_location` (a file named `a#1.json` had been kept as `a`)."""
        if not self.owed("source_files_located"):
            return
        with self.transaction():
            moved = []
            for article_id, ref, name, file in self.db.execute(
                "SELECT id, source_ref, source_name, source_file FROM articles"
                " WHERE source_file IS NOT NULL AND source_ref LIKE '%#%'"
            ).fetchall():
                located = source_location(ref, (name,))[1]
                if located != file:
                    moved.append((located, article_id))
            self.db.executemany("UPDATE articles SET source_file = ? WHERE id = ?", moved)
            self.db.execute("UPDATE meta SET value = '1' WHERE key = 'source_files_located'")

    def _fill_shared_keys(self) -> None:
        """Once, after migration v17: each list record's title and text keys, for the
        articles older versions knew by them (those with a `text:` or `title:` key). A
        key named one article then, so the second "Editorial" of a file had none, and
        an edit of it could take the first one's id."""
        if not self.owed("shared_keys_filled"):
            return
        with self.transaction():
            rows = self.db.execute(
                "SELECT a.id, a.source_ref, a.data FROM articles a WHERE EXISTS (SELECT 1"
                " FROM identity_keys k WHERE k.article_id = a.id"
                " AND (k.key LIKE 'title:%' OR k.key LIKE 'text:%'))"
            ).fetchall()
            keys = []
            for article_id, ref, data in rows:
                stored = json.loads(data)
                file = ref.partition("#")[0]
                keys.append((title_key(file, stored.get("title") or ""), article_id))
                if (stored.get("content_text") or "").strip():
                    keys.append((text_key(file, stored["content_text"]), article_id))
            self.db.executemany(
                "INSERT INTO identity_keys (key, article_id) VALUES (?, ?)"
                " ON CONFLICT (key, article_id) DO NOTHING",
                keys,
            )
            self.db.execute("UPDATE meta SET value = '1' WHERE key = 'shared_keys_filled'")

    def source_memory(self, fingerprint: str) -> SourceMemory:
        with self.errors():
            files = {
                (source, path): FileState(size, mtime, digest, fp)
                for source, path, size, mtime, digest, fp in self.db.execute(
                    "SELECT source, path, size, mtime_ns, sha256, fingerprint FROM source_files"
                )
            }
            http = {
                url: HttpValidators(etag, modified)
                for url, etag, modified in self.db.execute("SELECT url, etag, last_modified FROM http_cache")
            }
            # Kept under the file's stamp, whose fingerprint names the syndicator
            # version too: after an upgrade, which may accept what it refused, the
            # file is read again and these are replaced.
            rejected: dict[Location, list[Rejection]] = {}
            for source, path, text in self.db.execute(
                "SELECT source, path, rejection FROM file_rejections ORDER BY source, path, position"
            ):
                rejected.setdefault((source, path), []).append(_rejection_from_json(text))
        return SourceMemory(
            fingerprint=fingerprint,
            files=files,
            http=http,
            rejected={where: tuple(found) for where, found in rejected.items()},
        )

    def stored_files(self, sources: Iterable[str]) -> list[tuple[str, str | None]]:
        """The files these sources' stored articles came from (None: a URL, no file),
        read from the source index alone; retracted articles' files too."""
        found: list[tuple[str, str | None]] = []
        with self.errors():
            for source in sources:
                rows = self.db.execute(
                    "SELECT DISTINCT source_file FROM articles WHERE source_name = ?", (source,)
                ).fetchall()
                found += [(source, row[0]) for row in rows]
        return sorted(found, key=lambda f: (f[0], f[1] is not None, f[1] or ""))

    def stored_places(
        self, files: Iterable[tuple[str, str | None]], *, hand_retracted: bool = False
    ) -> list[StoredPlace]:
        """The visible articles stored from these files, with the file each came from, by id;
        with `hand_retracted`, those retracted by hand too (so that, once gone from their
        source, the undo does not bring them back).

        Read per file through the source index: a run reads the places of the
        files it read again or no longer found, not every article of the source
        (two seconds a run for a source of 100,000 articles). Sorted here, not by
        the query: an ORDER BY id let the planner walk the whole table in id order.
        """
        places: list[StoredPlace] = []
        wanted = f"IN (0, {RETRACTED_BY_HAND})" if hand_retracted else "= 0"
        with self.errors():
            for source, path in files:
                rows = self.db.execute(
                    "SELECT id, source_file, retracted FROM articles WHERE source_name = ?"
                    + f" AND retracted {wanted}"
                    + (" AND source_file = ?" if path is not None else " AND source_file IS NULL"),
                    (source, path) if path is not None else (source,),
                ).fetchall()
                places += [
                    StoredPlace(aid, source, file, flag == RETRACTED_BY_HAND) for aid, file, flag in rows
                ]
        return sorted(places, key=lambda p: (p.article_id, p.source))

    def _apply_memory(self, memory: MemoryUpdate) -> None:
        """The sources' memory as the run-end plan left it (run_end.memory_update)."""
        self.db.executemany(
            "INSERT INTO source_files (source, path, size, mtime_ns, sha256, fingerprint)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source, path) DO UPDATE SET size = excluded.size,"
            " mtime_ns = excluded.mtime_ns, sha256 = excluded.sha256, fingerprint = excluded.fingerprint",
            [
                (src, path, st.size, st.mtime_ns, st.sha256, st.fingerprint)
                for (src, path), st in sorted(memory.files.items())
            ],
        )
        # A file's rejections go with its stamp (also by the foreign key's cascade).
        cleared = sorted(memory.forget | memory.rejected.keys())
        self.db.executemany("DELETE FROM file_rejections WHERE source = ? AND path = ?", cleared)
        self.db.executemany("DELETE FROM source_files WHERE source = ? AND path = ?", sorted(memory.forget))
        self.db.executemany(
            "INSERT INTO file_rejections (source, path, position, rejection) VALUES (?, ?, ?, ?)",
            [
                (src, path, position, _rejection_to_json(rejection))
                for (src, path), found in sorted(memory.rejected.items())
                for position, rejection in enumerate(found)
            ],
        )
        self.db.executemany(
            "INSERT INTO http_cache (url, etag, last_modified) VALUES (?, ?, ?)"
            " ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified",
            [(url, v.etag, v.last_modified) for url, v in sorted(memory.http.items())],
        )


def _rejection_to_json(rejection: Rejection) -> str:
    """As the run's `rejected/` file shows it (non-JSON values as text), with where it came from."""
    return json.dumps(
        {
            "source": rejection.source,
            "origin": rejection.origin,
            "locator": rejection.locator,
            "field": rejection.field,
            "reason": rejection.reason,
            "payload": rejection.payload,
            "ref": rejection.ref,
        },
        sort_keys=True,
        default=str,
    )  # ASCII: a lone surrogate or a NUL of a broken record is kept as its escape


def _rejection_from_json(text: str) -> Rejection:
    data = json.loads(text)
    return Rejection(
        data["source"],
        data["origin"],
        data["locator"],
        data["field"],
        data["reason"],
        data["payload"],
        ref=data["ref"],
        lasting=True,
    )

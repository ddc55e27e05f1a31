"""What the sources learnt between runs (file sizes, mtimes and hashes; HTTP
validators), so the next run skips what did not change, and which published
articles have since disappeared from their source.
"""

from __future__ import annotations

from collections.abc import Iterable

from syndicator.run_end import StoredPlace
from syndicator.sources.memory import FileState, HttpValidators, MemoryUpdate, SourceMemory
from syndicator.store._base import Connected


class SourcesMixin(Connected):
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
        return SourceMemory(fingerprint=fingerprint, files=files, http=http)

    def stored_places(self, sources: Iterable[str]) -> list[StoredPlace]:
        """The visible articles of these sources, with the file each came from, by id.

        Sorted here, not by the query: an ORDER BY id lets the planner walk the
        whole table in id order (it did, once the tables were analysed: a second
        per run on 100,000 articles) instead of the source's index."""
        places: list[StoredPlace] = []
        with self.errors():
            for source in sources:
                rows = self.db.execute(
                    "SELECT id, source_file FROM articles WHERE source_name = ? AND retracted = 0", (source,)
                ).fetchall()
                places.extend(StoredPlace(article_id, source, path) for article_id, path in sorted(rows))
        return places

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
        self.db.executemany("DELETE FROM source_files WHERE source = ? AND path = ?", sorted(memory.forget))
        self.db.executemany(
            "INSERT INTO http_cache (url, etag, last_modified) VALUES (?, ?, ?)"
            " ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified",
            [(url, v.etag, v.last_modified) for url, v in sorted(memory.http.items())],
        )

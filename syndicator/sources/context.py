"""What every source reads with in one run, handed to it as one value.

The memory of the last run is read once from the store and only read here;
what a source learns it yields (`memory.SourceNews`), it never writes back.
The fetcher is the run's one HTTP session, made and closed by intake: there
is no registry of sessions to look a run up in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from syndicator.sources.memory import SourceMemory

if TYPE_CHECKING:
    from syndicator.sources.http import Fetcher


class RunFetcher:
    """The run's one Fetcher, made when a source first fetches: a run of
    folders never loads the HTTP client (requests)."""

    def __init__(self) -> None:
        self._fetcher: Fetcher | None = None

    def get(self) -> Fetcher:
        if self._fetcher is None:
            from syndicator.sources.http import Fetcher

            self._fetcher = Fetcher()
        return self._fetcher

    def close(self) -> None:
        if self._fetcher is not None:
            self._fetcher.close()


@dataclass(frozen=True)
class ReadContext:
    memory: SourceMemory = field(default_factory=SourceMemory)  # what the last run left (store)
    fetchers: RunFetcher = field(default_factory=RunFetcher)  # the run's session and host limits

    @property
    def fetcher(self) -> Fetcher:
        return self.fetchers.get()

"""What every source reads with in one run, handed to it as one value.

The memory of the last run is read once from the store and only read here;
what a source learns it yields (`memory.SourceNews`), it never writes back.
The fetcher is the run's one HTTP session, made and closed by intake: there
is no registry of sessions to look a run up in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from syndicator.sources.http import Fetcher
from syndicator.sources.memory import SourceMemory


@dataclass(frozen=True)
class ReadContext:
    memory: SourceMemory = field(default_factory=SourceMemory)  # what the last run left (store)
    fetcher: Fetcher = field(default_factory=Fetcher)  # the run's session and host limits

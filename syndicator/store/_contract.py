"""What the rest of syndicator may ask of a store, whatever engine is behind it.

Every implementation gives the same answers to the same calls: the same ids,
dates, archive slots, history and feed order (date, then id compared as
bytes). tests/test_store.py holds each engine to this, one suite for all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol

from syndicator.model import Article
from syndicator.plan import Plan, StoredArticle
from syndicator.run_end import StoredPlace
from syndicator.sources.memory import SourceMemory
from syndicator.store._feeds import Category, FeedSlice
from syndicator.store._history import RunRecord


class Store(Protocol):
    label: str  # what messages name the store by: its file, or its URL without secrets

    def close(self) -> None: ...

    def __enter__(self) -> Store: ...

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None: ...

    # -- articles and plans (one transaction per call) -----------------------
    def known(self, keys: Iterable[str]) -> dict[str, StoredArticle]: ...

    def article(self, article_id: str) -> tuple[Article, bool] | None: ...

    def apply(
        self,
        plan: Plan,
        *,
        run_id: int,
        now: datetime,
        memory: SourceMemory | None = None,
        complete_sources: Iterable[str] = (),
        retract: Iterable[str] = (),
    ) -> None: ...

    def retract(self, article_id: str, *, run_id: int, undo: bool = False) -> bool: ...

    # -- what the feeds read ----------------------------------------------------
    def newest(self, limit: int, *, category: str | None = None) -> FeedSlice: ...

    def urls_by_title(self, titles: Iterable[str]) -> dict[str, str]: ...

    def visible_count(self) -> int: ...

    def category_terms(self) -> list[str]: ...

    def emptied_categories(self) -> list[Category]: ...

    def categories(self) -> list[Category]: ...

    # -- archive pages and render bookkeeping -----------------------------------
    def archive_count(self) -> int: ...

    def archive_page(self, page: int, size: int) -> tuple[Article, ...]: ...

    def since_seq(self, first: int) -> tuple[Article, ...]: ...

    def dirty_archive_seqs(self) -> list[int]: ...

    def clear_dirty_archive(self, seqs: list[int]) -> None: ...

    def render_up_to_date(self, fingerprint: str) -> bool: ...

    def rendered_with(self, fingerprint: str) -> bool: ...

    def dirty_terms(self) -> set[str] | None: ...

    def mark_rendered(self, fingerprint: str) -> None: ...

    # -- source memory ----------------------------------------------------------
    def source_memory(self, fingerprint: str) -> SourceMemory: ...

    def stored_places(self, sources: Iterable[str]) -> list[StoredPlace]: ...

    # -- run history ------------------------------------------------------------
    def begin_run(self, now: datetime) -> int: ...

    def record_rejections(self, run_id: int, rejections: Sequence[tuple[str, str]]) -> None: ...

    def record_warnings(self, run_id: int, warnings: Sequence[tuple[str, str]]) -> None: ...

    def pending_pings(self, hubs: Sequence[str]) -> list[tuple[str, str]]: ...

    def record_pings(
        self,
        run_id: int,
        pings: Sequence[tuple[str, str, bool, str]],
        *,
        now: datetime,
        hubs: Sequence[str],
    ) -> None: ...

    def finish_run(self, run_id: int, *, now: datetime, outcome: str, report: dict[str, Any]) -> None: ...

    def history(self, limit: int) -> list[RunRecord]: ...

"""The store, on a real SQLite file and a real PostgreSQL server alike: one suite
for both (the `store` fixture is each in turn), then what only one engine has
(SQLite's file and pragmas, PostgreSQL's schema table)."""

from __future__ import annotations

import json
import socket
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest

from syndicator.articles import article_to_json, content_hash
from syndicator.errors import StoreError
from syndicator.model import Article, Category, SourceRef
from syndicator.plan import Action, article_keys, decide
from syndicator.store import MIGRATIONS, SCHEMA_VERSION, SQLiteStore, Store, open_store, read_last_run
from syndicator.store._schema_postgres import POSTGRES_FIRST_VERSION, POSTGRES_MIGRATIONS

UTC = ZoneInfo("UTC")
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


def make_article(n: int, **changes: Any) -> Article:
    article = Article(
        id=f"tag:news.example.org,2024-03-01:{n:03d}",
        url=f"https://news.example.org/a/{n}",
        title=f"Article {n}",
        summary="Résumé.",
        content_html=f"<p>Texte {n}.</p>",
        authors=(),
        published=datetime(2024, 2, 1, tzinfo=UTC) + timedelta(days=n),
        updated=None,
        language="fr",
        categories=(),
        tags=(),
        related=(),
        image=None,
        source=SourceRef("directory", f"export.json: record {n}"),
        source_id=str(n),
    )
    return replace(article, **changes)


def publish(store: Store, articles: list[Article], now: datetime = NOW) -> list[Action]:
    """One run's store work, as the pipeline does it: known → decide → apply."""
    known = store.known(k for a in articles for k in article_keys(a))
    plan = decide(articles, known, now=now)
    run_id = store.begin_run(now)
    store.apply(plan, run_id=run_id, now=now)
    store.finish_run(run_id, now=now, outcome="ok", report={"n": len(articles)})
    return [d.action for d in plan.decisions]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "state.sqlite3"


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, path: Path) -> str | Path:
    """Where the store under test is: an SQLite file, or a schema on the test PostgreSQL server."""
    if request.param == "sqlite":
        return path
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(location: str | Path) -> Iterator[Store]:
    s = open_store(location)
    yield s
    s.close()


def pragma(path: Path, name: str) -> Any:
    db = sqlite3.connect(path)
    try:
        return db.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        db.close()


# -- the file ---------------------------------------------------------------------


def test_new_store_is_created_at_the_latest_schema_version(path: Path) -> None:
    SQLiteStore(path).close()
    assert path.is_file()
    assert pragma(path, "user_version") == SCHEMA_VERSION >= 1


def test_store_uses_wal_and_foreign_keys(path: Path) -> None:
    with SQLiteStore(path) as store:
        assert pragma(path, "journal_mode") == "wal"
        assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def schema_of(path: Path) -> dict[str, Any]:
    """Every table's columns and every index's columns, as SQLite describes them."""
    db = sqlite3.connect(path)
    try:
        objects = db.execute("SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
        described: dict[str, Any] = {}
        for kind, name, table in sorted(objects):
            if kind == "table":
                described[name] = db.execute(f"PRAGMA table_xinfo({name})").fetchall()
            else:
                unique = [r[2] for r in db.execute(f"PRAGMA index_list({table})") if r[1] == name]
                described[name] = (table, unique, db.execute(f"PRAGMA index_xinfo({name})").fetchall())
        return described
    finally:
        db.close()


def test_a_new_store_has_the_schema_its_migrations_would_build(tmp_path: Path) -> None:
    """The current schema a new store is created from, and the numbered
    migrations an old store takes, arrive at the same tables and indexes."""
    migrated = tmp_path / "migrated.sqlite3"
    db = sqlite3.connect(migrated)
    db.executescript(MIGRATIONS[0])  # a store of the first version: the store runs every later migration
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    SQLiteStore(migrated).close()
    fresh = tmp_path / "fresh.sqlite3"
    SQLiteStore(fresh).close()

    assert schema_of(fresh) == schema_of(migrated)
    assert pragma(fresh, "user_version") == pragma(migrated, "user_version") == SCHEMA_VERSION
    with SQLiteStore(fresh) as store:  # what a new store starts with: everything to render
        assert not store.render_up_to_date("") and store.dirty_terms() is None


def test_empty_version_0_file_is_migrated(path: Path) -> None:
    path.parent.mkdir(parents=True)
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 0")
    db.execute("CREATE TABLE unrelated (x)")  # a file from before syndicator used it
    db.commit()
    db.close()
    with SQLiteStore(path) as store:
        assert publish(store, [make_article(1)]) == [Action.ADDED]
    assert pragma(path, "user_version") == SCHEMA_VERSION


def test_store_written_by_the_first_version_is_migrated_not_wiped(path: Path) -> None:
    path.parent.mkdir(parents=True)
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0])
    data = json.dumps(article_to_json(make_article(1)))
    db.execute(
        "INSERT INTO articles (id, url, source_ref, content_hash, first_seen, published,"
        " published_utc, updated, retracted, data) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 0, ?)",
        (
            make_article(1).id,
            make_article(1).url,
            "export.json: record 1",
            content_hash(make_article(1)),
            "2024-02-02T00:00:00+00:00",
            "2024-02-02T00:00:00+00:00",
            "2024-02-02T00:00:00Z",
            data,
        ),
    )
    db.execute("INSERT INTO identity_keys (key, article_id) VALUES ('id:1', ?)", (make_article(1).id,))
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with SQLiteStore(path) as store:
        assert [a.id for a in store.newest(5).articles] == [make_article(1).id]
        assert publish(store, [make_article(1)], LATER) == [Action.UNCHANGED]
    assert pragma(path, "user_version") == SCHEMA_VERSION


def test_reopening_keeps_the_data(path: Path) -> None:
    with SQLiteStore(path) as store:
        publish(store, [make_article(1)])
    with SQLiteStore(path) as store:
        assert publish(store, [make_article(1)], LATER) == [Action.UNCHANGED]
    assert pragma(path, "user_version") == SCHEMA_VERSION


def test_store_from_a_newer_version_is_refused(path: Path) -> None:
    path.parent.mkdir(parents=True)
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer syndicator"):
        SQLiteStore(path)
    assert pragma(path, "user_version") == SCHEMA_VERSION + 1  # not touched


def test_file_that_is_not_a_database_is_a_store_error(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not sqlite, just some text " * 100)
    with pytest.raises(StoreError) as info:
        SQLiteStore(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value.__cause__, sqlite3.DatabaseError)


# -- plans applied and read back ------------------------------------------------------


def test_apply_then_known_round_trip(store: Store) -> None:
    article = make_article(1, published=None)
    publish(store, [article])
    known = store.known(article_keys(article))
    assert set(known) == set(article_keys(article))
    stored = known["id:1"]
    assert stored.id == article.id
    assert stored.published == NOW
    assert stored.first_seen == NOW
    assert stored.updated is None
    assert not stored.retracted
    assert store.known(["id:unknown"]) == {}


def test_stored_article_reads_back_equal(store: Store) -> None:
    article = make_article(
        1, published=datetime(2024, 1, 17, 9, 30, tzinfo=PARIS), categories=(Category("monde", "Monde"),)
    )
    publish(store, [article])
    found = store.article(article.id)
    assert found is not None
    assert found == (replace(article, source_id=None), False)
    assert store.article("tag:missing") is None


def test_edit_keeps_published_and_first_seen(store: Store) -> None:
    publish(store, [make_article(1, published=None)])
    assert publish(store, [make_article(1, published=None, title="Corrigé")], LATER) == [Action.CHANGED]
    stored = store.known(["id:1"])["id:1"]
    assert (stored.published, stored.first_seen, stored.updated) == (NOW, NOW, LATER)
    assert store.newest(5).articles[0].title == "Corrigé"


def test_many_keys_are_looked_up_in_chunks(store: Store) -> None:
    publish(store, [make_article(n) for n in range(3)])
    keys = [f"id:{n}" for n in range(1200)]
    assert sorted(store.known(keys)) == ["id:0", "id:1", "id:2"]


def test_newest_is_published_descending_then_id(store: Store) -> None:
    same_time = datetime(2024, 2, 10, tzinfo=UTC)
    articles = [
        make_article(1),
        make_article(5),
        make_article(3, published=same_time),
        make_article(2, published=same_time.astimezone(PARIS)),  # same instant, other zone
        make_article(4, published=same_time),
    ]
    publish(store, articles)
    page = store.newest(10)
    assert [a.id[-3:] for a in page.articles] == ["002", "003", "004", "005", "001"]
    assert store.visible_count() == 5
    assert [a.id[-3:] for a in store.newest(2).articles] == ["002", "003"]
    assert len(store.newest(2).articles) == 2 and store.visible_count() == 5


def test_newest_by_category(store: Store) -> None:
    monde = (Category("monde", "Monde"),)
    publish(
        store,
        [make_article(1, categories=monde), make_article(2), make_article(3, categories=monde)],
    )
    page = store.newest(10, category="monde")
    assert [a.id[-3:] for a in page.articles] == ["003", "001"]
    assert store.visible_count(category="monde") == 2
    assert store.newest(10, category="sport").articles == ()
    assert store.categories() == [("monde", "Monde", None)]


def test_retract_hides_an_article_from_the_feeds(store: Store) -> None:
    article = make_article(1, categories=(Category("monde", "Monde"),))
    publish(store, [article, make_article(2)])
    run_id = store.begin_run(LATER)
    assert store.retract(article.id, run_id=run_id) is True
    assert store.retract(article.id, run_id=run_id) is False  # already retracted
    assert store.retract("tag:missing", run_id=run_id) is False
    assert [a.id for a in store.newest(10).articles] == [make_article(2).id]
    assert store.visible_count(category="monde") == 0
    assert store.categories() == []
    assert store.article(article.id) == (replace(article, source_id=None), True)
    assert store.known(["id:1"])["id:1"].retracted


def test_draft_in_the_source_retracts_through_the_plan(store: Store) -> None:
    publish(store, [make_article(1)])
    assert publish(store, [make_article(1, status="draft")], LATER) == [Action.RETRACTED]
    assert store.visible_count() == 0


def test_history_lists_runs_newest_first_with_their_events(store: Store) -> None:
    publish(store, [make_article(1), make_article(2)])
    publish(
        store,
        [make_article(1, title="Corrigé"), make_article(2), make_article(3, status="draft")],
        LATER,
    )
    run_id = store.begin_run(LATER)
    store.record_rejections(run_id, [("bad.json", "/title: missing title")])
    history = store.history(10)
    assert [(outcome, len(events)) for _, _, outcome, events in history] == [
        (None, 1),
        ("ok", 2),
        ("ok", 2),
    ]
    _, started, _, events = history[1]
    assert started == "2024-03-01T13:00:00+00:00"
    assert events == [
        ("changed", make_article(1).id, "export.json: record 1", "updated moved"),
        ("held", make_article(3).id, "export.json: record 3", ""),
    ]
    assert history[0][3] == [("rejected", "", "bad.json", "/title: missing title")]
    assert len(store.history(1)) == 1


# -- other connections ------------------------------------------------------------------


def test_second_connection_sees_committed_data(store: Store, location: str | Path) -> None:
    publish(store, [make_article(1)])
    with open_store(location) as other:
        assert [a.id for a in other.newest(5).articles] == [make_article(1).id]


def test_a_failed_plan_leaves_nothing_behind(store: Store, location: str | Path) -> None:
    monde = Category("monde", "Monde")
    # The second article breaks a constraint: the first must not be kept either.
    plan = decide([make_article(1), make_article(2, categories=(monde, monde))], {}, now=NOW)
    run_id = store.begin_run(NOW)
    with pytest.raises(StoreError) as info:
        store.apply(plan, run_id=run_id, now=NOW)
    assert isinstance(info.value.__cause__, (sqlite3.IntegrityError, psycopg.IntegrityError))
    with open_store(location) as other:
        assert other.visible_count() == 0
        assert other.known(["id:1"]) == {}


def test_a_dry_run_store_plans_and_keeps_nothing(location: str | Path) -> None:
    with open_store(location) as store:
        publish(store, [make_article(1)])
    with open_store(location, dry_run=True) as copy:
        assert publish(copy, [make_article(1, title="Corrigé"), make_article(2)], LATER) == [
            Action.CHANGED,
            Action.ADDED,
        ]
        assert copy.visible_count() == 2
    with open_store(location) as reopened:
        assert reopened.visible_count() == 1
        assert reopened.newest(5).articles[0].title == "Article 1"
        assert len(reopened.history(10)) == 1


def test_in_memory_copy_plans_without_touching_the_file(path: Path) -> None:
    with SQLiteStore(path) as store:
        publish(store, [make_article(1)])
    before = path.read_bytes()
    copy = SQLiteStore.in_memory_copy(path)
    try:
        assert publish(copy, [make_article(1, title="Corrigé"), make_article(2)], LATER) == [
            Action.CHANGED,
            Action.ADDED,
        ]
        assert copy.visible_count() == 2
    finally:
        copy.close()
    assert path.read_bytes() == before
    with SQLiteStore(path) as reopened:
        assert reopened.visible_count() == 1
        assert reopened.newest(5).articles[0].title == "Article 1"


def test_in_memory_copy_of_a_missing_store_is_empty_and_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "absent.sqlite3"
    copy = SQLiteStore.in_memory_copy(path)
    try:
        assert copy.visible_count() == 0
    finally:
        copy.close()
    assert not path.exists()


# -- PostgreSQL's own ---------------------------------------------------------------


def test_postgresql_store_is_created_at_the_latest_schema_version(postgres_url: str) -> None:
    open_store(postgres_url).close()
    with psycopg.connect(postgres_url) as raw:
        assert raw.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]


def test_every_sqlite_migration_has_its_postgresql_twin() -> None:
    """A new SQLite migration without the same change for PostgreSQL would
    leave the two engines on different schemas under one version number."""
    assert POSTGRES_FIRST_VERSION + len(POSTGRES_MIGRATIONS) == SCHEMA_VERSION
    assert sorted(POSTGRES_MIGRATIONS) == list(range(POSTGRES_FIRST_VERSION, SCHEMA_VERSION))


def test_postgresql_store_from_a_newer_version_is_refused(postgres_url: str) -> None:
    with open_store(postgres_url) as store:
        publish(store, [make_article(1)])
    with psycopg.connect(postgres_url, autocommit=True) as raw:
        raw.execute("UPDATE schema_version SET version = %s", (SCHEMA_VERSION + 1,))
    with pytest.raises(StoreError, match="newer syndicator"):
        open_store(postgres_url)
    with psycopg.connect(postgres_url) as raw:
        assert raw.execute("SELECT count(*) FROM articles").fetchone() == (1,)  # not touched


def test_unreachable_server_is_a_store_error_without_the_password() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    with pytest.raises(StoreError) as info:
        open_store(f"postgresql://ed:s3cret-pw@127.0.0.1:{port}/news")
    assert f"postgresql://127.0.0.1:{port}/news" in str(info.value)
    assert "s3cret-pw" not in str(info.value)
    assert isinstance(info.value.__cause__, psycopg.OperationalError)


def test_feeds_order_ids_as_bytes_on_postgresql_too(store: Store) -> None:
    """Ids that a locale would sort otherwise (case, accents, punctuation)
    come in the same order as SQLite gives them: byte order."""
    same_time = datetime(2024, 2, 10, tzinfo=UTC)
    ids = ["tag:x,2024:b", "tag:x,2024:B", "tag:x,2024:é", "tag:x,2024:a-b", "tag:x,2024:ab", "tag:x,2024:Z"]
    publish(store, [make_article(n, id=i, published=same_time) for n, i in enumerate(ids)])
    assert [a.id for a in store.newest(10).articles] == sorted(ids, key=lambda i: i.encode())


def test_status_reads_the_last_run_of_a_postgresql_store_without_creating_one(postgres_url: str) -> None:
    assert read_last_run(postgres_url) is None
    with psycopg.connect(postgres_url) as raw:  # nothing was created by looking
        assert raw.execute("SELECT to_regclass('runs')").fetchone() == (None,)
    with open_store(postgres_url) as store:
        publish(store, [make_article(1)])
    last = read_last_run(postgres_url)
    assert last is not None and (last.run, last.outcome, last.report) == (1, "ok", {"n": 1})

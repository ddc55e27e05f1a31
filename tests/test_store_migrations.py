"""A store written by an earlier version opens, on SQLite and PostgreSQL alike, as
the current version would have written it: each migration's work checked on a
store taken back to the schema before it."""

from __future__ import annotations

from pathlib import Path

import pytest
from storekit import BEFORE_14, BEFORE_15, as_schema
from test_store import make_article, publish

from syndicator.model import SourceRef
from syndicator.store import open_store


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    if request.param == "sqlite":
        return tmp_path / "state" / "state.sqlite3"
    return str(request.getfixturevalue("postgres_url"))


def engine(location: str | Path) -> str:
    return "sqlite" if isinstance(location, Path) else "postgresql"


def test_a_store_of_schema_12_works_out_again_the_files_named_with_a_hash(location: str | Path) -> None:
    """Before schema 13 the file of ref `wire/a#1.json#0` was kept as `a`; on opening,
    the store reads such refs again, and leaves every other row as it was."""
    refs = ["wire/a#1.json#0", "wire/b#2.json", "wire/plain.jsonl#4", "wire/c.json"]
    articles = [make_article(n, source=SourceRef("directory", ref, "wire")) for n, ref in enumerate(refs)]
    with open_store(location) as store:
        publish(store, articles)
    as_schema_12 = [
        "UPDATE articles SET source_file = 'a' WHERE source_ref = 'wire/a#1.json#0'",
        "UPDATE articles SET source_file = 'b' WHERE source_ref = 'wire/b#2.json'",
    ]
    as_schema(location, 12, BEFORE_15[engine(location)] + BEFORE_14[engine(location)] + as_schema_12)

    with open_store(location) as store:
        files = sorted(
            store.db.execute("SELECT source_ref, source_name, source_file FROM articles").fetchall()
        )

    assert files == [
        ("wire/a#1.json#0", "wire", "a#1.json"),
        ("wire/b#2.json", "wire", "b#2.json"),
        ("wire/c.json", "wire", "c.json"),
        ("wire/plain.jsonl#4", "wire", "plain.jsonl"),
    ]


def test_a_store_of_schema_13_keeps_its_titles_and_languages_in_columns(location: str | Path) -> None:
    """Schema 14 reads each stored article's title and language out of its JSON once,
    into the columns the language feeds and the "Read more" links are found by."""
    articles = [
        make_article(0, title="Le budget", language="fr"),
        make_article(1, title="The budget", language="en"),
        make_article(2, title="Der Haushalt", language="de"),
        make_article(3, title="Sans langue", language="und"),
    ]
    with open_store(location) as store:
        publish(store, articles)
    as_schema(location, 13, BEFORE_15[engine(location)] + BEFORE_14[engine(location)])

    with open_store(location) as store:
        columns = sorted(store.db.execute("SELECT title, language FROM articles").fetchall())
        assert columns == [
            ("Der Haushalt", "de"),
            ("Le budget", "fr"),
            ("Sans langue", "und"),
            ("The budget", "en"),
        ]
        assert store.languages() == ["de", "en", "fr"]
        assert [a.title for a in store.newest_in_language(10, "en")] == ["The budget"]
        assert store.urls_by_title(["Le budget", "Nowhere"]) == {"Le budget": articles[0].url}
        # A saved article writes its columns with its row; a retracted one leaves its language.
        publish(store, [make_article(1, title="The new budget", language="en")])
        store.retract(articles[2].id, run_id=store.begin_run(make_article(0).published), undo=False)
        assert store.urls_by_title(["The new budget"]) == {"The new budget": articles[1].url}
        assert store.languages() == ["en", "fr"]


def test_a_store_of_schema_14_keeps_its_identity_keys_and_a_title_may_name_several_articles(
    location: str | Path,
) -> None:
    """Schema 15 lets a list record's title or text name each article it was remembered
    for (the "Editorial" of each day); every key the store held is kept."""
    articles = [make_article(n) for n in range(3)]
    with open_store(location) as store:
        publish(store, articles)
        before = sorted(store.db.execute("SELECT key, article_id FROM identity_keys").fetchall())
    as_schema(location, 14, BEFORE_15[engine(location)])

    with open_store(location) as store:
        assert sorted(store.db.execute("SELECT key, article_id FROM identity_keys").fetchall()) == before
        shared = "title:opinion/editorials.json#editorial"
        with store.transaction():
            for article in articles[:2]:
                store.db.execute(
                    "INSERT INTO identity_keys (key, article_id) VALUES (?, ?)", (shared, article.id)
                )
        assert [a.id for a in store.identities([shared])[shared]] == [articles[0].id, articles[1].id]


def test_a_store_of_schema_15_keeps_no_credential_an_older_version_wrote_in_its_history(
    location: str | Path,
) -> None:
    """Older versions kept a WebSub hub's URL with its credentials in pending pings, run
    reports and events, and a source URL's secret query value in the HTTP cache; schema
    16 masks them once, and a pending ping is kept under the hub URL it is looked up by."""
    hub = "https://ed:hunter2@hub.example/publish?token=s3cret"
    with open_store(location) as store:
        publish(store, [make_article(0)])
        run = store.begin_run(make_article(0).published)
        store.finish_run(run, now=make_article(0).published, outcome="ok", report={"websub": {"hub": hub}})
        with store.transaction():
            store.db.execute(
                "INSERT INTO run_events (run_id, action, ref, detail) VALUES (?, 'ping-failed', ?, ?)",
                (run, "https://news.example/feed.xml", f"{hub}: HTTP 500"),
            )
            store.db.execute(
                "INSERT INTO pending_pings (hub, topic, since, failures, error) VALUES (?, ?, '', 1, '')",
                (hub, "https://news.example/feed.xml"),
            )
            store.db.execute(
                "INSERT INTO http_cache (url, etag) VALUES (?, 'e1')",
                ("https://cms.example/api?api_key=k3y",),
            )
    as_schema(location, 15, [])

    with open_store(location) as store:
        kept = [
            str(row)
            for table in ("runs", "run_events", "pending_pings", "http_cache")
            for row in store.db.execute(f"SELECT * FROM {table}").fetchall()
        ]
        assert kept and not [row for row in kept if "hunter2" in row or "s3cret" in row or "k3y" in row]
        public = "https://hub.example/publish?token=***"
        assert store.pending_pings([public]) == [(public, "https://news.example/feed.xml")]

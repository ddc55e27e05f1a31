"""Stores as earlier versions of syndicator left them, for the tests of the migrations
that bring them to the current schema (a store's version number alone is not enough
once a later migration changed the tables)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg

# What schema 14 changed, undone: the title and language indexes on the JSON again.
# What takes a store of schema 15 back to 14: an identity key names one article.
BEFORE_15 = {
    "sqlite": [
        "CREATE TABLE identity_keys_v14 (key TEXT PRIMARY KEY,"
        " article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE)",
        "INSERT INTO identity_keys_v14 (key, article_id) SELECT key, min(article_id) FROM identity_keys GROUP BY key",
        "DROP TABLE identity_keys",
        "ALTER TABLE identity_keys_v14 RENAME TO identity_keys",
        "CREATE INDEX identity_keys_by_article ON identity_keys (article_id)",
    ],
    "postgresql": [
        "ALTER TABLE identity_keys DROP CONSTRAINT identity_keys_pkey",
        "ALTER TABLE identity_keys ADD PRIMARY KEY (key)",
    ],
}
BEFORE_14 = {
    "sqlite": [
        "DROP INDEX articles_by_title",
        "DROP INDEX articles_by_language",
        "ALTER TABLE articles DROP COLUMN title",
        "ALTER TABLE articles DROP COLUMN language",
        "CREATE INDEX articles_by_title ON articles (json_extract(data, '$.title'))",
        "CREATE INDEX articles_by_language ON articles (json_extract(data, '$.language'), published_utc DESC, id)"
        " WHERE retracted = 0",
    ],
    "postgresql": [
        "DROP INDEX articles_by_title",
        "DROP INDEX articles_by_language",
        "ALTER TABLE articles DROP COLUMN title",
        "ALTER TABLE articles DROP COLUMN language",
        "CREATE INDEX articles_by_title ON articles (((data::json) ->> 'title'))",
        "CREATE INDEX articles_by_language ON articles (((data::json) ->> 'language'), published_utc DESC, id)"
        " WHERE retracted = 0",
    ],
}


def as_schema(location: str | Path, version: int, statements: list[str]) -> None:
    """The store as a version before `version + 1` left it: `statements`, then its number."""
    if isinstance(location, Path):
        db = sqlite3.connect(location)
        with db:
            for sql in statements:
                db.execute(sql)
            db.execute(f"PRAGMA user_version = {version}")
        db.close()
    else:
        with psycopg.connect(location, autocommit=True) as raw:
            for sql in statements:
                raw.execute(sql)
            raw.execute("UPDATE schema_version SET version = %s", (version,))

"""The store's schema, as numbered migrations keyed by `PRAGMA user_version`.

Never edit a released migration: add one. A store written by an older
version is migrated in place, never wiped.
"""

from __future__ import annotations

# Each entry migrates from version i to i + 1; never edit a released one.
MIGRATIONS: tuple[str, ...] = (
    """
    -- v1: articles, the keys they are known by, and the runs that touched them.
    CREATE TABLE articles (
        id            TEXT PRIMARY KEY,      -- stable id, minted once
        url           TEXT NOT NULL,         -- latest canonical URL
        source_ref    TEXT NOT NULL,         -- latest file/URL + position
        content_hash  TEXT NOT NULL,         -- articles.content_hash, versioned
        first_seen    TEXT NOT NULL,         -- RFC 3339, the run's `now`
        published     TEXT NOT NULL,         -- RFC 3339, never changes
        published_utc TEXT NOT NULL,         -- sortable UTC form of published
        updated       TEXT,                  -- RFC 3339 or NULL (= published)
        retracted     INTEGER NOT NULL DEFAULT 0,  -- 0 visible, 1 by its source, 2 by hand
        data          TEXT NOT NULL          -- article_to_json, as last published
    );
    CREATE INDEX articles_by_date ON articles (published_utc DESC, id);
    CREATE TABLE identity_keys (
        key        TEXT PRIMARY KEY,         -- id:<source id> / url:<url> / ref:<where>
        article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE
    );
    CREATE TABLE article_categories (
        article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        term       TEXT NOT NULL,
        PRIMARY KEY (term, article_id)
    );
    CREATE TABLE runs (
        id       INTEGER PRIMARY KEY,
        started  TEXT NOT NULL,
        finished TEXT,
        outcome  TEXT,                       -- ok / rejected / failed
        report   TEXT                        -- the run report as JSON
    );
    CREATE TABLE run_events (
        run_id     INTEGER NOT NULL REFERENCES runs (id),
        action     TEXT NOT NULL,            -- plan.Action value or "rejected"
        article_id TEXT,
        ref        TEXT NOT NULL,
        detail     TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX run_events_by_run ON run_events (run_id);
    """,
    """
    -- v2: what sources remember between runs, and where each article came from.
    CREATE TABLE source_files (
        source      TEXT NOT NULL,           -- source name from the configuration
        path        TEXT NOT NULL,           -- relative to the source directory
        size        INTEGER NOT NULL,
        mtime_ns    INTEGER NOT NULL,
        sha256      TEXT NOT NULL,
        fingerprint TEXT NOT NULL,           -- normalizer version + rules; a change re-reads
        PRIMARY KEY (source, path)
    );
    CREATE TABLE http_cache (
        url           TEXT PRIMARY KEY,      -- a fetched URL
        etag          TEXT,                  -- sent back as If-None-Match
        last_modified TEXT                   -- sent back as If-Modified-Since
    );
    ALTER TABLE articles ADD COLUMN source_name TEXT;   -- NULL for rows from v1
    ALTER TABLE articles ADD COLUMN source_file TEXT;   -- path within the source, or URL
    CREATE INDEX articles_by_source ON articles (source_name, source_file);
    """,
    """
    -- v3: RFC 5005 archive pages. Each article gets the next sequence number
    -- the first time it is published; page k holds sequence numbers
    -- [k * size, (k + 1) * size), so a full page never gains or loses a slot.
    ALTER TABLE articles ADD COLUMN archive_seq INTEGER;
    UPDATE articles SET archive_seq = (
        SELECT count(*) FROM articles AS older
        WHERE (older.first_seen, older.published_utc, older.id)
            < (articles.first_seen, articles.published_utc, articles.id)
    );
    CREATE UNIQUE INDEX articles_by_archive_seq ON articles (archive_seq);
    CREATE TABLE archive_dirty (
        seq INTEGER PRIMARY KEY              -- an article whose archive page must be rendered again
    );
    INSERT INTO archive_dirty (seq) SELECT archive_seq FROM articles;
    """,
    """
    -- v4: find an article by its title, for "Read more: <title>" references.
    CREATE INDEX articles_by_title ON articles (json_extract(data, '$.title'));
    """,
    """
    -- v5: whether the output is up to date with the articles, so a run with
    -- nothing new renders nothing. Set in the same transaction as any change.
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    INSERT INTO meta (key, value) VALUES ('render_pending', '1');
    """,
    """
    -- v6: which category feeds hold a changed article, so a run renders those
    -- and the main feed only. '*' stands for every feed.
    CREATE TABLE feed_dirty (
        term TEXT PRIMARY KEY
    );
    INSERT INTO feed_dirty (term) VALUES ('*');
    """,
    """
    -- v7: an article's categories by article (saving one article looked them
    -- up by a full scan, so a big run took time quadratic in the archive), and
    -- identity keys by article, for the foreign key's ON DELETE CASCADE.
    CREATE INDEX article_categories_by_article ON article_categories (article_id);
    CREATE INDEX identity_keys_by_article ON identity_keys (article_id);
    """,
    """
    -- v8: category feeds read from indexes, not from article rows. The label
    -- and scheme are kept beside the term, and (id, retracted, published_utc)
    -- lets a category's newest articles be picked without reading any article.
    ALTER TABLE article_categories ADD COLUMN label TEXT;
    ALTER TABLE article_categories ADD COLUMN scheme TEXT;
    UPDATE article_categories SET
        label = (SELECT json_extract(c.value, '$.label')
                 FROM articles a, json_each(a.data, '$.categories') c
                 WHERE a.id = article_categories.article_id
                   AND json_extract(c.value, '$.term') = article_categories.term),
        scheme = (SELECT json_extract(c.value, '$.scheme')
                  FROM articles a, json_each(a.data, '$.categories') c
                  WHERE a.id = article_categories.article_id
                    AND json_extract(c.value, '$.term') = article_categories.term);
    CREATE INDEX articles_visible_dates ON articles (id, retracted, published_utc);
    """,
    """
    -- v9: WebSub pings that failed (or were cut off by the deadline or a
    -- shutdown), sent again by the next run until the hub takes them.
    CREATE TABLE pending_pings (
        hub      TEXT NOT NULL,              -- a hub from websub.hubs
        topic    TEXT NOT NULL,              -- the feed's public URL
        since    TEXT NOT NULL,              -- RFC 3339, the `now` of the run that first failed
        failures INTEGER NOT NULL,           -- runs that tried and failed so far
        error    TEXT NOT NULL,              -- the last failure, one line
        PRIMARY KEY (hub, topic)
    );
    """,
    """
    -- v10: the languages the visible articles are in (language feeds) read from
    -- an index, not by parsing every stored article's JSON on each run. Partial
    -- (visible articles only), so no query takes `retracted = 0` for a selective search.
    CREATE INDEX articles_by_language ON articles (json_extract(data, '$.language')) WHERE retracted = 0;
    """,
    """
    -- v11: a run's cost follows what changed, not the size of the archive.
    -- Tags and authors by name (article_names, filled from the articles' JSON
    -- once, by the store on opening), so a tag feed is read from an index;
    -- category archive pages numbered once, as articles join the category
    -- (category_archive: a page's membership never moves, as the main
    -- archive's), with marks of the places changed since the last render;
    -- every feed's index line as last rendered (feed_listings), so the index
    -- is written without reading any feed's articles; and each language's
    -- newest articles from one index.
    CREATE TABLE article_names (
        article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        kind       TEXT NOT NULL,            -- 'tag' or 'author'
        slug       TEXT NOT NULL,            -- the feed's folder: names of one slug are one feed
        name       TEXT NOT NULL,
        PRIMARY KEY (kind, slug, article_id, name)
    );
    CREATE INDEX article_names_by_article ON article_names (article_id);
    CREATE TABLE category_archive (
        term       TEXT NOT NULL,
        place      BIGINT NOT NULL,          -- 0, 1, 2… in the order articles joined the category
        article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        PRIMARY KEY (term, place)
    );
    CREATE UNIQUE INDEX category_archive_by_article ON category_archive (article_id, term);
    INSERT INTO category_archive (term, place, article_id)
        SELECT c.term, row_number() OVER (PARTITION BY c.term ORDER BY a.archive_seq) - 1, c.article_id
        FROM article_categories c JOIN articles a ON a.id = c.article_id;
    CREATE TABLE category_archive_dirty (
        term  TEXT NOT NULL,
        place BIGINT NOT NULL,
        PRIMARY KEY (term, place)
    );
    CREATE TABLE feed_listings (
        key  TEXT PRIMARY KEY,               -- "" the main feed, categories/<term>, tags/<slug>…
        data TEXT NOT NULL                   -- the index's line for it, as JSON (model.FeedListing)
    );
    INSERT INTO meta (key, value) VALUES ('names_indexed', '0')
        ON CONFLICT (key) DO UPDATE SET value = excluded.value;
    DROP INDEX articles_by_language;
    CREATE INDEX articles_by_language
        ON articles (json_extract(data, '$.language'), published_utc DESC, id) WHERE retracted = 0;
    """,
    """
    -- v12: the rejected records of a remembered file, told again while the
    -- file is unchanged instead of reading and normalizing it on every run
    -- (only rejections its bytes alone decide: model.Rejection.lasting).
    CREATE TABLE file_rejections (
        source    TEXT NOT NULL,
        path      TEXT NOT NULL,
        position  INTEGER NOT NULL,          -- 0, 1, 2… in the order the file gave them
        rejection TEXT NOT NULL,             -- JSON: source, origin, locator, field, reason, payload, ref
        PRIMARY KEY (source, path, position),
        FOREIGN KEY (source, path) REFERENCES source_files (source, path) ON DELETE CASCADE
    );
    """,
    """
    -- v13: the file an article came from, where the file's name holds "#"
    -- (`a#1.json`). Stores before this version cut such a ref at its first "#"
    -- and kept "a", a file no run sees, so the article was taken as gone from
    -- its source whenever another file of the source changed. Worked out again
    -- by the store on opening (source_location, the one reading of a ref).
    INSERT INTO meta (key, value) VALUES ('source_files_located', '0')
        ON CONFLICT (key) DO UPDATE SET value = excluded.value;
    """,
    """
    -- v14: an article's title and language as columns, written with its row.
    -- The indexes on them were on expressions over the JSON, which parsed every
    -- saved article's JSON once per index (at 100,000 articles, seven seconds
    -- of a cold run's store stage).
    DROP INDEX articles_by_title;
    DROP INDEX articles_by_language;
    ALTER TABLE articles ADD COLUMN title TEXT;
    ALTER TABLE articles ADD COLUMN language TEXT;
    UPDATE articles SET title = json_extract(data, '$.title'), language = json_extract(data, '$.language');
    CREATE INDEX articles_by_title ON articles (title);
    CREATE INDEX articles_by_language ON articles (language, published_utc DESC, id) WHERE retracted = 0;
    """,
    """
    -- v15: a loose identity key (a list record's title or text, within its file)
    -- names every article it was remembered for: the "Editorial" of each day. It
    -- named the first only, so an edit of the second was taken for a new article.
    -- An id, URL or file still names one article (the store inserts it so).
    CREATE TABLE identity_keys_v15 (
        key        TEXT NOT NULL,
        article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        PRIMARY KEY (key, article_id)
    );
    INSERT INTO identity_keys_v15 (key, article_id) SELECT key, article_id FROM identity_keys;
    DROP TABLE identity_keys;
    ALTER TABLE identity_keys_v15 RENAME TO identity_keys;
    CREATE INDEX identity_keys_by_article ON identity_keys (article_id);
    """,
    """
    -- v16: credentials older versions kept in the history (a WebSub hub's
    -- `user:password@` or `?token=` in pending pings, run reports and events; a
    -- source URL's secret query value) are masked once, by the store on opening.
    INSERT INTO meta (key, value) VALUES ('secrets_scrubbed', '0')
        ON CONFLICT (key) DO UPDATE SET value = excluded.value;
    """,
    """
    -- v17: the title and text keys that older versions could not save for a second
    -- list record of the same title or text in a file (a key named one article) are
    -- saved once, by the store on opening, from each such article's title and text.
    INSERT INTO meta (key, value) VALUES ('shared_keys_filled', '0')
        ON CONFLICT (key) DO UPDATE SET value = excluded.value;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


# A new SQLite store is created from SQLITE_SCHEMA, which is what the first
# SQLITE_SCHEMA_VERSION migrations build (tests/test_store.py compares the
# two), and then takes the migrations after it; an existing store takes the
# migrations from its own version. Columns are in the order the migrations
# added them.
SQLITE_SCHEMA_VERSION = 8
SQLITE_SCHEMA = """
CREATE TABLE articles (
    id            TEXT PRIMARY KEY,
    url           TEXT NOT NULL,
    source_ref    TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    first_seen    TEXT NOT NULL,
    published     TEXT NOT NULL,
    published_utc TEXT NOT NULL,
    updated       TEXT,
    retracted     INTEGER NOT NULL DEFAULT 0,
    data          TEXT NOT NULL,
    source_name   TEXT,
    source_file   TEXT,
    archive_seq   INTEGER
);
CREATE INDEX articles_by_date ON articles (published_utc DESC, id);
CREATE INDEX articles_by_source ON articles (source_name, source_file);
CREATE UNIQUE INDEX articles_by_archive_seq ON articles (archive_seq);
CREATE INDEX articles_by_title ON articles (json_extract(data, '$.title'));
CREATE INDEX articles_visible_dates ON articles (id, retracted, published_utc);
CREATE TABLE identity_keys (
    key        TEXT PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE
);
CREATE INDEX identity_keys_by_article ON identity_keys (article_id);
CREATE TABLE article_categories (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    term       TEXT NOT NULL,
    label      TEXT,
    scheme     TEXT,
    PRIMARY KEY (term, article_id)
);
CREATE INDEX article_categories_by_article ON article_categories (article_id);
CREATE TABLE runs (
    id       INTEGER PRIMARY KEY,
    started  TEXT NOT NULL,
    finished TEXT,
    outcome  TEXT,
    report   TEXT
);
CREATE TABLE run_events (
    run_id     INTEGER NOT NULL REFERENCES runs (id),
    action     TEXT NOT NULL,
    article_id TEXT,
    ref        TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX run_events_by_run ON run_events (run_id);
CREATE TABLE source_files (
    source      TEXT NOT NULL,
    path        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    mtime_ns    INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    PRIMARY KEY (source, path)
);
CREATE TABLE http_cache (
    url           TEXT PRIMARY KEY,
    etag          TEXT,
    last_modified TEXT
);
CREATE TABLE archive_dirty (
    seq INTEGER PRIMARY KEY
);
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('render_pending', '1');
CREATE TABLE feed_dirty (
    term TEXT PRIMARY KEY
);
INSERT INTO feed_dirty (term) VALUES ('*');
"""

"""A site published by the real pipeline, served by the real server on 127.0.0.1.

A uniquely named module (like sitekit) so the pages and browser tests share it.

The server starts first so that the site's feeds_url can be its real address:
the autodiscovery links then point at feeds a reader can fetch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitekit import NOW, record, write_config

from syndicator.config import Config, load_config
from syndicator.model import FeedDocument
from syndicator.output_documents import feed_documents
from syndicator.pipeline import STORE_NAME, publish_run
from syndicator.render.site import render_site_pages
from syndicator.server import RunningServer, ServerSettings, start_in_thread
from syndicator.store import SQLiteStore
from syndicator.write import write_if_changed

# Titles that break a page that does not escape, or one that shows raw feed markup.
TRICKY_TITLES = {
    2: 'Q&A: why "<b>" stays text & why ampersands matter',
    3: "Économie : « la hausse » continue — l’analyse",
    5: "Tom & Jerry <script>alert(1)</script> return",
}


@dataclass(frozen=True)
class LiveSite:
    config: Config
    server: RunningServer
    documents: tuple[FeedDocument, ...]  # what the feeds hold, read back from the store

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/"


def records(count: int) -> list[dict[str, Any]]:
    return [
        record(n, **({"title": TRICKY_TITLES[n]} if n in TRICKY_TITLES else {})) for n in range(1, count + 1)
    ]


def publish_live_site(root: Path, *, count: int = 8) -> LiveSite:
    """Publish `count` records with the real pipeline and serve the output directory."""
    (root / "out").mkdir(parents=True, exist_ok=True)
    server = start_in_thread(ServerSettings(directory=root / "out", port=0))
    try:
        path = write_config(root)
        text = path.read_text(encoding="utf-8")
        path.write_text(
            text.replace("https://gazette.example/feeds/", f"http://127.0.0.1:{server.port}/"),
            encoding="utf-8",
        )
        (root / "articles" / "records.json").write_text(json.dumps(records(count)), encoding="utf-8")
        config = load_config(path)
        publish_run(config, now=NOW)
        with SQLiteStore(config.state_directory / STORE_NAME) as store:
            documents = tuple(feed_documents(config, store))
        # The same call the publish run makes; writing it again is a no-op once
        # the run writes the pages (the bytes are the same).
        for relative, data in render_site_pages(
            documents,
            site_title=config.site.title,
            site_description=config.site.description,
            language=config.site.language,
            feeds_url=config.site.feeds_url,
            formats=config.output.formats,
        ):
            write_if_changed(config.output.directory / relative, data)
    except BaseException:
        server.close()
        raise
    return LiveSite(config=config, server=server, documents=documents)

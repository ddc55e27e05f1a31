""" "Read more: <title>" lines become related links once the title is known."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sitekit import NOW, record

from syndicator.config import load_config
from syndicator.pipeline import publish_run

TEXT = """Accueil » Économie » Les marchés saluent la décision

Les marchés saluent la décision

Les bourses européennes ont terminé en hausse après l’annonce, portées par les valeurs bancaires et industrielles.

À lire aussi : {title}

Les analystes restent prudents sur la suite de l’année, selon plusieurs notes publiées vendredi.
"""


def test_a_read_more_line_links_to_the_article_the_store_knows_by_that_title(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.json", [record(1, title="La BCE maintient ses taux")])
    publish_run(load_config(site / "syndicator.toml"), now=NOW)
    add_records("marches.txt", TEXT.format(title="La BCE maintient ses taux"))

    publish_run(load_config(site / "syndicator.toml"), now=NOW)

    feed = json.loads((site / "out" / "feed.json").read_text(encoding="utf-8"))
    text_item = next(i for i in feed["items"] if i["title"] == "Les marchés saluent la décision")
    assert text_item["_syndicator"]["related"] == [
        {"url": "https://gazette.example/news/article-1", "title": "La BCE maintient ses taux"}
    ]
    assert "À lire aussi" not in text_item["content_html"]


def test_a_reference_to_an_unknown_title_adds_no_link_and_no_body_text(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("marches.txt", TEXT.format(title="Un article que personne ne connaît"))

    publish_run(load_config(site / "syndicator.toml"), now=NOW)

    item = json.loads((site / "out" / "feed.json").read_text(encoding="utf-8"))["items"][0]
    assert "related" not in item.get("_syndicator", {})
    assert "personne ne connaît" not in item["content_html"]


CASES = Path(__file__).parent / "normalize" / "cases"
AFTER_THE_CASES = NOW + timedelta(days=30)  # the golden cases are dated 12 March 2024


@pytest.mark.parametrize(
    ("dump", "line"),
    [
        ("en_page_share_caption_teaser.txt", "Read more: "),
        ("fr_page_partage_legende_teaser.txt", "À lire aussi : "),
        ("pl_strona_udostepnij_podpis_zajawki.txt", "Czytaj też: "),
    ],
)
def test_a_read_more_line_in_a_whole_page_dump_links_to_the_known_article(
    dump: str, line: str, site: Path, add_records: Callable[..., Path]
) -> None:
    """ "Read more: …", "À lire aussi : …", "Czytaj też: …" in the text of a whole page: a link once known."""
    expected = json.loads((CASES / dump).with_suffix(".expected.json").read_text(encoding="utf-8"))
    title = expected["related_titles"][0]
    assert f"{line}{title}" in (CASES / dump).read_text(encoding="utf-8")
    add_records("a.json", [record(1, title=title)])
    publish_run(load_config(site / "syndicator.toml"), now=NOW)
    add_records(dump, (CASES / dump).read_bytes())

    publish_run(load_config(site / "syndicator.toml"), now=AFTER_THE_CASES)

    feed = json.loads((site / "out" / "feed.json").read_text(encoding="utf-8"))
    item = next(i for i in feed["items"] if i["title"] == expected["title"])
    assert {"url": "https://gazette.example/news/article-1", "title": title} in item["_syndicator"]["related"]
    assert title not in item["content_html"]

"""feeds.opml: a valid OPML 2.0 subscription list with one outline per feed."""

from __future__ import annotations

from dataclasses import replace

from lxml import etree
from pagedocs import DOCUMENTS, EMPTY, FEEDS, FORMATS, HOSTILE, MAIN, article

from syndicator.model import FeedDocument
from syndicator.render.site import render_site_pages


def opml(documents: tuple[FeedDocument, ...] = DOCUMENTS, formats: tuple[str, ...] = FORMATS) -> bytes:
    pages = dict(
        render_site_pages(
            documents,
            site_title=f"Site {HOSTILE}",
            site_description="",
            language="fr",
            feeds_url=FEEDS,
            formats=formats,
        )
    )
    return pages["feeds.opml"]


def test_the_opml_is_well_formed_opml_2_with_a_title() -> None:
    root = etree.fromstring(opml())  # raises on any well-formedness error
    assert root.tag == "opml"
    assert root.get("version") == "2.0"
    assert root.findtext("head/title") == f"Site {HOSTILE} — feeds"
    assert root.find("body") is not None


def test_every_feed_has_one_outline_main_first_with_the_attributes_readers_import() -> None:
    outlines = etree.fromstring(opml()).findall("body/outline")
    ordered = [MAIN] + [d for d in DOCUMENTS if d.key]
    assert len(outlines) == len(ordered)
    for outline, doc in zip(outlines, ordered, strict=True):
        assert outline.get("type") == "rss"
        assert outline.get("text") == outline.get("title") == doc.title
        assert outline.get("xmlUrl") == doc.urls.of("rss.xml")
        assert outline.get("htmlUrl") == doc.urls.html
        assert outline.get("language") == doc.language


def test_the_outline_uses_the_first_configured_xml_format() -> None:
    atom_first = etree.fromstring(opml(formats=("json", "atom", "rss"))).findall("body/outline")
    assert [o.get("xmlUrl") for o in atom_first] == [MAIN.urls.of("atom.xml")] + [
        d.urls.of("atom.xml") for d in DOCUMENTS if d.key
    ]
    json_only = etree.fromstring(opml(formats=("json",))).find("body/outline")
    assert json_only.get("xmlUrl") == MAIN.urls.of("feed.json")


def test_the_dates_come_from_the_documents_never_the_clock() -> None:
    root = etree.fromstring(opml())
    assert root.find("head/dateCreated") is None
    assert root.findtext("head/dateModified") == "Sun, 04 Feb 2024 09:00:00 GMT"  # ARABIC's item, 10:00+01:00
    assert etree.fromstring(opml((EMPTY,))).find("head/dateModified") is None


def test_the_opml_is_deterministic_and_changes_with_its_feeds() -> None:
    assert opml() == opml()
    newer = replace(MAIN, articles=(article(9), *MAIN.articles), updated=article(9).published)
    assert opml((newer, *DOCUMENTS[:1])) != opml((MAIN, *DOCUMENTS[:1]))

"""Draft → Article: the cleaning every record format shares, and what is inferred when missing."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest

from syndicator.model import Article, Author, Category, Image, RawRecord, Rejection, RelatedLink
from syndicator.normalize import normalize
from syndicator.normalize.assemble import SUMMARY_LENGTH, assemble, clean_title, cut_at_word
from syndicator.normalize.context import NormalizeContext
from syndicator.normalize.draft import Draft
from syndicator.normalize.rules import default_rules_path, load_rules
from syndicator.normalize.taxonomy import load_taxonomy

CONFIG = Path(__file__).resolve().parents[2] / "config"
BASE = "https://news.example.org/"
PARIS = ZoneInfo("Europe/Paris")
SCHEME = "https://news.example.org/sections/"


@cache
def context() -> NormalizeContext:
    return NormalizeContext(
        base_url=BASE,
        language="fr",
        timezone=PARIS,
        rules=load_rules(default_rules_path()),
        taxonomy=load_taxonomy(CONFIG / "taxonomy.toml"),
        today=date(2024, 3, 1),
        site_name="Le Monde en Bref",
    )


RAW = RawRecord("cms", "export.json", "record 0", "json", {})


def build(**fields: Any) -> Article:
    fields.setdefault("title", "Un titre")
    return assemble(Draft(**fields), RAW, context())


def rejected(payload: dict[str, Any]) -> Rejection:
    result = normalize(RawRecord("cms", "export.json", "record 2", "json", payload), context())
    assert isinstance(result, Rejection)
    assert (result.source, result.origin, result.locator) == ("cms", "export.json", "record 2")
    assert result.payload == payload
    return result


# -- title ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        ("<b>Hello</b> world", "Hello world"),
        ("Tom &amp; Jerry", "Tom & Jerry"),
        ("Fish &amp;amp; Chips", "Fish & Chips"),  # a CMS that escaped twice still reads as text
        ("L&#8217;été &eacute;trange", "L’été étrange"),
        ("  Trop   d’espaces \n ici ", "Trop d’espaces ici"),
        ("Titre | Le Monde en Bref", "Titre"),
        ("Titre - Le Monde en Bref", "Titre"),
        ("Titre | Some Site", "Titre"),
        ("Élections – lemonde.fr", "Élections"),
        ("Paris - Lyon", "Paris - Lyon"),
        ("Paris — La ville lumière", "Paris — La ville lumière"),
    ],
)
def test_title_is_plain_text_without_the_site_suffix(raw: str, title: str) -> None:
    assert clean_title(raw, site_name="Le Monde en Bref") == title
    assert build(title=raw).title == title


@pytest.mark.parametrize("title", [None, "", "   ", "<b></b>"])
def test_missing_title_is_rejected(title: str | None) -> None:
    payload = {"url": "https://e.org/a"} if title is None else {"title": title}
    rejection = rejected(payload)
    assert rejection.field == "/title"
    assert "missing title" in rejection.reason


# -- url -----------------------------------------------------------------------------


def test_url_is_canonical() -> None:
    article = build(url="HTTPS://News.Example.ORG/monde/a?utm_source=tw&id=3&fbclid=x")
    assert article.url == "https://news.example.org/monde/a?id=3"
    assert article.url_inferred is False


def test_relative_url_is_made_absolute_against_the_site() -> None:
    assert build(url="/monde/a").url == "https://news.example.org/monde/a"


def test_missing_url_is_the_base_url_the_title_slug_and_a_hash_of_the_article_s_id() -> None:
    article = build(title="Économie : la croissance repart")
    assert re.fullmatch(r"https://news\.example\.org/economie-la-croissance-repart-[0-9a-f]{8}", article.url)
    assert article.url_inferred is True
    assert article.url == build(title="Économie : la croissance repart").url  # stable
    assert ("url", "site base URL + title slug + hash of the article's id") in article.inferred
    # Two records with the same title and text on two days are two articles, at two URLs.
    other_day = build(title="Économie : la croissance repart", published="2024-02-03T10:00:00+01:00")
    assert other_day.id != article.id and other_day.url != article.url


def test_title_without_letters_still_gets_a_url() -> None:
    article = build(title="!!!")
    assert re.fullmatch(r"https://news\.example\.org/article-[0-9a-f]{8}", article.url)


def test_a_title_in_any_script_keeps_its_letters_in_the_fallback_url() -> None:
    urls = {title: build(title=title).url for title in ("東京の天気", "Погода в Москве", "Ελλάδα", "مرحبا")}
    assert unquote(urls["東京の天気"]).startswith("https://news.example.org/東京の天気-")
    assert unquote(urls["Погода в Москве"]).startswith("https://news.example.org/погода-в-москве-")
    assert unquote(urls["Ελλάδα"]).startswith("https://news.example.org/ελλάδα-")
    assert unquote(urls["مرحبا"]).startswith("https://news.example.org/مرحبا-")
    assert all(url.isascii() for url in urls.values())


def test_unusable_url_is_dropped_and_the_url_inferred() -> None:
    article = build(title="T", url="javascript:alert(1)")
    assert article.url_inferred and article.url.startswith("https://news.example.org/")
    assert [field for field, _ in article.warnings] == ["/url"]
    assert article.warnings[0][1].endswith("; dropped; URL inferred")


# -- content and summary ---------------------------------------------------------------


def test_content_is_sanitised_against_the_article_url() -> None:
    article = build(
        url="https://news.example.org/monde/a",
        content_html='<p onclick="x()">Voir <a href="b">ceci</a>.</p><script>alert(1)</script>'
        '<img data-src="/i.jpg">',
    )
    assert article.content_html == (
        '<p>Voir <a href="https://news.example.org/monde/b">ceci</a>.</p>'
        '<img src="https://news.example.org/i.jpg">'
    )


def test_summary_is_derived_from_the_first_paragraph() -> None:
    article = build(content_html="<p>Premier paragraphe.</p><p>Second.</p>")
    assert article.summary == "Premier paragraphe."
    assert ("summary", "first paragraph of the content") in article.inferred


def test_long_derived_summary_is_cut_at_a_word_boundary() -> None:
    words = " ".join(f"mot{i}" for i in range(200))
    summary = build(content_html=f"<p>{words}</p>").summary
    assert len(summary) <= SUMMARY_LENGTH + 1
    assert summary.endswith("…")
    assert summary[:-1] in words
    assert words[len(summary) - 1] == " "  # the cut fell between two words


def test_given_summary_is_plain_text() -> None:
    article = build(summary="<p>Un <b>résumé</b> &amp; plus</p>", content_html="<p>x</p>")
    assert article.summary == "Un résumé & plus"


def test_no_content_and_no_summary_is_an_empty_summary() -> None:
    article = build()
    assert (article.summary, article.content_html) == ("", "")


@pytest.mark.parametrize(
    ("text", "limit", "cut"),
    [
        ("short", 10, "short"),
        ("one two three four", 10, "one two…"),
        ("one two, three", 9, "one two…"),
        ("abcdefghij", 5, "abcde…"),
    ],
)
def test_cut_at_word(text: str, limit: int, cut: str) -> None:
    assert cut_at_word(text, limit) == cut


# -- dates ---------------------------------------------------------------------------


def test_date_without_offset_is_in_the_site_time_zone() -> None:
    article = build(published="2024-01-17T09:30:00")
    assert article.published == datetime(2024, 1, 17, 9, 30, tzinfo=PARIS)
    assert article.published is not None and article.published.utcoffset() is not None


def test_date_with_offset_keeps_its_instant() -> None:
    article = build(published="2024-01-17T09:30:00Z")
    assert article.published == datetime(2024, 1, 17, 10, 30, tzinfo=PARIS)


def test_missing_date_is_left_for_the_store() -> None:
    article = build()
    assert article.published is None
    assert article.id.startswith("tag:news.example.org,2024-03-01:")  # the run's day


def test_id_carries_the_published_day() -> None:
    assert build(published="2024-01-17T09:30:00").id.startswith("tag:news.example.org,2024-01-17:")


def test_updated_before_published_is_dropped() -> None:
    article = build(published="2024-01-17T09:30:00", updated="2024-01-16T09:30:00")
    assert article.updated is None


@pytest.mark.parametrize("field", ["published", "updated"])
def test_a_date_that_cannot_be_read_is_dropped_with_a_warning_and_the_article_kept(field: str) -> None:
    key = {"published": "date", "updated": "modified"}[field]
    article = normalize(
        RawRecord("cms", "export.json", "record 2", "json", {"title": "T", key: "le jour d'après"}), context()
    )
    assert isinstance(article, Article)
    assert getattr(article, field) is None
    assert any(p == "/" + field and m.startswith("not a date: ") for p, m in article.warnings)
    assert any(name == field and "not a date" in why for name, why in article.inferred)


@pytest.mark.parametrize(
    "value",
    [
        "2024-01-01T00:00:00+24:00",
        "2024-01-01T00:00:00+9999",
        "0001-01-01T00:00:00+05:00",
        "9999-12-31T23:00:00-05:00",
    ],
)
def test_a_date_with_no_utc_moment_is_dropped_not_fatal(value: str) -> None:
    assert build(published=value).published is None


# -- language ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "language"),
    [("fr", "fr"), ("EN", "en"), ("en-us", "en-US"), ("fr_FR", "fr-FR"), ("zh-Hant-TW", "zh-Hant-TW")],
)
def test_language_is_normalised(given: str, language: str) -> None:
    assert build(language=given).language == language


def test_unusable_language_falls_back_to_the_site_language() -> None:
    article = build(language="français!", content_html="<p>Court.</p>")
    assert article.language == "fr"
    assert any(name == "language" for name, _ in article.inferred)


def test_language_is_detected_from_long_enough_text() -> None:
    text = (
        "The government announced on Tuesday that the new railway line between the two "
        "largest cities of the country would open next spring, after years of delays."
    )
    assert build(title="Railway news", content_html=f"<p>{text}</p>").language == "en"


# -- categories, tags, related, image, authors ---------------------------------------------


def test_spellings_of_one_section_are_one_category() -> None:
    article = build(categories=("MONDE", "monde", "Monde", "International"))
    assert article.categories == (Category("monde", "Monde", SCHEME),)


def test_accented_category_gets_an_ascii_term() -> None:
    assert build(categories=("Économie",)).categories == (Category("economie", "Économie", SCHEME),)


def test_unknown_category_is_slugged_and_tidied() -> None:
    assert build(categories=("VIE LOCALE", "&lt;&gt;")).categories == (
        Category("vie-locale", "Vie locale", SCHEME),
    )


def test_tags_are_deduplicated_ignoring_case() -> None:
    assert build(tags=("Climat", "climat", " COP28 ", "")).tags == ("Climat", "COP28")


def test_related_links_are_canonical_and_unique() -> None:
    article = build(
        url="https://news.example.org/monde/a",
        related=(
            RelatedLink("b?utm_source=x", "<i>B</i>"),
            RelatedLink("https://news.example.org/monde/b"),
            RelatedLink("javascript:alert(1)"),
        ),
    )
    assert article.related == (RelatedLink("https://news.example.org/monde/b", "B"),)


def test_image_url_is_made_absolute() -> None:
    article = build(url="https://news.example.org/monde/a", image=Image("i.jpg", alt=" Un  chat "))
    assert article.image == Image("https://news.example.org/monde/i.jpg", "Un chat", "image/jpeg")


def test_unusable_image_is_dropped() -> None:
    assert build(image=Image("javascript:x")).image is None


def test_source_and_status_are_recorded() -> None:
    article = build(source_id="42", status="draft")
    assert article.source.kind == "directory"
    assert article.source.ref == "export.json: record 0"
    assert article.source_id == "42"
    assert article.status == "draft"
    assert build().status == "published"


def test_normalize_is_stable_for_the_same_record() -> None:
    payload = {"title": "T", "content": "<p>Un texte.</p>", "categories": ["Monde"]}
    raw = RawRecord("cms", "a.json", "", "json", payload)
    assert normalize(raw, context()) == normalize(raw, context())


def test_a_relative_author_url_is_resolved_against_the_article_s_url() -> None:
    article = build(
        url="https://news.example.org/politique/budget",
        authors=(
            Author("Jeanne Roux", "/auteurs/jeanne-roux"),
            Author("Paul Petit", "mailto:paul@news.example.org"),
            Author("Anne Abel", "https://autre.example/anne"),
        ),
    )

    assert [a.url for a in article.authors] == [
        "https://news.example.org/auteurs/jeanne-roux",
        "mailto:paul@news.example.org",
        "https://autre.example/anne",
    ]

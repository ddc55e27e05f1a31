"""JSON records: whatever a CMS calls its fields, the Draft gets them; a field of the
wrong type is dropped with a repair naming the key, never the record."""

from __future__ import annotations

from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from syndicator.model import Author, Enclosure, Image, RawRecord, RelatedLink, Repair
from syndicator.normalize.context import NormalizeContext
from syndicator.normalize.draft import Draft
from syndicator.normalize.json_record import ALIASES, extract_json_article
from syndicator.normalize.rules import default_rules_path, load_rules


@cache
def context() -> NormalizeContext:
    return NormalizeContext(
        base_url="https://news.example.org/",
        language="fr",
        timezone=ZoneInfo("Europe/Paris"),
        rules=load_rules(default_rules_path()),
    )


def extract(payload: dict[str, Any]) -> Draft:
    raw = RawRecord("cms", "export.json", "record 3", "json", payload)
    return extract_json_article(raw, context())


def dropped(payload: dict[str, Any]) -> Repair:
    (repair,) = extract(payload).repairs
    assert repair.action == "dropped"
    return repair


DATE = "2024-01-17T09:30:00+01:00"
# (value written under the alias, what the Draft holds)
VALUES: dict[str, tuple[Any, Any]] = {
    "source_id": ("abc-1", "abc-1"),
    "title": ("Bonjour", "Bonjour"),
    "url": ("https://e.org/a", "https://e.org/a"),
    "content_html": ("<p>Body</p>", "<p>Body</p>"),
    "summary": ("Short", "Short"),
    "authors": ("Jane Doe", (Author("Jane Doe"),)),
    "published": (DATE, DATE),
    "updated": (DATE, DATE),
    "categories": ("Monde", ("Monde",)),
    "tags": ("alpha, beta", ("alpha", "beta")),
    "related": ("https://e.org/r", (RelatedLink("https://e.org/r"),)),
    "language": ("fr-CA", "fr-CA"),
    "image": ("https://e.org/i.jpg", Image("https://e.org/i.jpg")),
    "status": ("Draft", "draft"),
    "enclosures": ("https://e.org/ep.mp3", (Enclosure("https://e.org/ep.mp3", ""),)),
}
PLAIN_TEXT_ALIASES = {"text", "content_text", "body_text"}


def test_every_draft_field_has_aliases_and_a_test_value() -> None:
    assert set(ALIASES) == set(VALUES)


@pytest.mark.parametrize(("field", "alias"), [(f, a) for f, aliases in ALIASES.items() for a in aliases])
def test_every_alias_maps_to_its_field(field: str, alias: str) -> None:
    value, expected = VALUES[field]
    if alias in PLAIN_TEXT_ALIASES:
        value, expected = "Body", "<p>Body</p>"
    payload = {alias: value} if field == "title" else {"title": "T", alias: value}
    assert getattr(extract(payload), field) == expected


def test_first_alias_wins() -> None:
    assert extract({"title": "A", "headline": "B"}).title == "A"


def test_empty_and_null_values_fall_through_to_the_next_alias() -> None:
    assert extract({"title": "", "headline": None, "name": "C"}).title == "C"


def test_absent_fields_are_none_or_empty() -> None:
    draft = extract({"title": "T"})
    assert draft.url is None and draft.published is None and draft.image is None
    assert draft.authors == () and draft.categories == () and draft.tags == ()
    assert draft.status is None


def test_wordpress_rendered_objects_are_read() -> None:
    draft = extract(
        {
            "id": 42,
            "link": "https://wp.example/?p=42",
            "title": {"rendered": "Hello &amp; bye"},
            "content": {"rendered": "<p>x</p>", "protected": False},
            "excerpt": {"rendered": "<p>ex</p>"},
            "date": "2024-01-17T09:30:00",
            "modified": "2024-01-18T10:00:00",
            "status": "publish",
        }
    )
    assert draft.source_id == "42"
    assert draft.title == "Hello &amp; bye"  # entities are decoded once, by assemble
    assert draft.content_html == "<p>x</p>"
    assert draft.summary == "<p>ex</p>"
    assert draft.published == "2024-01-17T09:30:00"
    assert draft.updated == "2024-01-18T10:00:00"
    assert draft.status == "publish"


def test_plain_text_body_becomes_escaped_paragraphs() -> None:
    draft = extract({"title": "T", "text": "para one\nline\r\n\r\npara two & <b>"})
    assert draft.content_html == "<p>para one line</p><p>para two &amp; &lt;b&gt;</p>"


# -- wrong types -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "pointer"),
    [
        ({"headline": ["x"]}, "/headline"),
        ({"title": True}, "/title"),
        ({"title": "T", "link": 3}, "/link"),
        ({"title": "T", "guid": True}, "/guid"),
        ({"title": "T", "body": {"html": "x"}}, "/body"),
        ({"title": "T", "pubDate": 20240117}, "/pubDate"),  # a number, but no Unix time of a news record
        ({"title": "T", "byline": 3}, "/byline"),
        ({"title": "T", "authors": [{"url": "https://e.org/"}]}, "/authors/0"),  # the item, not the list
        ({"title": "T", "section": 3}, "/section"),
        ({"title": "T", "categories": ["a", 7]}, "/categories/1"),
        ({"title": "T", "keywords": [1]}, "/keywords/0"),
        ({"title": "T", "related_links": [3]}, "/related_links/0"),
        ({"title": "T", "thumbnail": 3}, "/thumbnail"),
        ({"title": "T", "image": {"alt": "no url"}}, "/image"),
        ({"title": "T", "inLanguage": ["fr"]}, "/inLanguage"),
    ],
)
def test_wrong_type_is_dropped_naming_the_json_pointer_of_the_key_used(
    payload: dict[str, Any], pointer: str
) -> None:
    repair = dropped(payload)
    assert repair.field == pointer
    assert str(repair).startswith(f"{pointer}: ")


def test_wrong_type_message_says_what_was_found() -> None:
    assert dropped({"headline": ["x"]}).problem == "must be a string, not an array"


def test_json_feed_attachments_are_enclosures_with_type_and_length() -> None:
    draft = extract(
        {
            "title": "Episode 1",
            "attachments": [{"url": "https://e.org/1.mp3", "mime_type": "audio/mpeg", "size_in_bytes": 9}],
        }
    )
    assert draft.enclosures == (Enclosure("https://e.org/1.mp3", "audio/mpeg", 9),)


def test_numeric_id_is_kept_as_text() -> None:
    assert extract({"title": "T", "post_id": 123}).source_id == "123"


# -- authors -------------------------------------------------------------------------


def test_byline_string_names_every_author() -> None:
    draft = extract({"title": "T", "byline": "par Jean Dupont et Marie Curie"})
    assert draft.authors == (Author("Jean Dupont"), Author("Marie Curie"))


def test_author_objects_keep_url_and_email() -> None:
    draft = extract(
        {
            "title": "T",
            "authors": [
                {"name": "Ada", "url": "https://ada.example/", "email": "ada@example.org"},
                {"name": "Bob", "uri": "https://bob.example/"},
                "Chloé Martin",
            ],
        }
    )
    assert draft.authors == (
        Author("Ada", "https://ada.example/", "ada@example.org"),
        Author("Bob", "https://bob.example/"),
        Author("Chloé Martin"),
    )


# -- categories, tags, related, image ----------------------------------------------------


def test_tags_from_a_comma_separated_string() -> None:
    assert extract({"title": "T", "keywords": " climat,  énergie ,, COP28 "}).tags == (
        "climat",
        "énergie",
        "COP28",
    )


def test_tags_from_a_list() -> None:
    assert extract({"title": "T", "tags": ["a, b", "c"]}).tags == ("a, b", "c")


def test_categories_from_objects_with_a_name_or_label() -> None:
    draft = extract({"title": "T", "categories": [{"name": "Monde"}, {"label": "Tech"}, "Eco"]})
    assert draft.categories == ("Monde", "Tech", "Eco")


def test_single_category_object() -> None:
    assert extract({"title": "T", "section": {"name": "Sport"}}).categories == ("Sport",)


def test_related_objects_keep_their_titles() -> None:
    draft = extract(
        {
            "title": "T",
            "related": [{"url": "/a", "title": "A"}, {"href": "https://e.org/b"}, "https://e.org/c"],
        }
    )
    assert draft.related == (
        RelatedLink("/a", "A"),
        RelatedLink("https://e.org/b"),
        RelatedLink("https://e.org/c"),
    )


def test_image_object_keeps_sizes_that_are_positive_whole_numbers() -> None:
    draft = extract(
        {
            "title": "T",
            "image": {
                "src": "/a.jpg",
                "caption": "A cat",
                "mime_type": "image/jpeg",
                "width": "3",
                "height": 100,
            },
        }
    )
    assert draft.image == Image("/a.jpg", "A cat", "image/jpeg", None, 100)


def test_image_list_takes_the_first() -> None:
    draft = extract({"title": "T", "image": ["https://e.org/1.jpg", "https://e.org/2.jpg"]})
    assert draft.image == Image("https://e.org/1.jpg")


# -- status ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"status": "Draft"}, "draft"),
        ({"state": "PUBLISHED"}, "published"),
        ({"visibility": "private"}, "private"),
        ({"draft": True}, "draft"),
        ({"status": "publish", "draft": True}, "draft"),
        ({"status": "publish", "draft": False}, "publish"),
        ({"status": "Published "}, "published"),  # a CMS's trailing space
        ({"status": False}, "draft"),  # Drupal: a boolean, false for unpublished
        ({"status": True}, "published"),
        ({"status": "publish", "draft": "true"}, "draft"),
        ({}, None),
    ],
)
def test_status_and_draft_flag(payload: dict[str, Any], status: str | None) -> None:
    assert extract({"title": "T", **payload}).status == status


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
def test_an_id_that_is_not_a_finite_number_is_dropped_with_a_warning(number: float) -> None:
    # str(nan) is "nan" for every such record: they would all be one article.
    repair = dropped({"title": "T", "id": number})
    assert repair.field == "/id" and "finite" in repair.problem


def test_one_bad_item_of_a_list_costs_only_itself() -> None:
    draft = extract(
        {
            "title": "T",
            "authors": ["Jane Roe", None, 3],
            "categories": [{"name": "Sport"}, {"slug": "x"}, {"label": "Culture"}],
            "tags": [{"name": "Good"}, {"slug": "bad"}],
            "related": ["https://r.example/1", {"title": "no url"}],
        }
    )
    assert draft.authors == (Author("Jane Roe"),)
    assert draft.categories == ("Sport", "Culture")
    assert draft.tags == ("Good",)
    assert draft.related == (RelatedLink("https://r.example/1"),)
    assert [r.field for r in draft.repairs] == ["/authors/2", "/categories/1", "/tags/1", "/related/1"]


@pytest.mark.parametrize("written", [1705480200, 1705480200000, "1705480200", 1705480200.5])
def test_a_unix_time_is_repaired_to_a_date(written: Any) -> None:
    draft = extract({"title": "T", "published": written})
    assert draft.published == "2024-01-17T08:30:00Z"
    assert [(r.field, r.action) for r in draft.repairs] == [
        ("/published", "repaired to '2024-01-17T08:30:00Z'")
    ]


def test_eight_digits_are_a_date_not_a_unix_time() -> None:
    assert extract({"title": "T", "published": "20240312"}).published == "20240312"  # read as 12 March 2024

"""WordPress REST posts (`wp-json/wp/v2/posts` answers) in syndicator's field names.

The same reading for an answer fetched by the JSON API source and one saved to
a file and read by the directory source; nothing here reaches the network, so
reading files never imports the HTTP client.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def is_wordpress(record: Mapping[str, Any]) -> bool:
    """A WordPress REST post: its title is `{"rendered": ...}` (wp/v2 posts, pages, custom types)."""
    return isinstance(record.get("title"), Mapping) and "rendered" in record["title"]


def wordpress_record(post: Mapping[str, Any]) -> dict[str, Any]:
    """A WordPress REST post (wp/v2, with or without `_embed`) in our field names."""

    def rendered(key: str) -> str | None:
        value = post.get(key)
        if isinstance(value, Mapping):
            value = value.get("rendered")
        return value if isinstance(value, str) and value else None

    def gmt(key: str) -> str | None:
        value = post.get(key)  # `date_gmt` has no offset but is UTC; `date` is site-local
        return f"{value}Z" if isinstance(value, str) and value and value[-1].isdigit() else None

    embedded = post.get("_embedded")
    embedded = embedded if isinstance(embedded, Mapping) else {}

    def listed(key: str) -> list[Any]:
        value = embedded.get(key)  # a list in every answer WordPress gives; anything else is ignored
        return value if isinstance(value, list) else []

    record: dict[str, Any] = {
        # The guid (`https://site/?p=42`) is the id WordPress's own feeds give readers.
        "id": rendered("guid") or (str(post["id"]) if isinstance(post.get("id"), int) else None),
        "title": rendered("title"),
        "url": post.get("link") if isinstance(post.get("link"), str) else None,
        "content_html": rendered("content"),
        "summary": rendered("excerpt"),
        "published": gmt("date_gmt") or post.get("date"),
        "updated": gmt("modified_gmt") or post.get("modified"),
        "status": post.get("status") if isinstance(post.get("status"), str) else None,
    }
    authors = [
        {"name": a["name"], "url": a.get("link") if isinstance(a.get("link"), str) else None}
        for a in listed("author")
        if isinstance(a, Mapping) and isinstance(a.get("name"), str)
    ]
    terms = [
        t
        for group in listed("wp:term")
        if isinstance(group, list)
        for t in group
        if isinstance(t, Mapping) and isinstance(t.get("name"), str)
    ]
    media = next(iter(listed("wp:featuredmedia")), None)
    if isinstance(media, Mapping) and isinstance(media.get("source_url"), str):
        details = media.get("media_details")
        details = details if isinstance(details, Mapping) else {}
        record["image"] = {
            "url": media["source_url"],
            "alt": media.get("alt_text") or None,
            "type": media.get("mime_type"),
            "width": details.get("width"),
            "height": details.get("height"),
        }
    record["authors"] = authors or None
    record["categories"] = [t["name"] for t in terms if t.get("taxonomy") == "category"] or None
    record["tags"] = [t["name"] for t in terms if t.get("taxonomy") == "post_tag"] or None
    return {k: v for k, v in record.items() if v is not None}

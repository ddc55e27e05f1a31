"""An item with thousands of categories renders in linear time in every format.

feedgen's FeedEntry.category rebuilds its whole list on every call: adding
categories one at a time made 1,000 of them take minutes per feed.
"""

from __future__ import annotations

from collections.abc import Callable

from hangguard import finishes_within

from syndicator.model import Article, Category, FeedDocument
from syndicator.render import FORMATS

MANY = 10_000


def test_an_item_with_ten_thousand_categories_and_tags_renders_in_every_format(
    new_article: Callable[..., Article], new_document: Callable[..., FeedDocument]
) -> None:
    article = new_article(
        1,
        categories=tuple(Category(term=f"topic-{i}", label=f"Topic {i}") for i in range(MANY)),
        tags=tuple(f"tag {i}" for i in range(MANY)),
    )
    doc = new_document((article,))

    def render_all() -> None:
        for renderer in FORMATS.values():
            data = renderer.render(doc)
            assert data.count(b"Topic 9999") >= 1 and data.count(b"tag 9999") >= 1, renderer.name

    # A hang guard, not a speed target: the quadratic adapter took minutes.
    assert finishes_within(60, render_all)

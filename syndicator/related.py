""" "Read more: <title>" references become related links to the article with that title.

A scraped page names the article it points to only by title; once the store
(or this very run) knows an article with that title, readers get a real link.
Pure: the caller looks the titles up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from syndicator.model import Article, RelatedLink


def wanted_titles(articles: Sequence[Article]) -> set[str]:
    return {title for a in articles for title in a.related_titles}


def resolve_related(articles: Sequence[Article], known: Mapping[str, str]) -> list[Article]:
    """Add a related link per referenced title found in `known` or among `articles`."""
    in_run = {a.title: a.url for a in articles}
    resolved = []
    for article in articles:
        links = list(article.related)
        present = {link.url for link in links}
        for title in article.related_titles:
            url = in_run.get(title) or known.get(title)
            if url and url != article.url and url not in present:
                links.append(RelatedLink(url=url, title=title))
                present.add(url)
        resolved.append(
            replace(article, related=tuple(links)) if len(links) != len(article.related) else article
        )
    return resolved

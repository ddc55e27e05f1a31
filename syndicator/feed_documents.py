"""Which feeds a site has and what each one holds, as FeedDocuments (pure).

The main feed and one feed per category, each cut to the newest `items`
articles. A feed's `updated` is its newest item's date, never the clock
(STYLE 7): the same articles always give the same document.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from syndicator import __version__
from syndicator.config import Config, FeedPolicy
from syndicator.model import Article, Category, FeedDocument, FeedUrls

GENERATOR_URI = "https://github.com/syndicator/syndicator"
# `updated` of a feed with no items when nothing better is known. Feeds
# rendered from a store use the store's first run instead: the W3C validator
# flags 1970 as an ImplausibleDate.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def feed_urls(config: Config, key: str) -> FeedUrls:
    base = config.site.feeds_url + (quote(f"{key}/") if key else "")  # `categories/日本/`
    return FeedUrls(directory=base, html=config.site.base_url)


def newest_date(articles: tuple[Article, ...], empty: datetime = EPOCH) -> datetime:
    """The newest item's date; `empty` when there is no item to date the feed."""
    dates = [a.updated or a.published for a in articles]
    return max((d for d in dates if d is not None), default=empty)


def dominant_language(articles: tuple[Article, ...]) -> str:
    """A site with no language of its own (a one-off publish) declares, per
    feed, the language most of its articles are in; none when they don't say."""
    counts = Counter(a.language for a in articles if a.language and a.language != "und")
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0] if counts else ""


def language_document(
    config: Config, language: str, articles: tuple[Article, ...], *, empty_date: datetime = EPOCH
) -> FeedDocument:
    """The feed of one language's articles (`languages/<tag>/`): its declared
    language is true of every item in it, which a mixed main feed cannot say."""
    key = f"languages/{language}"
    document = feed_document(config, articles, empty_date=empty_date)
    return replace(
        document,
        key=key,
        title=f"{document.title} ({language})",
        language=language,
        urls=feed_urls(config, key),
    )


def selection_document(
    config: Config, key: str, name: str, articles: tuple[Article, ...], *, empty_date: datetime = EPOCH
) -> FeedDocument:
    """The feed of one tag or author (`tags/<slug>/`, `authors/<slug>/`), titled by its name."""
    document = feed_document(config, articles, empty_date=empty_date)
    return replace(
        document,
        key=key,
        title=f"{document.title} — {name}",
        description=f"{name} — {document.description}",
        urls=feed_urls(config, key),
    )


def feed_document(
    config: Config,
    articles: tuple[Article, ...],
    category: Category | None = None,
    *,
    empty_date: datetime = EPOCH,
) -> FeedDocument:
    site = config.site
    key = f"categories/{category.term}" if category else ""
    title = f"{site.title} — {category.label}" if category else site.title
    description = site.description or site.title
    if category:
        description = f"{category.label} — {description}"
    return FeedDocument(
        key=key,
        title=title,
        description=description,
        language=site.language or dominant_language(articles),
        urls=feed_urls(config, key),
        updated=newest_date(articles, empty_date),
        articles=articles,
        generator="syndicator",
        generator_version=__version__,
        generator_uri=GENERATOR_URI,
        category=category,
        hubs=config.advertised_hubs,
        icon=site.icon,
        logo=site.logo,
        image=site.image,
        # RSS ttl / sy:updatePeriod follow the publishing interval; a cron
        # schedule has no single period, so no hint is better than a wrong one.
        ttl_minutes=max(1, config.interval_seconds // 60)
        if config.interval_seconds and not config.cron
        else None,
    )


EXCERPT_CHARS = 280  # an excerpt made from the body when the article has no summary


def with_content(article: Article, mode: str) -> Article:
    """The article as a feed in `mode` carries it: "full" as it is, "excerpt"
    with its summary (or the body's opening words) and no body, "title" with
    neither. Readers follow the link to the site for the rest."""
    if mode == "full":
        return article
    version = f"{article.version}/{mode}" if article.version else ""
    if mode == "title":
        return replace(article, summary="", content_html="", content_text="", version=version)
    # content_text is worked out at normalization; older stored articles lack it
    # (lxml.html, imported only for them).
    from syndicator.plaintext import html_to_text

    summary = article.summary.strip() or _opening(article.content_text or html_to_text(article.content_html))
    return replace(article, summary=summary, content_html="", content_text="", version=version)


def _opening(text: str) -> str:
    """The first EXCERPT_CHARS of a text, cut at a word boundary."""
    words = " ".join(text.split())
    if len(words) <= EXCERPT_CHARS:
        return words
    return words[:EXCERPT_CHARS].rsplit(" ", 1)[0] + " …"


def within_policy(articles: tuple[Article, ...], policy: FeedPolicy, items: int) -> tuple[Article, ...]:
    """A feed's articles cut to its item count and age limit, in content mode.

    The age limit counts back from the feed's own newest item, not from the
    clock, so the same articles always give the same feed (STYLE 7): a feed
    keeps a window of its recent history.
    """
    kept = articles[: policy.items or items]
    if policy.max_age_days is not None and kept:
        newest = max(v for a in kept if (v := a.published) is not None)
        oldest = newest - timedelta(days=policy.max_age_days)
        kept = tuple(a for a in kept if a.published is None or a.published >= oldest)
    return tuple(with_content(a, policy.content) for a in kept)

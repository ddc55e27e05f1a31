"""Aggregator profiles: the written feeds checked against what Google News,
Apple News, Flipboard and Microsoft Start publish as their requirements.

The rules are data (defaults/profiles.toml: check, limit, the aggregator's own
words and the page they come from); this module holds one pure check per rule
kind, in a registry. Each profile reads the RSS feeds of an output directory,
the format all four accept, and reports findings per feed and per item, each
quoting its rule and source.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from syndicator.defaults import PROFILES_PATH
from syndicator.errors import ConfigError

CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_LANGUAGE = "{http://purl.org/dc/elements/1.1/}language"
MEDIA = "http://search.yahoo.com/mrss/"
ATOM = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True)
class Rule:
    profile: str  # "google-news", ...: the table name in profiles.toml
    check: str  # key in CHECKS
    limit: Any  # the check's parameter (a number, a pair), or None
    says: str  # the requirement in the aggregator's words
    source: str  # the page it is published on


@dataclass(frozen=True)
class Feed:
    """One written RSS feed, read once for every rule."""

    path: str  # relative to the output directory
    size: int  # bytes on disk
    channel: Any  # lxml <channel> element
    items: tuple[Any, ...]  # lxml <item> elements


@dataclass(frozen=True)
class Finding:
    profile: str
    feed: str  # relative path of the feed file
    item: str | None  # the item's guid (or link, or title); None for the feed itself
    message: str  # what is wrong, with the numbers
    rule: Rule

    def __str__(self) -> str:
        where = f"{self.feed}: item {self.item}" if self.item else self.feed
        return f"{self.profile}: {where}: {self.message} (rule: “{self.rule.says}”, {self.rule.source})"


# A check yields (item or None, message) for each way a feed breaks its rule.
Problems = Iterator[tuple[str | None, str]]
Check = Callable[[Feed, Any, datetime], Problems]


def load_profiles(path: Path = PROFILES_PATH) -> Mapping[str, tuple[Rule, ...]]:
    """The rules of every profile, by name, checked against the registry."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(str(path), "", f"unreadable profiles: {e}") from e
    profiles: dict[str, tuple[Rule, ...]] = {}
    for name, rules in data.items():
        loaded = []
        for index, rule in enumerate(rules):
            if rule.get("check") not in CHECKS:
                raise ConfigError(str(path), f"{name}[{index}].check", f"unknown check {rule.get('check')!r}")
            loaded.append(Rule(name, rule["check"], rule.get("limit"), rule["says"], rule["source"]))
        profiles[name] = tuple(loaded)
    return profiles


def read_feeds(output: Path) -> list[Feed]:
    """Every subscription RSS feed under `output` (archive pages never change, and are
    left out), or the one feed file `output` names: the feed submitted to an aggregator."""
    feeds = []
    paths = [output] if output.is_file() else sorted(output.rglob("rss.xml"))
    for path in paths:
        relative = path.name if path == output else path.relative_to(output).as_posix()
        if relative.startswith("archive/"):
            continue
        data = path.read_bytes()
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
        channel = root.find("channel")
        if channel is None:
            continue
        feeds.append(Feed(relative, len(data), channel, tuple(channel.findall("item"))))
    return feeds


def check_output(output: Path, profile: str, now: datetime) -> list[Finding]:
    """Every finding of one profile over the feeds written in `output`."""
    profiles = load_profiles()
    if profile not in profiles:
        raise ConfigError(
            "--profile", "", f"unknown profile {profile!r}; known: {', '.join(sorted(profiles))}"
        )
    findings = []
    for feed in read_feeds(output):
        for rule in profiles[profile]:
            for item, message in CHECKS[rule.check](feed, rule.limit, now):
                findings.append(Finding(profile, feed.path, item, message, rule))
    return findings


def _name(item: Any) -> str:
    return str(item.findtext("guid") or item.findtext("link") or item.findtext("title") or "?")


def _feed_bytes(feed: Feed, limit: int, now: datetime) -> Problems:
    if feed.size > limit:
        yield None, f"the feed is {feed.size:,} bytes, over {limit:,}"


def _item_bytes(feed: Feed, limit: int, now: datetime) -> Problems:
    for item in feed.items:
        size = len(etree.tostring(item, encoding="utf-8"))
        if size > limit:
            yield _name(item), f"the item is {size:,} bytes, over {limit:,}"


def _item_guid(feed: Feed, limit: None, now: datetime) -> Problems:
    for item in feed.items:
        if not (item.findtext("guid") or "").strip():
            yield _name(item), "the item has no <guid>"


def _full_content(feed: Feed, limit: None, now: datetime) -> Problems:
    for item in feed.items:
        if not (item.findtext(CONTENT) or "").strip():
            yield _name(item), "the item carries no full body (content:encoded)"


def _image_sizes(item: Any) -> list[tuple[int, int] | None]:
    """(width, height) of each image of the item (media:content or
    media:thumbnail, one entry per address: a thumbnail repeating the
    media:content is the same picture); None when its size is unknown."""
    sizes: dict[str, tuple[int, int] | None] = {}
    for element in (*item.iter(f"{{{MEDIA}}}content"), *item.iter(f"{{{MEDIA}}}thumbnail")):
        if element.tag.endswith("content") and element.get("medium", "image") != "image":
            continue
        width, height = element.get("width"), element.get("height")
        size = (
            (int(width), int(height)) if width and height and width.isdigit() and height.isdigit() else None
        )
        url = element.get("url", "")
        if sizes.get(url) is None:
            sizes[url] = size
    return list(sizes.values())


def _image_shortest_side(feed: Feed, limit: int, now: datetime) -> Problems:
    for item in feed.items:
        for size in _image_sizes(item):
            if size is not None and min(size) < limit:
                yield _name(item), f"an image is {size[0]}x{size[1]}, its shortest side under {limit}px"


def _image_longest_side(feed: Feed, limit: int, now: datetime) -> Problems:
    for item in feed.items:
        for size in _image_sizes(item):
            if size is not None and max(size) < limit:
                yield _name(item), f"an image is {size[0]}x{size[1]}, neither side {limit}px or more"


def _image_aspect_ratio(feed: Feed, limit: list[float], now: datetime) -> Problems:
    low, high = limit
    for item in feed.items:
        for size in _image_sizes(item):
            if size is not None and size[1] and not low <= size[0] / size[1] <= high:
                ratio = size[0] / size[1]
                yield (
                    _name(item),
                    f"an image is {size[0]}x{size[1]}, ratio {ratio:.2f}, not between {low} and {high}",
                )


def _item_image(feed: Feed, limit: int, now: datetime) -> Problems:
    for item in feed.items:
        sizes = _image_sizes(item)
        if not sizes:
            yield _name(item), "the item has no image (media:content)"
        elif not any(size is None or min(size) >= limit for size in sizes):
            yield _name(item), f"no image of the item is at least {limit}px on its shortest side"


def _min_items(feed: Feed, limit: int, now: datetime) -> Problems:
    if len(feed.items) < limit:
        yield None, f"the feed holds {len(feed.items)} items, fewer than {limit}"


def _channel_language(feed: Feed, limit: None, now: datetime) -> Problems:
    if not (feed.channel.findtext("language") or "").strip():
        yield None, "the channel has no <language>"


def _channel_language_region(feed: Feed, limit: None, now: datetime) -> Problems:
    language = (feed.channel.findtext("language") or "").strip()
    if "-" not in language:
        yield None, f"the channel language {language or '(none)'!r} names no region (such as fr-FR)"


def _item_description(feed: Feed, limit: None, now: datetime) -> Problems:
    for item in feed.items:
        if not (item.findtext("description") or "").strip():
            yield _name(item), "the item has no <description>"


def _title_max_chars(feed: Feed, limit: int, now: datetime) -> Problems:
    yield from _title_chars_between(feed, [1, limit], now)


def _title_chars_between(feed: Feed, limit: list[int], now: datetime) -> Problems:
    low, high = limit
    for item in feed.items:
        title = (item.findtext("title") or "").strip()
        if not low <= len(title) <= high:
            yield _name(item), f"the title is {len(title)} characters, not between {low} and {high}"


def _published_within_days(feed: Feed, limit: int, now: datetime) -> Problems:
    for item in feed.items:
        published = _rfc822(item.findtext("pubDate"))
        if published is None:
            yield _name(item), "the item has no readable <pubDate>"
        elif published > now:
            yield _name(item), f"the item is dated in the future ({published.isoformat()})"
        elif now - published >= timedelta(days=limit):
            yield _name(item), f"the item is {(now - published).days} days old, {limit} or more"


def _dates_in_utc(feed: Feed, limit: None, now: datetime) -> Problems:
    dates: list[tuple[str | None, str | None]] = [(None, feed.channel.findtext("lastBuildDate"))]
    dates += [(_name(item), item.findtext("pubDate")) for item in feed.items]
    for item, text in dates:
        if text and not text.rstrip().endswith(("GMT", "UT", "Z", "+0000")):
            yield item, f"the date {text!r} is not in UTC"


def _one_language(feed: Feed, limit: None, now: datetime) -> Problems:
    declared = (feed.channel.findtext("language") or "").strip().lower()
    for item in feed.items:
        language = (item.findtext(DC_LANGUAGE) or declared).strip().lower()
        if language.split("-")[0] != declared.split("-")[0]:
            yield _name(item), f"the item is in {language!r}, the feed declares {declared!r}"


def _https_links(feed: Feed, limit: None, now: datetime) -> Problems:
    for link in feed.channel.iter(f"{{{ATOM}}}link"):
        if link.get("rel") == "self" and urlsplit(link.get("href", "")).scheme != "https":
            yield None, f"the feed's own address {link.get('href')!r} is not HTTPS"


def _rfc822(text: str | None) -> datetime | None:
    try:
        return parsedate_to_datetime(text) if text else None
    except (TypeError, ValueError):
        return None


CHECKS: Mapping[str, Check] = {
    "feed_bytes": _feed_bytes,
    "item_bytes": _item_bytes,
    "item_guid": _item_guid,
    "full_content": _full_content,
    "image_shortest_side": _image_shortest_side,
    "item_image": _item_image,
    "image_longest_side": _image_longest_side,
    "image_aspect_ratio": _image_aspect_ratio,
    "min_items": _min_items,
    "channel_language": _channel_language,
    "channel_language_region": _channel_language_region,
    "item_description": _item_description,
    "title_max_chars": _title_max_chars,
    "title_chars_between": _title_chars_between,
    "published_within_days": _published_within_days,
    "dates_in_utc": _dates_in_utc,
    "one_language": _one_language,
    "https_links": _https_links,
}

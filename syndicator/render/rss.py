"""RSS 2.0 (https://www.rssboard.org/rss-specification), built with feedgen.

Where RSS 2.0 has no element for a field, the widely read extensions carry
it: content:encoded for the full HTML, dc:creator for authors without an
e-mail address, atom:link for self, hub and related links, media:content for
the image, and the syndication module for the update schedule.
"""

from __future__ import annotations

import html
import re
from functools import partial

from lxml import etree

from syndicator.model import Article, FeedDocument
from syndicator.render import _values as v
from syndicator.render._feedgen_ext import new_feed, rss_bytes

MEDIA_TYPE = "application/rss+xml"
FILENAME = "rss.xml"

ATOM = "http://www.w3.org/2005/Atom"
DC = "http://purl.org/dc/elements/1.1/"
MEDIA = "http://search.yahoo.com/mrss/"
SY = "http://purl.org/rss/1.0/modules/syndication/"
_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
_ATOM_UPDATED = f"{{{ATOM}}}updated"
_ATOM_LINK = f"{{{ATOM}}}link"
_DC_LANGUAGE = f"{{{DC}}}language"
_DC_CREATOR = f"{{{DC}}}creator"
_MEDIA_CONTENT = f"{{{MEDIA}}}content"
_MEDIA_DESCRIPTION = f"{{{MEDIA}}}description"
_MEDIA_THUMBNAIL = f"{{{MEDIA}}}thumbnail"
FH = "http://purl.org/syndication/history/1.0"  # RFC 5005 §6

# The syndication module's periods, shortest first, in minutes. `monthly`
# and `yearly` are left out: a ttl longer than a week is not a schedule.
_PERIODS = (("hourly", 60), ("daily", 1440), ("weekly", 10080))


def render_rss(doc: FeedDocument) -> bytes:
    """The RSS 2.0 bytes of one feed; the same document gives the same bytes."""
    spelt: list[bool] = []
    feed = new_feed(
        namespaces={"dc": DC, "media": MEDIA, "sy": SY, **({"fh": FH} if doc.archive else {})},
        rss=partial(_channel_extras, doc, spelt),
    )
    title = v.clean(doc.title)
    feed.title(title)
    # RSS 2.0 requires a non-empty channel description.
    feed.description(v.clean(doc.description).strip() or title)
    # feedgen writes the self link as atom:link and takes the *last* link
    # added as the channel <link>, so the alternate page goes last.
    feed.link(href=v.clean(doc.urls.of(FILENAME)), rel="self", type=MEDIA_TYPE)
    feed.link(href=v.clean(doc.urls.html), rel="alternate")
    feed.language(v.clean(doc.language))
    # RSS <generator> is free text: name and version, the URI is Atom's.
    feed.generator(v.clean(f"{doc.generator} {doc.generator_version}"))
    if doc.ttl_minutes and not (doc.archive and doc.archive.is_archive):
        feed.ttl(doc.ttl_minutes)  # an archive page never changes: no polling hint
    artwork = doc.image or doc.logo or doc.icon  # the banner, else the best square
    if artwork:
        # The validator's ImageTitleDoesntMatch / ImageLinkDoesntMatch rules:
        # the image repeats the channel title and link.
        feed.image(url=v.clean(artwork), title=title, link=v.clean(doc.urls.html))
    if doc.category is not None:
        feed.category(**_category(doc.category.term, doc.category.label, doc.category.scheme))

    return _hex_references(rss_bytes(feed), items=bool(spelt))


# The RSS elements whose text is plain, not HTML: titles (channel, image,
# item), categories, names, Media RSS descriptions and titles (written with
# type="plain"); and, before the first item, the channel's description.
_PLAIN = rb"title|category|dc:creator|media:description|media:title"
# Only elements whose text holds an "&" (all that `spell` changes) are matched.
_PLAIN_ELEMENT = re.compile(rb"(<(" + _PLAIN + rb")\b[^>]*>)([^<&]*&[^<]*)(</\2>)")
_CHANNEL_PLAIN_ELEMENT = re.compile(rb"(<(" + _PLAIN + rb"|description)\b[^>]*>)([^<]*)(</\2>)")


def _hex_references(data: bytes, *, items: bool = True) -> bytes:
    """`&` and `<` in plain-text elements as hexadecimal character references.

    The RSS Advisory Board's profile (and the W3C validator's CharacterData
    warning on every plain-text element: titles, categories, the channel
    description, names) asks plain text to write them as &#x26; and &#x3C;:
    a reader seeing `&lt;b` in a title cannot tell markup from text. The same
    characters reach every reader; only their spelling changes. An item's
    description is HTML, escaped once, and keeps its spelling. With `items`
    False, no item's plain text holds an "&" or a "<" (see `_item`), and the
    items, nearly all of the document, are not searched.
    """

    def spell(match: re.Match[bytes]) -> bytes:
        text = match[3].replace(b"&amp;", b"&#x26;").replace(b"&lt;", b"&#x3C;")
        return match[1] + text + match[4]

    first_item = data.find(b"<item>")
    head = data if first_item < 0 else data[:first_item]
    if not items:
        return _CHANNEL_PLAIN_ELEMENT.sub(spell, head) + data[len(head) :]
    return _CHANNEL_PLAIN_ELEMENT.sub(spell, head) + _PLAIN_ELEMENT.sub(spell, data[len(head) :])


def _item(channel: etree._Element, article: Article) -> bool:
    """One <item>, element for element what feedgen's FeedEntry.rss_entry writes
    from the same values (the order, the description/content:encoded choice,
    `email (name)` authors, the label as category text), then our extensions.

    Built on the channel directly rather than through feedgen: a FeedEntry per
    item (its extension registration, its format checks, its Atom bookkeeping)
    cost more than the item's elements, and feedgen has nothing to check here
    that the values below do not already guarantee. True when a plain-text
    element of the item holds an "&" or a "<" (for `_hex_references`).
    """
    p = v.prepared(article)
    item = etree.SubElement(channel, "item")
    _text(item, "title", p.title)
    if p.url:
        _text(item, "link", p.url)
    content = p.body_html
    # Readers treat an RSS description as HTML; the summary is plain text,
    # so its & and < are escaped for HTML first (then for XML by lxml). An
    # item with no body still says something besides its title (readers list
    # the description): the title is all there is to say.
    if p.summary:
        description = html.escape(p.summary, quote=False)
    elif not content:
        description = html.escape(p.title, quote=False)
    else:
        description = ""
    if description:
        _text(item, "description", description)
        if content:
            # content:encoded beside a description; the description alone otherwise.
            _text(item, _ENCODED, content)
    else:
        _text(item, "description", content)
    # RSS <author> is an e-mail address ("email (Name)"), at most once per
    # item; everyone else goes to dc:creator below.
    one_author = len(article.authors) == 1 and bool(article.authors[0].email)
    if one_author:
        name, _, email = p.authors[0]
        if email:
            _text(item, "author", f"{email} ({name})" if name else email)
    if p.id:
        # RSS 2.0 <guid>: isPermaLink="true" promises the guid is the item's URL.
        _text(item, "guid", p.id).set("isPermaLink", "true" if article.id == article.url else "false")
    labels: set[str] = set()
    for category, (_, label, scheme) in zip(article.categories, p.categories, strict=True):
        element = _text(item, "category", label)
        if scheme is not None:
            element.set("domain", scheme)
        labels.add(category.label)
    for tag, tag_text in zip(article.tags, p.tags, strict=True):
        if tag not in labels:
            labels.add(tag)
            _text(item, "category", tag_text)
    _item_extras(article, p, item, one_author)
    return any(
        "&" in value or "<" in value
        for value in (
            p.title,
            *(label for _, label, _ in p.categories),
            *p.tags,
            *(name for name, _, _ in p.authors),
            *((p.image[2] or "",) if p.image else ()),
        )
    )


def _category(term: str, label: str, scheme: str | None) -> dict[str, str]:
    """feedgen's category fields: RSS writes the label, scheme as domain."""
    fields = {"term": v.clean(term), "label": v.text(label)}
    if scheme:
        fields["scheme"] = v.clean(scheme)
    return fields


def _channel_extras(doc: FeedDocument, spelt: list[bool], rss: etree._Element) -> None:
    """The channel's own extensions, then its items (feedgen appends entries
    after this hook: it has none to append); `spelt` gets True when an item
    holds plain text to spell (`_hex_references`)."""
    channel = rss[0]
    # Dates from the document, never the clock (feedgen's default).
    _text(channel, "lastBuildDate", v.rfc822(doc.updated))
    _text(channel, "pubDate", v.rfc822(doc.updated))
    for hub in doc.hubs:
        # WebSub §4: a hub link beside the self link.
        etree.SubElement(channel, f"{{{ATOM}}}link", rel="hub", href=v.clean(hub))
    archive = doc.archive
    if archive is not None:
        # RFC 5005 §4 in RSS: atom:link archive relations and fh:archive.
        links = [
            ("current", archive.current),
            ("prev-archive", archive.prev_archive),
            ("next-archive", archive.next_archive),
        ]
        for rel, urls in links:
            if urls is not None and not (rel == "current" and urls.of(FILENAME) == doc.urls.of(FILENAME)):
                etree.SubElement(
                    channel, f"{{{ATOM}}}link", rel=rel, href=v.clean(urls.of(FILENAME)), type=MEDIA_TYPE
                )
        if archive.is_archive:
            etree.SubElement(channel, f"{{{FH}}}archive")
    if doc.ttl_minutes and not (archive and archive.is_archive):
        period, frequency = update_schedule(doc.ttl_minutes)
        _text(channel, f"{{{SY}}}updatePeriod", period)
        _text(channel, f"{{{SY}}}updateFrequency", str(frequency))
    for article in doc.articles:
        if _item(channel, article):
            spelt.append(True)


def update_schedule(ttl_minutes: int) -> tuple[str, int]:
    """sy:updatePeriod and sy:updateFrequency agreeing with an RSS ttl.

    The shortest period holding at least one update, and the number of
    whole updates in it, rounded down so readers never poll more often than
    the feed changes.
    """
    if ttl_minutes <= 0:
        raise ValueError(f"ttl must be a positive number of minutes, not {ttl_minutes}")
    for period, minutes in _PERIODS:
        if ttl_minutes <= minutes:
            return period, minutes // ttl_minutes
    return "weekly", 1


def _item_extras(article: Article, p: v.Prepared, item: etree._Element, one_author: bool) -> None:
    _text(item, "pubDate", v.rfc822(v.published(article)))
    if article.updated is not None and article.updated != article.published:
        # RSS 2.0 has no item date besides pubDate, which never changes once
        # seen; atom:updated (the same value as Atom's updated and JSON Feed's
        # date_modified) tells readers and aggregators that a correction landed.
        _text(item, _ATOM_UPDATED, p.modified)
    if article.language and article.language != "und":
        _text(item, _DC_LANGUAGE, p.language)
    if not one_author:
        # The validator flags an item holding both <author> and dc:creator
        # (DuplicateItemSemantics), so an item uses one or the other.
        for name, _, _ in p.authors:
            _text(item, _DC_CREATOR, name)
    for related, (url, title) in zip(article.related, p.related, strict=True):
        link = etree.SubElement(item, _ATOM_LINK, rel="related", href=url)
        if related.title:
            link.set("title", title or "")
    for enclosure, (href, mime_type) in zip(article.enclosures, p.enclosures, strict=True):
        # RSS 2.0 §enclosure: url, length and type are required; a length that is
        # not known is written as 0, as the RSS Advisory Board's profile advises.
        etree.SubElement(item, "enclosure", url=href, length=str(enclosure.length or 0), type=mime_type)
    if article.image is not None and p.image is not None:
        # media:content, not <enclosure>: RSS 2.0 requires an enclosure's
        # length in bytes, which an Image does not know, and readers list
        # enclosures as downloads (podcasts) rather than as the item's picture.
        image = article.image
        url, type_, alt = p.image
        media = etree.SubElement(item, _MEDIA_CONTENT, url=url, medium="image")
        if type_ is not None:
            media.set("type", type_)
        if image.width and image.width > 0:
            media.set("width", str(image.width))
        if image.height and image.height > 0:
            media.set("height", str(image.height))
        if alt:
            _text(media, _MEDIA_DESCRIPTION, alt).set("type", "plain")
        # Media RSS §media:thumbnail: the picture readers and aggregators
        # (Feedly, Inoreader, Microsoft Start) show beside the item; the same
        # image, with the size when it is known.
        thumbnail = etree.SubElement(item, _MEDIA_THUMBNAIL, url=url)
        if image.width and image.width > 0:
            thumbnail.set("width", str(image.width))
        if image.height and image.height > 0:
            thumbnail.set("height", str(image.height))


def _text(parent: etree._Element, tag: str, text: str) -> etree._Element:
    element = etree.SubElement(parent, tag)
    element.text = text
    return element

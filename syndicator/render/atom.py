"""Atom 1.0 (RFC 4287), built with feedgen; entry links written here.

The feed id is the feed's own Atom URL: stable across runs and unique per
feed (RFC 4287 §4.2.6). Entry ids are the articles' stored ids.
"""

from __future__ import annotations

from functools import partial

from lxml import etree

from syndicator.model import Article, FeedDocument
from syndicator.render import _values as v
from syndicator.render._feedgen_ext import atom_bytes, new_feed

MEDIA_TYPE = "application/atom+xml"
FILENAME = "atom.xml"
FH = "http://purl.org/syndication/history/1.0"  # RFC 5005 §6

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def render_atom(doc: FeedDocument) -> bytes:
    """The Atom bytes of one feed; the same document gives the same bytes."""
    feed = new_feed(
        namespaces={"fh": FH} if doc.archive and doc.archive.is_archive else None,
        atom=partial(_feed_extras, doc),
    )
    title = v.clean(doc.title)
    feed.id(v.clean(doc.urls.of(FILENAME)))
    feed.title(title)
    description = v.clean(doc.description).strip()
    if description:
        feed.subtitle(description)
    # RFC 4287 §4.2.15: the newest item's date, set by the planner; never
    # feedgen's datetime.now() default.
    feed.updated(v.instant(doc.updated))
    feed.link(href=v.clean(doc.urls.of(FILENAME)), rel="self", type=MEDIA_TYPE)
    feed.link(href=v.clean(doc.urls.html), rel="alternate", type="text/html")
    for hub in doc.hubs:
        feed.link(href=v.clean(hub), rel="hub")  # WebSub §4
    feed.generator(
        v.clean(doc.generator),
        version=v.clean(doc.generator_version),
        uri=v.clean(doc.generator_uri),
    )
    # RFC 4287 §4.1.1: a feed names an author unless every entry does; the
    # publication itself stands in for entries without one.
    feed.author(name=title, uri=v.clean(doc.urls.html))
    feed.language(v.clean(doc.language))
    if doc.icon:
        feed.icon(v.clean(doc.icon))  # RFC 4287 §4.2.5: small, square
    if doc.image or doc.logo:
        feed.logo(v.clean(doc.image or doc.logo or ""))  # §4.2.8: wider than tall
    if doc.category is not None:
        feed.category(**_category(doc.category.term, doc.category.label, doc.category.scheme))

    return atom_bytes(feed)


def _feed_extras(doc: FeedDocument, feed: etree._Element) -> None:
    """The feed's archive links, then its entries (feedgen appends entries after
    this hook: it has none to append)."""
    _archive_links(doc, feed)
    for article in doc.articles:
        _entry(feed, article, doc.language, doc.urls.html)


def _archive_links(doc: FeedDocument, feed: etree._Element) -> None:
    """RFC 5005 §4: archive links, and fh:archive on a complete archive page."""
    archive = doc.archive
    if archive is None:
        return
    # feedgen writes Atom elements without a namespace under an xmlns attribute;
    # ours must match, or lxml declares a prefix of its own.
    atom = "link"
    first_link = feed.find(atom)
    position = list(feed).index(first_link) if first_link is not None else len(feed)
    links = [
        ("current", archive.current),
        ("prev-archive", archive.prev_archive),
        ("next-archive", archive.next_archive),
    ]
    for rel, urls in reversed(links):
        if urls is not None and not (rel == "current" and urls.of(FILENAME) == doc.urls.of(FILENAME)):
            link = etree.SubElement(feed, atom, rel=rel, href=v.clean(urls.of(FILENAME)), type=MEDIA_TYPE)
            feed.insert(position, link)
    if archive.is_archive:
        feed.insert(0, etree.SubElement(feed, f"{{{FH}}}archive"))


def _entry(feed: etree._Element, article: Article, feed_language: str, site_url: str) -> None:
    """One <entry>, element for element what feedgen's FeedEntry.atom_entry
    writes from the same values (id, title, updated, authors, content, links,
    summary, categories, published), with the links it cannot write
    (python-feedgen#135, see `_links`) written whole.

    Built on the feed directly rather than through feedgen: a FeedEntry per
    entry (its extension registration, its format checks, its RSS
    bookkeeping) cost more than the entry's elements.
    """
    p = v.prepared(article)
    entry = etree.SubElement(feed, "entry")
    atom_id = v.atom_id(article, site_url)
    _text(entry, "id", p.id if atom_id is article.id else v.clean(atom_id))
    _text(entry, "title", p.title)
    # RFC 4287 §4.2.15: updated is required; unchanged means published.
    _text(entry, "updated", p.modified)
    for name, uri, email in p.authors:
        if not name:  # Atom requires a name
            continue
        element = etree.SubElement(entry, "author")
        _text(element, "name", name)
        if email:
            _text(element, "email", email)
        if uri:
            _text(element, "uri", uri)
    summary = p.summary
    content = p.body_html
    if not (summary or content):
        # The validator's MissingTextualContent: an entry says something
        # beyond its title; the title is all there is to say.
        summary = p.title
    if content:
        _text(entry, "content", content).set("type", "html")
    for link in _links(article, p):
        entry.append(link)
    if summary:
        _text(entry, "summary", summary).set("type", "text")
    terms: set[str] = set()
    for category, (term, label, scheme) in zip(article.categories, p.categories, strict=True):
        # The label as Atom's term (see `_category`).
        element = etree.SubElement(entry, "category", term=label or term)
        if scheme is not None:
            element.set("scheme", scheme)
        terms.update((category.term, category.label))
    for tag, tag_text in zip(article.tags, p.tags, strict=True):
        if tag not in terms:
            terms.add(tag)
            etree.SubElement(entry, "category", term=tag_text)
    _text(entry, "published", p.published)
    if article.language and article.language != feed_language:
        entry.set(_XML_LANG, p.language)


def _text(parent: etree._Element, tag: str, text: str) -> etree._Element:
    element = etree.SubElement(parent, tag)
    element.text = text
    return element


def _category(term: str, label: str, scheme: str | None) -> dict[str, str]:
    """The label as Atom's term, as RSS and JSON Feed carry it.

    Most readers show an Atom category's `term` and ignore `label`, so a
    slug there (`economie`) is what Atom subscribers would see where RSS and
    JSON Feed subscribers see `Économie`. The scheme keeps the category
    identified; the slug stays in feed addresses (`categories/economie/`).
    """
    fields = {"term": v.text(label) or v.clean(term)}
    if scheme:
        fields["scheme"] = v.clean(scheme)
    return fields


def _links(article: Article, p: v.Prepared) -> list[etree._Element]:
    """The entry's links, with their rel and type, which feedgen strips.

    python-feedgen#135: FeedEntry.atom_entry rebinds `link` to the element
    it creates and then reads rel/type/title from that element, so every
    link comes out bare and readers take a related link for the alternate.
    """
    links = [_link(p.url, "alternate", type_="text/html")]
    for url, title in p.related:
        links.append(_link(url, "related", title=title))
    if p.image is not None:
        # RFC 4287 §4.2.7.2: rel="enclosure" for a large related resource;
        # length is advisory (§4.2.7.6) and an Image does not know it.
        url, type_, alt = p.image
        links.append(_link(url, "enclosure", type_=type_, title=alt))
    for enclosure, (url, type_) in zip(article.enclosures, p.enclosures, strict=True):
        # RFC 4287 §4.2.7.2 / §4.2.7.6: audio and video, with their length when known.
        link = _link(url, "enclosure", type_=type_ if enclosure.type else None)
        if enclosure.length:
            link.set("length", str(enclosure.length))
        links.append(link)
    return links


def _link(href: str, rel: str, *, type_: str | None = None, title: str | None = None) -> etree._Element:
    """A link from values already cleaned (`Prepared`); None leaves an attribute out."""
    # Unqualified like feedgen's own elements: the Atom namespace is the
    # default namespace that feedgen declares on the root.
    link = etree.Element("link", href=href, rel=rel)
    if type_ is not None:
        link.set("type", type_)
    if title and title.strip():
        link.set("title", title)
    return link

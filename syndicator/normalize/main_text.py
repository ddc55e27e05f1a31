"""The article body of a web page, without the page around it.

readability-lxml (a port of Arc90's Readability, the algorithm behind
Firefox's Reader View) picks the block of the page that holds the article.
Measured on the pages in tests/normalize/pages it is as accurate as
trafilatura at a fraction of the dependencies, and it keeps the body as HTML
(subheadings, lists, quotes, images), which is what a feed item carries.

Around it, syndicator does what readability does not:
- before: page furniture that sits inside the article block (share bars,
  newsletter boxes, cookie banners, "related" teasers) is removed by its
  class, id, role or element name, so it cannot be mistaken for content;
- after: any block that is only a boilerplate line is dropped with the same
  rules (the rules (defaults/rules.toml)) as raw text, a "Related articles" heading takes
  its list of links with it, and a "Read more: <title>" line becomes a
  related link instead of a paragraph.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

import lxml.html
from lxml import etree
from lxml.html import HtmlElement
from readability import Document

from syndicator.model import RelatedLink
from syndicator.normalize.bylines import byline_names
from syndicator.normalize.linerules import (
    SENTENCE_END,
    announces_related,
    is_boilerplate,
    is_real_paragraph,
    related_reference,
)
from syndicator.normalize.rules import LanguageRules, Rules, fold
from syndicator.normalize.text import clean_text
from syndicator.normalize.words import tokens
from syndicator.plaintext import HUGE_HTML

# Element names that are never the article text (HTML Living Standard §4.3, §4.10).
_FURNITURE_TAGS = ("nav", "footer", "aside", "form", "button", "dialog", "iframe", "svg", "select", "header")
# Class / id words of page furniture, matched against each class token and the id:
# distinctive words anywhere between `-` / `_` separators ("c-social-share"), short
# ambiguous ones only at the start of a token ("ad-slot" but not "non-ad-column").
_FURNITURE = re.compile(
    r"(?:^|[_-])(?:share|sharing|sharebar|related|newsletter|cookies?|consent|gdpr|comments?|"
    r"promo|advert\w*|adslot|sponsored|outbrain|taboola|subscribe|subscription|"
    r"recommended|recirc|read-?more|more-?stories|most-?popular|trending|breadcrumbs?)(?:$|[_-])"
    r"|^(?:ads?|tags?|social|socials|byline|author-?bio|toolbar|modal|popup|signup)(?:$|[_-])",
    re.IGNORECASE,
)
_FURNITURE_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "complementary", "dialog", "alertdialog"}
)
# Containers named like the article itself are kept even when another class word looks like furniture.
_ARTICLE_WORDS = re.compile(r"article|content|body|story|entry|post|main|text", re.IGNORECASE)
# ... and a container named as the article's body is never furniture, whatever else its class says.
_BODY_NAMES = re.compile(
    r"(?:entry|article|post|story|news)[-_]?(?:content|body|text)|articlebody|main-?content"
    r"|read-?more-?(?:content|body|text)",  # the rest of the article behind a "Read more" button
    re.IGNORECASE,
)
# Captions, photo credits, galleries and slideshows: text about pictures, repeated per picture.
_CAPTIONS = re.compile(
    r"(?:^|[_-])(?:(?:wp-|image-|img-|photo-|media-)?caption|credits?|photo-?credit|image-?credit|"
    r"gallery|slideshow|carousel|slider|lightbox)(?:$|[_-])",
    re.IGNORECASE,
)
_CAPTION_TAGS = ("figcaption",)
_CAPTION_HINTS = ("caption", "credit", "gallery", "slideshow", "carousel", "slider", "lightbox")
_REPEAT_MIN_CHARS = 80  # a paragraph repeating an earlier one this long is a template's second copy
# (shorter repeats are often real: a recipe's "Drink before your workout", an interview's questions)
_KEEP_CHARS = 1500  # a furniture-named container holding this much text may be the article
_WRAPPER_SHARE = 0.5  # ... and one holding more than this share of the page's text is a wrapper
_RELATED_CONTAINER = re.compile(r"related|read-?more|more-?on|recommend|see-?also|also-?read", re.IGNORECASE)
_BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figcaption", "dt", "dd", "div")
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_MAX_RELATED = 12
_BYLINE_BLOCKS = 3  # a byline line among the first blocks of the body is the article's signature
_RETRY_WORDS = 100  # a body shorter than this is checked against readability on the whole page
_SECOND_OPINION_BELOW = 60  # words (characters in unspaced scripts): a body this short gets a second opinion
_SECOND_OPINION_FACTOR = 2.5  # ... which replaces it when it is this many times longer
_LINK_TITLE_MIN_WORDS = 3


@dataclass(frozen=True)
class MainText:
    html: str  # the article body as an unsanitised HTML fragment ("" when none was found)
    related: tuple[RelatedLink, ...]  # links from "related" blocks and "Read more:" lines
    related_titles: tuple[str, ...]  # "Read more: <title>" lines without a link
    byline: str | None = None  # a "By Jane Roe" line taken off the top of the body


def extract_main_text(
    root: lxml.html.HtmlElement, *, title: str | None, rules: Rules, stated_words: int = 0
) -> MainText:
    """The body of the page `root`, which is left untouched.

    `stated_words`: the length of the body the page states in its structured data (JSON-LD
    articleBody), which the caller prefers to a short reading and so needs no second opinion.
    """
    lang = rules.merged
    related = related_links(root, rules)
    page = copy.deepcopy(root)
    _drop_furniture(page)
    fragment = _readability(page)
    if _word_count(fragment) < _RETRY_WORDS:
        # The furniture rules took too much (a body inside an odd wrapper): let readability judge alone.
        whole = _readability(root)
        if _word_count(whole) > _word_count(fragment):
            fragment = whole
    body, inline_related, titles, byline = _clean_body(fragment, title=title, rules=rules, lang=lang)
    size = _text_size(body)
    if size < _SECOND_OPINION_BELOW and stated_words <= size:
        # A body this short is often the wrong block (a teaser list, a caption): ask trafilatura, whose
        # text-density rules find articles that readability's scoring misses, and keep the longer.
        other = _trafilatura(root)
        if other and _text_size(other) >= size * _SECOND_OPINION_FACTOR:
            body, inline_related, titles, byline = _clean_body(other, title=title, rules=rules, lang=lang)
    return MainText(body, _unique([*inline_related, *related]), titles, byline)


def _text_size(fragment: str) -> int:
    """Words, counting each character of unspaced scripts (Chinese, Japanese, Thai) as one."""
    return sum(tokens(re.sub(r"<[^>]+>", " ", fragment)).values())


def _trafilatura(root: lxml.html.HtmlElement) -> str:
    """trafilatura's reading of the page as an HTML fragment ("" when it finds nothing)."""
    import trafilatura  # imported on first use: most pages never need it

    try:
        found = trafilatura.extract(
            copy.deepcopy(root),
            output_format="html",
            include_comments=False,
            include_tables=True,
            include_formatting=True,
        )
    except Exception:  # trafilatura's own parsing errors on odd pages
        return ""
    if not found:
        return ""
    body = lxml.html.document_fromstring(found).find("body")
    if body is None:
        return ""
    return "".join(etree.tostring(child, encoding="unicode", method="html") for child in body)


_READABILITY_PARSER = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True)


def _readability(page: lxml.html.HtmlElement) -> str:
    try:
        # readability parses a string with libxml2's default limits, which drop
        # everything nested deeper than 256 elements: it gets the tree, read as
        # it would read it (UTF-8 bytes) but without those limits.
        source = lxml.html.tostring(page, encoding="unicode").encode("utf-8", "replace")
        tree = lxml.html.document_fromstring(source, parser=_READABILITY_PARSER)
        summary: str = Document(tree).summary(html_partial=True)
    except Exception:  # readability raises its own Unparseable, and lxml errors, on odd pages
        return ""
    return summary


def _word_count(fragment: str) -> int:
    return len(re.sub(r"<[^>]+>", " ", fragment).split())


def related_links(root: lxml.html.HtmlElement, rules: Rules) -> tuple[RelatedLink, ...]:
    """Article links listed under a "Related" heading or in a container named for them."""
    lang = rules.merged
    found: list[RelatedLink] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in _HEADINGS or element.get("role") == "heading":
            if announces_related(" ".join(element.text_content().split()), rules, lang):
                container = element.getparent()
                # The heading's own section, unless that is a large part of the page.
                if container is not None and len(container.text_content()) > 4000:
                    container = element.getnext()
                if container is not None:
                    found.extend(_links(container))
        elif element.tag in ("section", "aside", "div", "ul", "ol", "nav") and _RELATED_CONTAINER.search(
            f"{element.get('class', '')} {element.get('id', '')}"
        ):
            found.extend(_links(element))
        if len(found) >= _MAX_RELATED * 3:
            break
    return _unique(found)[:_MAX_RELATED]


def _links(container: HtmlElement) -> list[RelatedLink]:
    """Links whose text reads like an article title (not "More", not an author's name)."""
    out: list[RelatedLink] = []
    for a in container.iter("a"):
        href = (a.get("href") or "").strip()
        text = " ".join(a.text_content().split())
        path = re.sub(r"^(?:https?:)?//[^/]+", "", href)
        if href.startswith(("http", "/")) and path.strip("/") and len(text.split()) >= _LINK_TITLE_MIN_WORDS:
            out.append(RelatedLink(url=href, title=text))
    return out


def _unique(links: list[RelatedLink] | tuple[RelatedLink, ...]) -> tuple[RelatedLink, ...]:
    seen: dict[str, RelatedLink] = {}
    for link in links:
        seen.setdefault(link.url, link)
    return tuple(seen.values())


def _drop_furniture(page: lxml.html.HtmlElement) -> None:
    doomed: list[HtmlElement] = []
    page_chars = len(page.text_content())
    for element in page.iter():
        if not isinstance(element.tag, str) or element.tag in ("html", "body"):
            continue
        names = f"{element.get('class', '')} {element.get('id', '')}"
        furniture = (
            element.tag in _FURNITURE_TAGS
            or _is_caption(element)
            or (element.get("role") or "").lower() in _FURNITURE_ROLES
            or element.get("aria-hidden") == "true"
            or any(_FURNITURE.search(token) for token in names.split())
        )
        if furniture and not _looks_like_article(element, names, page_chars):
            doomed.append(element)
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()


def _looks_like_article(element: HtmlElement, names: str, page_chars: int) -> bool:
    """A container holding most of the page (an ASP.NET <form>, a theme's `.site-content`) is a wrapper."""
    if _BODY_NAMES.search(names) and element.get("itemprop") != "comment":
        return True
    chars = len(element.text_content())
    if chars < _KEEP_CHARS:
        return False
    if chars > page_chars * _WRAPPER_SHARE:
        return True
    return element.tag != "header" and (
        element.tag in ("article", "main") or bool(_ARTICLE_WORDS.search(names))
    )


def _clean_body(
    fragment: str, *, title: str | None, rules: Rules, lang: LanguageRules
) -> tuple[str, list[RelatedLink], tuple[str, ...], str | None]:
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div", parser=HUGE_HTML)
    except (etree.ParserError, ValueError, AssertionError, IndexError):
        # AssertionError: lxml's way of saying the markup has no body at all, as
        # readability returns a page cut off inside its <head> (IndexError when
        # Python runs with -O, which strips that assert).
        return "", [], (), None
    related: list[RelatedLink] = []
    titles: list[str] = []
    doomed: list[HtmlElement] = []
    doomed_set: set[HtmlElement] = set()  # the same nodes, for the ancestor test
    in_tail = False
    title_key = fold(title) if title else None
    byline: str | None = None
    seen: dict[str, HtmlElement] = {}  # text of each block kept so far, to the block
    for element in root.iter(*_BLOCKS):
        if any(parent in doomed_set for parent in element.iterancestors()):
            continue
        if _is_caption(element):
            _doom(element, doomed, doomed_set)  # readability keeps a figure's caption with its picture
            continue
        if element.tag == "div" and any(isinstance(c.tag, str) and c.tag in _BLOCKS for c in element):
            continue  # a wrapper: its blocks are judged one by one
        text = clean_text(element.text_content())
        if in_tail:
            if is_real_paragraph(text) or element.tag in _HEADINGS:
                in_tail = False
            else:
                related.extend(_links(element))
                _doom(element, doomed, doomed_set)
                continue
        if not text:
            if not any(True for _ in element.iter("img", "picture", "video", "audio")):
                _doom(element, doomed, doomed_set)
            continue
        key = fold(text)
        if title_key is not None and key == title_key:
            _doom(element, doomed, doomed_set)  # the title is the item's title, not part of its body
        elif (
            len(seen) < _BYLINE_BLOCKS
            and len(text) <= rules.limits.byline_max_chars
            and byline_names(text, rules=rules)
        ):
            _doom(element, doomed, doomed_set)  # "By Jane Roe": the item's authors, not its text
            byline = byline or text
        elif _is_repeat(key, element, seen):
            _doom(element, doomed, doomed_set)  # a second copy (mobile and desktop layouts, a slideshow)
        elif is_boilerplate(text, rules, lang):
            _doom(element, doomed, doomed_set)
        elif len(text) <= rules.limits.heading_max_chars and announces_related(text, rules, lang):
            _doom(element, doomed, doomed_set)
            in_tail = True
        else:
            reference = related_reference(text, rules, lang)
            if reference is not None:
                links = _links(element) or [RelatedLink(url=a.get("href") or "") for a in element.iter("a")]
                links = [link for link in links if link.url]
                if links:
                    related.extend(RelatedLink(url=link.url, title=reference or link.title) for link in links)
                elif reference:
                    titles.append(reference)
                _doom(element, doomed, doomed_set)
            else:
                seen.setdefault(key, element)
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()
    _drop_empty_containers(root)
    parts = [etree.tostring(child, encoding="unicode", method="html") for child in root]
    head = root.text.strip() if root.text else ""
    return (head + "".join(parts)).strip(), related, tuple(dict.fromkeys(titles)), byline


def _doom(element: HtmlElement, doomed: list[HtmlElement], doomed_set: set[HtmlElement]) -> None:
    doomed.append(element)
    doomed_set.add(element)


def _drop_empty_containers(root: HtmlElement) -> None:
    for element in list(root.iter("ul", "ol", "div", "section", "figure", "blockquote")):
        if element is root or element.getparent() is None:
            continue
        if not element.text_content().strip() and not any(
            True for _ in element.iter("img", "video", "audio")
        ):
            element.drop_tree()


def _is_repeat(key: str, element: HtmlElement, seen: dict[str, HtmlElement]) -> bool:
    """A long paragraph of prose already kept, not inside that copy (a quote's <p> repeats its quote).

    Repeated lists, recipe lines and interview questions are real; a paragraph of prose twice is a
    template's second copy of the article (mobile and desktop layouts, a slideshow's captions).
    """
    earlier = seen.get(key)
    return (
        earlier is not None
        and len(key) >= _REPEAT_MIN_CHARS
        and SENTENCE_END.search(key) is not None
        and not key.endswith("?")
        and earlier not in element.iterancestors()
    )


def _is_caption(element: HtmlElement) -> bool:
    """A caption, credit, gallery or slideshow, by element name or class / id word."""
    if element.tag in _CAPTION_TAGS:
        return True
    names = f"{element.get('class', '')} {element.get('id', '')}"
    lowered = names.lower()
    return any(w in lowered for w in _CAPTION_HINTS) and any(_CAPTIONS.search(t) for t in names.split())

"""The lead image of an article: the record's own, or the first picture of its body.

Aggregators show one picture per item (RSS media:content and media:thumbnail,
Atom's enclosure link, JSON Feed's `image`), and most drop an item that has
none. A record often names no image while its body opens with one; that
image is promoted, unless it is page furniture (an icon, a tracking pixel,
an avatar, a share button): the rules telling furniture apart are data
(`[lead_image]` in the rules file). Width and height travel with the image
whenever the body's <img> attributes say them, so aggregators can check
their minimum sizes without downloading it.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from syndicator.model import Image
from syndicator.normalize.rules import LeadImageRules

_PARSER = lxml.html.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True)
_WORD = re.compile(r"[a-z0-9]+")


def lead_image(image: Image | None, content_html: str, rules: LeadImageRules) -> tuple[Image | None, bool]:
    """The article's image and whether it was promoted from the body.

    A given image keeps its URL; a width or height it lacks is taken from the
    body's <img> of the same address. With no image given, the first body
    image `rules` accept is promoted.
    """
    pictures = list(_body_images(content_html))
    if image is not None:
        if image.type is None:
            image = replace(image, type=_image_type(image.url))
        if image.width and image.height:
            return image, False
        for picture in pictures:
            if picture.url == image.url:
                return replace(
                    image, width=image.width or picture.width, height=image.height or picture.height
                ), False
        return image, False
    for picture in pictures:
        if acceptable(picture, rules):
            return picture, True
    return None, False


def acceptable(picture: Image, rules: LeadImageRules) -> bool:
    """A body image may stand for the article: not too small, not named as furniture."""
    for side in (picture.width, picture.height):
        if side is not None and side < rules.min_side:
            return False
    parts = urlsplit(picture.url)
    if parts.scheme not in ("http", "https"):
        return False  # data: URIs are inline decorations, and no aggregator fetches them
    path = parts.path.lower()
    if path.endswith(rules.skip_extensions):
        return False
    words = set(_WORD.findall(f"{parts.hostname or ''} {path}"))
    return not any(word in words or f"{word}s" in words for word in rules.skip_words)


def _body_images(content_html: str) -> Iterator[Image]:
    """Each <img> of the (sanitised, absolute-URL) body, in document order."""
    if "<img" not in content_html:
        return
    try:
        root = lxml.html.fragment_fromstring(content_html, create_parent="div", parser=_PARSER)
    except (etree.ParserError, ValueError):
        return
    for element in root.iter("img"):
        src = (element.get("src") or "").strip()
        if not src:
            continue
        alt = (element.get("alt") or "").strip()
        yield Image(
            url=src,
            alt=alt or None,
            type=_image_type(src),
            width=_pixels(element.get("width")),
            height=_pixels(element.get("height")),
        )


def _image_type(url: str) -> str | None:
    """The image's MIME type told by its file name (`.jpg` → image/jpeg), for
    media:content's `type`; None when the name does not tell."""
    guessed = mimetypes.guess_type(urlsplit(url).path)[0]
    return guessed if guessed and guessed.startswith("image/") else None


def _pixels(value: str | None) -> int | None:
    """An <img> width or height in CSS pixels (HTML §4.8.4.2: a valid
    non-negative integer; `300px` read leniently as browsers do); None when absent or 0."""
    if not value:
        return None
    digits = re.match(r"\s*(\d+)", value)
    if digits is None or "%" in value:
        return None
    number = int(digits.group(1))
    return number or None

"""Draft → Article: the cleaning every record format shares.

Titles become plain text, content is sanitised, URLs canonical, dates aware,
categories mapped through the taxonomy; what could not be found is inferred
(and the inference recorded for `validate --explain`). A value that is
present but wrong is a RecordError naming the field, never a silent drop.
"""

from __future__ import annotations

import html
import mimetypes
import re
from datetime import datetime
from typing import TypeVar
from urllib.parse import urlsplit

from syndicator.errors import RecordError
from syndicator.model import Article, Category, Enclosure, Image, RawRecord, RelatedLink, Repair, SourceRef
from syndicator.normalize.context import NormalizeContext
from syndicator.normalize.dates import in_range, parse_date
from syndicator.normalize.draft import Draft
from syndicator.normalize.ids import fallback_url, identity_keys, mint_id
from syndicator.normalize.language import detect_language
from syndicator.normalize.lead_image import lead_image
from syndicator.normalize.sanitize import html_to_text, sanitize, sanitize_html
from syndicator.normalize.text import clean_text
from syndicator.normalize.urls import absolute_url, canonical_url, iri_to_uri
from syndicator.plaintext import MARKUP_START, clean, plain_text

SUMMARY_LENGTH = 280
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_SITE_SUFFIX = re.compile(r"\s+(?:\||–|—|-|·|::)\s+([^|–—\-·]{2,60})$")


def assemble(draft: Draft, raw: RawRecord, ctx: NormalizeContext) -> Article:
    def fail(field: str, message: str) -> RecordError:
        return RecordError(raw.origin, raw.locator, field, message)

    inferred = list(draft.inferred)
    repairs = list(draft.repairs)
    # An upstream feed's title is what its publisher wrote: no `| Site` suffix to drop.
    title = clean_title(
        draft.title or "",
        site_name=ctx.site_name,
        keep_suffix=raw.source_kind == "feed",
        typography=ctx.typography,
    )
    if title and _escaped_markup(draft.title or ""):
        # Markup once its entities are decoded: dropped like any other, but the
        # words it held may have been meant as text ("Why &lt;div&gt; soup").
        repairs.append(
            Repair("/title", f"escaped markup in the title: {draft.title!r}", f"removed as markup: {title!r}")
        )
    if not title:
        # RSS 2.0 §"Elements of <item>": a title or a description, either may
        # be missing; an item with a body still makes an article.
        title = _title_from_body(draft)
        if not title:
            raise fail(
                "/title", "missing title and no body to take one from (no title, headline or name field)"
            )
        inferred.append(("title", "the beginning of the summary or body"))
        repairs.append(Repair("/title", "missing", f"taken from the beginning of the body: {title!r}"))

    url = canonical_url(draft.url, ctx.base_url) if draft.url else None
    if draft.url and url is None:
        repairs.append(Repair("/url", f"not a usable http(s) URL: {draft.url!r}", "dropped; URL inferred"))
    url_inferred = url is None
    # Relative links resolve against the article's URL, or the folder its
    # fallback URL will be in.
    base = url or ctx.base_url.rstrip("/") + "/"
    sanitized = sanitize(
        draft.content_html or "", base_url=base, typeset=True, typography=ctx.typography, with_text=True
    )
    content_html = sanitized.html
    warnings: list[tuple[str, str]] = list(sanitized.warnings)
    content_text = sanitized.text if sanitized.text is not None else html_to_text(content_html)
    ref = raw.ref or raw.where
    keys = identity_keys(
        source_id=draft.source_id, url=url, ref=ref, title=title, text=content_text, scope=raw.source
    )
    if url is None:
        inferred.append(("url", "site base URL + title slug + hash of the article's id"))

    summary = clean_text(_plain(draft.summary), typography=ctx.typography) if draft.summary else ""
    if not summary and content_text:
        summary = cut_at_word(clean_text(plain_text_of(content_text.split("\n\n")[0])), SUMMARY_LENGTH)
        inferred.append(("summary", "first paragraph of the content"))

    published = _date(draft.published, ctx, "published", inferred, warnings)
    updated = _date(draft.updated, ctx, "updated", inferred, warnings)
    if published is None:
        inferred.append(("published", "first time the store saw the record"))
    if updated is not None and published is not None and updated < published:
        updated = None  # a modification before publication is a CMS artefact

    language = _language(draft.language)
    if language is None:
        language = detect_language(f"{title}\n{content_text}")
        inferred.append(("language", "the text (language detection)" if language else "the site default"))
        language = language or ctx.language

    limits = ctx.rules.limits
    categories = _categories(draft.categories, ctx)
    categories = _capped(categories, limits.categories_per_record, "/categories", warnings)
    tags = _unique_folded(clean_text(plain_text(t)) for t in draft.tags)
    tags = _capped(tags, limits.tags_per_record, "/tags", warnings)
    related = _related(draft.related, base)
    image, promoted = lead_image(_image(draft.image, base), content_html, ctx.rules.lead_image)
    if promoted and image is not None:
        image = Image(_link(image.url) or image.url, image.alt, image.type, image.width, image.height)
        inferred.append(("image", "the first image of the body that is not an icon, pixel or avatar"))
    enclosures = _enclosures(draft.enclosures, raw.origin if raw.source_kind == "feed" else base)
    day = (published or datetime.combine(ctx.today, datetime.min.time())).date()
    article_id = mint_id(
        site_url=ctx.base_url,
        day=day,
        key=keys[0],
        source_id=draft.source_id,
        # An upstream feed's guid / JSON Feed id is kept as written (README: ids are kept)
        as_written=raw.source_kind == "feed",
    )
    return Article(
        id=article_id,
        # Named by its id, which no other article has: two articles never share a URL.
        url=url or fallback_url(base_url=ctx.base_url, title=title, key=article_id),
        title=title,
        summary=summary,
        content_html=content_html,
        authors=tuple(
            a.__class__(name, _link(_author_url(a.url, base)), a.email)
            for a in draft.authors
            if (name := clean_text(plain_text(a.name)))
        ),
        published=published,
        updated=updated,
        language=language,
        categories=categories,
        tags=tags,
        related=related,
        image=image,
        source=SourceRef(kind=raw.source_kind, ref=ref, name=raw.source),
        source_id=draft.source_id,
        status=(draft.status or "published"),
        url_inferred=url_inferred,
        content_text=content_text,
        related_titles=tuple(t for t in (clean_title(t) for t in draft.related_titles) if t),
        inferred=tuple(inferred),
        warnings=tuple((r.field, f"{r.problem}; {r.action}") for r in repairs) + tuple(warnings),
        enclosures=enclosures,
    )


TITLE_FROM_BODY = 100  # characters of the body a missing title is made of


def _title_from_body(draft: Draft) -> str:
    """The first sentence (or the first words) of the summary or the body."""
    for text in (draft.summary, html_to_text(sanitize_html(draft.content_html or "", base_url="http://x/"))):
        plain = clean_text(plain_text_of(text or "")) if text else ""
        if plain:
            sentence = re.split(r"(?<=[.!?…])\s", plain, maxsplit=1)[0]
            return cut_at_word(sentence, TITLE_FROM_BODY)
    return ""


def _author_url(url: str | None, base: str) -> str | None:
    """An author's page: a relative link (`/authors/jane`, as a CMS writes its own) is
    resolved against the article's URL; one with a scheme is left to the validator."""
    try:
        if not url or urlsplit(url.strip()).scheme:
            return url
    except ValueError:  # an unbalanced bracket: the validator drops it, with a warning
        return url
    return absolute_url(url, base) or url


def _link(url: str | None) -> str | None:
    """A link with only ASCII in it (RFC 3987 §3.1), as feeds must carry it; a
    space is left for the validator, which repairs it with a warning."""
    if url is None or url.isascii():
        return url
    return iri_to_uri(url) or url


def _enclosures(enclosures: tuple[Enclosure, ...], base: str) -> tuple[Enclosure, ...]:
    """Absolute URLs (a relative one is resolved against the feed, RFC 3986 §5),
    each once, with a type guessed from the file name when the source gave none."""
    seen: dict[str, Enclosure] = {}
    for enclosure in enclosures:
        url = absolute_url(enclosure.url, base)
        url = _link(url) if url else None
        if url is None or url.startswith("mailto:") or url in seen:
            continue
        kind = enclosure.type.strip().lower() or mimetypes.guess_type(urlsplit(url).path)[0]
        length = enclosure.length if enclosure.length is not None and enclosure.length >= 0 else None
        seen[url] = Enclosure(url=url, type=kind or "application/octet-stream", length=length)
    return tuple(seen.values())


def clean_title(
    value: str, *, site_name: str = "", keep_suffix: bool = False, typography: str = "full"
) -> str:
    """Plain text: tags stripped, entities decoded once, `| Site name` dropped (unless `keep_suffix`)."""
    text = clean_text(plain_text_of(value), typography=typography)
    match = None if keep_suffix else _SITE_SUFFIX.search(text)
    if match:
        suffix = match.group(1).strip()
        is_site = bool(site_name) and suffix.casefold() == site_name.casefold()
        looks_like_site = "." in suffix and " " not in suffix  # "lemonde.fr"
        piped = text[match.start() :].lstrip().startswith("|") and len(suffix.split()) <= 4
        if is_site or looks_like_site or piped:
            text = text[: match.start()].rstrip()
    return text


def _escaped_markup(value: str) -> bool:
    """Whether a value held markup only once its entities were decoded (`&lt;b&gt;`),
    and plain text dropped it. (`List&lt;T&gt;` is text to every browser: kept, as
    written, and not reported.)"""
    value = clean(value)  # as plain_text reads it: `<\0b>` is the tag it becomes
    if "&" not in value or MARKUP_START.search(value):
        return False
    decoded = value
    for _ in range(32):  # to a fixed point, as plain_text decodes (CMS exports escape titles twice)
        decoded, before = html.unescape(decoded), decoded
        if decoded == before:
            break
    return decoded.count("<") > plain_text(value).count("<")


def plain_text_of(value: str) -> str:
    """Entities decoded and markup dropped, to a fixed point (plaintext.plain_text).

    CMS exports often escape titles twice (`&lt;em&gt;`, `&amp;eacute;`): what
    readers must see is the text, never the markup, and decoding until nothing
    changes makes normalizing a normalized title a no-op. Characters XML cannot
    hold go first, so `<scr\0ipt>` is seen as the tag it becomes once the NUL
    is gone, not as text that turns into a tag later.
    """
    return plain_text(value)


def cut_at_word(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:.-–—")
    return cut + "…"


def _plain(value: str) -> str:
    """A summary may come as HTML or as text; either way readers get text without markup."""
    return plain_text_of(html_to_text(value) if MARKUP_START.search(value) else value)


def _date(
    value: datetime | str | None,
    ctx: NormalizeContext,
    field: str,
    inferred: list[tuple[str, str]],
    warnings: list[tuple[str, str]],
) -> datetime | None:
    """A date, or None when it cannot be read: a wrong date costs the date, never the article."""
    if value is None:
        return None
    if isinstance(value, datetime):
        parsed: datetime | None = value if value.tzinfo else value.replace(tzinfo=ctx.timezone)
    else:
        parsed = parse_date(value, tz=ctx.timezone, rules=ctx.rules)
    if parsed is not None and in_range(parsed):
        return parsed
    shown = repr(value if isinstance(value, str) else value.isoformat())
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    warnings.append(
        (f"/{field}", f"not a date: {shown}; dropped (use RFC 3339, e.g. 2024-01-17T09:30:00+01:00)")
    )
    inferred.append((field, f"dropped {shown}: not a date (use RFC 3339, e.g. 2024-01-17T09:30:00+01:00)"))
    return None


def _language(value: str | None) -> str | None:
    if not value:
        return None
    tag = value.strip().replace("_", "-")
    if not _LANGUAGE_TAG.match(tag):
        return None
    base, _, rest = tag.partition("-")
    return base.lower() + (f"-{rest.upper()}" if rest and len(rest) == 2 else f"-{rest}" if rest else "")


def _categories(labels: tuple[str, ...], ctx: NormalizeContext) -> tuple[Category, ...]:
    seen: dict[str, Category] = {}
    for label in labels:
        category = ctx.taxonomy.categorize(clean_text(plain_text(label)))
        if category is not None and category.term not in seen:
            seen[category.term] = category
    return tuple(seen.values())


T = TypeVar("T")


def _capped(values: tuple[T, ...], limit: int, field: str, warnings: list[tuple[str, str]]) -> tuple[T, ...]:
    """The first `limit` values; a warning says how many were dropped and which limit did it."""
    if len(values) <= limit:
        return values
    name = field.strip("/")
    warnings.append(
        (field, f"{len(values)} {name}, kept the first {limit} (limits.{name}_per_record in the rules file)")
    )
    return values[:limit]


def _unique_folded(values: object) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:  # type: ignore[attr-defined]
        if value and value.casefold() not in seen:
            seen[value.casefold()] = value
    return tuple(seen.values())


def _related(links: tuple[RelatedLink, ...], base: str) -> tuple[RelatedLink, ...]:
    seen: dict[str, RelatedLink] = {}
    for link in links:
        url = canonical_url(link.url, base)
        if url and url not in seen:
            title = clean_text(plain_text_of(link.title)) if link.title else None
            seen[url] = RelatedLink(url=url, title=title or None)
    return tuple(seen.values())


def _image(image: Image | None, base: str) -> Image | None:
    if image is None:
        return None
    url = absolute_url(image.url, base)
    if url is None or url.startswith("mailto:"):
        return None
    url = _link(url) or url
    alt = clean_text(plain_text(image.alt)) if image.alt else None
    return Image(url=url, alt=alt, type=image.type, width=image.width, height=image.height)

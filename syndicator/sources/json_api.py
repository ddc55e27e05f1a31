"""A CMS's JSON API: pages of article records, followed to the end or a page limit.

Records become RawRecord(kind="json") for normalize.json_record, which already
accepts the common field names; `fields` maps anything else (a dotted path
such as `headline.main`, `authors.*.name`, or a JSON pointer, RFC 6901) onto
those names. A WordPress REST API (`/wp-json/wp/v2/posts?_embed`) is read as
is: its records are rebuilt from `rendered` values and the `_embedded`
authors, terms and featured image, because its bare ids (`author: 3`,
`categories: [5]`) are not names.

Pagination, in the order tried: the `Link: <...>; rel="next"` header (RFC
8288, what WordPress sends), a next link in the body, then `page_param` or
`offset_param`. Only the first page is fetched conditionally: when it has not
changed, nothing is read; when it has, every page is read again and the store
tells changed articles from unchanged ones.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from syndicator.config import SourceConfig
from syndicator.errors import SourceError
from syndicator.model import RawRecord, Rejection
from syndicator.redact import public_url
from syndicator.sources import _json
from syndicator.sources.context import ReadContext
from syndicator.sources.http import (
    Fetcher,
    FetchError,
    HttpOptions,
    Response,
    check_http,
    check_url,
    remember,
)
from syndicator.sources.limits import whole_number
from syndicator.sources.memory import SourceNews
from syndicator.sources.wordpress import is_wordpress, wordpress_record

logger = logging.getLogger(__name__)

ACCEPT = "application/json, application/feed+json;q=0.9, */*;q=0.1"
FIELDS = (
    "id",
    "title",
    "url",
    "content_html",
    "content_text",
    "summary",
    "authors",
    "published",
    "updated",
    "categories",
    "tags",
    "related",
    "language",
    "image",
    "status",
)
_KEYS = (
    "url",
    "items",
    "next",
    "page_param",
    "page_start",
    "offset_param",
    "page_size",
    "page_size_param",
    "max_pages",
    "fields",
    "wordpress",
    "max_items",
)
MAX_ITEMS = 1000  # records read from one API per run, all pages together
_ITEM_KEYS = _json.ITEM_KEYS
_NEXT_PATHS = (
    "next",
    "next_page_url",
    "next_url",
    "links.next",
    "pagination.next",
    "meta.next",
    "paging.next",
)
_JSON_TYPES = ("application/json", "text/json", "text/plain", "application/octet-stream", "")


@dataclass(frozen=True)
class JsonApiOptions:
    url: str
    http: HttpOptions
    items: str | None = None  # path to the list of records; None: the body or a usual key
    next: str | None = None  # path to the next page's URL in the body
    page_param: str | None = None  # `page`: 1, 2, 3...
    page_start: int = 1
    offset_param: str | None = None  # `offset`: 0, n, 2n...
    page_size: int | None = None
    page_size_param: str | None = None  # `per_page`, `limit`
    max_pages: int = 10
    fields: tuple[tuple[str, str], ...] = ()  # (our field name, path in the record)
    wordpress: bool | None = None  # None: recognised from the URL or the records
    max_items: int = MAX_ITEMS


def check(source: SourceConfig) -> JsonApiOptions:
    http = check_http(source, _KEYS, "json_api")
    o = source.options
    fields = o.get("fields", {})
    if not isinstance(fields, dict) or not all(isinstance(v, str) and v for v in fields.values()):
        raise source.error("fields", 'must be a table such as { title = "headline.main" }')
    for name in fields:
        if name not in FIELDS:
            raise source.error(f"fields.{name}", f"not a record field (known: {', '.join(FIELDS)})")

    def text(key: str) -> str | None:
        value = o.get(key)
        if value is not None and (not isinstance(value, str) or not value):
            raise source.error(key, "must be a non-empty string")
        return value

    def whole(key: str, default: int | None, least: int) -> int | None:
        value = o.get(key, default)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < least):
            raise source.error(key, f"must be a whole number of {least} or more")
        return value

    wordpress = o.get("wordpress")
    if wordpress is not None and not isinstance(wordpress, bool):
        raise source.error("wordpress", "must be true or false")
    if o.get("page_param") and o.get("offset_param"):
        raise source.error("offset_param", "use page_param or offset_param, not both")
    return JsonApiOptions(
        url=check_url(source, o.get("url")),
        http=http,
        items=text("items"),
        next=text("next"),
        page_param=text("page_param"),
        page_start=whole("page_start", 1, 0) or 0,
        offset_param=text("offset_param"),
        page_size=whole("page_size", None, 1),
        page_size_param=text("page_size_param"),
        max_pages=whole("max_pages", 10, 1) or 1,
        fields=tuple(sorted(fields.items())),
        wordpress=wordpress,
        max_items=whole_number(source, "max_items", MAX_ITEMS),
    )


def read(
    source: SourceConfig, options: JsonApiOptions, context: ReadContext | None = None
) -> Iterator[RawRecord | Rejection | SourceNews]:
    context = context or ReadContext()
    first_url = _with_params(options.url, options, 0, options.page_start)
    try:
        first = context.fetcher.get(first_url, options.http, accept=ACCEPT, memory=context.memory)
    except FetchError as e:
        raise SourceError(source.name, e.url, e.reason) from e
    if first is None:
        return  # 304: the first page has not changed
    yield from records_from(source, options, first, context.fetcher)
    yield from remember(context.memory, first_url, first)


def records_from(
    source: SourceConfig, options: JsonApiOptions, response: Response, fetcher: Fetcher
) -> Iterator[RawRecord | Rejection]:
    """Every record of this page and the pages after it."""
    seen = {response.url}
    offset = 0
    page = options.page_start
    for number in range(1, options.max_pages + 1):
        value = parse_json(source.name, response)
        items = _items(source.name, response.url, value, options.items)
        room = options.max_items - offset
        if len(items) > room:
            logger.warning(
                "source=%s url=%s: more than max_items = %d records: the first %d are read"
                " (raise max_items to read them all)",
                source.name,
                public_url(response.url),
                options.max_items,
                options.max_items,
            )
            items = items[:room]
        wordpress = options.wordpress
        if wordpress is None:
            wordpress = (
                "/wp-json/" in response.url
                or ("rest_route=" in response.url)
                or any(isinstance(i, Mapping) and is_wordpress(i) for i in items[:1])
            )
        for i, item in enumerate(items):
            locator = f"record {i}"
            if not isinstance(item, Mapping):
                yield Rejection(
                    source.name, response.url, locator, "", "a record must be a JSON object", item
                )
                continue
            if _json.too_deep(item):
                yield Rejection(source.name, response.url, locator, "", _json.depth_reason())
                continue
            try:
                payload = wordpress_record(item) if wordpress else dict(item)
                payload.update(mapped_fields(item, options.fields))
            except Exception as e:  # a shape no reader foresaw: this record's rejection, not the source's
                reason = f"could not be read: {type(e).__name__}: {e}"
                yield Rejection(source.name, response.url, locator, "", reason, item)
                continue
            key = payload.get("id") or payload.get("url") or f"{number}.{i}"
            yield RawRecord(
                source.name,
                response.url,
                locator,
                "json",
                payload,
                source_kind="json_api",
                ref=f"{options.url}#{key}",
            )
        offset += len(items)
        page += 1
        if not items or number == options.max_pages or offset >= options.max_items:
            return
        following = _next_url(response, value, options, offset, page)
        if following is None or following in seen:
            return
        seen.add(following)
        try:
            response = fetcher.get_fresh(following, options.http, accept=ACCEPT)
        except FetchError as e:
            raise SourceError(source.name, e.url, e.reason) from e


def parse_json(source: str, response: Response) -> Any:
    kind = response.content_type
    if kind not in _JSON_TYPES and not kind.endswith("+json"):
        raise SourceError(source, response.url, f"expected JSON, got {kind or 'no content type'}")
    try:
        return _json.loads(response.body)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        where = f" (line {e.lineno}, column {e.colno})" if isinstance(e, json.JSONDecodeError) else ""
        reason = e.msg if isinstance(e, json.JSONDecodeError) else "not UTF-8"
        raise SourceError(source, response.url, f"malformed JSON: {reason}{where}") from e


def _items(source: str, url: str, value: Any, path: str | None) -> list[Any]:
    if path is not None:
        found = lookup(value, path)
        if not isinstance(found, list):
            raise SourceError(source, url, f"items = {path!r} does not lead to a list in the answer")
        return found
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        for key in _ITEM_KEYS:
            if isinstance(value.get(key), list):
                return list(value[key])
        if any(k in value for k in ("title", "headline", "url", "link")):
            return [value]  # one record
        keys = ", ".join(sorted(map(str, value))[:8])
        raise SourceError(
            source, url, f'no list of records in the answer (keys: {keys}); set items = "<path>"'
        )
    raise SourceError(source, url, "the answer is neither a list of records nor an object holding one")


def _next_url(response: Response, value: Any, options: JsonApiOptions, offset: int, page: int) -> str | None:
    link = response.link("next")
    if link:
        return link
    paths = (options.next,) if options.next else _NEXT_PATHS
    if isinstance(value, Mapping):
        for path in paths:
            found = lookup(value, path)
            if isinstance(found, Mapping):
                found = found.get("href") or found.get("url")
            if isinstance(found, str) and found:
                return urljoin(response.url, found)
    total = response.header("x-wp-totalpages")  # WordPress REST API
    if total is not None and total.isdigit() and page > int(total):
        return None
    if options.page_param or options.offset_param:
        return _with_params(options.url, options, offset, page)
    return None


def _with_params(url: str, options: JsonApiOptions, offset: int, page: int) -> str:
    updates: dict[str, str] = {}
    if options.page_param:
        updates[options.page_param] = str(page)
    if options.offset_param:
        updates[options.offset_param] = str(offset)
    if options.page_size and options.page_size_param:
        updates[options.page_size_param] = str(options.page_size)
    if not updates:
        return url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in updates]
    return urlunsplit(parts._replace(query=urlencode([*query, *sorted(updates.items())])))


def lookup(value: Any, path: str) -> Any:
    """A JSON pointer (`/a/0/b`) or a dotted path (`a.0.b`, `a.*.b` maps over a list)."""
    if path.startswith("/"):
        steps = [s.replace("~1", "/").replace("~0", "~") for s in path[1:].split("/")]
    else:
        steps = path.split(".")
    return _walk(value, steps)


def _walk(value: Any, steps: list[str]) -> Any:
    for i, step in enumerate(steps):
        if step == "*" and isinstance(value, list):
            found = [_walk(v, steps[i + 1 :]) for v in value]
            return [f for f in found if f is not None]
        if isinstance(value, Mapping):
            value = value.get(step)
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return None
        if value is None:
            return None
    return value


def mapped_fields(record: Mapping[str, Any], fields: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    out = {}
    for name, path in fields:
        value = lookup(record, path)
        if value is not None:
            out[name] = value
    return out

"""Pure parsers for the request headers the server honours.

Each parser is lenient in what it accepts (a malformed header is treated as
absent, never as an error), because a feed reader with a broken header should
still get its feed.
"""

from __future__ import annotations

import email.utils
from datetime import UTC


def http_date(timestamp: float) -> str:
    """An IMF-fixdate (RFC 7231 §7.1.1.1), the only form a server may send."""
    return email.utils.formatdate(timestamp, usegmt=True)


def parse_http_date(value: str) -> float | None:
    """The POSIX time of an HTTP date, or None when it is not one.

    RFC 7231 §7.1.1.1: recipients accept the obsolete RFC 850 and asctime
    forms too; ``parsedate_to_datetime`` reads all three. A date without a
    zone is taken as GMT, which is what the obsolete forms mean.
    """
    try:
        parsed = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def parse_entity_tags(value: str, *, strong: bool = False) -> tuple[str, ...] | None:
    """The opaque tags of an If-None-Match (or, `strong`, If-Match) list.

    RFC 7232 §3.2: If-None-Match uses the weak comparison, so ``W/"x"``
    matches ``"x"``: weak prefixes are dropped. If-Match uses the strong one
    (§3.1), which a weak tag never passes: with `strong`, weak tags are left
    out. ``*`` is returned as the single tag ``*``. Returns None for a header
    that is not a valid list, so the header is ignored.
    """
    tags: list[str] = []
    rest = value.strip()
    if rest == "*":
        return ("*",)
    while rest:
        weak = rest.startswith("W/")
        if weak:
            rest = rest[2:]
        if not rest.startswith('"'):
            return None
        end = rest.find('"', 1)
        if end < 0:
            return None
        if not (weak and strong):
            tags.append(rest[1:end])
        rest = rest[end + 1 :].lstrip(" \t")
        if rest.startswith(","):
            rest = rest[1:].lstrip(" \t")
        elif rest:
            return None
    return tuple(tags) if tags or strong else None


def accepts_gzip(value: str | None) -> bool:
    """Whether an Accept-Encoding header lets us send gzip.

    RFC 7231 §5.3.4: codings are compared case-insensitively, ``x-gzip`` is
    ``gzip`` (RFC 7230 §4.2.3), ``q=0`` means "not acceptable", and ``*``
    stands for every coding not named.
    """
    if not value:
        return False
    gzip_q: float | None = None
    star_q: float | None = None
    for item in value.split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip().lower()
        q = _quality(params)
        if coding in ("gzip", "x-gzip"):
            gzip_q = q if gzip_q is None else max(gzip_q, q)
        elif coding == "*":
            star_q = q
    if gzip_q is not None:
        return gzip_q > 0
    return star_q is not None and star_q > 0


def _quality(params: str) -> float:
    """The q-value of one Accept-Encoding member; unreadable means 0."""
    for param in params.split(";"):
        name, _, raw = param.partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(raw.strip())
            except ValueError:
                return 0.0
            return q if 0.0 <= q <= 1.0 else 0.0
    return 1.0

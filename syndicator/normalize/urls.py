"""Canonical URLs: absolute, tracking parameters removed, scheme and host lower-cased."""

from __future__ import annotations

import functools
import re
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

# Parameters that only say where a click came from; they split one article
# into many URLs in readers' caches and aggregators' duplicate checks.
_TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "hsa_")
_TRACKING_NAMES = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "ref_src",
        "cmpid",
        "ocid",
        "xtor",
        "at_medium",
        "at_campaign",
    }
)

# RFC 3986 §3.3-3.5: what may stay as written in a path, a query or a fragment;
# anything else (spaces, "<", "|", non-ASCII letters) is percent-encoded, and
# existing escapes ("%" is safe) are kept, so canonical_url is idempotent.
_PATH_SAFE = "/:@!$&'()*+,;=%"
_QUERY_SAFE = _PATH_SAFE + "?"


# WHATWG URL §1.3, the C0 control percent-encode set: a control character
# (`&#1;` in an href) is written as %01, never kept raw, which no XML document
# can hold (lxml refuses to set such an attribute at all).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TAB_NEWLINE = str.maketrans({"\t": None, "\n": None, "\r": None})
_CONTROL_OR_SPACE = "".join(map(chr, range(0x21)))  # stripped from either end


def encode_controls(value: str) -> str:
    """As a browser reads it: tabs and newlines anywhere removed (so `java&#9;script:`
    stays `javascript:`), controls at either end stripped, the others percent-encoded."""
    value = value.translate(_TAB_NEWLINE).strip(_CONTROL_OR_SPACE)
    if value.isprintable():  # no control character left to encode (all are unprintable)
        return value
    return _CONTROL.sub(lambda m: f"%{ord(m.group()):02X}", value)


def is_tracking_parameter(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_NAMES or lowered.startswith(_TRACKING_PREFIXES)


# An absolute http(s) URL canonical_url gives back as written (plus "/" for an
# empty path): lower-case scheme and host, no port, user, query or fragment, and
# a path of characters quote() keeps (unreserved ones and _PATH_SAFE). Most
# links of feeds and CMS exports are this; the general way costs five parses.
_CANONICAL_AS_WRITTEN = re.compile(r"https?://[a-z0-9.-]+(/[A-Za-z0-9_.~/:@!$&'()*+,;=%-]*)?")


def canonical_url(value: str, base: str) -> str | None:
    """The absolute http(s) form of value, or None when it is not a usable link."""
    value = value.strip()
    as_written = _CANONICAL_AS_WRITTEN.fullmatch(value)
    if as_written is not None and _splits(base):
        return value if as_written.group(1) else value + "/"
    return _canonical(value, base)


def _canonical(value: str, base: str) -> str | None:
    """canonical_url the general way (value stripped)."""
    # Whitespace other than a plain space makes it no link; str.isprintable is False
    # for every such character, so a printable value needs no look at each one.
    if not value or (not value.isprintable() and any(ch.isspace() for ch in value.replace(" ", ""))):
        return None
    value = encode_controls(value)
    try:
        if _scheme_without_host(value):
            return None
        parts = urlsplit(join(base, value.replace(" ", "%20")))
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    try:
        port = parts.port  # raises ValueError for "host:abc" or "host:99999"
    except ValueError:
        return None
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not is_tracking_parameter(k)]
    # Re-encode only when something was removed: re-encoding turns "?123" into "?123=".
    query = urlencode(kept) if len(kept) != len(pairs) else parts.query
    netloc = parts.netloc.lower()
    if port in (80, 443) and netloc.endswith(f":{port}"):
        default = 80 if parts.scheme.lower() == "http" else 443
        if port == default:
            netloc = netloc.rsplit(":", 1)[0]
    return urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            quote(parts.path or "/", safe=_PATH_SAFE),
            quote(query, safe=_QUERY_SAFE),
            quote(parts.fragment, safe=_QUERY_SAFE),
        )
    )


# An absolute http(s) URL absolute_url gives back as written: a host of letters,
# digits, dots and hyphens (no user, no port), then what join leaves as it is (see
# _AS_WRITTEN). Most links and images of a body are this; the general way costs
# three parses.
_ABSOLUTE_AS_WRITTEN = re.compile(r"https?://[A-Za-z0-9.-]+(?:[/?#][^\s;\[\]]*)?")


def absolute_url(value: str, base: str) -> str | None:
    """Like canonical_url but keeps the query as is (for images and in-text links)."""
    value = encode_controls(value.strip())
    if not value:
        return None
    if (
        value.isascii()
        and _ABSOLUTE_AS_WRITTEN.fullmatch(value)
        and "?#" not in value
        and not value.endswith(("?", "#"))
        and _splits(base)
    ):
        return value
    return _absolute(value, base)


def _absolute(value: str, base: str) -> str | None:
    """absolute_url the general way (value stripped, controls encoded)."""
    try:
        if _scheme_without_host(value):
            return None
        joined = join(base, value)
        parts = urlsplit(joined)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https", "mailto") or (
        parts.scheme != "mailto" and not parts.hostname
    ):
        return None
    return joined


# An absolute http(s) URL that urljoin gives back exactly as written: a host, and
# none of what urlsplit + urlunparse would drop or rewrite (an empty query or
# fragment, `;` parameters, an upper-case scheme) or refuse (brackets).
_AS_WRITTEN = re.compile(r"https?://[^/?#;\[\]][^;\[\]]*")


# A path from the root that urljoin only appends to the base's scheme and host:
# no "." or ".." segment to resolve, no parameters, no space, no empty query or
# fragment for urlunparse to drop.
_FROM_THE_ROOT = re.compile(r"/(?!/)[^\s;?#]*(?:\?[^\s#]+)?(?:#\S+)?")


def join(base: str, value: str) -> str:
    """urljoin(base, value), without its two parses and a rebuild for a value that
    is already an absolute URL it would give back as written (most links in feeds
    and CMS exports), or a path from the root of the base's host (most of the
    rest). tests/normalize/test_urls.py holds the two to agreeing."""
    if value.isascii() and value.isprintable() and "?#" not in value:
        if _AS_WRITTEN.fullmatch(value) and not value.endswith(("?", "#")):
            urlsplit(base)  # raises ValueError where urljoin would, on a base it cannot split
            return value
        if _FROM_THE_ROOT.fullmatch(value) and "/." not in value.split("?", 1)[0].split("#", 1)[0]:
            origin = _origin(base)
            if origin is not None:
                return origin + value
    return urljoin(base, value)


@functools.lru_cache(maxsize=64)
def _origin(base: str) -> str | None:
    """ "scheme://host" that urljoin puts before a path from the root, for an http(s)
    base with a host; None for any other (urljoin then decides). Raises ValueError
    where urljoin would, on a base it cannot split."""
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


@functools.lru_cache(maxsize=64)
def _splits(base: str) -> bool:
    """Whether urlsplit can read the base (canonical_url is None for any link otherwise)."""
    try:
        urlsplit(base)
    except ValueError:
        return False
    return True


def _scheme_without_host(value: str) -> bool:
    """`https://` or `http:page`: urljoin would quietly turn it into the base URL."""
    # urlsplit's scheme is what comes before the first ":"; without an http(s) one
    # at the start there is nothing to split (callers have stripped the value).
    if not value[:6].lower().startswith(("http:", "https:")):
        return False
    parts = urlsplit(value)
    return parts.scheme.lower() in ("http", "https") and not parts.netloc


def iri_to_uri(value: str) -> str | None:
    """RFC 3987 §3.1: an IRI as a URI. Spaces and non-ASCII letters in the path,
    query and fragment are percent-encoded (UTF-8), an internationalised host
    takes its IDNA form; what is already encoded stays as it is. None when the
    value cannot be split as a URL."""
    try:
        parts = urlsplit(value.strip())
        host = parts.hostname or ""
        netloc = parts.netloc
        if host and not host.isascii():
            netloc = netloc.replace(host, host.encode("idna").decode("ascii"))
    except (ValueError, UnicodeError):
        return None
    safe = "/:@!$&'()*+,;=%~?"
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            quote(parts.path, safe=safe),
            quote(parts.query, safe=safe),
            quote(parts.fragment, safe=safe),
        )
    )

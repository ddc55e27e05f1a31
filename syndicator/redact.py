"""URLs fit to be shown or stored: no user:password@, no secret query values.

A source URL may carry a credential in two places a user does not think of
as secret once it is written down: the userinfo (`https://ed:pw@host/`,
RFC 3986 §3.2.1, deprecated for exactly this reason) and the query string
(`?api_key=…`, `&token=…`, presigned `X-Amz-Signature=…`). The request needs
them; nothing else does. Every URL that reaches a message, a report, the
history, the store or a log line goes through `public_url` (or, inside free
text, `scrub_text`) first.

Which query keys are secret is data: a key is secret when, lower-cased and
stripped of punctuation, it contains one of SECRET_QUERY_WORDS or is one of
SECRET_QUERY_KEYS.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urlsplit, urlunsplit

SECRET_QUERY_WORDS = (
    "key",
    "token",
    "secret",
    "passw",
    "pwd",
    "auth",
    "credential",
    "signature",
    "session",
)
SECRET_QUERY_KEYS = frozenset({"sig", "code", "jwt", "pass", "hmac", "apikey"})
REDACTED = "***"

_URL = re.compile(r"""\bhttps?://[^\s"'<>`\\]+""", re.IGNORECASE)
# A query pair anywhere in text, such as urllib3's `"GET /api?api_key=… HTTP/1.1"`.
_QUERY_PAIR = re.compile(r"""(?<=[?&])([^=\s&"'<>#?]+)=([^&\s"'<>#]+)""")


def is_secret_key(name: str) -> bool:
    folded = re.sub(r"[^a-z0-9]", "", unquote_plus(name).lower())
    return folded in SECRET_QUERY_KEYS or any(word in folded for word in SECRET_QUERY_WORDS)


def public_url(url: str) -> str:
    """The URL without userinfo and with secret-looking query values replaced by ***.

    Everything else is kept byte for byte, so a URL without secrets is
    returned unchanged.
    """
    if "@" not in url and "?" not in url:
        return url  # the common case, without parsing
    try:
        parts = urlsplit(url)
    except ValueError:  # an unbalanced bracket: show no part of it
        return REDACTED
    changed = False
    if "@" in parts.netloc:
        parts = parts._replace(netloc=parts.netloc.rpartition("@")[2])
        changed = True
    if parts.query:
        pairs = []
        for pair in parts.query.split("&"):
            name, equals, value = pair.partition("=")
            secret = bool(equals and value and value != REDACTED and is_secret_key(name))
            pairs.append(f"{name}={REDACTED}" if secret else pair)
            changed = changed or secret
        parts = parts._replace(query="&".join(pairs))
    return urlunsplit(parts) if changed else url


def shareable_url(url: str) -> str:
    """The URL as another party may be given it: no userinfo, and none of the
    secret-looking query pairs at all (a masked value would not work for them
    either). A WebSub hub is advertised to subscribers this way; its
    credentials are the publisher's, for its pings.
    """
    if "@" not in url and "?" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return REDACTED
    netloc = parts.netloc.rpartition("@")[2]
    pairs = [p for p in parts.query.split("&") if p and not is_secret_key(p.partition("=")[0])]
    shared = parts._replace(netloc=netloc, query="&".join(pairs))
    return url if shared == parts else urlunsplit(shared)


def scrub_text(text: str) -> str:
    """Free text (a log line, an error) with every URL and query string in it made public."""
    if "://" in text:
        text = _URL.sub(lambda m: public_url(m.group(0)), text)
    if "=" in text:
        text = _QUERY_PAIR.sub(
            lambda m: f"{m.group(1)}={REDACTED}" if is_secret_key(m.group(1)) else m.group(0), text
        )
    return text

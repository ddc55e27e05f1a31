"""What a fetch gives back, without requests: the answer, the error (and the
reason dug out of wrapped exceptions), and the header arithmetic around them
(Retry-After, conditional-GET validators).

Kept apart from `http` so the pure parts are read and tested without the
session machinery; `http` re-exports every public name.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http import HTTPStatus

from syndicator.redact import public_url
from syndicator.sources.memory import HttpValidators, SourceMemory, ValidatorsSeen


@dataclass(frozen=True)
class Response:
    url: str  # final URL, after redirects
    status: int
    content_type: str  # media type, lower case, without parameters
    charset: str | None
    body: bytes
    etag: str | None
    last_modified: str | None
    links: tuple[tuple[str, str], ...]  # (rel, absolute url) from the Link header (RFC 8288)
    headers: tuple[tuple[str, str], ...]  # (lower-case name, value)

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k == name), None)

    def link(self, rel: str) -> str | None:
        return next((u for r, u in self.links if r == rel), None)


def retry_after(value: str | None, date: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (RFC 9110 §10.2.3).

    An HTTP-date is measured against the answer's own Date header, so no
    clock is read here; without one, the date form is ignored.
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
        sent = parsedate_to_datetime(date) if date else None
    except (TypeError, ValueError):
        return None
    if sent is None or when.tzinfo is None or sent.tzinfo is None:
        return None
    return max(0.0, (when - sent).total_seconds())


def remember(memory: SourceMemory, url: str, response: Response) -> Iterator[ValidatorsSeen]:
    """The answer's validators (under the URL asked for), for the next run's
    conditional GET: a source yields them once it has used the answer, so a
    document that failed to parse is fetched whole again next time.

    They are kept with the normalizer fingerprint: when the rules that shape
    articles change, the document is fetched and read whole again, as a
    directory source re-reads its files. The store knows the URL only in its
    public form (no userinfo, no secret query value).
    """
    if response.etag or response.last_modified:
        fp = memory.fingerprint
        yield ValidatorsSeen(
            public_url(url),
            HttpValidators(
                f"{fp}|{response.etag}" if response.etag else None,
                f"{fp}|{response.last_modified}" if response.last_modified else None,
            ),
        )


def known_validators(memory: SourceMemory | None, url: str) -> HttpValidators | None:
    """The validators `remember` gave for this URL, if they were given under today's fingerprint."""
    stored = memory.validators(public_url(url)) if memory is not None else None
    if memory is None or stored is None:
        return None
    prefix = f"{memory.fingerprint}|"

    def value(packed: str | None) -> str | None:
        return packed[len(prefix) :] if packed and packed.startswith(prefix) else None

    known = HttpValidators(value(stored.etag), value(stored.last_modified))
    return known if known.etag or known.last_modified else None


def reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    """Whether `kind` is anywhere in the chain urllib3 and requests wrap around the real error."""
    seen: BaseException | None = error
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, kind) or any(isinstance(a, kind) for a in seen.args):
            return True
        reason = getattr(seen, "reason", None)
        seen = reason if isinstance(reason, BaseException) else (seen.__cause__ or seen.__context__)
    return False


def innermost(error: BaseException) -> str:
    """The last link of urllib3's wrapped errors, without pool or URL noise."""
    seen: BaseException = error
    for _ in range(10):
        inner = next((a for a in seen.args if isinstance(a, BaseException)), None)
        inner = inner or getattr(seen, "reason", None) or seen.__cause__
        if not isinstance(inner, BaseException):
            break
        seen = inner
    text = str(seen).split(": ", 1)[-1] if ": " in str(seen) else str(seen)
    return text[:160] or seen.__class__.__name__

"""Bytes of a scraped text file to str.

Scrapers save text in whatever encoding the page or their platform used:
UTF-8 (often with a BOM from Windows tools), UTF-16 from Notepad, cp1252 from
older Windows pipelines, and text already double-decoded into mojibake
("Ã©" for "é"). We decode with the first encoding that fits and then let ftfy
undo mojibake, which it does conservatively (it only changes text that decodes
into something more plausible).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import ftfy

# Magic numbers of formats that must never be read as text.
_BINARY_MAGIC = (
    b"%PDF-",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"\x7fELF",
    b"BZh",
    b"\xfd7zXZ",
    b"7z\xbc\xaf",
    b"RIFF",
    b"OggS",
    b"ID3",
    b"SQLite format 3",
)
_SAMPLE = 8192
# C0 controls other than tab, line feed, form feed, carriage return and escape.
_CONTROL_BYTES = frozenset(range(0x00, 0x20)) - {0x09, 0x0A, 0x0C, 0x0D, 0x1B}
# Real binary data (images, archives, executables, random bytes) has about one
# control byte in eight; a text file has none, or a stray one a buggy tool left.
# Below these shares, the file is text whose stray controls are removed.
_BINARY_SHARE = 0.10  # of the sample, whatever the encoding
_BINARY_SHARE_NOT_UTF8 = 0.01  # when the bytes are not even UTF-8: no text encoding explains them
_STRAY_CONTROLS = str.maketrans({b: None for b in _CONTROL_BYTES | {0x7F}})

_FTFY = ftfy.TextFixerConfig(
    uncurl_quotes=False,  # curly quotes are repaired, not flattened (text.clean_text)
    unescape_html=False,  # a plain-text file may legitimately contain "&amp;"
    fix_character_width=False,  # full-width forms are meaningful in CJK quotations
    explain=False,
)


@dataclass(frozen=True)
class Decoded:
    text: str
    removed_controls: int  # stray control characters (NUL, vertical tab...) taken out


def decode_text(data: bytes) -> str:
    """decode_report(data).text, for callers with nobody to tell about repairs."""
    return decode_report(data).text


# An HTML page's own word on its encoding, in its first 1024 bytes (HTML's
# prescan): <meta charset="..."> or <meta http-equiv="Content-Type" content="...; charset=...">.
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# WHATWG Encoding: these labels mean windows-1252, which most such pages really are.
_WINDOWS_1252_LABELS = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii"})


def declared_charset(page: bytes) -> str | None:
    """The codec an HTML page declares for itself, or None (none, or one Python lacks).

    UTF-16 and UTF-32 declarations are ignored, as HTML's prescan ignores them:
    such a page is ASCII-compatible, or it would not be read at all.
    """
    found = _META_CHARSET.search(page[:1024])
    if found is None:
        return None
    label = found.group(1).decode("ascii").lower()
    if label in _WINDOWS_1252_LABELS:
        label = "cp1252"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return None if name.startswith(("utf-16", "utf-32")) else name


def decode_report(data: bytes, *, declared: str | None = None, repair: bool = True) -> Decoded:
    """Decode a text file: BOM, else UTF-8, else the encoding the file declares
    (`declared`, a saved HTML page's own), else cp1252, else Latin-1; then repair mojibake.

    `repair` off: no mojibake repair (JSON, whose field values are repaired one by
    one later: ftfy would also turn a U+2028 inside a string into a line break,
    which splits a JSONL record). A UTF-8 byte order mark before bytes that are not
    all UTF-8 is dropped and the rest decoded as a file without one.

    Raises ValueError for binary data, so the record is rejected with a reason a
    user understands instead of publishing garbage. A text file with a few
    stray control bytes is text: they are removed and counted, for a warning.
    """
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as e:
                if bom == codecs.BOM_UTF8:
                    data = data[len(bom) :]  # a tool's BOM on a file with a stray legacy byte
                    break
                raise ValueError(
                    f"binary file: starts with a {codec} byte order mark but does not decode ({e.reason})"
                ) from e
            return _clean(text, repair)
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return _clean(utf16, repair)
    utf8 = _utf8(data)
    _reject_binary(data, is_utf8=utf8 is not None)
    if utf8 is not None:
        return _clean(utf8, repair)  # valid UTF-8 is UTF-8, whatever a page re-saved from a tool declares
    for codec in (*([declared] if declared else []), "cp1252", "latin-1"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        return _clean(text, repair)
    raise AssertionError("latin-1 decodes every byte string")  # pragma: no cover


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text saved without a BOM: a NUL in every other byte of the sample, all on one side."""
    head = data[:_SAMPLE]
    if len(head) < 4 or len(head) % 2 or head.count(0) < len(head) // 3:
        return None
    for codec, zeros in (("utf-16-le", head[1::2]), ("utf-16-be", head[0::2])):
        if zeros.count(0) >= len(zeros) * 0.9:
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return None
    return None


def _reject_binary(data: bytes, *, is_utf8: bool) -> None:
    head = data[:_SAMPLE]
    for magic in _BINARY_MAGIC:
        if head.startswith(magic):
            raise ValueError(f"binary file (starts like {magic[:8]!r}), not text")
    controls = sum(1 for b in head if b in _CONTROL_BYTES)
    share = _BINARY_SHARE if is_utf8 else _BINARY_SHARE_NOT_UTF8
    if head and controls > 1 and controls / len(head) > share:
        raise ValueError(f"binary file: {controls} control bytes in the first {len(head)}, not text")


def _clean(text: str, repair: bool = True) -> Decoded:
    cleaned = text.translate(_STRAY_CONTROLS)
    return Decoded(_repair(cleaned) if repair else cleaned, len(text) - len(cleaned))


def _repair(text: str) -> str:
    return ftfy.fix_text(text, _FTFY)

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

_FTFY = ftfy.TextFixerConfig(
    uncurl_quotes=False,  # curly quotes are repaired, not flattened (text.clean_text)
    unescape_html=False,  # a plain-text file may legitimately contain "&amp;"
    fix_character_width=False,  # full-width forms are meaningful in CJK quotations
    explain=False,
)


def decode_text(data: bytes) -> str:
    """Decode a text file: BOM, else UTF-8, else cp1252, else Latin-1; then repair mojibake.

    Raises ValueError for binary data, so the record is rejected with a reason a
    user understands instead of publishing garbage.
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
                raise ValueError(
                    f"binary file: starts with a {codec} byte order mark but does not decode ({e.reason})"
                ) from e
            return _repair(text)
    _reject_binary(data)
    for codec in ("utf-8", "cp1252", "latin-1"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        return _repair(text)
    raise AssertionError("latin-1 decodes every byte string")  # pragma: no cover


def _reject_binary(data: bytes) -> None:
    head = data[:_SAMPLE]
    for magic in _BINARY_MAGIC:
        if head.startswith(magic):
            raise ValueError(f"binary file (starts like {magic[:8]!r}), not text")
    if b"\x00" in head:
        raise ValueError(f"binary file: NUL byte at offset {head.index(0)}, not text")
    controls = sum(1 for b in head if b in _CONTROL_BYTES)
    if head and controls / len(head) > 0.02:
        raise ValueError(f"binary file: {controls} control bytes in the first {len(head)}, not text")


def _repair(text: str) -> str:
    return ftfy.fix_text(text, _FTFY)

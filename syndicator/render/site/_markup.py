"""What every generated page shares: escaping, formats, direction, dates, the frame.

The pages are built as strings, so every value goes through `text` or `attr`
on its way in: a title or URL from a record is data, never markup. Nothing
here reads the clock, the locale or a file, so the same documents always give
the same bytes.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from typing import Final

from syndicator.model import FeedDocument, FeedListing

# XML 1.0 §2.2 (and HTML's "noncharacters and controls" parse errors): these
# code points cannot be written escaped or not, so they are dropped.
_NOT_A_CHAR = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufdcf\ufdf0-\ufffd\U00010000-\U0010ffff]")

# Languages written right to left (CLDR's characterOrder), by primary subtag,
# and the scripts that make any language right to left (`az-Arab`, `pa-Arab`).
_RTL_LANGUAGES: Final = frozenset(
    {"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ps", "sd", "ug", "ur", "yi"}
)
_RTL_SCRIPTS: Final = frozenset({"arab", "hebr", "thaa", "syrc", "nkoo", "adlm", "rohg"})


def clean(value: str) -> str:
    return _NOT_A_CHAR.sub("", value)


def text(value: str) -> str:
    """Text content: `<`, `>` and `&` escaped (quotes too, harmlessly)."""
    return html.escape(clean(value), quote=True)


def attr(value: str) -> str:
    """A double-quoted attribute value."""
    return html.escape(clean(value), quote=True)


def direction(language: str) -> str:
    """`rtl` or `ltr` for a BCP 47 tag (HTML §3.2.6.4, the dir attribute)."""
    subtags = language.strip().lower().replace("_", "-").split("-")
    if subtags[0] in _RTL_LANGUAGES:
        return "rtl"
    # BCP 47 §2.2.3: a script subtag is the four-letter one after the language.
    if any(len(s) == 4 and s.isalpha() and s in _RTL_SCRIPTS for s in subtags[1:]):
        return "rtl"
    return "ltr"


def lang_attrs(language: str) -> str:
    language = language.strip() or "und"
    return f'lang="{attr(language)}" dir="{direction(language)}"'


def show_date(value: datetime) -> str:
    """A date as written in the article's own offset, readable in any language.

    Numeric (ISO 8601 order) so that it needs no month names and no locale.
    """
    offset = value.utcoffset() or timedelta(0)
    if offset == timedelta(0):
        zone = "UTC"
    else:
        sign = "+" if offset > timedelta(0) else "-"
        minutes = abs(int(offset.total_seconds())) // 60
        zone = f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return f"{value:%Y-%m-%d %H:%M} {zone}"


def time_element(value: datetime) -> str:
    return f'<time datetime="{attr(value.isoformat(timespec="seconds"))}">{text(show_date(value))}</time>'


def feed_path(doc: FeedDocument | FeedListing, filename: str) -> str:
    """The path of a file of `doc`, relative to the output directory."""
    return f"{doc.key}/{filename}" if doc.key else filename


def to_root(doc: FeedDocument | FeedListing) -> str:
    """The relative URL from `doc`'s directory back to the output directory."""
    return "../" * (doc.key.count("/") + 1) if doc.key else ""


# Phone first: one column, readable measure, large tap targets, inputs that
# shrink to the screen; logical properties so right-to-left pages mirror.
_CSS: Final = """
:root{
  color-scheme:light dark;
  --fg:#1d1d1f;
  --bg:#fdfdfb;
  --muted:#5b5b60;
  --line:#d9d9de;
  --accent:#0b57d0;
  --box:#f1f3f7;
}
@media (prefers-color-scheme:dark){:root{
  --fg:#ececf1;
  --bg:#17181b;
  --muted:#a4a4ad;
  --line:#3a3b40;
  --accent:#8ab4f8;
  --box:#222429;
}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{
  margin:0 auto;
  max-width:44rem;
  padding:1rem 1rem 3rem;
  font:1.0625rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;
  color:var(--fg);
  background:var(--bg);
  overflow-wrap:anywhere;
}
a{color:var(--accent)}
h1{font-size:1.7rem;line-height:1.2;margin:.6rem 0 .4rem}
h2{font-size:1.2rem;margin:2rem 0 .6rem}
h3{font-size:1.08rem;line-height:1.3;margin:0 0 .3rem}
.lead{color:var(--muted);margin:0 0 1rem}
.nav{font-size:.95rem;margin:0}
.about{background:var(--box);border-radius:.6rem;padding:.8rem 1rem;margin:1rem 0}
.about h2{margin-top:.2rem}
.about p{margin:.5rem 0}
.subscribe{list-style:none;margin:.4rem 0;padding:0}
.subscribe li{margin:.55rem 0}
.subscribe label{display:block;font-weight:600;font-size:.95rem}
input[readonly]{
  width:100%;
  font:.95rem ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
  padding:.5rem .6rem;
  border:1px solid var(--line);
  border-radius:.4rem;
  background:var(--bg);
  color:var(--fg);
}
.feeds,.items{list-style:none;margin:0;padding:0}
.feeds>li,.items>li{border-top:1px solid var(--line);padding:1rem 0}
.meta{color:var(--muted);font-size:.92rem;margin:.2rem 0}
.summary{margin:.4rem 0}
.tags{list-style:none;margin:.3rem 0 0;padding:0;display:flex;flex-wrap:wrap;gap:.35rem}
.tags li{background:var(--box);border-radius:1rem;padding:.05rem .6rem;font-size:.85rem}
.links{margin:.3rem 0 0;font-size:.92rem}
footer{margin-top:2.5rem;color:var(--muted);font-size:.85rem}
"""


def page(*, language: str, title: str, head_extra: str, body: str) -> bytes:
    """A whole HTML document: no script, no external resource, inline CSS only."""
    return (
        "<!DOCTYPE html>\n"
        f"<html {lang_attrs(language)}>\n"
        "<head>\n"
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{text(title)}</title>\n"
        f"{head_extra}"
        f"<style>{_CSS}</style>\n"
        "</head>\n"
        f"<body>\n{body}</body>\n"
        "</html>\n"
    ).encode()

"""The development corpus of saved article pages, shared by the tests and bench/extractors.py.

Three folders, each with its source and licence in a README or LICENSE beside the files:
- pages/: 72 pages from scrapinghub's article-extraction-benchmark (MIT);
- pages-newspaper/: codelucas/newspaper's test pages and their article texts (MIT);
- pages-goose3/: goose3's test pages, with full texts or stated metadata (Apache-2.0).

A page is `<name>.html.gz`, with `<name>.reference.txt` (its article body) and/or
`<name>.expected.json` (title, authors, published or published_day, language, as the
page states them). corpus-languages.json gives each reference body's language.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
FOLDERS = ("pages", "pages-newspaper", "pages-goose3")
_LANGUAGES: dict[str, str] = json.loads((HERE / "corpus-languages.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Page:
    key: str  # "<folder>/<name>"
    html: str
    reference: str | None  # the article body as text
    expected: dict[str, Any] | None  # stated metadata
    language: str | None  # of the reference body, or the expected language

    @property
    def published_day(self) -> str | None:
        if not self.expected:
            return None
        day = self.expected.get("published_day") or str(self.expected.get("published") or "")[:10]
        return day or None


def pages() -> list[Page]:
    """Every page of the corpus, in a stable order."""
    out = []
    for folder in FOLDERS:
        for path in sorted((HERE / folder).glob("*.html.gz")):
            name = path.name.removesuffix(".html.gz")
            key = f"{folder}/{name}"
            ref = path.with_name(f"{name}.reference.txt")
            exp = path.with_name(f"{name}.expected.json")
            expected = json.loads(exp.read_text(encoding="utf-8")) if exp.exists() else None
            language = _LANGUAGES.get(key) or (expected or {}).get("language")
            html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
            out.append(
                Page(
                    key=key,
                    html=html,
                    reference=ref.read_text(encoding="utf-8") if ref.exists() else None,
                    expected=expected,
                    language=language,
                )
            )
    return out


def language_group(language: str | None) -> str:
    """ "en" or "other": the two groups the body figures are held to."""
    return "en" if (language or "en").split("-")[0].lower() == "en" else "other"

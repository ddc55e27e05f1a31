"""Regenerate the whole-page text dumps of tests/normalize/pages.

Each real page is turned into the text of the whole page (menus, teasers,
footers and all) by several common HTML-to-text tools, so the raw-text
extractor is measured on more than one tool's layout:

- inscriptis (PyPI), layout-preserving plain text;
- html2text (PyPI), Markdown-flavoured text, links and images left out;
- w3m -dump and lynx -dump -nolist (Debian packages w3m and lynx).

It also writes titles.json: each page's headline as the page states it
(the page's expected.json when it has one, else its only <h1>, else the
<h1> that shares most words with og:title or <title>, else og:title), the reference for "the right title".

Run from the repository root with the tools installed:

    pip install inscriptis html2text && apt-get install -y w3m lynx
    python tests/normalize/dumps/make_dumps.py

The tests only read the files this writes; they never need the tools.
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import lxml.html

HERE = Path(__file__).resolve().parent
PAGES = HERE.parent / "pages"
TOOLS = ("inscriptis", "html2text", "w3m", "lynx")
# Headlines read on the page by hand where the site's name is the longer part
# of its <title>, which the rules of page_title take for the headline.
READ_BY_HAND = {
    "lhpat-tm-85439e26": "商品の改造が商標法違反に！？",
    "mensagensreflexao-com-b3c19dd5": "Só quem se Ama…",
}


def dump(tool: str, html: str) -> str:
    if tool == "inscriptis":
        from inscriptis import get_text

        return get_text(html)
    if tool == "html2text":
        import html2text

        h = html2text.HTML2Text()
        h.ignore_links = True
        h.ignore_images = True
        return h.handle(html)
    command = {
        "w3m": ["w3m", "-dump", "-T", "text/html", "-I", "UTF-8", "-O", "UTF-8", "-cols", "100"],
        "lynx": ["lynx", "-dump", "-nolist", "-stdin", "-display_charset=UTF-8", "-assume_charset=UTF-8"],
    }[tool]
    done = subprocess.run(command, input=html.encode("utf-8"), capture_output=True, timeout=120, check=True)
    return done.stdout.decode("utf-8", "replace")


def _text(node: lxml.html.HtmlElement) -> str:
    return re.sub(r"\s+", " ", node.text_content()).strip()


def _fold(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def page_title(name: str, html: str) -> str:
    if name in READ_BY_HAND:
        return READ_BY_HAND[name]
    expected = PAGES / f"{name}.expected.json"
    if expected.exists() and "title" in json.loads(expected.read_text(encoding="utf-8")):
        return str(json.loads(expected.read_text(encoding="utf-8"))["title"])
    doc = lxml.html.document_fromstring(html)
    metas = [m.get("content", "") for m in doc.xpath('//meta[@property="og:title" or @name="twitter:title"]')]
    heads = [_text(t) for t in doc.xpath("//title")]
    stated = [_headline_segment(s) for s in (*metas, *heads) if s.strip()]
    whole = " ".join(_fold(s) for s in (*metas, *heads))
    said = set(whole.split())
    site_names = {
        _fold(part) for s in (*metas, *heads) for part in _segments(s) if part != _headline_segment(s)
    }
    h1s = [
        t for t in (_text(h) for h in doc.xpath("//body//h1")) if len(t) >= 10 and _fold(t) not in site_names
    ]
    if len(h1s) == 1:
        return h1s[0]  # the one headline printed on the page
    best: tuple[float, str] | None = None
    for text in h1s:
        words = _fold(text).split()
        overlap = 1.0 if _fold(text) in whole else sum(w in said for w in words) / len(words)
        if overlap >= 0.3 and (best is None or overlap > best[0]):
            best = (overlap, text)
    if best is not None:
        return best[1]  # the headline printed on the page, which the dumps hold
    return stated[0] if stated else ""


def _segments(title: str) -> list[str]:
    return re.split(r"\s+[|–—]\s+|\s+-\s+", title.strip())


def _headline_segment(title: str) -> str:
    """A <title> without the site name beside it ("Headline | Site", "Opinion | Headline")."""
    return max(_segments(title), key=len)


def main() -> int:
    titles: dict[str, str] = {}
    for page in sorted(PAGES.glob("*.html.gz")):
        name = page.name.removesuffix(".html.gz")
        html = gzip.decompress(page.read_bytes()).decode("utf-8")
        titles[name] = page_title(name, html)
        for tool in TOOLS:
            text = dump(tool, html)
            lines = [line.rstrip() for line in text.splitlines() if "file://localhost/tmp/" not in line]
            text = "\n".join(lines).strip() + "\n"  # lynx names its temporary copy: not page text
            (HERE / f"{name}.{tool}.txt").write_text(text, encoding="utf-8")
    (HERE / "titles.json").write_text(
        json.dumps(titles, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Whole-page text dumps scored as a user sees them: title, published or not, body.

The dumps (tests/normalize/dumps) are real pages turned into text by several
HTML-to-text tools, plus hand-written dumps in languages the pages lack. Each
is read as a `.txt` record by `normalize`, as a directory source would, and
scored against the page's reference body with `tests/textscore.py`, the
measure of test_body_f1.py.

Run it to print the figures per tool and per language:

    python tests/normalize/rawcorpus.py              # syndicator's extractor
    python tests/normalize/rawcorpus.py --justext    # jusText on the dump's lines
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
DUMPS = HERE / "dumps"
PAGES = HERE / "pages"
CASES = HERE / "cases"
TITLE_MATCH = 0.8  # word F1 between the published title and the page's headline


@dataclass(frozen=True)
class Dump:
    name: str  # the page: "aljazeera-42aad16b", or a hand-written dump's name
    tool: str  # inscriptis, html2text, w3m, lynx, or "hand" for the hand-written golden cases
    language: str  # the reference body's language
    path: Path
    reference: str  # the article body as a person marked it
    title: str  # the page's headline


@dataclass(frozen=True)
class Outcome:
    dump: Dump
    published: bool  # normalize gave an Article
    title: str
    body: str  # the published body as plain text
    precision: float
    recall: float
    f1: float

    @property
    def title_right(self) -> bool:
        from textscore import score

        return self.published and score(self.title, self.dump.title).f1 >= TITLE_MATCH


def dumps() -> list[Dump]:
    """Every dump of the corpus, in a fixed order."""
    from syndicator.normalize.language import detect_language

    titles: dict[str, str] = json.loads((DUMPS / "titles.json").read_text(encoding="utf-8"))
    out: list[Dump] = []
    for path in sorted(DUMPS.glob("*.txt")):
        if path.name.endswith(".reference.txt"):
            continue
        name, tool = path.name.removesuffix(".txt").rsplit(".", 1)
        ref_path = PAGES / f"{name}.reference.txt"
        if not ref_path.exists():
            ref_path = DUMPS / f"{name}.reference.txt"
        reference = ref_path.read_text(encoding="utf-8")
        language = detect_language(reference) or "id"  # the one page it cannot tell is Indonesian
        out.append(Dump(name, tool, language, path, reference, titles[name]))
    for path in sorted(CASES.glob("*.txt")):
        expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
        reference = "\n\n".join(text for _tag, text in expected["blocks"])
        name = path.name.removesuffix(".txt")
        out.append(Dump(name, "hand", name.split("_", 1)[0], path, reference, expected["title"]))
    return out


def run_syndicator(items: Iterable[Dump]) -> list[Outcome]:
    """Each dump normalized as a `.txt` record of a directory source."""
    from textscore import score

    from syndicator.model import Article, RawRecord
    from syndicator.normalize import NormalizeContext, normalize
    from syndicator.normalize.encoding import decode_text
    from syndicator.normalize.rules import default_rules_path, load_rules
    from syndicator.normalize.sanitize import html_to_text

    ctx = NormalizeContext(
        base_url="https://news.example.org/",
        language="en",
        timezone=ZoneInfo("UTC"),
        rules=load_rules(default_rules_path()),
        today=date(2024, 3, 1),
    )
    out = []
    for d in items:
        raw = RawRecord(
            "dumps", str(d.path), "", "text", decode_text(d.path.read_bytes()), ref=f"dumps/{d.path.name}"
        )
        article = normalize(raw, ctx)
        if isinstance(article, Article):
            body = html_to_text(article.content_html)
            s = score(body, d.reference)
            out.append(Outcome(d, True, article.title, body, s.precision, s.recall, s.f1))
        else:
            s = score("", d.reference)
            out.append(Outcome(d, False, "", "", s.precision, s.recall, s.f1))
    return out


def run_justext(items: Iterable[Dump]) -> list[Outcome]:
    """jusText's paragraph classifier on the dump's text blocks (lines between blank lines joined), title not judged."""
    import html

    import justext
    from textscore import score

    names = {
        "en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian",
        "pt": "Portuguese", "nl": "Dutch", "pl": "Polish", "ru": "Russian", "sv": "Swedish",
        "tr": "Turkish", "id": "Indonesian", "ko": "Korean", "ja": "Japanese",
    }  # fmt: skip
    out = []
    for d in items:
        lang = names.get(d.language, "English")
        stoplist = justext.get_stoplist(lang) if lang in justext.get_stoplists() else frozenset()
        text = d.path.read_text(encoding="utf-8")
        lines = [" ".join(b.split()) for b in re.split(r"\n\s*\n", text) if b.strip()]
        page = "<html><body>" + "".join(f"<p>{html.escape(ln)}</p>" for ln in lines) + "</body></html>"
        paragraphs = justext.justext(page.encode("utf-8"), stoplist, encoding="utf-8")
        body = "\n".join(p.text for p in paragraphs if not p.is_boilerplate)
        s = score(body, d.reference)
        out.append(Outcome(d, bool(body), "", body, s.precision, s.recall, s.f1))
    return out


@dataclass(frozen=True)
class Figures:
    count: int
    published: float  # share of dumps that gave an article
    title_right: float  # share with the page's own headline as title
    f1: float  # mean body F1
    precision: float
    recall: float


def figures(outcomes: list[Outcome]) -> Figures:
    n = len(outcomes) or 1
    return Figures(
        len(outcomes),
        sum(o.published for o in outcomes) / n,
        sum(o.title_right for o in outcomes) / n,
        sum(o.f1 for o in outcomes) / n,
        sum(o.precision for o in outcomes) / n,
        sum(o.recall for o in outcomes) / n,
    )


def table(outcomes: list[Outcome], key: Callable[[Outcome], str]) -> list[str]:
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        groups[key(o)].append(o)
    lines = [f"{'':12} {'dumps':>5} {'published':>9} {'title ok':>8} {'P':>6} {'R':>6} {'F1':>6}"]
    for name, group in [*sorted(groups.items()), ("all", outcomes)]:
        f = figures(group)
        lines.append(
            f"{name:12} {f.count:5d} {f.published:9.1%} {f.title_right:8.1%} "
            f"{f.precision:6.3f} {f.recall:6.3f} {f.f1:6.3f}"
        )
    return lines


def report(outcomes: list[Outcome]) -> str:
    return "\n".join(
        [
            "per tool:",
            *table(outcomes, lambda o: o.dump.tool),
            "per language:",
            *table(outcomes, lambda o: o.dump.language),
        ]
    )


def main(argv: list[str]) -> int:
    items = dumps()
    outcomes = run_justext(items) if "--justext" in argv else run_syndicator(items)
    if "-v" in argv:
        for o in sorted(outcomes, key=lambda o: o.f1):
            mark = "T" if o.title_right else "-"
            print(
                f"{o.dump.name:36} {o.dump.tool:10} {mark} F1={o.f1:.3f} P={o.precision:.3f} R={o.recall:.3f} {o.title[:60]!r}"
            )
    print(report(outcomes))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/: textscore
    sys.exit(main(sys.argv[1:]))

"""The article body found in real pages, measured against bodies marked by hand.

The pages and their references are in tests/normalize/pages (see its
README for their source and licence). The floor sits just under the figure
measured when it was set, so a change that makes extraction worse fails here.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from syndicator.normalize.context import NormalizeContext
from syndicator.normalize.htmlpage import extract_html_article
from syndicator.normalize.sanitize import html_to_text, sanitize_html
from syndicator.textscore import Score, mean_score, score

PAGES = Path(__file__).parent / "pages"
MEAN_F1_FLOOR = 0.95
MEAN_PRECISION_FLOOR = 0.94
MEAN_RECALL_FLOOR = 0.96


def page_names() -> list[str]:
    return sorted(p.name.removesuffix(".html.gz") for p in PAGES.glob("*.html.gz"))


@pytest.fixture(scope="module")
def scores(ctx: NormalizeContext) -> dict[str, Score]:
    out = {}
    for name in page_names():
        html = gzip.decompress((PAGES / f"{name}.html.gz").read_bytes()).decode("utf-8")
        draft = extract_html_article(html, ctx=ctx)
        body = html_to_text(sanitize_html(draft.content_html or "", base_url="https://example.org/"))
        out[name] = score(body, (PAGES / f"{name}.reference.txt").read_text(encoding="utf-8"))
    return out


def test_the_corpus_is_large_and_varied() -> None:
    names = page_names()
    assert len(names) >= 25
    assert len({n.rsplit("-", 1)[0] for n in names}) >= 25  # distinct sites
    for name in names:
        assert (PAGES / f"{name}.reference.txt").read_text(encoding="utf-8").strip()


def test_mean_body_f1_is_above_the_floor(scores: dict[str, Score]) -> None:
    for name, s in sorted(scores.items(), key=lambda kv: kv[1].f1):
        print(f"{name:36} P={s.precision:.3f} R={s.recall:.3f} F1={s.f1:.3f}")
    mean = mean_score(scores.values())
    label = f"mean over {len(scores)} pages"
    print(f"{label:36} P={mean.precision:.3f} R={mean.recall:.3f} F1={mean.f1:.3f}")
    assert mean.f1 >= MEAN_F1_FLOOR
    assert mean.precision >= MEAN_PRECISION_FLOOR
    assert mean.recall >= MEAN_RECALL_FLOOR


def test_every_page_yields_a_body(scores: dict[str, Score]) -> None:
    assert [name for name, s in scores.items() if s.recall == 0] == []

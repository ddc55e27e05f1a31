"""Normalizing a normalized record changes nothing: the property that keeps
content hashes (and so `updated`) still across runs and re-publishing."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitekit import CONFIG_DIR

from syndicator.articles import article_to_json
from syndicator.model import Article, RawRecord
from syndicator.normalize import NormalizeContext, normalize
from syndicator.normalize.rules import default_rules_path, load_rules
from syndicator.normalize.taxonomy import load_taxonomy

CTX = NormalizeContext(
    base_url="https://news.example.org/",
    language="en",
    timezone=ZoneInfo("Europe/Paris"),
    rules=load_rules(default_rules_path()),
    taxonomy=load_taxonomy(CONFIG_DIR / "taxonomy.toml"),
    today=date(2024, 3, 1),
    site_name="Le Monde en Bref",
)

messy_words = st.sampled_from(
    [
        "l'été",
        '"quoted"',
        "” reversed ”",
        "Ã©tÃ©",
        "&amp;",
        "&lt;b&gt;",
        "<b>bold</b>",
        "naïve",
        "  ",
        "\u00a0",
        "it's",
        "qu'”ils",
        "« guillemets »",
        "Straße",
        "—",
        "…",
        "\u200b",
        "x\x0by",
        "R&D",
        "<i>it</i>",
    ]
)
plain_words = st.text(alphabet=st.characters(categories=("L", "N")), min_size=1, max_size=12)
phrase = st.lists(st.one_of(messy_words, plain_words), min_size=1, max_size=12).map(" ".join)


@st.composite
def records(draw: st.DrawFn) -> dict[str, object]:
    paragraphs = draw(st.lists(phrase, min_size=1, max_size=4))
    return {
        "id": f"cms-{draw(st.integers(1, 10**6))}",
        "headline": draw(phrase),
        "permalink": "/news/" + draw(st.text(alphabet="abcdef-", min_size=1, max_size=10)) + "?utm_source=x",
        "datePublished": "2024-01-17T09:30:00+01:00",
        "body": "".join(f"<p>{p}</p>" for p in paragraphs) + "<script>x()</script>",
        "keywords": draw(st.lists(phrase, max_size=3)),
        "section": draw(st.sampled_from(["MONDE", "Économie", "tech", "Culture"])),
        "byline": draw(
            st.sampled_from(["par Jean Dupont et Marie Curie", "By Jane Roe", "", "von Max Muster"])
        ),
        "lang": draw(st.sampled_from(["fr", "en", "de"])),
    }


def renormalized(article: Article) -> Article | object:
    data = article_to_json(article)
    return normalize(RawRecord("s", "again.json", "", "json", data, ref="s/again.json"), CTX)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records())
def test_normalizing_a_normalized_record_gives_the_same_record(record: dict[str, object]) -> None:
    first = normalize(RawRecord("s", "a.json", "", "json", record, ref="s/a.json"), CTX)
    if not isinstance(first, Article):
        return  # rejected input (e.g. a title that cleans to nothing) has nothing to keep stable
    second = renormalized(first)
    assert isinstance(second, Article), second
    assert article_to_json(second) | {"source": None} == article_to_json(first) | {"source": None}

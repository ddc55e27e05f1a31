"""The shipped seed article, normalized end to end: the record readers get."""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo

from sitekit import CONFIG_DIR, SEED

from syndicator.model import Article, Category, RawRecord
from syndicator.normalize import NormalizeContext, normalize
from syndicator.normalize.encoding import decode_text
from syndicator.normalize.rules import default_rules_path, load_rules
from syndicator.normalize.taxonomy import load_taxonomy

TITLE = (
    "Poutine se prépare à une mutinerie alors que des centaines de soldats russes "
    "sont arrêtés pour avoir défié les ordres."
)


def seed_article() -> Article:
    context = NormalizeContext(
        base_url="https://news.example.org/",
        language="en",  # not the seed's: its language must be found in the text
        timezone=ZoneInfo("Europe/Paris"),
        rules=load_rules(default_rules_path()),
        taxonomy=load_taxonomy(CONFIG_DIR / "taxonomy.toml"),
        today=date(2024, 3, 1),
        site_name="Le Monde en Bref",
    )
    raw = RawRecord("samples", str(SEED), "", "text", decode_text(SEED.read_bytes()), ref="samples/seed.txt")
    article = normalize(raw, context)
    assert isinstance(article, Article), article
    return article


def test_the_seed_becomes_the_expected_record() -> None:
    article = seed_article()

    assert article.title == TITLE
    assert article.categories == (Category("monde", "Monde", "https://news.example.org/sections/"),)
    assert article.authors == ()
    assert article.language == "fr"
    assert article.published is None  # undated: the store gives it its first-seen time
    assert re.findall(r"<h2>(.*?)</h2>", article.content_html) == [
        "Poutine mutinerie",
        "Les soldats russes",
        "L’annexion de l’Ukraine",
    ]
    assert article.content_html.count("<p>") == 17
    assert article.summary.startswith("Selon le média indépendant ASTRA, au moins 12 soldats russes")


def test_the_seed_loses_its_furniture_and_gets_balanced_quotes() -> None:
    html = seed_article().content_html

    for furniture in ("LIRE LA SUITE", "Related Articles", "cookies", "opt-out", "Home »", ">par<"):
        assert furniture not in html
    assert TITLE not in html  # the repeated title is not body text
    assert "“une rébellion des mobilisés”" in html
    assert "qu’“ils ne sont pas autorisés" in html
    assert "'" not in html and "”une" not in html
    assert html.count("“") == html.count("”")

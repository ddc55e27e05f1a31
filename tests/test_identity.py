"""Two different articles never share an id or a URL; an article keeps the id
and date readers have seen. Records without a URL of their own: pages in any
script, dated text files that share a title, list records without ids."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import feedparser
from sitekit import NOW
from storekit import as_schema

from syndicator.articles import content_hash
from syndicator.config import load_config
from syndicator.model import Article, SourceRef
from syndicator.pipeline import STORE_NAME, publish_run
from syndicator.plan import Action, StoredArticle, decide, legacy_key
from syndicator.report import RunReport

NOLINK = Path(__file__).parent / "fixtures" / "nolink"


def publish(site: Path, now: Any = NOW, *, full: bool = False) -> RunReport:
    return publish_run(load_config(site / "syndicator.toml"), now=now, full=full)


def items(site: Path) -> list[dict[str, Any]]:
    return json.loads((site / "out" / "feed.json").read_text(encoding="utf-8"))["items"]  # type: ignore[no-any-return]


def test_pages_without_a_url_in_five_scripts_are_ten_articles_with_ten_ids_and_urls(site: Path) -> None:
    for page in sorted(NOLINK.glob("*.html")):
        shutil.copy(page, site / "articles" / page.name)

    report = publish(site)

    assert (report.added, report.duplicates, report.rejections) == (10, (), ())
    published = items(site)
    assert len({i["id"] for i in published}) == len({i["url"] for i in published}) == 10
    titles = {unquote(i["url"]).rsplit("/", 1)[1].rsplit("-", 1)[0]: i["title"] for i in published}
    assert titles["长江"] == "长江" and titles["волга"] == "Волга" and titles["نهر-النيل"] == "نهر النيل"
    for name in ("rss.xml", "atom.xml"):
        entries = feedparser.parse((site / "out" / name).read_bytes()).entries
        assert len({e.id for e in entries}) == len({e.link for e in entries}) == 10

    again = publish(site, now=NOW + timedelta(days=1))
    assert (again.added, again.changed) == (0, 0)
    assert items(site) == published


def briefing(day: str, text: str) -> str:
    return f"Morning briefing\n\n{day}: {text}\n\nMore news tomorrow at seven.\n"


def test_dated_text_files_sharing_a_title_are_each_their_own_article(site: Path) -> None:
    folder = site / "articles"
    (folder / "2024-02-26-briefing.txt").write_text(briefing("Monday", "Rain over the harbour."))
    (folder / "2024-02-27-briefing.txt").write_text(briefing("Tuesday", "The ferry strike ends."))

    first = publish(site)
    assert (first.added, first.duplicates) == (2, ())
    monday, tuesday = sorted(items(site), key=lambda i: i["content_text"])
    assert "Monday" in monday["content_text"] and "Tuesday" in tuesday["content_text"]

    # Monday's file is rotated away; Wednesday's arrives under the same title.
    (folder / "2024-02-26-briefing.txt").unlink()
    (folder / "2024-02-28-briefing.txt").write_text(briefing("Wednesday", "Snow in the hills."))
    second = publish(site, now=NOW + timedelta(days=1))

    assert (second.added, second.changed) == (1, 0)
    by_id = {i["id"]: i for i in items(site)}
    assert "Monday" in by_id[monday["id"]]["content_text"]  # kept as readers saw it
    assert by_id[monday["id"]]["date_published"] == monday["date_published"]
    assert "Tuesday" in by_id[tuesday["id"]]["content_text"]
    [wednesday] = [i for i in by_id.values() if "Wednesday" in i["content_text"]]
    assert wednesday["id"] not in (monday["id"], tuesday["id"])
    assert len({i["url"] for i in by_id.values()}) == 3


def test_list_records_sharing_a_title_are_distinct_and_a_title_fix_keeps_the_article(
    site: Path, add_records: Callable[..., Path]
) -> None:
    def editorial(n: int, title: str = "Editorial") -> dict[str, Any]:
        return {"title": title, "content_html": f"<p>Editorial number {n}: the council must act.</p>"}

    add_records("opinion.json", [editorial(1), editorial(2), editorial(3)])
    first = publish(site)
    assert (first.added, first.duplicates) == (3, ())
    before = {i["content_text"]: (i["id"], i["url"]) for i in items(site)}
    assert len({v[0] for v in before.values()}) == len({v[1] for v in before.values()}) == 3

    # A typo fixed in one title, a record inserted above the others.
    add_records("opinion.json", [editorial(0), editorial(1), editorial(2, "Editorail"), editorial(3)])
    second = publish(site, now=NOW + timedelta(hours=1))

    assert (second.added, second.changed, second.duplicates) == (1, 1, ())
    after = {i["content_text"]: (i["id"], i["url"]) for i in items(site)}
    for text, (article_id, url) in before.items():
        assert after[text] == (article_id, url)


def test_the_same_list_record_twice_in_a_file_is_one_article(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("wire.json", [{"title": "Live updates", "content_html": "<p>Polls close at eight.</p>"}] * 2)

    report = publish(site)

    assert (report.added, len(report.duplicates)) == (1, 1)


def test_an_article_stored_under_its_old_title_slug_keeps_its_id_date_and_url() -> None:
    """Stores written before fallback URLs had a hash knew such a record by `url:<site>/<slug>`."""
    old_url = "https://gazette.example/editorial"
    article = Article(
        id="tag:gazette.example,2024-03-01:new",
        url="https://gazette.example/editorial-0123abcd",
        title="Editorial",
        summary="",
        content_html="<p>The council must act.</p>",
        authors=(),
        published=None,
        updated=None,
        language="en",
        categories=(),
        tags=(),
        related=(),
        image=None,
        source=SourceRef("directory", "articles/opinion.json#0"),
        source_id=None,
        url_inferred=True,
        content_text="The council must act.",
    )
    assert legacy_key(article) == f"url:{old_url}"
    stored = StoredArticle(
        id="tag:gazette.example,2024-02-01:old",
        published=NOW - timedelta(days=29),
        updated=None,
        first_seen=NOW - timedelta(days=29),
        content_hash=content_hash(replace(article, url=old_url)),
        retracted=False,
        source_ref="articles/opinion.json#0",
        url=old_url,
    )
    elsewhere = replace(article, source=SourceRef("directory", "articles/other.json#0"))

    plan = decide([article, elsewhere], {f"url:{old_url}": stored}, now=NOW)

    kept, other = plan.decisions
    assert (kept.action, kept.article.id, kept.article.url) == (Action.UNCHANGED, stored.id, old_url)
    assert kept.article.published == stored.published
    assert other.action is Action.ADDED and other.article.id != stored.id


def test_list_records_sharing_a_body_but_not_a_title_are_two_articles_on_every_run(
    site: Path, add_records: Callable[..., Path]
) -> None:
    body = "<p>Listen to the full episode on our website.</p>"
    add_records("episodes.json", [{"title": f"Episode {n}", "content_html": body} for n in (1, 2)])

    first = publish(site)
    again = publish(site, now=NOW + timedelta(hours=1), full=True)  # every file read again

    assert (first.added, first.duplicates) == (2, ())
    assert (again.added, again.changed, again.unchanged, again.duplicates) == (0, 0, 2, ())
    assert sorted(i["title"] for i in items(site)) == ["Episode 1", "Episode 2"]


def test_a_list_record_keeps_its_article_when_it_gains_a_url_and_when_the_url_is_corrected(
    site: Path, add_records: Callable[..., Path]
) -> None:
    story = {"title": "Polls close at eight", "content_html": "<p>Counting starts at nine in every ward.</p>"}
    add_records("wire.json", [story])
    publish(site)
    (before,) = items(site)

    add_records("wire.json", [{**story, "url": "https://gazette.example/news/polls"}])
    gained = publish(site, now=NOW + timedelta(hours=1))
    add_records("wire.json", [{**story, "url": "https://gazette.example/news/polls-close"}])
    corrected = publish(site, now=NOW + timedelta(hours=2))

    assert (gained.added, gained.changed) == (0, 1)
    assert (corrected.added, corrected.changed) == (0, 1)
    (after,) = items(site)
    assert (after["id"], after["date_published"]) == (before["id"], before["date_published"])
    assert after["url"] == "https://gazette.example/news/polls-close"


def test_records_with_the_same_teaser_and_each_day_s_url_are_each_day_s_articles(
    site: Path, add_records: Callable[..., Path]
) -> None:
    def update(day: int) -> dict[str, Any]:
        return {
            "title": "Live updates",
            "url": f"https://gazette.example/live/{day}",
            "content_html": "<p>Follow the count live.</p>",
        }

    add_records("live.json", [update(1)])
    publish(site)
    (first,) = items(site)
    add_records("live.json", [update(2), update(3)])
    report = publish(site, now=NOW + timedelta(days=1))

    assert (report.added, report.changed, report.duplicates) == (2, 0, ())
    by_url = {i["url"]: i for i in items(site)}
    assert by_url["https://gazette.example/live/1"] == first  # kept as readers saw it
    assert len({i["id"] for i in by_url.values()}) == 3


def editorials(*days: tuple[str, str]) -> list[dict[str, Any]]:
    return [{"title": "Editorial", "content_html": f"<p>{day}: {text}</p>"} for day, text in days]


def ids_by_day(site: Path) -> dict[str, set[str]]:
    """The ids each day's text is published under."""
    found: dict[str, set[str]] = {}
    for item in items(site):
        found.setdefault(item["content_text"].split(":")[0], set()).add(item["id"])
    return found


def test_an_editorial_inserted_above_an_edited_one_never_takes_its_id(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("opinion.json", editorials(("Tuesday", "the ferries"), ("Monday", "the harbour")))
    publish(site)
    before = {day: ids.pop() for day, ids in ids_by_day(site).items()}

    add_records(
        "opinion.json",
        editorials(("Wednesday", "the tolls"), ("Tuesday", "the ferries"), ("Monday", "the harbour, again")),
    )
    publish(site, now=NOW + timedelta(hours=1))

    after = ids_by_day(site)
    assert after["Tuesday"] == {before["Tuesday"]}
    assert not after["Wednesday"] & set(before.values())  # Wednesday is a new article
    assert before["Monday"] in after["Monday"]  # Monday's id shows Monday's text, never another day's


DAYS = (("Monday", "the harbour"), ("Tuesday", "the ferries"), ("Wednesday", "the tolls"))


def three_editorials_published(site: Path, add_records: Callable[..., Path]) -> dict[str, str]:
    """Monday's, Tuesday's and Wednesday's "Editorial" published: each day's id."""
    add_records("opinion.json", editorials(*DAYS))
    publish(site)
    return {day: ids.pop() for day, ids in ids_by_day(site).items()}


def test_an_editorial_removed_beside_an_edited_one_never_lends_its_id(
    site: Path, add_records: Callable[..., Path]
) -> None:
    before = three_editorials_published(site, add_records)

    add_records("opinion.json", editorials(("Tuesday", "the ferries, and their crews"), DAYS[2]))
    publish(site, now=NOW + timedelta(hours=1))

    after = ids_by_day(site)
    assert after["Monday"] == {before["Monday"]}  # kept as readers saw it, with Monday's text
    assert after["Wednesday"] == {before["Wednesday"]}


def test_an_edit_of_the_second_of_three_records_sharing_a_title_keeps_its_id(
    site: Path, add_records: Callable[..., Path]
) -> None:
    def editorial(day: str, text: str) -> dict[str, Any]:
        return {"title": "Editorial", "content_html": f"<p>{day}: {text}</p>"}

    add_records(
        "opinion.json",
        [
            editorial("Monday", "the harbour"),
            editorial("Tuesday", "the ferries"),
            editorial("Wednesday", "the tolls"),
        ],
    )
    publish(site)
    before = {i["content_text"].split(":")[0]: i for i in items(site)}

    add_records(
        "opinion.json",
        [
            editorial("Monday", "the harbour"),
            editorial("Tuesday", "the ferries, and their crews"),
            editorial("Wednesday", "the tolls"),
        ],
    )
    report = publish(site, now=NOW + timedelta(hours=1))

    assert (report.added, report.changed, report.duplicates) == (0, 1, ())
    after = {i["content_text"].split(":")[0]: i for i in items(site)}
    assert {day: i["id"] for day, i in after.items()} == {day: i["id"] for day, i in before.items()}
    assert after["Tuesday"]["date_published"] == before["Tuesday"]["date_published"]
    assert "crews" in after["Tuesday"]["content_text"]


def test_a_record_repeated_in_a_file_stays_one_article_on_later_runs(
    site: Path, add_records: Callable[..., Path]
) -> None:
    twice = [{"title": "Live updates", "content_html": "<p>Polls close at eight.</p>"}] * 2
    add_records("wire.json", twice)
    publish(site)
    add_records("wire.json", [*twice, {"title": "Sports", "content_html": "<p>The derby is on.</p>"}])
    report = publish(site, now=NOW + timedelta(days=1))

    assert (report.added, len(report.duplicates)) == (1, 1)
    assert sorted(i["title"] for i in items(site)) == ["Live updates", "Sports"]


def test_an_older_text_put_back_above_the_article_that_replaced_it_is_a_new_article(
    site: Path, add_records: Callable[..., Path]
) -> None:
    def breaking(text: str) -> dict[str, Any]:
        return {"title": "Breaking", "content_html": f"<p>{text}</p>"}

    add_records("wire.json", [breaking("Developing story.")])
    publish(site)
    add_records("wire.json", [breaking("Fire downtown: full report.")])
    publish(site, now=NOW + timedelta(hours=1))
    (report,) = items(site)

    add_records("wire.json", [breaking("Developing story."), breaking("Fire downtown: full report.")])
    again = publish(site, now=NOW + timedelta(hours=2))

    assert (again.added, again.changed) == (1, 0)
    by_text = {i["content_text"]: i for i in items(site)}
    assert by_text["Fire downtown: full report."] == report  # its id still shows its own text
    assert by_text["Developing story."]["id"] != report["id"]


def test_a_new_record_with_an_article_s_first_text_and_day_is_a_new_article_with_its_own_id(
    site: Path, add_records: Callable[..., Path]
) -> None:
    def weather(text: str, hour: int) -> dict[str, Any]:
        return {"title": "Weather", "content_html": f"<p>{text}</p>", "date": f"2024-02-20T{hour:02d}:00:00Z"}

    add_records("wire.json", [weather("Sunny", 8)])
    publish(site)
    add_records("wire.json", [weather("Rainy", 8)])
    publish(site, now=NOW + timedelta(hours=1))
    add_records("wire.json", [weather("Rainy", 8), weather("Sunny", 18)])
    report = publish(site, now=NOW + timedelta(hours=2))

    assert (report.added, report.duplicates) == (1, ())
    assert len({i["id"] for i in items(site)}) == 2


def test_a_copy_without_the_url_its_article_gained_never_takes_that_article_s_id(
    site: Path, add_records: Callable[..., Path]
) -> None:
    one = {"title": "Editorial", "content_html": "<p>One.</p>", "date": "2024-02-20T08:00:00Z"}
    add_records("opinion.json", [one])
    publish(site)
    add_records("opinion.json", [{**one, "url": "https://gazette.example/opinion/one"}])
    publish(site, now=NOW + timedelta(hours=1))
    (gained,) = items(site)

    add_records("opinion.json", [one, {**one, "url": "https://gazette.example/opinion/one"}])
    report = publish(site, now=NOW + timedelta(hours=2))

    assert (report.added, report.duplicates) == (1, ())
    by_url = {i["url"]: i for i in items(site)}
    assert by_url["https://gazette.example/opinion/one"] == gained
    assert len(by_url) == 2


def test_a_store_from_before_shared_titles_lends_no_id_when_one_editorial_goes_and_another_is_edited(
    site: Path, add_records: Callable[..., Path]
) -> None:
    before = three_editorials_published(site, add_records)
    # As older versions kept it: the shared title named the first article only.
    as_schema(
        site / "state" / STORE_NAME,
        16,
        [f"DELETE FROM identity_keys WHERE key LIKE 'title:%' AND article_id != '{before['Monday']}'"],
    )

    add_records("opinion.json", editorials(("Tuesday", "the ferries, and their crews"), DAYS[2]))
    publish(site, now=NOW + timedelta(hours=1))

    after = ids_by_day(site)
    assert after["Monday"] == {before["Monday"]}  # Monday's id shows Monday's text, never Tuesday's
    assert after["Wednesday"] == {before["Wednesday"]}


def test_the_same_text_on_two_days_is_two_articles_at_two_urls_on_every_run(
    site: Path, add_records: Callable[..., Path]
) -> None:
    def daily(day: int) -> dict[str, Any]:
        return {
            "title": "Daily",
            "content_html": "<p>Markets open.</p>",
            "date": f"2024-02-{day:02d}T08:00:00Z",
        }

    add_records("wire.json", [daily(1), daily(2)])
    first = publish(site)
    before = items(site)
    again = publish(site, now=NOW + timedelta(days=1), full=True)

    assert (first.added, again.added, again.changed, again.unchanged) == (2, 0, 0, 2)
    assert items(site) == before
    assert len({i["id"] for i in before}) == len({i["url"] for i in before}) == 2


def test_a_draft_copy_above_a_published_record_leaves_its_article_as_it_is(
    site: Path, add_records: Callable[..., Path]
) -> None:
    story = {
        "title": "Live updates",
        "content_html": "<p>Polls close at eight.</p>",
        "date": "2024-02-20T08:00:00Z",
    }
    add_records("wire.json", [story])
    publish(site)
    (before,) = items(site)

    add_records("wire.json", [{**story, "status": "draft"}, story])
    report = publish(site, now=NOW + timedelta(hours=1))

    assert (report.added, report.retracted, report.unchanged) == (0, 0, 1)
    assert items(site) == [before]


def test_a_text_that_comes_back_beside_the_articles_it_became_never_overwrites_one(
    site: Path, add_records: Callable[..., Path]
) -> None:
    def weather(text: str) -> dict[str, Any]:
        return {"title": "Weather", "content_html": f"<p>{text}</p>"}

    for texts in (
        ["Sunny"],
        ["Rainy"],
        ["Rainy", "Sunny"],
        ["Rainy", "Cloudy"],
        ["Rainy", "Sunny", "Cloudy"],
    ):
        add_records("wire.json", [weather(t) for t in texts])
        publish(site)  # all on one day: the day is in every minted id

    published = items(site)
    assert sorted(i["content_text"] for i in published) == ["Cloudy", "Rainy", "Sunny"]
    assert len({i["id"] for i in published}) == len({i["url"] for i in published}) == 3


def test_an_editorial_inserted_a_chunk_away_from_the_one_published_never_takes_its_id(
    site: Path, add_records: Callable[..., Path], monkeypatch: Any
) -> None:
    # Records are planned a chunk at a time; here a chunk is two records, so the new
    # Editorial at the top and the published one at the bottom would be planned apart.
    monkeypatch.setattr("syndicator.matching.CHUNK", 2)
    briefs = [{"title": f"Brief {n}", "content_html": f"<p>Brief number {n}.</p>"} for n in range(3)]
    add_records("opinion.json", [*briefs, *editorials(("Monday", "the harbour"))])
    publish(site)
    (monday,) = ids_by_day(site)["Monday"]

    add_records(
        "opinion.json",
        [*editorials(("Wednesday", "the tolls")), *briefs, *editorials(("Monday", "the harbour"))],
    )
    report = publish(site, now=NOW + timedelta(hours=1))

    after = ids_by_day(site)
    assert after["Monday"] == {monday}  # Monday's article as readers have it
    assert monday not in after["Wednesday"]  # the new one has its own id
    assert (report.added, report.changed, report.duplicates) == (1, 0, ())


def chunks_planned(monkeypatch: Any, *, chunk: int, largest: int) -> list[int]:
    """Chunks of `chunk` records, `largest` at most; the list fills with each chunk's size as it is planned."""
    planned: list[int] = []
    real = publish_run.__globals__["decide"]

    def counting(articles: Any, *args: Any, **kwargs: Any) -> Any:
        planned.append(len(articles))
        return real(articles, *args, **kwargs)

    monkeypatch.setattr("syndicator.matching.CHUNK", chunk)
    monkeypatch.setattr("syndicator.matching.CHUNK_MAX", largest)
    monkeypatch.setattr("syndicator.pipeline.decide", counting)
    return planned


def test_a_file_past_the_largest_chunk_is_still_planned_a_chunk_at_a_time(
    site: Path, add_records: Callable[..., Path], monkeypatch: Any
) -> None:
    planned = chunks_planned(monkeypatch, chunk=2, largest=4)
    add_records(
        "briefs.json", [{"title": f"Brief {n}", "content_html": f"<p>Brief {n}.</p>"} for n in range(9)]
    )
    add_records(
        "ids.json", [{"id": f"p{n}", "title": f"Post {n}", "content_html": "<p>x</p>"} for n in range(5)]
    )
    publish(site)

    # briefs.json, list records without ids: kept together up to CHUNK_MAX, then cut; its
    # last record alone, so that ids.json begins a chunk; ids.json cut at CHUNK.
    assert planned == [4, 4, 1, 2, 2, 1]


def test_a_list_file_that_starts_inside_a_chunk_is_still_planned_whole(
    site: Path, add_records: Callable[..., Path], monkeypatch: Any
) -> None:
    # a.json (one record with an id) opens the chunk; opinion.json, four records, is
    # no larger than the largest chunk, so it is never cut.
    monkeypatch.setattr("syndicator.matching.CHUNK", 2)
    monkeypatch.setattr("syndicator.matching.CHUNK_MAX", 4)
    add_records("a.json", [{"id": "p0", "title": "Post", "content_html": "<p>x</p>"}])
    briefs = [{"title": f"Brief {n}", "content_html": f"<p>Brief number {n}.</p>"} for n in range(2)]
    add_records("opinion.json", [*briefs, *editorials(("Monday", "the harbour"))])
    publish(site)
    (monday,) = ids_by_day(site)["Monday"]

    add_records("a.json", [{"id": "p0", "title": "Post", "content_html": "<p>x, corrected</p>"}])
    add_records(
        "opinion.json",
        [*editorials(("Wednesday", "the tolls")), *briefs, *editorials(("Monday", "the harbour"))],
    )
    report = publish(site, now=NOW + timedelta(hours=1))

    after = ids_by_day(site)
    assert after["Monday"] == {monday}
    assert monday not in after["Wednesday"]
    assert (report.added, report.changed) == (1, 1)  # Wednesday, and a.json's post


def test_a_record_given_a_url_above_the_article_that_replaced_its_text_is_planned_beside_it(
    site: Path, add_records: Callable[..., Path], monkeypatch: Any
) -> None:
    monkeypatch.setattr("syndicator.matching.CHUNK", 2)

    def breaking(text: str, **more: Any) -> dict[str, Any]:
        return {"title": "Breaking", "content_html": f"<p>{text}</p>", **more}

    add_records("a.json", [{"id": "p0", "title": "Post", "content_html": "<p>x</p>"}])
    add_records("wire.json", [breaking("Developing story.")])
    publish(site)
    add_records("wire.json", [breaking("Fire downtown: full report.")])
    publish(site, now=NOW + timedelta(hours=1))
    (report_item,) = [i for i in items(site) if i["title"] == "Breaking"]

    # The older text put back on top with a URL of its own; the report below, as it was.
    add_records("a.json", [{"id": "p0", "title": "Post", "content_html": "<p>x, corrected</p>"}])
    add_records(
        "wire.json",
        [
            breaking("Developing story.", url="https://gazette.example/dev"),
            breaking("Fire downtown: full report."),
        ],
    )
    again = publish(site, now=NOW + timedelta(hours=2))

    by_text = {i["content_text"]: i for i in items(site)}
    assert by_text["Fire downtown: full report."] == report_item  # as readers have it
    assert (again.added, again.changed) == (1, 1)


def test_a_list_file_opening_with_records_with_ids_is_planned_whole(
    site: Path, add_records: Callable[..., Path], monkeypatch: Any
) -> None:
    # The draft (with an id) and the id-less copy below it are one file's records: planned
    # in two chunks, the copy took the draft's article back and kept it published.
    monkeypatch.setattr("syndicator.matching.CHUNK", 2)
    notice = {"title": "Notice", "content_html": "<p>Text A</p>"}
    url = "https://gazette.example/n"
    add_records("a.json", [{"id": "p0", "title": "Post", "content_html": "<p>x</p>"}])
    add_records("f.json", [notice])
    publish(site)
    add_records("f.json", [{**notice, "url": url}])
    publish(site, now=NOW + timedelta(hours=1))
    add_records("f.json", [{**notice, "id": "n1", "url": url}])
    publish(site, now=NOW + timedelta(hours=2))
    (article,) = [i["id"] for i in items(site) if i["content_text"] == "Text A"]

    add_records("a.json", [{"id": "p0", "title": "Post", "content_html": "<p>x, corrected</p>"}])
    add_records("f.json", [{**notice, "id": "n1", "url": url, "status": "draft"}, notice])
    report = publish(site, now=NOW + timedelta(hours=3))

    assert (report.added, report.changed) == (1, 1)
    assert article not in {i["id"] for i in items(site)}  # the draft is out of the feeds


def test_a_chunk_never_grows_past_its_largest_size(
    site: Path, add_records: Callable[..., Path], monkeypatch: Any
) -> None:
    planned = chunks_planned(monkeypatch, chunk=2, largest=4)
    add_records("a.json", [{"id": f"a{n}", "title": f"A {n}", "content_html": "<p>a</p>"} for n in range(3)])
    add_records("b.json", [{"title": f"B {n}", "content_html": f"<p>b {n}</p>"} for n in range(6)])
    add_records("c.json", [{"id": f"c{n}", "title": f"C {n}", "content_html": "<p>c</p>"} for n in range(3)])
    publish(site)

    # a.json (3 records, past CHUNK) is cut at CHUNK; its last record is planned alone when
    # b.json (6 records without ids, past CHUNK_MAX) fills the chunk, then b.json is cut at
    # CHUNK_MAX, and c.json begins a chunk of its own.
    assert planned == [2, 1, 4, 2, 2, 1]

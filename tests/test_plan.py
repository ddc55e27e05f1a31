"""The planner: what a run changes, as a pure function of the store, the articles and `now`.

Identity rules under test (RFC 4287 §4.2.6): an id a reader has seen never
changes, nor does its published date; `updated` moves only when content does.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from syndicator.articles import content_hash
from syndicator.model import Article, SourceRef
from syndicator.plan import Action, Decision, Plan, StoredArticle, article_keys, decide

UTC = ZoneInfo("UTC")
NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
FIRST_ID = "tag:news.example.org,2024-03-01:first"


def make_article(**changes: Any) -> Article:
    article = Article(
        id=FIRST_ID,
        url="https://news.example.org/monde/a",
        title="Un titre",
        summary="Un résumé.",
        content_html="<p>Un texte.</p>",
        authors=(),
        published=None,
        updated=None,
        language="fr",
        categories=(),
        tags=(),
        related=(),
        image=None,
        source=SourceRef("directory", "export.json: record 0"),
        source_id="42",
    )
    return replace(article, **changes)


def remember(plan: Plan, *, retracted: bool = False) -> dict[str, StoredArticle]:
    """What a store would know after applying `plan` (the store itself is tested elsewhere)."""
    known: dict[str, StoredArticle] = {}
    for d in plan.decisions:
        if d.action in (Action.ADDED, Action.CHANGED, Action.RETRACTED):
            assert d.article.published is not None
            stored = StoredArticle(
                id=d.article.id,
                published=d.article.published,
                updated=d.article.updated,
                first_seen=NOW,
                content_hash=d.content_hash,
                retracted=retracted or d.action is Action.RETRACTED,
            )
            for key in d.keys:
                known.setdefault(key, stored)
    return known


def only(plan: Plan) -> Decision:
    [decision] = plan.decisions
    return decision


def first_run(article: Article | None = None) -> dict[str, StoredArticle]:
    return remember(decide([article or make_article()], {}, now=NOW))


# -- new articles ----------------------------------------------------------------------


def test_new_article_is_added_with_published_now_when_it_has_no_date() -> None:
    d = only(decide([make_article()], {}, now=NOW))
    assert d.action is Action.ADDED
    assert d.article.published == NOW
    assert d.article.id == FIRST_ID
    assert d.keys == article_keys(make_article())
    assert d.content_hash == content_hash(make_article())


def test_new_article_keeps_its_own_published_date() -> None:
    published = NOW - timedelta(days=2)
    d = only(decide([make_article(published=published)], {}, now=NOW))
    assert (d.action, d.article.published) == (Action.ADDED, published)


def test_draft_is_held() -> None:
    d = only(decide([make_article(status="draft")], {}, now=NOW))
    assert d.action is Action.HELD
    assert d.keys == ()


def test_future_dated_article_is_held_until_its_date() -> None:
    embargoed = make_article(published=LATER)
    assert only(decide([embargoed], {}, now=NOW)).action is Action.HELD
    assert only(decide([embargoed], {}, now=LATER)).action is Action.ADDED


def test_publish_synonyms_are_visible() -> None:
    for status in ("published", "publish", "Public", "LIVE"):
        assert only(decide([make_article(status=status)], {}, now=NOW)).action is Action.ADDED


# -- the same article on a later run --------------------------------------------------------


def test_same_article_again_is_unchanged_with_the_stored_id_and_published() -> None:
    known = first_run()
    again = make_article(id="tag:news.example.org,2024-03-02:minted-again")
    d = only(decide([again], known, now=LATER))
    assert d.action is Action.UNCHANGED
    assert d.article.id == FIRST_ID
    assert d.article.published == NOW
    assert not decide([again], known, now=LATER).changes_store


def test_edited_content_is_changed_with_same_id_and_published_and_updated_now() -> None:
    known = first_run()
    edited = make_article(id="tag:other", content_html="<p>Un texte corrigé.</p>")
    d = only(decide([edited], known, now=LATER))
    assert d.action is Action.CHANGED
    assert (d.article.id, d.article.published, d.article.updated) == (FIRST_ID, NOW, LATER)
    assert d.updated_moved


def test_edit_with_its_own_modified_date_uses_that_date() -> None:
    known = first_run()
    modified = NOW + timedelta(minutes=10)
    d = only(decide([make_article(title="Corrigé", updated=modified)], known, now=LATER))
    assert (d.action, d.article.updated) == (Action.CHANGED, modified)


def test_updated_never_goes_back_when_the_record_states_an_earlier_modified_date() -> None:
    # An edit without a modified date of its own was dated by the run (LATER);
    # the next edit states one between publication and that run.
    known = remember(decide([make_article(title="Corrigé")], first_run(), now=LATER))
    stated = NOW + timedelta(minutes=30)

    d = only(
        decide([make_article(title="Corrigé encore", updated=stated)], known, now=LATER + timedelta(hours=1))
    )

    assert (d.action, d.article.updated) == (Action.CHANGED, LATER + timedelta(hours=1))


def test_updated_never_goes_back_behind_a_modified_date_stated_in_the_future() -> None:
    ahead = LATER + timedelta(days=2)  # a CMS clock running ahead
    known = remember(decide([make_article(title="Corrigé", updated=ahead)], first_run(), now=LATER))

    d = only(decide([make_article(title="Corrigé encore")], known, now=LATER + timedelta(hours=1)))

    assert d.article.updated == ahead


def test_modified_date_alone_does_not_move_updated() -> None:
    known = first_run()
    d = only(decide([make_article(updated=LATER)], known, now=LATER))
    assert d.action is Action.UNCHANGED
    assert d.article.updated is None


def test_new_published_date_in_the_record_does_not_change_what_readers_saw() -> None:
    known = first_run()
    d = only(decide([make_article(published=NOW - timedelta(days=30))], known, now=LATER))
    assert d.article.published == NOW


def test_url_corrected_keeps_the_id_when_the_source_id_is_the_same() -> None:
    known = first_run()
    corrected = make_article(id="tag:new", url="https://news.example.org/monde/a-corrige")
    d = only(decide([corrected], known, now=LATER))
    assert d.action is Action.CHANGED  # the URL is content readers follow
    assert d.article.id == FIRST_ID
    assert d.article.url == "https://news.example.org/monde/a-corrige"


def test_moved_to_another_file_keeps_the_id_by_source_id() -> None:
    known = first_run()
    moved = make_article(id="tag:new", source=SourceRef("directory", "b.json: record 7"))
    d = only(decide([moved], known, now=LATER))
    assert (d.action, d.article.id) == (Action.UNCHANGED, FIRST_ID)
    assert "ref:b.json: record 7" in d.keys


def test_moved_to_another_file_keeps_the_id_by_url() -> None:
    known = first_run(make_article(source_id=None))
    moved = make_article(id="tag:new", source_id=None, source=SourceRef("directory", "b.json"))
    assert only(decide([moved], known, now=LATER)).article.id == FIRST_ID


def test_undated_record_without_id_or_url_is_recognised_by_its_file() -> None:
    scraped = make_article(
        source_id=None,
        url="https://news.example.org/un-titre",
        url_inferred=True,
        source=SourceRef("directory", "scraped/001.txt"),
    )
    known = first_run(scraped)
    retitled = replace(
        scraped, id="tag:new", title="Un titre corrigé", url="https://news.example.org/un-titre-corrige"
    )
    d = only(decide([retitled], known, now=LATER))
    assert (d.action, d.article.id, d.article.published) == (Action.CHANGED, FIRST_ID, NOW)


def test_record_inserted_before_a_known_one_does_not_take_its_id() -> None:
    old = make_article(source_id=None)
    known = first_run(old)
    inserted = make_article(
        id="tag:new",
        source_id=None,
        url="https://news.example.org/monde/new",
        source=SourceRef("directory", "export.json: record 0"),
    )
    shifted = replace(old, source=SourceRef("directory", "export.json: record 1"))
    plan = decide([inserted, shifted], known, now=LATER)
    assert [d.action for d in plan.decisions] == [Action.ADDED, Action.UNCHANGED]
    assert plan.decisions[0].article.id == "tag:new"
    assert plan.decisions[1].article.id == FIRST_ID


def test_unknown_source_id_at_a_known_position_is_a_new_article() -> None:
    known = first_run()
    replaced = make_article(id="tag:new", source_id="43", url="https://news.example.org/b")
    d = only(decide([replaced], known, now=LATER))
    assert (d.action, d.article.id, d.article.published) == (Action.ADDED, "tag:new", LATER)


def test_hash_of_another_version_is_resaved_without_moving_updated() -> None:
    known = {k: replace(v, content_hash="v0:old") for k, v in first_run().items()}
    d = only(decide([make_article()], known, now=LATER))
    assert d.action is Action.CHANGED
    assert not d.updated_moved
    assert d.article.updated is None


# -- duplicates within a run ---------------------------------------------------------------


def test_same_source_id_in_two_files_first_wins() -> None:
    a = make_article(source=SourceRef("directory", "a.json"))
    b = make_article(id="tag:b", url="https://news.example.org/b", source=SourceRef("directory", "b.json"))
    plan = decide([a, b], {}, now=NOW)
    assert [d.action for d in plan.decisions] == [Action.ADDED, Action.DUPLICATE]
    assert plan.decisions[1].detail == "same article as a.json"
    assert plan.decisions[1].keys == ()


def test_same_url_in_two_files_first_wins() -> None:
    a = make_article(source_id=None, source=SourceRef("directory", "a.json"))
    b = make_article(id="tag:b", source_id=None, source=SourceRef("directory", "b.json"))
    assert [d.action for d in decide([a, b], {}, now=NOW).decisions] == [
        Action.ADDED,
        Action.DUPLICATE,
    ]


def test_two_records_of_one_stored_article_first_wins() -> None:
    known = first_run()
    by_id = make_article(source=SourceRef("directory", "a.json"), url="https://e.org/other")
    by_url = make_article(id="tag:b", source_id=None, source=SourceRef("directory", "b.json"))
    plan = decide([by_id, by_url], known, now=LATER)
    assert [d.action for d in plan.decisions] == [Action.CHANGED, Action.DUPLICATE]


def test_different_articles_are_not_duplicates() -> None:
    a = make_article(source=SourceRef("directory", "a.json"))
    b = make_article(
        id="tag:b", source_id="43", url="https://e.org/b", source=SourceRef("directory", "b.json")
    )
    assert [d.action for d in decide([a, b], {}, now=NOW).decisions] == [Action.ADDED, Action.ADDED]


# -- retraction --------------------------------------------------------------------------


def test_stored_article_now_a_draft_is_retracted() -> None:
    known = first_run()
    d = only(decide([make_article(status="draft")], known, now=LATER))
    assert d.action is Action.RETRACTED
    assert (d.article.id, d.article.published) == (FIRST_ID, NOW)
    assert decide([make_article(status="draft")], known, now=LATER).changes_store


def test_retracted_article_still_a_draft_is_unchanged() -> None:
    known = remember(decide([make_article()], {}, now=NOW), retracted=True)
    assert only(decide([make_article(status="private")], known, now=LATER)).action is Action.UNCHANGED


def test_retracted_article_published_again_comes_back_as_changed() -> None:
    known = remember(decide([make_article()], {}, now=NOW), retracted=True)
    d = only(decide([make_article()], known, now=LATER))
    assert (d.action, d.article.id, d.article.updated) == (Action.CHANGED, FIRST_ID, LATER)


# -- the plan ----------------------------------------------------------------------------


def test_decisions_follow_input_order_and_are_grouped_by_action() -> None:
    articles = [
        make_article(source_id=str(n), url=f"https://e.org/{n}", status="draft" if n % 2 else "published")
        for n in range(4)
    ]
    plan = decide(articles, {}, now=NOW)
    assert [d.article.source_id for d in plan.decisions] == ["0", "1", "2", "3"]
    assert [d.article.source_id for d in plan.of(Action.HELD)] == ["1", "3"]
    assert [d.article.source_id for d in plan.of(Action.ADDED)] == ["0", "2"]


def test_deciding_is_pure() -> None:
    known = first_run()
    articles = [make_article(title="Corrigé"), make_article(source_id="7", url="https://e.org/7")]
    assert decide(articles, known, now=LATER) == decide(articles, known, now=LATER)


def test_empty_run_changes_nothing() -> None:
    assert decide([], first_run(), now=LATER) == Plan(())
    assert not Plan(()).changes_store


def test_the_normalizers_hash_of_an_article_is_the_one_decided_with() -> None:
    article = make_article()
    d = only(decide([article], {}, now=NOW, hashes=[content_hash(article)]))
    assert d.content_hash == content_hash(article) == content_hash(d.article)


def test_an_article_given_back_its_stored_url_is_hashed_again_not_taken_as_given() -> None:
    scraped = make_article(
        source_id=None,
        url="https://news.example.org/un-titre",
        url_inferred=True,
        source=SourceRef("directory", "scraped/001.txt"),
    )
    known = {k: replace(v, url=scraped.url) for k, v in first_run(scraped).items()}
    retitled = replace(
        scraped, id="tag:new", title="Un titre corrigé", url="https://news.example.org/un-titre-corrige"
    )
    d = only(decide([retitled], known, now=LATER, hashes=[content_hash(retitled)]))
    assert d.article.url == "https://news.example.org/un-titre"  # the URL readers have seen
    assert d.content_hash == content_hash(d.article) != content_hash(retitled)

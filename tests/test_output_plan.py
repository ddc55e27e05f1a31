"""The output plan as rules: which documents a run renders, from values alone (no store, no files)."""

from __future__ import annotations

from dataclasses import replace

from syndicator.output_plan import OutputState, archive_pages_to_render, plan_output

# A site written last run with this configuration: 3 full archive pages of 10, 5 more articles.
WRITTEN = OutputState(
    fingerprint="f1",
    rendered_with="f1",
    render_pending=False,
    marks=frozenset(),
    archive_marks=frozenset(),
    archive_count=35,
    archive_page_size=10,
    files_present=True,
    archive_present=True,
    folders=frozenset(
        {"categories/world", "categories/économie", "tags/paris", "languages/en", "languages/fr"}
    ),
)


def test_nothing_changed_renders_nothing() -> None:
    assert not plan_output(WRITTEN).render


def test_nothing_read_renders_nothing_even_when_articles_are_marked() -> None:
    state = replace(WRITTEN, render_pending=True, marks=frozenset({"world"}), nothing_read=True)
    assert not plan_output(state).render


def test_a_new_configuration_renders_every_feed_and_every_archive_page() -> None:
    plan = plan_output(replace(WRITTEN, fingerprint="f2"))
    assert plan.render and plan.every_feed and plan.archive_pages is None
    assert plan.renders("tags/anything") and plan.renders("categories/world")


def test_full_a_missing_file_or_a_store_marking_everything_renders_every_feed() -> None:
    for state in (
        replace(WRITTEN, full=True),
        replace(WRITTEN, files_present=False),
        replace(WRITTEN, render_pending=True, marks=frozenset({"*"})),
    ):
        assert plan_output(state).every_feed


def test_one_changed_article_renders_the_main_feed_and_only_the_feeds_that_hold_it() -> None:
    state = replace(
        WRITTEN,
        render_pending=True,
        marks=frozenset({"world", "tag:Paris", "author:Jeanne Martin", "language:fr"}),
        archive_marks=frozenset({33}),  # in the page not yet full
    )
    plan = plan_output(state)
    assert plan.render and not plan.every_feed
    assert plan.renders("")
    assert plan.renders("categories/world") and not plan.renders("categories/économie")
    assert (
        plan.renders("tags/paris") and plan.renders("authors/jeanne-martin") and plan.renders("languages/fr")
    )
    assert not plan.renders("languages/en")
    assert plan.archive_pages == frozenset()  # no full page holds it
    assert plan.clear_archive_marks == frozenset()  # its page is not written yet: the mark stays


def test_tag_names_of_one_slug_are_one_feed() -> None:
    plan = plan_output(replace(WRITTEN, render_pending=True, marks=frozenset({"tag:PARIS"})))
    assert plan.renders("tags/paris")


def test_a_selection_feed_missing_on_disk_is_written_whatever_the_marks() -> None:
    # The site had one language (no language feeds); a German article arrives:
    # the English feed, never written, is written too.
    state = replace(WRITTEN, render_pending=True, marks=frozenset({"language:de"}), folders=frozenset())
    plan = plan_output(state)
    assert plan.renders("languages/de") and plan.renders("languages/en")
    assert not plan.renders("categories/world")  # its folder is known through files_present


def test_an_edit_in_a_full_archive_page_renders_that_page_and_clears_its_mark() -> None:
    plan = plan_output(replace(WRITTEN, render_pending=True, archive_marks=frozenset({4, 12})))
    assert plan.archive_pages == frozenset({0, 1})
    assert plan.clear_archive_marks == frozenset({4, 12})


def test_a_page_that_has_just_filled_up_renders_the_page_before_it_for_its_next_archive_link() -> None:
    plan = plan_output(replace(WRITTEN, render_pending=True, archive_marks=frozenset({29})))
    assert plan.archive_pages == frozenset({1, 2})


def test_a_missing_archive_folder_renders_every_full_page() -> None:
    plan = plan_output(replace(WRITTEN, render_pending=True, archive_present=False))
    assert plan.archive_pages == frozenset({0, 1, 2})


def test_a_category_renders_the_archive_pages_holding_a_changed_place_and_the_one_before_a_filled_page() -> (
    None
):
    # 10 places a page, 35 places handed out: pages 0, 1, 2 are full.
    assert archive_pages_to_render(frozenset({12}), 35, 10, every=False) == [1]
    assert archive_pages_to_render(frozenset({31, 33}), 35, 10, every=False) == []  # not full yet
    assert archive_pages_to_render(frozenset({29}), 30, 10, every=False) == [1, 2]  # page 2 just filled
    assert archive_pages_to_render(frozenset(), 35, 10, every=True) == [0, 1, 2]

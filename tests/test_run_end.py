"""The run-end plan, as rules: which articles are gone from their source, which
are retracted, which files are read again. No store, no files: values in, a
plan out."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from syndicator.model import Rejection
from syndicator.run_end import (
    FileLedger,
    RunEnd,
    StoredPlace,
    complete_sources,
    decide_run_end,
    file_ledger,
    files_to_check,
    files_to_reread,
    memory_update,
    rejections_by_file,
    sources_to_scan,
)
from syndicator.sources.memory import (
    FileSeen,
    FileState,
    HttpValidators,
    SourceMemory,
    ValidatorsSeen,
    learn,
    read_again,
)


def at(name: str) -> tuple[str, str]:
    source, _, path = name.partition("/")
    return source, path


def ledger(known: Iterable[str] = (), seen: Iterable[str] = (), unchanged: Iterable[str] = ()) -> FileLedger:
    return FileLedger(frozenset(map(at, known)), frozenset(map(at, seen)), frozenset(map(at, unchanged)))


def decide(files: FileLedger, stored: dict[str, str], *, removed: str = "keep", **kwargs: Any) -> RunEnd:
    places = [StoredPlace(aid, *at(where)) for aid, where in stored.items()]
    options: dict[str, Any] = {"present": frozenset(), "reread": (), "protected": frozenset(), **kwargs}
    return decide_run_end(complete=("wire",), ledger=files, stored=places, removed=removed, **options)


def test_an_article_whose_file_disappeared_is_gone() -> None:
    files = ledger(known={"wire/a.json", "wire/b.json"}, seen={"wire/a.json"})

    end = decide(files, {"1": "wire/a.json", "2": "wire/b.json"}, present=frozenset({"1"}))

    assert end.gone == ("2",)


def test_an_article_whose_file_was_read_again_without_it_is_gone() -> None:
    end = decide(ledger(known={"wire/a.json"}, seen={"wire/a.json"}), {"1": "wire/a.json"})

    assert end.gone == ("1",)


def test_an_article_still_in_a_source_is_not_gone_even_from_another_file() -> None:
    end = decide(
        ledger(known={"wire/a.json"}, seen={"wire/b.json"}), {"1": "wire/a.json"}, present=frozenset({"1"})
    )

    assert end.gone == ()


def test_a_file_skipped_as_unchanged_still_holds_its_articles() -> None:
    files = ledger(known={"wire/a.json"}, seen={"wire/a.json"}, unchanged={"wire/a.json"})

    assert decide(files, {"1": "wire/a.json"}).gone == ()


def test_a_file_holding_a_rejected_record_protects_its_articles() -> None:
    files = ledger(known={"wire/a.json"}, seen={"wire/a.json"})

    end = decide(files, {"1": "wire/a.json"}, protected=frozenset({"wire/a.json"}))

    assert end.gone == ()


def test_gone_articles_are_retracted_only_when_the_site_says_so() -> None:
    files = ledger(known={"wire/a.json"}, seen=set())

    assert decide(files, {"1": "wire/a.json"}).retract == ()
    assert decide(files, {"1": "wire/a.json"}, removed="retract").retract == ("1",)


def test_files_to_read_again_are_listed_once_in_order() -> None:
    end = decide(ledger(), {}, reread=[("wire", "b.json"), ("wire", "a.json"), ("wire", "b.json")])

    assert end.reread == (("wire", "a.json"), ("wire", "b.json"))


def test_a_failed_source_is_not_complete_so_nothing_of_it_is_gone() -> None:
    assert complete_sources(["wire", "cms"], failed=["cms"]) == ("wire",)


def test_a_source_whose_files_are_all_untouched_is_not_even_scanned() -> None:
    quiet = ledger(known={"wire/a.json"}, seen={"wire/a.json"}, unchanged={"wire/a.json"})
    busy = ledger(known={"wire/a.json"}, seen={"wire/a.json"})
    emptied = ledger(known={"wire/a.json"}, seen=set())

    assert sources_to_scan(["wire"], quiet) == ()
    assert sources_to_scan(["wire"], busy) == ("wire",)
    assert sources_to_scan(["wire"], emptied) == ("wire",)


# -- what the sources remember for the next run --------------------------------------------

OLD = FileState(10, 1, "old", "fp")
NEW = FileState(12, 2, "new", "fp")


def remembered(*names: str) -> SourceMemory:
    return SourceMemory("fp", files={at(name): OLD for name in names})


def end_of(complete: tuple[str, ...] = ("wire",), reread: tuple[str, ...] = ()) -> RunEnd:
    return RunEnd(complete_sources=complete, reread=tuple(map(at, reread)), gone=(), retract=())


def test_what_the_sources_told_is_what_the_next_run_remembers() -> None:
    told = learn(
        [
            FileSeen("wire", "a.json", NEW, unchanged=False),
            FileSeen("wire", "b.json", None, unchanged=True),
            ValidatorsSeen("https://a.example/feed", HttpValidators("fp|v1", None)),
        ]
    )

    update = memory_update(remembered("wire/a.json", "wire/b.json"), told, end_of())

    assert dict(update.files) == {("wire", "a.json"): NEW}  # b.json keeps its stamp as it is
    assert update.forget == frozenset()
    assert dict(update.http) == {"https://a.example/feed": HttpValidators("fp|v1", None)}


def test_a_file_gone_from_a_source_read_completely_is_forgotten() -> None:
    told = learn([FileSeen("wire", "a.json", None, unchanged=True)])

    update = memory_update(remembered("wire/a.json", "wire/b.json"), told, end_of())

    assert update.forget == {("wire", "b.json")}


def test_a_source_that_failed_keeps_the_stamps_of_the_files_it_did_not_reach() -> None:
    told = learn([FileSeen("wire", "a.json", NEW, unchanged=False)])

    update = memory_update(remembered("wire/a.json", "wire/b.json"), told, end_of(complete=()))

    assert update.forget == frozenset()
    assert dict(update.files) == {("wire", "a.json"): NEW}


def test_a_file_to_read_again_keeps_a_stamp_no_file_has() -> None:
    told = learn([FileSeen("wire", "a.json", NEW, unchanged=False)])

    update = memory_update(remembered("wire/a.json"), told, end_of(reread=("wire/a.json",)))

    # Still known (its going is noticed), never skipped as unchanged.
    assert dict(update.files) == {at("wire/a.json"): read_again(NEW)}
    assert read_again(NEW) not in (NEW, OLD) and read_again(NEW).fingerprint == NEW.fingerprint
    assert update.forget == frozenset()


def test_a_file_kept_to_be_read_again_that_is_gone_makes_its_source_scanned() -> None:
    # The run after: the file with the embargoed (or duplicate) record was deleted,
    # every other file of the source is untouched.
    files = {at("wire/a.json"): OLD, at("wire/e.json"): read_again(NEW)}
    after = learn([FileSeen("wire", "a.json", None, unchanged=True)])

    scanned = sources_to_scan(("wire",), file_ledger(SourceMemory("fp", files=files), after))

    assert scanned == ("wire",)


def refused(ref: str, *, lasting: bool = True) -> Rejection:
    return Rejection("wire", ref, "", "/title", "empty", ref=ref, lasting=lasting)


def located(ref: str) -> tuple[str, str] | None:
    return None if "://" in ref else at(ref.split("#")[0])


def test_only_a_rejection_the_bytes_do_not_decide_sends_its_file_to_be_read_again() -> None:
    rejections = [refused("wire/a.jsonl#1"), refused("wire/b.jsonl#4", lasting=False), refused("https://x/")]

    assert files_to_reread(rejections, located) == {("wire", "b.jsonl")}


def test_lasting_rejections_are_grouped_by_file_in_the_order_they_came() -> None:
    rejections = [refused("wire/a.jsonl#3"), refused("wire/b.jsonl#1"), refused("wire/a.jsonl#1")]
    rejections += [refused("wire/c.jsonl#2", lasting=False), refused("https://x/feed")]

    assert dict(rejections_by_file(rejections, located)) == {
        ("wire", "a.jsonl"): (rejections[0], rejections[2]),
        ("wire", "b.jsonl"): (rejections[1],),
    }


def test_a_file_read_this_run_keeps_exactly_the_rejections_it_gave() -> None:
    told = learn(
        [
            FileSeen("wire", "a.json", NEW, unchanged=False),  # read: one rejection now
            FileSeen("wire", "b.json", NEW, unchanged=False),  # read: none now, what it had is cleared
            FileSeen("wire", "c.json", None, unchanged=True),  # skipped: keeps what it had
            FileSeen("wire", "d.json", NEW, unchanged=False),  # read, but to be read again: none kept
        ]
    )
    rejection = refused("wire/a.json")
    given = {at("wire/a.json"): (rejection,), at("wire/d.json"): (refused("wire/d.json"),)}

    update = memory_update(remembered("wire/c.json"), told, end_of(reread=("wire/d.json",)), given)

    assert dict(update.rejected) == {
        at("wire/a.json"): (rejection,),
        at("wire/b.json"): (),
        at("wire/d.json"): (),
    }
    assert update.forget == frozenset() and update.files[at("wire/d.json")] == read_again(NEW)


def test_the_ledger_is_what_the_store_knew_and_what_the_sources_told() -> None:
    told = learn([FileSeen("wire", "a.json", None, unchanged=True), FileSeen("wire", "c.json", NEW, False)])

    files = file_ledger(remembered("wire/a.json", "wire/b.json"), told)

    assert files == ledger(
        known={"wire/a.json", "wire/b.json"}, seen={"wire/a.json", "wire/c.json"}, unchanged={"wire/a.json"}
    )
    assert files.read == {("wire", "c.json")}


def test_only_the_files_read_again_or_gone_are_looked_at_for_gone_articles() -> None:
    files = ledger(
        known=["wire/a.json", "wire/b.json", "wire/c.json"],
        seen=["wire/a.json", "wire/b.json"],
        unchanged=["wire/a.json"],
    )
    stored = [at("wire/a.json"), at("wire/b.json"), at("wire/c.json"), ("wire", None)]
    # a.json skipped as unchanged holds what it held; b.json was read again; c.json is gone;
    # an article from a URL has no file to go by.
    assert files_to_check(stored, files) == [at("wire/b.json"), at("wire/c.json"), ("wire", None)]

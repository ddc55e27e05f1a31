"""Render alone: syndicator's renderers beside the serialization floor and plain feedgen.

    python bench/render_bench.py SITE/syndicator.toml REPEATS [PROFILE.txt]   # prints JSON

Reads the FeedDocuments once from the site's store (the main feed and every
category feed, newest 50 each), then, in each repeat, renders all of them with
each contender in turn, so each ratio compares runs made seconds apart.
Timings are process CPU-bound wall time (perf_counter) summed over documents.

What more than one format reads of an article and works out once for all
of them (its values checked and cleaned, its body scanned for XML
characters, its dates spelt: `_values.prepared`, kept on the article) is
forgotten before each repeat and timed as `prepare`, before the formats: it
is paid once per article however many formats are written, so it belongs to
no one format, and `syndicator_over_floor_all_prepared` counts it with the
formats. What one format alone works out (JSON Feed's content_text) is
forgotten too and counted in that format's time.

With PROFILE.txt, one more pass (preparation and the three formats, the
articles' memo forgotten first) runs under cProfile, and its top functions
by cumulative and by own time are written there.
"""

from __future__ import annotations

import cProfile
import gc
import io
import json
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import floor

from syndicator.config import load_config
from syndicator.model import FeedDocument
from syndicator.render import FORMATS
from syndicator.store import SQLiteStore

try:
    from syndicator.render.fragments import Fragments, assemble
except ImportError:  # before fragments
    Fragments, assemble = None, None  # type: ignore[assignment,misc]
try:
    from syndicator.render._values import forget
    from syndicator.render._values import prepared as prepare
except ImportError:  # before the per-article memo
    prepare = None  # type: ignore[assignment]

    def forget() -> None:
        pass


try:
    from syndicator.output_documents import feed_documents
except ImportError:  # older layout: everything in pipeline.py
    from syndicator.pipeline import feed_documents


def _time(render: Callable[[FeedDocument], bytes], docs: list[FeedDocument]) -> tuple[float, int]:
    gc.collect()
    size = 0
    start = time.perf_counter()
    for doc in docs:
        size += len(render(doc))
    return time.perf_counter() - start, size


def main() -> None:
    config = load_config(Path(sys.argv[1]))
    repeats = int(sys.argv[2])
    store_path = config.state_directory / "state.sqlite3"  # not the fragment cache beside it
    start = time.perf_counter()
    with SQLiteStore(store_path) as store:
        docs = feed_documents(config, store)
    read_s = time.perf_counter() - start
    contenders: dict[str, Callable[[FeedDocument], bytes]] = {}
    for fmt in ("rss", "atom", "json"):
        contenders[f"syndicator_{fmt}"] = FORMATS[fmt].render
        if assemble is not None:
            # Every item's fragment already rendered (a run after the first): what a feed
            # costs when it is assembled, not rendered.
            cache = Fragments()
            for doc in docs:
                assemble(FORMATS[fmt], doc, cache, persist=True)
            contenders[f"fragments_{fmt}"] = partial(assemble, FORMATS[fmt], cache=cache, persist=True)
        contenders[f"floor_{fmt}"] = floor.FLOOR[fmt]
        if fmt in floor.FEEDGEN:
            contenders[f"feedgen_{fmt}"] = floor.FEEDGEN[fmt]
    times: dict[str, list[float]] = {name: [] for name in contenders}
    sizes: dict[str, int] = {}
    ratios: dict[str, list[float]] = {}
    articles = [a for doc in docs for a in doc.articles]
    if prepare is not None:
        times["prepare"] = []
    for _ in range(repeats):
        this: dict[str, float] = {}
        if prepare is not None:
            forget()
            gc.collect()
            start = time.perf_counter()
            for a in articles:
                prepare(a)
            this["prepare"] = time.perf_counter() - start
            times["prepare"].append(this["prepare"])
        for name, render in contenders.items():
            this[name], sizes[name] = _time(render, docs)
            times[name].append(this[name])
        synd = sum(this[f"syndicator_{f}"] for f in ("rss", "atom", "json"))
        flo = sum(this[f"floor_{f}"] for f in ("rss", "atom", "json"))
        xml_synd = this["syndicator_rss"] + this["syndicator_atom"]
        pairs = {
            "syndicator_over_floor_all": synd / flo,
            "syndicator_over_floor_all_prepared": (synd + this.get("prepare", 0.0)) / flo,
            "syndicator_over_feedgen_rss_atom": xml_synd / (this["feedgen_rss"] + this["feedgen_atom"]),
        }
        for fmt in ("rss", "atom", "json"):
            pairs[f"syndicator_over_floor_{fmt}"] = this[f"syndicator_{fmt}"] / this[f"floor_{fmt}"]
            if f"fragments_{fmt}" in this:
                pairs[f"fragments_over_floor_{fmt}"] = this[f"fragments_{fmt}"] / this[f"floor_{fmt}"]
        for fmt in ("rss", "atom"):
            pairs[f"syndicator_over_feedgen_{fmt}"] = this[f"syndicator_{fmt}"] / this[f"feedgen_{fmt}"]
        for key, value in pairs.items():
            ratios.setdefault(key, []).append(value)

    def summary(values: list[float]) -> dict[str, Any]:
        return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}

    if len(sys.argv) > 3:
        profile(docs, Path(sys.argv[3]))
    print(
        json.dumps(
            {
                "documents": len(docs),
                "items": sum(len(d.articles) for d in docs),
                "store_read_s": read_s,
                "json_lib": floor.JSON_LIB,
                "seconds": {k: summary(v) for k, v in times.items()},
                "bytes": sizes,
                "ratios": {k: summary(v) for k, v in ratios.items()},
            }
        )
    )


def profile(docs: Sequence[FeedDocument], out: Path) -> None:
    """One cold pass of the three formats under cProfile, its top functions written to `out`."""
    forget()
    profiler = cProfile.Profile()
    profiler.enable()
    for fmt in ("rss", "atom", "json"):
        for doc in docs:
            FORMATS[fmt].render(doc)
    profiler.disable()
    text = io.StringIO()
    text.write(f"# cProfile of one cold whole-feed render: {len(docs)} feeds in rss, atom and json\n")
    text.write(f"# python bench/render_bench.py {sys.argv[1]} {sys.argv[2]} {sys.argv[3]}\n\n")
    for order in ("cumulative", "tottime"):
        pstats.Stats(profiler, stream=text).sort_stats(order).print_stats(30)
    repo = str(Path(__file__).resolve().parents[1]) + "/"
    out.write_text(text.getvalue().replace(repo, ""), encoding="utf-8")


if __name__ == "__main__":
    main()

"""results.md from results.json, and the profile text files next to them.

python bench/tables.py bench/results/results.json > bench/results/results.md
"""

from __future__ import annotations

import io
import json
import pstats
import sys
from pathlib import Path
from typing import Any

from measure import fmt

STAGES = ("intake", "normalize", "validate", "store", "render", "write", "write_wait")
# Where each stage's code lives, to cut a whole-run profile down to one stage.
STAGE_FILTER = {
    "intake": r"syndicator/sources/|intake\.py|encoding\.py",
    "normalize": r"syndicator/normalize/|ftfy/|nh3|langid",
    "validate": r"validate\.py|jsonschema|referencing",
    "store": r"syndicator/store|plan\.py|sqlite3",
    "render": r"syndicator/render/|feedgen/|output\.py",
    "write": r"write\.py",
}


def write_profiles(prof: Path, out: Path, n: int, dominant: str) -> dict[str, Any]:
    """Top 30 by cumulative time: the whole run, and the dominant stage's own code."""
    files: dict[str, Any] = {"dominant_stage": dominant}
    for name, restriction in (("publish", None), (dominant, STAGE_FILTER[dominant])):
        buf = io.StringIO()
        stats = pstats.Stats(str(prof), stream=buf)
        if restriction:  # matched against full paths, so folder names count
            stats.sort_stats("cumulative").print_stats(restriction, 30)
        else:
            stats.strip_dirs().sort_stats("cumulative").print_stats(30)
        path = out / f"profile-{name}-{n}.txt"
        header = f"cProfile of a cold publish of {n} records, top 30 by cumulative time"
        if restriction:
            header += f", only functions matching {restriction!r} (the {dominant} stage)"
        path.write_text(header + "\n" + buf.getvalue(), encoding="utf-8")
        files[name] = path.name
    buf = io.StringIO()
    pstats.Stats(str(prof), stream=buf).strip_dirs().sort_stats("tottime").print_stats(30)
    (out / f"profile-tottime-{n}.txt").write_text(
        f"cProfile of a cold publish of {n} records, top 30 by own time\n" + buf.getvalue(), encoding="utf-8"
    )
    files["tottime"] = f"profile-tottime-{n}.txt"
    return files


def _get(d: dict[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return {}
        d = d[key]
    return d


def _med(d: dict[str, Any], *path: str) -> float | None:
    value = _get(d, *path)
    return value.get("median") if isinstance(value, dict) and value.get("n") else None


def markdown(r: dict[str, Any]) -> str:
    m, v = r.get("machine", {}), r.get("versions", {})
    lines = [
        "# syndicator benchmarks",
        "",
        f"Run {r.get('date')} ({r.get('plan', {}).get('mode')} mode, {r.get('total_seconds')} s in all).",
        f"Machine: {m.get('nproc')} CPUs ({m.get('cpu')}), {m.get('ram_gb')} GB RAM, "
        f"Linux {m.get('kernel')}, Python {m.get('python')}.",
        "Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()) + ".",
        "",
        "Cells are median (min–max) over the runs made; `(1 run)` where only one fit the time budget.",
        "",
        "## Cold publish",
        "",
        "| records | wall | records/s | peak RSS | " + " | ".join(STAGES) + " |",
        "|---:|---:|---:|---:|" + "---:|" * len(STAGES),
    ]
    for n, c in r.get("cold", {}).items():
        cells = [fmt(c.get("wall_s", {}), " s"), fmt(c.get("records_per_s", {}), "", 0),
                 fmt(c.get("peak_rss_mb", {}), " MB", 0)]  # fmt: skip
        cells += [fmt(c.get(f"stage_{s}_s", {}), " s") for s in STAGES]
        lines.append(f"| {int(n):,} | " + " | ".join(cells) + " |")
    inc = r.get("incremental", {})
    if inc:
        lines += ["", f"## On the {inc.get('size', 0):,}-record store", "",
                  "| run | wall | peak RSS | added | changed | feeds written | " + " | ".join(STAGES) + " |",
                  "|---|---:|---:|---:|---:|---:|" + "---:|" * len(STAGES)]  # fmt: skip
        for name in ("no_change", "one_new", "edited_1000"):
            c = inc.get(name, {})
            cells = [fmt(c.get("wall_s", {}), " s"), fmt(c.get("peak_rss_mb", {}), " MB", 0),
                     fmt(c.get("added", {}), "", 0), fmt(c.get("changed", {}), "", 0),
                     fmt(c.get("feeds_written", {}), "", 0)]  # fmt: skip
            cells += [fmt(c.get(f"stage_{s}_s", {}), " s") for s in STAGES]
            lines.append(f"| {name.replace('_', ' ')} | " + " | ".join(cells) + " |")
    rend = r.get("render", {})
    if rend.get("seconds"):
        s, ratios = rend["seconds"], rend.get("ratios", {})
        lines += ["", f"## Render alone ({rend.get('documents')} feeds, {rend.get('items')} items a format, "
                  f"from the {rend.get('size', 0):,} store; JSON floor: {rend.get('json_lib')})", "",
                  "| format | syndicator | floor (lxml / JSON) | feedgen as documented | syndicator ÷ floor "
                  "| syndicator ÷ feedgen |", "|---|---:|---:|---:|---:|---:|"]  # fmt: skip
        for f in ("rss", "atom", "json"):
            cells = [
                f,
                *(fmt(s.get(f"{who}_{f}", {}), " s", 3) for who in ("syndicator", "floor", "feedgen")),
            ]
            cells += [fmt(ratios.get(f"syndicator_over_{who}_{f}", {}), "×") for who in ("floor", "feedgen")]
            lines.append(_row(cells))
        all_floor = fmt(ratios.get("syndicator_over_floor_all", {}), "×")
        all_feedgen = fmt(ratios.get("syndicator_over_feedgen_rss_atom", {}), "×")
        lines.append(_row(["all", "", "", "", all_floor, all_feedgen + " (rss+atom)"]))
        if "prepare" in s:  # worked out once per article for every format, timed apart
            prepared = fmt(ratios.get("syndicator_over_floor_all_prepared", {}), "×")
            lines.append(_row(["prepare (once per article, for every format)", fmt(s["prepare"], " s", 3),
                               "", "", "", ""]))  # fmt: skip
            lines.append(_row(["all, prepare counted", "", "", "", prepared, ""]))
    lines += ["", "## Beside Hugo and Pelican (same articles; ratio = their median ÷ syndicator's)", "",
              "| records | syndicator cold | Hugo cold | ratio | Hugo RSS | Pelican cold | ratio "
              "| Pelican RSS |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for n in sorted({*r.get("hugo", {}), *r.get("pelican", {})} - {"error"}, key=int):
        synd = _med(r, "cold", n, "wall_s")
        hugo = _med(r, "hugo", n, "cold", "wall_s")
        pel = _med(r, "pelican", n, "wall_s")
        lines.append(
            _row([
                f"{int(n):,}",
                fmt(_get(r, "cold", n, "wall_s"), " s"),
                fmt(_get(r, "hugo", n, "cold", "wall_s"), " s"),
                _ratio(hugo, synd),
                fmt(_get(r, "hugo", n, "cold", "peak_rss_mb"), " MB", 0),
                fmt(_get(r, "pelican", n, "wall_s"), " s"),
                _ratio(pel, synd),
                fmt(_get(r, "pelican", n, "peak_rss_mb"), " MB", 0),
            ])
        )  # fmt: skip
    big = str(inc.get("size", "")) if inc else ""
    if big and _get(r, "hugo", big, "one_new"):
        h1, s1 = _med(r, "hugo", big, "one_new", "wall_s"), _med(r, "incremental", "one_new", "wall_s")
        hugo_new = fmt(_get(r, "hugo", big, "one_new", "wall_s"), " s")
        synd_new = fmt(_get(r, "incremental", "one_new", "wall_s"), " s")
        lines += ["", f"One new article on {int(big):,}: Hugo {hugo_new}, syndicator {synd_new}: "
                  f"Hugo ÷ syndicator = {_ratio(h1, s1)}."]  # fmt: skip
    lines += layout_tables(r)
    for tool in ("hugo", "pelican"):
        if "error" in r.get(tool, {}):
            lines.append(f"\n{tool}: {r[tool]['error']}")
    http = r.get("http", {})
    if http.get("figures"):
        f = http["figures"]
        lines += ["", f"## HTTP: GET /rss.xml, {http['connections']} connections, wrk bounded to "
                  f"{http['seconds']} s and {http['max_requests']:,} requests a run, 127.0.0.1", "",
                  "| response | server | req/s | p50 | p99 | failed | nginx ÷ syndicator req/s |",
                  "|---|---|---:|---:|---:|---:|---:|"]  # fmt: skip
        for case in ("200", "304", "gzip"):
            for server in ("syndicator", "nginx"):
                key = f"{server}_{case}"
                ratio = fmt(f.get(f"nginx_over_syndicator_{case}_rps", {}), "×") if server == "nginx" else ""
                lines.append(
                    _row([
                        case, server, fmt(f.get(f"{key}_rps", {}), "", 0),
                        fmt(f.get(f"{key}_p50_ms", {}), " ms"), fmt(f.get(f"{key}_p99_ms", {}), " ms"),
                        fmt(f.get(f"{key}_failed", {}), "", 0), ratio,
                    ])
                )  # fmt: skip
        lines.append(f"\nProbes (status seen before loading): `{http.get('probes')}`")
    lines += targets(r)
    prof = r.get("profile", {})
    if prof:
        lines += ["", "## Profiles", "", f"Dominant stage: {prof.get('dominant_stage')}. Files: "
                  + ", ".join(f"`{v}`" for k, v in prof.items() if k != "dominant_stage")]  # fmt: skip
    if r.get("notes"):  # added by hand after a run: what the figures alone do not say
        lines += ["", "## Notes", ""] + [f"- {note}" for note in r["notes"]]
    if r.get("errors"):
        lines += ["", "## Scenarios that failed", ""] + [f"- {k}: {e}" for k, e in r["errors"].items()]
    return "\n".join(lines) + "\n"


KINDS = ("normalize_json", "normalize_text", "normalize_html")


def layout_tables(r: dict[str, Any]) -> list[str]:
    """Cold publish per file layout and per worker count: wall, processor seconds, the
    process tree's peak memory, the stages, and normalize's seconds per record kind."""
    lines: list[str] = []
    head = (
        "wall | CPU | tree peak | " + " | ".join(STAGES) + " | " + " | ".join(k.split("_")[1] for k in KINDS)
    )
    rule = "---:|" * (3 + len(STAGES) + len(KINDS))
    for key, title, label in (
        ("layouts", "Cold publish by file layout (tree peak: publisher and workers together)", "layout"),
        ("workers", "Cold publish by normalize workers (100 files)", "workers"),
    ):
        for n, rows in r.get(key, {}).items():
            lines += ["", f"## {title}, {int(n):,} records", "",
                      f"| {label} | {head} |", f"|---|{rule}"]  # fmt: skip
            hugo = _med(r, "hugo", n, "cold", "wall_s")
            for name, c in rows.items():
                cells = [name, fmt(c.get("wall_s", {}), " s"), fmt(c.get("cpu_s", {}), " s"),
                         fmt(c.get("tree_peak_mb", {}), " MB", 0)]  # fmt: skip
                cells += [fmt(c.get(f"stage_{s}_s", {}), " s") for s in STAGES]
                cells += [fmt(c.get(f"stage_{k}_s", {}), " s") for k in KINDS]
                lines.append(_row(cells))
            if hugo:
                ratios = ", ".join(f"{name} {_ratio(_med(rows, name, 'wall_s'), hugo)}" for name in rows)
                hugo_cold = fmt(_get(r, "hugo", n, "cold", "wall_s"), " s")
                lines.append(f"\nsyndicator ÷ Hugo cold wall ({hugo_cold}): {ratios}")
    return lines


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a and b else "—"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def targets(r: dict[str, Any]) -> list[str]:
    """Where each of the issue's targets stands, from this run's figures."""
    rows: list[tuple[str, float | None, float | None, str]] = []  # (target, figure, limit, unit)
    big = "100000"
    rows.append(("cold 100k wall < 60 s", _med(r, "cold", big, "wall_s"), 60.0, "s"))
    rows.append(("cold 100k peak RSS < 1 GB", _med(r, "cold", big, "peak_rss_mb"), 1024.0, "MB"))
    for layout, figures in _get(r, "layouts", big).items():
        rows.append(
            (f"cold 100k as {layout}: process tree < 1 GB", _med(figures, "tree_peak_mb"), 1024.0, "MB")
        )
    hugo_cold = _med(r, "hugo", big, "cold", "wall_s")
    rows.append(("cold 100k faster than Hugo", _med(r, "cold", big, "wall_s"), hugo_cold, "s"))
    hugo_rss = _med(r, "hugo", big, "cold", "peak_rss_mb")
    rows.append(("cold 100k less memory than Hugo", _med(r, "cold", big, "peak_rss_mb"), hugo_rss, "MB"))
    render_all = _med(r, "render", "ratios", "syndicator_over_floor_all_prepared")
    if render_all is None:  # a run from before the per-article preparation was timed apart
        render_all = _med(r, "render", "ratios", "syndicator_over_floor_all")
    rows.append(("render ≤ 1.5× floor (all formats, prepare counted)", render_all, 1.5, "×"))
    inc = r.get("incremental", {})
    size = f"{inc.get('size', 0):,}"
    # Issue 18, target 2: one new article under 1 s, no change under 0.5 s (whole process).
    rows.append((f"no-change run on {size} < 0.5 s", _med(r, "incremental", "no_change", "wall_s"), 0.5, "s"))
    rows.append((f"one new record on {size} < 1 s", _med(r, "incremental", "one_new", "wall_s"), 1.0, "s"))
    hugo_new = _med(r, "hugo", str(inc.get("size", "")), "one_new", "wall_s")
    one_new = _med(r, "incremental", "one_new", "wall_s")
    rows.append(("one new ≥ 10× faster than Hugo", one_new, hugo_new / 10 if hugo_new else None, "s"))
    for case in ("200", "304", "gzip"):
        ratio = _med(r, "http", "figures", f"nginx_over_syndicator_{case}_rps")
        rows.append((f"server {case}: nginx ÷ syndicator req/s ≤ 5", ratio, 5.0, "×"))
        failed = _get(r, "http", "figures", f"syndicator_{case}_failed")
        rows.append((f"server {case}: no failed request", failed.get("max") if failed else None, 0.0, ""))
    out = ["", "## Targets", "", "| target | this run | limit | met |", "|---|---:|---:|---|"]
    for name, value, limit, unit in rows:
        met = "—" if value is None or limit is None else ("yes" if value <= limit else "**no**")
        shown = "not measured" if value is None else f"{value:.2f} {unit}".strip()
        lim = "—" if limit is None else f"{limit:.2f} {unit}".strip()
        out.append(_row([name, shown, lim, met]))
    return out


if __name__ == "__main__":
    sys.stdout.write(markdown(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))))

"""results.md from results.json, and the profile text files next to them."""

from __future__ import annotations

import io
import pstats
from pathlib import Path
from typing import Any

from measure import fmt

STAGES = ("intake", "normalize", "validate", "store", "render", "write")
# Where each stage's code lives, to cut a whole-run profile down to one stage.
STAGE_FILTER = {
    "intake": r"sources/|intake\.py|encoding\.py|ftfy",
    "normalize": r"normalize/|ftfy|nh3|langid",
    "validate": r"validate\.py|jsonschema|referencing",
    "store": r"store\.py|plan\.py|sqlite3",
    "render": r"render/|feedgen|output\.py",
    "write": r"write\.py",
}


def write_profiles(prof: Path, out: Path, n: int, dominant: str) -> dict[str, Any]:
    """Top 30 by cumulative time: the whole run, and the dominant stage's own code."""
    files: dict[str, Any] = {"dominant_stage": dominant}
    for name, restriction in (("publish", None), (dominant, STAGE_FILTER[dominant])):
        buf = io.StringIO()
        stats = pstats.Stats(str(prof), stream=buf).strip_dirs().sort_stats("cumulative")
        if restriction:
            stats.print_stats(restriction, 30)
        else:
            stats.print_stats(30)
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
        f"Machine: {m.get('nproc')} CPUs ({m.get('cpu')}), {m.get('ram_gb')} GB RAM, Linux {m.get('kernel')}, "
        f"Python {m.get('python')}.",
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
        s = rend["seconds"]
        lines += ["", f"## Render alone ({rend.get('documents')} feeds, {rend.get('items')} items each format, "
                  f"from the {rend.get('size', 0):,} store; JSON floor: {rend.get('json_lib')})", "",
                  "| format | syndicator | floor (lxml / JSON) | feedgen as documented | syndicator ÷ floor "
                  "| syndicator ÷ feedgen |", "|---|---:|---:|---:|---:|---:|"]  # fmt: skip
        ratios = rend.get("ratios", {})
        for f in ("rss", "atom", "json"):
            lines.append(
                f"| {f} | {fmt(s.get(f'syndicator_{f}', {}), ' s', 3)} | {fmt(s.get(f'floor_{f}', {}), ' s', 3)} "
                f"| {fmt(s.get(f'feedgen_{f}', {}), ' s', 3)} | {fmt(ratios.get(f'syndicator_over_floor_{f}', {}), '×')} "
                f"| {fmt(ratios.get(f'syndicator_over_feedgen_{f}', {}), '×')} |"
            )
        lines.append(
            f"| all | | | | {fmt(ratios.get('syndicator_over_floor_all', {}), '×')} "
            f"| {fmt(ratios.get('syndicator_over_feedgen_rss_atom', {}), '×')} (rss+atom) |"
        )
    lines += ["", "## Beside Hugo and Pelican (same articles; ratio = their median ÷ syndicator's)", "",
              "| records | syndicator cold | Hugo cold | ratio | Hugo RSS | Pelican cold | ratio | Pelican RSS |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for n in sorted({*r.get("hugo", {}), *r.get("pelican", {})} - {"error"}, key=int):
        synd = _med(r, "cold", n, "wall_s")
        hugo = _med(r, "hugo", n, "cold", "wall_s")
        pel = _med(r, "pelican", n, "wall_s")
        lines.append(
            f"| {int(n):,} | {fmt(_get(r, 'cold', n, 'wall_s'), ' s')} | {fmt(_get(r, 'hugo', n, 'cold', 'wall_s'), ' s')} "
            f"| {_ratio(hugo, synd)} | {fmt(_get(r, 'hugo', n, 'cold', 'peak_rss_mb'), ' MB', 0)} "
            f"| {fmt(_get(r, 'pelican', n, 'wall_s'), ' s')} | {_ratio(pel, synd)} "
            f"| {fmt(_get(r, 'pelican', n, 'peak_rss_mb'), ' MB', 0)} |"
        )
    big = str(inc.get("size", "")) if inc else ""
    if big and _get(r, "hugo", big, "one_new"):
        h1, s1 = _med(r, "hugo", big, "one_new", "wall_s"), _med(r, "incremental", "one_new", "wall_s")
        lines += ["", f"One new article on {int(big):,}: Hugo {fmt(_get(r, 'hugo', big, 'one_new', 'wall_s'), ' s')}, "
                  f"syndicator {fmt(_get(r, 'incremental', 'one_new', 'wall_s'), ' s')}: Hugo ÷ syndicator = {_ratio(h1, s1)}."]  # fmt: skip
    for tool in ("hugo", "pelican"):
        if "error" in r.get(tool, {}):
            lines.append(f"\n{tool}: {r[tool]['error']}")
    http = r.get("http", {})
    if http.get("figures"):
        f = http["figures"]
        lines += ["", f"## HTTP: GET /rss.xml, {http['connections']} connections, wrk bounded to {http['seconds']} s "
                  f"and {http['max_requests']:,} requests a run, 127.0.0.1", "",
                  "| response | server | req/s | p50 | p99 | failed | nginx ÷ syndicator req/s |",
                  "|---|---|---:|---:|---:|---:|---:|"]  # fmt: skip
        for case in ("200", "304", "gzip"):
            for server in ("syndicator", "nginx"):
                ratio = fmt(f.get(f"nginx_over_syndicator_{case}_rps", {}), "×") if server == "nginx" else ""
                lines.append(
                    f"| {case} | {server} | {fmt(f.get(f'{server}_{case}_rps', {}), '', 0)} "
                    f"| {fmt(f.get(f'{server}_{case}_p50_ms', {}), ' ms')} | {fmt(f.get(f'{server}_{case}_p99_ms', {}), ' ms')} "
                    f"| {fmt(f.get(f'{server}_{case}_failed', {}), '', 0)} | {ratio} |"
                )
        lines.append(f"\nProbes (status seen before loading): `{http.get('probes')}`")
    prof = r.get("profile", {})
    if prof:
        lines += ["", "## Profiles", "", f"Dominant stage: {prof.get('dominant_stage')}. Files: "
                  + ", ".join(f"`{v}`" for k, v in prof.items() if k != "dominant_stage")]  # fmt: skip
    if r.get("errors"):
        lines += ["", "## Scenarios that failed", ""] + [f"- {k}: {e}" for k, e in r["errors"].items()]
    return "\n".join(lines) + "\n"


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a and b else "—"

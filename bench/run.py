"""Run every benchmark scenario and write bench/results/results.{md,json}.

    /work/venv/bin/python bench/run.py           # full run (~25 min on 2 cores)
    /work/venv/bin/python bench/run.py --quick   # 1,000 records, every scenario (~3 min)

Each figure is measured several times and reported as median (min–max);
ratios to other tools are taken from runs made in the same invocation, one
after the other, because the machines are shared and noisy. See README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import generate
import loadtest
import measure
import rivals
import tables

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
STAGES = ("intake", "normalize", "validate", "store", "render", "write")


@dataclass(frozen=True)
class Plan:
    sizes: tuple[int, ...]  # cold publish sizes; the largest gets the incremental scenarios
    repeats: int  # runs per figure for N < 100,000
    big_repeats: int  # runs per figure for N >= 100,000 (each one is minutes long)
    profile_size: int
    hugo_sizes: tuple[int, ...]
    pelican_sizes: tuple[int, ...]
    http_seconds: int
    http_max_requests: int
    http_connections: int
    render_repeats: int


FULL = Plan((1000, 10_000, 100_000), 3, 1, 10_000, (1000, 10_000, 100_000), (1000, 10_000), 5, 10**6, 64, 5)
QUICK = Plan((1000,), 3, 1, 1000, (1000,), (1000,), 2, 400_000, 64, 3)


def site_config(site: Path, source: Path, *, workers: int = 0) -> str:
    """The benchmark site's configuration: the generated records in `source`, every format,
    category feeds, its output and state in `site`."""
    return f"""[site]
title = "Bench"
description = "Benchmark site"
base_url = "https://news.example.org/"
feeds_url = "https://news.example.org/feeds/"
language = "fr"
timezone = "Europe/Paris"

[[sources]]
name = "bench"
kind = "directory"
path = "{source}"
max_file_bytes = 2000000000

[output]
directory = "{site / "feeds"}"
formats = ["rss", "atom", "json"]
items = 50
category_feeds = true

[state]
directory = "{site / "state"}"

[normalize]
taxonomy = "{REPO / "config" / "taxonomy.toml"}"
workers = {workers}
"""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Bench:
    def __init__(
        self, plan: Plan, work: Path, python: str, layouts: tuple[str, ...] = generate.LAYOUTS
    ) -> None:
        self.layouts_wanted = layouts
        self.plan = plan
        self.work = work
        self.python = python
        self.results: dict[str, Any] = {}
        # Everything but the 100,000-record scenarios runs first, so a run cut short keeps them.
        self.small = tuple(n for n in plan.sizes if n < 100_000) or plan.sizes
        self.big = tuple(n for n in plan.sizes if n not in self.small)
        self.small_max = max(self.small)

    # ---- data ---------------------------------------------------------------

    def dataset(self, n: int) -> Path:
        """Generated once per size and generator version; later runs reuse it."""
        out = self.work / f"data-{n}"
        stamp = out / ".stamp"
        want = f"{generate.SEED} {n} {Path(generate.__file__).stat().st_mtime_ns}"
        if not (stamp.exists() and stamp.read_text() == want):
            log(f"generating {n} records")
            g = generate.generate(out, n)
            stamp.write_text(want)
            self.results.setdefault("datasets", {})[str(n)] = {
                k: v for k, v in asdict(g).items() if k != "directory"
            }
        return out

    def source_copy(self, n: int) -> Path:
        """A hard-linked copy the scenarios may change; edits replace files, never write through."""
        src = self.work / f"src-{n}"
        if src.exists():
            shutil.rmtree(src)
        subprocess.run(["cp", "-al", str(self.dataset(n)), str(src)], check=True)
        (src / ".stamp").unlink(missing_ok=True)
        return src

    def layout(self, n: int, layout: str) -> Path:
        """The n-record set in one of generate.LAYOUTS (hard links where the files are the same)."""
        out = self.work / f"layout-{n}-{layout}"
        stamp = out / ".stamp"
        data = self.dataset(n)
        want = (data / ".stamp").read_text() + f" {layout}"
        if not (stamp.exists() and stamp.read_text() == want):
            log(f"laying out {n} records as {layout}")
            generate.relayout(data, out, layout)
            stamp.write_text(want)
        return out

    def config(self, name: str, source: Path, *, workers: int = 0) -> Path:
        site = self.work / name
        if site.exists():
            shutil.rmtree(site)
        site.mkdir(parents=True)
        path = site / "syndicator.toml"
        path.write_text(site_config(site, source, workers=workers), encoding="utf-8")
        return path

    # ---- syndicator publish -------------------------------------------------

    def publish(self, config: Path, *, profile: Path | None = None) -> dict[str, float]:
        prefix = [self.python, "-m", "cProfile", "-o", str(profile)] if profile else [self.python]
        child = measure.run_child([*prefix, "-m", "syndicator", "publish", "--config", str(config), "--json"])
        if child.returncode not in (0, 4):  # 4: finished, some records rejected (the generator's 1%)
            raise RuntimeError(f"publish failed ({child.returncode}):\n{child.stderr[-3000:]}")
        try:
            report = json.loads(child.stdout)
        except json.JSONDecodeError:  # under cProfile a failed run can still exit 0
            raise RuntimeError(f"publish printed no report:\n{child.stderr[-3000:]}") from None
        if profile:
            return {"wall_s": child.wall}
        figures = {
            "wall_s": child.wall,
            "peak_rss_mb": child.peak_rss_mb,
            "tree_peak_mb": child.tree_peak_mb,
            "cpu_s": child.cpu_s,
            "records_per_s": report["records_read"] / child.wall,
            "records_read": report["records_read"],
            "added": report["added"],
            "changed": report["changed"],
            "rejected": len(report["rejected"]),
            "feeds_written": len(report["feeds_written"]),
        }
        figures |= {f"stage_{k}_s": v for k, v in report["timings"].items()}
        return figures

    def cold(self, sizes: tuple[int, ...]) -> None:
        out = self.results.setdefault("cold", {})
        for n in sizes:
            source = self.source_copy(n)
            at_least = self.plan.repeats if n < 100_000 else self.plan.big_repeats

            def once(k: int, n: int = n, source: Path = source) -> dict[str, float]:
                config = self.config(f"site-{n}", source)
                figures = self.publish(config)
                log(f"cold {n}: run {k + 1}: {figures['wall_s']:.1f}s, {figures['peak_rss_mb']:.0f} MB")
                return figures

            out[str(n)] = measure.summaries(
                measure.repeat(once, at_least=at_least, at_most=at_least, budget_s=0)
            )

    def layouts(self, sizes: tuple[int, ...]) -> None:
        """Cold publish of the same records as 100 files, one big JSONL file and one file each:
        wall time and the peak of the whole process tree (the publisher and its workers)."""
        out = self.results.setdefault("layouts", {})
        for n in sizes:
            for layout in self.layouts_wanted:
                source = self.layout(n, layout)

                def once(k: int, n: int = n, layout: str = layout, source: Path = source) -> dict[str, float]:
                    figures = self.publish(self.config(f"layout-site-{n}-{layout}", source))
                    log(
                        f"cold {n} as {layout}: {figures['wall_s']:.1f}s,"
                        f" tree {figures['tree_peak_mb']:.0f} MB"
                    )
                    return figures

                out.setdefault(str(n), {})[layout] = measure.summaries(
                    measure.repeat(once, at_least=1, at_most=1, budget_s=0)
                )

    def workers(self, sizes: tuple[int, ...]) -> None:
        """Cold publish with 1, 2 (and, where the machine has them, all) normalize workers."""
        out = self.results.setdefault("workers", {})
        counts = sorted({1, 2, os.cpu_count() or 1})
        for n in sizes:
            source = self.layout(n, "files")
            for count in counts:

                def once(k: int, n: int = n, count: int = count, source: Path = source) -> dict[str, float]:
                    figures = self.publish(self.config(f"workers-site-{n}", source, workers=count))
                    log(f"cold {n}, {count} workers: {figures['wall_s']:.1f}s")
                    return figures

                at_least = self.plan.repeats if n < 100_000 else self.plan.big_repeats
                out.setdefault(str(n), {})[str(count)] = measure.summaries(
                    measure.repeat(once, at_least=at_least, at_most=at_least, budget_s=0)
                )

    def incremental(self) -> None:
        """On the largest store: nothing new, one new record, 1,000 edited records."""
        n = max(self.plan.sizes)
        config = self.work / f"site-{n}" / "syndicator.toml"
        source = self.work / f"src-{n}"
        at_most = self.plan.repeats
        out = self.results.setdefault("incremental", {"size": n})

        def unchanged(k: int) -> dict[str, float]:
            return self.publish(config)

        def one_new(k: int) -> dict[str, float]:
            rec = next(generate.new_records(5_000_000 + k, 1))
            (source / f"new-{k:03d}.jsonl").write_text(json.dumps(rec, ensure_ascii=False) + "\n")
            return self.publish(config)

        def edited(k: int) -> dict[str, float]:
            generate.edited_file(source, k % max(1, n // generate.PER_FILE), edit=k + 1)
            return self.publish(config)

        for name, action in (("no_change", unchanged), ("one_new", one_new), ("edited_1000", edited)):
            out[name] = measure.summaries(measure.repeat(action, at_least=1, at_most=at_most, budget_s=90))
            log(f"{name} on {n}: {measure.fmt(out[name]['wall_s'], 's')}")

    def profile(self) -> None:
        n = self.plan.profile_size
        config = self.config(f"profile-{n}", self.source_copy(n))
        prof = self.work / f"profile-{n}.prof"
        log(f"profiling cold publish of {n}")
        self.publish(config, profile=prof)
        stages = self.results["cold"][str(n)]
        dominant = max(STAGES, key=lambda s: stages.get(f"stage_{s}_s", {}).get("median", 0.0))
        self.results["profile"] = tables.write_profiles(prof, BENCH / "results", n, dominant)

    # ---- render alone ----------------------------------------------------------

    def render(self) -> None:
        n = self.small_max
        config_path = self.work / f"site-{n}" / "syndicator.toml"
        done = subprocess.run(
            [self.python, str(BENCH / "render_bench.py"), str(config_path), str(self.plan.render_repeats)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"render bench failed:\n{done.stderr[-3000:]}")
        self.results["render"] = json.loads(done.stdout) | {"size": n}
        log("render alone: done")

    # ---- Hugo and Pelican ------------------------------------------------------

    def hugo(self, sizes: tuple[int, ...]) -> None:
        if not shutil.which("hugo"):
            self.results["hugo"] = {"error": "hugo not installed"}
            return
        out = self.results.setdefault("hugo", {})
        for n in sizes:
            site = self.work / f"hugo-{n}"
            stamp = site / ".stamp"
            want = (
                f"{n} {Path(rivals.__file__).stat().st_mtime_ns} {Path(generate.__file__).stat().st_mtime_ns}"
            )
            if not (stamp.exists() and stamp.read_text() == want):
                log(f"writing Hugo site of {n}")
                rivals.hugo_site(site, n)
                stamp.write_text(want)
            for old in (site / "content" / "posts").glob("new-*.md"):
                old.unlink()
            at_least = self.plan.repeats if n < 100_000 else self.plan.big_repeats

            def cold(k: int, site: Path = site) -> dict[str, float]:
                rivals.hugo_clean(site)
                c = measure.run_child(["hugo", "--quiet"], cwd=site)
                if c.returncode != 0:
                    raise RuntimeError(f"hugo failed: {c.stderr[-2000:]}")
                return {
                    "wall_s": c.wall,
                    "peak_rss_mb": c.peak_rss_mb,
                    "tree_peak_mb": c.tree_peak_mb,
                    "cpu_s": c.cpu_s,
                }

            def one_new(k: int, site: Path = site) -> dict[str, float]:
                rivals.hugo_add(site, k)
                c = measure.run_child(["hugo", "--quiet"], cwd=site)
                return {"wall_s": c.wall, "peak_rss_mb": c.peak_rss_mb}

            out[str(n)] = {
                "cold": measure.summaries(
                    measure.repeat(cold, at_least=at_least, at_most=at_least, budget_s=0)
                ),
                "one_new": measure.summaries(
                    measure.repeat(one_new, at_least=at_least, at_most=at_least, budget_s=0)
                ),
            }
            for old in (site / "content" / "posts").glob("new-*.md"):
                old.unlink()
            log(f"hugo {n}: cold {measure.fmt(out[str(n)]['cold']['wall_s'], 's')}")

    def pelican(self) -> None:
        binary = BENCH / ".venv-pelican" / "bin" / "pelican"
        if not binary.exists():
            self.results["pelican"] = {"error": f"{binary} missing (see README.md)"}
            return
        out = self.results.setdefault("pelican", {})
        for n in self.plan.pelican_sizes:
            site = rivals.pelican_site(self.work / f"pelican-{n}", n)
            at_least = self.plan.repeats if n < 10_000 else 1

            def cold(k: int, site: Path = site) -> dict[str, float]:
                shutil.rmtree(site / "output", ignore_errors=True)
                argv = [str(binary), "content", "-s", "pelicanconf.py", "-o", "output", "-q"]
                c = measure.run_child(argv, cwd=site)
                if c.returncode != 0:
                    raise RuntimeError(f"pelican failed: {c.stderr[-2000:]}")
                return {"wall_s": c.wall, "peak_rss_mb": c.peak_rss_mb}

            out[str(n)] = measure.summaries(
                measure.repeat(cold, at_least=at_least, at_most=at_least, budget_s=0)
            )
            log(f"pelican {n}: {measure.fmt(out[str(n)]['wall_s'], 's')}")

    # ---- HTTP ------------------------------------------------------------------

    def http(self) -> None:
        if not shutil.which("wrk") or not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
            self.results["http"] = {"error": "wrk or nginx not installed"}
            return
        n = self.small_max
        # The site's own output, as a publish left it: the validators the writer
        # recorded there name these very files (a copy would be other inodes).
        root = self.work / f"site-{n}" / "feeds"
        tmp = self.work / "http-tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        p = self.plan
        series: dict[str, measure.Series] = {}
        probes: dict[str, Any] = {}
        with (
            loadtest.syndicator_server(self.python, root, tmp) as synd,
            loadtest.nginx_server(root, tmp) as ngx,
        ):
            servers = {"syndicator": synd, "nginx": ngx}
            cases: dict[str, dict[str, tuple[dict[str, str], int]]] = {}
            for name, base in servers.items():
                status, headers = loadtest.probe(base + "/rss.xml", {})
                etag = headers.get("etag", "")
                gz_status, gz_headers = loadtest.probe(base + "/rss.xml", {"Accept-Encoding": "gzip"})
                nm_status, _ = loadtest.probe(base + "/rss.xml", {"If-None-Match": etag})
                probes[name] = {
                    "200": status,
                    "gzip": f"{gz_status} {gz_headers.get('content-encoding', 'identity')}",
                    "304": nm_status,
                    "etag": etag,
                    "bytes": headers.get("content-length"),
                }
                cases[name] = {
                    "200": ({}, 200),
                    "304": ({"If-None-Match": etag}, 304),
                    "gzip": ({"Accept-Encoding": "gzip"}, 200),
                }
            for rep in range(p.repeats):
                for case in ("200", "304", "gzip"):
                    for name, base in servers.items():
                        headers, expect = cases[name][case]
                        load = loadtest.wrk(
                            base + "/rss.xml",
                            headers,
                            expect=expect,
                            connections=p.http_connections,
                            seconds=p.http_seconds,
                            max_requests=p.http_max_requests,
                            tmp=tmp,
                        )
                        for field in ("rps", "p50_ms", "p99_ms", "failed", "requests"):
                            series.setdefault(f"{name}_{case}_{field}", measure.Series()).add(
                                float(getattr(load, field))
                            )
                    ratio = (
                        series[f"nginx_{case}_rps"].values[-1] / series[f"syndicator_{case}_rps"].values[-1]
                    )
                    series.setdefault(f"nginx_over_syndicator_{case}_rps", measure.Series()).add(ratio)
                log(f"http rep {rep + 1} done")
        self.results["http"] = {
            "probes": probes,
            "connections": p.http_connections,
            "seconds": p.http_seconds,
            "max_requests": p.http_max_requests,
            "figures": measure.summaries(series),
        }

    # ---- incremental runs at each size, and startup ------------------------------

    def stores(self) -> None:
        """bench/incremental.py: no change, one new, edit 1,000 on stores of 10,000 and 100,000
        articles with every kind of feed on (its own cached stores, built by a cold publish)."""
        sizes = ",".join(str(n) for n in self.plan.sizes if n >= 10_000) or str(max(self.plan.sizes))
        done = subprocess.run(
            [self.python, str(BENCH / "incremental.py"), "--records", sizes, "--repeats", "3"],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"incremental bench failed:\n{done.stderr[-3000:]}")
        self.results["stores"] = json.loads(done.stdout)
        log("stores: done")

    def importtime(self) -> None:
        """`python -X importtime -m syndicator --version`: microseconds of the command's imports."""
        totals = measure.Series()
        for _ in range(5):
            done = subprocess.run(
                [self.python, "-X", "importtime", "-m", "syndicator", "--version"],
                capture_output=True,
                text=True,
                check=True,
            )
            # "import time: self [us] | cumulative | imported package", then one line a
            # module, indented by depth: the top-level ones' cumulative times add up to all.
            fields = [line.split("|") for line in done.stderr.splitlines() if line.startswith("import time:")]
            totals.add(sum(int(f[1]) for f in fields if f[1].strip().isdigit() and not f[2].startswith("  ")))
        self.results["importtime"] = {"version_us": totals.summary()}

    # ---- all of it -------------------------------------------------------------

    def versions(self) -> dict[str, str]:
        probe = subprocess.run(
            [self.python, "-c", "import syndicator, feedgen.version as f, lxml.etree as e; "
             "print(syndicator.__version__, f.version_str, '.'.join(map(str, e.LXML_VERSION)))"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        synd, feedgen_v, lxml_v = (probe.stdout.split() + ["?"] * 3)[:3]
        pelican = BENCH / ".venv-pelican" / "bin" / "pelican"
        return {
            "syndicator": synd,
            "feedgen": feedgen_v,
            "lxml": lxml_v,
            "hugo": measure.tool_version(["hugo", "version"]),
            "pelican": measure.tool_version([str(pelican), "--version"]),
            "nginx": measure.tool_version(["nginx", "-v"]),
            "wrk": measure.tool_version(["wrk", "-v"]),
            "git": measure.tool_version(["git", "-C", str(REPO), "describe", "--always", "--dirty"]),
        }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="1,000 records only, every scenario (~3 min)")
    parser.add_argument("--sizes", help="comma-separated cold publish sizes, e.g. 1000,10000")
    parser.add_argument(
        "--skip",
        default="",
        help=(
            "comma-separated: cold,incremental,profile,render,hugo,pelican,http,"
            "stores,importtime,layouts,workers"
        ),
    )
    parser.add_argument("--work", type=Path, default=BENCH / "results" / "tmp", help="scratch directory")
    parser.add_argument("--out", type=Path, default=BENCH / "results", help="where results.md/json go")
    parser.add_argument("--python", default=sys.executable, help="the Python that runs syndicator")
    parser.add_argument(
        "--layouts",
        default=",".join(generate.LAYOUTS),
        help="comma-separated file layouts of the layouts step",
    )
    parser.add_argument("--repeats", type=int, help="runs per figure below 100,000 records [default: 3]")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    if args.repeats:
        plan = replace(plan, repeats=args.repeats)
    if args.sizes:
        sizes = tuple(int(s) for s in args.sizes.split(","))
        plan = replace(
            plan,
            sizes=sizes,
            profile_size=min(plan.profile_size, max(sizes)),
            hugo_sizes=tuple(s for s in plan.hugo_sizes if s in sizes) or sizes,
            pelican_sizes=tuple(s for s in plan.pelican_sizes if s in sizes) or (min(sizes),),
        )
    skip = {s for s in args.skip.split(",") if s}
    args.work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    bench = Bench(plan, args.work, args.python, tuple(args.layouts.split(",")))
    started = time.perf_counter()
    bench.results["plan"] = asdict(plan) | {
        "mode": "quick" if args.quick else "full",
        "skipped": sorted(skip),
    }
    bench.results["machine"] = measure.machine()
    bench.results["versions"] = bench.versions()
    bench.results["date"] = datetime.now(UTC).isoformat(timespec="seconds")
    small_hugo = tuple(n for n in plan.hugo_sizes if n in bench.small)
    big_hugo = tuple(n for n in plan.hugo_sizes if n not in bench.small)
    steps: list[tuple[str, Callable[[], None]]] = [
        ("cold", lambda: bench.cold(bench.small)),
        ("profile", bench.profile),
        ("render", bench.render),
        ("hugo", lambda: bench.hugo(small_hugo)),
        ("workers", lambda: bench.workers(bench.small)),
        ("pelican", bench.pelican),
        ("http", bench.http),
        ("cold", lambda: bench.cold(bench.big)),
        ("incremental", bench.incremental),
        ("stores", bench.stores),
        ("importtime", bench.importtime),
        ("hugo", lambda: bench.hugo(big_hugo)),
        ("layouts", lambda: bench.layouts(bench.big or bench.small)),
        ("workers", lambda: bench.workers(bench.big)),
    ]
    for name, step in steps:
        if name in skip or (
            name != "cold" and "cold" in skip and name in {"profile", "incremental", "render"}
        ):
            continue
        t0 = time.perf_counter()
        try:
            step()
        except Exception as e:  # one failed scenario must not lose the others' figures
            log(f"{name} failed: {e}")
            bench.results.setdefault("errors", {})[name] = str(e)
        seconds = bench.results.setdefault("step_seconds", {})
        seconds[name] = round(seconds.get(name, 0) + time.perf_counter() - t0, 1)
        (args.out / "results.json").write_text(json.dumps(bench.results, indent=2, default=str) + "\n")
    bench.results["total_seconds"] = round(time.perf_counter() - started, 1)
    (args.out / "results.json").write_text(json.dumps(bench.results, indent=2, default=str) + "\n")
    (args.out / "results.md").write_text(tables.markdown(bench.results), encoding="utf-8")
    log(f"done in {bench.results['total_seconds']:.0f}s: {args.out / 'results.md'}")
    sys.stdout.write((args.out / "results.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()

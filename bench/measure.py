"""Timing a child process: wall time, its own peak RSS, the peak of its whole
process tree, and summaries of several runs.

The child's own peak comes from os.wait4 on the child itself (ru_maxrss, KiB on
Linux), so it is that one process, not the maximum over every child the runner
ever started (which is what RUSAGE_CHILDREN would give). The tree's peak is
sampled: every TREE_EVERY seconds the resident sets of the child and of all
its descendants (normalize workers) are read from /proc and added up, and the
largest sum is kept. Pages a forked worker shares with its parent count in
both, as they do in what `ps` shows per process. Processor seconds (the child's
and its reaped workers') are given beside wall time: on a shared machine they
move far less than wall time does.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Child:
    wall: float  # seconds, fork to reap
    peak_rss_mb: float  # the child's own peak resident set, MiB
    tree_peak_mb: float  # the largest sum of resident sets over the child and its descendants, MiB
    cpu_s: float  # processor seconds (user + system) of the child and the workers it waited for
    returncode: int
    stdout: str
    stderr: str


def run_child(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 3600,
) -> Child:
    """Run argv to completion; its output goes to temp files so a full pipe never stalls it.

    The child may write bytecode (PYTHONDONTWRITEBYTECODE is dropped from its
    environment): an installed package has its .pyc files, and a benchmark that
    compiled syndicator's modules from source on every process start measured
    the compiler (about 0.6 s a command on this machine), not syndicator.
    """
    env = {
        k: v for k, v in (env if env is not None else os.environ).items() if k != "PYTHONDONTWRITEBYTECODE"
    }
    out_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-child-{os.getpid()}.out"
    err_path = out_path.with_suffix(".err")
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(argv), cwd=cwd, env=env, stdout=out, stderr=err)
        deadline = start + timeout
        tree_peak = 0
        next_sample = start
        while True:
            now = time.perf_counter()
            if now >= next_sample:
                tree_peak = max(tree_peak, tree_rss(proc.pid))
                next_sample = now + TREE_EVERY
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    stdout = out_path.read_text(errors="replace")
    stderr = err_path.read_text(errors="replace")
    out_path.unlink(missing_ok=True)
    err_path.unlink(missing_ok=True)
    own_peak = usage.ru_maxrss / 1024
    # A run shorter than one sample still has its own peak: the tree is at least that.
    cpu = usage.ru_utime + usage.ru_stime  # wait4 counts the descendants the child reaped
    return Child(wall, own_peak, max(own_peak, tree_peak / 2**20), cpu, proc.returncode, stdout, stderr)


TREE_EVERY = 0.02  # seconds between two samples of the process tree's memory
_PAGE = os.sysconf("SC_PAGE_SIZE")


def tree_rss(pid: int) -> int:
    """Bytes resident in `pid` and every process below it, now (0 for one already gone)."""
    total = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/statm", "rb") as f:
                total += int(f.read().split()[1]) * _PAGE
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", "rb") as f:
                    stack.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue  # exited between two reads
    return total


@dataclass
class Series:
    """Several runs of one figure; the runner reports median, min and max."""

    values: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.values.append(value)

    def summary(self) -> dict[str, Any]:
        if not self.values:
            return {"n": 0}
        return {
            "median": statistics.median(self.values),
            "min": min(self.values),
            "max": max(self.values),
            "n": len(self.values),
            "runs": self.values,
        }


def repeat(
    action: Callable[[int], dict[str, float]], *, at_least: int, at_most: int, budget_s: float
) -> dict[str, Series]:
    """Run action(k) at least `at_least` times, and more while the time budget lasts."""
    series: dict[str, Series] = {}
    started = time.perf_counter()
    k = 0
    while k < at_most and (k < at_least or time.perf_counter() - started < budget_s):
        for name, value in action(k).items():
            series.setdefault(name, Series()).add(value)
        k += 1
    return series


def summaries(series: Mapping[str, Series]) -> dict[str, dict[str, Any]]:
    return {name: s.summary() for name, s in series.items()}


def fmt(summary: Mapping[str, Any], unit: str = "", digits: int = 2) -> str:
    """`median (min–max)`, or `value` for one run: the cell format of results.md."""
    if not summary or summary.get("n", 0) == 0:
        return "—"
    med, lo, hi = summary["median"], summary["min"], summary["max"]
    if summary["n"] == 1:
        return f"{med:.{digits}f}{unit} (1 run)"
    return f"{med:.{digits}f}{unit} ({lo:.{digits}f}–{hi:.{digits}f})"


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with open("/proc/meminfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    return {
        "nproc": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def tool_version(argv: Sequence[str]) -> str:
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return "not installed"
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0] if text else "unknown"

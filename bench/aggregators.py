"""What aggregators get from a generated site: mixed-language feeds, profile
findings, and what the optional feeds cost.

    python bench/aggregators.py --records 2000 [--work DIR]

Publishes the generated records twice (main and category feeds only, then
with language, tag and author feeds, an icon and a region), and prints: the
feeds whose items are not all in the feed's declared language, the findings
of each `validate --profile` over the whole output and over the language
feeds alone, and the publish time of each configuration.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from syndicator.config import load_config
from syndicator.pipeline import publish_run
from syndicator.profiles import check_output, load_profiles

REPO = Path(__file__).resolve().parent.parent
DC_LANGUAGE = "{http://purl.org/dc/elements/1.1/}language"
NOW = datetime(2024, 6, 2, tzinfo=UTC)  # a day after bench/generate.py's newest record


def site_config(site: Path, source: Path, extra_site: str, extra_output: str) -> Path:
    path = site / "syndicator.toml"
    path.write_text(
        f"""[site]
title = "Bench"
base_url = "https://news.example.org/"
language = "fr-FR"
timezone = "Europe/Paris"
{extra_site}
[[sources]]
name = "bench"
kind = "directory"
path = "{source}"

[output]
directory = "{site / "feeds"}"
items = 50
{extra_output}
[state]
directory = "{site / "state"}"

[normalize]
taxonomy = "{REPO / "config" / "taxonomy.toml"}"
""",
        encoding="utf-8",
    )
    return path


def mixed(out: Path) -> tuple[int, int]:
    """(feeds whose items are not all in the declared language, RSS feeds)."""
    count = total = 0
    for path in out.rglob("rss.xml"):
        if "archive" in path.parts:
            continue
        channel = etree.parse(str(path)).getroot().find("channel")
        assert channel is not None
        total += 1
        declared = (channel.findtext("language") or "").lower().split("-")[0]
        items = channel.iter("item")
        languages = {(i.findtext(DC_LANGUAGE) or declared).lower().split("-")[0] for i in items}
        count += bool(languages - {declared})
    return count, total


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--work", type=Path, default=REPO / "bench" / "results" / "tmp" / "aggregators")
    args = parser.parse_args()
    source = args.work / f"records-{args.records}"
    if not source.exists():
        generate = REPO / "bench" / "generate.py"
        command = [sys.executable, str(generate), str(source), "--records", str(args.records)]
        subprocess.run(command, check=True)
    setups = {
        "plain": ("", ""),
        "aggregators": (
            'icon = "/favicon.png"\nimage = "/banner.png"\n',
            "language_feeds = true\ntag_feeds = true\nauthor_feeds = true\n",
        ),
    }
    for name, (extra_site, extra_output) in setups.items():
        site = args.work / name
        subprocess.run(["rm", "-rf", str(site)], check=True)
        site.mkdir(parents=True)
        config = load_config(site_config(site, source, extra_site, extra_output))
        started = time.perf_counter()
        publish_run(config, now=NOW)
        seconds = time.perf_counter() - started
        out = site / "feeds"
        bad, total = mixed(out)
        print(f"{name}: publish {seconds:.1f} s; {bad} of {total} RSS feeds mix languages")
        for profile in load_profiles():
            whole = check_output(out, profile, NOW)
            languages = (out / "languages").is_dir() and check_output(out / "languages", profile, NOW)
            by_check: dict[str, int] = {}
            for finding in whole:
                by_check[finding.rule.check] = by_check.get(finding.rule.check, 0) + 1
            line = f"  {profile}: {len(whole)} findings over the output {dict(sorted(by_check.items()))}"
            if languages is not False:
                line += f"; {len(languages)} over languages/"
            print(line)


if __name__ == "__main__":
    main()

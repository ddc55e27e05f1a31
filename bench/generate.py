"""Deterministic generator of realistic article records for the benchmarks.

Record i is a pure function of (seed, i), so the 1,000-record set is a prefix
of the 10,000 one, an edited record keeps its identity, and two machines
benchmark the same bytes. The mix mirrors what a publisher feeds syndicator:
CMS exports whose field names vary, bodies of 3–8 KB in five languages with
accents, curly quotes, entities and inline HTML, 20 sections spelt in several
ways, 0–5 related links, an image on about half, a few scraped raw-text
articles (breadcrumb, byline, trailing boilerplate), and about 1% of records
a publisher would get wrong.

    python bench/generate.py OUT_DIR --records 10000
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SEED = 20240601
PER_FILE = 1000  # records per JSONL file
TXT_EVERY = 50  # one record in 50 is a scraped .txt article (2%)
INVALID_EVERY = 100  # one record in 100 is broken (1%)
EPOCH = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)  # newest generated date; all are in the past
SPAN_DAYS = 5 * 365
BASE = "https://news.example.org"

LANGS = ("fr", "en", "de", "es", "it")

# 20 sections; each language spells them its own way, and some records shout them.
SECTIONS: tuple[tuple[str, str, str, str, str], ...] = (
    ("Monde", "World", "Welt", "Mundo", "Mondo"),
    ("Économie", "Economy", "Wirtschaft", "Economía", "Economia"),
    ("Technologie", "Technology", "Technik", "Tecnología", "Tecnologia"),
    ("Culture", "Culture", "Kultur", "Cultura", "Cultura"),
    ("Sport", "Sports", "Sport", "Deportes", "Sport"),
    ("Santé", "Health", "Gesundheit", "Salud", "Salute"),
    ("Sciences", "Science", "Wissenschaft", "Ciencia", "Scienza"),
    ("Politique", "Politics", "Politik", "Política", "Politica"),
    ("Europe", "Europe", "Europa", "Europa", "Europa"),
    ("Environnement", "Environment", "Umwelt", "Medio ambiente", "Ambiente"),
    ("Éducation", "Education", "Bildung", "Educación", "Istruzione"),
    ("Médias", "Media", "Medien", "Medios", "Media"),
    ("Voyage", "Travel", "Reisen", "Viajes", "Viaggi"),
    ("Cuisine", "Food", "Essen", "Cocina", "Cucina"),
    ("Justice", "Justice", "Justiz", "Justicia", "Giustizia"),
    ("Société", "Society", "Gesellschaft", "Sociedad", "Società"),
    ("Immobilier", "Real estate", "Immobilien", "Inmobiliario", "Immobiliare"),
    ("Automobile", "Cars", "Auto", "Motor", "Motori"),
    ("Opinions", "Opinion", "Meinung", "Opinión", "Opinioni"),
    ("Régions", "Regions", "Regionen", "Regiones", "Regioni"),
)


def _bank(text: str) -> tuple[str, ...]:
    return tuple(text.split())


WORDS: dict[str, tuple[str, ...]] = {
    "fr": _bank(
        "le gouvernement a annoncé mardi une réforme des retraites après des mois de négociations "
        "avec les syndicats selon le ministère les dépenses publiques ont augmenté de trois pour cent "
        "l’été dernier à Paris où les élus régionaux se sont réunis pour débattre du budget "
        "les économistes prévoient une croissance modérée malgré l’inflation qui pèse sur les ménages "
        "français la présidente a déclaré que la transition écologique était « une priorité absolue » "
        "dans les écoles les enseignants réclament davantage de moyens pour l’éducation prioritaire "
        "le théâtre de l’Odéon accueille une création très attendue cette saison"
    ),
    "en": _bank(
        "the government announced on tuesday a sweeping overhaul of pension rules after months of talks "
        "with unions according to the ministry public spending rose by three percent last summer in "
        "london where regional officials met to debate the budget economists expect moderate growth "
        "despite inflation that weighs on households the president said the green transition was "
        "“an absolute priority” teachers in state schools are asking for more resources while the "
        "national theatre opens a long-awaited production this season"
    ),
    "de": _bank(
        "die Regierung kündigte am Dienstag eine umfassende Rentenreform nach monatelangen Verhandlungen "
        "mit den Gewerkschaften an laut Ministerium stiegen die öffentlichen Ausgaben im letzten Sommer "
        "um drei Prozent in München trafen sich die Abgeordneten um über den Haushalt zu beraten "
        "Ökonomen erwarten ein mäßiges Wachstum trotz der Inflation die auf den Haushalten lastet "
        "die Präsidentin sagte die ökologische Wende sei „eine absolute Priorität“ Lehrkräfte fordern "
        "mehr Mittel für die Schulen während das Theater eine lang erwartete Premiere zeigt"
    ),
    "es": _bank(
        "el gobierno anunció el martes una amplia reforma de las pensiones tras meses de negociaciones "
        "con los sindicatos según el ministerio el gasto público aumentó un tres por ciento el verano "
        "pasado en Madrid donde los concejales se reunieron para debatir el presupuesto los economistas "
        "prevén un crecimiento moderado pese a la inflación que pesa sobre los hogares españoles la "
        "presidenta afirmó que la transición ecológica era «una prioridad absoluta» los profesores "
        "piden más recursos para la educación mientras el teatro estrena una obra muy esperada"
    ),
    "it": _bank(
        "il governo ha annunciato martedì un’ampia riforma delle pensioni dopo mesi di trattative con "
        "i sindacati secondo il ministero la spesa pubblica è aumentata del tre per cento l’estate "
        "scorsa a Roma dove i consiglieri regionali si sono riuniti per discutere il bilancio gli "
        "economisti prevedono una crescita moderata nonostante l’inflazione che pesa sulle famiglie "
        "la presidente ha dichiarato che la transizione ecologica è «una priorità assoluta» gli "
        "insegnanti chiedono più risorse per la scuola mentre il teatro presenta una prima attesa"
    ),
}
NAMES = (
    "Claire Martin", "Hugo Lefèvre", "Lena Vogt", "Tom Reyes", "José Núñez", "Giulia Rossi",
    "Sam Okafor", "Anaïs Durand", "Jürgen Müller", "María Fernández", "Chloé Béranger", "Luca Bianchi",
)  # fmt: skip
BYLINE_WORD = {"fr": "par", "en": "by", "de": "von", "es": "por", "it": "di"}
AND_WORD = {"fr": "et", "en": "and", "de": "und", "es": "y", "it": "e"}
INLINE = (
    "<em>{}</em>",
    "<strong>{}</strong>",
    '<a href="/archives/{slug}">{}</a>',
    '<a href="https://example.com/{slug}?utm_source=rss&amp;utm_medium=feed">{}</a>',
    "{} &amp; co",
    "{}&nbsp;%",
    "&laquo;&nbsp;{}&nbsp;&raquo;",
    "{}&#8230;",
    '<span style="color:red" onclick="track()">{}</span>',
)
BOILERPLATE = (
    "LIRE LA SUITE :",
    "Related Articles",
    "This website uses cookies to improve your experience. We'll assume you're ok with this, "
    "but you can opt-out if you wish. Accept Read More",
)


@dataclass(frozen=True)
class Generated:
    """What one call wrote, so the runner can state the mix it measured."""

    directory: Path
    records: int
    json_records: int
    txt_records: int
    invalid_records: int
    bytes: int


def _rng(seed: int, i: int, salt: int = 0) -> random.Random:
    return random.Random(seed * 1_000_003 + i * 7_919 + salt)


def _sentence(rng: random.Random, lang: str, words: int, *, markup: bool = True) -> str:
    bank = WORDS[lang]
    parts = [rng.choice(bank) for _ in range(words)]
    k = rng.randrange(len(parts))
    if markup and rng.random() < 0.5:
        parts[k] = rng.choice(INLINE).format(parts[k], slug=f"a{rng.randrange(10**6)}")
    text = " ".join(parts)
    return text[0].upper() + text[1:] + rng.choice((".", ".", ".", " ?", " !", "…"))


def _paragraphs(rng: random.Random, lang: str, size: int, *, markup: bool = True) -> list[str]:
    out: list[str] = []
    total = 0
    while total < size:
        sentences = range(rng.randrange(2, 6))
        para = " ".join(_sentence(rng, lang, rng.randrange(8, 26), markup=markup) for _ in sentences)
        out.append(para)
        total += len(para.encode()) + 7
    return out


def _slug(text: str) -> str:
    keep = "".join(c if c.isalnum() else "-" for c in text.lower())
    return "-".join(p for p in keep.split("-") if p)[:60]


def _date(rng: random.Random, i: int) -> datetime:
    # Older records first in file order, with jitter, so "newest" is a real cut.
    base = EPOCH - timedelta(days=SPAN_DAYS)
    return base + timedelta(seconds=int(i * 97 + rng.randrange(0, 3600 * 20)))


def record(i: int, *, seed: int = SEED, edit: int = 0) -> dict[str, Any]:
    """Record i as a CMS would export it; `edit` > 0 is a later revision of the same article."""
    rng = _rng(seed, i)
    lang = LANGS[i % len(LANGS)] if rng.random() < 0.8 else rng.choice(LANGS)
    section = rng.randrange(len(SECTIONS))
    label = SECTIONS[section][LANGS.index(lang)]
    title = _sentence(rng, lang, rng.randrange(6, 14), markup=False).rstrip(".!? …")
    paras = _paragraphs(rng, lang, rng.randrange(3000, 8000))
    if edit:
        paras.append(f"Mise à jour {edit} : correction apportée à cet article.")
    body = "".join(
        f"<h2>{p[:40]}</h2>" if k and rng.random() < 0.1 else f"<p>{p}</p>" for k, p in enumerate(paras)
    )
    published = _date(rng, i)
    url = f"{BASE}/{_slug(SECTIONS[section][1])}/{_slug(title)}-{i}"
    n_authors = rng.choice((0, 1, 1, 1, 2, 2, 3))
    authors = rng.sample(NAMES, n_authors)
    related = [
        {"url": f"{BASE}/archives/{rng.randrange(i + 1)}", "title": _sentence(rng, lang, 6, markup=False)}
        for _ in range(rng.randrange(0, 6))
    ]
    tags = sorted({rng.choice(WORDS[lang]).strip("«»“”„") for _ in range(rng.randrange(0, 6))} - {""})
    style = i % 3
    rec: dict[str, Any]
    if style == 0:  # a clean export
        rec = {
            "id": f"bench-{i:07d}",
            "title": title,
            "url": url,
            "published": published.isoformat(),
            "authors": [{"name": n} for n in authors],
            "category": label,
            "tags": tags,
            "language": lang,
            "summary": paras[0][:200],
            "content_html": body,
            "related": related,
        }
    elif style == 1:  # another CMS's names, a shouted section and tracking parameters
        rec = {
            "guid": f"bench-{i:07d}",
            "headline": f"{title} | Le Monde en Bref",
            "permalink": url + "?utm_source=newsletter&utm_medium=email",
            "datePublished": published.strftime("%a, %d %b %Y %H:%M:%S +0000"),
            "byline": f" {AND_WORD[lang]} ".join(authors) if authors else "",
            "section": label.upper(),
            "keywords": ", ".join(tags),
            "lang": lang,
            "description": paras[0][:160],
            "body": body + "<script>trackPageView()</script>",
            "related_links": [r["url"] for r in related],
        }
    else:  # entities in the title, HTML in the summary, no summary at all sometimes
        rec = {
            "article_id": f"bench-{i:07d}",
            "name": title.replace("’", "&rsquo;").replace("'", "&#39;"),
            "link": url,
            "date": published.strftime("%Y-%m-%d %H:%M"),
            "author": authors[0] if authors else None,
            "categories": [label, SECTIONS[(section + 1) % len(SECTIONS)][LANGS.index(lang)]],
            "inLanguage": lang,
            "excerpt": f"<p>{paras[0][:180]}</p>" if rng.random() < 0.7 else "",
            "html": body,
            "see_also": related,
        }
    if edit:
        rec["dateModified" if style == 1 else "updated"] = (published + timedelta(days=edit)).isoformat()
    if rng.random() < 0.5:
        rec["image"] = {
            "url": f"/img/{i}.jpg",
            "alt": _sentence(rng, lang, 5, markup=False),
            "type": "image/jpeg",
            "width": 1200,
            "height": 675,
        }
    return rec


def invalid_record(i: int, *, seed: int = SEED) -> str:
    """One JSONL line a publisher gets wrong: broken JSON, no title and no body, a bad URL."""
    rng = _rng(seed, i, salt=1)
    kind = rng.randrange(3)
    if kind == 0:
        return f'{{"id": "bench-broken-{i}", "title": "Unterminated'
    if kind == 1:
        return json.dumps({"id": f"bench-{i:07d}", "title": "", "content_html": "", "url": "x"})
    return json.dumps({"id": f"bench-{i:07d}", "title": "<>", "url": "javascript:alert(1)", "body": "."})


_NO_GUILLEMETS = str.maketrans("", "", "«»")  # a » in a title would read as a breadcrumb step


def raw_text(i: int, *, seed: int = SEED) -> str:
    """A scraped article like config/samples/000_1b07a81e69550a1b.txt."""
    rng = _rng(seed, i)
    lang = rng.choice(LANGS)
    section = SECTIONS[rng.randrange(len(SECTIONS))][LANGS.index(lang)]
    title = _sentence(rng, lang, rng.randrange(8, 16), markup=False).translate(_NO_GUILLEMETS)
    title = " ".join(title.split())
    paras = _paragraphs(rng, lang, rng.randrange(3000, 8000), markup=False)  # scraping lost the markup
    byline = BYLINE_WORD[lang] + (" " + rng.choice(NAMES) if rng.random() < 0.7 else "")
    lines = [f"Home » {section.upper()} » {title}", title, byline, *paras, *BOILERPLATE[rng.randrange(3) :]]
    return "\n\n".join(lines)


def generate(
    out: Path, records: int, *, seed: int = SEED, clean: bool = True, spread: bool = False
) -> Generated:
    """Write `records` records into `out`: JSONL files of PER_FILE records plus .txt files.

    Broken records go to a small invalid-NNNNN.jsonl beside each block, or with
    `spread`, among the good ones. The difference matters: syndicator re-reads
    every file holding a rejected record on every run, so spread-out bad lines
    turn a no-change run into a full re-read.
    """
    if clean and out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    json_n = txt_n = bad_n = size = 0
    for start in range(0, records, PER_FILE):
        lines: list[str] = []
        bad: list[str] = []
        for i in range(start, min(records, start + PER_FILE)):
            if i % TXT_EVERY == TXT_EVERY - 1:
                data = raw_text(i, seed=seed).encode()
                (out / f"raw-{i:07d}.txt").write_bytes(data)
                txt_n += 1
                size += len(data)
            elif i % INVALID_EVERY == 17:
                (lines if spread else bad).append(invalid_record(i, seed=seed))
                bad_n += 1
            else:
                lines.append(json.dumps(record(i, seed=seed), ensure_ascii=False))
                json_n += 1
        data = ("\n".join(lines) + "\n").encode()
        (out / f"records-{start // PER_FILE:05d}.jsonl").write_bytes(data)
        size += len(data)
        if bad:
            data = ("\n".join(bad) + "\n").encode()
            (out / f"invalid-{start // PER_FILE:05d}.jsonl").write_bytes(data)
            size += len(data)
    return Generated(out, records, json_n, txt_n, bad_n, size)


LAYOUTS = ("files", "one-file", "many-files")


def relayout(generated: Path, out: Path, layout: str) -> Path:
    """The same records in another file layout, for the memory and speed scenarios.

    `files`: as `generate` writes them (JSONL files of PER_FILE records);
    `one-file`: every JSON line in one `records.jsonl` (640 MB at 100,000 records);
    `many-files`: one `.json` file per JSON line (100,000 files at 100,000 records).
    The scraped `.txt` articles stay files of their own in every layout (hard links).
    """
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}: one of {', '.join(LAYOUTS)}")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    jsonl = sorted(generated.glob("*.jsonl"), key=lambda p: (p.name.split("-")[1], p.name))
    for txt in sorted(generated.glob("*.txt")):
        (out / txt.name).hardlink_to(txt)
    if layout == "files":
        for path in jsonl:
            (out / path.name).hardlink_to(path)
    elif layout == "one-file":
        with (out / "records.jsonl").open("wb") as big:
            for path in jsonl:
                with path.open("rb") as part:
                    shutil.copyfileobj(part, big, 1 << 20)
    else:
        n = 0
        for path in jsonl:
            with path.open("rb") as part:
                for line in part:
                    if line.strip():
                        (out / f"{path.stem}-{n:07d}.json").write_bytes(line)
                        n += 1
    return out


def edited_file(out: Path, file_index: int, edit: int, *, seed: int = SEED, spread: bool = False) -> int:
    """Rewrite one JSONL file with a later revision of each of its valid records."""
    lines = []
    edited = 0
    for i in range(file_index * PER_FILE, (file_index + 1) * PER_FILE):
        if i % TXT_EVERY == TXT_EVERY - 1:
            continue
        if i % INVALID_EVERY == 17:
            if spread:
                lines.append(invalid_record(i, seed=seed))
            continue
        lines.append(json.dumps(record(i, seed=seed, edit=edit), ensure_ascii=False))
        edited += 1
    tmp = out / f".records-{file_index:05d}.tmp"
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(out / f"records-{file_index:05d}.jsonl")
    return edited


def new_records(start: int, count: int, *, seed: int = SEED) -> Iterator[dict[str, Any]]:
    """Records after the archive: newer than every generated one."""
    for i in range(start, start + count):
        rec = record(i, seed=seed)
        rec.pop("date", None), rec.pop("datePublished", None)
        rec["published"] = (EPOCH + timedelta(minutes=i - start + 1)).isoformat()
        yield rec


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--spread", action="store_true", help="broken records among the good ones")
    parser.add_argument(
        "--layout", choices=LAYOUTS, default="files", help="how the records are split in files"
    )
    args = parser.parse_args()
    if args.layout == "files":
        g = generate(args.out, args.records, seed=args.seed, spread=args.spread)
    else:
        staging = args.out.with_name(args.out.name + ".files")
        g = generate(staging, args.records, seed=args.seed, spread=args.spread)
        relayout(staging, args.out, args.layout)
        shutil.rmtree(staging)
    print(
        f"wrote {g.records} records ({g.json_records} JSON, {g.txt_records} txt, "
        f"{g.invalid_records} invalid), {g.bytes / 1e6:.1f} MB, in {g.directory}"
    )


if __name__ == "__main__":
    main()

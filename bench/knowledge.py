"""Benchmark of knowledge-base search: 5,000 Dutch articles, 200 searches, p50/p95 per database.

    .venv/bin/python bench/knowledge.py [--articles 5000] [--searches 200] [--seed 6]
        [--database-url postgres://postgres@127.0.0.1:5432/bench_knowledge]

1. SQLite: a fresh database in a temporary directory (KGLIJN_VAR_DIR), migrated;
   PostgreSQL (when --database-url is given or $BENCH_DATABASE_URL is set: database
   `bench_knowledge` on that server): dropped and created again - its name must start with
   "bench" - and migrated;
2. --articles realistic Dutch articles and answer templates are generated from a vocabulary of
   Kind en Gezin themes (seeded, the same on both databases: 90 % published, 7 % drafts, 3 %
   archived; 1-2 contact reasons each) and written in bulk (the search index follows: PostgreSQL's
   generated tsvector column, SQLite's FTS5 table refilled);
3. --searches searches as an agent types them (1-3 words from the vocabulary, a third with a
   topic filter) go through `kglijn.knowledge.selectors.article_search` - the same call the desk's
   search panel makes, ranking, filters and excerpts included - after 10 warm-up searches;
4. p50 / p95 / max per database, against the requirement: results in under 100 ms.

A markdown block goes to stdout and to bench/results/knowledge.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import scratch  # noqa: E402

RESULTS = ROOT / "bench" / "results"
KGLIJN = [sys.executable, "-m", "kglijn.cli"]
GOAL_MS = 100.0

# --- the vocabulary -------------------------------------------------------------------------

SUBJECTS = {
    "family_support": [
        "vaccinatie",
        "inenting",
        "vaccinatieschema",
        "consultatiebureau",
        "huisbezoek",
        "borstvoeding",
        "flesvoeding",
        "vaste voeding",
        "vitamine D",
        "veilig slapen",
        "slaapzak",
        "huilen",
        "koorts",
        "tandjes",
        "zindelijkheid",
        "startgesprek",
        "zwangerschap",
        "groeicurve",
        "ontwikkeling",
        "zorgmelding",
        "opvoeding",
        "peuter",
        "pasgeborene",
        "rotavirus",
        "mazelen",
        "kinkhoest",
        "allergie",
        "reflux",
        "darmkrampjes",
        "speen",
    ],
    "childcare": [
        "kinderopvang",
        "opvangplaats",
        "inkomenstarief",
        "ouderbijdrage",
        "attest inkomenstarief",
        "fiscaal attest",
        "vergunning",
        "kwalificatiebewijs",
        "kinderbegeleider",
        "groepsopvang",
        "gezinsopvang",
        "Loket kinderopvang",
        "opvangcontract",
        "verminderd tarief",
        "EHBO bij kinderen",
        "subsidie",
        "brandveiligheid",
        "pedagogisch beleid",
        "klacht",
        "ziek kind in de opvang",
    ],
    "": [
        "Groeipakket",
        "zorgtoeslag",
        "uitbetaler",
        "Kind en Gezin-Lijn",
        "privacy",
        "adoptie",
        "Mijn Burgerprofiel",
        "Vaccinnet",
        "doorverwijzing",
        "1712",
        "ONE",
        "referentie",
    ],
}
ASPECTS = [
    "aanvragen",
    "wanneer",
    "voor baby's",
    "voor peuters",
    "na de geboorte",
    "tijdens de zwangerschap",
    "bij tweelingen",
    "in Brussel",
    "veelgestelde vragen",
    "wat te doen",
    "kosten",
    "termijnen",
    "uitzonderingen",
    "voorwaarden",
    "bij een verhuis",
    "voor organisatoren",
    "voor ouders",
    "in de zomer",
    "bij ziekte",
    "na een vaccinatie",
]
SENTENCES = [
    "Vraag de ouder naar de leeftijd van het kind en de gemeente.",
    "Verwijs bij twijfel door naar de backoffice PGJO.",
    "Registreer het contact met de juiste contactreden.",
    "Meer informatie staat op kindengezin.be bij het thema {s}.",
    "Het consultatiebureau bespreekt {s} tijdens het volgende consult.",
    "Ouders kunnen {s} online regelen via Mijn Kind en Gezin.",
    "Voor {s} gelden andere afspraken in de kinderopvang.",
    "De verpleegkundige belt binnen twee werkdagen terug over {s}.",
    "Bij {s} is de huisarts het eerste aanspreekpunt.",
    "Een kinderbegeleider volgt de richtlijnen over {s}.",
    "Geef geen medisch advies over {s} aan de telefoon; verbind door.",
    "De uitbetaler van het Groeipakket beantwoordt vragen over {s}.",
    "Noteer geen gezondheidsgegevens in de gewone notities.",
    "Kind en Gezin biedt dit gratis aan voor elk kind dat in Vlaanderen woont.",
    "Zorg dat de ouder de referentie van het contact kent.",
    "Vraag bij {s} altijd naar de geboortedatum van het kind.",
    "Het lokale team plant een huisbezoek als de situatie dat vraagt.",
    "Dringende situaties: bel 112.",
]


def _phrase(rng: random.Random, topic: str) -> str:
    return rng.choice(SUBJECTS[topic])


def generate(count: int, seed: int) -> list[dict[str, Any]]:
    """The articles as plain dicts, deterministic for a seed."""
    rng = random.Random(seed)
    topics = list(SUBJECTS)
    rows = []
    for number in range(count):
        topic = rng.choices(topics, weights=[70, 20, 10])[0]
        kind = "template" if rng.random() < 0.3 else "article"
        subject = _phrase(rng, topic)
        title = f"{subject[0].upper()}{subject[1:]} {rng.choice(ASPECTS)}"
        if kind == "template":
            title = f"Antwoord: {title}"
        sentences = [
            rng.choice(SENTENCES).format(s=_phrase(rng, rng.choice(topics)))
            for _ in range(rng.randint(6, 30))
        ]
        paragraphs = [" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
        status = rng.choices(["published", "draft", "archived"], weights=[90, 7, 3])[0]
        rows.append(
            {
                "title": f"{title} ({number})",
                "body": "\n\n".join(paragraphs),
                "kind": kind,
                "topic": topic,
                "status": status,
            }
        )
    return rows


def queries(count: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed + 1)
    words = sorted({word for phrases in SUBJECTS.values() for p in phrases for word in p.split()})
    words = [word for word in words if len(word) >= 4]
    result = []
    for _ in range(count):
        text = " ".join(rng.sample(words, rng.choices([1, 2, 3], weights=[55, 35, 10])[0]))
        if rng.random() < 0.25:  # typed on the phone: a word cut short
            text = text[: max(4, len(text) - rng.randint(1, 3))]
        topic = rng.choice(["childcare", "family_support"]) if rng.random() < 0.33 else ""
        result.append((text, topic))
    return result


# --- measuring (in a child process that has its database) ------------------------------------


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def measure(articles: int, searches: int, seed: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kglijn.config.settings")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from kglijn.accounts.services import roles_sync, user_create_with_role
    from kglijn.contacts.models import Reason
    from kglijn.knowledge.models import Article
    from kglijn.knowledge.search import search_index_rebuild
    from kglijn.knowledge.selectors import article_search

    roles_sync()
    agent = user_create_with_role(
        username="bench-agent", password="bench-password-1", role_slug="front_office"
    )
    rows = generate(articles, seed)
    started = time.perf_counter()
    now = timezone.now()
    reasons = list(Reason.objects.values_list("pk", flat=True))
    rng = random.Random(seed + 2)
    with transaction.atomic():
        Article.objects.all().delete()
        created = Article.objects.bulk_create(
            [Article(**row, version=1, updated_at=now) for row in rows], batch_size=1000
        )
        through = Article.reasons.through
        through.objects.bulk_create(
            [
                through(article_id=article.pk, reason_id=reason)
                for article in created
                for reason in rng.sample(reasons, rng.randint(1, 2))
            ],
            batch_size=2000,
        )
        search_index_rebuild()
    load_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE knowledge_article")
            cursor.execute("SELECT version()")
            version_row = cursor.fetchone()
            database = version_row[0].split(" on ")[0] if version_row else "PostgreSQL"
    else:
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version}"

    plan = queries(searches + 10, seed)
    times: list[float] = []
    hits: list[int] = []
    for index, (text, topic) in enumerate(plan):
        begin = time.perf_counter()
        result = article_search(user=agent, text=text, topic=topic)
        elapsed = time.perf_counter() - begin
        if index >= 10:  # warm-up first
            times.append(elapsed)
            hits.append(len(result.hits))
    return {
        "database": database,
        "articles": articles,
        "published": sum(1 for row in rows if row["status"] == "published"),
        "load_seconds": load_seconds,
        "times": times,
        "hits": hits,
        "empty": sum(1 for n in hits if n == 0),
    }


def _child(env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    subprocess.run([*KGLIJN, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    completed = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--measure",
            "--articles",
            str(args.articles),
            "--searches",
            str(args.searches),
            "--seed",
            str(args.seed),
        ],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    figures: dict[str, Any] = json.loads(completed.stdout)
    return figures


def markdown(results: list[dict[str, Any]], args: argparse.Namespace, notes: list[str]) -> str:
    lines = [
        f"## Knowledge-base search — {args.articles:,} articles, {args.searches} searches",
        "",
        f"- machine: {scratch.machine()}; {dt.datetime.now():%Y-%m-%d %H:%M}; "
        f"load average {scratch.load_average()}",
        "- each search: `kglijn.knowledge.selectors.article_search` as the desk's panel calls it "
        "(full-text match, ranking, filters, the 20 best with their excerpts), 1-3 words, a "
        "quarter cut short as if still typing, a third with a topic filter; after 10 warm-ups",
        "",
        "| database | articles (published) | bulk load + index | p50 | p95 | max | mean hits "
        "| no hit | < 100 ms (p95) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        times = [t * 1000 for t in r["times"]]
        p95 = _percentile(times, 0.95)
        lines.append(
            f"| {r['database']} | {r['articles']:,} ({r['published']:,}) | "
            f"{r['load_seconds']:.1f} s | {_percentile(times, 0.5):.1f} ms | {p95:.1f} ms | "
            f"{max(times):.1f} ms | {sum(r['hits']) / len(r['hits']):.1f} | {r['empty']} | "
            f"{'**met**' if p95 < GOAL_MS else '**not met**'} |"
        )
    lines += ["", *notes]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.articles, args.searches, args.seed)))
        return 0

    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KGLIJN_VAR_DIR")}
    results = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="kglijn-bench-knowledge-") as scratch_dir:
        print("SQLite …", file=sys.stderr, flush=True)
        results.append(_child({**base, "KGLIJN_VAR_DIR": scratch_dir}, args))
    url = args.database_url or (
        scratch.on_server(os.environ["BENCH_DATABASE_URL"], "bench_knowledge")
        if os.environ.get("BENCH_DATABASE_URL")
        else ""
    )
    if url:
        print("PostgreSQL …", file=sys.stderr, flush=True)
        scratch.recreate_database(url)
        results.append(_child({**base, "DATABASE_URL": url}, args))
    else:
        notes.append("- PostgreSQL not measured: set BENCH_DATABASE_URL or --database-url.")
    text = markdown(results, args, notes)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "knowledge.md").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

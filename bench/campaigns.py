"""Benchmark of the survey campaigns (issue 20): the demo, a bureau's import, raking, weighted
means.

    .venv/bin/python bench/campaigns.py [--repeat 3] [--database-url postgresql://…/any]

Without --database-url it runs on the configured database (``make bench`` gives it a throwaway
SQLite database in a temporary KGLIJN_VAR_DIR, already migrated). With --database-url it
recreates and migrates the database ``bench_campaigns`` on that server and runs there.

1. The demo users, then the survey campaigns' demo at full scale
   (``kglijn.campaigns.demo.campaigns_demo_run``: 24,000 invited parents with 7,525 complete
   questionnaires and 743 drop-outs, the organisers' 1,445 of 2,634 through the bureau import),
   timed once.
2. The parents' 8,268 responses written out as a bureau's respondents file (36 columns: key,
   mode, complete, stopped at, date, 3 strata, 12 rated items × 2, 2 choices, the overall score,
   an open answer) and loaded into a bureau campaign with the same questionnaire and margins
   (``respondents_import``: parse, validate, replace the previous import, insert), the best of
   --repeat runs (every run after the first replaces the previous import).
3. ``analysis.weighting.rake`` of the 7,525 complete parents over the 3 stored margins, and the
   weighted overall score with its linearised SE (``estimates.weighted_mean``, stratified) plus
   every theme's weighted satisfaction read from the answers
   (``analysis.services.theme_satisfaction``), the best of --repeat runs each.

Figures that are clearly wrong exit 1 after the table: counts other than the source's, a
weighted overall score that does not round to 8.2, a margin missed by more than 0.1 %, an import
that loses a respondent. A markdown block goes to stdout (``make bench`` keeps it in
bench/results/).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import scratch  # noqa: E402

KGLIJN = [sys.executable, "-m", "kglijn.cli"]
PG_DATABASE = "bench_campaigns"
T = TypeVar("T")


def prepare(url: str | None) -> str:
    if url:
        target = scratch.on_server(url, PG_DATABASE)
        scratch.recreate_database(target)
        env = {**os.environ, "DATABASE_URL": target}
        subprocess.run([*KGLIJN, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
        os.environ["DATABASE_URL"] = target
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kglijn.config.settings")
    import django

    django.setup()
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]} (database {PG_DATABASE})"
        cursor.execute("select sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def best_of(repeat: int, work: Callable[[], T]) -> tuple[float, T]:
    best = float("inf")
    result: T | None = None
    for _i in range(repeat):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    assert result is not None
    return best, result


def bureau_file(campaign_pk: int) -> tuple[bytes, int, int]:
    """The campaign's responses as a bureau's respondents file: (content, rows, columns)."""
    from kglijn.campaigns.bureau.services import respondents_columns
    from kglijn.campaigns.models import Answer, Campaign, Mode, Response

    campaign = Campaign.objects.get(pk=campaign_pk)
    header = respondents_columns(campaign)
    modes = {Mode.WEB: "web", Mode.PHONE: "telefonisch", Mode.PAPER: "papier"}
    cells: dict[int, dict[str, str]] = defaultdict(dict)
    for (
        response_id,
        key,
        kind,
        satisfaction,
        importance,
        score,
        choice,
        text,
    ) in Answer.objects.filter(response__campaign=campaign).values_list(
        "response_id",
        "item__key",
        "item__kind",
        "satisfaction",
        "importance",
        "score",
        "choice",
        "text",
    ):
        row = cells[response_id]
        if kind == "rated":
            row[f"{key}_tevredenheid"] = "" if satisfaction is None else str(satisfaction)
            row[f"{key}_belang"] = "" if importance is None else str(importance)
        else:
            row[key] = str(score) if kind == "overall" else (choice or text)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    count = 0
    for response in Response.objects.filter(campaign=campaign).order_by("pk"):
        values = {
            "sleutel": f"B{response.pk}",
            "wijze": modes[response.mode],
            "volledig": "ja" if response.completed_at else "nee",
            "gestopt_bij": "" if response.completed_at else str(response.last_position or ""),
            "ingevuld_op": response.started_at.date().isoformat(),
            **response.strata,
            **cells[response.pk],
        }
        writer.writerow([values.get(name, "") for name in header])
        count += 1
    return buffer.getvalue().encode(), count, len(header)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    database = prepare(args.database_url)

    from kglijn.campaigns.analysis.estimates import weighted_mean
    from kglijn.campaigns.analysis.services import theme_satisfaction
    from kglijn.campaigns.analysis.weighting import rake
    from kglijn.campaigns.bureau.services import margins_import, respondents_import
    from kglijn.campaigns.demo import PARENTS_CAMPAIGN, campaigns_demo_run
    from kglijn.campaigns.models import (
        Answer,
        Campaign,
        Design,
        PopulationCount,
        PopulationKind,
        Response,
    )
    from kglijn.demo.services import DEFAULT_SEED
    from kglijn.demo.users import demo_users_ensure

    repeat = max(1, args.repeat)
    problems: list[str] = []
    rows: list[tuple[str, str, str]] = []
    started_at = dt.datetime.now(dt.UTC)
    load = scratch.load_average()

    demo_users_ensure()
    started = time.perf_counter()
    demo = campaigns_demo_run(seed=DEFAULT_SEED, scale=1.0)
    rows.append(
        (
            "campaigns demo, full scale (`campaigns_demo_run`)",
            f"{time.perf_counter() - started:.2f}",
            f"parents {demo.counts.parents_complete:,} + {demo.counts.parents_dropouts:,} "
            f"drop-outs of {demo.counts.parents_sample:,} invited, weighted overall "
            f"{demo.parents_score:.3f}; organisers {demo.counts.organisers_complete:,} of "
            f"{demo.counts.organisers_invited:,}, {demo.organisers_score:.3f}",
        )
    )
    if (demo.counts.parents_complete, demo.counts.parents_dropouts) != (7525, 743):
        problems.append("the parents' counts are not the source's")
    if round(demo.parents_score, 1) != 8.2 or round(demo.organisers_score, 1) != 6.8:
        problems.append("a weighted overall score is not the source's")

    parents = Campaign.objects.get(name=PARENTS_CAMPAIGN)
    content, count, columns = bureau_file(parents.pk)
    bureau = Campaign.objects.create(
        name="Bench: de ouders als bureaubestand",
        audience=parents.audience,
        version=parents.version,
        population_kind=PopulationKind.BUREAU,
        strata_variables=list(parents.strata_variables),
        design=Design.STRATIFIED_MINIMUM,
    )
    margins = "variabele;categorie;populatie\n" + "".join(
        f"{m.variable};{m.category};{m.count}\n"
        for m in PopulationCount.objects.filter(campaign=parents)
    )
    margins_import(campaign=bureau, by=None, margins=margins.encode(), margins_name="m.csv")
    seconds, result = best_of(
        repeat,
        lambda: respondents_import(
            campaign=bureau, by=None, content=content, file_name="ouders.csv"
        ),
    )
    answers = Answer.objects.filter(response__campaign=bureau).count()
    rows.append(
        (
            "bureau import (`respondents_import`)",
            f"{seconds:.2f}",
            f"{count:,} rows × {columns} columns ({len(content) / 1e6:.1f} MB): "
            f"{result.complete:,} complete, {result.dropouts:,} drop-outs, {answers:,} answers",
        )
    )
    if result.complete + result.dropouts != count or result.complete != 7525:
        problems.append("the import lost respondents")

    complete = list(
        Response.objects.filter(campaign=parents, completed_at__isnull=False)
        .order_by("pk")
        .values_list("pk", "strata", "stratum")
    )
    strata = [values for _pk, values, _s in complete]
    margin_map: dict[str, dict[str, int]] = defaultdict(dict)
    for m in PopulationCount.objects.filter(campaign=parents):
        margin_map[m.variable][m.category] = m.count
    seconds, raked = best_of(repeat, lambda: rake(strata, margin_map))
    rows.append(
        (
            "raking (`weighting.rake`)",
            f"{seconds:.3f}",
            f"{len(strata):,} respondents, {len(margin_map)} margins "
            f"({sum(len(c) for c in margin_map.values())} categories); largest miss "
            f"{100 * raked.max_relative_error:.4f} %, efficiency {raked.efficiency_pct:.1f} %",
        )
    )
    if raked.max_relative_error > 0.001:
        problems.append("raking misses a margin by more than 0.1 %")
    scores = dict(
        Answer.objects.filter(
            response__campaign=parents, response__completed_at__isnull=False, item__key="algemeen"
        ).values_list("response_id", "score")
    )
    weights = [float(w) for w in raked.weights]

    def overall() -> object:
        return weighted_mean(
            [float(scores[pk]) for pk, _v, _s in complete],
            weights,
            [stratum for _pk, _v, stratum in complete],
        )

    seconds, estimate = best_of(repeat, overall)
    rows.append(
        (
            "weighted overall score (`estimates.weighted_mean`, stratified)",
            f"{seconds:.3f}",
            f"{estimate.mean:.3f} ± {1.96 * estimate.se:.3f}, deff {estimate.deff:.2f}",  # type: ignore[attr-defined]
        )
    )
    if round(estimate.mean, 1) != 8.2:  # type: ignore[attr-defined]
        problems.append("the re-raked weighted overall score does not round to 8.2")
    seconds, themes = best_of(repeat, lambda: theme_satisfaction(parents))
    rows.append(
        (
            "theme scores from the answers (`theme_satisfaction`, every theme)",
            f"{seconds:.3f}",
            ", ".join(f"{key} {value.mean:.2f}" for key, value in themes.items()),
        )
    )

    print(
        f"## Survey campaigns (issue 20) — `bench/campaigns.py` — {started_at:%Y-%m-%d %H:%M} UTC"
    )
    print()
    print(f"Machine: {scratch.machine()}; database: {database}; load average at the start {load}.")
    print(f"Best of {repeat} runs (the demo once).")
    print()
    print("| what | seconds | figures |")
    print("|---|---:|---|")
    for what, value, figures in rows:
        print(f"| {what} | {value} | {figures} |")
    if problems:
        print()
        for problem in problems:
            print(f"PROBLEM: {problem}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

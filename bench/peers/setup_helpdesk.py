"""Peer benchmark: django-helpdesk's reports on N tickets, in a throwaway environment.

    python3 bench/peers/setup_helpdesk.py [--tickets 100000,1000000] [--runs 3]
        [--database-url postgres://postgres@127.0.0.1:5432/bench_helpdesk] [--json OUT]

What it does (nothing of it is committed but this script):
1. creates the venv `bench/peers/.venv-helpdesk` (gitignored) and pip-installs django-helpdesk
   and psycopg there, unless already done;
2. writes a minimal Django project for it inside that venv directory (settings, urls);
3. re-runs itself with the venv's Python, and for each size: drops and recreates the PostgreSQL
   database (its name must start with "bench"), migrates, makes a staff user, 3 queues and 5
   agents, loads N tickets with COPY (created uniform over 2019-2023, random status, priority,
   queue, assignee), ANALYZEs, and times with Django's test client (staff user logged in) its
   statistics pages: `/helpdesk/reports/` (the reports index with its summary figures) and the
   reports "Queue by Month" (`queuemonth`) and "Queue by Status" (`queuestatus`) - one cold
   request, then `--runs` warm ones (p50 and max).
Prints the figures as JSON on stdout (and to --json), progress on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv-helpdesk"
PROJECT = VENV / "project"
PACKAGES = ["django-helpdesk>=2.6,<2.7", "psycopg[binary]>=3.2"]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_helpdesk"
PAGES = {
    "reports index": "/helpdesk/reports/",
    "queue by month": "/helpdesk/reports/queuemonth/",
    "queue by status": "/helpdesk/reports/queuestatus/",
}

SETTINGS = """\
import os
from urllib.parse import urlparse

_url = urlparse(os.environ["HELPDESK_DATABASE_URL"])
SECRET_KEY = "bench-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "helpdesk",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "bench_helpdesk_urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
DATABASES = {"default": {
    "ENGINE": "django.db.backends.postgresql",
    "NAME": _url.path.lstrip("/"),
    "USER": _url.username or "postgres",
    "PASSWORD": _url.password or "",
    "HOST": _url.hostname or "127.0.0.1",
    "PORT": _url.port or 5432,
}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Europe/Brussels"
SITE_ID = 1
STATIC_URL = "/static/"
LOGIN_URL = "/login/"
HELPDESK_TEAMS_MODE_ENABLED = False
"""

URLS = """\
from django.urls import include, path

urlpatterns = [path("helpdesk/", include("helpdesk.urls", namespace="helpdesk"))]
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ensure_environment() -> Path:
    python = VENV / "bin" / "python"
    stamp = VENV / ".installed"
    if not stamp.exists():
        log(f"creating {VENV} and installing {' '.join(PACKAGES)}")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", *PACKAGES],
            check=True,
        )
        stamp.touch()
    PROJECT.mkdir(parents=True, exist_ok=True)
    (PROJECT / "bench_helpdesk_settings.py").write_text(SETTINGS)
    (PROJECT / "bench_helpdesk_urls.py").write_text(URLS)
    return python


def recreate_database(url: str) -> None:
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name.startswith("bench"):
        raise SystemExit(f"refusing to drop database {name!r}: its name must start with 'bench'")
    common = ["-h", parsed.hostname or "127.0.0.1", "-U", parsed.username or "postgres"]
    if parsed.port:
        common += ["-p", str(parsed.port)]
    env = {**os.environ, **({"PGPASSWORD": parsed.password} if parsed.password else {})}
    subprocess.run(["dropdb", *common, "--if-exists", "--force", name], check=True, env=env)
    subprocess.run(["createdb", *common, name], check=True, env=env)


def _load_tickets(n: int, seed: int) -> None:
    import datetime as dt
    import uuid
    from zoneinfo import ZoneInfo

    from django.contrib.auth import get_user_model
    from django.db import connection
    from helpdesk.models import Queue, Ticket  # type: ignore[import-not-found]

    user_model = get_user_model()
    agents = [
        user_model.objects.create_user(f"agent{i}", password="x", is_staff=True) for i in range(5)
    ]
    queues = [
        Queue.objects.create(title=title, slug=slug)
        for title, slug in (("Front", "front"), ("PGJO", "pgjo"), ("Childcare", "childcare"))
    ]
    rng = random.Random(seed)
    tz = ZoneInfo("Europe/Brussels")
    start = int(dt.datetime(2019, 1, 1, tzinfo=tz).timestamp())
    span = int(dt.datetime(2024, 1, 1, tzinfo=tz).timestamp()) - start
    statuses = [value for value, _label in Ticket.STATUS_CHOICES]
    columns = (
        "title",
        "queue_id",
        "created",
        "modified",
        "submitter_email",
        "assigned_to_id",
        "status",
        "on_hold",
        "priority",
        "secret_key",
    )
    secret = str(uuid.UUID(int=rng.getrandbits(128)))  # one is enough for a report benchmark
    with connection.cursor() as cursor:
        copy_sql = f"COPY helpdesk_ticket ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for i in range(n):
                created = start + int(rng.random() * span)
                modified = created + int(rng.random() * 30 * 86_400)
                agent = rng.choice(agents).pk if rng.random() < 0.8 else None
                copy.write_row(
                    (
                        f"Question {i}",
                        queues[rng.randrange(3)].pk,
                        dt.datetime.fromtimestamp(created, dt.UTC),
                        dt.datetime.fromtimestamp(modified, dt.UTC),
                        f"parent{i % 50_000}@example.org",
                        agent,
                        rng.choice(statuses),
                        False,
                        rng.randint(1, 5),
                        secret,
                    )
                )
        cursor.execute("ANALYZE")


def _time_pages(runs: int) -> dict[str, dict[str, float]]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    boss = get_user_model().objects.create_superuser("boss", "boss@example.org", "x")
    client = Client()
    client.force_login(boss)
    figures: dict[str, dict[str, float]] = {}
    for label, url in PAGES.items():
        times = []
        for _ in range(runs + 1):
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
        warm = times[1:]
        figures[label] = {
            "url": url,  # type: ignore[dict-item]
            "cold_ms": round(times[0] * 1000, 1),
            "p50_ms": round(statistics.median(warm) * 1000, 1),
            "max_ms": round(max(warm) * 1000, 1),
            "runs": runs,
        }
        log(f"  {label}: cold {times[0]:.2f} s, warm p50 {statistics.median(warm):.2f} s")
    return figures


def inner(sizes: list[int], runs: int, url: str, seed: int) -> dict[str, object]:
    """Runs inside the throwaway venv: one fresh database per size."""
    os.environ["HELPDESK_DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_helpdesk_settings"
    sys.path.insert(0, str(PROJECT))
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    import warnings

    import helpdesk  # type: ignore[import-not-found]

    # helpdesk's own date arithmetic on the reports index makes naive datetimes: not our noise.
    warnings.filterwarnings("ignore", message="DateTimeField .* received a naive datetime")

    results: dict[str, object] = {
        "django": django.get_version(),
        "helpdesk": getattr(helpdesk, "__version__", None) or _dist_version("django-helpdesk"),
        "sizes": {},
    }
    for n in sizes:
        connection.close()
        recreate_database(url)
        call_command("migrate", verbosity=0, interactive=False)
        started = time.perf_counter()
        _load_tickets(n, seed)
        load_seconds = time.perf_counter() - started
        log(f"helpdesk: {n:,} tickets loaded in {load_seconds:.1f} s")
        results["sizes"][str(n)] = {  # type: ignore[index]
            "load_seconds": round(load_seconds, 1),
            "pages": _time_pages(runs),
        }
    connection.close()
    return results


def _dist_version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", default="100000,1000000")
    parser.add_argument("--runs", type=int, default=3, help="warm runs per page")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_HELPDESK_DATABASE_URL", DEFAULT_URL)
    )
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(size) for size in args.tickets.split(",") if size]
    if args.inner:
        print(json.dumps(inner(sizes, args.runs, args.database_url, args.seed)))
        return 0
    python = ensure_environment()
    completed = subprocess.run(
        [
            str(python),
            str(Path(__file__).resolve()),
            "--inner",
            "--tickets",
            args.tickets,
            "--runs",
            str(args.runs),
            "--seed",
            str(args.seed),
            "--database-url",
            args.database_url,
        ],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    print(completed.stdout, end="")
    if args.json:
        Path(args.json).write_text(completed.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Settings from the environment: secure in production, refusing to start without a secret."""

from __future__ import annotations

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import dj_database_url
import pytest

ROOT = Path(__file__).resolve().parents[2]
KGLIJN = Path(sys.executable).with_name("kglijn")


def _env(**overrides: str) -> dict[str, str]:
    """A clean environment: only what a process needs to run, plus the overrides.

    Not a copy of os.environ: other tests set variables (e.g. DJANGO_ALLOW_ASYNC_UNSAFE for
    Playwright) that would change what the subprocess's settings and checks see.
    """
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(overrides)
    return env


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed argv, our own console script
        [str(KGLIJN), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _random_secret(length: int = 60) -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def test_check_deploy_is_clean_in_production(tmp_path: Path) -> None:
    # given production with a 60-character random secret and one allowed host
    env = _env(
        KGLIJN_ENV="production",
        SECRET_KEY=_random_secret(),
        KGLIJN_TELEPHONY_SECRET=_random_secret(40),
        ALLOWED_HOSTS="kglijn.example.be",
        KGLIJN_VAR_DIR=str(tmp_path),
    )
    # when Django's deployment checklist runs, failing on warnings
    result = _run("check", "--deploy", "--fail-level", "WARNING", env=env)
    # then it passes without a single issue
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr


@pytest.mark.parametrize(
    "secret",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("too-short-secret", id="short"),
    ],
)
def test_production_refuses_to_start_without_a_real_secret(
    tmp_path: Path, secret: str | None
) -> None:
    overrides = {
        "KGLIJN_ENV": "production",
        "ALLOWED_HOSTS": "kglijn.example.be",
        "KGLIJN_VAR_DIR": str(tmp_path),
    }
    if secret is not None:
        overrides["SECRET_KEY"] = secret
    result = _run("check", env=_env(**overrides))
    assert result.returncode != 0
    assert (
        "ImproperlyConfigured: KGLIJN_ENV=production needs SECRET_KEY (50+ random characters)."
        in result.stderr
    )


def test_production_switches_debug_off_and_hardens_cookies(tmp_path: Path) -> None:
    env = _env(
        KGLIJN_ENV="production",
        SECRET_KEY=_random_secret(),
        KGLIJN_TELEPHONY_SECRET=_random_secret(40),
        ALLOWED_HOSTS="kglijn.example.be",
        KGLIJN_VAR_DIR=str(tmp_path),
    )
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.ALLOWED_HOSTS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000)"
    )
    result = _run("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['kglijn.example.be'] True True True True"


def test_development_default_is_sqlite_under_var(tmp_path: Path) -> None:
    env = _env(KGLIJN_VAR_DIR=str(tmp_path))
    code = (
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['ENGINE'], d['NAME'], s.DEBUG, s.LANGUAGE_CODE, s.TIME_ZONE)"
    )
    result = _run("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        str(tmp_path / "kglijn.sqlite3"),
        "False",  # never the debug page (settings, paths) unless DEBUG=1 is set (issue 13)
        "nl-be",
        "Europe/Brussels",
    ]


def test_database_url_selects_postgresql(tmp_path: Path) -> None:
    # Only reads settings; no connection is opened.
    env = _env(
        DATABASE_URL="postgres://kg:secret@db.example.be:6543/kglijn",
        KGLIJN_VAR_DIR=str(tmp_path),
    )
    code = (
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['ENGINE'], d['NAME'], d['USER'], d['HOST'], d['PORT'], d['CONN_MAX_AGE'], "
        "d['OPTIONS']['pool']['max_size'], d['OPTIONS']['pool']['timeout'], "
        "d['OPTIONS']['connect_timeout'])"
    )
    result = _run("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "kglijn",
        "kg",
        "db.example.be",
        "6543",
        "0",  # no persistent connections under ASGI: a pool per server process instead
        "8",
        "5",  # seconds waiting for a pooled connection: fail fast when the database is down
        "3",  # libpq connect_timeout
    ]


def test_debug_only_when_asked_for_explicitly(tmp_path: Path) -> None:
    code = "from django.conf import settings as s; print(s.DEBUG)"
    asked = _run(
        "shell", "--no-imports", "-c", code, env=_env(KGLIJN_VAR_DIR=str(tmp_path), DEBUG="1")
    )
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout.strip() == "True"


def test_dj_database_url_parses_postgres_scheme() -> None:
    parsed = dj_database_url.parse("postgres://root@127.0.0.1:5432/root")
    assert parsed["ENGINE"] == "django.db.backends.postgresql"
    assert (parsed["NAME"], parsed["USER"], parsed["HOST"], parsed["PORT"]) == (
        "root",
        "root",
        "127.0.0.1",
        5432,
    )


def test_a_new_var_dir_is_made_for_the_embedded_database(tmp_path: Path) -> None:
    var_dir = tmp_path / "not" / "there" / "yet"
    result = _run("migrate", "--noinput", "-v", "0", env=_env(KGLIJN_VAR_DIR=str(var_dir)))

    assert result.returncode == 0, result.stderr
    assert (var_dir / "kglijn.sqlite3").is_file()

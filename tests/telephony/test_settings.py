"""KGLIJN_TELEPHONY_SECRET: an embedded default for development, required in production."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.test_settings import _env, _random_secret, _run


@pytest.mark.parametrize(
    "secret",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("short-telephony-secret", id="short"),
        pytest.param("dev-only-telephony-secret-change-me-" + "x" * 28, id="the-dev-default"),
    ],
)
def test_production_refuses_to_start_without_a_real_telephony_secret(
    tmp_path: Path, secret: str | None
) -> None:
    overrides = {
        "KGLIJN_ENV": "production",
        "SECRET_KEY": _random_secret(),
        "ALLOWED_HOSTS": "kglijn.example.be",
        "KGLIJN_VAR_DIR": str(tmp_path),
    }
    if secret is not None:
        overrides["KGLIJN_TELEPHONY_SECRET"] = secret
    result = _run("check", env=_env(**overrides))
    assert result.returncode != 0
    assert "KGLIJN_ENV=production needs KGLIJN_TELEPHONY_SECRET" in result.stderr


def test_production_takes_the_telephony_secret_from_the_environment(tmp_path: Path) -> None:
    secret = _random_secret(40)
    env = _env(
        KGLIJN_ENV="production",
        SECRET_KEY=_random_secret(),
        KGLIJN_TELEPHONY_SECRET=secret,
        ALLOWED_HOSTS="kglijn.example.be",
        KGLIJN_VAR_DIR=str(tmp_path),
    )
    code = "from django.conf import settings as s; print(len(s.KGLIJN_TELEPHONY_SECRET))"
    result = _run("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "40"


def test_development_has_a_working_default(tmp_path: Path) -> None:
    code = "from django.conf import settings as s; print(len(s.KGLIJN_TELEPHONY_SECRET) >= 32)"
    result = _run("shell", "--no-imports", "-c", code, env=_env(KGLIJN_VAR_DIR=str(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"

"""`kglijn simulate calls` on the command line (issue 16): where it posts, when it may write into
the register, and how Ctrl+C ends it."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from kglijn.telephony.management.commands import simulate

DAY = ["--day", "2023-03-06", "--scale", "0.02"]


class _Terminal(io.StringIO):
    """A terminal's stdin that answers the question with the given line."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on: posting there fails at once with "cannot reach"."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections but never answers: the replay waits on it."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield int(server.getsockname()[1])


def _simulate(*args: str) -> None:
    with translation.override("en"):
        call_command("simulate", "calls", *DAY, *args, verbosity=0)


def test_the_url_defaults_to_make_runs_address_or_kglijn_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def calls_help() -> tuple[str, str]:
        with translation.override("en"):
            parser = simulate.Command().create_parser("kglijn", "simulate")
        subparsers = parser._subparsers._group_actions[0]  # type: ignore[union-attr]
        calls = subparsers.choices["calls"]  # type: ignore[attr-defined]
        return calls.get_default("url"), " ".join(calls.format_help().split())

    monkeypatch.delenv("KGLIJN_URL", raising=False)
    url, text = calls_help()
    assert url == simulate.DEFAULT_URL == "http://127.0.0.1:8000"
    assert "(default: http://127.0.0.1:8000, from KGLIJN_URL when set;" in text

    monkeypatch.setenv("KGLIJN_URL", "http://127.0.0.1:8001")
    url, text = calls_help()
    assert url == "http://127.0.0.1:8001"
    assert "(default: http://127.0.0.1:8001, from KGLIJN_URL when set;" in text


@pytest.mark.django_db
def test_without_live_it_refuses_to_write_the_day_into_the_register_unasked(
    closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Not a terminal (a script, CI): refused before any connection (else "cannot reach")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))

    with pytest.raises(CommandError, match="add --into-register") as refused:
        _simulate("--url", f"http://127.0.0.1:{closed_port}")

    assert "2023-03-06" in str(refused.value)
    assert "cannot reach" not in str(refused.value)


@pytest.mark.django_db
@pytest.mark.parametrize("answer", ["\n", "n\n", "no\n", "nee\n", ""])  # "": Ctrl+D
def test_in_a_terminal_anything_but_yes_sends_nothing(
    answer: str, closed_port: int, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setattr(sys, "stdin", _Terminal(answer))

    with pytest.raises(CommandError, match=r"^nothing sent$"):
        _simulate("--url", f"http://127.0.0.1:{closed_port}")

    assert "Continue? [y/N]" in capsys.readouterr().out


@pytest.mark.django_db
@pytest.mark.parametrize("answer", ["y", "yes", "J", "ja"])
def test_in_a_terminal_yes_goes_on_to_post(
    answer: str, closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", _Terminal(answer + "\n"))

    # It went on to post: the closed port is what stops it now
    with pytest.raises(
        CommandError, match=f"cannot reach kglijn at http://127.0.0.1:{closed_port}"
    ):
        _simulate("--url", f"http://127.0.0.1:{closed_port}")


@pytest.mark.django_db
def test_into_register_and_live_need_no_question(
    closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    url = f"http://127.0.0.1:{closed_port}"

    for args in (["--into-register"], ["--live", "--speed", "600"]):
        with pytest.raises(CommandError, match="cannot reach kglijn"):
            _simulate("--url", url, *args)


def test_ctrl_c_ends_with_one_line_and_status_130(tmp_path: Path, silent_server: int) -> None:
    # Given a replay waiting on a server that does not answer
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KGLIJN_ENV")}
    env |= {
        "KGLIJN_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "kglijn.config.settings",
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-m", "kglijn.cli", "simulate", "--verbosity", "0", "calls"]
    process = subprocess.Popen(  # noqa: S603 - our own console script, fixed arguments
        [*command, *DAY, "--into-register", "--url", f"http://127.0.0.1:{silent_server}"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert "2023-03-06, seed 1:" in process.stdout.readline()  # now posting

        # When the user presses Ctrl+C
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
        process.wait()

    # Then one line says so (in Dutch, the default), without a traceback, and the exit status
    # is the shell's 130
    assert process.returncode == 130, stderr[-2000:]
    assert "Traceback" not in stderr
    assert stderr.strip() == (
        "Onderbroken (Ctrl+C): 0 gebeurtenissen waren al verstuurd; die blijven in kglijn."
    )
    assert "Service levels computed" not in stdout

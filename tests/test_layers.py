"""The apps' layers (.importlinter, docs/architecture.md) hold, and `lint-imports` (part of
`make lint`) fails on a wrong import: checked on a copy of the package with one added."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _python_only(directory: str, names: list[str]) -> set[str]:
    return {
        name
        for name in names
        if name == "__pycache__"
        or (not name.endswith(".py") and not (Path(directory) / name).is_dir())
    }


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(  # noqa: S603  (our own linter on our own tree)
        [str(LINT_IMPORTS), "--no-cache", "--config", str(root / ".importlinter")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the package's Python files and the contracts, to break on purpose."""
    shutil.copytree(ROOT / "kglijn", tmp_path / "kglijn", ignore=_python_only)
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def add_line(path: Path, line: str) -> None:
    path.write_text(path.read_text() + f"\n{line}\n")


def test_the_real_tree_keeps_every_contract() -> None:
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_untouched_copy_keeps_every_contract(tree: Path) -> None:
    result = lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_importing_an_app_fails(tree: Path) -> None:
    add_line(tree / "kglijn/core/audit.py", "import kglijn.contacts.models  # a wrong import")
    result = lint(tree)
    assert result.returncode == 1, result.stdout
    assert "core imports no app BROKEN" in result.stdout
    assert "kglijn.core.audit -> kglijn.contacts.models" in result.stdout


def test_the_register_importing_a_channel_fails(tree: Path) -> None:
    add_line(tree / "kglijn/contacts/services.py", "import kglijn.mail.selectors  # a wrong import")
    result = lint(tree)
    assert result.returncode == 1, result.stdout
    assert "kglijn's apps stay in their layers BROKEN" in result.stdout
    assert "no two apps import each other (directly or round a cycle) BROKEN" in result.stdout
    assert "kglijn.contacts.services -> kglijn.mail.selectors" in result.stdout


def test_two_channels_importing_each_other_fails(tree: Path) -> None:
    # mail and webform sit side by side in one layer: independent of each other.
    add_line(tree / "kglijn/webform/services.py", "import kglijn.mail.models  # a wrong import")
    result = lint(tree)
    assert result.returncode == 1, result.stdout
    assert "kglijn.webform.services -> kglijn.mail.models" in result.stdout


def test_production_code_importing_the_demo_fails(tree: Path) -> None:
    add_line(tree / "kglijn/telephony/services.py", "import kglijn.demo.figures  # a wrong import")
    result = lint(tree)
    assert result.returncode == 1, result.stdout
    assert "kglijn.telephony.services -> kglijn.demo.figures" in result.stdout


def test_a_new_app_must_be_placed_in_a_layer(tree: Path) -> None:
    (tree / "kglijn/newapp").mkdir()
    (tree / "kglijn/newapp/__init__.py").write_text("")
    result = lint(tree)
    assert result.returncode == 1, result.stdout
    assert "newapp" in result.stdout


def test_opgroeipunt_sits_beside_the_feature_apps_and_imports_no_higher_layer(tree: Path) -> None:
    # given opgroeipunt importing the reports layer (above it)
    add_line(tree / "kglijn/opgroeipunt/services.py", "import kglijn.reports.selectors")
    result = lint(tree)
    assert result.returncode != 0
    assert "kglijn.opgroeipunt" in result.stdout


def test_a_feature_app_may_not_import_opgroeipunt(tree: Path) -> None:
    add_line(tree / "kglijn/feedback/models.py", "import kglijn.opgroeipunt.models")
    result = lint(tree)
    assert result.returncode != 0
    assert "kglijn.opgroeipunt" in result.stdout

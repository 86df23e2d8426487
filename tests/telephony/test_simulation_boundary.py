"""Production telephony code does not import the simulator's toolkit (kglijn.telephony.simulation):
only the `kglijn simulate` command, the tests and the benchmarks use it."""

import ast
from pathlib import Path

import kglijn.telephony

TELEPHONY = Path(kglijn.telephony.__file__).parent
SIMULATION = "kglijn.telephony.simulation"
ALLOWED = {
    TELEPHONY / "management" / "commands" / "simulate.py",
}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_production_telephony_module_imports_the_simulation() -> None:
    # Given every telephony module outside the simulation package and the simulate command
    production = [
        path
        for path in TELEPHONY.rglob("*.py")
        if (TELEPHONY / "simulation") not in path.parents and path not in ALLOWED
    ]
    assert len(production) > 15

    # When their imports are read
    offenders = {
        str(path.relative_to(TELEPHONY)): sorted(
            name for name in imported_modules(path) if name.startswith(SIMULATION)
        )
        for path in production
    }

    # Then none of them imports the simulation
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_simulate_command_does_import_it() -> None:
    # The check above would pass vacuously if the detection were broken: the command is a user.
    command = TELEPHONY / "management" / "commands" / "simulate.py"
    assert any(name.startswith(SIMULATION) for name in imported_modules(command))

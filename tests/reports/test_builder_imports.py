"""The report builder's modules import each other one way: no circle between the engine, the
satisfaction measures, saved reports and the models (issue 14), lazy imports included."""

import ast
from pathlib import Path

import kglijn.reports

REPORTS = Path(kglijn.reports.__file__).parent
PREFIX = "kglijn.reports"


def module_name(path: Path) -> str:
    parts = path.relative_to(REPORTS.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Every kglijn.reports module (migrations aside) and the kglijn.reports modules it imports,
    anywhere in the file (inside functions and TYPE_CHECKING blocks too)."""
    paths = [path for path in REPORTS.rglob("*.py") if "migrations" not in path.parts]
    modules = {module_name(path): path for path in paths}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                targets.add(node.module)
                targets.update(f"{node.module}.{alias.name}" for alias in node.names)
        graph[name] = {target for target in targets if target in modules and target != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                found.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_the_graph_sees_the_builders_imports() -> None:
    graph = import_graph()
    assert "kglijn.reports.builder.definition" in graph["kglijn.reports.builder.run"]
    assert "kglijn.reports.models" in graph["kglijn.reports.builder.saved"]


def test_a_circle_is_detected() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_the_reports_modules_import_each_other_without_circles() -> None:
    assert cycles(import_graph()) == []


def test_the_models_import_nothing_of_the_builder() -> None:
    assert not {name for name in import_graph()["kglijn.reports.models"] if name.startswith(PREFIX)}

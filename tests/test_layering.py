"""The layering of DESIGN.md and the README, checked on the import statements of every module
(those inside functions too): consent <- surveys <- analysis <- feedback; inside feedback, the shell
knows no feature, features use only the features below them, and only the app factory and the CLI
know every feature."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Feature packages, lowest first: each may use those before it (and any feature's tables.py, which
# imports nothing of ours: the schema is shared, so reading a table never makes a cycle).
FEATURE_ORDER = ["accounts", "messages", "themes", "results", "publishing", "respond", "workspace", "reporting", "privacy", "operations"]
WIRING = {"feedback.app", "feedback.cli"}
SHELL_LIMIT = 10


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _graph(package: str) -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in (ROOT / package).rglob("*.py") if "piccolo_migrations" not in p.parts}


def _ours(name: str) -> str | None:
    top = name.split(".")[0]
    return top if top in {"feedback", "surveys", "consent", "analysis"} else None


def _feature(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in FEATURE_ORDER else None


@pytest.mark.parametrize(("package", "forbidden"), [
    ("consent", {"surveys", "analysis", "feedback"}),
    ("surveys", {"analysis", "feedback"}),
    ("analysis", {"feedback", "litestar"}),
])
def test_domain_packages_never_import_what_sits_above_them(package, forbidden):
    wrong = [(m, i) for m, imports in _graph(package).items() for i in imports if i.split(".")[0] in forbidden]
    assert wrong == []


def test_the_shell_imports_no_feature_except_the_app_factory_cli_and_the_piccolo_app():
    wrong = []
    for module, imports in _graph("feedback").items():
        if _feature(module) or module in WIRING:
            continue
        for name in imports:
            if _feature(name) and not (module == "feedback.database.piccolo_app" and name.endswith(".tables")):
                wrong.append((module, name))
    assert wrong == []


def test_features_use_only_the_features_below_them():
    wrong = []
    for module, imports in _graph("feedback").items():
        own = _feature(module)
        if own is None:
            continue
        for name in imports:
            other = _feature(name)
            if name in WIRING:
                wrong.append((module, name))
            elif other and other != own and not name.endswith(".tables") and FEATURE_ORDER.index(other) > FEATURE_ORDER.index(own):
                wrong.append((module, name))
    assert wrong == []


def test_only_the_app_factory_and_the_cli_know_every_feature():
    for module, imports in _graph("feedback").items():
        known = {_feature(n) for n in imports} - {None, _feature(module)}
        if module not in WIRING:
            assert len(known) < len(FEATURE_ORDER) - 1, module


def test_no_modules_import_each_other_in_a_cycle():
    graph = {m: {i for i in imports if _ours(i)} for pkg in ("feedback", "surveys", "consent", "analysis") for m, imports in _graph(pkg).items()}
    state: dict[str, int] = defaultdict(int)
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in graph.get(node, ()):
            if target not in graph:
                continue
            if state[target] == 1:
                cycles.append(path[path.index(target):] + [target] if target in path else [node, target])
            elif state[target] == 0:
                visit(target, path + [target])
        state[node] = 2

    for node in sorted(graph):
        if state[node] == 0:
            visit(node, [node])
    assert cycles == []


def test_feedback_keeps_a_small_shell_and_one_package_per_feature():
    shell = sorted(p.name for p in (ROOT / "feedback").glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert len(shell) <= SHELL_LIMIT, shell
    packages = {p.name for p in (ROOT / "feedback").iterdir() if (p / "__init__.py").exists()}
    assert set(FEATURE_ORDER) <= packages
    for name in sorted(packages):
        doc = ast.get_docstring(ast.parse((ROOT / "feedback" / name / "__init__.py").read_text(encoding="utf-8")))
        assert doc and len(doc) > 80, f"feedback/{name}/__init__.py says what it is for"


def test_tests_mirror_the_feature_packages():
    for name in FEATURE_ORDER:
        assert list((ROOT / "tests" / "feedback" / name).glob("test_*.py")), name

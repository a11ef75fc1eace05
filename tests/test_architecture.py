"""The layout is the architecture: no import cycles, and only the command layer renders.

These tests read the package's source (every import statement, the ones inside functions too),
so a lazy import that closes a cycle or lets the core reach the terminal fails here, not in a
user's session.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "quizzer"
COMMAND_LAYER = ("quizzer.cli", "quizzer.__main__")
RENDERING_LIBRARIES = ("rich", "typer")


FOUNDATION = {"quizzer", "errors", "paths", "results", "i18n"}  # "quizzer" is the top package (its __version__)
# What each part may import, as docs/architecture.md's table says.
ALLOWED: dict[str, set[str]] = {
    "quizzer": set(),  # the top package: its version, nothing else
    "cli": {"*"},
    "__main__": {"cli"},
    "authoring": FOUNDATION | {"bank", "checking", "engine", "maths"},
    "progress": FOUNDATION | {"bank", "checking"},
    "checking": FOUNDATION | {"bank", "engine", "maths"},
    "engine": FOUNDATION | {"bank", "reference"},
    "labs": FOUNDATION | {"engine"},
    "reference": set(),
    "bank": FOUNDATION | {"maths"},
    "maths": {"errors"},
    "i18n": {"errors"},
    # a result's verdict and an error's message are catalogue sentences (i18n.labels imports nothing)
    "results": {"i18n"},
    "errors": {"i18n"},
    "paths": {"errors"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import that can run: at module level, in functions and classes, not under TYPE_CHECKING."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _type_checking_only(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def imports_of(name: str) -> set[str]:
    """The names (quizzer modules, or top-level third-party packages) that module ``name`` imports."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            found.add(submodule if submodule in MODULES else base)
    return found


def quizzer_graph() -> dict[str, set[str]]:
    return {name: {dep for dep in imports_of(name) if dep in MODULES and dep != name} for name in MODULES}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each a cycle's members."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for dep in sorted(graph[node]):
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in on_stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_walk_sees_lazy_and_relative_imports():
    # A function-level import (the bank reads YAML only when it has to) and a relative one (the
    # reference's layers) are both edges; a walk that missed them would pass any cycle.
    assert "quizzer.bank.reader" in imports_of("quizzer.bank")
    assert "quizzer.reference.activations" in imports_of("quizzer.reference.rnn")


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles_between_modules():
    assert cycles(quizzer_graph()) == []


@pytest.mark.parametrize("name", [n for n in MODULES if not n.startswith(COMMAND_LAYER)])
def test_the_core_never_reaches_the_command_layer_or_the_terminal(name):
    imported = imports_of(name)
    assert not [m for m in imported if m.startswith("quizzer.cli")], f"{name} imports the command layer"
    assert not [m for m in imported if m.split(".")[0] in RENDERING_LIBRARIES], f"{name} imports rich or typer"
    source = MODULES[name].read_text(encoding="utf-8")
    if name != "quizzer.engine._sandbox_child":  # the sandboxed child talks to its parent over pipes
        assert not re.search(r"(?<![\w.])print\(|sys\.std(out|err)\.write", source), f"{name} prints"


def part(module: str) -> str:
    return module.split(".")[1] if "." in module else module


def test_every_part_has_a_row_in_the_map():
    assert sorted({part(name) for name in MODULES} - set(ALLOWED)) == []


def test_each_part_imports_only_what_the_map_allows():
    unexpected = sorted(
        f"{name} imports {dep}"
        for name, deps in quizzer_graph().items()
        for dep in deps
        if part(dep) != part(name) and not ALLOWED.get(part(name), set()) & {"*", part(dep)}
    )
    assert unexpected == []


def test_every_package_is_described_in_the_architecture_map():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    packages = sorted(n for n, p in MODULES.items() if p.name == "__init__.py" and n.count(".") == 1)
    missing = [p for p in packages if f"`{p.replace('.', '/')}/`" not in text]
    assert not missing, f"docs/architecture.md does not describe {missing}"

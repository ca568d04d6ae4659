"""No import circles between the modules of ``gongjiang``: a module may import another only if
that one does not (directly or through others) import it back. Deferred imports inside functions
count too (they hide a circle, they do not remove it); only ``if TYPE_CHECKING:`` blocks are left
out. A shared constant or queryset moves to the lower module instead (docs/architecture.md)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import gongjiang

PACKAGE_ROOT = Path(gongjiang.__file__).resolve().parent


def _modules(root: Path) -> dict[str, tuple[Path, bool]]:
    """{dotted name: (file, is a package)} of every module below ``root`` (a package folder)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        out[".".join(parts)] = (path, is_package)
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement below ``node``, except those under ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        elif isinstance(child, ast.If) and _is_type_checking(child.test):
            for other in child.orelse:
                yield from _imports_of(other)
        else:
            yield from _imports(child)


def _imports_of(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
    else:
        yield from _imports(node)


def import_graph(root: Path) -> dict[str, set[str]]:
    """{module: the modules of the same package it imports}."""
    modules = _modules(root)
    graph: dict[str, set[str]] = {}
    for name, (path, is_package) in modules.items():
        package = name if is_package else name.rpartition(".")[0]
        edges: set[str] = set()
        for statement in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(statement, ast.Import):
                edges.update(a.name for a in statement.names if a.name in modules)
                continue
            if statement.level:
                parts = package.split(".")
                if statement.level > 1:
                    parts = parts[: -(statement.level - 1)]
                base = ".".join([*parts, statement.module] if statement.module else parts)
            else:
                base = statement.module or ""
            for alias in statement.names:
                if f"{base}.{alias.name}" in modules:  # a submodule: `from . import services`
                    edges.add(f"{base}.{alias.name}")
                elif base in modules:
                    edges.add(base)
        edges.discard(name)
        graph[name] = edges
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each as one circle's path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(start: str) -> None:
        # iterative depth-first search (the graph has hundreds of modules)
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(_circle(graph, set(group)))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return groups


def _circle(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """One circle inside a strongly connected group: a → b → … → a (shortest back to the start)."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node] & group):
                if child == start:
                    return [*paths[node], start]
                if child not in paths:
                    paths[child] = [*paths[node], child]
                    following.append(child)
        frontier = following
    return sorted(group)


def test_no_import_circles_in_gongjiang() -> None:
    cycles = import_cycles(import_graph(PACKAGE_ROOT))
    assert not cycles, "import circles:\n" + "\n".join(" → ".join(c) for c in cycles)


def test_the_check_finds_a_deferred_circle_and_ignores_type_checking(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "models.py").write_text("from .sub.numbers import PROVINCES\n")
    (package / "sub" / "numbers.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from pkg import lonely\n"
        "def allocate():\n    from .. import models\n"
    )
    (package / "lonely.py").write_text("import pkg.sub.numbers\n")
    cycles = import_cycles(import_graph(package))
    assert cycles == [["pkg.models", "pkg.sub.numbers", "pkg.models"]]
    # the deferred import gone, no circle is left
    (package / "sub" / "numbers.py").write_text("PROVINCES = frozenset()\n")
    assert import_cycles(import_graph(package)) == []

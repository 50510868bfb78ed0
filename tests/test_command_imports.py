"""The command layer imports in one direction: no module under cpctl/commands imports another in a circle.

The wizards import down (to the shared prompts, to `commands.common`, to `commands.saving`), never back into the
commands that run them. Every import counts, wherever it stands: at module level, inside a function (where the
commands keep their heavy imports so that `--help` stays quick), and under `if TYPE_CHECKING:`.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "cpctl.commands"
ROOT = Path(__file__).resolve().parent.parent / "src" / "cpctl" / "commands"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PACKAGE, *parts))


def imported(tree: ast.AST, name: str, is_package: bool, known: set[str]) -> set[str]:
    """The cpctl.commands modules one module imports (a name from a package counts as its submodule if it is one)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the module's own package, one level up for each dot after the first
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            targets = [f"{source}.{alias.name}" for alias in node.names]
            targets = [target if target in known else source for target in targets]
        else:
            continue
        found.update(target for target in targets if target in known)
    found.discard(name)
    return found


def import_graph() -> dict[str, set[str]]:
    paths = sorted(ROOT.rglob("*.py"))
    known = {module_name(path) for path in paths}
    graph = {}
    for path in paths:
        name = module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        graph[name] = imported(tree, name, path.name == "__init__.py", known)
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle for each group of modules that reach each other (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle_among_the_commands() -> None:
    graph = import_graph()
    found = circles(graph)
    words = [
        " <-> ".join(group) + ": " + "; ".join(f"{m} imports {', '.join(sorted(graph[m] & set(group)))}" for m in group)
        for group in found
    ]
    assert not found, "import circles in cpctl.commands:\n" + "\n".join(words)


def test_the_walk_sees_imports_everywhere_in_a_module() -> None:
    """Guards the walk itself: module-level, in-function and TYPE_CHECKING imports are all edges."""
    graph = import_graph()
    assert "cpctl.commands.wizards.conference" in graph["cpctl.commands.conference"]  # inside a function
    assert "cpctl.commands.saving" in graph["cpctl.commands.conference"]  # at module level
    assert "cpctl.commands.wizards.context" in graph["cpctl.commands.wizards.conference"]
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from cpctl.commands.b import x\n"
        "def f():\n    import cpctl.commands.c\n"
        "from . import d\n"
    )
    known = {"cpctl.commands.a", "cpctl.commands.b", "cpctl.commands.c", "cpctl.commands.d"}
    edges = imported(ast.parse(source), "cpctl.commands.a", False, known)
    assert edges == {"cpctl.commands.b", "cpctl.commands.c", "cpctl.commands.d"}


def test_a_circle_is_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert circles(graph) == [["a", "b", "c"]]

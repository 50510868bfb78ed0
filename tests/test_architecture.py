"""The package's layers hold: imports run down, never up and never in a circle, and no module outgrows its room.

Every import counts: at module level, inside functions, and under TYPE_CHECKING, because each is a dependency a
reader has to follow and a circle among them is a circle whenever it runs. The layers, lowest first, are named in
README.md ("How the code is laid out").
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "cpctl"

# Small shared pieces that depend on nothing of cpctl's but each other.
LEAVES = frozenset(
    {
        "cpctl",
        "cpctl.dates",
        "cpctl.errors",
        "cpctl.fileinput",
        "cpctl.filemodes",
        "cpctl.interrupts",
        "cpctl.paths",
        "cpctl.running",
        "cpctl.scratch",
        "cpctl.text",
    }
)
LAYERS = ("leaves", "store", "rules", "casework", "returns", "documents", "demo", "commands")
COMMAND_MODULES = frozenset({"cpctl.cli", "cpctl.__main__"})  # the command line's entry, with cpctl/commands
LONGEST = 800  # lines; a module past it holds parts with different reasons to change


def modules(root: Path) -> dict[str, Path]:
    """Every module of the package under `root`, by dotted name."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports(root: Path) -> dict[str, set[str]]:
    """For each module, the package's modules it imports, anywhere in its body."""
    known = modules(root)
    package = root.name
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                wanted = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    here = name.split(".") if is_package else name.split(".")[:-1]
                    here = here[: len(here) - (node.level - 1)]
                    base = ".".join([*here, base] if base else here)
                # `from a import b` imports the module a.b when there is one, else a name from a
                wanted = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
            else:
                continue
            for target in wanted:
                while target and target not in known:  # `import a.b.c` of a name inside a module: that module
                    target = target.rpartition(".")[0]
                if target and target.split(".")[0] == package and target != name:
                    targets.add(target)
        graph[name] = targets
    return graph


def layer(module: str) -> str | None:
    if module in LEAVES:
        return "leaves"
    if module in COMMAND_MODULES:
        return "commands"
    parts = module.split(".")
    if len(parts) > 2 and parts[1] in LAYERS:
        return parts[1]
    if len(parts) == 2 and parts[1] in LAYERS:
        return parts[1]  # the layer's package itself
    return None


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def upward(graph: dict[str, set[str]]) -> list[str]:
    """Each import from a lower layer up to a higher one, as `a (layer) imports b (layer)`."""
    found = []
    for source, targets in sorted(graph.items()):
        for target in sorted(targets):
            below, above = layer(source), layer(target)
            if below and above and LAYERS.index(above) > LAYERS.index(below):
                found.append(f"{source} ({below}) imports {target} ({above})")
    return found


def test_every_module_is_in_a_layer() -> None:
    strays = [name for name in modules(SOURCE) if layer(name) is None]
    assert strays == [], f"put these in a layer's folder (or, if they are small shared leaves, in LEAVES): {strays}"


def test_no_import_runs_up_a_layer() -> None:
    assert upward(imports(SOURCE)) == []


def test_no_import_circles() -> None:
    assert circles(imports(SOURCE)) == []


def test_no_module_outgrows_its_room() -> None:
    long = {
        name: lines
        for name, path in modules(SOURCE).items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > LONGEST
    }
    assert long == {}, f"split these where their parts have different reasons to change: {long}"


def test_the_layer_order_reads_as_the_readme_says() -> None:
    readme = (SOURCE.parents[1] / "README.md").read_text(encoding="utf-8")
    assert "How the code is laid out" in readme
    assert " < ".join(LAYERS) in readme


# -- the checks themselves catch what they are for: a small package written for the purpose -------------------
@pytest.fixture
def toy(tmp_path: Path) -> Path:
    root = tmp_path / "cpctl"
    files = {
        "__init__.py": "",
        "errors.py": "",
        "store/__init__.py": "",
        "store/models.py": "from cpctl import errors\n",
        "store/database.py": (
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n"
            "    from cpctl.casework.plan import Plan\n"  # upward, and only for type checking
        ),
        "casework/__init__.py": "",
        "casework/plan.py": "from cpctl.store import models\n",
        "casework/people.py": "def later():\n    from . import visits\n",  # inside a function, relative
        "casework/visits.py": "import cpctl.casework.people\n",
        "commands/__init__.py": "",
        "commands/main.py": "from cpctl.casework import people, plan as plans\nfrom cpctl.store.models import X\n",
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_the_walker_sees_imports_in_functions_under_type_checking_and_relative(toy: Path) -> None:
    graph = imports(toy)
    assert graph["cpctl.store.database"] == {"cpctl.casework.plan"}
    assert graph["cpctl.casework.people"] == {"cpctl.casework.visits"}
    assert graph["cpctl.commands.main"] == {"cpctl.casework.people", "cpctl.casework.plan", "cpctl.store.models"}


def test_a_circle_and_an_upward_import_are_both_found(toy: Path) -> None:
    graph = imports(toy)
    assert circles(graph) == [["cpctl.casework.people", "cpctl.casework.visits"]]
    assert upward(graph) == ["cpctl.store.database (store) imports cpctl.casework.plan (casework)"]

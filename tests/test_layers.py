"""The package's layers: engine <- views, shell <- dashboard; teaching on top.

Every import in ``qopc_kit`` is read from the source (module level, inside functions and
under ``TYPE_CHECKING`` alike) and checked against the allowed directions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "qopc_kit"
LAYERS = ("engine", "views", "shell", "dashboard", "teaching")
#: What each layer may import besides itself.
ALLOWED = {
    "engine": set(),
    "views": {"engine"},
    "shell": {"engine"},
    "dashboard": {"engine", "views", "shell"},
    "teaching": {"engine", "views", "shell"},
}
#: The lazy hooks upward: (module, function, layer it may reach). The engine's reach the
#: shell and the views; the shell's ``qopc teacher`` reaches the teaching layer's commands
#: (imported only when that subcommand runs, so the shell does not depend on teaching).
HOOKS = {
    ("qopc_kit.engine.array", "DiskArray.acopc", "shell"),
    ("qopc_kit.shell.cli", "teacher_command", "teaching"),
    *{(module, f"{cls}._repr_html_", "views")
      for module, cls in (("qopc_kit.engine.array", "DiskArray"),
                          ("qopc_kit.engine.pair", "CopyPair"),
                          ("qopc_kit.engine.pair", "CopyGroup"),
                          ("qopc_kit.engine.volume", "Volume"),
                          ("qopc_kit.engine.history", "History"))},
}
#: Third-party packages each layer may import (the engine: numpy and the standard library).
THIRD_PARTY = {
    "engine": {"numpy"},
    "views": {"numpy", "graphviz"},
    "shell": {"numpy", "IPython"},
    "dashboard": {"numpy", "ipywidgets", "anywidget", "traitlets", "IPython"},
    "teaching": {"numpy", "ipywidgets", "IPython", "matplotlib"},
}


#: The scope of imports under ``if TYPE_CHECKING:``: read by type checkers, never run.
TYPING = "<typing>"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, source: str | None = None) -> list[tuple[str, str, int]]:
    """(imported module, enclosing function path, line) for every import in ``path``
    (or in ``source`` read as if it were that file)."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, str, int]] = []

    def visit(node: ast.AST, scope: list[str]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                visit(child, [*scope, child.name])
                continue
            if isinstance(child, ast.Import):
                found.extend((alias.name, ".".join(scope), child.lineno) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[:len(base) - child.level + 1]
                    target = ".".join([*base, child.module] if child.module else base)
                else:
                    target = child.module or ""
                # Each name may be a module of that package: keep it, the graph resolves it.
                found.extend((f"{target}.{alias.name}", ".".join(scope), child.lineno)
                             for alias in child.names)
            elif isinstance(child, ast.If) and ast.unparse(child.test).endswith("TYPE_CHECKING"):
                visit(child, [*scope, TYPING])
                continue
            visit(child, scope)

    visit(ast.parse(path.read_text(encoding="utf-8") if source is None else source), [])
    return found


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS) else None


SOURCES = sorted(PACKAGE.rglob("*.py"))


def graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports when run (hooks and type-checking imports
    left out: the hooks are lazy by rule)."""
    known = {module_name(path) for path in SOURCES}
    edges: dict[str, set[str]] = {}
    for path in SOURCES:
        module = module_name(path)
        targets = edges.setdefault(module, set())
        for target, scope, _ in imports(path):
            if (module, scope, layer_of(target)) in HOOKS or TYPING in scope:
                continue
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != module and target.startswith("qopc_kit"):
                targets.add(target)
    return edges


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_layers(path):
    """A layer imports only itself and the layers below it; the engine reaches up only in
    its named lazy hooks; teaching uses the dashboard only in its widget modules."""
    module = module_name(path)
    layer = layer_of(module)
    if layer is None:
        return  # the package's front door (__init__, __main__, the documented aliases)
    wrong = []
    for target, scope, line in imports(path):
        if target.startswith("qopc_kit"):
            to = layer_of(target)
            if to is None:
                wrong.append(f"line {line}: {target} (the package's front door)")
            elif to != layer and to not in ALLOWED[layer] and (module, scope, to) not in HOOKS:
                widget = layer == "teaching" and to == "dashboard" and "widget" in path.stem
                if not widget:
                    wrong.append(f"line {line}: {target} ({layer} may not import {to})")
        else:
            top = target.split(".")[0]
            stdlib = top in __import__("sys").stdlib_module_names or top == "__future__"
            if not stdlib and top not in THIRD_PARTY[layer]:
                wrong.append(f"line {line}: {target} (not a dependency of {layer})")
    assert not wrong, f"{module}:\n" + "\n".join(wrong)


def test_the_hooks_exist():
    """Each named hook is a real function that imports its layer (the rule names no ghost)."""
    seen = {(module_name(path), scope, layer_of(target))
            for path in SOURCES for target, scope, _ in imports(path)}
    assert seen >= HOOKS, sorted(HOOKS - seen)


def test_no_import_cycles():
    """No module imports itself through others (hooks aside)."""
    edges = graph()
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(module: str) -> None:
        state[module] = 1
        stack.append(module)
        for target in sorted(edges.get(module, ())):
            if state.get(target) == 1:
                cycle = [*stack[stack.index(target):], target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                walk(target)
        stack.pop()
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            walk(module)


def test_the_checker_sees_an_import_inside_a_function():
    """The scan finds imports inside functions and resolves relative ones."""
    probe = PACKAGE / "engine" / "probe.py"
    found = imports(probe, "def f():\n    from ..views import display\nimport numpy\n")
    assert found == [("qopc_kit.views.display", "f", 2), ("numpy", "", 3)]
    typing = imports(probe, "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                            "    from .array import DiskArray\n")
    assert typing[1] == ("qopc_kit.engine.array.DiskArray", TYPING, 3)

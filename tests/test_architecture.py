"""The design's boundaries, checked from the source: readers -> model -> transforms -> writers, a
thin CLI on top.

Every module under bookmaker/ is parsed with ``ast`` (nothing is imported, so a module with side
effects or a missing optional dependency cannot hide a violation), and each import, at module level
or inside a function, is checked against the rules below. A failure lists every violation as
``file:line: what`` so it can be fixed where it is.

- ``bookmaker.model`` imports no other part of bookmaker: it is what every part shares.
- Readers never import writers, and writers never import readers: what both need lives below
  them (model, safety, taxonomy, errors).
- Only ``bookmaker.cli`` imports typer or rich: the library reports through return values and
  callbacks; the screen is the CLI's.
- Layers import only downwards (``LAYERS``): the base (model, taxonomy, errors, terminal), then
  safety, then settings, then readers, transforms and writers, then everything else (convert,
  batch, the CLI...). ``errors`` printing through ``safety``, or ``settings`` checking formats
  against the writers' registry, would be an import upwards.
- No import cycle, counting imports inside functions too: a function-level import only hides a
  cycle (the two modules still need each other, and the first call pays for it). Only imports
  under ``if TYPE_CHECKING:`` are left out, since they never run.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from paths import REPO

PACKAGE = REPO / "bookmaker"
SCREEN_LIBRARIES = ("typer", "rich")
# Lowest first; a module outside every layer (convert, batch, cli...) is above them all.
LAYERS = (("bookmaker.model", "bookmaker.taxonomy", "bookmaker.errors", "bookmaker.terminal"),
          ("bookmaker.safety",), ("bookmaker.settings",),
          ("bookmaker.readers", "bookmaker.transforms", "bookmaker.writers"))


@dataclass(frozen=True)
class Import:
    importer: str  # dotted name of the importing module
    imported: str  # dotted name of the module imported (a submodule where one is named)
    path: Path
    line: int
    module_level: bool  # runs when the importer is imported
    type_checking: bool = False  # under ``if TYPE_CHECKING:``: never runs

    def where(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(path: Path, modules: dict[str, Path], source: str | None = None) -> list[Import]:
    """Every import statement in ``path`` (or in ``source``, read as if it were that file),
    resolved to the dotted module it loads."""
    importer = module_name(path)
    is_package = path.name == "__init__.py"
    if source is None:
        source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, str(path))
    found: list[Import] = []

    def resolve_from(node: ast.ImportFrom) -> str:
        if node.level == 0:
            return node.module or ""
        base = importer.split(".")
        if not is_package:
            base = base[:-1]
        base = base[:len(base) - (node.level - 1)]
        return ".".join(base + ([node.module] if node.module else []))

    def visit(node: ast.AST, module_level: bool, type_checking: bool) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            module_level = False
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, False, True)
            for child in node.orelse:
                visit(child, module_level, type_checking)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Import(importer, alias.name, path, node.lineno, module_level,
                                    type_checking))
        elif isinstance(node, ast.ImportFrom):
            base = resolve_from(node)
            for alias in node.names:
                # ``from bookmaker.readers import html`` loads the submodule when there is one.
                submodule = f"{base}.{alias.name}"
                imported = submodule if submodule in modules else base
                found.append(Import(importer, imported, path, node.lineno, module_level,
                                    type_checking))
        for child in ast.iter_child_nodes(node):
            visit(child, module_level, type_checking)

    visit(tree, True, False)
    return found


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def layer(module: str) -> int:
    """The index in LAYERS of ``module``'s layer (``bookmaker`` itself, its version, is the
    base; anything in no layer is above them all)."""
    if module == "bookmaker":
        return 0
    return next((number for number, packages in enumerate(LAYERS)
                 if any(_within(module, package) for package in packages)), len(LAYERS))


def boundary_violations(imports: list[Import]) -> list[str]:
    """Every import that crosses a boundary of the design, as ``file:line: what``."""
    problems = []
    for item in imports:
        if _within(item.imported, "bookmaker") and layer(item.imported) > layer(item.importer):
            problems.append(f"{item.where()}: {item.importer} imports {item.imported}, a layer "
                            "above it (move what it needs down, or pass it in)")
        if _within(item.importer, "bookmaker.model") and _within(item.imported, "bookmaker"):
            problems.append(f"{item.where()}: the model imports {item.imported}; the model "
                            "must import nothing of bookmaker")
        for side, other in (("readers", "writers"), ("writers", "readers")):
            if _within(item.importer, f"bookmaker.{side}") and \
                    _within(item.imported, f"bookmaker.{other}"):
                problems.append(f"{item.where()}: {item.importer} imports {item.imported}; "
                                f"{side} must not import {other} (move what both need below "
                                "them)")
        if not _within(item.importer, "bookmaker.cli") and any(
                _within(item.imported, library) for library in SCREEN_LIBRARIES):
            problems.append(f"{item.where()}: {item.importer} imports {item.imported}; only "
                            "bookmaker.cli may import typer or rich")
    return problems


def import_cycles(imports: list[Import]) -> list[list[Import]]:
    """Cycles among the imports inside bookmaker that run (at module level or in a function),
    each as the imports that close it."""
    graph: dict[str, list[Import]] = {}
    for item in imports:
        if not item.type_checking and _within(item.imported, "bookmaker") and \
                item.imported != item.importer:
            graph.setdefault(item.importer, []).append(item)
    cycles: list[list[Import]] = []
    seen_cycles: set[frozenset[str]] = set()
    state: dict[str, str] = {}  # "open" while on the path, "done" after
    path: list[Import] = []

    def walk(module: str) -> None:
        state[module] = "open"
        for edge in graph.get(module, []):
            target = edge.imported
            if state.get(target) == "open":
                start = next(i for i, step in enumerate(path) if step.importer == target) \
                    if any(step.importer == target for step in path) else len(path)
                cycle = [*path[start:], edge]
                key = frozenset(step.importer for step in cycle)
                if key not in seen_cycles:
                    seen_cycles.add(key)
                    cycles.append(cycle)
            elif target not in state:
                path.append(edge)
                walk(target)
                path.pop()
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            walk(module)
    return cycles


def _project_imports() -> list[Import]:
    modules = all_modules()
    return [item for path in modules.values() for item in imports_of(path, modules)]


def test_every_module_is_read() -> None:
    """The checks below see the whole package, including the parts each rule is about."""
    names = set(all_modules())
    assert {"bookmaker.model", "bookmaker.cli", "bookmaker.readers.html.ao3",
            "bookmaker.writers.epub"} <= names
    imports = _project_imports()
    assert any(_within(item.importer, "bookmaker.cli") and item.imported == "typer"
               for item in imports)
    assert any(not item.module_level for item in imports), "function-level imports are read"


def test_the_boundaries_of_the_design_hold() -> None:
    problems = boundary_violations(_project_imports())
    assert not problems, "imports across the design's boundaries:\n" + "\n".join(problems)


def test_no_import_cycles() -> None:
    cycles = import_cycles(_project_imports())
    described = ["  " + " -> ".join(f"{step.importer} ({step.where()})" for step in cycle)
                 + f" -> {cycle[-1].imported}" for cycle in cycles]
    assert not cycles, "import cycles (function-level imports count):\n" + "\n".join(described)


# --------------------------------------------------------------------------- the checker itself


def _imports_from_source(relative: str, source: str) -> list[Import]:
    """The imports of made-up source read as if it were the module at ``relative``."""
    return imports_of(REPO / relative, all_modules(), source)


def test_a_forbidden_import_is_reported_with_file_and_line() -> None:
    imports = _imports_from_source(
        "bookmaker/readers/docx.py",
        "import os\n\ndef f():\n    from bookmaker.writers import xhtml\n    import rich\n")
    problems = boundary_violations(imports)
    assert problems == [
        "bookmaker/readers/docx.py:4: bookmaker.readers.docx imports bookmaker.writers.xhtml; "
        "readers must not import writers (move what both need below them)",
        "bookmaker/readers/docx.py:5: bookmaker.readers.docx imports rich; only bookmaker.cli "
        "may import typer or rich"]


def test_an_import_upwards_is_reported() -> None:
    imports = _imports_from_source("bookmaker/settings/config.py",
                                   "from bookmaker.writers import check_formats\n"
                                   "from bookmaker.errors import Finding\nimport bookmaker\n")
    assert boundary_violations(imports) == [
        "bookmaker/settings/config.py:1: bookmaker.settings.config imports bookmaker.writers, a "
        "layer above it (move what it needs down, or pass it in)"]


def test_relative_imports_are_resolved() -> None:
    imports = _imports_from_source("bookmaker/writers/pdf/layout.py",
                                   "from ...readers import decoding\nfrom . import fonts\n")
    assert [item.imported for item in imports] == ["bookmaker.readers.decoding",
                                                   "bookmaker.writers.pdf.fonts"]
    assert boundary_violations(imports)[0].startswith("bookmaker/writers/pdf/layout.py:1: ")


def test_a_cycle_is_found_even_through_an_import_inside_a_function() -> None:
    def edge(a: str, b: str, module_level: bool = True, type_checking: bool = False) -> Import:
        return Import(a, b, PACKAGE / "x.py", 1, module_level, type_checking)

    cycle = import_cycles([edge("bookmaker.a", "bookmaker.b"), edge("bookmaker.b", "bookmaker.c"),
                           edge("bookmaker.c", "bookmaker.a")])
    assert [[step.importer for step in found] for found in cycle] == [
        ["bookmaker.a", "bookmaker.b", "bookmaker.c"]]
    late = import_cycles([edge("bookmaker.a", "bookmaker.b"),
                          edge("bookmaker.b", "bookmaker.a", module_level=False)])
    assert [[step.importer for step in found] for found in late] == [["bookmaker.a",
                                                                      "bookmaker.b"]]
    assert import_cycles([edge("bookmaker.a", "bookmaker.b"),
                          edge("bookmaker.b", "bookmaker.a", type_checking=True)]) == []


def test_a_function_level_import_is_read_as_one() -> None:
    imports = _imports_from_source(
        "bookmaker/writers/pdf/layout.py",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bookmaker import model\n"
        "def f():\n    from bookmaker import convert\n")
    assert [(item.imported, item.module_level, item.type_checking) for item in imports
            if item.imported.startswith("bookmaker")] == [("bookmaker.model", False, True),
                                                          ("bookmaker.convert", False, False)]

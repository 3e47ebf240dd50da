"""What ``bookmaker build`` does once its command line is read: works, anthologies and omnibuses
into books, each book's outputs and warnings printed as it is made.

The Typer command (build.py) and the quick path (quick.py) both call ``build_books``, so the two
ways in cannot differ in what they build or say.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bookmaker.cli.common import echo, fail, run_settings, stopping, verdict
from bookmaker.terminal import printable_name  # names from strangers

if TYPE_CHECKING:
    from bookmaker.convert import BuildResult
    from bookmaker.settings.context import RenderContext
    from bookmaker.settings.options import RunOptions


def build_books(paths: list[Path], anthology: str | None, editors: tuple[str, ...],
                skip_failed: bool, omnibus: bool, settings: dict[str, Any]) -> None:
    """Build ``paths`` with the settings given (None for each one not given); exits 1 when
    anything failed, 2 for a setting no build can use."""
    from bookmaker.convert import build
    from bookmaker.errors import BookmakerError

    run, context = run_settings(paths[0], settings)
    with run.budget.process():
        if omnibus:
            _build_omnibus(paths, skip_failed, run, context)
        elif anthology is not None or _is_anthology_file(paths):
            _build_anthology(paths, anthology, editors, skip_failed, run, context)
        else:
            try:
                # Like batch's per worker: a net under the budgets; Ctrl-C stops it cleanly.
                with stopping("build"):
                    results = build(paths, run.formats, run.out, context, report,
                                    seconds=run.timeout)
            except BookmakerError as error:
                fail(str(error))
            verdict(results, "manuscripts failed")


def report(result: BuildResult) -> None:
    """Each book's warnings, every file written, then what failed (the source, or one format
    of it): a failed format never hides the formats that were written."""
    for warning in result.warnings:
        echo(warning, err=True)
    for output in result.outputs:
        echo(f"{printable_name(str(result.source))} -> {printable_name(str(output))}")
    if result.error:
        echo(result.error, err=True)


def _build_omnibus(paths: list[Path], skip_failed: bool, run: RunOptions,
                   context: RenderContext) -> None:
    """One book per series: what grouping found (duplicates, gaps) first, then each book."""
    from bookmaker.convert import build_omnibus
    from bookmaker.errors import BookmakerError

    try:
        results, found = build_omnibus(_works(paths), run.formats, run.out, context, skip_failed,
                                       run.timeout)
    except BookmakerError as error:
        fail(str(error))
    for line in found:
        echo(line, err=True)
    _report_all(results)


def _is_anthology_file(paths: list[Path]) -> bool:
    return len(paths) == 1 and paths[0].suffix.lower() in (".yaml", ".yml")


def _build_anthology(paths: list[Path], title: str | None, editors: tuple[str, ...],
                     skip_failed: bool, run: RunOptions, context: RenderContext) -> None:
    """One book from many works: from an anthology.yaml, or from the paths in order."""
    from bookmaker.convert import build_anthology
    from bookmaker.errors import BookmakerError
    from bookmaker.readers import read_anthology_spec
    from bookmaker.readers.anthology import spec_from_paths

    try:
        if _is_anthology_file(paths):
            with run.budget.file(paths[0]):  # a stranger's file too, read within the budget
                spec = read_anthology_spec(paths[0])
            if title:
                spec = dataclasses.replace(spec, metadata=dataclasses.replace(
                    spec.metadata, title=title))
            if editors:
                spec = dataclasses.replace(spec, editors=editors)
        else:
            # A file is taken as given, so a missing one is named with the other failures.
            spec = spec_from_paths(_works(paths), title or "", editors)
        result = build_anthology(spec, run.formats, run.out, context, skip_failed, run.timeout)
    except BookmakerError as error:
        fail(str(error))
    _report_all([result])


def _works(paths: list[Path]) -> list[Path]:
    """A folder stands for the works in it; a file is taken as given."""
    from bookmaker.readers import discover_all

    return [found for path in paths
            for found in (discover_all([path])[0] if path.is_dir() else [path])]


def _report_all(results: list[BuildResult]) -> None:
    for result in results:
        report(result)
    if any(result.error for result in results):
        raise SystemExit(1)

"""``bookmaker build``: works, anthologies and omnibuses into books."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bookmaker.cli.app import app, examples, fail, stopping, verdict
from bookmaker.cli.settings import run_settings, takes_settings
from bookmaker.terminal import printable_name  # names from strangers

if TYPE_CHECKING:
    from bookmaker.convert import BuildResult
    from bookmaker.settings.context import RenderContext
    from bookmaker.settings.options import RunOptions

AnthologyOption = Annotated[str | None, typer.Option(
    "--anthology", help="Bind every work given into one book with this title, in the order "
    "given (or give an anthology.yaml instead of works).", show_default=False)]
EditorOption = Annotated[list[str] | None, typer.Option(
    "--editor", help="Anthology: an editor's name; repeat for several.", show_default=False)]
SkipFailedOption = Annotated[bool, typer.Option(
    "--skip-failed", help="Anthology: leave out works that are missing or fail to read, "
    "instead of stopping.")]
OmnibusOption = Annotated[bool, typer.Option(
    "--omnibus", help="One book per series among the works, each ordered by part; a work "
    "downloaded twice counts once.")]


@app.command(epilog=examples(
    "bookmaker build manuscripts/",
    "bookmaker build story.txt -o books/",
    "bookmaker build story.md --warnings end",
    "bookmaker build story.md -f epub -f pdf --paper 6x9 --drop-caps",
    "bookmaker build story.md -f zine --marks --creep 0.2mm",
    "bookmaker build drabble.md -f minizine",
    'bookmaker build a.md b.epub c.html --anthology "Rain Stories" --editor "An Editor"',
    "bookmaker build anthology.yaml -f epub -f pdf",
    "bookmaker build downloads/ --omnibus",
    "bookmaker build long.md -f zine --signature 16 --split-signatures --flyleaves 1",
    "bookmaker build long.md -f pdf --volumes 2",
))
@takes_settings("build")
def build(
    paths: Annotated[list[Path], typer.Argument(
        help="Files to build (.md, .txt, .html, .epub, .docx) or folders holding them.",
        show_default=False)],
    anthology: AnthologyOption = None,
    editors: EditorOption = None,
    skip_failed: SkipFailedOption = False,
    omnibus: OmnibusOption = False,
    settings: dict[str, Any] | None = None,
) -> None:
    """Build books from manuscripts into the output folder.

    Settings not given here come from the nearest [bold]bookmaker.toml[/bold] (see `bookmaker
    config`). Each book is named after its title. One bad manuscript never stops the others,
    nor one failed format the other formats; the exit code is 1 if any failed.
    """
    from bookmaker.convert import build as build_books
    from bookmaker.errors import BookmakerError

    run, context = run_settings(paths[0], settings or {})
    with run.budget.process():
        if omnibus:
            _build_omnibus(paths, skip_failed, run, context)
        elif anthology is not None or _is_anthology_file(paths):
            _build_anthology(paths, anthology, tuple(editors or ()), skip_failed, run, context)
        else:
            try:
                # Like batch's per worker: a net under the budgets; Ctrl-C stops it cleanly.
                with stopping("build"):
                    results = build_books(paths, run.formats, run.out, context, report,
                                          seconds=run.timeout)
            except BookmakerError as error:
                fail(str(error))
            verdict(results, "manuscripts failed")


def report(result: BuildResult) -> None:
    """Each book's warnings, every file written, then what failed (the source, or one format
    of it): a failed format never hides the formats that were written."""
    for warning in result.warnings:
        typer.echo(warning, err=True)
    for output in result.outputs:
        typer.echo(f"{printable_name(str(result.source))} -> {printable_name(str(output))}")
    if result.error:
        typer.echo(result.error, err=True)


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
        typer.echo(line, err=True)
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
        raise typer.Exit(1)

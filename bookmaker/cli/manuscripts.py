"""The commands around one manuscript: ``inspect``, ``check``, ``import`` and ``new``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bookmaker.cli.app import app, examples
from bookmaker.cli.common import echo, fail, stopping, verdict
from bookmaker.cli.settings import budget_of, takes_settings
from bookmaker.terminal import printable_name  # names from strangers

if TYPE_CHECKING:
    from bookmaker.convert import ImportResult


@app.command(epilog=examples("bookmaker inspect story.md", "bookmaker inspect story.txt --json"))
@takes_settings("inspect")
def inspect(
    path: Annotated[Path, typer.Argument(help="One manuscript file.", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the model as JSON.")] = False,
    settings: dict[str, Any] | None = None,
) -> None:
    """Show the document model a manuscript becomes."""
    from bookmaker.convert import load
    from bookmaker.errors import BookmakerError
    from bookmaker.model import to_json
    from bookmaker.writers.outline import outline

    budget = budget_of(settings or {})
    try:
        with budget.process(), budget.file(path):  # the model shown is the file's work too
            book = load(path)
            shown = to_json(book) if as_json else outline(book)
    except BookmakerError as error:
        echo(str(error), err=True)  # already says file:line: problem (what to do)
        raise typer.Exit(1) from None
    sys.stdout.write(shown)


@app.command(epilog=examples("bookmaker check manuscripts/", "bookmaker check story.md",
                             "bookmaker check book.epub --target kindle",
                             "bookmaker check archive/ --target kobo"))
@takes_settings("check")
def check(
    paths: Annotated[list[Path], typer.Argument(
        help="Manuscripts, EPUBs or folders of them.", show_default=False)],
    target: Annotated[str, typer.Option(
        "--target", "-t", help="EPUBs: the device rules to lint against: kindle, kobo, apple or "
        "all.")] = "all",
    settings: dict[str, Any] | None = None,
) -> None:
    """Check manuscripts, or lint EPUBs (anyone's) against e-reader rules, without building.

    Prints [bold]file:line: problem (what to do)[/bold] for each finding; for an EPUB the file is
    the part inside the book and the problem starts with the rule's id. Exits 1 if any finding is
    an error. To repair an EPUB: `bookmaker import` it, then `bookmaker build` the manuscript.
    """
    from bookmaker.check import check_paths
    from bookmaker.errors import BookmakerError

    budget = budget_of(settings or {})
    try:
        with budget.process():
            findings = check_paths(paths, target, budget.seconds)
    except BookmakerError as error:
        fail(str(error), 2)
    # Like a linter: every finding on stdout in file and line order, the verdict on stderr.
    for finding in sorted(findings, key=lambda f: (f.path or "", f.line or 0)):
        echo(str(finding))
    errors = sum(1 for f in findings if f.level == "error")
    if errors:
        fail(f"{errors} error(s), {len(findings) - errors} warning(s)", 1)
    echo(f"ok: no errors, {len(findings)} warning(s)")


@app.command("import", epilog=examples(
    "bookmaker import downloads/The_Long_Way_Round.epub",
    "bookmaker import archive/ -o manuscripts/",
    "bookmaker import old-fic.txt work.html draft.docx -o drafts/",
))
@takes_settings("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(
        help="Files to import (.epub, AO3 .html, .html, .docx, .txt, .md) or folders of them.",
        show_default=False)],
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="Folder the manuscripts are written to.")] = Path("manuscripts"),
    settings: dict[str, Any] | None = None,
) -> None:
    """Turn EPUBs, AO3 downloads, Word files and old texts into editable manuscripts.

    Each input becomes [bold]<title>.md[/bold] in the output folder, with its images in
    [bold]<title>-images/[/bold]; existing files are never overwritten. Edit it, then `bookmaker
    build` it. One bad file never stops the others; the exit code is 1 if any failed.
    """
    from bookmaker.convert import import_files
    from bookmaker.errors import BookmakerError

    def report(result: ImportResult) -> None:
        for warning in result.warnings:
            echo(warning, err=True)
        if result.error:
            echo(result.error, err=True)
        else:
            echo(f"{printable_name(str(result.source))} -> "
                       f"{printable_name(str(result.output))}")

    budget = budget_of(settings or {})
    try:
        with stopping("import"), budget.process():
            results = import_files(paths, out, report, budget.seconds)
    except BookmakerError as error:  # an output folder that is not the user's
        fail(str(error))
    verdict(results, "files failed to import")


@app.command(epilog=examples('bookmaker new "A New Hero"',
                             'bookmaker new "Chapter Two of Something" -d drafts/'))
def new(
    title: Annotated[str, typer.Argument(help="The work's title, in quotes.", show_default=False)],
    folder: Annotated[Path, typer.Option("--dir", "-d", help="Folder for the manuscript.")] =
        Path("manuscripts"),
) -> None:
    """Start a manuscript: every header field explained in comments, ready to build."""
    from bookmaker.errors import BookmakerError
    from bookmaker.scaffold import new_manuscript

    try:
        path = new_manuscript(title, folder)
    except BookmakerError as error:
        fail(str(error))
    echo(f"{path}: written; build it with `bookmaker build {path}`")

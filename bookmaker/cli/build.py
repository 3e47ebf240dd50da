"""``bookmaker build``: its options and help (what it does is building.py's, shared with the
quick path of cli/quick.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from bookmaker.cli.app import app, examples
from bookmaker.cli.building import build_books
from bookmaker.cli.settings import takes_settings

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
    build_books(paths, anthology, tuple(editors or ()), skip_failed, omnibus, settings or {})

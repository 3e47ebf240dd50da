"""The Typer app every command registers on, and what their help shares: the examples, the
defaults (what the commands share once their command line is read is in common.py).

Heavy modules (readers, writers, WeasyPrint) are imported inside the commands that need them, so
``bookmaker --help`` is instant and an EPUB build never loads the PDF machinery.
"""

from __future__ import annotations

from typing import Annotated

import typer

from bookmaker import __version__

app = typer.Typer(
    name="bookmaker",
    help="Turn fan fiction manuscripts into books: EPUB, a styled PDF, zines and mini-zines. "
         "Also imports EPUB, AO3, HTML, Word and text files as manuscripts, and converts whole "
         "archives (locally or on a Dask cluster).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"bookmaker {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool | None, typer.Option(
        "--version", callback=_version, is_eager=True, help="Show the version and exit.")] = None,
) -> None:
    """Turn fan fiction manuscripts into books."""


def examples(*lines: str) -> str:
    """A help epilog: Typer's rich help joins single lines, so each example is its own paragraph."""
    return "[bold]Examples[/bold]\n\n" + "\n\n".join(f"  [cyan]{line}[/cyan]" for line in lines)


def with_default(text: str, value: str) -> str:
    """A help text ending in its default. The bracket is escaped: rich markup would take
    ``[default: ...]`` for a tag and print nothing of it."""
    return f"{text} \\[default: {value}]"

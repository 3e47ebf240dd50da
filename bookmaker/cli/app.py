"""The Typer app every command registers on, and what the commands share: the help's examples,
failing with a message, stopping cleanly on Ctrl-C or SIGTERM, the verdict of a run.

Heavy modules (readers, writers, WeasyPrint) are imported inside the commands that need them, so
``bookmaker --help`` is instant and an EPUB build never loads the PDF machinery.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from typing import Annotated, NoReturn

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


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"bookmaker: {message}", err=True)
    raise typer.Exit(code)


def verdict(results: list, failed_what: str) -> None:
    """Exit 1 when anything failed, saying how much; a folder that held nothing readable is
    named as such, not counted as a failed manuscript."""
    empty = [str(r.source) for r in results if r.error and r.source.is_dir()]
    works = [r for r in results if not (r.error and r.source.is_dir())]
    failed = sum(1 for r in works if r.error)
    if not works and empty:
        fail(f"no manuscripts in {', '.join(empty)}")
    problems = [f"{failed} of {len(works)} {failed_what}"] if failed else []
    problems += [f"no manuscripts in {', '.join(empty)}"] if empty else []
    if problems:
        fail("; ".join(problems))


@contextlib.contextmanager
def stopping(what: str, code_on_stop: int | None = None,
             stopped: str = "the book in progress and any worker processes were stopped"
             ) -> Iterator[None]:
    """Ctrl-C or SIGTERM during ``what``: the workers are already stopped by the code that
    started them (each cleans up as the exception passes); say so, and exit 130 or 143 (0 for
    ``watch``, whose way to stop is Ctrl-C)."""
    from bookmaker.batch.signals import Interrupted, interrupt_on

    try:
        with interrupt_on():
            yield
    except (Interrupted, KeyboardInterrupt) as stop:
        signum = stop.signum if isinstance(stop, Interrupted) else signal.SIGINT
        name = signal.Signals(signum).name
        typer.echo(f"bookmaker: {what} stopped by {name}: {stopped}; nothing half-written is "
                   "left (every book is written through a temporary file)", err=True)
        raise typer.Exit(128 + signum if code_on_stop is None else code_on_stop) from None

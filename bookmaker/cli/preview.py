"""``bookmaker preview``: the command line of the live preview (bookmaker/preview/)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from bookmaker.cli.app import app, examples
from bookmaker.cli.common import echo
from bookmaker.cli.settings import takes_settings


@app.command(epilog=examples("bookmaker preview manuscripts/a-new-hero.md",
                             "bookmaker preview story.md --host 0.0.0.0 --port 8080"))
@takes_settings("preview")
def preview(
    manuscript: Annotated[Path, typer.Argument(help="The manuscript you are writing.",
                                               show_default=False)],
    port: Annotated[int, typer.Option("--port", min=0, max=65535,
                                      help="The port to serve on (0: any free one).")] = 8000,
    host: Annotated[str, typer.Option(
        "--host", help="The address to serve on; 0.0.0.0 lets a phone on your network open "
                       "it.")] = "127.0.0.1",
    style: Annotated[str | None, typer.Option(
        "--style", "--theme", show_default=False,
        help="A theme name or the path of a theme folder of your own (switchable in the "
             "page).")] = None,
    settings: dict[str, Any] | None = None,
) -> None:
    """Show the book as a phone, a 6-inch e-reader and the printed page show it, side by side in
    your browser, updated on every save. Ctrl-C stops."""
    from bookmaker.batch.signals import Interrupted, interrupt_on
    from bookmaker.errors import BookmakerError
    from bookmaker.preview import preview as serve

    try:
        with interrupt_on():
            serve(manuscript, host, port, style, echo=echo, given=settings)
    except (Interrupted, KeyboardInterrupt):
        echo("bookmaker: preview stopped; nothing was written", err=True)
        # Everything is already stopped and removed (the streams, the watch, the socket, the
        # scratch folder). What is left is memory: the book's model and the printed pages,
        # millions of objects that the interpreter would free one by one for most of a second
        # on a busy machine; the process ends without that.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    except BookmakerError as error:
        echo(f"bookmaker: {error}", err=True)
        raise typer.Exit(2) from None

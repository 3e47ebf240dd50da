"""``bookmaker watch``: build, then rebuild on every save."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from bookmaker.cli.app import app, examples
from bookmaker.cli.common import echo, fail, stopping
from bookmaker.cli.settings import takes_settings


@app.command(epilog=examples("bookmaker watch manuscripts/a-new-hero.md",
                             "bookmaker watch story.md -f epub -f pdf --style modern"))
@takes_settings("watch")
def watch(
    path: Annotated[Path, typer.Argument(help="A manuscript (or a folder of them).",
                                         show_default=False)],
    settings: dict[str, Any] | None = None,
) -> None:
    """Build, then rebuild on every save of the manuscript, its images, bookmaker.toml or the
    theme; errors are printed and the watch goes on. Ctrl-C stops."""
    from bookmaker.errors import BookmakerError
    from bookmaker.watch import watch as watch_and_build

    try:
        with stopping("watch", code_on_stop=0, stopped="a rebuild in progress (if any) was "
                      "abandoned with its worker processes, the last good books stay"):
            watch_and_build(path, settings or {}, echo)
    except BookmakerError as error:  # nothing to watch, or settings no build could use
        fail(str(error), 2)

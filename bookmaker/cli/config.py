"""``bookmaker config`` (every setting and where it comes from) and ``bookmaker styles``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bookmaker.cli.app import app, examples, with_default
from bookmaker.cli.common import echo, fail


@app.command("config", epilog=examples("bookmaker config",
                                       "bookmaker config manuscripts/story.md"))
def show_config(
    path: Annotated[Path, typer.Argument(
        help=with_default("A manuscript or folder.", "the current folder"), show_default=False)] =
        Path("."),
) -> None:
    """Print every setting a build would use and where each came from (bookmaker.toml:line or
    the built-in default); options given to `build` win over both."""
    from bookmaker.convert import effective_settings
    from bookmaker.errors import BookmakerError

    try:
        config, settings = effective_settings(path)
    except BookmakerError as error:
        fail(str(error))
    for finding in config.warnings:
        echo(str(finding), err=True)
    echo(f"# {config.path or 'no bookmaker.toml found: built-in defaults'}")
    width = max(len(name) for name in settings)
    for name, setting in settings.items():
        echo(f"{name:<{width}}  {setting.value!r:<24}  # {setting.source}")


@app.command(epilog=examples("bookmaker styles", "bookmaker build story.md --style modern"))
def styles() -> None:
    """List the themes, each with a line saying what it looks like."""
    from bookmaker.settings.themes import list_themes

    themes = list_themes()
    width = max(len(theme.name) for theme in themes)
    for theme in themes:
        echo(f"{theme.name:<{width}}  {theme.description}")

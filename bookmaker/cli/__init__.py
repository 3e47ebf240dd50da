"""The ``bookmaker`` command: parses options, calls the library, prints results. Nothing more.

``app`` (cli/app.py) is the Typer app; each module below defines commands on it. A new command is
a module of its own under cli/ and one line in COMMAND_MODULES. The build settings every command
shares come from the schema (settings/options.py) through cli/settings.py, never typed here.
``main`` is the console script: a plain ``bookmaker build`` goes through cli/quick.py, which
reads it without making the app; everything else through the app. ``app`` is made when first
asked for (``from bookmaker.cli import app``: see _Package).
"""

from __future__ import annotations

import functools
import importlib
import sys
import types
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

# One line per module of commands, in the order `bookmaker --help` lists them.
COMMAND_MODULES = (
    "bookmaker.cli.build",  # build (works, anthologies, omnibuses)
    "bookmaker.cli.manuscripts",  # inspect, check, import, new
    "bookmaker.cli.batch",  # batch
    "bookmaker.cli.config",  # config, styles
    "bookmaker.cli.watch",  # watch
    "bookmaker.cli.preview",  # preview
)


def main(prog_name: str | None = None) -> None:
    """The ``bookmaker`` command."""
    from bookmaker.cli import quick

    if not quick.build(sys.argv[1:]):
        typer_app()(prog_name=prog_name)


@functools.cache
def typer_app() -> typer.Typer:
    """The Typer app with every command on it."""
    from bookmaker.cli.app import app

    for module in COMMAND_MODULES:
        importlib.import_module(module)
    return app


class _Package(types.ModuleType):
    """This package, whose ``app`` is the Typer app, made when first asked for. Importing the
    module cli/app.py sets the package's attribute of that name to the module: ignored, so
    ``from bookmaker.cli import app`` is the app whatever was imported before."""

    @property
    def app(self) -> typer.Typer:
        return typer_app()

    @app.setter
    def app(self, module: object) -> None:
        pass


sys.modules[__name__].__class__ = _Package


__all__ = ["app", "main"]

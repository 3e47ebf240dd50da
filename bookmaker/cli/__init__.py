"""The ``bookmaker`` command: parses options, calls the library, prints results. Nothing more.

``app`` (cli/app.py) is the Typer app; each module below defines commands on it. A new command is
a module of its own under cli/ and one line in COMMAND_MODULES. The build settings every command
shares come from the schema (settings/options.py) through cli/settings.py, never typed here.
"""

from __future__ import annotations

import importlib

from bookmaker.cli.app import app

# One line per module of commands, in the order `bookmaker --help` lists them.
COMMAND_MODULES = (
    "bookmaker.cli.build",  # build (works, anthologies, omnibuses)
    "bookmaker.cli.manuscripts",  # inspect, check, import, new
    "bookmaker.cli.batch",  # batch
    "bookmaker.cli.config",  # config, styles
    "bookmaker.cli.watch",  # watch
    "bookmaker.cli.preview",  # preview
)
for _module in COMMAND_MODULES:
    importlib.import_module(_module)

__all__ = ["app"]

"""``python -m bookmaker`` is the ``bookmaker`` command."""

from bookmaker.cli import app

app(prog_name="bookmaker")

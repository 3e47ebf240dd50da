"""``python -m bookmaker`` is the ``bookmaker`` command."""

from bookmaker.cli import main

main(prog_name="bookmaker")

"""A plain ``bookmaker build PATH... [settings]`` read without the Typer app.

Most runs of bookmaker build one fic, and for a short fic the Typer app (typer, its click, every
command's options made from the schema) costs as much as the book. A command line that is only
``build``, paths and build settings in their plain forms (``-f epub``, ``--out DIR``,
``--drop-caps``) is read here and handed to the same ``build_books`` the Typer command calls;
anything else (``--help``, another command, build's own options, ``--format=epub``, ``--``, a
value that is not a number where one is wanted) is left to the app, which reads, checks and
explains it. So the quick path never has to say anything of its own: what it accepts, Typer
would read the same way (``tests/test_cli.py`` holds the two to the same settings).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from bookmaker.cli.common import echo, misconfigured, option_kind

_NOT_PLAIN = object()  # a form of an option the quick path leaves to Typer


def build(argv: list[str]) -> bool:
    """Run ``argv`` as a plain build and return True, or return False when it is not one. A
    build that fails leaves with SystemExit and the command's exit code, as under Typer."""
    if not argv or argv[0] != "build" or misconfigured(sys.stdout) or misconfigured(sys.stderr):
        return False
    parsed = plain_build(argv[1:])
    if parsed is None:
        return False
    paths, settings = parsed
    from bookmaker.cli.building import build_books

    try:
        build_books(paths, None, (), False, False, settings)
    except KeyboardInterrupt:  # before the build's own handler is in place: as click says it
        echo("", err=True)
        echo("Aborted!", err=True)
        raise SystemExit(1) from None
    return True


def plain_build(args: list[str]) -> tuple[list[Path], dict[str, Any]] | None:
    """The paths and the ``settings`` dict Typer would give ``build`` for ``args`` (None for a
    setting not given, a list for a list), or None when ``args`` is not a plain build."""
    from bookmaker.settings.options import SETTINGS

    chosen = [item for item in SETTINGS if "build" in item.commands]
    flags: dict[str, tuple[Any, bool | None]] = {}
    for item in chosen:
        for flag in item.flags:
            if "/" in flag:  # a switch, --marks/--no-marks
                on, off = flag.split("/")
                flags[on], flags[off] = (item, True), (item, False)
            else:
                flags[flag] = (item, None)
    paths: list[Path] = []
    settings: dict[str, Any] = {item.name: None for item in chosen}
    given: set[str] = set()
    position = 0
    while position < len(args):
        token = args[position]
        position += 1
        if not token.startswith("-"):
            paths.append(Path(token))
            continue
        if token not in flags:
            return None
        item, switch = flags[token]
        if switch is None:
            if position == len(args) or args[position].startswith("-"):
                return None
            value = _value(item, args[position])
            position += 1
            if value is _NOT_PLAIN:
                return None
        else:
            value = switch
        if option_kind(item) is list:
            settings[item.name] = [*(settings[item.name] or []), value]
        elif item.name in given:  # given twice: Typer keeps the last, and says nothing
            return None
        else:
            settings[item.name] = value
        given.add(item.name)
    return (paths, settings) if paths else None


def _value(item: Any, text: str) -> Any:
    """The option's value as click converts it: a number for a number, else the text."""
    kind = option_kind(item)
    if kind in (int, float):
        try:
            return kind(text)
        except ValueError:  # Typer says what is wrong
            return _NOT_PLAIN
    return text

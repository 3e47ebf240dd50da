"""What every command shares once its command line is read, without Typer: printing a line,
failing with a message, stopping cleanly on Ctrl-C or SIGTERM, the verdict of a run, the run's
settings.

Nothing here imports typer or rich, so a plain ``bookmaker build`` (cli/quick.py) runs the same
code as the Typer command without loading the app. Leaving is ``SystemExit``: Typer lets it pass
and CliRunner records its code, as it does for ``typer.Exit``.
"""

from __future__ import annotations

import codecs
import contextlib
import re
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

if TYPE_CHECKING:
    from bookmaker.settings.context import RenderContext
    from bookmaker.settings.options import RunOptions
    from bookmaker.settings.schema import BuildSetting

_ANSI = re.compile(r"\033\[[;?0-9]*[a-zA-Z]")  # the codes click.echo strips off a terminal


def echo(message: str, err: bool = False) -> None:
    """``message`` and a line feed on stdout (stderr with ``err``), flushed, as click.echo
    prints it: colour codes stripped when the stream is not a terminal, and an ASCII-only
    stream written as UTF-8 (unencodable characters replaced) rather than failing."""
    stream = sys.stderr if err else sys.stdout
    if stream is None:  # no stream attached
        return
    line = message + "\n"
    if not stream.isatty():
        line = _ANSI.sub("", line)
    if misconfigured(stream) and hasattr(stream, "buffer"):
        stream.flush()
        stream.buffer.write(line.encode("utf-8", "replace"))
        stream.buffer.flush()
        return
    stream.write(line)
    stream.flush()


def misconfigured(stream: TextIO) -> bool:
    """Whether ``stream`` would write ASCII only (click's test: no encoding counts as ASCII)."""
    try:
        return codecs.lookup(getattr(stream, "encoding", None) or "ascii").name == "ascii"
    except LookupError:
        return False


def fail(message: str, code: int = 1) -> NoReturn:
    echo(f"bookmaker: {message}", err=True)
    raise SystemExit(code)


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
        echo(f"bookmaker: {what} stopped by {name}: {stopped}; nothing half-written is "
             "left (every book is written through a temporary file)", err=True)
        raise SystemExit(128 + signum if code_on_stop is None else code_on_stop) from None


def option_kind(item: BuildSetting) -> type:
    """The type a setting's command-line option gives: its text for a setting written with a
    unit or of open text, a list of texts for a list, else the setting's own type."""
    if item.kind is tuple:
        return list
    return str if item.parse or item.kind is str else item.kind


def run_settings(start: Path, given: dict[str, Any]) -> tuple[RunOptions, RenderContext]:
    """The run's options and render context for sources at ``start`` (its bookmaker.toml
    applies); a bad value ends the command with exit code 2 and says what to give instead."""
    from bookmaker.convert import settings_at
    from bookmaker.errors import BookmakerError

    try:
        run, context, config_warnings = settings_at(start, given)
    except (ValueError, BookmakerError) as error:
        fail(str(error), 2)
    for finding in config_warnings:
        echo(str(finding), err=True)
    return run, context

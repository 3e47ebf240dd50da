"""Errors and findings that name the file, the line and what to do.

Every problem bookmaker reports about its input is a ManuscriptError (or a Finding, for ``check``),
never a traceback: the people who hit them are writers and archivists, not Python programmers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from bookmaker.terminal import printable, printable_name


def location(path: str | PurePath | None, line: int | None = None) -> str:
    if path is None:
        return ""
    return f"{printable_name(str(path))}:{line}" if line else printable_name(str(path))


@dataclass(frozen=True)
class Finding:
    """One problem found in a manuscript: ``level`` is "error" or "warning"; ``output`` the
    format it stopped, when it stopped one format only (``story.md [minizine]: too long...``)."""

    level: str
    message: str
    path: str | None = None
    line: int | None = None
    hint: str = ""
    output: str | None = None

    def __str__(self) -> str:
        where = location(self.path, self.line)
        if self.output:
            where = f"{where} [{printable_name(self.output)}]".lstrip()
        message = printable(self.message)  # may quote the file's content or its name
        text = f"{where}: {message}" if where else message
        if self.level == "warning":
            text = text.replace(": ", ": warning: ", 1) if where else f"warning: {text}"
        return f"{text} ({printable(self.hint)})" if self.hint else text


class BookmakerError(Exception):
    """Base class of every error bookmaker reports to its user."""


class ManuscriptError(BookmakerError):
    """Bad input: names the file, the line where known, the problem and what to do about it."""

    def __init__(self, message: str, path: str | PurePath | None = None, line: int | None = None,
                 hint: str = "", output: str | None = None) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.hint = hint
        self.output = output  # the one format it stopped, when it stopped one
        super().__init__(str(self))

    def __str__(self) -> str:
        return str(self.as_finding())

    def as_finding(self) -> Finding:
        return Finding("error", self.message, self.path, self.line, self.hint, self.output)

    def located(self, path: str | PurePath, line_offset: int = 0) -> ManuscriptError:
        """The same error, naming ``path`` (and shifting the line) when it did not know them."""
        line = self.line + line_offset if self.line else self.line
        return ManuscriptError(self.message, self.path or path, line, self.hint, self.output)

    def of_format(self, name: str) -> ManuscriptError:
        """The same error, as the failure of format ``name`` alone."""
        return ManuscriptError(self.message, self.path, self.line, self.hint, name)


class OutputError(BookmakerError):
    """The output could not be written (read-only or full folder...)."""

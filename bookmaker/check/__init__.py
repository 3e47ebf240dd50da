"""``bookmaker check``: manuscripts checked for mistakes, EPUBs linted against the device rules.

``manuscripts.py`` checks what an author writes (every problem with file and line); ``epub.py``
lints a finished EPUB, bookmaker's or anyone's, against the rules of Kindle, Kobo and Apple Books
listed in ``rules.py``. A folder may hold both: each file goes to the check for its kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bookmaker import readers
from bookmaker.check.epub import check_epub
from bookmaker.check.manuscripts import check_file
from bookmaker.check.rules import TARGETS
from bookmaker.errors import BookmakerError, Finding, ManuscriptError
from bookmaker.safety.limits import OverBudget, within

__all__ = ["TARGETS", "check_epub", "check_file", "check_paths"]


def check_paths(paths: Iterable[str | Path], target: str = "all",
                seconds: float | None = None) -> list[Finding]:
    """Every finding for the files and folders ``paths``: EPUBs against ``target``'s device rules,
    everything else as a manuscript. Each file is checked within ``seconds`` and the process's
    memory limit (safety/limits.py): one that runs past either is an error naming it, and the
    files after it are checked."""
    if target not in TARGETS:
        raise BookmakerError(f"unknown target {target!r} (choose from {', '.join(TARGETS)})")
    found: list[Finding] = []
    for path in paths:
        try:
            sources = readers.discover(path)
        except ManuscriptError as error:
            found.append(error.as_finding())
            continue
        for source in sources:
            try:
                with within(source, seconds):
                    found.extend(check_epub(source, target) if source.suffix.lower() == ".epub"
                                 else check_file(source))
            except OverBudget as error:
                found.append(error.as_finding())
    return found

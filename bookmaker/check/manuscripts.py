"""Manuscripts checked: every problem in one, each as a Finding with file and line, as the
reader registry's ``findings`` lists them (every reader reports all it meets)."""

from __future__ import annotations

from pathlib import Path

from bookmaker import readers
from bookmaker.errors import BookmakerError, Finding


def check_file(path: Path) -> list[Finding]:
    try:
        return readers.findings(path)
    except BookmakerError as error:
        return [Finding("error", str(error), str(path))]

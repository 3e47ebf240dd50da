"""Manuscripts checked: every problem in one, each as a Finding with file and line.

Readers that can list several problems at once expose ``findings(path)``; for the others, reading
the file and reporting its first error is the best there is.
"""

from __future__ import annotations

from pathlib import Path

from bookmaker import readers
from bookmaker.errors import BookmakerError, Finding, ManuscriptError


def check_file(path: Path) -> list[Finding]:
    try:
        module = readers.reader_for(path)
    except ManuscriptError as error:
        return [error.as_finding()]
    if hasattr(module, "findings"):
        return list(module.findings(path))
    try:
        module.read(path)
    except ManuscriptError as error:
        return [error.as_finding()]
    except BookmakerError as error:
        return [Finding("error", str(error), str(path))]
    return []

"""Readers: one module per input format, each exposing ``read(path) -> Book``.

This module only chooses the reader; it knows nothing of any format's insides. Readers are imported
when first used so ``bookmaker build`` pays only for the formats it meets.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType

from bookmaker.errors import Finding, ManuscriptError
from bookmaker.model import Book
from bookmaker.safety.inputs import open_input

# extension -> reader module under bookmaker.readers
READERS = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "plaintext",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".docx": "docx",
    ".epub": "epub",
    ".azw3": "mobi",
    ".mobi": "mobi",
}

# extension -> reader modules that may claim such a file by its content, asked in order before
# READERS' default; each has ``sniff(head: bytes) -> bool`` over the file's first SNIFF_BYTES.
# (A .html file may be an AO3 work page saved from the browser, an AO3 download or any saved page.)
SNIFFERS: dict[str, tuple[str, ...]] = {
    ".html": ("html.ao3_page", "html.ao3"),
    ".htm": ("html.ao3_page", "html.ao3"),
    ".xhtml": ("html.ao3_page", "html.ao3"),
}
SNIFF_BYTES = 64 * 1024


def is_readable(path: Path) -> bool:
    return path.suffix.lower() in READERS


def read(path: str | Path) -> Book:
    """Read any supported file into a Book, or raise ManuscriptError naming the file."""
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        raise ManuscriptError("no such file", path, hint="check the path")
    if path.is_dir() and not path.is_symlink():
        raise ManuscriptError("is a folder, not a manuscript", path,
                              hint="pass the files in it, or use `bookmaker build FOLDER`")
    return reader_for(path).read(path)


def read_with_findings(path: str | Path) -> tuple[Book, list[Finding]]:
    """Like ``read``, with the warnings about what the reader left out or repaired, for ``build``
    to print: nothing a reader drops is dropped silently. (Readers that report such things
    expose ``read_with_findings(path)``; the others give none.)"""
    path = Path(path)
    module = reader_for(path) if path.is_file() else None
    if module is None or not hasattr(module, "read_with_findings"):
        return read(path), []
    book, found = module.read_with_findings(path)
    book = book_or_first_error((book, found))
    return book, [finding for finding in found if finding.level != "error"]


def reader_for(path: Path) -> ModuleType:
    """The reader module for ``path``: one that recognises its content, else its extension's."""
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise ManuscriptError(f"cannot read {path.suffix or 'extension-less'} files", path,
                              hint="supported: " + ", ".join(sorted(READERS)))
    candidates = SNIFFERS.get(suffix, ())
    if candidates:
        head = _head(path)
        for name in candidates:
            module = importlib.import_module(f"bookmaker.readers.{name}")
            if module.sniff(head):
                return module
    return importlib.import_module(f"bookmaker.readers.{READERS[suffix]}")


def _head(path: Path) -> bytes:
    with open_input(path) as file:
        return file.read(SNIFF_BYTES)


def discover(path: str | Path) -> list[Path]:
    """Every readable manuscript at ``path``: the file itself, or all below a folder, sorted.

    Hidden files and folders (``.git``, editor backups) are skipped, and so is a README: it
    describes a folder of manuscripts, it is not one.
    """
    path = Path(path)
    if not path.exists():
        raise ManuscriptError("no such file or folder", path, hint="check the path")
    if not path.is_dir():
        # A file, or a pipe or device named on purpose: the reader says what is wrong with it.
        return [path]
    # Symlinks, pipes and devices with a manuscript's name are kept, so the reader refuses each
    # with a message naming it; links to folders are not walked into.
    # os.walk neither follows links to folders nor fails when a file or folder vanishes while
    # it looks (a synced folder, ``watch``).
    found = [
        candidate
        for candidate in sorted(Path(folder, name) for folder, _dirs, names in os.walk(path)
                                for name in names)
        if is_readable(candidate)
        and candidate.stem.lower() != "readme"
        and not any(part.startswith(".") for part in candidate.relative_to(path).parts)
    ]
    if not found:
        raise ManuscriptError("no manuscripts in this folder", path,
                              hint="readable files end in " + ", ".join(sorted(READERS)))
    return found


def discover_all(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Every readable file under ``paths`` (in order, without repeats), and each path that gave
    none with the reason: a batch reports those and goes on with the rest."""
    found: list[Path] = []
    refused: list[tuple[Path, str]] = []
    for path in paths:
        try:
            found.extend(discover(path))
        except ManuscriptError as error:
            refused.append((Path(path), str(error)))
    return list(dict.fromkeys(found)), refused


def book_or_first_error(book_and_findings: tuple[Book, list[Finding]]) -> Book:
    """A reader's ``read``: the book, unless its findings hold an error, raised as it stands."""
    book, found = book_and_findings
    for finding in found:
        if finding.level == "error":
            raise ManuscriptError(finding.message, finding.path, finding.line, finding.hint)
    return book


def findings_of(read_with_findings: Callable[[Path], tuple[Book, list[Finding]]],
                path: str | Path) -> list[Finding]:
    """A reader's ``findings``: every problem it meets in ``path``, never raising."""
    try:
        return read_with_findings(Path(path))[1]
    except ManuscriptError as error:
        return [error.as_finding()]

"""Readers: one per input format, chosen from the registry below and nowhere else.

A reader knows its input format and nothing about outputs. Each reader module follows the
``Reader`` interface: ``read_with_findings(source)``, where ``source`` is the input as the gate
opened it (safety/inputs.Source: its bytes, a name for messages, the folder its references are
resolved in). No reader is ever given a path it could open: this module opens every input once
(no symlink followed, a regular file, within its format's size budget) and reads it from that
descriptor, so a link, a pipe or a device is refused here, for every format, before any reader
runs. ``read``, ``read_with_findings`` and ``findings`` below derive from that one function.

Readers are imported only when a file of their format is met, so ``bookmaker build`` pays only
for the formats it reads (Sphinx's builders, pandoc's ``Readers.hs``). Plugins add formats with
``register`` (``BOOKMAKER_PLUGINS``, see batch/worker.py).
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

from bookmaker.errors import Finding, ManuscriptError
from bookmaker.model import Book
from bookmaker.readers import accounting
from bookmaker.readers.decoding import MAX_TEXT_BYTES
from bookmaker.safety.archives import MAX_CONTAINER_BYTES
from bookmaker.safety.inputs import Source, open_source
from bookmaker.safety.palmdb import MAX_KINDLE_BYTES

if TYPE_CHECKING:
    from bookmaker.readers.anthology import AnthologySpec

SNIFF_BYTES = 64 * 1024  # how much of a file a reader's sniff() is shown
# What the sniffing window leaves out: an AO3 work page's skin is a <style> in its head, and one
# over 64 KB pushed the page's own markers (``id="workskin"``) out of a window of raw bytes.
_UNSEEN = re.compile(rb"<(style|script)\b[^>]*>", re.IGNORECASE)
_UNSEEN_END = {b"style": re.compile(rb"</style\s*>", re.IGNORECASE),
               b"script": re.compile(rb"</script\s*>", re.IGNORECASE)}


class Reader(Protocol):
    """What every reader module provides."""

    def read_with_findings(self, source: Source) -> tuple[Book, list[Finding]]:
        """The Book in ``source`` and every problem met reading it, errors included (the
        registry raises the first); a ManuscriptError naming ``source.name`` when reading cannot
        go on at all."""
        ...


class Sniffer(Protocol):
    """What a reader that claims files by their content adds (ReaderInfo.sniffs)."""

    def sniff(self, head: bytes) -> bool:
        """Whether a file whose first SNIFF_BYTES (of markup: see sniff_window) are ``head`` is
        this reader's."""
        ...


@dataclass(frozen=True)
class ReaderInfo:
    """A registry entry: what is known of an input format without importing its reader."""

    name: str
    suffixes: tuple[str, ...]  # lower case, dot included
    module: str
    summary: str
    max_bytes: int = MAX_TEXT_BYTES  # the gate refuses a larger file before reading it
    # True: the module's sniff(head) decides whether a file with one of these suffixes is its
    # own; such readers are asked in the order registered, before the suffix's one default
    # reader (False), which takes what none of them claims.
    sniffs: bool = False

    def load(self) -> Reader:
        return cast(Reader, importlib.import_module(self.module))

    def claims(self, head: bytes) -> bool:
        return cast(Sniffer, importlib.import_module(self.module)).sniff(head)


READERS: dict[str, ReaderInfo] = {}


def readers_of(suffix: str) -> list[ReaderInfo]:
    """The readers that may take a file ending in ``suffix``: the sniffing ones in the order
    registered, then the default."""
    candidates = [info for info in READERS.values() if suffix.lower() in info.suffixes]
    return sorted(candidates, key=lambda info: not info.sniffs)


def _default_for(suffix: str) -> ReaderInfo | None:
    return next((info for info in READERS.values() if suffix.lower() in info.suffixes
                 and not info.sniffs), None)


def register(info: ReaderInfo) -> None:
    """Add an input format (plugins may call this too): a name is registered once, and each
    suffix has at most one reader that does not sniff."""
    if info.name in READERS and READERS[info.name] != info:
        raise ValueError(f"reader {info.name!r} is already registered")
    if not info.sniffs:
        for suffix in info.suffixes:
            default = _default_for(suffix)
            if default is not None and default.name != info.name:
                raise ValueError(f"{suffix} files are already read by {default.name!r}")
    READERS[info.name] = info


for _info in (
    ReaderInfo("markdown", (".md", ".markdown"), "bookmaker.readers.markdown",
               "annotated manuscripts: Markdown with YAML front matter"),
    ReaderInfo("plaintext", (".txt",), "bookmaker.readers.plaintext",
               "plain-text fics, header lines as metadata; Project Gutenberg's texts"),
    ReaderInfo("ao3-page", (".html", ".htm", ".xhtml"), "bookmaker.readers.html.ao3_page",
               "an AO3 work page saved from the browser, work skin kept", sniffs=True),
    ReaderInfo("ao3-download", (".html", ".htm", ".xhtml"), "bookmaker.readers.html.ao3",
               "AO3's HTML download", sniffs=True),
    ReaderInfo("html", (".html", ".htm", ".xhtml"), "bookmaker.readers.html",
               "any saved web page; Project Gutenberg's HTML books"),
    ReaderInfo("docx", (".docx",), "bookmaker.readers.docx", "Word and Google Docs files",
               max_bytes=MAX_CONTAINER_BYTES),
    ReaderInfo("epub", (".epub",), "bookmaker.readers.epub",
               "EPUBs: AO3's, FanFicFare's, Calibre's, Standard Ebooks'...",
               max_bytes=MAX_CONTAINER_BYTES),
    ReaderInfo("kindle", (".azw3", ".mobi"), "bookmaker.readers.mobi",
               "Kindle books without DRM (AO3's AZW3 and MOBI downloads)",
               max_bytes=MAX_KINDLE_BYTES),
):
    register(_info)


# --------------------------------------------------------------------------- choosing


def suffixes() -> list[str]:
    """Every suffix some reader takes, sorted."""
    return sorted({suffix for info in READERS.values() for suffix in info.suffixes})


def is_readable(path: Path) -> bool:
    return path.suffix.lower() in suffixes()


def modules_for(suffixes_met: Iterable[str]) -> set[str]:
    """The reader modules a run meeting these suffixes imports (a batch worker's warm-up)."""
    return {info.module for suffix in suffixes_met for info in readers_of(suffix)}


def _unreadable(path: Path) -> ManuscriptError:
    return ManuscriptError(f"cannot read {path.suffix or 'extension-less'} files", path,
                           hint="supported: " + ", ".join(suffixes()))


def open_input(path: str | Path) -> tuple[ReaderInfo, Source]:
    """The gate: ``path`` opened once and read whole (safety/inputs.open_source: no symlink,
    a regular file, within the largest budget among its suffix's readers), and the reader that
    takes it, by content among the sniffing readers, else by suffix."""
    path = Path(path)
    candidates = readers_of(path.suffix)
    if not candidates:
        raise _unreadable(path)
    if os.path.isdir(path) and not os.path.islink(path):
        raise ManuscriptError("is a folder, not a manuscript", path,
                              hint="pass the files in it, or use `bookmaker build FOLDER`")
    limit = max(info.max_bytes for info in candidates)
    source = open_source(path, limit, hint="split it into several works")
    head = sniff_window(source.data) if any(info.sniffs for info in candidates) else b""
    chosen = next((info for info in candidates if not info.sniffs or info.claims(head)), None)
    if chosen is None:
        raise _unreadable(path)
    if len(source.data) > chosen.max_bytes:
        raise ManuscriptError(f"file is {len(source.data) // 2**20} MB, more than the "
                              f"{chosen.max_bytes // 2**20} MB a {chosen.name} file may be",
                              path, hint="split it into several works")
    return chosen, source


def sniff_window(data: bytes, size: int = SNIFF_BYTES) -> bytes:
    """The first ``size`` bytes of ``data`` that are markup: what ``<style>`` and ``<script>``
    elements hold is left out (their tags are kept), so a page is known by its own markers
    however large the stylesheet or script before them. One pass, never past the window's end
    but to find where a left-out element ends."""
    kept: list[bytes] = []
    length = 0
    position = 0
    while length < size and position < len(data):
        opening = _UNSEEN.search(data, position, position + size - length)
        if opening is None:
            kept.append(data[position:position + size - length])
            break
        kept.append(data[position:opening.end()])
        length += opening.end() - position
        closing = _UNSEEN_END[opening.group(1).lower()].search(data, opening.end())
        position = closing.start() if closing else len(data)
    return b"".join(kept)[:size]


def reader_for(path: str | Path) -> ReaderInfo:
    """The registry entry of the reader that takes ``path`` (read through the gate to sniff)."""
    return open_input(path)[0]


# --------------------------------------------------------------------------- reading


def read_with_findings(path: str | Path) -> tuple[Book, list[Finding]]:
    """Any supported file as a Book, with the warnings about what its reader left out or
    repaired (for ``build`` to print: nothing a reader drops is dropped silently); the first
    error is raised as a ManuscriptError naming the file and line."""
    return read_source(*open_input(path))


def read_source(info: ReaderInfo, source: Source) -> tuple[Book, list[Finding]]:
    """``read_with_findings`` for an input the gate already opened: the live preview opens the
    manuscript once per save and reads it, or a chapter cut out of it, from that."""
    book, found = _read(info, source)
    for finding in found:
        if finding.level == "error":
            raise ManuscriptError(finding.message, finding.path, finding.line, finding.hint)
    return book, found


def _read(info: ReaderInfo, source: Source) -> tuple[Book, list[Finding]]:
    """The one call of a reader: its book and findings, and a warning when the book lacks words
    the source held that no rule left out on purpose (readers/accounting.py)."""
    book, found = info.load().read_with_findings(source)
    if not any(finding.level == "error" for finding in found):
        loss = accounting.unaccounted(source, book)
        if loss is not None:
            found = [*found, loss]
    return book, found


def read(path: str | Path) -> Book:
    """Any supported file as a Book, or a ManuscriptError naming the file."""
    return read_with_findings(path)[0]


def findings(path: str | Path) -> list[Finding]:
    """Every problem in ``path``, errors and warnings, never raising (``bookmaker check``): what
    its reader reports, and each image or cover a build would leave out."""
    from bookmaker.safety.assets import drop_unreadable_assets
    try:
        info, source = open_input(path)
        book, found = _read(info, source)
        if any(finding.level == "error" for finding in found):
            return found
        return found + drop_unreadable_assets(book, Path(path))[1]
    except ManuscriptError as error:
        return [error.as_finding()]


def read_anthology_spec(path: str | Path) -> AnthologySpec:
    """An anthology.yaml, opened through the gate like every input, read by readers/anthology."""
    from bookmaker.readers import anthology
    return anthology.read_spec(open_source(path, MAX_TEXT_BYTES,
                                           hint="an anthology file names works; keep it short"))


# --------------------------------------------------------------------------- finding inputs


def discover(path: str | Path) -> list[Path]:
    """Every readable manuscript at ``path``: the file itself, or all below a folder, sorted.

    Hidden files and folders (``.git``, editor backups) are skipped, and so is a README: it
    describes a folder of manuscripts, it is not one.
    """
    path = Path(path)
    if not path.exists():
        raise ManuscriptError("no such file or folder", path, hint="check the path")
    if not path.is_dir():
        # A file, or a pipe or device named on purpose: the gate says what is wrong with it.
        return [path]
    # Symlinks, pipes and devices with a manuscript's name are kept, so the gate refuses each
    # with a message naming it; links to folders are not walked into.
    # os.walk neither follows links to folders nor fails when a file or folder vanishes while
    # it looks (a synced folder, ``watch``).
    readable = set(suffixes())
    found = [
        candidate
        for candidate in sorted(Path(folder, name) for folder, _dirs, names in os.walk(path)
                                for name in names)
        if candidate.suffix.lower() in readable
        and candidate.stem.lower() != "readme"
        and not any(part.startswith(".") for part in candidate.relative_to(path).parts)
    ]
    if not found:
        raise ManuscriptError("no manuscripts in this folder", path,
                              hint="readable files end in " + ", ".join(sorted(readable)))
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

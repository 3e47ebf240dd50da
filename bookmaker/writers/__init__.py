"""Writers: one per output format, chosen by name from the registry below and nowhere else.

A writer knows its output and nothing about input formats; it only reads the model. Each writer
module follows the ``Writer`` interface. Shared rendering lives beside the writers (xhtml.py for
the text of EPUB and print pages, templating.py for the Jinja environment, covers.py for the
generated cover). Writers are imported only when their format is asked for, so an EPUB build never
loads the PDF machinery.
"""

from __future__ import annotations

import difflib
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

from bookmaker.errors import BookmakerError

if TYPE_CHECKING:
    from bookmaker.errors import Finding
    from bookmaker.model import Anthology, Book
    from bookmaker.settings.context import RenderContext


class Writer(Protocol):
    """What every writer module provides."""

    # True: it wants the finished book (typography, bookmaker.toml's [book] defaults, the cover,
    # unreadable images dropped with a warning). False: the book as its source gave it, for a
    # writer that writes the author's text back (the manuscript).
    TYPESET: bool

    def write(self, book: Book | Anthology, dest: Path,
              context: RenderContext) -> list[Finding]:
        """Write ``book`` at ``dest`` atomically; the problems met that did not stop it. A
        writer of books (TYPESET) also takes an Anthology; the manuscript writer never gets
        one."""
        ...


@dataclass(frozen=True)
class WriterInfo:
    """A registry entry: what is known of a format without importing its writer."""

    name: str
    suffix: str  # the output file's suffix, dot included
    module: str
    summary: str

    def load(self) -> Writer:
        return cast(Writer, importlib.import_module(self.module))


WRITERS: dict[str, WriterInfo] = {}


def register(info: WriterInfo) -> None:
    """Add a format (plugins may call this too); a name is registered once."""
    if info.name in WRITERS and WRITERS[info.name] != info:
        raise ValueError(f"format {info.name!r} is already registered")
    WRITERS[info.name] = info


for _info in (
    WriterInfo("epub", ".epub", "bookmaker.writers.epub", "EPUB 3 for e-readers"),
    WriterInfo("kepub", ".kepub.epub", "bookmaker.writers.epub.kepub",
               "EPUB for Kobo's own renderer (sentence spans: reading stats, highlights, sync)"),
    WriterInfo("pdf", ".pdf", "bookmaker.writers.pdf", "a styled PDF for reading or printing"),
    WriterInfo("zine", ".zine.pdf", "bookmaker.writers.zine",
               "the PDF imposed as a saddle-stitched booklet"),
    WriterInfo("minizine", ".minizine.pdf", "bookmaker.writers.zine.minizine",
               "an 8-page mini-zine folded from one sheet"),
    WriterInfo("manuscript", ".md", "bookmaker.writers.manuscript",
               "an annotated manuscript to edit (what `bookmaker import` writes)"),
):
    register(_info)

# What `build` offers: the manuscript is written by `import`, into the manuscripts folder.
BOOK_FORMATS = ("epub", "kepub", "pdf", "zine", "minizine")


def writer_info(name: str, offered: tuple[str, ...] | None = None) -> WriterInfo:
    """The registry entry for ``name``; a BookmakerError with a did-you-mean for an unknown one."""
    choices = offered if offered is not None else tuple(WRITERS)
    if name in choices and name in WRITERS:
        return WRITERS[name]
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise BookmakerError(f"unknown format {name!r} ({hint}choose from {', '.join(choices)})")


def check_formats(names: list[str] | tuple[str, ...],
                  offered: tuple[str, ...] = BOOK_FORMATS) -> tuple[str, ...]:
    """``names`` without repeats, each a known format; a BookmakerError naming the first that is
    not."""
    for name in names:
        writer_info(name, offered)
    return tuple(dict.fromkeys(names))

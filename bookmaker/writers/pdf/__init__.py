"""The PDF writer: a Book as a print-quality PDF, laid out by WeasyPrint from the print HTML.

A short book is laid out in one WeasyPrint run. A long one is laid out in parts in parallel worker
processes and joined (parallel.py): WeasyPrint's layout is single-threaded and its memory
grows with the document, so parts are both faster on several cores and lighter. Either way the
pieces are written to a scratch folder and joined from there (join.py), so the book's PDF is
never held in memory in pieces.

Every book PDF is tagged (PDF/UA-1): a structure tree holding the story in reading order, the
language, alt text for images, the title shown in the window.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bookmaker.errors import Finding
from bookmaker.model import Anthology, Book
from bookmaker.settings.context import RenderContext
from bookmaker.safety.files import atomic_write
from bookmaker.writers.pdf.layout import Layout, LayoutSettings
from bookmaker.writers.pdf.join import join as join_pieces
from bookmaker.writers.pdf.parallel import lay_out, parallel_pdf
from bookmaker.writers.pdf.print_anthology import PrintAnthology
from bookmaker.writers.pdf.print_html import PrintBook, PrintDocument

# Below this many words a single run is as fast as starting workers and joining parts.
PARALLEL_MIN_WORDS = 25_000


TYPESET = True


def write(book: Book | Anthology, dest: Path, context: RenderContext) -> list[Finding]:
    """Write ``book`` as a PDF at ``dest``, atomically: a failed build leaves nothing behind."""
    atomic_write(Path(dest), pdf_bytes(book, context))
    return []


def pdf_bytes(book: Book | Anthology, context: RenderContext | None = None,
              parallel: bool | None = None) -> bytes:
    """The PDF for ``book``; ``parallel`` forces a layout path (None: chosen by size and
    ``options.workers``)."""
    with tempfile.TemporaryDirectory(prefix="bookmaker-pdf-") as scratch:
        dest = Path(scratch) / "book.pdf"
        write_pdf(book, dest, Path(scratch), context, parallel)
        return dest.read_bytes()


def write_pdf(book: Book | Anthology, dest: Path, scratch: Path,
              context: RenderContext | None = None, parallel: bool | None = None) -> None:
    """The PDF for ``book`` written at ``dest``, its pieces laid out in ``scratch``."""
    context = context or RenderContext()
    options = context.options
    print_book = print_book_for(book, context)
    settings = LayoutSettings(book.base_dir, options.paper, context.theme, print_book.folders)
    workers = options.workers or os.cpu_count() or 1
    if parallel is None:
        parallel = workers > 1 and len(print_book.body) > 1 and \
            sum(section.words for section in print_book.body) >= PARALLEL_MIN_WORDS
    if parallel:
        parallel_pdf(print_book, settings, workers, dest, scratch)
    else:
        single_run_pdf(print_book, settings, dest, scratch)


def print_book_for(book: Book | Anthology, context: RenderContext | None = None) -> PrintDocument:
    """The print sections of a book or of an anthology: the one document shape every
    typesetting writer (PDF, zine, mini-zine, volumes) lays out."""
    if isinstance(book, Anthology):
        return PrintAnthology(book, context)
    return PrintBook(book, context)


def print_document(book: Book | Anthology, context: RenderContext | None = None) -> str:
    """The whole book as one print HTML document (what a single WeasyPrint run lays out)."""
    return print_book_for(book, context).whole_document()


def single_run_pdf(print_book: PrintDocument, settings: LayoutSettings, dest: Path,
                   scratch: Path) -> None:
    """The whole book in one WeasyPrint run (contents numbers from target-counter()), numbered
    and given its outline and metadata by the same join as the parallel layout's parts."""
    layout = Layout(settings)
    whole = lay_out(layout, print_book.whole_document(), scratch / "whole.pdf")
    join_pieces([whole], dest, layout, print_book.info())

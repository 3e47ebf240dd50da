"""The PDF writer: a Book as a print-quality PDF, laid out by WeasyPrint from the print HTML.

A short book is laid out in one WeasyPrint run. A long one is laid out in parts in parallel worker
processes and joined (parallel.py): WeasyPrint's layout is single-threaded and its memory
grows with the document, so parts are both faster on several cores and lighter.
"""

from __future__ import annotations

import os
from pathlib import Path

from bookmaker.errors import Finding
from bookmaker.model import Anthology, Book
from bookmaker.settings.context import RenderContext
from bookmaker.safety.files import atomic_write
from bookmaker.writers.pdf.layout import Layout, LayoutSettings
from bookmaker.writers.pdf.parallel import join, lay_out, parallel_pdf
from bookmaker.writers.pdf.print_html import PrintBook, image_folders, print_book_for

# Below this many words a single run is as fast as starting workers and joining parts.
PARALLEL_MIN_WORDS = 25_000


OPTIONS = ("warnings", "style", "generated_cover", "cover", "paper", "drop_caps")
TYPESET = True


def write(book: Book | Anthology, dest: Path, context: RenderContext) -> list[Finding]:
    """Write ``book`` as a PDF at ``dest``, atomically: a failed build leaves nothing behind."""
    atomic_write(Path(dest), pdf_bytes(book, context))
    return []


def pdf_bytes(book: Book | Anthology, context: RenderContext | None = None,
              parallel: bool | None = None) -> bytes:
    """The PDF for ``book``; ``parallel`` forces a layout path (None: chosen by size and
    ``options.workers``)."""
    context = context or RenderContext()
    options = context.options
    print_book = print_book_for(book, context)
    settings = LayoutSettings(book.base_dir, options.paper, context.theme, image_folders(book))
    workers = options.workers or os.cpu_count() or 1
    if parallel is None:
        parallel = workers > 1 and len(print_book.body) > 1 and \
            sum(section.words for section in print_book.body) >= PARALLEL_MIN_WORDS
    if parallel:
        return parallel_pdf(print_book, settings, workers)
    return single_run_pdf(print_book, settings)


def single_run_pdf(print_book: PrintBook, settings: LayoutSettings) -> bytes:
    """The whole book in one WeasyPrint run (contents numbers from target-counter()), numbered
    and given its outline and metadata by the same join as the parallel layout's parts."""
    layout = Layout(settings)
    return join(print_book, layout, [lay_out(layout, print_book.whole_document())])

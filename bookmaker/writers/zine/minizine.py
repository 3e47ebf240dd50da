"""The mini-zine writer: a short work as the classic 8-page mini-zine, one sheet folded and cut.

The book is laid out on mini pages (an A7 or quarter-letter cell, so the text is set for that
size rather than shrunk) and imposed on one side of an A4 or letter sheet.
"""

from __future__ import annotations

import dataclasses
import io
import tempfile
from pathlib import Path

from pypdf import PdfReader

from bookmaker.errors import Finding, ManuscriptError
from bookmaker.model import Anthology, Book
from bookmaker.settings.context import RenderContext
from bookmaker.safety.files import atomic_write
from bookmaker.writers.zine.imposition import SheetSide, impose, minizine_side
from bookmaker.writers.pdf import print_book_for, single_run_pdf
from bookmaker.writers.pdf.layout import LayoutSettings
from bookmaker.writers.zine import sheet_points, written

MINIZINE_PAGES = 8
# The cell paper for each sheet: a quarter of the sheet's width, half its height.
CELL_PAPERS = {"a4": "a7", "letter": "quarter-letter"}


TYPESET = True


def write(book: Book | Anthology, dest: Path, context: RenderContext) -> list[Finding]:
    """Write ``book`` as an 8-page one-sheet mini-zine at ``dest``, atomically."""
    atomic_write(Path(dest), minizine_bytes(book, context))
    return []


def minizine_bytes(book: Book | Anthology, context: RenderContext | None = None) -> bytes:
    """The book on mini pages imposed on one sheet side; a clear error when it needs more than
    8 pages, saying how many it needs."""
    context = context or RenderContext()
    options = context.options
    sheet_name = options.sheet or ("letter" if options.paper in ("letter", "half-letter")
                                   else "a4")
    if sheet_name not in CELL_PAPERS:
        raise ManuscriptError(f"a mini-zine is printed on a4 or letter, not {sheet_name}",
                              hint="use --sheet a4 or --sheet letter")
    print_book = print_book_for(book, context)
    with tempfile.TemporaryDirectory(prefix="bookmaker-minizine-") as scratch:
        laid_out = Path(scratch) / "pages.pdf"
        single_run_pdf(print_book, LayoutSettings(book.base_dir, CELL_PAPERS[sheet_name],
                                                  context.theme, print_book.folders),
                       laid_out, Path(scratch))
        pdf = laid_out.read_bytes()
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    if pages > MINIZINE_PAGES:
        raise ManuscriptError(
            f"too long for a mini-zine: it needs {pages} pages and a mini-zine has "
            f"{MINIZINE_PAGES}", hint="build it with -f zine for a stapled booklet instead")
    sheet = sheet_points(sheet_name)
    writer = impose(pdf, [minizine_pages(minizine_side(sheet), pages)], sheet, options.marks)
    info = print_book.info()
    return written(writer, dataclasses.replace(info, title=f"{info.title} (mini-zine)"))


def minizine_pages(side: SheetSide, pages: int) -> SheetSide:
    """``side`` showing a book of ``pages`` pages: the story from position 1, its last page on
    the back cover (position 8), blanks in between."""
    order = [*range(1, pages), *[0] * (MINIZINE_PAGES - pages), pages] if pages > 1 \
        else [1, *[0] * (MINIZINE_PAGES - 1)]
    return SheetSide(tuple(dataclasses.replace(slot, page=order[slot.page - 1])
                           for slot in side.slots), side.turned)

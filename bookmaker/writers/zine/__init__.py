"""The zine writers: the print PDF imposed for the photocopier.

``zine``: a saddle-stitched booklet, two book pages on each side of a sheet (A5 pages on A4,
half-letter on letter), sheets in folding order, duplex-ready, with a printing guide as the last
sheet. ``minizine``: the classic 8-page mini-zine, one sheet folded and cut.

Imposition is done with pypdf rather than pdfimpose: the geometry is a few affine placements,
pdfimpose is GPL-licensed and file-based, and its creep and signature options do not match the
per-sheet shift and folding guide wanted here. The imposed sheets are finished like the book
(pikepdf: the book's metadata, print scaling off; see writers/pdf/join.py). They are not tagged:
a sheet holds pages out of reading order, and the book's own PDF is the accessible one.
"""

from __future__ import annotations

import dataclasses
import io
import math
from pathlib import Path

import pikepdf
from pypdf import PdfReader, PdfWriter

from bookmaker.errors import Finding
from bookmaker.model import Anthology, Book
from bookmaker.settings.context import RenderContext
from bookmaker.settings.options import BuildOptions
from bookmaker.safety.files import atomic_write
from bookmaker.writers import templating
from bookmaker.settings.timestamps import FALLBACK
from bookmaker.writers.zine.imposition import (MM, SHEET_FOR_PAPER, SHEETS, binder_order, impose,
                                               saddle_sides, signature_sides)
from bookmaker.writers.pdf import pdf_bytes, print_book_for
from bookmaker.writers.pdf.join import describe, save
from bookmaker.writers.pdf.print_html import DocumentInfo

TYPESET = True


def write(book: Book | Anthology, dest: Path, context: RenderContext) -> list[Finding]:
    """Write ``book`` as an imposed saddle-stitch zine at ``dest``, atomically; with
    ``--split-signatures`` also each signature on its own beside it (signature_path)."""
    options = context.options
    pdf = pdf_bytes(book, context)
    title = book.metadata.title or "Untitled"
    info = print_book_for(book, context).info()
    atomic_write(Path(dest), impose_booklet(pdf, options, title, info))
    if options.split_signatures:
        for number, data in enumerate(signature_pdfs(pdf, options, title, info), start=1):
            atomic_write(signature_path(Path(dest), number), data)
    return []


def signature_path(dest: Path, number: int) -> Path:
    """Where signature ``number`` of the zine at ``dest`` goes: ``x.zine.signature-01.pdf``."""
    return dest.with_name(f"{dest.name.removesuffix('.pdf')}.signature-{number:02d}.pdf")


def signature_pdfs(pdf: bytes, options: BuildOptions, title: str,
                   info: DocumentInfo) -> list[bytes]:
    """One imposed PDF per signature, sheets in folding order, as a binder prints them: print
    each duplex, fold its sheets together, and it is ready to sew."""
    sheet = sheet_points(sheet_name(options))
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    groups = signature_sides(pages, sheet, options.signature, options.creep * MM, options.flip,
                             _order(pages, options))
    out = []
    for number, sides in enumerate(groups, start=1):
        writer = impose(pdf, sides, sheet, options.marks)
        signature_info = dataclasses.replace(
            info, title=f"{title} (signature {number} of {len(groups)})")
        out.append(written(writer, signature_info))
    return out


def _order(pages: int, options: BuildOptions) -> list[int] | None:
    """A bound book's page order (flyleaves, blanks before the back ones) when the options are
    a binder's; None: the zine's own padding, which keeps the back cover outside."""
    if options.flyleaves or options.split_signatures:
        return binder_order(pages, options.flyleaves)
    return None


def sheet_name(options: BuildOptions) -> str:
    """The sheet: ``--sheet`` if given, else the one two pages of ``--paper`` fit on."""
    return options.sheet or SHEET_FOR_PAPER[options.paper]


def sheet_points(name: str) -> tuple[float, float]:
    """A sheet's landscape size in PDF points, the unit imposition places pages in."""
    width, height = SHEETS[name]
    return width * MM, height * MM


def zine_bytes(book: Book | Anthology, context: RenderContext | None = None) -> bytes:
    """The book's print PDF imposed for saddle stitching, plus the printing guide unless
    ``options.guide`` is off."""
    context = context or RenderContext()
    return impose_booklet(pdf_bytes(book, context), context.options,
                          book.metadata.title or "Untitled", print_book_for(book, context).info())


def impose_booklet(pdf: bytes, options: BuildOptions, title: str,
                   info: DocumentInfo | None = None) -> bytes:
    """Any PDF's pages imposed as a saddle-stitched booklet (separated from the layout so tests
    and other tools can impose PDFs made elsewhere); ``info``: the book's metadata, which the
    zine carries too."""
    name = sheet_name(options)
    sheet = sheet_points(name)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    sides = saddle_sides(pages, sheet, options.signature, options.creep * MM, options.flip,
                         _order(pages, options))
    writer = impose(pdf, sides, sheet, options.marks)
    if options.guide:
        writer.append(PdfReader(io.BytesIO(_guide_pdf(title, name, len(sides), options))))
    info = info or DocumentInfo(title, (), "", (), "und", FALLBACK)
    return written(writer, dataclasses.replace(info, title=f"{title} (zine, imposed)"))


def _guide_pdf(title: str, name: str, sides: int, options: BuildOptions) -> bytes:
    """The one-page printing guide, on the zine's sheet size, laid out by WeasyPrint."""
    from weasyprint import HTML

    width, height = SHEETS[name]
    signature = options.signature or 0
    html = templating.render(
        "zine", "guide.html.j2", title=title, width=width, height=height,
        sheet_name=SHEET_LABELS[name],
        sheets=math.ceil(sides / 2),
        sides=sides, flip=options.flip, signature=signature,
        signatures=math.ceil(sides * 2 / signature) if signature else 1,
        marks=options.marks, creep=options.creep)
    return HTML(string=html).write_pdf()




# Sheet names as the printing guide prints them (and as a print shop says them).
SHEET_LABELS = {"a4": "A4", "a3": "A3", "letter": "US Letter", "tabloid": "Tabloid"}


def written(writer: PdfWriter, info: DocumentInfo) -> bytes:
    """The imposed sheets as PDF bytes, for atomic_write, with the book's metadata and the
    print settings a zine most needs (no print scaling: a shrunk sheet folds off-centre)."""
    imposed = io.BytesIO()
    writer.write(imposed)
    imposed.seek(0)
    out = io.BytesIO()
    with pikepdf.open(imposed) as pdf:
        describe(pdf, info, tagged=False)
        save(pdf, out)
    return out.getvalue()

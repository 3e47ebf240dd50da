"""The print view: the printed pages of the document on screen, laid out by the PDF writer's own
WeasyPrint set-up and shown as images.

Only the section asked for is laid out (a chapter of a few thousand words takes a few tenths of a
second), from the PDF writer's own print HTML (``PrintDocument``) and stylesheets (``Layout``), so
the page is the one ``bookmaker build -f pdf`` prints, less what only the whole book knows: the
page numbers, stamped when a whole book is joined, and the contents' numbers. Pages are drawn by
PDFium into PNGs, because a PDF in the page is not shown by phones' browsers at all. Everything
stays in memory: nothing is written to disk.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bookmaker.model import Book
from bookmaker.preview.build import Snapshot
from bookmaker.safety.limits import within

if TYPE_CHECKING:  # WeasyPrint loads with the first page laid out, not with the server
    from bookmaker.writers.pdf.layout import Layout
    from bookmaker.writers.pdf.print_html import PrintDocument

# Pixels per point: an A5 page is 420 points wide, so about 840 pixels, sharp on a phone's or a
# laptop's dense screen without making each page more than a couple of hundred kilobytes.
SCALE = 2.0
# Laid-out sections kept: the chapter on screen, its neighbours, and a theme switched back.
CACHED_SECTIONS = 12


@dataclass(frozen=True)
class PrintPages:
    """One section's pages: ``key`` names them for their images' URLs."""

    key: str
    sizes: tuple[tuple[int, int], ...]  # each page's width and height in pixels
    note: str  # what the view says about them (which section, what is left out)
    first: int = 0  # the page the document asked for starts on (the front matter has several)


@dataclass
class _LaidOut:
    """A section laid out: its pages, the PDF they are drawn from, the pages drawn so far."""

    pages: PrintPages
    pdf: bytes
    images: dict[int, bytes]
    starts: dict[str, int]  # each bookmark's label -> the 0-based page it starts on


class PrintView:
    """Lays out sections on demand, one at a time, and keeps the last ones laid out."""

    def __init__(self, name: str = "the print view", seconds: float | None = None) -> None:
        # Each section's layout runs within the budget's time (safety/limits.py), named as the
        # manuscript: a stranger's chapter that WeasyPrint would lay out for ever is a mistake.
        self._name, self._seconds = name, seconds
        self._lock = threading.Lock()
        self._layouts: dict[tuple[str | None, str, str], Layout] = {}
        self._print_books: list[tuple[Book, PrintDocument]] = []
        self._pages: OrderedDict[str, _LaidOut] = OrderedDict()
        self._drawing = threading.Lock()  # PDFium is not thread-safe
        self.last_asked: str | None = None  # the document whose pages a page last asked for

    def pages(self, snapshot: Snapshot, href: str) -> PrintPages:
        """The printed pages of the document ``href`` of ``snapshot``'s book (laid out now
        unless they were already); raises BookmakerError when the print view cannot show it."""
        from bookmaker.errors import BookmakerError

        document = snapshot.document(href)
        if document is None or snapshot.book is None or snapshot.context is None:
            raise BookmakerError(f"the book has no page {href}")
        self.last_asked = href
        with self._lock:
            print_book = self._print_book(snapshot)
            html, what = _section(print_book, document.id, snapshot)
            layout = self._layout(snapshot)
            key = hashlib.sha1(f"{id(layout)}\0{html}".encode()).hexdigest()[:16]
            if key not in self._pages:
                with within(self._name, self._seconds):
                    self._pages[key] = _lay_out(layout, html, PrintPages(key, (), what),
                                                self._drawing)
                while len(self._pages) > CACHED_SECTIONS:
                    self._pages.popitem(last=False)
            self._pages.move_to_end(key)
            laid_out = self._pages[key]
            # The title page and the warnings page are bookmarked by the words the EPUB's
            # contents call them, so each opens the front matter at its own page.
            return dataclasses.replace(laid_out.pages,
                                       first=laid_out.starts.get(document.label, 0))

    def lay_out_shown(self, snapshot: Snapshot) -> None:
        """Lay out the pages of the document last asked for, as ``snapshot`` has it: what the
        page will ask for next, once it hears of the snapshot."""
        from bookmaker.errors import BookmakerError

        if self.last_asked is not None:
            with contextlib.suppress(BookmakerError):
                self.pages(snapshot, self.last_asked)

    def image(self, key: str, number: int) -> bytes | None:
        """Page ``number`` (0-based) of the pages named ``key``, as PNG, drawn when first asked
        for (the page asks for those in view first); None if unknown."""
        with self._lock:
            found = self._pages.get(key)
        if found is None or not 0 <= number < len(found.pages.sizes):
            return None
        with self._drawing:
            if number not in found.images:
                found.images[number] = _draw(found.pdf, number)
            return found.images[number]

    def _print_book(self, snapshot: Snapshot) -> PrintDocument:
        """The print sections of the snapshot's book, made once per book (kept for the last
        two: the book shown and the one before it)."""
        from bookmaker.writers.pdf import print_book_for

        assert snapshot.book is not None
        for book, print_book in self._print_books:
            if book is snapshot.book:
                return print_book
        made = print_book_for(snapshot.book, snapshot.context)
        self._print_books = [(snapshot.book, made), *self._print_books[:1]]
        return made

    def _layout(self, snapshot: Snapshot) -> Layout:
        from bookmaker.writers.pdf.layout import Layout, LayoutSettings

        assert snapshot.book is not None and snapshot.context is not None
        options, theme = snapshot.context.options, snapshot.context.theme
        key = (snapshot.book.base_dir, options.paper, str(theme.folder))
        if key not in self._layouts:
            self._layouts[key] = Layout(LayoutSettings(snapshot.book.base_dir, options.paper,
                                                       theme,
                                                       self._print_book(snapshot).folders))
        return self._layouts[key]


def _section(print_book: PrintDocument, page_id: str, snapshot: Snapshot) -> tuple[str, str]:
    """The print document for the EPUB page ``page_id`` and what the view says of it: a
    chapter's own section, or the front matter (cover, title page, warnings, contents) for any
    of its pages."""
    assert snapshot.context is not None
    paper = snapshot.context.options.paper.upper()
    body = {section.id: section for section in print_book.body}
    wanted = _print_section_id(page_id)
    if wanted in body:
        section = body[wanted]
        return (print_book.document([section.html]),
                f"{section.label}: {paper} pages as printed (page numbers come with the "
                "whole book)")
    blank = {section.id: "" for section in print_book.body}
    return (print_book.document(print_book.front_sections(blank)),
            f"The front matter: {paper} pages as printed (the contents' page numbers come "
            "with the whole book)")


def _print_section_id(page_id: str) -> str:
    """The print section an EPUB page belongs to: chapter-003 and its parts to chapter-3."""
    if page_id.startswith("chapter-"):
        number = page_id.split("-")[1]
        return f"chapter-{int(number)}" if number.isdigit() else page_id
    return {"endnotes": "end-notes"}.get(page_id, page_id)


def _lay_out(layout: Layout, html: str, pages: PrintPages,
             drawing: threading.Lock) -> _LaidOut:
    """``html`` laid out and written as a PDF, with its pages' sizes (read by PDFium, under
    ``drawing``) and bookmarks."""
    document = layout.render(html)
    starts: dict[str, int] = {}
    for label, target, _children, _state in document.make_bookmark_tree():
        starts.setdefault(label, target[0])
    pdf = document.write_pdf()
    with drawing:
        sizes = _page_sizes(pdf)
    return _LaidOut(dataclasses.replace(pages, sizes=sizes), pdf, {}, starts)


def _page_sizes(pdf: bytes) -> tuple[tuple[int, int], ...]:
    """Each page's size in pixels, as _draw will draw it."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return tuple((round(width * SCALE), round(height * SCALE))
                     for width, height in (document.get_page_size(index)
                                           for index in range(len(document))))
    finally:
        document.close()


def _draw(pdf: bytes, number: int) -> bytes:
    """Page ``number`` of ``pdf`` drawn as a PNG at SCALE pixels per point."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[number]
        out = io.BytesIO()
        page.render(scale=SCALE).to_pil().save(out, "PNG", compress_level=1)
        page.close()
        return out.getvalue()
    finally:
        document.close()

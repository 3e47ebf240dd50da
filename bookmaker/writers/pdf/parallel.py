"""Lay out a long book in parts in parallel worker processes, then join the parts into one PDF.

Every body section (chapter, end notes, warnings at the end) starts on a right-hand page, so the
body splits into parts at section boundaries: each part is laid out on its own, with its running
heads, and padded to an even number of pages so the next part starts on a right-hand page too.
Only three things need the whole book: the page numbers, stamped on the joined pages (as a single
run's are: see folios.py); the contents, laid out last with the chapters' known pages; and the
outline and metadata, written when the parts are joined.
"""

from __future__ import annotations

import io
import signal
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject

from bookmaker.writers.pdf.folios import stamp_folios
from bookmaker.writers.pdf.layout import Layout, LayoutSettings
from bookmaker.writers.pdf.print_html import BodySection, PrintBook

# Parts per worker: enough that a worker rarely waits for the slowest part at the end.
PARTS_PER_WORKER = 3
# A part smaller than this costs more in per-document overhead than it saves.
MIN_PART_WORDS = 6_000


@dataclass(frozen=True)
class LaidOutPart:
    """A part as PDF bytes, which of its pages carry a page number (body pages that are not
    blank), where its sections start (section id -> 0-based page in the part) and its bookmarks
    (label, 0-based page)."""

    pdf: bytes
    numbered: tuple[bool, ...]
    starts: dict[str, int]
    bookmarks: tuple[tuple[str, int], ...]


def parallel_pdf(print_book: PrintBook, settings: LayoutSettings, workers: int) -> bytes:
    """The book laid out in parts by ``workers`` processes and joined; pages, running heads,
    contents, outline and metadata as a single run would make them."""
    groups = group_sections(print_book.body, workers * PARTS_PER_WORKER)
    pool = ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(settings,))
    try:
        futures = [pool.submit(_lay_out_part, print_book.document([s.html for s in group]))
                   for group in groups]
        layout = Layout(settings)
        front_pages = _front_length(print_book, layout)
        parts = [future.result() for future in futures]
    except BaseException:
        # Ctrl-C, SIGTERM or a failed part: the workers' remaining layout is wasted work, and
        # shutting the pool down politely would wait for every part they hold (many seconds on
        # a long book). Kill them now; nothing of theirs was written anywhere.
        _kill_workers(pool)
        raise
    pool.shutdown(wait=True)
    pages = _section_pages(parts, _even(front_pages))
    front = lay_out(layout, print_book.document(print_book.front_sections(pages)))
    if len(front.numbered) != front_pages:
        raise RuntimeError("the contents changed length once its page numbers were known")
    return join(print_book, layout, [front, *parts])


def group_sections(sections: list[BodySection], most: int) -> list[list[BodySection]]:
    """Consecutive sections in at most ``most`` groups of similar word counts (none below
    MIN_PART_WORDS unless the whole body is)."""
    total = sum(section.words for section in sections)
    target = max(total / max(most, 1), MIN_PART_WORDS)
    groups: list[list[BodySection]] = [[]]
    words = 0
    for section in sections:
        if groups[-1] and words + section.words / 2 > target:
            groups.append([])
            words = 0
        groups[-1].append(section)
        words += section.words
    return groups


def join(print_book: PrintBook, layout: Layout, pieces: list[LaidOutPart]) -> bytes:
    """Laid-out pieces as one PDF, each after the first starting on a right-hand page, with page
    numbers, outline and metadata."""
    writer = PdfWriter()
    numbered: list[bool] = []
    outline: list[tuple[str, int]] = []
    for index, piece in enumerate(pieces):
        offset = len(writer.pages)
        reader = PdfReader(io.BytesIO(piece.pdf))
        writer.append(reader, import_outline=False)
        numbered += piece.numbered
        outline += [(label, offset + page) for label, page in piece.bookmarks]
        if len(reader.pages) % 2 and index < len(pieces) - 1:
            box = reader.pages[0].mediabox
            writer.add_blank_page(box.width, box.height)
            numbered.append(False)
    stamp_folios(writer, layout, numbered)
    for label, page in outline:
        writer.add_outline_item(title=label, page_number=page)
    _set_metadata(writer, print_book)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _set_metadata(writer: PdfWriter, print_book: PrintBook) -> None:
    """The document information a single run takes from the HTML head, and the language."""
    metadata = print_book.book.metadata
    info = {"/Title": print_book.title, "/Producer": "WeasyPrint via bookmaker"}
    if metadata.authors:
        info["/Author"] = ", ".join(metadata.authors)
    if print_book.description:
        info["/Subject"] = print_book.description
    if metadata.tags:
        info["/Keywords"] = ", ".join(metadata.tags)
    writer.add_metadata(info)
    writer._root_object[NameObject("/Lang")] = TextStringObject(print_book.lang)


def _front_length(print_book: PrintBook, layout: Layout) -> int:
    """How many pages the front matter takes, with placeholder numbers in the contents."""
    placeholders = {section.id: 8888 for section in print_book.body}
    html = print_book.document(print_book.front_sections(placeholders))
    return len(lay_out(layout, html).numbered)


def _section_pages(parts: list[LaidOutPart], front_pages: int) -> dict[str, int]:
    """Each section's 1-based page number in the joined book, the body coming after
    ``front_pages`` pages."""
    pages: dict[str, int] = {}
    offset = front_pages
    for part in parts:
        pages.update({section: offset + page + 1 for section, page in part.starts.items()})
        offset += _even(len(part.numbered))
    return pages


def _even(count: int) -> int:
    return count + count % 2


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """Stop ``pool`` at once: its queued parts cancelled, its worker processes killed."""
    # The executor has no public way to stop a running task; its processes are the only handle.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(timeout=1)


# ---------------------------------------------------------------------- worker side

_WORKER_LAYOUT: Layout | None = None


def _start_worker(settings: LayoutSettings) -> None:
    """Parse the stylesheets and load the fonts once per worker, not once per part.

    Ctrl-C reaches every process of the terminal's group; a worker leaves it to the parent, which
    kills it (see _kill_workers), instead of printing a traceback of its own.
    """
    global _WORKER_LAYOUT
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_LAYOUT = Layout(settings)


def _lay_out_part(html: str) -> LaidOutPart:
    assert _WORKER_LAYOUT is not None, "worker started without _start_worker"
    return lay_out(_WORKER_LAYOUT, html)


def lay_out(layout: Layout, html: str) -> LaidOutPart:
    """``html`` laid out, written as PDF, with what joining and numbering need to know."""
    document = layout.render(html)
    starts: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        for anchor in page.anchors:
            starts.setdefault(anchor, number)
    bookmarks = tuple((label, target[0]) for label, target, _, _ in
                      document.make_bookmark_tree())
    # Body pages are numbered, except those WeasyPrint left blank to start a section on a
    # right-hand page (its page type says so; the public Page object does not).
    numbered = tuple(page._page_box.page_type.name == "body"
                     and not page._page_box.page_type.blank for page in document.pages)
    return LaidOutPart(document.write_pdf(), numbered, starts, bookmarks)

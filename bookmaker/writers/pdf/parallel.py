"""Lay out a long book in parts in parallel worker processes, then join the parts into one PDF.

Every body section (chapter, end notes, warnings at the end) starts on a right-hand page, so the
body splits into parts at section boundaries: each part is laid out on its own, with its running
heads, and padded to an even number of pages so the next part starts on a right-hand page too.
Only three things need the whole book: the page numbers, stamped on the joined pages (as a single
run's are: see folios.py); the contents, laid out last with the chapters' known pages; and the
outline and metadata, written when the parts are joined (join.py).

Each worker writes its part to a file in the run's scratch folder and sends back only what the
join needs to know about it, so no process ever holds the whole book's PDF.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bookmaker.writers.pdf.join import LaidOutPart, join
from bookmaker.writers.pdf.layout import FOLIO_MARK, PDF_VARIANT, Layout, LayoutSettings
from bookmaker.writers.pdf.print_html import BodySection, PrintDocument

# Parts per worker: enough that a worker rarely waits for the slowest part at the end.
PARTS_PER_WORKER = 3
# A part smaller than this costs more in per-document overhead than it saves.
MIN_PART_WORDS = 6_000


def parallel_pdf(print_book: PrintDocument, settings: LayoutSettings, workers: int,
                 dest: Path, scratch: Path) -> None:
    """The book laid out in parts by ``workers`` processes (each written to a file in
    ``scratch``) and joined at ``dest``; pages, running heads, contents, outline and metadata as
    a single run would make them."""
    groups = group_sections(print_book.body, parts_wanted(print_book.body, workers))
    # Workers start as fresh interpreters: forked ones would carry (and count) the main process's
    # copy of the whole book for nothing.
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker, initargs=(settings,))
    try:
        futures = [pool.submit(_lay_out_part, print_book.document([s.html for s in group]),
                               scratch / f"part-{number:04d}.pdf")
                   for number, group in enumerate(groups)]
        layout = Layout(settings)
        front_pages = _front_length(print_book, layout)
        parts = [future.result() for future in futures]
    except BaseException:
        # Ctrl-C, SIGTERM or a failed part: the workers' remaining layout is wasted work, and
        # shutting the pool down politely would wait for every part they hold (many seconds on
        # a long book). Kill them now; what they wrote is in the scratch folder, removed after.
        _kill_workers(pool)
        raise
    pool.shutdown(wait=True)
    pages = _section_pages(parts, _even(front_pages))
    front = lay_out(layout, print_book.document(print_book.front_sections(pages)),
                    scratch / "front.pdf")
    if len(front.numbered) != front_pages:
        raise RuntimeError("the contents changed length once its page numbers were known")
    join([front, *parts], dest, layout, print_book.info(),
         {section.id: section.label for section in print_book.body})


# The most words one part holds: WeasyPrint's memory grows with the document it lays out, so a
# very long book is cut into more parts than the workers need, each laid out in a bounded space.
MAX_PART_WORDS = 12_000


def parts_wanted(sections: list[BodySection], workers: int) -> int:
    """How many parts to cut the body into: a few per worker, more when the book is so long
    that so few parts would each take too much memory."""
    words = sum(section.words for section in sections)
    return max(workers * PARTS_PER_WORKER, -(-words // MAX_PART_WORDS))


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


def _front_length(print_book: PrintDocument, layout: Layout) -> int:
    """How many pages the front matter takes, with placeholder numbers in the contents."""
    placeholders = {section.id: 8888 for section in print_book.body}
    html = print_book.document(print_book.front_sections(placeholders))
    return len(layout.render(html).pages)


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


# ---------------------------------------------------------------------- worker side

_WORKER_LAYOUT: Layout | None = None


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


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the process that started it dies, however it dies
    (SIGKILL, a crash): an orphaned worker would lay out its parts for nobody and hold the
    terminal's output open. Elsewhere the parent's own clean-up (_kill_workers) is all there is."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
        if os.getppid() == 1:  # the parent died before the request was made
            os._exit(1)


def _start_worker(settings: LayoutSettings) -> None:
    """Parse the stylesheets and load the fonts once per worker, not once per part.

    Ctrl-C reaches every process of the terminal's group; a worker leaves it to the parent, which
    kills it (see _kill_workers), instead of printing a traceback of its own.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    global _WORKER_LAYOUT
    _WORKER_LAYOUT = Layout(settings)


def _lay_out_part(html: str, path: Path) -> LaidOutPart:
    assert _WORKER_LAYOUT is not None, "worker started without _start_worker"
    part = lay_out(_WORKER_LAYOUT, html, path)
    _release_memory()
    return part


def _release_memory() -> None:
    """Free the part's layout before the next one starts: WeasyPrint's box tree is full of
    reference cycles that would otherwise wait for a rare full collection, and glibc keeps
    freed memory unless asked to give it back."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def lay_out(layout: Layout, html: str, path: Path) -> LaidOutPart:
    """``html`` laid out and written as a tagged PDF at ``path``, with what joining and
    numbering need to know."""
    document = layout.render(html)
    starts: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        for anchor in page.anchors:
            starts.setdefault(anchor, number)
    flat = _flatten_bookmarks(document.make_bookmark_tree())
    bookmarks = tuple((label, page) for label, page, _ in flat)
    levels = tuple(level for _, _, level in flat)
    # Body pages are numbered, except those WeasyPrint left blank to start a section on a
    # right-hand page: the folio mark (layout.py) shows on the others only.
    numbered = tuple(FOLIO_MARK in page.anchors for page in document.pages)
    document.write_pdf(path, pdf_variant=PDF_VARIANT)
    return LaidOutPart(path, numbered, starts, bookmarks, levels)


def _flatten_bookmarks(tree: list, level: int = 1) -> list[tuple[str, int, int]]:
    """WeasyPrint's bookmark tree depth first as (label, 0-based page, depth): an anthology's
    works hold their chapters one level down."""
    flat: list[tuple[str, int, int]] = []
    for label, target, children, _ in tree:
        flat.append((label, target[0], level))
        flat.extend(_flatten_bookmarks(children, level + 1))
    return flat

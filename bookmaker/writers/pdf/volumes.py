"""A long book split into volumes for binding, at work or chapter boundaries.

``--volumes N`` cuts the book into N volumes of pages as even as the boundaries allow;
``--max-pages P`` into as few volumes as keep each at most P pages (its own front matter
included). The book is laid out once to learn where each work and chapter starts; each volume is
then a complete book of its own: an Anthology with ``volume`` and ``volumes`` set, so it gets its
own cover, title page ("Volume 2 of 3"), contents and content overview, and every work it holds
keeps its title and warnings pages (a work cut between two volumes opens both with them).

A single book becomes a one-work anthology for this, split at its chapters.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
import dataclasses
from dataclasses import dataclass

from bookmaker.errors import BookmakerError
from bookmaker.model import Anthology, Book, Work
from bookmaker.settings.context import RenderContext
from bookmaker.writers.pdf.layout import Layout, LayoutSettings
from bookmaker.writers.pdf.parallel import lay_out
from bookmaker.writers.pdf import print_book_for


@dataclass(frozen=True)
class Unit:
    """The smallest piece a volume may start at: chapters ``first``..``last`` (0-based,
    inclusive) of work ``work``; ``pages`` is how many pages it took in the whole book."""

    work: int
    first: int
    last: int
    pages: int


def split_volumes(book: Book | Anthology, context: RenderContext) -> list[Anthology]:
    """The volumes the options ask for (one, the whole book, when it fits in one)."""
    anthology = as_anthology(book)
    units, front_pages = measure(anthology, context)
    options = context.options
    if options.max_pages:
        groups = by_max_pages(units, options.max_pages, front_pages)
    else:
        groups = by_count(units, options.volumes or 1)
    return [volume(anthology, group, number, len(groups))
            for number, group in enumerate(groups, start=1)]


def as_anthology(book: Book | Anthology) -> Anthology:
    """An anthology as it is; a book as an anthology of itself (its title, its cover)."""
    if isinstance(book, Anthology):
        return book
    metadata = dataclasses.replace(book.metadata, authors=())
    return Anthology(metadata, (Work(book),), base_dir=book.base_dir, embedded=book.embedded)


# --------------------------------------------------------------------------- measuring


def measure(anthology: Anthology, context: RenderContext) -> tuple[list[Unit], int]:
    """The anthology laid out once: its units with their page counts, and how many pages the
    front matter (cover, title page, contents, overview) takes."""
    print_book = print_book_for(anthology, context)
    settings = LayoutSettings(anthology.base_dir, context.options.paper, context.theme,
                              print_book.folders)
    with tempfile.TemporaryDirectory(prefix="bookmaker-volumes-") as scratch:
        laid_out = lay_out(Layout(settings), print_book.whole_document(),
                           Path(scratch) / "whole.pdf")
    total = len(laid_out.numbered)
    starts: list[tuple[int, int, int]] = []  # (work, chapter, first page)
    for number, work in enumerate(anthology.works):
        prefix = f"work-{number + 1:02d}"
        for chapter in range(len(work.book.chapters)):
            section = prefix if chapter == 0 else f"{prefix}-chapter-{chapter + 1}"
            starts.append((number, chapter, laid_out.starts[section]))
    front_pages = starts[0][2] if starts else total
    ends = [page for _, _, page in starts[1:]] + [total]
    units = [Unit(work, chapter, chapter, end - start)
             for (work, chapter, start), end in zip(starts, ends, strict=True)]
    return units, front_pages


def _merge_works(units: list[Unit]) -> list[Unit]:
    merged: list[Unit] = []
    for unit in units:
        if merged and merged[-1].work == unit.work:
            last = merged[-1]
            merged[-1] = Unit(last.work, last.first, unit.last, last.pages + unit.pages)
        else:
            merged.append(unit)
    return merged


# --------------------------------------------------------------------------- cutting


def by_count(units: list[Unit], count: int) -> list[list[Unit]]:
    """``units`` cut into ``count`` volumes as even in pages as the boundaries allow: at work
    boundaries when there are at least ``count`` works, else at chapters."""
    works = _merge_works(units)
    pieces = works if len(works) >= count else units
    if len(pieces) < count:
        raise BookmakerError(f"cannot split the book into {count} volumes: it has only "
                             f"{len(pieces)} chapter(s) to split at")
    total = sum(unit.pages for unit in pieces)
    cuts: list[int] = []
    running = [0]
    for unit in pieces:
        running.append(running[-1] + unit.pages)
    for k in range(1, count):
        target = total * k / count
        low = (cuts[-1] + 1) if cuts else 1
        high = len(pieces) - (count - k)  # leave at least one piece for each later volume
        best = min(range(low, high + 1), key=lambda index: abs(running[index] - target))
        cuts.append(best)
    bounds = [0, *cuts, len(pieces)]
    return [pieces[bounds[i]:bounds[i + 1]] for i in range(count)]


def by_max_pages(units: list[Unit], most: int, front_pages: int) -> list[list[Unit]]:
    """As few volumes as keep each within ``most`` pages, its own front matter included: whole
    works where they fit, chapters where a work does not."""
    room = most - front_pages
    if room < 1:
        raise BookmakerError(f"--max-pages {most} leaves no room for the text: each volume's "
                             f"own front matter takes {front_pages} pages")
    pieces = [piece for work in _merge_works(units)
              for piece in ([work] if work.pages <= room else
                            [u for u in units if u.work == work.work])]
    groups: list[list[Unit]] = [[]]
    used = 0
    for piece in pieces:
        if groups[-1] and used + piece.pages > room:
            groups.append([])
            used = 0
        groups[-1].append(piece)
        used += piece.pages
    return groups


def volume(anthology: Anthology, units: list[Unit], number: int, count: int) -> Anthology:
    """The anthology holding just ``units``, numbered ``number`` of ``count``: each work cut to
    the chapters the volume holds, its end notes with its last chapter."""
    if count == 1:
        return anthology
    spans: list[tuple[int, int, int]] = []  # (work, first chapter, last chapter)
    for unit in units:
        if spans and spans[-1][0] == unit.work:
            spans[-1] = (unit.work, spans[-1][1], unit.last)
        else:
            spans.append((unit.work, unit.first, unit.last))
    works = []
    for index, first, last in spans:
        work = anthology.works[index]
        whole = work.book
        book = dataclasses.replace(
            whole, chapters=whole.chapters[first:last + 1],
            back_matter=whole.back_matter if last == len(whole.chapters) - 1 else ())
        works.append(dataclasses.replace(work, book=book))
    return dataclasses.replace(anthology, works=tuple(works), volume=number, volumes=count,
                               introduction=anthology.introduction if number == 1 else (),
                               afterword=anthology.afterword if number == count else ())

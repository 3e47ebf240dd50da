"""The words a book's front pages and headings use, the same in every output: how names are
joined, how a series position reads, which details the warnings page lists, what an untitled
chapter is called."""

from __future__ import annotations

from collections.abc import Iterable

from bookmaker.model import Book, Chapter, Metadata
from bookmaker.safety.xml import clean_text


def join_names(names: Iterable[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    names = [name for name in names if name.strip()]
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def series_line(name: str, index: float | None) -> str:
    """"Part 2 of The Saga", or "Part of The Saga" when the position is unknown."""
    return f"Part {format_index(index)} of {name}" if index is not None else f"Part of {name}"


def volume_line(volume: int, volumes: int) -> str:
    """"Volume 2 of 3" for one volume of a book split for binding; "" for a book in one."""
    return f"Volume {volume} of {volumes}" if volume and volumes > 1 else ""


def contributors_line(names: tuple[str, ...], works: int, edited: bool) -> str:
    """The collection title page's credit: "With works by A and B"; a single work's volumes,
    with no editors, are simply "by A"."""
    if not names:
        return ""
    if works == 1 and not edited:
        return f"by {join_names(names)}"
    return f"With works by {join_names(names)}"


def format_index(index: float) -> str:
    """A series position as people write it: 2, not 2.0; 2.5 stays 2.5."""
    return str(int(index)) if float(index).is_integer() else str(index)


def work_details(metadata: Metadata) -> list[tuple[str, tuple[str, ...]]]:
    """The warnings page's list after rating and warnings: (label, values), empty ones left out,
    labels singular or plural as the values need."""
    fields = (("Fandom", "Fandoms", metadata.fandoms),
              ("Category", "Categories", metadata.categories),
              ("Relationship", "Relationships", metadata.relationships),
              ("Character", "Characters", metadata.characters),
              ("Tag", "Tags", metadata.tags))
    return [(singular if len(values) == 1 else plural, values)
            for singular, plural, values in fields if values]


def chapter_label(book: Book, number: int, chapter: Chapter, book_title: str) -> str:
    """The chapter's title; an untitled only chapter is the work itself, so it takes the book's
    title; other untitled chapters are numbered."""
    title = clean_text(chapter.title).strip()
    if title:
        return title
    return book_title if len(book.chapters) == 1 else f"Chapter {number}"

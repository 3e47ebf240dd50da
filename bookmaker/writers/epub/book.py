"""A Book's shape as an EPUB: which pages, in what order (the spine).

    cover.xhtml         only when the work has a cover (image in images/)
    title.xhtml         title, authors, fandoms, series; a pointer when warnings are at the end
    warnings.xhtml      the front page for warnings (--warnings front)
    chapter-001.xhtml   one per chapter (a long one in parts: chapter-001-2.xhtml...)
    endnotes.xhtml      the work's end notes, when it has any
    warnings.xhtml      here instead with --warnings end; absent with --warnings omit
    nav.xhtml           contents and landmarks (non-linear: reading systems show their own)
    toc.ncx, css/book.css, images/...
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from bookmaker.model import Book, Metadata
from bookmaker.settings.context import RenderContext
from bookmaker.writers.covers import cover_jpeg
from bookmaker.writers.epub.package import work_identifier
from bookmaker.writers.epub.pages import (Contents, Entry, ImageFolder, Page, Pages,
                                          chapter_pages, cover_page, end_notes_page, landmarks,
                                          title_page, warnings_page)
from bookmaker.writers.xhtml import xml_safe_metadata


def contents(book: Book, context: RenderContext,
             pages_of: Callable[[Metadata], Pages]) -> Contents:
    """The book's pages in reading order, its contents and landmarks."""
    book = dataclasses.replace(book, metadata=xml_safe_metadata(book.metadata))
    metadata = book.metadata
    title = metadata.title or "Untitled"  # dc:title must not be empty
    options, theme = context.options, context.theme
    pages = pages_of(metadata)
    images = ImageFolder(book)
    cover_href = images.add_cover(metadata.cover) if metadata.cover else \
        images.add_generated_cover(cover_jpeg(book, theme)) if options.generated_cover else None

    made: list[Page] = []
    if cover_href:
        made.append(cover_page(cover_href, title, pages))
    made.append(title_page(book, title, options, pages))
    if options.warnings == "front":
        made.append(warnings_page(book, options, images, pages))
    chapters = [part for number, chapter in enumerate(book.chapters, start=1)
                for part in chapter_pages(book, number, chapter, title, images, pages)]
    made.extend(chapters)
    if book.back_matter:
        made.append(end_notes_page(book, images, pages))
    if options.warnings == "end":
        made.append(warnings_page(book, options, images, pages))

    notice = next((page for page in made if page.id == "warnings"), None)
    start = (chapters[0].href, "Start of the story") if chapters else None
    return Contents(
        metadata=metadata, title=title, identifier=work_identifier(metadata),
        timestamp_of=metadata, front=made, body=[], nav_linear=False,
        toc=[Entry(page.label, page.href) for page in made if page.label],
        landmarks=landmarks(cover_href is not None, notice, start),
        ncx_authors=metadata.authors, folders=[images], work_skin=book.stylesheet)

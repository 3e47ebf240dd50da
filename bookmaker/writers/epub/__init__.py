"""The EPUB writer: a Book or an Anthology as an EPUB 3 (with an EPUB 2 NCX) that passes
EPUBCheck cleanly.

A book's pages (book.py) and an anthology's (anthology.py) are two shapes of one thing,
pages.Contents: the pages in reading order, the contents and landmarks, what the package says of
itself. Both are made of the same pages (pages.py), and both become a Package here, with the
navigation document and the NCX made once for either; package.py packs the files.

The renderer is the one choice a writer of this family makes: XhtmlRenderer for the EPUB,
KoboRenderer for the kepub (kepub.py), which adds Kobo's sentence spans while it renders.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from pathlib import Path

from bookmaker.errors import Finding
from bookmaker.model import Anthology, Book
from bookmaker.safety.files import atomic_write
from bookmaker.settings.context import RenderContext
from bookmaker.writers.epub import anthology, book as single
from bookmaker.writers.epub.package import Package, Resource, SpineItem, package_bytes
from bookmaker.writers.epub.pages import (Contents, ImageFolder, Page, Pages, chapter_pages,
                                          number_entries, page_resources, render_file,
                                          stylesheet)
from bookmaker.writers.xhtml import XhtmlRenderer, xml_safe_metadata

TYPESET = True


def write(book: Book | Anthology, dest: Path, context: RenderContext) -> list[Finding]:
    """Write ``book`` as an EPUB at ``dest``, atomically: a failed build leaves nothing behind."""
    atomic_write(Path(dest), epub_bytes(book, context))
    return []


def epub_bytes(book: Book | Anthology, context: RenderContext | None = None,
               renderer: type[XhtmlRenderer] = XhtmlRenderer) -> bytes:
    """The EPUB for ``book`` (or anthology) as bytes; identical input and context give identical
    bytes."""
    return package_bytes(assemble(book, context or RenderContext(), renderer))


def assemble(book: Book | Anthology, context: RenderContext,
             renderer: type[XhtmlRenderer] = XhtmlRenderer) -> Package:
    """Every file of the book, the spine and the metadata, ready to pack."""
    pages_of = functools.partial(Pages.of, theme=context.theme, renderer=renderer)
    contents = anthology.contents(book, context, pages_of) if isinstance(book, Anthology) \
        else single.contents(book, context, pages_of)
    return _package(contents, context, pages_of(contents.metadata), renderer)


def _package(contents: Contents, context: RenderContext, pages: Pages,
             renderer: type[XhtmlRenderer]) -> Package:
    """The package of either shape: its pages with the navigation document between the front
    and the body, the NCX, the stylesheet and every image."""
    every_page = _with_navigation(contents, pages)
    ncx = render_file("toc-nested.ncx.j2", lang=pages.lang, identifier=contents.identifier,
                      title=contents.title, authors=contents.ncx_authors, toc=contents.toc,
                      depth=2 if any(entry.children for entry in contents.toc) else 1)
    folders = contents.folders
    return Package(
        metadata=contents.metadata, title=contents.title, language=pages.lang,
        identifier=contents.identifier, modified=context.timestamp(contents.timestamp_of),
        resources=(*page_resources(every_page),
                   stylesheet(context.theme, contents.work_skin, renderer),
                   *(resource for folder in folders for resource in folder.resources())),
        spine=tuple(SpineItem(p.id, p.linear) for p in every_page), ncx=ncx,
        cover_image_id=folders[0].cover_id, image_count=sum(f.count for f in folders),
        images_described=all(f.all_described for f in folders), editors=contents.editors,
        parts=contents.parts)


def _with_navigation(contents: Contents, pages: Pages) -> list[Page]:
    """Every page in spine order: the navigation document (contents and landmarks) between the
    front and the body."""
    number_entries(contents.toc)
    # The navigation document is read by the reading system, not paged: never Kobo's spans.
    nav = Page("nav", "nav.xhtml", pages.plain.render(
        "nav-nested.xhtml.j2", page_title="Contents", body_class="nav", toc=contents.toc,
        landmarks=contents.landmarks), linear=contents.nav_linear)
    return [*contents.front, nav, *contents.body]


# --------------------------------------------------------------------------- for the preview


@dataclass(frozen=True)
class Documents:
    """A book's XHTML documents in reading order and the images they use (``book`` with its
    metadata made XML-safe): what assemble packs, and what the live preview shows."""

    book: Book
    pages: list[Page]
    images: ImageFolder
    stylesheet: Resource  # css/book.css


def content_documents(book: Book, context: RenderContext) -> Documents:
    """Every XHTML document of ``book`` in reading order, nav.xhtml last, as the EPUB has them."""
    pages_of = functools.partial(Pages.of, theme=context.theme)
    contents = single.contents(book, context, pages_of)
    return Documents(_xml_safe(book), _with_navigation(contents, pages_of(contents.metadata)),
                     contents.folders[0], stylesheet(context.theme, contents.work_skin))


def chapter_documents(book: Book, number: int, context: RenderContext
                      ) -> tuple[list[Page], ImageFolder]:
    """The documents of chapter ``number`` (1-based) alone, as content_documents makes them,
    and the images they use: the live preview re-renders the one chapter a save changed.
    (Images are named as if this chapter were the book's only one.)"""
    book = _xml_safe(book)
    images = ImageFolder(book)
    pages = chapter_pages(book, number, book.chapters[number - 1],
                          book.metadata.title or "Untitled", images,
                          Pages.of(book.metadata, context.theme))
    return pages, images


def _xml_safe(book: Book) -> Book:
    return dataclasses.replace(book, metadata=xml_safe_metadata(book.metadata))

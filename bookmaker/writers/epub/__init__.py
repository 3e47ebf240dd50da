"""The EPUB writer: a Book as an EPUB 3 (with an EPUB 2 NCX) that passes EPUBCheck cleanly.

Layout inside EPUB/ (the spine order):

    cover.xhtml         only when the work has a cover (image in images/)
    title.xhtml         title, authors, fandoms, series; a pointer when warnings are at the end
    warnings.xhtml      the front page for warnings (--warnings front)
    chapter-001.xhtml   one per chapter
    endnotes.xhtml      the work's end notes, when it has any
    warnings.xhtml      here instead with --warnings end; absent with --warnings omit
    nav.xhtml           contents and landmarks (non-linear: reading systems show their own)
    toc.ncx, css/book.css, images/...

This module decides what each page says; epub_package.py packages the files.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from markupsafe import Markup

from bookmaker import taxonomy
from bookmaker.safety.assets import IMAGE_TYPES, asset_bytes, asset_media_type, locate_asset
from bookmaker.errors import Finding
from bookmaker.model import (Anthology, Block, Book, Chapter, EmbeddedFile, Footnote, Image,
                             Metadata)
from bookmaker.settings.options import BuildOptions
from bookmaker.writers.covers import cover_jpeg
from bookmaker.safety.files import atomic_write, slugify
from bookmaker.settings.context import RenderContext
from bookmaker.settings.themes import Theme
from bookmaker.writers import templating
from bookmaker.writers.epub.outline import outlined
from bookmaker.writers.epub.split import DOCUMENT_LIMIT, footnote_references, split_blocks
from bookmaker.writers.epub.stylesheet import merged_stylesheet
from bookmaker.writers.epub.package import (Package, Resource, SpineItem, package_bytes,
                                            work_identifier)
from bookmaker.writers.wording import chapter_label, join_names, series_line, work_details
from bookmaker.writers.xhtml import (XhtmlRenderer, collect_footnotes, text_direction,
                                     xml_safe_metadata)

XHTML = "application/xhtml+xml"
PageRenderer = Callable[..., bytes]  # template name and context -> the finished document


TYPESET = True


def write(book: Book | Anthology, dest: Path, context: RenderContext) -> list[Finding]:
    """Write ``book`` as an EPUB at ``dest``, atomically: a failed build leaves nothing behind."""
    atomic_write(Path(dest), epub_bytes(book, context))
    return []


def epub_bytes(book: Book | Anthology, context: RenderContext | None = None) -> bytes:
    """The EPUB for ``book`` (or anthology) as bytes; identical input and context give identical
    bytes."""
    if isinstance(book, Anthology):
        from bookmaker.writers.epub.anthology import assemble_anthology

        return package_bytes(assemble_anthology(book, context or RenderContext()))
    return package_bytes(assemble(book, context or RenderContext()))


@dataclass(frozen=True)
class Page:
    """One XHTML document in reading order; ``label`` is its entry in the contents."""

    id: str
    href: str
    content: bytes
    label: str = ""
    linear: bool = True


@dataclass(frozen=True)
class Landmark:
    kind: str
    href: str
    label: str


@dataclass(frozen=True)
class Documents:
    """A book's XHTML documents in reading order and the images they use (``book`` with its
    metadata made XML-safe): what assemble packs, and what the live preview shows."""

    book: Book
    pages: list[Page]
    images: ImageFolder
    stylesheet: Resource  # css/book.css


def assemble(book: Book, context: RenderContext) -> Package:
    """Every file of the book, the spine and the metadata, ready to pack."""
    documents = content_documents(book, context)
    book, pages, images = documents.book, documents.pages, documents.images
    metadata = book.metadata
    title = metadata.title or "Untitled"  # dc:title must not be empty
    language = document_language(metadata)
    toc = [p for p in pages if p.label]
    identifier = work_identifier(metadata)
    ncx = _render("toc.ncx.j2", lang=language, identifier=identifier, title=title,
                  authors=metadata.authors, toc=toc)
    return Package(
        metadata=metadata, title=title, language=language, identifier=identifier,
        modified=context.timestamp(metadata),
        resources=(*_page_resources(pages), documents.stylesheet,
                   *images.resources()),
        spine=tuple(SpineItem(p.id, p.linear) for p in pages), ncx=ncx,
        cover_image_id=images.cover_id, image_count=images.count,
        images_described=images.all_described)


def content_documents(book: Book, context: RenderContext) -> Documents:
    """Every XHTML document of ``book`` in reading order, nav.xhtml last."""
    book, title, page, images = _typesetting(book, context)
    metadata, options, theme = book.metadata, context.options, context.theme
    cover_href = images.add_cover(metadata.cover) if metadata.cover else \
        images.add_generated_cover(cover_jpeg(book, theme)) if options.generated_cover else None

    pages: list[Page] = []
    if cover_href:
        pages.append(_cover_page(cover_href, title, page))
    pages.append(_title_page(book, title, options, page))
    if options.warnings == "front":
        pages.append(_warnings_page(book, options, images, page))
    chapters = [chapter_page for number, chapter in enumerate(book.chapters, start=1)
                for chapter_page in _chapter_pages(book, number, chapter, title, images, page)]
    pages.extend(chapters)
    if book.back_matter:
        pages.append(_end_notes_page(book, images, page))
    if options.warnings == "end":
        pages.append(_warnings_page(book, options, images, page))

    toc = [p for p in pages if p.label]
    warnings_page = next((p for p in pages if p.id == "warnings"), None)
    landmarks = _landmarks(cover_href is not None, warnings_page, chapters)
    pages.append(Page("nav", "nav.xhtml", page("nav.xhtml.j2", page_title="Contents",
                                                 body_class="nav", toc=toc, landmarks=landmarks),
                      linear=False))
    return Documents(book, pages, images, _stylesheet(theme, book.stylesheet))


def chapter_documents(book: Book, number: int, context: RenderContext
                      ) -> tuple[list[Page], ImageFolder]:
    """The documents of chapter ``number`` (1-based) alone, as content_documents makes them,
    and the images they use: the live preview re-renders the one chapter a save changed.
    (Images are named as if this chapter were the book's only one.)"""
    book, title, page, images = _typesetting(book, context)
    return _chapter_pages(book, number, book.chapters[number - 1], title, images, page), images


def _typesetting(book: Book, context: RenderContext
                 ) -> tuple[Book, str, PageRenderer, ImageFolder]:
    """What every page of one book is made with: the book with XML-safe metadata, its title,
    the page renderer (language, direction, theme) and its images folder."""
    book = dataclasses.replace(book, metadata=xml_safe_metadata(book.metadata))
    metadata = book.metadata
    page = functools.partial(_render, lang=document_language(metadata),
                             theme_folder=context.theme.folder, dir=text_direction(metadata))
    return book, metadata.title or "Untitled", page, ImageFolder(book)


def document_language(metadata: Metadata) -> str:
    """The work's language as a BCP 47 tag; "und" (undetermined) when it is not one, since an
    invalid tag would make every document invalid."""
    return taxonomy.language_tag(metadata.language or "en") or "und"


# --------------------------------------------------------------------------- pages


def _cover_page(image_href: str, title: str, page: PageRenderer) -> Page:
    return Page("cover", "cover.xhtml", page(
        "cover.xhtml.j2", page_title="Cover", body_class="cover", image_href=image_href,
        alt=f"Cover of {title}"))


def _title_page(book: Book, title: str, options: BuildOptions, page: PageRenderer) -> Page:
    metadata = book.metadata
    return Page("titlepage", "title.xhtml", page(
        "title.xhtml.j2", page_title=title, body_class="titlepage", title=title,
        byline=join_names(metadata.authors), fandoms=" · ".join(metadata.fandoms),
        series=[series_line(s.name, s.index) for s in metadata.series],
        warnings_href="warnings.xhtml" if options.warnings == "end" else ""))


def _warnings_page(book: Book, options: BuildOptions, images: ImageFolder,
                   page: PageRenderer) -> Page:
    """The front page for warnings: what a reader needs to decide, in the order they need it."""
    metadata = book.metadata
    heading = "Before you read" if options.warnings != "end" else "Content notes and warnings"
    renderer = XhtmlRenderer(collect_footnotes(metadata.summary, book.front_matter),
                             images.href_for, heading_level=3)
    details = work_details(metadata)
    summary = renderer.blocks(metadata.summary)
    opening_note = renderer.blocks(book.front_matter)
    nothing_given = not (metadata.rating or metadata.warnings or metadata.content_notes
                         or details or summary or opening_note)
    return Page("warnings", "warnings.xhtml", page(
        "warnings.xhtml.j2", page_title=heading, body_class="warnings", heading=heading,
        rating=metadata.rating or "", warnings=metadata.warnings,
        content_notes=metadata.content_notes, details=details, summary=Markup(summary),
        opening_note=Markup(opening_note), nothing_given=nothing_given,
        footnotes=Markup(renderer.footnotes_section())), label=heading)


def _chapter_pages(book: Book, number: int, chapter: Chapter, book_title: str,
                   images: ImageFolder, page: PageRenderer) -> list[Page]:
    """The chapter's document, or its parts when it is too long for one (see split.py)."""
    heading = chapter_label(book, number, chapter, book_title)
    sections = outlined(chapter.summary, chapter.notes, chapter.blocks, chapter.end_notes)
    definitions = collect_footnotes(*sections)
    whole = _chapter_page(number, 1, heading, sections, definitions, images, page)
    if len(whole.content) <= DOCUMENT_LIMIT:
        return [whole]
    summary, notes, text, end_notes = sections
    measure = XhtmlRenderer(definitions, lambda image: "")  # sizes only: no image is added
    parts = split_blocks(text, lambda block: len(measure.blocks([block]).encode("utf-8")))
    pages = []
    for index, part in enumerate(parts, start=1):
        first, last = index == 1, index == len(parts)
        part_sections = (summary if first else (), notes if first else (), part,
                         end_notes if last else ())
        notes_here = {note_id: definitions[note_id]
                      for note_id in footnote_references(part_sections, definitions)}
        pages.append(_chapter_page(number, index, heading, part_sections, notes_here, images,
                                   page))
    return pages


def _chapter_page(number: int, part: int, heading: str, sections: list[tuple[Block, ...]] |
                  tuple[tuple[Block, ...], ...], footnotes: dict[str, Footnote],
                  images: ImageFolder, page: PageRenderer) -> Page:
    renderer = XhtmlRenderer(footnotes, images.href_for)
    rendered = {name: Markup(renderer.blocks(blocks))
                for name, blocks in zip(("summary", "notes", "text", "end_notes"), sections,
                                        strict=True)}
    # Part 1 keeps the chapter's file name; the parts after it are named after it, so a chapter
    # growing past the limit never renames the files of the others.
    href = f"chapter-{number:03d}.xhtml" if part == 1 else f"chapter-{number:03d}-{part}.xhtml"
    return Page(href.removesuffix(".xhtml"), href, page(
        "chapter.xhtml.j2", page_title=heading, body_class="chapter", heading=heading,
        continued=part > 1, footnotes=Markup(renderer.footnotes_section()), **rendered),
        label=heading if part == 1 else "")


def _end_notes_page(book: Book, images: ImageFolder, page: PageRenderer) -> Page:
    (back_matter,) = outlined(book.back_matter)
    renderer = XhtmlRenderer(collect_footnotes(back_matter), images.href_for)
    text = renderer.blocks(back_matter)
    return Page("endnotes", "endnotes.xhtml", page(
        "endnotes.xhtml.j2", page_title="End notes", body_class="end-notes", heading="End notes",
        text=Markup(text), footnotes=Markup(renderer.footnotes_section())), label="End notes")


def _landmarks(has_cover: bool, warnings_page: Page | None,
               chapters: list[Page]) -> list[Landmark]:
    landmarks = [Landmark("cover", "cover.xhtml", "Cover")] if has_cover else []
    landmarks += [Landmark("titlepage", "title.xhtml", "Title page"),
                  Landmark("toc", "nav.xhtml#toc", "Contents")]
    if warnings_page:
        # "notice" is the structural-semantics name for a warning or caution: the landmark lets a
        # reader jump to the warnings wherever --warnings placed them.
        landmarks.append(Landmark("notice", warnings_page.href, warnings_page.label))
    if chapters:
        landmarks.append(Landmark("bodymatter", chapters[0].href, "Start of the story"))
    return landmarks


def _page_resources(pages: list[Page]) -> list[Resource]:
    return [Resource(p.id, p.href, XHTML, p.content, ("nav",) if p.id == "nav" else ())
            for p in pages]


def _stylesheet(theme: Theme, work_skin: str = "") -> Resource:
    """The theme's CSS, merged, then the work's own (an AO3 work skin, sanitised by its
    reader)."""
    sheets = [path.read_text(encoding="utf-8") for path in theme.stylesheets("epub.css")]
    text = merged_stylesheet(sheets)
    if work_skin:
        text += "\n/* The work's own stylesheet (its creator's work skin) */\n" + work_skin
    return Resource("css", "css/book.css", "text/css", text.encode("utf-8"))


# --------------------------------------------------------------------------- templates




def _render(template: str, theme_folder: Path | None = None, **context: object) -> bytes:
    return templating.render("epub", template, theme_folder, **context).encode("utf-8")


# --------------------------------------------------------------------------- images


class ImageFolder:
    """The images/ folder of one book: every referenced file copied once, under a unique name.

    Files are found through assets.locate_asset, the one policy on what a book may read.
    """

    def __init__(self, book: Book) -> None:
        self.book = book
        self._by_path: dict[Path | str, Resource] = {}
        self._names: set[str] = set()
        self.cover_id: str | None = None
        self.all_described = True

    @property
    def count(self) -> int:
        return len(self._by_path)

    def href_for(self, image: Image) -> str:
        """The href of the Image block's file (copied in on first use)."""
        if not image.alt.strip():
            self.all_described = False
        return self._add(image.src, image.line).href

    def add_generated_cover(self, jpeg: bytes) -> str:
        """The typographic cover made for a book without a cover image (see covers.py)."""
        resource = Resource("cover-image", "images/cover.jpg", "image/jpeg", jpeg,
                            ("cover-image",))
        self._by_path["generated:cover"] = resource
        self._names.add(resource.href)
        self.cover_id = resource.id
        return resource.href

    def add_cover(self, reference: str) -> str:
        resource = self._add(reference, None, ("cover-image",))
        self.cover_id = resource.id
        return resource.href

    def resources(self) -> list[Resource]:
        return list(self._by_path.values())

    def _add(self, reference: str, line: int | None, properties: tuple[str, ...] = ()) -> Resource:
        located = locate_asset(self.book, reference, None, line)
        key = located if isinstance(located, Path) else f"embedded:{located.name}"
        if key not in self._by_path:
            self._by_path[key] = Resource(
                "cover-image" if properties else f"image-{len(self._by_path) + 1}",
                self._unique_name(located), asset_media_type(located), asset_bytes(located),
                properties)
        return self._by_path[key]

    def _unique_name(self, located: Path | EmbeddedFile) -> str:
        media_type = asset_media_type(located)
        original = PurePosixPath(located.name)
        # An embedded file's name may have any (or no) suffix: the media type decides it.
        suffix = original.suffix.lower() if IMAGE_TYPES.get(original.suffix.lower()) == media_type \
            else next(s for s, t in IMAGE_TYPES.items() if t == media_type)
        stem = slugify(original.stem, fallback="image")
        name, number = f"images/{stem}{suffix}", 2
        while name in self._names:
            name, number = f"images/{stem}-{number}{suffix}", number + 1
        self._names.add(name)
        return name

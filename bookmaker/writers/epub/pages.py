"""The pages of an EPUB, made the same way for a book and for every work of an anthology.

A book's shape (book.py) and an anthology's (anthology.py) choose which pages there are and in
what order; the pages themselves (cover, title page, warnings page, chapters, end notes), the
images folder and the stylesheet are made here, once. ``Pages`` carries what every page of one
EPUB shares: its language and direction, its theme, and the renderer that turns model blocks
into XHTML (XhtmlRenderer, or kepub's KoboRenderer, which numbers Kobo's sentence spans while it
renders). Templates put their own words through the page's renderer too (``text(...)``), so a
renderer sees every piece of text a page holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from markupsafe import Markup

from bookmaker import taxonomy
from bookmaker.model import Block, Book, Chapter, EmbeddedFile, Footnote, Image, Metadata
from bookmaker.safety.assets import IMAGE_TYPES, asset_bytes, asset_media_type, locate_asset
from bookmaker.safety.files import slugify
from bookmaker.settings.options import BuildOptions
from bookmaker.settings.themes import Theme
from bookmaker.writers import templating
from bookmaker.writers.epub.outline import outlined
from bookmaker.writers.epub.package import Resource, WorkPart
from bookmaker.writers.epub.split import DOCUMENT_LIMIT, footnote_references, split_blocks
from bookmaker.writers.epub.stylesheet import merged_stylesheet
from bookmaker.writers.wording import chapter_label, join_names, series_line, work_details
from bookmaker.writers.xhtml import XhtmlRenderer, collect_footnotes, text_direction

XHTML = "application/xhtml+xml"


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


@dataclass
class Contents:
    """What a book's or an anthology's shape makes of it (book.py, anthology.py): everything
    its package needs but the navigation, which __init__.py makes for either and puts between
    ``front`` and ``body``."""

    metadata: Metadata  # what the package says of the whole
    title: str
    identifier: str
    timestamp_of: Metadata  # the metadata the build's timestamp is taken from
    front: list[Page]
    body: list[Page]
    toc: list[Entry]
    landmarks: list[Landmark]
    ncx_authors: tuple[str, ...]
    folders: list[ImageFolder]  # the first holds the cover
    nav_linear: bool = True
    work_skin: str = ""
    editors: tuple[str, ...] = ()
    parts: tuple[WorkPart, ...] = ()


def landmarks(has_cover: bool, notice: Page | None, start: tuple[str, str] | None
              ) -> list[Landmark]:
    """The landmarks: the cover, the title page, the contents, the warnings (``notice`` is the
    structural-semantics name for a warning or caution: the landmark lets a reader jump to the
    warnings wherever --warnings placed them), and (href, label) where the text starts."""
    found = [Landmark("cover", "cover.xhtml", "Cover")] if has_cover else []
    found += [Landmark("titlepage", "title.xhtml", "Title page"),
              Landmark("toc", "nav.xhtml#toc", "Contents")]
    if notice is not None:
        found.append(Landmark("notice", notice.href, notice.label))
    if start is not None:
        found.append(Landmark("bodymatter", *start))
    return found


@dataclass
class Entry:
    """One line of the contents (nested for an anthology: work -> chapters); ``order`` is its
    place in the NCX's play order."""

    label: str
    href: str
    children: list[Entry] = field(default_factory=list)
    order: int = 0


def number_entries(entries: list[Entry]) -> None:
    """Give every entry, depth first, its play order."""
    order = 0

    def visit(items: list[Entry]) -> None:
        nonlocal order
        for entry in items:
            order += 1
            entry.order = order
            visit(entry.children)

    visit(entries)


def document_language(metadata: Metadata) -> str:
    """The work's language as a BCP 47 tag; "und" (undetermined) when it is not one, since an
    invalid tag would make every document invalid."""
    return taxonomy.language_tag(metadata.language or "en") or "und"


def render_file(template: str, theme_folder: Path | None = None, **context: object) -> bytes:
    """A template of the EPUB that is not a page of text (the NCX)."""
    return templating.render("epub", template, theme_folder, **context).encode("utf-8")


@dataclass(frozen=True)
class Pages:
    """What every page of one EPUB shares, and how a page is rendered."""

    lang: str
    direction: str
    theme_folder: Path | None
    renderer: type[XhtmlRenderer] = XhtmlRenderer

    @classmethod
    def of(cls, metadata: Metadata, theme: Theme,
           renderer: type[XhtmlRenderer] = XhtmlRenderer) -> Pages:
        return cls(document_language(metadata), text_direction(metadata), theme.folder, renderer)

    @property
    def plain(self) -> Pages:
        """These pages as the plain EPUB renders them (what a chapter's size is measured on)."""
        return self if self.renderer is XhtmlRenderer else \
            Pages(self.lang, self.direction, self.theme_folder)

    def renderer_for(self, footnotes: Mapping[str, Footnote], images: ImageFolder | None = None,
                     heading_level: int = 2) -> XhtmlRenderer:
        """A renderer for one page: footnote numbers and Kobo's span numbers are per page."""
        return self.renderer(footnotes, images.href_for if images else _no_image, heading_level)

    def render(self, template: str, renderer: XhtmlRenderer | None = None,
               **context: object) -> bytes:
        """The page ``template`` makes, its words put through ``renderer`` (or a renderer of
        its own, for a page with no model blocks)."""
        renderer = renderer or self.renderer_for({})
        text = templating.render("epub", template, self.theme_folder, lang=self.lang,
                                 dir=self.direction, words=renderer.text, image=renderer.image,
                                 body_start=renderer.body_start, body_end=renderer.body_end,
                                 **context)
        return renderer.finish_page(text).encode("utf-8")


def _no_image(image: Image) -> str:
    raise ValueError(f"a page without an images folder met an image: {image.src!r}")


# --------------------------------------------------------------------------- pages


def cover_page(image_href: str, title: str, pages: Pages) -> Page:
    return Page("cover", "cover.xhtml", pages.render(
        "cover.xhtml.j2", page_title="Cover", body_class="cover", image_href=image_href,
        alt=f"Cover of {title}"))


def title_page(book: Book, title: str, options: BuildOptions, pages: Pages) -> Page:
    metadata = book.metadata
    return Page("titlepage", "title.xhtml", pages.render(
        "title.xhtml.j2", page_title=title, body_class="titlepage", title=title,
        byline=join_names(metadata.authors), fandoms=" · ".join(metadata.fandoms),
        series=[series_line(s.name, s.index) for s in metadata.series],
        warnings_href="warnings.xhtml" if options.warnings == "end" else ""))


def warnings_page(book: Book, options: BuildOptions, images: ImageFolder, pages: Pages) -> Page:
    """The front page for warnings: what a reader needs to decide, in the order they need it."""
    metadata = book.metadata
    heading = "Before you read" if options.warnings != "end" else "Content notes and warnings"
    renderer = pages.renderer_for(collect_footnotes(metadata.summary, book.front_matter),
                                  images, heading_level=3)
    details = work_details(metadata)
    summary = renderer.blocks(metadata.summary)
    opening_note = renderer.blocks(book.front_matter)
    nothing_given = not (metadata.rating or metadata.warnings or metadata.content_notes
                         or details or summary or opening_note)
    return Page("warnings", "warnings.xhtml", pages.render(
        "warnings.xhtml.j2", renderer, page_title=heading, body_class="warnings",
        heading=heading, rating=metadata.rating or "", warnings=metadata.warnings,
        content_notes=metadata.content_notes, details=details, summary=Markup(summary),
        opening_note=Markup(opening_note), nothing_given=nothing_given,
        footnotes=Markup(renderer.footnotes_section())), label=heading)


def chapter_pages(book: Book, number: int, chapter: Chapter, book_title: str,
                  images: ImageFolder, pages: Pages) -> list[Page]:
    """The chapter's document, or its parts when it is too long for one (see split.py).

    Whether and where to cut is decided on the plain EPUB's documents whatever the renderer, so
    a kepub's chapters are cut exactly where the EPUB's are (and keep their span ids)."""
    heading = chapter_label(book, number, chapter, book_title)
    sections = outlined(chapter.summary, chapter.notes, chapter.blocks, chapter.end_notes)
    definitions = collect_footnotes(*sections)
    whole = _chapter_page(number, 1, heading, sections, definitions, images, pages.plain)
    if len(whole.content) <= DOCUMENT_LIMIT:
        return [whole if pages.plain is pages else
                _chapter_page(number, 1, heading, sections, definitions, images, pages)]
    summary, notes, text, end_notes = sections
    measure = XhtmlRenderer(definitions, lambda image: "")  # sizes only: no image is added
    parts = split_blocks(text, lambda block: len(measure.blocks([block]).encode("utf-8")))
    made = []
    for index, part in enumerate(parts, start=1):
        first, last = index == 1, index == len(parts)
        part_sections = (summary if first else (), notes if first else (), part,
                         end_notes if last else ())
        notes_here = {note_id: definitions[note_id]
                      for note_id in footnote_references(part_sections, definitions)}
        made.append(_chapter_page(number, index, heading, part_sections, notes_here, images,
                                  pages))
    return made


def _chapter_page(number: int, part: int, heading: str, sections: list[tuple[Block, ...]] |
                  tuple[tuple[Block, ...], ...], footnotes: dict[str, Footnote],
                  images: ImageFolder, pages: Pages) -> Page:
    renderer = pages.renderer_for(footnotes, images)
    rendered = {name: Markup(renderer.blocks(blocks))
                for name, blocks in zip(("summary", "notes", "text", "end_notes"), sections,
                                        strict=True)}
    # Part 1 keeps the chapter's file name; the parts after it are named after it, so a chapter
    # growing past the limit never renames the files of the others.
    href = f"chapter-{number:03d}.xhtml" if part == 1 else f"chapter-{number:03d}-{part}.xhtml"
    return Page(href.removesuffix(".xhtml"), href, pages.render(
        "chapter.xhtml.j2", renderer, page_title=heading, body_class="chapter",
        heading=heading, continued=part > 1, footnotes=Markup(renderer.footnotes_section()),
        **rendered), label=heading if part == 1 else "")


def end_notes_page(book: Book, images: ImageFolder, pages: Pages) -> Page:
    (back_matter,) = outlined(book.back_matter)
    renderer = pages.renderer_for(collect_footnotes(back_matter), images)
    text = renderer.blocks(back_matter)
    return Page("endnotes", "endnotes.xhtml", pages.render(
        "endnotes.xhtml.j2", renderer, page_title="End notes", body_class="end-notes",
        heading="End notes", text=Markup(text), footnotes=Markup(renderer.footnotes_section())),
        label="End notes")


def page_resources(pages: list[Page]) -> list[Resource]:
    return [Resource(p.id, p.href, XHTML, p.content, ("nav",) if p.id == "nav" else ())
            for p in pages]


def stylesheet(theme: Theme, work_skin: str = "",
               renderer: type[XhtmlRenderer] = XhtmlRenderer) -> Resource:
    """The theme's CSS, merged, then the work's own (an AO3 work skin, sanitised by its
    reader), then what the renderer's markup needs (kepub's page wrappers)."""
    sheets = [path.read_text(encoding="utf-8") for path in theme.stylesheets("epub.css")]
    text = merged_stylesheet(sheets)
    if work_skin:
        text += "\n/* The work's own stylesheet (its creator's work skin) */\n" + work_skin
    return Resource("css", "css/book.css", "text/css",
                    (text + renderer.stylesheet_addition).encode("utf-8"))


# --------------------------------------------------------------------------- images


class ImageFolder:
    """The images/ folder of one book, or of one work of an anthology: every referenced file
    copied once, under a name unique in the EPUB (``taken`` is shared by an anthology's works)
    and a manifest id carrying the work's ``prefix``.

    Files are found through assets.locate_asset, the one policy on what a book may read.
    """

    def __init__(self, book: Book, prefix: str = "", taken: set[str] | None = None) -> None:
        self.book = book
        self.prefix = prefix
        self._by_path: dict[Path | str, Resource] = {}
        self._names: set[str] = taken if taken is not None else set()
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
        return [Resource(self.prefix + r.id, r.href, r.media_type, r.content, r.properties)
                if self.prefix else r for r in self._by_path.values()]

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


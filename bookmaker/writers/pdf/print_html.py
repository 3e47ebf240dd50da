"""The model as one print HTML document, for WeasyPrint to lay out as a book.

The document is a sequence of sections (cover, title page, warnings page, contents, chapters, end
notes); print.css decides how they fall on pages. A PrintDocument renders every section once, so
the PDF writer can lay out the whole document in one run, or the body in parts in parallel (each
part is the same head wrapped around some of the sections) and the front matter last, once the
chapters' page numbers are known. PrintBook is a book's; an anthology's is in print_anthology.py,
and writers/pdf/__init__.py's print_book_for gives either.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from markupsafe import Markup

from bookmaker import taxonomy
from bookmaker.safety.assets import asset_bytes, asset_media_type, locate_asset
from bookmaker.model import Block, Book, Chapter, FootnoteRef, Image, Paragraph, SceneBreak, \
    plain_text
from bookmaker.settings.context import RenderContext
from bookmaker.writers import templating
from bookmaker.writers.wording import chapter_label, join_names, series_line, work_details
from bookmaker.writers.xhtml import XhtmlRenderer, collect_footnotes, text_direction, \
    escape_text, xml_safe_metadata

# Contents entries laid out apart from their chapters (the parallel layout's front matter) link
# here; the join (join.py) turns each into a link to the page its section starts on.
SECTION_LINK = "bookmaker-section:"


@dataclass(frozen=True)
class DocumentInfo:
    """What the PDF says about itself: the document information dictionary, the XMP packet and
    the catalog's language."""

    title: str
    authors: tuple[str, ...]
    subject: str
    keywords: tuple[str, ...]
    lang: str
    timestamp: datetime


@dataclass(frozen=True)
class BodySection:
    """One section of the book's body (a chapter, the end notes, warnings placed at the end).

    Every body section starts on a right-hand page, so sections can be laid out apart and joined.
    """

    id: str
    label: str
    html: str
    words: int


class PrintDocument:
    """What the PDF writer, the parallel layout and the zines lay out: the print sections of a
    book or of an anthology, each rendered once, and the head that wraps them into documents.

    PrintBook and PrintAnthology (print_anthology.py) are its two shapes; they differ only in
    which sections they make and where the contents go.
    """

    title: str
    lang: str
    direction: str
    description: str  # the PDF's subject: the summary as one line of plain text
    book: Book  # the document's own metadata (what the PDF says of itself), cover and folder
    body: list[BodySection]
    folders: tuple[str, ...] = ()  # more folders the layout may read images from
    work_skin: str = ""  # the work's own CSS (sanitised by its reader: declarations, never "<")
    kind: str = "book"  # "anthology" adds the collection's own sheet

    def __init__(self, context: RenderContext | None) -> None:
        self.context = context or RenderContext()
        self.options = self.context.options
        self.theme = self.context.theme

    def info(self) -> DocumentInfo:
        """The metadata as the PDF carries it, dated with the build's one timestamp."""
        metadata = self.book.metadata
        return DocumentInfo(self.title, tuple(metadata.authors), self.description,
                            tuple(metadata.tags), self.lang, self.context.timestamp(metadata))

    def whole_document(self) -> str:
        """Everything in one document; contents page numbers come from target-counter()."""
        return self.document([*self.front_sections(), *(s.html for s in self.body)])

    def front_sections(self, pages: Mapping[str, int | str] | None = None) -> list[str]:
        """The sections before the body, the contents among them; ``pages`` (section id -> page
        number, or "" for none: the preview lays out the front matter alone) prints known
        numbers in the contents instead of leaving them to the layout engine."""
        raise NotImplementedError

    def document(self, sections: list[str]) -> str:
        """``sections`` wrapped in the head: language, metadata, running-head title."""
        metadata = self.book.metadata
        classes = ["book", *(["anthology"] if self.kind == "anthology" else []),
                   f"paper-{self.options.paper}"]
        if self.options.drop_caps:
            classes.append("drop-caps")
        return self._render("document.html.j2", lang=self.lang, dir=self.direction,
                            title=self.title, authors=metadata.authors,
                            description=self.description, keywords=metadata.tags,
                            body_class=" ".join(classes), anthology=self.kind == "anthology",
                            sections=[Markup(section) for section in sections],
                            work_skin=Markup(self.work_skin.replace("<", "")))

    def _render(self, template: str, **context: object) -> str:
        return _render(template, self.theme.folder, **context)


class PrintBook(PrintDocument):
    """A book's print sections: cover, title page, warnings page, contents, then the body
    (chapters, end notes, the warnings placed at the end)."""

    def __init__(self, book: Book, context: RenderContext | None = None) -> None:
        super().__init__(context)
        self.book = dataclasses.replace(book, metadata=xml_safe_metadata(book.metadata))
        self.title = self.book.metadata.title or "Untitled"
        self.lang = taxonomy.language_tag(self.book.metadata.language or "en") or "und"
        self.direction = text_direction(self.book.metadata)
        self.description = " ".join(plain_text(self.book.metadata.summary).split())
        self.work_skin = self.book.stylesheet
        self.body = self._body_sections()
        self._front_start = self._front_sections()

    def front_sections(self, pages: Mapping[str, int | str] | None = None) -> list[str]:
        """Cover, title page, warnings page and contents."""
        return [*self._front_start, *self._contents(pages)]

    # ------------------------------------------------------------------ front matter

    def _front_sections(self) -> list[str]:
        metadata = self.book.metadata
        sections = []
        if metadata.cover:
            sections.append(self._render("cover.html.j2", src=_image_url(self.book, metadata.cover),
                                         title=self.title))
        elif self.options.generated_cover:
            # Set as type rather than placed as the EPUB's picture: sharp at any print size, the
            # title is real text on page 1, and glyphs the face lacks fall back like the body's.
            sections.append(self._render(
                "generated-cover.html.j2", title=self.title, look=self.theme.cover,
                byline=" and ".join(metadata.authors), fandoms=" · ".join(metadata.fandoms)))
        sections.append(self._render(
            "title.html.j2", title=self.title, byline=join_names(metadata.authors),
            fandoms=" · ".join(metadata.fandoms),
            series=[series_line(s.name, s.index) for s in metadata.series],
            warnings_at_end=self.options.warnings == "end"))
        if self.options.warnings == "front":
            sections.append(self.warnings_page(at_end=False))
        return sections

    def _contents(self, pages: Mapping[str, int | str] | None) -> list[str]:
        """The contents page, for works of more than one chapter."""
        if len(self.book.chapters) < 2:
            return []
        return [self._render("toc.html.j2", entries=self.body, numbered=pages is not None,
                             pages=pages or {}, section_link=SECTION_LINK)]

    def warnings_page(self, at_end: bool) -> str:
        """The front page for warnings: what a reader needs to decide, in the order they need it."""
        metadata, book = self.book.metadata, self.book
        renderer = PrintRenderer(collect_footnotes(metadata.summary, book.front_matter),
                                 functools.partial(_image_url_for, book), heading_level=3)
        details = work_details(metadata)
        summary = renderer.blocks(metadata.summary)
        opening_note = renderer.blocks(book.front_matter)
        nothing_given = not (metadata.rating or metadata.warnings or metadata.content_notes
                             or details or summary or opening_note)
        return self._render(
            "warnings.html.j2", at_end=at_end,
            heading="Content notes and warnings" if at_end else "Before you read",
            rating=metadata.rating or "", warnings=metadata.warnings,
            content_notes=metadata.content_notes, details=details, summary=Markup(summary),
            opening_note=Markup(opening_note), nothing_given=nothing_given)

    # ------------------------------------------------------------------ body

    def _body_sections(self) -> list[BodySection]:
        book = self.book
        sections = [self._chapter(number, chapter)
                    for number, chapter in enumerate(book.chapters, start=1)]
        if book.back_matter:
            renderer = self._renderer(book.back_matter)
            text = renderer.blocks(book.back_matter)
            sections.append(BodySection("end-notes", "End notes", self._render(
                "endnotes.html.j2", text=Markup(text),
                unreferenced=Markup(renderer.unreferenced_notes())),
                len(plain_text(book.back_matter).split())))
        if self.options.warnings == "end":
            sections.append(BodySection("warnings", "Content notes and warnings",
                                        self.warnings_page(at_end=True), 300))
        return sections

    def _chapter(self, number: int, chapter: Chapter) -> BodySection:
        heading = chapter_label(self.book, number, chapter, self.title)
        renderer = self._renderer(chapter.summary, chapter.notes, chapter.blocks,
                                  chapter.end_notes)
        parts = {name: Markup(renderer.blocks(blocks)) for name, blocks in (
            ("summary", chapter.summary), ("notes", chapter.notes), ("end_notes",
                                                                     chapter.end_notes))}
        text = Markup(renderer.blocks(_opening_marked(chapter.blocks)))
        section_id = f"chapter-{number}"
        html = self._render("chapter.html.j2", id=section_id, heading=heading, text=text,
                       unreferenced=Markup(renderer.unreferenced_notes()), **parts)
        return BodySection(section_id, heading, html, len(plain_text(chapter.blocks).split()))

    def _renderer(self, *sequences: tuple[Block, ...]) -> PrintRenderer:
        return PrintRenderer(collect_footnotes(*sequences),
                             functools.partial(_image_url_for, self.book))


class PrintRenderer(XhtmlRenderer):
    """XhtmlRenderer for print: footnotes stand where they are called, for WeasyPrint's
    ``float: footnote`` to set them at the foot of that page; scene breaks are a visible
    ornament; the first paragraph of a chapter is marked for the drop cap."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._block_renderers[SceneBreak] = self._ornament
        self._block_renderers[OpeningParagraph] = self._opening
        self._inline_renderers[FootnoteRef] = self._footnote_inline

    def blocks(self, blocks) -> str:
        """Blocks as print HTML; an ordered list's start is also set as a counter reset, which
        is what WeasyPrint numbers items by (it ignores the ``start`` attribute)."""
        return _ORDERED_LIST_START.sub(_counter_reset, super().blocks(blocks))

    def _image(self, block: Image, out: list[str]) -> None:
        """The image with alt text a screen reader can say: the tagged PDF requires some, and an
        image the writer left undescribed is still an illustration."""
        if not block.alt.strip():
            block = dataclasses.replace(block, alt=block.title or "Illustration")
        super()._image(block, out)

    def unreferenced_notes(self) -> str:
        """Footnote definitions nothing refers to: kept as notes after the section, not lost."""
        left = [note for note_id, note in self.footnotes.items() if note_id not in self._numbers]
        return "".join(f'<div class="unreferenced-note">{self.blocks(note.blocks)}</div>\n'
                       for note in left)

    def _ornament(self, block: SceneBreak, out: list[str]) -> None:
        out.append('<div class="scene-break" role="separator">*\u2002*\u2002*</div>')

    def _opening(self, block: OpeningParagraph, out: list[str]) -> None:
        out.append('<p class="opening">')
        self._inlines(block.paragraph.children, out)
        out.append("</p>")

    def _footnote_inline(self, inline: FootnoteRef, out: list[str]) -> None:
        """The footnote's text at its call; a second call to the same note repeats its number."""
        if inline.id not in self.footnotes:
            out.append(f'<sup class="noteref-missing">{escape_text(inline.id)}</sup>')
            return
        seen = inline.id in self._numbers
        number = self._number(inline.id)
        if seen:
            out.append(f'<sup class="noteref-again">{number}</sup>')
            return
        self._references[inline.id] = 1
        out.append('<span class="footnote">')
        for index, block in enumerate(self.footnotes[inline.id].blocks):
            out.append('<span class="footnote-paragraph">' if index else "")
            if isinstance(block, Paragraph):
                self._inlines(block.children, out)
            else:
                out.append(escape_text(plain_text((block,)).strip()))
            out.append("</span>" if index else "")
        out.append("</span>")


_ORDERED_LIST_START = re.compile(r'<ol start="(-?\d+)"')


def _counter_reset(match: re.Match[str]) -> str:
    start = int(match.group(1))
    return f'{match.group(0)} style="counter-reset: list-item {start - 1}"'


@dataclass(frozen=True)
class OpeningParagraph:
    """A chapter's first paragraph, set without indent and with the drop cap when asked."""

    paragraph: Paragraph


def _opening_marked(blocks: tuple[Block, ...]) -> tuple[Block | OpeningParagraph, ...]:
    """``blocks`` with the first one wrapped as the opening when it is a left-aligned paragraph."""
    if blocks and isinstance(blocks[0], Paragraph) and not blocks[0].align:
        return (OpeningParagraph(blocks[0]), *blocks[1:])
    return blocks


def _image_url_for(book: Book, image: Image) -> str:
    return _image_url(book, image.src, image.line)


def _image_url(book: Book, reference: str, line: int | None = None) -> str:
    """A file: URL inside the book's folder (the fetcher allows that folder) or, for an image
    that came inside a container, a data: URL."""
    located = locate_asset(book, reference, None, line)
    if isinstance(located, Path):
        return located.as_uri()
    encoded = base64.b64encode(asset_bytes(located)).decode("ascii")
    return f"data:{asset_media_type(located)};base64,{encoded}"




def _render(template: str, theme_folder: Path | None = None, **context: object) -> str:
    return templating.render("print", template, theme_folder, **context)

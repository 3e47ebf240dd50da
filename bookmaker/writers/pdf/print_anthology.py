"""An Anthology as one print HTML document, laid out by the same PDF machinery as a book.

PrintAnthology is the other shape of a PrintDocument (print_html.py), so an anthology goes
through the PDF writer, the parallel layout and the zines unchanged:

    front:  cover, the collection's title page, the nested contents, the content overview
    body:   the introduction; per work its title page (a right-hand page, setting the running
            head to the work's title and creator), its warnings page per --warnings (or the
            work's own placement), its chapters, its end notes; the afterword

Each work is rendered by its own PrintBook, so a work prints exactly as it would alone; its
sections' ids get the prefix ``work-NN-`` so no two works' anchors clash, which also puts them one
level down in the outline (see templates/print/anthology.css).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from markupsafe import Markup

from bookmaker import taxonomy
from bookmaker.model import Anthology, Book, Work, collection_book, contributors, \
    merged, plain_text
from bookmaker.settings.context import RenderContext
from bookmaker.writers import templating
from bookmaker.writers.pdf.print_html import (BodySection, PrintBook, PrintDocument, PrintRenderer,
                                             _image_url, _image_url_for)
from bookmaker.writers.wording import contributors_line, join_names, series_line, volume_line
from bookmaker.writers.xhtml import collect_footnotes, text_direction, xml_safe_metadata

OVERVIEW_HEADING = "Content overview"
_FIRST_ID = re.compile(r'\bid="([^"]*)"')


@dataclass
class TocEntry:
    id: str
    label: str
    children: list[TocEntry] = field(default_factory=list)


class PrintAnthology(PrintDocument):
    """An anthology's print sections, each rendered once, ready to be assembled into
    documents."""

    kind = "anthology"

    def __init__(self, anthology: Anthology, context: RenderContext | None = None) -> None:
        super().__init__(context)
        self.anthology = anthology
        metadata = xml_safe_metadata(anthology.metadata)
        self.title = metadata.title or "Anthology"
        if anthology.volumes > 1:  # the document's title says which volume it is
            self.title = f"{self.title}, {volume_line(anthology.volume, anthology.volumes)}"
        self.lang = taxonomy.language_tag(metadata.language or "en") or "und"
        self.direction = text_direction(metadata)
        self.folders = work_folders(anthology)
        self.description = " ".join(plain_text(metadata.summary).split())
        # What the PDF's document information takes: the collection's title, its editors (or
        # else its contributors) as authors, every work's tags.
        self.book = Book(dataclasses.replace(
            metadata, authors=anthology.editors or contributors(anthology),
            tags=merged(anthology, "tags")), base_dir=anthology.base_dir,
            embedded=anthology.embedded)
        self._collection = collection_book(anthology)
        self.toc: list[TocEntry] = []
        self.body = self._body_sections()
        self._front_start = self._front_sections()

    def front_sections(self, pages: Mapping[str, int | str] | None = None) -> list[str]:
        """Cover, the collection's title page, the nested contents, the content overview."""
        return [*self._front_start[:-1], self._contents(pages), self._front_start[-1]]

    # ------------------------------------------------------------------ front matter

    def _front_sections(self) -> list[str]:
        """Cover and title page, then (after the contents, added once page numbers are known)
        the content overview."""
        anthology, metadata = self.anthology, self._collection.metadata
        title = metadata.title or "Anthology"  # the volume line has its own place
        sections = []
        if metadata.cover:
            sections.append(self._render("cover.html.j2", title=title,
                                         src=_image_url(self._collection, metadata.cover)))
        elif self.options.generated_cover:
            sections.append(self._render(
                "generated-cover.html.j2", title=title, look=self.theme.cover,
                byline=join_names(anthology.editors or contributors(anthology)),
                fandoms=" · ".join(
                    merged(anthology, "fandoms"))))
        summary = PrintRenderer({}, functools.partial(_image_url_for, self._collection),
                                heading_level=2).blocks(metadata.summary)
        sections.append(self._render(
            "collection-title.html.j2", title=title,
            volume_line=volume_line(anthology.volume, anthology.volumes),
            editors=join_names(anthology.editors), contributors=contributors_line(
                contributors(anthology), len(anthology.works), bool(anthology.editors)),
            series=[series_line(s.name, s.index) for s in metadata.series],
            summary=Markup(summary), rights=metadata.rights or ""))
        sections.append(self._overview())
        return sections

    def _contents(self, pages: Mapping[str, int | str] | None) -> str:
        return self._render("anthology-toc.html.j2", entries=self.toc,
                            numbered=pages is not None, pages=pages or {})

    def _overview(self) -> str:
        works = [{"title": work.book.metadata.title or "Untitled",
                  "byline": join_names(work.book.metadata.authors),
                  "rating": work.book.metadata.rating or "",
                  "warnings": work.book.metadata.warnings,
                  "content_notes": work.book.metadata.content_notes}
                 for work in self.anthology.works]
        return self._render("overview.html.j2", heading=OVERVIEW_HEADING, works=works)

    # ------------------------------------------------------------------ body

    def _body_sections(self) -> list[BodySection]:
        sections: list[BodySection] = []
        if self.anthology.introduction:
            sections.append(self._collection_text("introduction", "Introduction",
                                                  self.anthology.introduction))
        for number, work in enumerate(self.anthology.works, start=1):
            sections.extend(self._work_sections(number, work))
        if self.anthology.afterword:
            sections.append(self._collection_text("afterword", "Afterword",
                                                  self.anthology.afterword))
        return sections

    def _collection_text(self, kind: str, heading: str, blocks: tuple) -> BodySection:
        renderer = PrintRenderer(collect_footnotes(blocks),
                                 functools.partial(_image_url_for, self._collection))
        html = self._render("collection-text.html.j2", part=kind, heading=heading, title=self.title,
                            text=Markup(renderer.blocks(blocks)))
        self.toc.append(TocEntry(kind, heading))
        return BodySection(kind, heading, html, len(plain_text(blocks).split()))

    def _work_sections(self, number: int, work: Work) -> list[BodySection]:
        """The work as its own PrintBook lays it out, behind its own title page; the work's
        summary and opening note move to that title page."""
        book = dataclasses.replace(work.book, metadata=xml_safe_metadata(work.book.metadata))
        placement = work.warnings or self.options.warnings
        context = dataclasses.replace(self.context, options=dataclasses.replace(
            self.options, warnings=placement))
        without_notes = dataclasses.replace(book, front_matter=(), metadata=dataclasses.replace(
            book.metadata, summary=()))
        printed = PrintBook(without_notes, context)
        prefix = f"work-{number:02d}"
        title = book.metadata.title or "Untitled"
        byline = join_names(book.metadata.authors)
        running_head = f"{title} · {byline}" if byline else title
        sections = [self._work_title(book, prefix, title, byline, running_head, placement)]
        if placement == "front":
            sections.append(BodySection("warnings", "Before you read",
                                        printed.warnings_page(at_end=False), 300))
        sections.extend(printed.body)
        sections = [_prefixed(section, prefix, running_head) for section in sections]
        self.toc.append(TocEntry(sections[0].id, f"{title} — {byline}" if byline else title,
                                 [TocEntry(s.id, s.label) for s in sections[1:]]))
        return sections

    def _work_title(self, book: Book, prefix: str, title: str, byline: str, running_head: str,
                    placement: str) -> BodySection:
        metadata = book.metadata
        renderer = PrintRenderer(collect_footnotes(metadata.summary, book.front_matter),
                                 functools.partial(_image_url_for, book), heading_level=3)
        summary = renderer.blocks(metadata.summary)
        opening_note = renderer.blocks(book.front_matter)
        html = self._render(
            "work-title.html.j2", id="title", title=title, byline=byline,
            bookmark=f"{title} — {byline}" if byline else title,
            fandoms=" · ".join(metadata.fandoms),
            series=[series_line(s.name, s.index) for s in metadata.series],
            warnings_at_end=placement == "end", summary=Markup(summary),
            opening_note=Markup(opening_note))
        return BodySection("title", title, html, len(plain_text(metadata.summary).split()) + 50)


def _prefixed(section: BodySection, prefix: str, running_head: str) -> BodySection:
    """``section`` with its id (the first id in its HTML) given the work's prefix, and the
    work's running head on the section itself."""
    new_id = f"{prefix}-{section.id}" if section.id != "title" else prefix
    match = _FIRST_ID.search(section.html)
    if match is None or match.group(1) != section.id:
        raise ValueError(f"print section {section.id!r} does not open with its id")
    head = templating.environment("print").from_string(
        ' id="{{ id }}" data-running-head="{{ head }}"').render(id=new_id, head=running_head)
    html = section.html[:match.start() - 1] + head + section.html[match.end():]
    return dataclasses.replace(section, id=new_id, html=html)



def work_folders(anthology: Anthology) -> tuple[str, ...]:
    """The folders the anthology's works came from: the PDF may read their images, as it may
    read a single book's from its own folder."""
    return tuple(dict.fromkeys(work.book.base_dir for work in anthology.works
                               if work.book.base_dir))

"""An Anthology as an EPUB: several whole works in one book, each keeping its identity.

Spine order:

    cover.xhtml            the collection's cover (its own image or the generated one)
    title.xhtml            the collection's title page: title, editors, contributors
    nav.xhtml              the contents, nested work -> chapters (in the reading order here)
    overview.xhtml         the content overview: every work's rating and archive warnings
    introduction.xhtml     the editors' introduction, when there is one
    w01-title.xhtml        per work: its title page (title, creator, fandom, summary, notes),
    w01-warnings.xhtml       its warnings page (front: here; end: after the work; omit: none),
    w01-chapter-001.xhtml    its chapters and its end notes
    ...
    afterword.xhtml        the editors' afterword, when there is one

Every page of a work is made by the single-book writer's own page functions and given the work's
prefix, so a work reads exactly as it would alone; footnotes are per document, so their ids never
clash between works.
"""

from __future__ import annotations

import dataclasses
import functools
import uuid
from dataclasses import dataclass, field

from markupsafe import Markup

from bookmaker.model import Anthology, Book, Metadata, Work, collection_book, contributors, merged
from bookmaker.settings.context import RenderContext
from bookmaker.settings.options import BuildOptions
from bookmaker.writers.covers import cover_jpeg
from bookmaker.writers.epub import (ImageFolder, Landmark, Page, PageRenderer, _chapter_pages,
                                    _cover_page, _end_notes_page, _page_resources, _render,
                                    _stylesheet, _warnings_page, document_language)
from bookmaker.writers.epub.package import (Package, Resource, SpineItem, WorkPart,
                                            work_identifier)
from bookmaker.writers.wording import contributors_line, join_names, series_line, volume_line
from bookmaker.writers.xhtml import (XhtmlRenderer, collect_footnotes, text_direction,
                                     xml_safe_metadata)

OVERVIEW_HEADING = "Content overview"


@dataclass
class Entry:
    """One line of the nested contents; ``order`` is its place in the NCX's play order."""

    label: str
    href: str
    children: list[Entry] = field(default_factory=list)
    order: int = 0


def assemble_anthology(anthology: Anthology, context: RenderContext) -> Package:
    """Every file of the anthology, the spine and the metadata, ready to pack."""
    anthology = _xml_safe(anthology)
    metadata = anthology.metadata
    title = metadata.title or "Anthology"
    language = document_language(metadata)
    options, theme = context.options, context.theme
    page = functools.partial(_render, lang=language, theme_folder=theme.folder,
                             dir=text_direction(metadata))
    collection = collection_book(anthology)
    names: set[str] = set()
    images = _folder(collection, names, "")
    cover_href = images.add_cover(metadata.cover) if metadata.cover else \
        images.add_generated_cover(cover_jpeg(_credited(collection, anthology), theme)) \
        if options.generated_cover \
        else None

    front: list[Page] = []
    if cover_href:
        front.append(_cover_page(cover_href, title, page))
    front.append(_collection_title_page(anthology, title, images, page))
    works = [_work_pages(work, number, options.warnings, names, page)
             for number, work in enumerate(anthology.works, start=1)]
    overview = _overview_page(anthology, [pages[0].href for pages, _, _ in works], page)
    body: list[Page] = [overview]
    toc: list[Entry] = [Entry(OVERVIEW_HEADING, overview.href)]
    if anthology.introduction:
        body.append(_collection_text(anthology.introduction, "introduction", "Introduction",
                                     images, page))
        toc.append(Entry("Introduction", body[-1].href))
    for pages, entry, _ in works:
        body.extend(pages)
        toc.append(entry)
    if anthology.afterword:
        body.append(_collection_text(anthology.afterword, "afterword", "Afterword", images,
                                     page))
        toc.append(Entry("Afterword", body[-1].href))
    _number_entries(toc)

    first_work = works[0][0] if works else []
    warnings = next((p for pages, _, _ in works for p in pages if p.id.endswith("warnings")),
                    None)
    landmarks = [Landmark("cover", "cover.xhtml", "Cover")] if cover_href else []
    landmarks += [Landmark("titlepage", "title.xhtml", "Title page"),
                  Landmark("toc", "nav.xhtml#toc", "Contents")]
    if warnings is not None:
        landmarks.append(Landmark("notice", overview.href, OVERVIEW_HEADING))
    if first_work:
        landmarks.append(Landmark("bodymatter", (body[1] if anthology.introduction else
                                                 first_work[0]).href, "Start of the book"))
    nav = Page("nav", "nav.xhtml", page("nav-nested.xhtml.j2", page_title="Contents",
                                        body_class="nav", toc=toc, landmarks=landmarks))
    pages = [*front, nav, *body]
    package_metadata = _package_metadata(anthology)
    identifier = work_identifier(package_metadata)
    if anthology.volumes > 1:
        # Each volume is a book of its own: its own identifier and a title that says which.
        volume_key = f"{identifier}#volume-{anthology.volume}"
        identifier = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, volume_key)}"
        title = f"{title}, {volume_line(anthology.volume, anthology.volumes)}"
    ncx = _render("toc-nested.ncx.j2", lang=language, identifier=identifier, title=title,
                  authors=anthology.editors or package_metadata.authors, toc=toc,
                  depth=2 if any(entry.children for entry in toc) else 1)
    folders = [images, *(folder for _, _, folder in works)]
    return Package(
        metadata=package_metadata, title=title, language=language, identifier=identifier,
        modified=context.timestamp(metadata),
        resources=(*_page_resources(pages), _stylesheet(theme),
                   *(resource for folder in folders for resource in folder.resources())),
        spine=tuple(SpineItem(p.id, p.linear) for p in pages), ncx=ncx,
        cover_image_id=images.cover_id, image_count=sum(f.count for f in folders),
        images_described=all(f.all_described for f in folders),
        editors=anthology.editors,
        parts=tuple(WorkPart(work.book.metadata) for work in anthology.works))


# --------------------------------------------------------------------------- collection pages


def _collection_title_page(anthology: Anthology, title: str, images: ImageFolder,
                           page: PageRenderer) -> Page:
    metadata = anthology.metadata
    renderer = XhtmlRenderer({}, images.href_for, heading_level=2)
    return Page("titlepage", "title.xhtml", page(
        "collection-title.xhtml.j2", page_title=title, body_class="titlepage", title=title,
        volume_line=volume_line(anthology.volume, anthology.volumes),
        editors=join_names(anthology.editors), contributors=contributors_line(
            contributors(anthology), len(anthology.works), bool(anthology.editors)),
        series=[series_line(s.name, s.index) for s in metadata.series],
        summary=Markup(renderer.blocks(metadata.summary)), rights=metadata.rights or ""))


def _overview_page(anthology: Anthology, hrefs: list[str], page: PageRenderer) -> Page:
    """Every work's rating and archive warnings on one page, each linking to the work."""
    works = [{"title": work.book.metadata.title or "Untitled", "href": href,
              "byline": join_names(work.book.metadata.authors),
              "rating": work.book.metadata.rating or "",
              "warnings": work.book.metadata.warnings,
              "content_notes": work.book.metadata.content_notes}
             for work, href in zip(anthology.works, hrefs, strict=True)]
    return Page("overview", "overview.xhtml", page(
        "overview.xhtml.j2", page_title=OVERVIEW_HEADING, body_class="overview",
        heading=OVERVIEW_HEADING, works=works), label=OVERVIEW_HEADING)


def _collection_text(blocks: tuple, kind: str, heading: str, images: ImageFolder,
                     page: PageRenderer) -> Page:
    renderer = XhtmlRenderer(collect_footnotes(blocks), images.href_for)
    text = renderer.blocks(blocks)
    return Page(kind, f"{kind}.xhtml", page(
        "collection-text.xhtml.j2", page_title=heading, body_class=kind, part=kind,
        heading=heading, text=Markup(text), footnotes=Markup(renderer.footnotes_section())),
        label=heading)


# --------------------------------------------------------------------------- one work


def _work_pages(work: Work, number: int, run_warnings: str, names: set[str],
                page: PageRenderer) -> tuple[list[Page], Entry, ImageFolder]:
    """A work's pages, made as the single-book writer makes them and renamed into the work's
    own prefix; its entry in the nested contents; its images."""
    book = work.book
    prefix = f"w{number:02d}-"
    title = book.metadata.title or "Untitled"
    placement = work.warnings or run_warnings
    images = _folder(book, names, prefix)
    options = BuildOptions(warnings=placement)  # the one option the page functions read
    warnings = _warnings_page(_without_summary_and_notes(book), options, images, page)
    warnings = _prefixed(warnings, prefix)
    pages = [_prefixed(_work_title_page(book, title, placement, prefix + "warnings.xhtml",
                                        images, page), prefix)]
    if placement == "front":
        pages.append(warnings)
    # A long chapter is split into parts (see split.py); each part keeps the work's prefix.
    chapters = [_prefixed(part, prefix)
                for n, chapter in enumerate(book.chapters, start=1)
                for part in _chapter_pages(book, n, chapter, title, images, page)]
    pages.extend(chapters)
    if book.back_matter:
        pages.append(_prefixed(_end_notes_page(book, images, page), prefix))
    if placement == "end":
        pages.append(warnings)
    children = [Entry(p.label, p.href) for p in pages[1:] if p.label]
    byline = join_names(book.metadata.authors)
    label = f"{title} by {byline}" if byline else title
    return pages, Entry(label, pages[0].href, children), images


def _work_title_page(book: Book, title: str, placement: str, warnings_href: str,
                     images: ImageFolder, page: PageRenderer) -> Page:
    """The work's own title page: title, creator, fandom, its summary and opening notes."""
    metadata = book.metadata
    renderer = XhtmlRenderer(collect_footnotes(metadata.summary, book.front_matter),
                             images.href_for, heading_level=3)
    summary = renderer.blocks(metadata.summary)
    opening_note = renderer.blocks(book.front_matter)
    return Page("title", "title.xhtml", page(
        "work-title.xhtml.j2", page_title=title, body_class="titlepage work", title=title,
        byline=join_names(metadata.authors), fandoms=" · ".join(metadata.fandoms),
        series=[series_line(s.name, s.index) for s in metadata.series],
        warnings_href=warnings_href if placement == "end" else "",
        summary=Markup(summary), opening_note=Markup(opening_note),
        footnotes=Markup(renderer.footnotes_section())))


def _without_summary_and_notes(book: Book) -> Book:
    """The work for its warnings page: summary and opening notes are on its title page."""
    return dataclasses.replace(book, front_matter=(),
                               metadata=dataclasses.replace(book.metadata, summary=()))


def _credited(collection: Book, anthology: Anthology) -> Book:
    """The collection for its generated cover: credited to its editors, else its authors."""
    names = anthology.editors or contributors(anthology)
    return dataclasses.replace(collection, metadata=dataclasses.replace(
        collection.metadata, authors=names))


def _prefixed(page: Page, prefix: str) -> Page:
    return dataclasses.replace(page, id=prefix + page.id, href=prefix + page.href)


# --------------------------------------------------------------------------- helpers

def _folder(book: Book, names: set[str], prefix: str) -> ImageFolder:
    """An image folder for one work whose file names are unique across the whole anthology and
    whose manifest ids carry the work's prefix."""
    folder = _PrefixedImageFolder(book, prefix)
    folder._names = names  # shared: no two works' images take one name
    return folder


class _PrefixedImageFolder(ImageFolder):
    def __init__(self, book: Book, prefix: str) -> None:
        super().__init__(book)
        self.prefix = prefix

    def resources(self) -> list[Resource]:
        return [dataclasses.replace(r, id=self.prefix + r.id) if self.prefix else r
                for r in super().resources()]


def _number_entries(entries: list[Entry]) -> None:
    order = 0

    def visit(items: list[Entry]) -> None:
        nonlocal order
        for entry in items:
            order += 1
            entry.order = order
            visit(entry.children)

    visit(entries)


def _xml_safe(anthology: Anthology) -> Anthology:
    works = tuple(dataclasses.replace(work, book=dataclasses.replace(
        work.book, metadata=xml_safe_metadata(work.book.metadata))) for work in anthology.works)
    return dataclasses.replace(anthology, metadata=xml_safe_metadata(anthology.metadata),
                               works=works, editors=tuple(
                                   e for e in xml_safe_metadata(Metadata(
                                       "", authors=anthology.editors)).authors))


def _package_metadata(anthology: Anthology) -> Metadata:
    """The OPF's collection-level metadata: the collection's title, summary, rights and series;
    every work's authors; subjects and the other fan-fiction fields merged over the works."""
    return dataclasses.replace(
        anthology.metadata, authors=contributors(anthology), rating=_strictest(anthology),
        warnings=merged(anthology, "warnings"), content_notes=merged(anthology, "content_notes"),
        categories=merged(anthology, "categories"), fandoms=merged(anthology, "fandoms"),
        relationships=merged(anthology, "relationships"),
        characters=merged(anthology, "characters"), tags=merged(anthology, "tags"))


def _strictest(anthology: Anthology) -> str | None:
    """The collection's rating: the strictest of its works' (a reader deciding on the whole
    book needs the highest)."""
    from bookmaker.taxonomy import RATINGS

    ratings = [work.book.metadata.rating for work in anthology.works
               if work.book.metadata.rating in RATINGS]
    return max(ratings, key=RATINGS.index) if ratings else None

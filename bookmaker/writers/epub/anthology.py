"""An Anthology's shape as an EPUB: several whole works in one book, each keeping its identity.

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

Every page of a work is made by the same page functions as a single book's (pages.py) and given
the work's prefix, so a work reads exactly as it would alone; footnotes are per document, so
their ids never clash between works.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable

from markupsafe import Markup

from bookmaker.model import Anthology, Book, Metadata, Work, collection_book, contributors, merged
from bookmaker.settings.context import RenderContext
from bookmaker.settings.options import BuildOptions
from bookmaker.taxonomy import RATINGS
from bookmaker.writers.covers import cover_jpeg
from bookmaker.writers.epub.package import WorkPart, work_identifier
from bookmaker.writers.epub.pages import (Contents, Entry, ImageFolder, Page, Pages,
                                          chapter_pages, cover_page, end_notes_page, landmarks,
                                          warnings_page)
from bookmaker.writers.wording import contributors_line, join_names, series_line, volume_line
from bookmaker.writers.xhtml import collect_footnotes, xml_safe_metadata

OVERVIEW_HEADING = "Content overview"


def contents(anthology: Anthology, context: RenderContext,
             pages_of: Callable[[Metadata], Pages]) -> Contents:
    """The anthology's pages in reading order, its nested contents and its landmarks."""
    anthology = _xml_safe(anthology)
    metadata = anthology.metadata
    title = metadata.title or "Anthology"
    options, theme = context.options, context.theme
    pages = pages_of(metadata)
    collection = collection_book(anthology)
    names: set[str] = set()
    images = ImageFolder(collection, taken=names)
    cover_href = images.add_cover(metadata.cover) if metadata.cover else \
        images.add_generated_cover(cover_jpeg(_credited(collection, anthology), theme)) \
        if options.generated_cover \
        else None

    front: list[Page] = []
    if cover_href:
        front.append(cover_page(cover_href, title, pages))
    front.append(_collection_title_page(anthology, title, images, pages))
    works = [_work_pages(work, number, options.warnings, names, pages)
             for number, work in enumerate(anthology.works, start=1)]
    overview = _overview_page(anthology, [made[0].href for made, _, _ in works], pages)
    body: list[Page] = [overview]
    toc: list[Entry] = [Entry(OVERVIEW_HEADING, overview.href)]
    if anthology.introduction:
        body.append(_collection_text(anthology.introduction, "introduction", "Introduction",
                                     images, pages))
        toc.append(Entry("Introduction", body[-1].href))
    for made, entry, _ in works:
        body.extend(made)
        toc.append(entry)
    if anthology.afterword:
        body.append(_collection_text(anthology.afterword, "afterword", "Afterword", images,
                                     pages))
        toc.append(Entry("Afterword", body[-1].href))

    first_work = works[0][0] if works else []
    has_warnings = any(p.id.endswith("warnings") for made, _, _ in works for p in made)
    start = ((body[1] if anthology.introduction else first_work[0]).href,
             "Start of the book") if first_work else None
    package_metadata = _package_metadata(anthology)
    identifier = work_identifier(package_metadata)
    if anthology.volumes > 1:
        # Each volume is a book of its own: its own identifier and a title that says which.
        volume_key = f"{identifier}#volume-{anthology.volume}"
        identifier = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, volume_key)}"
        title = f"{title}, {volume_line(anthology.volume, anthology.volumes)}"
    return Contents(
        metadata=package_metadata, title=title, identifier=identifier, timestamp_of=metadata,
        front=front, body=body, toc=toc,
        landmarks=landmarks(cover_href is not None, overview if has_warnings else None, start),
        ncx_authors=anthology.editors or package_metadata.authors,
        folders=[images, *(folder for _, _, folder in works)], editors=anthology.editors,
        parts=tuple(WorkPart(work.book.metadata) for work in anthology.works))


# --------------------------------------------------------------------------- collection pages


def _collection_title_page(anthology: Anthology, title: str, images: ImageFolder,
                           pages: Pages) -> Page:
    metadata = anthology.metadata
    renderer = pages.renderer_for({}, images)
    return Page("titlepage", "title.xhtml", pages.render(
        "collection-title.xhtml.j2", renderer, page_title=title, body_class="titlepage",
        title=title, volume_line=volume_line(anthology.volume, anthology.volumes),
        editors=join_names(anthology.editors), contributors=contributors_line(
            contributors(anthology), len(anthology.works), bool(anthology.editors)),
        series=[series_line(s.name, s.index) for s in metadata.series],
        summary=Markup(renderer.blocks(metadata.summary)), rights=metadata.rights or ""))


def _overview_page(anthology: Anthology, hrefs: list[str], pages: Pages) -> Page:
    """Every work's rating and archive warnings on one page, each linking to the work."""
    works = [{"title": work.book.metadata.title or "Untitled", "href": href,
              "byline": join_names(work.book.metadata.authors),
              "rating": work.book.metadata.rating or "",
              "warnings": work.book.metadata.warnings,
              "content_notes": work.book.metadata.content_notes}
             for work, href in zip(anthology.works, hrefs, strict=True)]
    return Page("overview", "overview.xhtml", pages.render(
        "overview.xhtml.j2", page_title=OVERVIEW_HEADING, body_class="overview",
        heading=OVERVIEW_HEADING, works=works), label=OVERVIEW_HEADING)


def _collection_text(blocks: tuple, kind: str, heading: str, images: ImageFolder,
                     pages: Pages) -> Page:
    renderer = pages.renderer_for(collect_footnotes(blocks), images)
    text = renderer.blocks(blocks)
    return Page(kind, f"{kind}.xhtml", pages.render(
        "collection-text.xhtml.j2", renderer, page_title=heading, body_class=kind, part=kind,
        heading=heading, text=Markup(text), footnotes=Markup(renderer.footnotes_section())),
        label=heading)


# --------------------------------------------------------------------------- one work


def _work_pages(work: Work, number: int, run_warnings: str, names: set[str],
                pages: Pages) -> tuple[list[Page], Entry, ImageFolder]:
    """A work's pages, made as a single book's are and renamed into the work's own prefix; its
    entry in the nested contents; its images."""
    book = work.book
    prefix = f"w{number:02d}-"
    title = book.metadata.title or "Untitled"
    placement = work.warnings or run_warnings
    images = ImageFolder(book, prefix, taken=names)  # no two works' images take one name
    options = BuildOptions(warnings=placement)  # the one option the page functions read
    warnings = _prefixed(warnings_page(_without_summary_and_notes(book), options, images,
                                       pages), prefix)
    made = [_prefixed(_work_title_page(book, title, placement, prefix + "warnings.xhtml",
                                       images, pages), prefix)]
    if placement == "front":
        made.append(warnings)
    # A long chapter is split into parts (see split.py); each part keeps the work's prefix.
    made += [_prefixed(part, prefix) for n, chapter in enumerate(book.chapters, start=1)
             for part in chapter_pages(book, n, chapter, title, images, pages)]
    if book.back_matter:
        made.append(_prefixed(end_notes_page(book, images, pages), prefix))
    if placement == "end":
        made.append(warnings)
    children = [Entry(p.label, p.href) for p in made[1:] if p.label]
    byline = join_names(book.metadata.authors)
    label = f"{title} by {byline}" if byline else title
    return made, Entry(label, made[0].href, children), images


def _work_title_page(book: Book, title: str, placement: str, warnings_href: str,
                     images: ImageFolder, pages: Pages) -> Page:
    """The work's own title page: title, creator, fandom, its summary and opening notes."""
    metadata = book.metadata
    renderer = pages.renderer_for(collect_footnotes(metadata.summary, book.front_matter),
                                  images, heading_level=3)
    summary = renderer.blocks(metadata.summary)
    opening_note = renderer.blocks(book.front_matter)
    return Page("title", "title.xhtml", pages.render(
        "work-title.xhtml.j2", renderer, page_title=title, body_class="titlepage work",
        title=title, byline=join_names(metadata.authors), fandoms=" · ".join(metadata.fandoms),
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


# --------------------------------------------------------------------------- metadata


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
    ratings = [work.book.metadata.rating for work in anthology.works
               if work.book.metadata.rating in RATINGS]
    return max(ratings, key=RATINGS.index) if ratings else None

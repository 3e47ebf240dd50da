"""EPUBs from other tools into the model: AO3's own, FanFicFare's, Calibre's, Standard Ebooks'.

The container is opened with bookmaker.safety.archives (nothing is extracted to disk) and every XML
document parsed with bookmaker.safety.xml. Pages go down the HTML road: parsed once and sanitised
by readers/html/parse.py (broken XHTML, which other tools do produce, is recovered with the HTML5
parser instead, with a warning) and converted by readers/html/blocks.py.

- **Metadata** comes from the OPF: title, creators, language, identifier, description (HTML,
  sanitised, as the summary), dates, rights, series (``calibre:series`` or EPUB 3
  ``belongs-to-collection``), cover. Subjects are sorted into rating, archive warnings,
  categories, relationships (``A/B``, ``A & B``) and tags against bookmaker/taxonomy.py, since
  AO3 and FanFicFare flatten every tag into ``dc:subject``.
- **AO3's EPUBs** are AO3's HTML download split into pages by calibre: when the pages carry AO3's
  preface, their bodies are joined in one tree, calibre's split is undone
  (readers/html/ao3_calibre.py) and the tree is read by readers/html/ao3.py, so the rating,
  warnings, fandoms, relationships, characters, tags, series, summary and notes come back as
  structured fields exactly as from the HTML download.
- **FanFicFare's** ``title_page.xhtml`` ("Category:", "Genre:", "Characters:", "Rating:"...)
  fills the fields its subjects flattened.
- **Chapters** are the spine's pages in order, titled from the nav (EPUB 3) or NCX; a page's own
  first heading gives the title otherwise and is not repeated as text. Cover, title, contents,
  imprint, colophon and licence pages (``epub:type`` or the tools' file names) are skipped, and a
  Standard Ebooks ``endnotes.xhtml`` becomes the footnotes of the chapters that refer to it.
- **Images** inside the EPUB travel with the Book as EmbeddedFile (``embedded:NAME``); anything
  else (``file:``, ``http:``, a path out of the container) is dropped.
"""

from __future__ import annotations

import copy
import dataclasses
import io
import re
from collections import Counter
from pathlib import Path

from lxml import etree
from PIL import Image as PILImage

from bookmaker import taxonomy
from bookmaker.safety.assets import IMAGE_TYPES, MAX_ASSET_BYTES
from bookmaker.errors import Finding, ManuscriptError
from bookmaker.model import Block, Book, Chapter, EmbeddedFile, Heading, Metadata, Series
from bookmaker.readers.html import (ao3, ao3_calibre, chapters_from_blocks,
                                    footnotes_where_referred,
                                    split_at_heading_level)
from bookmaker.readers.epub.package import NS, Item, Package, read_package, resolve_href
from bookmaker.readers.html.ao3_work import book_from_work
from bookmaker.readers.html.blocks import HtmlSource, html_to_blocks, is_note_marker
from bookmaker.readers.html.parse import parse_fragment, parse_html, parse_xhtml
from bookmaker.readers.html.tree import first
from bookmaker.readers.metadata import MetadataBuilder
from bookmaker.safety.sanitize import EPUB_TYPE, remove_keeping_tail, text_content
from bookmaker.safety.xml import UnsafeXmlError
from bookmaker.safety.archives import SafeZip
from bookmaker.safety.inputs import Source

# Pages that are the book's furniture, not its story (epub:type values, EPUB 3 and SE).
SKIPPED_TYPES = frozenset({"cover", "titlepage", "halftitlepage", "toc", "landmarks", "loi",
                           "lot", "imprint", "colophon", "copyright-page", "uncopyright",
                           "seriespage", "frontispiece"})
NOTES_TYPES = frozenset({"endnotes", "footnotes", "rearnotes"})
# The tools' own furniture pages, by file name: FanFicFare's and Calibre's.
SKIPPED_FILES = re.compile(r"(^|/)(toc_page|log_page|titlepage|cover|nav|toc)\.x?html?$",
                           re.IGNORECASE)
FANFICFARE_TITLE_PAGE = re.compile(r"(^|/)title_page\.x?html?$", re.IGNORECASE)
_HEADINGS = ("h1", "h2", "h3")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_RELATIONSHIP = re.compile(r"\S\s*(/|\s&\s)\s*\S")
_LABEL_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z ]{1,30}):\s*(.*)$")

# FanFicFare's title-page labels -> the field they fill.
FANFICFARE_LABELS = {
    "category": "fandoms", "categories": "fandoms", "fandom": "fandoms", "fandoms": "fandoms",
    "genre": "tags", "genres": "tags", "freeform": "tags", "tags": "tags",
    "characters": "characters", "character": "characters",
    "relationships": "relationships", "pairings": "relationships", "ships": "relationships",
    "rating": "rating", "rated": "rating",
    "warnings": "warnings", "warning": "warnings",
    "published": "published", "updated": "updated",
}


def read_with_findings(source: Source) -> tuple[Book, list[Finding]]:
    """The book and the warnings about the parts of the EPUB that were left out or repaired
    (also the Kindle reader's way in for unpacked AZW3s)."""
    with SafeZip(source) as container:
        reading = _Reading(container, source, read_package(container, source.name))
        return reading.book(), reading.problems


class _Reading:
    """One EPUB being read: its package, its parsed pages, the images met on the way."""

    def __init__(self, container: SafeZip, source: Source, package: Package) -> None:
        self.container = container
        self.path = source.name
        self.ledger = source.ledger
        self.folder = source.folder
        self.package = package
        self.problems = package.problems
        self.embedded: dict[str, EmbeddedFile] = {}
        # Each file once, however many spine entries (under however many ids) name it: a 7 KB
        # EPUB listing one large page 400 times must not cost 400 parses.
        hrefs: set[str] = set()
        spine = [item for item in package.spine
                 if item.href not in hrefs and not hrefs.add(item.href)]  # type: ignore[func-returns-value]
        self.pages = [(item, root) for item, root in
                      ((item, self._page(item)) for item in spine) if root is not None]

    # ----------------------------------------------------------------- the whole book

    def book(self) -> Book:
        if self._is_ao3_download():
            book, found = self._ao3_book()
            # Lines would point into the pages joined in memory, which no one can open.
            self.problems.extend(dataclasses.replace(f, line=None) for f in found
                                 if f.level != "error")
            errors = [f for f in found if f.level == "error"]
            if errors:
                raise ManuscriptError(errors[0].message, self.path, hint=errors[0].hint)
        else:
            book = Book(self._metadata(), tuple(self._chapters()),
                        front_matter=self._own_opening_note())
        if not any(chapter.blocks for chapter in book.chapters):
            raise ManuscriptError("the EPUB holds no story text", self.path,
                                  hint="the file is damaged, or its pages are not in its spine")
        metadata = book.metadata
        cover = self._cover()
        if cover and not metadata.cover:
            metadata = dataclasses.replace(metadata, cover=cover)
        return dataclasses.replace(book, metadata=metadata, base_dir=self.folder,
                                   embedded=tuple(self.embedded.values()))

    def _is_ao3_download(self) -> bool:
        """AO3's own EPUB (calibre's rewrite of its HTML download, classes renamed): its first
        pages carry the preface's "Posted originally on the Archive of Our Own"."""
        if any(first(root, "dl", "tags") is not None for _, root in self.pages):
            return True
        return any(ao3_calibre.looks_like_download("".join(root.itertext()))
                   for _, root in self.pages[:3])

    def _ao3_book(self) -> tuple[Book, list[Finding]]:
        """AO3's EPUB: its pages' bodies joined in one tree, calibre's split undone (see
        ao3_calibre), read as the HTML download they were made from."""
        root = etree.Element("html")
        body = etree.SubElement(root, "body")
        for item, page in self.pages:
            page_body = first(page, "body")
            # calibre adds an inline table of contents to a Kindle book: furniture.
            if page_body is None or page_body.get("id") == "calibre_generated_inline_toc":
                if page_body is not None:
                    self.ledger.leave_out(text_content(page_body), "calibre's contents page")
                continue
            _point_links_inside(page_body, item.href)
            body.extend(list(page_body))
        first_page = self.pages[0][0].href if self.pages else ""
        ao3_calibre.undo_split(body)
        ao3_calibre.restore_alignment(body, self._stylesheets())
        ao3_calibre.restore_image_sizes(body, lambda src: self._image_size(first_page, src))
        source = HtmlSource(self.path, resolve_image=self._image_resolver(first_page),
                            ledger=self.ledger)
        return book_from_work(ao3.work_from_download(root, source), self.path, self.folder)

    # ----------------------------------------------------------------- pages

    def _page(self, item: Item) -> etree._Element | None:
        """The page's parsed root; broken XHTML is recovered with the HTML5 parser."""
        data = self.container.read(item.href)
        try:
            return parse_xhtml(data, self.path, item.href, self.ledger).root
        except UnsafeXmlError:
            raise
        except ManuscriptError as error:
            self.problems.append(Finding("warning", f"{item.href} is not well-formed XHTML "
                                                    f"({error.message}); read as HTML",
                                         str(self.path), hint="check that page in the book"))
            return parse_html(data.decode("utf-8", errors="replace"), self.path,
                              self.ledger).root

    def _chapters(self) -> list[Chapter]:
        notes_pages = {item.href: root for item, root in self.pages if _is_notes_page(root)}
        chapters: list[Chapter] = []
        story = [(item, root) for item, root in self.pages
                 if item.href not in notes_pages and not self._is_furniture(item, root)]
        if len(story) == 1 and _has_repeated_heading_level(story[0][1]):
            return self._single_page_chapters(*story[0], notes_pages)
        for item, root in story:
            body = first(root, "body")
            if body is None:
                continue
            _bring_in_endnotes(body, item.href, notes_pages)
            _point_links_inside(body, item.href)
            title = self._take_title(item, body)
            blocks = html_to_blocks(body, source=self.path, ledger=self.ledger,
                                    resolve_image=self._image_resolver(item.href))
            if blocks or title:
                chapters.append(Chapter(title, blocks))
        return [chapter for chapter in chapters if chapter.blocks]

    def _single_page_chapters(self, item: Item, root: etree._Element,
                              notes_pages: dict[str, etree._Element]) -> list[Chapter]:
        """A book in one XHTML file (an anthology, a long poem) split into chapters at its
        headings, each footnote moved to the chapter that first refers to it."""
        body = first(root, "body")
        if body is None:
            return []
        _bring_in_endnotes(body, item.href, notes_pages)
        _point_links_inside(body, item.href)
        blocks = html_to_blocks(body, source=self.path, ledger=self.ledger,
                                resolve_image=self._image_resolver(item.href))
        chapters = _split_at_headings(blocks)
        if len(chapters) == 1 and not chapters[0].title:
            chapters = (dataclasses.replace(chapters[0], title=self.package.toc_titles.get(
                item.href, "")),)
        return [chapter for chapter in footnotes_where_referred(list(chapters))
                if chapter.blocks]

    def _own_opening_note(self) -> tuple[Block, ...]:
        """The author's opening note from bookmaker's own warnings page (its front matter)."""
        for item, root in self.pages:
            if not _is_own_warnings_page(root):
                continue
            section = next((element for element in root.iter()
                            if "opening-note" in element.get("class", "").split()), None)
            if section is None:
                return ()
            for heading in [e for e in section if e.tag == "h2"]:
                remove_keeping_tail(heading)
            return html_to_blocks(section, source=self.path, contents_only=True,
                                  resolve_image=self._image_resolver(item.href))
        return ()

    def _is_furniture(self, item: Item, root: etree._Element) -> bool:
        furniture = "nav" in item.properties or bool(_page_types(root) & SKIPPED_TYPES) \
            or _is_own_warnings_page(root) \
            or bool(SKIPPED_FILES.search(item.href) or FANFICFARE_TITLE_PAGE.search(item.href))
        # (bookmaker's own "Before you read" page is metadata, read from the package.)
        body = first(root, "body")
        if furniture and body is not None:
            self.ledger.leave_out(text_content(body), f"{item.href}: the book's furniture "
                                                      "(cover, title page, contents...)")
        # A page with no words (a cover image, a blank page) is not a chapter.
        return furniture or body is None or not "".join(body.itertext()).strip()

    def _take_title(self, item: Item, body: etree._Element) -> str:
        """The chapter's title (nav/NCX, else its first heading); that heading is removed so
        the title is not repeated as text."""
        heading = next((element for element in body.iter()
                        if element.tag in _HEADINGS
                        and "".join(element.itertext()).strip()), None)
        note_links = _note_links(heading) if heading is not None else []
        for link in note_links:  # the title is text: its note number must not join a word
            remove_keeping_tail(link)
        heading_text = " ".join("".join(heading.itertext()).split()) if heading is not None \
            else ""
        if heading is not None and _text_before(body, heading) == "":
            _move_after(note_links, heading)
            remove_keeping_tail(heading)
        else:
            heading_text = ""
            if heading is not None:
                for link in note_links:
                    heading.append(link)  # the heading stays: so do its notes
        titled = self.package.toc_titles.get(item.href)
        if titled and heading_text and titled != heading_text:
            self.ledger.leave_out(heading_text, "a page's heading, titled by the contents")
        return titled or heading_text

    # ----------------------------------------------------------------- images

    def _image_resolver(self, page: str):
        def resolve(src: str, line: int | None) -> str | None:
            name = resolve_href(page, src)
            if name is None or name not in self.container:
                # The sanitiser has already emptied addresses such as file: or javascript:.
                what = f"image {src!r}" if src else "an image with an unsafe address"
                self.problems.append(Finding(
                    "warning", f"{what} in {page} is not inside the EPUB", str(self.path),
                    hint="it is left out; bookmaker never reads outside the file or the network"))
                return None
            return self._embed(name)
        return resolve

    def _stylesheets(self) -> str:
        """The book's CSS, all of it (calibre keeps alignment there)."""
        sheets = [item.href for item in self.package.items.values()
                  if item.media_type == "text/css" and item.href in self.container]
        return "\n".join(self.container.read(href, limit=MAX_ASSET_BYTES)
                         .decode("utf-8", errors="replace") for href in sheets)

    def _image_size(self, page: str, src: str) -> tuple[int, int] | None:
        """An image's pixel size, read from its header (AO3's EPUBs lose the attributes)."""
        name = resolve_href(page, src)
        if name is None or name not in self.container:
            return None
        try:
            with PILImage.open(io.BytesIO(self.container.read(name, limit=MAX_ASSET_BYTES))) \
                    as picture:
                return picture.size
        except (OSError, ValueError, PILImage.DecompressionBombError):
            return None

    def _embed(self, name: str) -> str | None:
        """``embedded:NAME`` for an image in the container, read once; None for a non-image."""
        if name not in self.embedded:
            item = self.package.item_for(name)
            media_type = item.media_type if item is not None else \
                IMAGE_TYPES.get(Path(name).suffix.lower(), "")
            if media_type not in IMAGE_TYPES.values():
                return None
            data = self.container.read(name, limit=MAX_ASSET_BYTES)
            self.embedded[name] = EmbeddedFile(name, media_type, data)
        return f"embedded:{name}"

    def _cover(self) -> str | None:
        items = self.package.items.values()
        cover = next((item for item in items if "cover-image" in item.properties), None)
        if cover is None:
            meta = self.package.metadata.find("opf:meta[@name='cover']", NS)
            cover = self.package.items.get(meta.get("content", "")) if meta is not None else None
        return self._embed(cover.href) if cover is not None else None

    # ----------------------------------------------------------------- metadata

    def _metadata(self) -> Metadata:
        """The OPF (and FanFicFare's title page) as Metadata; what each value means is
        readers/metadata.py's rule, as for every reader."""
        opf = self.package.metadata
        fields = _subject_fields(_texts(opf, "dc:subject"))
        fields.update(self._fanficfare_fields())
        fields.update(_fic_fields(self.package.metadata))
        builder = MetadataBuilder(self.path, self.problems)
        builder.title(_first_text(opf, "dc:title"))
        builder.authors(_creators(opf))
        builder.language(_first_text(opf, "dc:language"))
        builder.summary(self._summary(opf))
        builder.fandoms(fields.get("fandoms", ()))
        for rating in fields.get("rating", ())[:1]:
            builder.rating(rating)
        builder.warnings(fields.get("warnings", ()))
        builder.categories(fields.get("categories", ()))
        builder.relationships(fields.get("relationships", ()))
        builder.characters(fields.get("characters", ()))
        builder.tags(fields.get("tags", ()))
        builder.series(_series(opf))
        builder.set(published=fields.get("published") or _date(opf, modified=False),
                    updated=fields.get("updated") or _date(opf, modified=True),
                    source_url=_source_url(opf), rights=_first_text(opf, "dc:rights"),
                    identifier=_first_text(opf, "dc:identifier"))
        spine = opf.getparent().find("opf:spine", NS) if opf.getparent() is not None else None
        if spine is not None and spine.get("page-progression-direction") == "rtl":
            builder.set(direction="rtl")  # an Arabic, Hebrew or vertical Japanese book
        return builder.build(no_title_hint="the EPUB has no dc:title; set one with an e-book "
                                           "editor such as Calibre")

    def _summary(self, opf: etree._Element) -> tuple[Block, ...]:
        description = _first_text(opf, "dc:description", collapse=False)
        if not description:
            return ()
        return html_to_blocks(parse_fragment(description, self.path).root, source=self.path,
                              contents_only=True)

    def _fanficfare_fields(self) -> dict:
        """The labelled lines of FanFicFare's title page, as metadata fields."""
        page = next((root for item, root in self.pages
                     if FANFICFARE_TITLE_PAGE.search(item.href)), None)
        body = first(page, "body") if page is not None else None
        if body is None:
            return {}
        for br in body.iter("br"):
            br.tail = "\n" + (br.tail or "")
        fields: dict = {}
        for line in "".join(body.itertext()).splitlines():
            match = _LABEL_LINE.match(line)
            field = FANFICFARE_LABELS.get(match[1].strip().lower()) if match else None
            if match is None or field is None or not match[2].strip():
                continue
            value = match[2].strip()
            if field == "rating":
                fields["rating"] = [value]  # as written: the metadata builder judges it
            elif field in ("published", "updated"):
                date = _DATE.search(value)
                fields[field] = date.group(0) if date else None
            else:
                fields[field] = [part.strip() for part in value.split(",") if part.strip()]
        return fields


# --------------------------------------------------------------------------- OPF helpers


# What bookmaker's EPUB writer puts in its own ``fic:`` properties, back to metadata fields.
_FIC_VOCABULARY = "tag:bookmaker,"
_FIC_FIELDS = {"rating": "rating", "warning": "warnings", "content-note": "warnings",
               "category": "categories", "fandom": "fandoms", "relationship": "relationships",
               "character": "characters"}


def _fic_fields(metadata: etree._Element) -> dict[str, list[str]]:
    """Rating, warnings and the rest from the ``fic:`` properties of a book bookmaker made
    (content notes go with the warnings; taxonomy.split_warnings tells them apart)."""
    package = metadata.getparent()
    prefix = package.get("prefix", "") if package is not None else ""
    if _FIC_VOCABULARY not in prefix:
        return {}
    fields: dict[str, list[str]] = {}
    for meta in metadata.findall("opf:meta", NS):
        name = (meta.get("property") or "").removeprefix("fic:")
        value = " ".join((meta.text or "").split())
        if (meta.get("property") or "").startswith("fic:") and name in _FIC_FIELDS and value:
            if name == "rating":
                value = taxonomy.canonical_rating(value) or value
            values = fields.setdefault(_FIC_FIELDS[name], [])
            if value not in values:
                values.append(value)
    return fields


def _is_own_warnings_page(root: etree._Element) -> bool:
    """bookmaker's own "Before you read" page (warnings, tags, summary, opening note)."""
    body = first(root, "body")
    return body is not None and "warnings" in body.get("class", "").split() and any(
        "content-notes-page" in element.get("class", "").split()
        for element in body)


def _has_repeated_heading_level(root: etree._Element) -> bool:
    """Whether some heading level occurs more than once: a page that holds several chapters."""
    levels = Counter(element.tag for element in root.iter(*_HEADINGS))
    return any(count > 1 for count in levels.values())


def _split_at_headings(blocks: tuple[Block, ...]) -> tuple[Chapter, ...]:
    """Chapters at the shallowest heading level that occurs more than once (a lone part title
    above the stories, "SECTION IV", stays a heading inside the opening chapter)."""
    levels = Counter(block.level for block in blocks if isinstance(block, Heading))
    repeated = sorted(level for level, count in levels.items() if count > 1)
    if not repeated:
        return chapters_from_blocks(blocks)[1]
    return tuple(split_at_heading_level(blocks, repeated[0]))


def _texts(opf: etree._Element, tag: str) -> list[str]:
    return [" ".join("".join(e.itertext()).split()) for e in opf.findall(tag, NS)
            if "".join(e.itertext()).strip()]


def _first_text(opf: etree._Element, tag: str, collapse: bool = True) -> str | None:
    element = opf.find(tag, NS)
    if element is None:
        return None
    text = "".join(element.itertext()).strip()
    return (" ".join(text.split()) if collapse else text) or None


def _creators(opf: etree._Element) -> list[str]:
    """Authors: creators without a role or with the author role among theirs (not editors or
    illustrators alone). EPUB 3 gives a creator several roles with several refining metas
    (``aut`` and ``ann`` for an author who also annotated): any of them being ``aut`` counts."""
    role = f"{{{NS['opf']}}}role"
    refined: dict[str, set[str]] = {}
    for meta in opf.findall("opf:meta", NS):
        if meta.get("property") == "role":
            refined.setdefault(meta.get("refines", "")[1:], set()).add(
                (meta.text or "").strip())
    names = []
    for creator in opf.findall("dc:creator", NS):
        roles = {creator.get(role) or ""} | refined.get(creator.get("id", ""), set())
        roles.discard("")
        name = " ".join("".join(creator.itertext()).split())
        if name and (not roles or "aut" in roles) and name not in names:
            names.append(name)
    return names


def _subject_fields(subjects: list[str]) -> dict[str, list[str]]:
    """Flattened subjects sorted back into fields: AO3's "Fanworks" marker is dropped, ratings,
    archive warnings and categories are recognised by name, ``A/B`` is a relationship."""
    fields: dict[str, list[str]] = {}
    for subject in subjects:
        if subject.lower() in ("fanworks", "fanfiction", "fan fiction"):
            continue
        rating = taxonomy.canonical_rating(subject)
        category = taxonomy.canonical_category(subject)
        if rating:
            field, value = "rating", rating
        elif taxonomy.canonical_warning(subject):
            field, value = "warnings", subject
        elif category:
            field, value = "categories", category
        elif _RELATIONSHIP.search(subject):
            field, value = "relationships", subject
        else:
            field, value = "tags", subject
        if value not in fields.setdefault(field, []):
            fields[field].append(value)
    return fields


def _series(opf: etree._Element) -> tuple[Series, ...]:
    metas = opf.findall("opf:meta", NS)
    by_name = {m.get("name"): m.get("content", "") for m in metas if m.get("name")}
    if by_name.get("calibre:series"):
        return (Series(by_name["calibre:series"].strip(), _number(by_name.get(
            "calibre:series_index"))),)
    series = []
    for meta in metas:
        if meta.get("property") == "belongs-to-collection" and (meta.text or "").strip():
            position = next((m.text for m in metas if m.get("refines") == f"#{meta.get('id')}"
                             and m.get("property") == "group-position"), None)
            series.append(Series(" ".join(meta.text.split()), _number(position)))
    return tuple(series)


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _date(opf: etree._Element, modified: bool) -> str | None:
    event = f"{{{NS['opf']}}}event"
    for element in opf.findall("dc:date", NS):
        is_modification = element.get(event) == "modification"
        match = _DATE.match((element.text or "").strip())
        if match and is_modification == modified:
            return match.group(0)
    if modified:
        meta = next((m for m in opf.findall("opf:meta", NS)
                     if m.get("property") == "dcterms:modified"), None)
        match = _DATE.match((meta.text or "").strip()) if meta is not None else None
        return match.group(0) if match else None
    return None


def _source_url(opf: etree._Element) -> str | None:
    for text in _texts(opf, "dc:source") + _texts(opf, "dc:identifier"):
        if re.match(r"https?://", text):
            return text
    return None


# --------------------------------------------------------------------------- page helpers
# (Pages are sanitised trees, readers/html/parse.py: plain tag names, epub:type as EPUB_TYPE.)


def _page_types(root: etree._Element) -> set[str]:
    """The epub:type of the page's body and of its top-level sections."""
    body = first(root, "body")
    if body is None:
        return set()
    types = set(body.get(EPUB_TYPE, "").split())
    for child in body:
        types |= set(child.get(EPUB_TYPE, "").split())
    return types


def _note_links(heading: etree._Element) -> list[etree._Element]:
    """The note references inside a heading: noteref links, or links to an anchor whose text is
    a marker (``1``, ``[2]``, ``*``), as Calibre and older pandoc write them."""
    return [link for link in heading.iter("a")
            if "noteref" in link.get(EPUB_TYPE, "").split()
            or ("#" in link.get("href", "") and is_note_marker("".join(link.itertext())))]


def _move_after(links: list[etree._Element], heading: etree._Element) -> None:
    """Note references taken out of a chapter's title heading, put at the start of the text that
    follows it (a paragraph of their own), so the notes keep their place and their number."""
    if not links:
        return
    paragraph = etree.Element("p")
    for link in links:
        link.tail = None
        paragraph.append(link)
    heading.addnext(paragraph)
    paragraph.tail, heading.tail = heading.tail, None


def _is_notes_page(root: etree._Element) -> bool:
    """A page of endnotes only: its body, or every top-level part of it that holds text, is
    typed as notes. pandoc puts a chapter's notes in a ``footnotes`` section at the end of the
    chapter's own page; that page is a chapter, not a notes page."""
    body = first(root, "body")
    if body is None:
        return False
    if set(body.get(EPUB_TYPE, "").split()) & NOTES_TYPES:
        return True
    parts = [child for child in body if "".join(child.itertext()).strip()]
    return bool(parts) and all(set(child.get(EPUB_TYPE, "").split()) & NOTES_TYPES
                               for child in parts)


def _text_before(body: etree._Element, target: etree._Element) -> str:
    """The text that comes before ``target`` inside ``body``: the opening text of its
    ancestors, and all the text of elements that precede it (with their tails)."""
    ancestors = set(target.iterancestors())
    parts: list[str] = []
    for element in body.iter():
        if element is target:
            break
        parts.append(element.text or "")
        if element not in ancestors:
            parts.append(element.tail or "")
    return "".join(parts).strip()


def _point_links_inside(body: etree._Element, page: str) -> None:
    """``page.xhtml#fn1`` inside page.xhtml becomes ``#fn1`` (Calibre writes links that way), so
    the converter sees footnote references as the links within the page they are."""
    for link in body.iter("a"):
        href = link.get("href", "")
        if "#" in href and not href.startswith("#") and resolve_href(page, href) == page:
            link.set("href", "#" + href.partition("#")[2])


def _bring_in_endnotes(body: etree._Element, page: str,
                       notes_pages: dict[str, etree._Element]) -> None:
    """Copy the endnotes this page refers to (in another file) into it as footnote asides, so
    the converter finds each note next to its reference."""
    if not notes_pages:
        return
    for link in list(body.iter("a")):
        href = link.get("href", "")
        target_file = resolve_href(page, href)
        fragment = href.partition("#")[2]
        notes = notes_pages.get(target_file or "")
        if notes is None or not fragment:
            continue
        note = next((e for e in notes.iter() if e.get("id") == fragment), None)
        if note is None:
            continue
        aside = etree.SubElement(body, "aside", {"id": fragment, EPUB_TYPE: "footnote"})
        aside.text = note.text
        for child in note:
            aside.append(copy.deepcopy(child))
        link.set("href", f"#{fragment}")
        link.set(EPUB_TYPE, "noteref")

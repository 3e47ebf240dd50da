"""AO3 HTML downloads, every vintage, into the model: the preface's tags as structured metadata.

The layout (see AO3's ``app/views/downloads/``): a preface (``div#preface`` since 2019, loose in the
body before) with ``p.message`` (title, "Posted originally on the Archive of Our Own at URL"),
``dl.tags`` (label/value pairs: rating, warnings, categories, fandoms, relationships, characters,
additional tags, language, series, collections, stats), ``<h1>`` title, ``div.byline``, and the
Summary/Notes blockquotes; ``div#chapters`` with either one ``div.userstuff`` or, per chapter,
``div.meta.group`` (heading, chapter summary and notes), the text and ``div#endnotesN``; and
``div#afterword`` with the work's end notes and "Works inspired by this one".

Labels are read singular or plural (AO3 pluralised them in 2023), old warning names go through
taxonomy's aliases, and a missing Language line (before 2022) leaves the language unset; what
each value means is readers/metadata.py's rule, as for every reader.
"""

from __future__ import annotations

import dataclasses
import re
from contextvars import ContextVar
from pathlib import PurePath

from lxml import etree

from bookmaker.errors import Finding, ManuscriptError
from bookmaker.model import (Block, Book, Chapter, ListBlock, Metadata, Paragraph, SceneBreak,
                             Series, Strong, Text, plain_text)
from bookmaker.readers.html.blocks import ImageResolver, html_to_blocks, parse_html
from bookmaker.readers.decoding import read_text
from bookmaker.readers.html.workskin import NO_SKIN, WorkSkin
from bookmaker.transforms.scenebreaks import is_separator_text
from bookmaker.readers.metadata import MetadataBuilder
from bookmaker.safety.inputs import Source

# Markers only an AO3 download carries near its top (sniffed before reading).
_MARKERS = (b'id="preface"', b"Posted originally on the", b'class="tags"')

# dl.tags labels, singular and plural, to the field they fill.
_LABELS = {
    "rating": "rating", "ratings": "rating",
    "archive warning": "warnings", "archive warnings": "warnings",
    "category": "categories", "categories": "categories",
    "fandom": "fandoms", "fandoms": "fandoms",
    "relationship": "relationships", "relationships": "relationships",
    "character": "characters", "characters": "characters",
    "additional tag": "tags", "additional tags": "tags", "freeform": "tags",
    "language": "language", "series": "series",
    "collection": "collections", "collections": "collections",
    "stats": "stats",
}
_DATE = r"(\d{4}-\d{2}-\d{2})"
_PUBLISHED = re.compile(r"Published:\s*" + _DATE)
_UPDATED = re.compile(r"(?:Updated|Completed):\s*" + _DATE)
_POSTED_CHAPTERS = re.compile(r"Chapters:\s*(\d+)\s*/")
_SERIES_PART = re.compile(r"Part\s+(\d+)\s+of\s*$", re.IGNORECASE)
_NUMBERED_CHAPTER = re.compile(r"Chapter\s+\d+\s*:\s*(?P<title>\S.*)", re.IGNORECASE | re.DOTALL)
_WORK_URL = re.compile(r"https?://[^\s\"'<>]*/works/\d+")
_SPACES = re.compile(r"\s+")
# The classes of the work skin being read (ao3_page): the text keeps them as skin- spans.
_SKIN_CLASSES: ContextVar[frozenset[str]] = ContextVar("ao3_skin_classes", default=frozenset())
# How the ebook being read names its images (readers/epub), None for a download on disk.
_RESOLVE_IMAGE: ContextVar[ImageResolver | None] = ContextVar("ao3_resolve_image", default=None)


def sniff(head: bytes) -> bool:
    """Whether a file's first bytes look like an AO3 download rather than any saved page."""
    return sum(marker in head for marker in _MARKERS) >= 2


def read_with_findings(source: Source) -> tuple[Book, list[Finding]]:
    """The download as a Book, and the warnings about what was left out."""
    text, _ = read_text(source)
    return book_from_document(parse_html(text, source.name), source.name, source.folder)


def book_from_document(root: etree._Element, path: PurePath, folder: str,
                       skin: WorkSkin = NO_SKIN, resolve_image: ImageResolver | None = None
                       ) -> tuple[Book, list[Finding]]:
    """The work in an AO3 download's parsed HTML, and problems found; also used for AO3's
    ebooks and saved work pages, rebuilt into this same HTML (ao3_calibre, ao3_page). ``skin``
    is a saved page's sanitised work skin: the text keeps the classes its rules name;
    ``resolve_image`` names an ebook's images (see blocks.html_to_blocks)."""
    skin_token = _SKIN_CLASSES.set(skin.classes)
    image_token = _RESOLVE_IMAGE.set(resolve_image)
    try:
        book, found = _book_from_document(root, path)
    finally:
        _SKIN_CLASSES.reset(skin_token)
        _RESOLVE_IMAGE.reset(image_token)
    return dataclasses.replace(book, stylesheet=skin.css, base_dir=folder), found


def _book_from_document(root: etree._Element, path: PurePath) -> tuple[Book, list[Finding]]:
    body = _first(root, "body")
    tags = _first(root, "dl", "tags")
    chapters_div = _by_id(root, "chapters")
    if body is None or tags is None or chapters_div is None:
        raise ManuscriptError("not an AO3 download: no tag list or no chapters", path,
                              hint="save the work with AO3's Download > HTML, or save the "
                                   "work's own page from the browser")
    preface = _by_id(root, "preface")
    if preface is None:  # downloads before 2019 have no preface wrapper
        preface = body
    # The labelled notes sit beside the tag list (in div.meta, or loose in an old body).
    meta = tags.getparent()
    found: list[Finding] = []
    fields = _tag_fields(tags)
    metadata = _metadata(root, preface, meta, fields, path, found)
    chapters = _chapters(chapters_div, path)
    if not chapters:
        found.append(Finding("error", "the download holds no chapter text", str(path),
                             chapters_div.sourceline, "download the work again"))
    posted = _POSTED_CHAPTERS.search(_text(fields["stats"])) if "stats" in fields else None
    if posted and chapters and len(chapters) < int(posted.group(1)):
        titles = ", ".join(chapter.title or "untitled" for chapter in chapters)
        found.append(Finding("warning", f"the work has {posted.group(1)} chapters posted but "
                                        f"this file holds {len(chapters)} ({titles}); only those "
                                        "are in the book", str(path), chapters_div.sourceline,
                             "download the whole work again, or save its \"Entire Work\" "
                             "page"))
    front = _labelled(meta, "Notes", path) + _related_works(meta, path)
    back = _work_end_notes(root, path) + _inspired_works(root, path)
    book = Book(metadata, tuple(chapters), front, back)
    return book, found


# --------------------------------------------------------------------------- metadata


def _metadata(root: etree._Element, preface: etree._Element, meta: etree._Element,
              fields: dict[str, etree._Element], path: PurePath, found: list[Finding]) -> Metadata:
    """The preface as Metadata; what each tag means is readers/metadata.py's rule."""
    builder = MetadataBuilder(path, found)

    def values(name: str) -> list[str]:
        return _tag_values(fields[name]) if name in fields else []

    def line(name: str) -> int | None:
        return fields[name].sourceline if name in fields else None

    stats = _text(fields["stats"]) if "stats" in fields else ""
    builder.title(_title(root, preface))
    builder.authors(_authors(preface))
    builder.language(_text(fields["language"]) if "language" in fields else None,
                     line("language"))
    builder.summary(_labelled(meta, "Summary", path))
    builder.fandoms(values("fandoms"))
    for rating in values("rating"):
        builder.rating(rating, line("rating"))
    builder.warnings(values("warnings"), line("warnings"))
    builder.categories(values("categories"), line("categories"))
    builder.relationships(values("relationships"))
    builder.characters(values("characters"))
    builder.tags(values("tags"))
    builder.series(_series(fields.get("series")))
    builder.set(published=_match(_PUBLISHED, stats), updated=_match(_UPDATED, stats),
                source_url=_source_url(preface))
    return builder.build(no_title_hint="download the work again from AO3")


def _tag_fields(tags: etree._Element) -> dict[str, etree._Element]:
    """Field name -> its ``<dd>``, for every ``<dt>`` label AO3 has used (singular or plural)."""
    fields: dict[str, etree._Element] = {}
    label = None
    for child in tags:
        if child.tag == "dt":
            label = _LABELS.get(_text(child).rstrip(":").strip().lower())
        elif child.tag == "dd" and label and label not in fields:
            fields[label] = child
    return fields


def _tag_values(dd: etree._Element) -> list[str]:
    """The tags in a ``<dd>``: each link's text (tags may hold commas), else comma-split text."""
    links = [_text(a) for a in dd.iter("a")]
    values = links if links else _text(dd).split(", ")
    return [value for value in dict.fromkeys(values) if value]


def _series(dd: etree._Element | None) -> tuple[Series, ...]:
    """Every "Part N of <a>Name</a>" in the Series line, in order."""
    if dd is None:
        return ()
    series = []
    preceding = dd.text or ""  # the text since the last link: "Part N of "
    for element in dd.iterdescendants():
        if element.tag == "a":
            part = _SERIES_PART.search(preceding.strip())
            if _text(element):
                series.append(Series(_text(element), float(part.group(1)) if part else None))
            preceding = ""
        else:
            preceding += element.text or ""
        preceding += element.tail or ""
    return tuple(series)


def _title(root: etree._Element, preface: etree._Element) -> str:
    """The ``<h1>`` in the preface; else the bold title of the message; else ``<title>``'s first
    part ("Title - Author - Fandom")."""
    for candidate in (_first(preface, "h1"), _first(_first(preface, "p", "message"), "b")):
        if candidate is not None and _text(candidate):
            return _text(candidate)
    head_title = _first(root, "title")
    return _text(head_title).split(" - ")[0].strip() if head_title is not None else ""


def _authors(preface: etree._Element) -> tuple[str, ...]:
    """Every creator in the byline (one ``rel="author"`` link each), or its text ("Anonymous")."""
    byline = _first(preface, "div", "byline")
    if byline is None:
        return ()
    links = [_text(a) for a in byline.iter("a") if "author" in a.get("rel", "").split()] or \
        [_text(a) for a in byline.iter("a")]
    if links:
        return tuple(dict.fromkeys(name for name in links if name))
    named = re.sub(r"^by\s+", "", _text(byline))
    return tuple(name for name in re.split(r",\s*|\s+and\s+", named) if name)


def _source_url(preface: etree._Element) -> str | None:
    message = _first(preface, "p", "message")
    if message is None:
        return None
    for link in message.iter("a"):
        if _WORK_URL.fullmatch(link.get("href", "")):
            return link.get("href")
    found = _WORK_URL.search(_text(message))
    return found.group(0) if found else None


# --------------------------------------------------------------------------- notes


def _labelled(scope: etree._Element | None, label: str, path: PurePath) -> tuple[Block, ...]:
    """The blocks of the ``blockquote.userstuff`` right after a ``<p>`` saying ``label``
    ("Summary", "Notes", "Chapter Notes"...), looking only at ``scope``'s direct children."""
    if scope is None:
        return ()
    children = list(scope)
    for index, child in enumerate(children):
        if child.tag == "p" and _text(child).rstrip(":").lower() == label.lower():
            following = children[index + 1] if index + 1 < len(children) else None
            if following is not None and following.tag == "blockquote":
                return _blocks(following, path, contents_only=True)
    return ()


def _blocks(element: etree._Element, path: PurePath, contents_only: bool = False
            ) -> tuple[Block, ...]:
    return html_to_blocks(element, source=path, contents_only=contents_only,
                          keep_classes=_SKIN_CLASSES.get(), resolve_image=_RESOLVE_IMAGE.get())


def _related_works(meta: etree._Element, path: PurePath) -> tuple[Block, ...]:
    """The preface's "translation of / inspired by" list, kept as a list of notes."""
    related = [child for child in meta if child.tag == "ul"]
    blocks: list[Block] = []
    for element in related:
        blocks.extend(_blocks(element, path))
    return tuple(blocks)


def _work_end_notes(root: etree._Element, path: PurePath) -> tuple[Block, ...]:
    endnotes = _by_id(root, "endnotes")
    return _labelled(endnotes, "End Notes", path) if endnotes is not None else ()


def _inspired_works(root: etree._Element, path: PurePath) -> tuple[Block, ...]:
    """"Works inspired by this one": a bold line and a list of the works, for the back matter."""
    afterword = _by_id(root, "afterword")
    meta = _first(afterword, "div", "meta") if afterword is not None else None
    listing = next((child for child in meta if child.tag == "dl"), None) \
        if meta is not None else None
    if listing is None:
        return ()
    title = next((_text(dt) for dt in listing if dt.tag == "dt"), "Works inspired by this one")
    items = tuple(_blocks(dd, path, contents_only=True)
                  for dd in listing if dd.tag == "dd")
    items = tuple(item for item in items if item)
    if not items:
        return ()
    return (Paragraph((Strong((Text(title.rstrip(":") + ":"),)),), listing.sourceline),
            ListBlock(items, line=listing.sourceline))


# --------------------------------------------------------------------------- chapters


def _chapters(chapters_div: etree._Element, path: PurePath) -> list[Chapter]:
    """Chapters of a multi-chapter work (one ``div.meta.group`` each), or the single text."""
    groups = [child for child in chapters_div if child.tag == "div" and _classes(child) >= {
        "meta", "group"}]
    if not groups:
        text = next((child for child in chapters_div if "userstuff" in _classes(child)),
                    chapters_div)
        blocks = _with_scene_breaks(_blocks(text, path, contents_only=True))
        return [Chapter("", blocks, line=text.sourceline)] if blocks else []
    chapters = []
    children = list(chapters_div)
    for group in groups:
        after = children[children.index(group) + 1:]
        text = next((child for child in after if "userstuff" in _classes(child)), None)
        end_notes = next((child for child in after
                          if child.get("id", "").startswith("endnotes")), None)
        next_group = next((child for child in after if child in groups), None)
        if end_notes is not None and next_group is not None and \
                children.index(end_notes) > children.index(next_group):
            end_notes = None
        chapters.append(_chapter(group, text, end_notes, path))
    return chapters


def _chapter(group: etree._Element, text: etree._Element | None,
             end_notes: etree._Element | None, path: PurePath) -> Chapter:
    heading = _first(group, "h2")
    title = _chapter_title(_text(heading) if heading is not None else "")
    return Chapter(
        title=title,
        blocks=_with_scene_breaks(_blocks(text, path, contents_only=True))
        if text is not None else (),
        summary=_labelled(group, "Chapter Summary", path) or _labelled(group, "Summary", path),
        notes=_labelled(group, "Chapter Notes", path) or _labelled(group, "Notes", path),
        end_notes=_labelled(end_notes, "Chapter End Notes", path) or
        _labelled(end_notes, "End Notes", path),
        line=(heading if heading is not None else group).sourceline,
    )


def _with_scene_breaks(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """A paragraph holding only ``xxx`` (or ``***``, ``oOo``...) is a scene break in a fic from
    the archive, aligned or not: the sanitiser of older archives left writers nothing else."""
    return tuple(SceneBreak(block.line) if isinstance(block, Paragraph)
                 and is_separator_text(plain_text(block.children)) else block
                 for block in blocks)


def _chapter_title(heading: str) -> str:
    """The title the author gave ("Chapter 3: The Fall" -> "The Fall"), else "Chapter 3"."""
    match = _NUMBERED_CHAPTER.fullmatch(heading)
    return match.group("title").strip() if match else heading


# --------------------------------------------------------------------------- tree helpers


def _text(element: etree._Element | None) -> str:
    if element is None:
        return ""
    return _SPACES.sub(" ", "".join(element.itertext())).strip()


def _classes(element: etree._Element) -> set[str]:
    return set(element.get("class", "").split())


def _first(scope: etree._Element | None, tag: str, class_name: str = "") -> etree._Element | None:
    """The first ``tag`` element under ``scope`` (with ``class_name`` among its classes)."""
    if scope is None:
        return None
    return next((element for element in scope.iter(tag)
                 if not class_name or class_name in _classes(element)), None)


def _by_id(root: etree._Element, element_id: str) -> etree._Element | None:
    return next((element for element in root.iter() if element.get("id") == element_id), None)


def _match(pattern: re.Pattern[str], text: str) -> str | None:
    found = pattern.search(text)
    return found.group(1) if found else None

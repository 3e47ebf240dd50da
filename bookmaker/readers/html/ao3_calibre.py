"""AO3's EPUB, AZW3 and MOBI downloads: what calibre did to the HTML download, undone or read.

AO3 makes its ebooks by running calibre's ``ebook-convert`` on its HTML download (its
``app/models/download_writer.rb``). calibre keeps the download's ids (``preface``, ``chapters``,
``endnotesN``, ``endnotes``, ``afterword``), its text and AO3's labels, but renames most classes
to ``calibreN``, moves alignment and image sizes into its stylesheet and splits the document into
pages at the chapter headings and at size limits, each page repeating the wrappers it was cut
from. For MOBI it flattens everything into paragraphs: the tag list becomes bold ``Label:``
paragraphs and every quoted paragraph a blockquote of its own.

- EPUB and AZW3 (``undo_split``, ``restore_alignment``, ``restore_image_sizes``): the pages'
  bodies, joined in spine order, get their split undone (one preface, one text per chapter) and
  the text its alignment and image sizes back; readers/html/ao3.py then reads that tree as it
  reads the HTML download, by ids, labels and order.
- MOBI (``work_from_mobi``): the flat body is read straight into the record of the work
  (readers/html/ao3_work.Work), by AO3's own wording and the order AO3 writes things in.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

import tinycss2
from lxml import etree

from bookmaker import taxonomy
from bookmaker.model import Block, Chapter
from bookmaker.readers.html.ao3_work import (Work, authors_of, is_chapter_group,
                                             stats_from_text, work_from_tag_list, work_url)
from bookmaker.readers.html.blocks import HtmlSource
from bookmaker.readers.html.tree import by_id, first, text_of
from bookmaker.safety.sanitize import remove_keeping_tail

_SECTION_IDS = ("preface", "chapters", "afterword")


def looks_like_download(text: str) -> bool:
    """Whether a document's text carries AO3's download preface (for EPUB and MOBI sniffing)."""
    return taxonomy.AO3_POSTED in text and taxonomy.AO3_ARCHIVE in text


# --------------------------------------------------------------------------- EPUB and AZW3


def undo_split(body: etree._Element) -> None:
    """Undo, in place, calibre's page split in ``body``: the bodies of all the pages of its EPUB
    (or an AZW3's), concatenated in spine order."""
    _merge_split_sections(body)
    for section in _sections(body):
        _drop_empty_divs(section)
    preface = by_id(body, "preface")
    # before 2019 the preface's parts sit loose in the body
    _merge_anonymous_divs(preface if preface is not None else body)
    chapters = by_id(body, "chapters")
    if chapters is not None:
        _join_text_divs(chapters)
    afterword = by_id(body, "afterword")
    if afterword is not None:
        _merge_anonymous_divs(afterword)


def restore_image_sizes(body: etree._Element,
                        size_of: Callable[[str], tuple[int, int] | None]) -> None:
    """calibre moves an image's ``width``/``height`` into its stylesheet; put the image's own
    size back (``size_of(src)``), so a thin divider image is still told from an illustration."""
    for image in body.iter("img"):
        if image.get("height") is None and image.get("src"):
            size = size_of(image.get("src", ""))
            if size is not None:
                image.set("width", str(size[0]))
                image.set("height", str(size[1]))


def restore_alignment(body: etree._Element, stylesheet: str) -> None:
    """calibre moves ``align="center"`` and ``text-align`` into classes of its stylesheet; put
    the alignment back on the elements, so a centred ``xxx`` or divider is still a scene break
    and a centred signature stays centred."""
    aligned: dict[str, str] = {}
    for rule in tinycss2.parse_stylesheet(stylesheet, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule":
            continue
        selector = tinycss2.serialize(rule.prelude).strip()
        if not re.fullmatch(r"\.[\w-]+", selector):
            continue
        for declaration in tinycss2.parse_declaration_list(rule.content, skip_comments=True,
                                                           skip_whitespace=True):
            if declaration.type == "declaration" and declaration.lower_name == "text-align":
                value = tinycss2.serialize(declaration.value).strip().lower()
                if value in ("center", "right"):
                    aligned[selector[1:]] = value
    if not aligned:
        return
    for element in body.iter():
        if element.get("align"):
            continue
        value = next((aligned[name] for name in element.get("class", "").split()
                      if name in aligned), None)
        if value:
            element.set("align", value)


def _merge_split_sections(body: etree._Element) -> None:
    """Each page repeats ``div#preface``, ``div#chapters`` and ``div#afterword`` around its share
    of them: move every repeat's children into the first and drop the repeat."""
    for section_id in _SECTION_IDS:
        copies = [child for child in body if child.get("id") == section_id]
        for copy in copies[1:]:
            copies[0].extend(list(copy))
            body.remove(copy)


def _sections(body: etree._Element) -> list[etree._Element]:
    found = [by_id(body, section_id) for section_id in _SECTION_IDS]
    return [section for section in found if section is not None] or [body]


def _drop_empty_divs(scope: etree._Element) -> None:
    """calibre's page-break markers (``div#calibre_pb_N``) and the wrappers a split left empty."""
    for div in reversed([element for element in scope.iter("div") if element is not scope]):
        if not text_of(div) and next(div.iter("img"), None) is None \
                and div.getparent() is not None:
            remove_keeping_tail(div)


def _join_text_divs(chapters: etree._Element) -> None:
    """Every run of anonymous divs between the markers (a chapter's header group, its end
    notes) is the text of one chapter that a size split cut: joined into the first."""
    current: etree._Element | None = None
    for child in list(chapters):
        if child.tag != "div" or child.get("id") or is_chapter_group(child):
            current = None
        elif current is None:
            current = child
        else:
            current.extend(list(child))
            chapters.remove(child)


def _merge_anonymous_divs(section: etree._Element) -> None:
    """The divs directly in a section with no id are one div cut by page splits: join them (in a
    body, only those before the chapters: the loose preface of a download before 2019)."""
    first: etree._Element | None = None
    for child in list(section):
        if child.get("id") in _SECTION_IDS:
            break
        if child.tag != "div" or child.get("id"):
            continue
        if first is None:
            first = child
        else:
            first.extend(list(child))
            section.remove(child)


# --------------------------------------------------------------------------- MOBI


def work_from_mobi(body: etree._Element, source: HtmlSource) -> Work:
    """The work in the flat body of AO3's MOBI (KindleGen markup: paragraphs and blockquotes in
    a row; no ids, no divs, no tag list; the page breaks do not survive an HTML parser, so the
    parts are found by AO3's own wording).

    What cannot come back is said here: a chapter text that opens with a quotation right after the
    chapter notes is read as part of those notes, since MOBI keeps nothing that tells them apart.
    Chapters carry no line: KindleUnpack writes the book on one line of a file that is gone.
    """
    _anchor_ids_to_targets(body)
    parts = [element for element in body if element.tag != "a"]
    preface = _MobiPreface(parts, source)
    end = _afterword_start(parts, preface.end)
    end_notes, inspired = _afterword(parts[end:], source)
    story = parts[preface.end:end]
    headings = [index for index, element in enumerate(story) if _is_chapter_heading(element)]
    if headings:
        chapters = tuple(_chapter(story[index:following], source) for index, following
                         in zip(headings, [*headings[1:], len(story)], strict=True))
    else:
        blocks = source.blocks(_wrapped(story), contents_only=True) if story else ()
        chapters = (Chapter("", blocks),) if blocks else ()
    if source.ledger is not None:
        coded = {preface.fields.get(name) for name in ("stats", "language", "series",
                                                         "collections")}
        held = {*preface.fields.values(), *preface.related} - coded
        source.ledger.leave_out(" ".join(
            text_of(element) for element in (*parts[:preface.end], *parts[end:])
            if element.tag != "blockquote" and element not in held), "AO3's labels and notices")
    return dataclasses.replace(
        work_from_tag_list(preface.fields),
        title=preface.title or text_of(first(preface.message, "b")),
        authors=authors_of(preface.byline),
        summary=preface.quoted.get(taxonomy.AO3_SUMMARY.lower(), ()),
        notes=preface.quoted.get(taxonomy.AO3_NOTES.lower(), ()),
        end_notes=end_notes,
        related_works=tuple(block for element in preface.related
                            for block in source.blocks(element)),
        inspired_works=inspired,
        chapters=chapters,
        stats=stats_from_text(text_of(preface.fields.get("stats"))),
        source_url=work_url(preface.message),
    )


class _MobiPreface:
    """The preface read from the first of a MOBI's ``parts``: the message, the tag list (a bold
    ``Label:`` paragraph, then its value), the title, the byline, the labelled notes and the
    related works; ``end`` is where the story starts."""

    def __init__(self, parts: list[etree._Element], source: HtmlSource) -> None:
        self.message: etree._Element | None = None
        self.fields: dict[str, etree._Element] = {}
        self.title = ""
        self.byline: etree._Element | None = None
        self.quoted: dict[str, tuple[Block, ...]] = {}
        self.related: list[etree._Element] = []
        index = 0
        while index < len(parts):
            element = parts[index]
            text = text_of(element)
            field = taxonomy.ao3_tag_field(text) if text.endswith(":") else None
            label = text.rstrip(":").strip().lower()
            if _is_chapter_heading(element) and self.title:
                break
            if taxonomy.AO3_POSTED in text:
                self.message = element
            elif field is not None and index + 1 < len(parts) and not self.title:
                self.fields.setdefault(field, parts[index + 1])
                index += 1
            elif label in (taxonomy.AO3_SUMMARY.lower(), taxonomy.AO3_NOTES.lower()) \
                    and self.title:
                self.quoted[label], index = _quoted(parts, index + 1, source)
                continue
            elif text.startswith(taxonomy.AO3_BYLINE) and self.byline is None:
                self.byline = element
            elif text.startswith(taxonomy.AO3_END_NOTES_LINKS):
                pass  # a link to the end notes, which the book places itself
            elif element.tag == "ul" and self.byline is not None:
                self.related.append(element)
            elif not text and next(element.iter("img"), None) is None:
                pass  # calibre's spacing
            elif not self.title and self.fields:
                self.title = text
            else:
                break
            index += 1
        self.end = index


def _anchor_ids_to_targets(body: etree._Element) -> None:
    """MOBI marks link targets with empty anchors (``<a id="filepos123">``) before the element
    meant: the id moves onto that element, so a footnote's link finds its note."""
    for anchor in list(body.iter("a")):
        target = anchor.getnext()
        if anchor.get("id") and not text_of(anchor) and not anchor.get("href") and \
                target is not None and not target.get("id") and not (anchor.tail or "").strip():
            target.set("id", anchor.get("id", ""))


def _afterword_start(parts: list[etree._Element], start: int) -> int:
    """Where the afterword begins: the last "End Notes" label, else AO3's request to comment."""
    texts = [text_of(part) for part in parts]
    for index in range(len(parts) - 1, start - 1, -1):
        if texts[index] == taxonomy.AO3_END_NOTES:
            return index
    for index in range(len(parts) - 1, max(start, len(parts) - 3) - 1, -1):
        if taxonomy.AO3_COMMENT_REQUEST in texts[index]:
            return index
    return len(parts)


def _afterword(section: list[etree._Element], source: HtmlSource
               ) -> tuple[tuple[Block, ...], tuple[tuple[Block, ...], ...]]:
    """The work's end notes and the works inspired by this one, from the afterword's parts."""
    end_notes: tuple[Block, ...] = ()
    inspired: list[tuple[Block, ...]] = []
    index = 0
    while index < len(section):
        text = text_of(section[index])
        if text == taxonomy.AO3_END_NOTES:
            end_notes, index = _quoted(section, index + 1, source)
            continue
        if text.rstrip(":") == taxonomy.AO3_INSPIRED_WORKS and index + 1 < len(section):
            inspired.append(source.blocks(_innermost(section[index + 1]), contents_only=True))
            index += 1
        index += 1
    return end_notes, tuple(inspired)


def _chapter(section: list[etree._Element], source: HtmlSource) -> Chapter:
    """A chapter from its heading to the next: its notes (label, then one blockquote per
    paragraph), its text, its end notes."""
    quoted: dict[str, tuple[Block, ...]] = {}
    index = 1
    while index < len(section):
        text = text_of(section[index])
        label = text.lower()
        if label in _CHAPTER_LABELS:
            quoted[_CHAPTER_LABELS[label]], index = _quoted(section, index + 1, source)
            continue
        if not text.startswith((taxonomy.AO3_CHAPTER_BYLINE, *taxonomy.AO3_END_NOTES_LINKS)):
            break
        index += 1
    rest = section[index:]
    end = next((position for position, element in enumerate(rest)
                if text_of(element) in taxonomy.AO3_CHAPTER_END_NOTES
                and all(e.tag == "blockquote" or not text_of(e) for e in rest[position + 1:])),
               len(rest))
    end_notes = _quoted(rest, end + 1, source)[0] if end < len(rest) else ()
    if source.ledger is not None:  # the heading, the labels and links, "Chapter End Notes"
        labels = [element for element in (*section[:index], *rest[end:end + 1])
                  if element.tag != "blockquote"]
        source.ledger.leave_out(" ".join(text_of(element) for element in labels),
                                "AO3's labels and notices")
    return Chapter(
        title=taxonomy.ao3_chapter_title(text_of(section[0])),
        blocks=source.blocks(_wrapped(rest[:end]), contents_only=True) if end else (),
        summary=quoted.get("summary", ()), notes=quoted.get("notes", ()), end_notes=end_notes)


# A chapter's labels as the MOBI writes them (with "Chapter" or, in older files, without).
_CHAPTER_LABELS = {**{label.lower(): "summary" for label in taxonomy.AO3_CHAPTER_SUMMARY},
                   **{label.lower(): "notes" for label in taxonomy.AO3_CHAPTER_NOTES}}


def _quoted(parts: list[etree._Element], index: int, source: HtmlSource
            ) -> tuple[tuple[Block, ...], int]:
    """The blocks of the blockquotes from ``parts[index]`` on (one per quoted paragraph in
    MOBI), and the index after them."""
    blocks: list[Block] = []
    while index < len(parts) and parts[index].tag == "blockquote":
        blocks.extend(source.blocks(_innermost(parts[index]), contents_only=True))
        index += 1
    return tuple(blocks), index


def _wrapped(elements: list[etree._Element]) -> etree._Element:
    """The elements moved into one ``<div>``, so they convert as one text (a footnote's
    reference and its note, far apart, are found together)."""
    div = etree.Element("div")
    div.extend(elements)
    return div


def _is_chapter_heading(element: etree._Element) -> bool:
    """A MOBI chapter heading: a centred bold paragraph saying "Chapter N..." (AO3's own)."""
    text = text_of(element)
    return bool(taxonomy.AO3_CHAPTER_HEADING.match(text)) and \
        element.find(".//b") is not None and len(text) < 300


def _innermost(element: etree._Element) -> etree._Element:
    """KindleGen indents with nested blockquotes: the one holding the content."""
    while len(element) == 1 and element[0].tag == "blockquote" and not (element.text or "").strip():
        element = element[0]
    return element

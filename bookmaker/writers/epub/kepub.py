"""``-f kepub``: the EPUB made for Kobo's own renderer, as a ``.kepub.epub``.

Kobo e-readers read a plain ``.epub`` with Adobe's old engine; a ``.kepub.epub`` opens in Kobo's
own WebKit renderer, which is faster and gives reading statistics, accurate page turns, highlights
and the reading position synced between devices. That renderer finds its place in the text
through ``<span class="koboSpan" id="kobo.P.S">`` around every sentence (P counts the document's
text blocks, S the spans inside one), and lays pages out inside ``<div id="book-columns"><div
id="book-inner">``. This module adds both to the finished EPUB's documents, written from Kobo's
documented behaviour, not from other tools' code:

- the ids come from document order alone, so the same text gets the same ids on every rebuild
  and a reader's place and highlights survive an update of the book;
- every piece of text in the body is inside a span (an image gets one too, as Kobo expects), and
  only whitespace is left between them;
- footnotes stay ``epub:type="noteref"`` links to ``<aside epub:type="footnote">``: Kobo's
  renderer opens those as pop-ups;
- the series is in the package twice already (EPUB 3 ``belongs-to-collection`` and
  ``calibre:series``, which is the one Kobo reads from a sideloaded book).

Everything else is the EPUB writer's: one book, two packagings, the same EPUBCheck-clean output.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from lxml import etree

from bookmaker.errors import Finding
from bookmaker.model import Book
from bookmaker.safety.files import atomic_write
from bookmaker.settings.context import RenderContext
from bookmaker.writers.epub import assemble
from bookmaker.writers.epub.package import Resource, package_bytes

TYPESET = True

XHTML_NS = "http://www.w3.org/1999/xhtml"
_X = f"{{{XHTML_NS}}}"
# Elements whose text is one block of reading (a paragraph, a heading, a caption...).
TEXT_BLOCKS = frozenset("p h1 h2 h3 h4 h5 h6 li dt dd figcaption caption td th pre".split())
# Elements that sit inside a line of text.
INLINE = frozenset("""a abbr b bdi bdo br cite code data dfn em i kbd mark q s samp small span
    strong sub sup time u var wbr img""".split())
# HTML's void elements, the only ones written self-closed.
VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
# Elements whose content is not text to read.
_SKIP = frozenset({"script", "style", "svg", "math", "head", "title"})
# A sentence ends at . ! ? or … (with any closing quotes or brackets) followed by white space.
_SENTENCE_END = re.compile(r"(?<=[.!?\u2026])[\"'\u201d\u2019)\]]*\s+")
# Kobo's renderer sets its own margins on book-inner; the columns wrapper must not add any.
KOBO_CSS = ("\n/* Kobo's page wrappers (kepub) */\n"
            "div#book-columns, div#book-inner { margin: 0; padding: 0; }\n")


def write(book: Book, dest: Path, context: RenderContext) -> list[Finding]:
    atomic_write(Path(dest), kepub_bytes(book, context))
    return []


def kepub_bytes(book: Book, context: RenderContext | None = None) -> bytes:
    package = assemble(book, context or RenderContext())
    resources = tuple(_kobo_resource(resource) for resource in package.resources)
    return package_bytes(dataclasses.replace(package, resources=resources))


def _kobo_resource(resource: Resource) -> Resource:
    if resource.media_type == "text/css":
        return dataclasses.replace(resource, content=resource.content + KOBO_CSS.encode())
    if resource.media_type != "application/xhtml+xml" or "nav" in resource.properties:
        return resource  # the navigation document is read by the reading system, not paged
    return dataclasses.replace(resource, content=kobo_document(resource.content))


def kobo_document(content: bytes) -> bytes:
    """One XHTML document with Kobo's wrappers and sentence spans."""
    root = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))
    body = root.find(f"{_X}body")
    if body is None:
        return content
    _wrap_body(body)
    _Spanner().container(body)
    for element in body.iter(f"{_X}*"):
        if element.text is None and not len(element) and _local(element) not in VOID:
            # lxml would write <span/>; Kindle-style HTML parsers read that as an opening tag
            element.text = ""
    return etree.tostring(root.getroottree(), encoding="utf-8", xml_declaration=True,
                          doctype="<!DOCTYPE html>") + b"\n"


def _wrap_body(body: etree._Element) -> None:
    columns = etree.Element(f"{_X}div", id="book-columns")
    inner = etree.SubElement(columns, f"{_X}div", id="book-inner")
    inner.text, body.text = body.text, "\n"
    for child in list(body):
        inner.append(child)  # moves the child, with its tail
    body.append(columns)
    columns.tail = "\n"


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _has_text(text: str | None) -> bool:
    return bool(text and text.strip())


def sentences(text: str) -> list[str]:
    """``text`` cut after each sentence, the white space after a sentence kept with it."""
    pieces, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        pieces.append(text[start:match.end()])
        start = match.end()
    pieces.append(text[start:])
    return [piece for piece in pieces if piece]


class _Spanner:
    """Numbers text blocks (P) and the spans inside each (S) in document order."""

    def __init__(self) -> None:
        self.paragraph = 0
        self.span = 0

    def container(self, element: etree._Element) -> None:
        """An element holding blocks: each child that holds text becomes a paragraph."""
        for child in list(element):
            name = _local(child)
            if not name or name in _SKIP:
                continue
            if name == "img":
                self._start_paragraph()
                self._wrap_element(child)
            elif self._is_text_block(child):
                self._start_paragraph()
                self.inline(child)
            else:
                self.container(child)

    def _is_text_block(self, element: etree._Element) -> bool:
        name = _local(element)
        if name in INLINE or _has_text(element.text) or any(
                _local(child) in INLINE or _has_text(child.tail) for child in element):
            return True
        # A list item or cell holding only paragraphs is a container of them; an empty
        # paragraph still counts as one, so numbering does not depend on what is in it.
        return name in TEXT_BLOCKS and not len(element)

    def _start_paragraph(self) -> None:
        self.paragraph += 1
        self.span = 0

    def inline(self, element: etree._Element) -> None:
        """Wrap every run of text in ``element`` and below it, in order."""
        if element.get("class") == "koboSpan":
            return
        if _has_text(element.text):
            spans = self._spans(element.text)
            element.text = None
            for index, span in enumerate(spans):
                element.insert(index, span)
            start = len(spans)
        else:
            start = 0
        for child in list(element)[start:]:
            name = _local(child)
            if not name or name in _SKIP:
                pass
            elif name == "img":
                child = self._wrap_element(child)  # its tail now follows the span
            elif name in INLINE:
                self.inline(child)
            else:  # a block inside the text block (a list item's paragraphs): its own paragraph
                if self._is_text_block(child):
                    self._start_paragraph()
                    self.inline(child)
                else:
                    self.container(child)
            if _has_text(child.tail):
                spans = self._spans(child.tail)
                child.tail = None
                position = element.index(child) + 1
                for offset, span in enumerate(spans):
                    element.insert(position + offset, span)

    def _spans(self, text: str) -> list[etree._Element]:
        result = []
        for piece in sentences(text):
            self.span += 1
            span = etree.Element(f"{_X}span", {"class": "koboSpan",
                                               "id": f"kobo.{self.paragraph}.{self.span}"})
            span.text = piece
            result.append(span)
        return result

    def _wrap_element(self, element: etree._Element) -> etree._Element:
        """``element`` (an image) inside a span of its own; the span, which takes its tail."""
        self.span += 1
        span = etree.Element(f"{_X}span", {"class": "koboSpan",
                                           "id": f"kobo.{self.paragraph}.{self.span}"})
        parent = element.getparent()
        parent.replace(element, span)
        span.append(element)
        span.tail, element.tail = element.tail, None
        return span

"""Project Gutenberg's HTML books: the licence frame taken off, title page and contents left out.

Two layouts are met. Since about 2020 the header and the licence are ``section#pg-header`` and
``section#pg-footer``; before, they are ``<pre>`` blocks holding the same text as the plain-text
files (the header up to ``*** START OF THE PROJECT GUTENBERG EBOOK ... ***``, the licence from
``*** END OF ...``). Either way the header's ``Title:``/``Author:`` lines give the metadata (read by
readers/plaintext/gutenberg.py, the one place that knows that header) and the frame goes.

The book inside opens with a title page (the title as an ``<h1>``, often twice: on the title page
and again above the first chapter) and a table of contents whose links point at the chapters: the
story starts where the contents' first link points, so neither title becomes a chapter.
"""

from __future__ import annotations

import re

from lxml import etree

from bookmaker.readers.plaintext import gutenberg as text_frame
from bookmaker.safety.inputs import Ledger
from bookmaker.safety.sanitize import text_content

_HEADER_IDS = ("pg-header", "pg-footer", "pg-machine-header", "pg-start-separator",
               "pg-end-separator")


def is_gutenberg_book(body: etree._Element) -> bool:
    """Whether the page is one of Project Gutenberg's HTML books (its frame is there)."""
    if any(element.get("id") in ("pg-header", "pg-footer") for element in body.iter()):
        return True
    return _marker_element(body, text_frame.START) is not None


def unframe(body: etree._Element, ledger: Ledger) -> list[tuple[str, str, int]]:
    """Remove the frame (header, licence, title page, contents) from ``body`` in place, its
    text said to ``ledger`` as left out; the header's fields (name, value, line) as
    readers/plaintext/gutenberg.py reads them.

    The markers are looked for in the element that holds them (a ``<pre>``, ``<p>`` or
    ``<span>``) wherever it stands: a book wrapped whole in one ``<div>`` loses what stands
    before the START marker and after the END marker, never the wrapper with the book in it.
    """
    header_lines: list[str] = []
    for element in [e for e in body.iter() if e.get("id") in ("pg-header", "pg-footer")]:
        if element.get("id") == "pg-header":
            header_lines = _lines(element)
        ledger.leave_out(text_content(element), _FRAME)
        _remove(element)
    start = _marker_element(body, text_frame.START)
    if start is not None:
        header_lines = header_lines or _lines(start)
        _remove_around(start, body, ledger, before=True)
    end = _marker_element(body, text_frame.END)
    if end is not None:
        _remove_around(end, body, ledger, before=False)
    _drop_front_matter(body, ledger)
    return text_frame.header_fields(header_lines)


_FRAME = "Project Gutenberg's header and licence"
# The title page and contents are short: a first link whose target leaves out more than this
# share of the book is not the contents' (a note's link, a link to the transcriber's notes).
_MOST_FRONT_MATTER = 0.25


_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def chapter_level(body: etree._Element) -> int | None:
    """The heading level of the book's chapters when it marks them as Project Gutenberg's
    producers do, each a ``div.chapter`` opening with its heading (a poem, a chapter): the
    level most of those headings have; None for a book that does not."""
    levels = [int(tag[1]) for division in body.iter("div")
              if "chapter" in division.get("class", "").split()
              and (tag := _heading_tag(division))]
    if len(levels) < 2:
        return None
    return max(set(levels), key=levels.count)


def _top(element: etree._Element, body: etree._Element) -> etree._Element:
    """The child of ``body`` that holds ``element``."""
    while element.getparent() is not None and element.getparent() is not body:
        element = element.getparent()
    return element


def _heading_tag(element: etree._Element) -> str:
    """The tag of the first heading at or inside ``element`` ("" when there is none)."""
    return next((node.tag for node in element.iter(*_HEADING_TAGS)), "")


def _marker_element(body: etree._Element, marker: re.Pattern[str]) -> etree._Element | None:
    """The innermost element whose own text has a line ``marker`` matches."""
    for element in body.iter():
        if not isinstance(element.tag, str):
            continue
        own = [element.text or "", *(child.tail or "" for child in element)]
        if any(marker.match(line.strip()) for text in own for line in text.split("\n")):
            return element
    return None


def _remove_around(element: etree._Element, body: etree._Element, ledger: Ledger,
                   before: bool) -> None:
    """Remove ``element`` and everything before it (``before``) or after it in document order,
    up to ``body``; what goes is said to ``ledger`` as the frame."""
    gone: list[etree._Element] = [element]
    node = element
    while node is not body and node.getparent() is not None:
        siblings = node.itersiblings(preceding=before)
        gone.extend(sibling for sibling in siblings if isinstance(sibling.tag, str))
        if before and node.getparent() is not None:
            parent = node.getparent()
            ledger.leave_out(parent.text or "", _FRAME)
            parent.text = None  # text before the first child of an ancestor
        node = node.getparent()
    for item in gone:
        ledger.leave_out(text_content(item) + (item.tail or "" if before else ""), _FRAME)
        if before:
            item.tail = None
        _remove(item)


def _drop_front_matter(body: etree._Element, ledger: Ledger) -> None:
    """The title page and contents: everything before the earliest place an in-book link
    points forward to (the contents' first chapter, whatever order its links come in), when
    that is the short front of the book it always is."""
    ids = {element.get("id"): element for element in body.iter() if element.get("id")}
    ids.update({element.get("name"): element for element in body.iter("a") if element.get("name")})
    order = {element: index for index, element in enumerate(body.iter())}
    targets = [ids[link.get("href")[1:]] for link in body.iter("a")
               if link.get("href", "").startswith("#") and link.get("href")[1:] in ids
               and order[ids[link.get("href")[1:]]] > order[link]]
    if not targets:
        return
    target = min(targets, key=lambda element: order[element])
    top = _top(target, body)
    # The contents end with their last link; a heading like the chapters' after it (a chapter
    # the contents do not link to, as chapter I often is) starts the story before the target.
    contents_end = max((_top(link, body) for link in body.iter("a")
                        if link.get("href", "").startswith("#")
                        and order[link] < order[target]), key=lambda e: order[e], default=None)
    level = _heading_tag(top)
    front = []
    for child in body:
        if child is top:
            break
        if level and contents_end is not None and order[child] > order[contents_end] \
                and _heading_tag(child) == level:
            break
        front.append(child)
    text = (body.text or "") + " ".join(text_content(child) + (child.tail or "")
                                        for child in front)
    if len(text.split()) > _MOST_FRONT_MATTER * len(text_content(body).split()):
        return
    ledger.leave_out(text, "Project Gutenberg's title page and contents")
    body.text = None
    for child in front:
        _remove(child)


def _has_marker(element: etree._Element, marker) -> bool:
    return any(marker.match(line) for line in _lines(element))


_BLOCKS = frozenset({"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "section",
                     "tr", "table"})


def _lines(element: etree._Element) -> list[str]:
    """The element's text as lines: its own line breaks, and one between block elements."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        block = isinstance(node.tag, str) and node.tag in _BLOCKS
        if block:
            parts.append("\n")
        if isinstance(node.tag, str) and node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    walk(element)
    return [line.strip() for line in "".join(parts).split("\n")]


def _remove(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)

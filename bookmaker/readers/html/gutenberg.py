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

from lxml import etree

from bookmaker.readers.plaintext import gutenberg as text_frame

_HEADER_IDS = ("pg-header", "pg-footer", "pg-machine-header", "pg-start-separator",
               "pg-end-separator")


def is_gutenberg_book(body: etree._Element) -> bool:
    """Whether the page is one of Project Gutenberg's HTML books (its frame is there)."""
    if any(element.get("id") in ("pg-header", "pg-footer") for element in body.iter()):
        return True
    return any(_has_marker(child, text_frame.START) for child in body
               if isinstance(child.tag, str))


def unframe(body: etree._Element) -> list[tuple[str, str, int]]:
    """Remove the frame (header, licence, title page, contents) from ``body`` in place; the
    header's fields (name, value, line) as readers/plaintext/gutenberg.py reads them."""
    header_lines: list[str] = []
    for element in [e for e in body.iter() if e.get("id") in ("pg-header", "pg-footer")]:
        if element.get("id") == "pg-header":
            header_lines = _lines(element)
        _remove(element)
    children = [child for child in body if isinstance(child.tag, str)]
    start = next((i for i, child in enumerate(children) if _has_marker(child, text_frame.START)),
                 None)
    if start is not None:
        header_lines = header_lines or _lines(children[start])
        for child in children[:start + 1]:
            _remove(child)
        children = children[start + 1:]
    end = next((i for i, child in enumerate(children) if _has_marker(child, text_frame.END)),
               None)
    if end is not None:
        for child in children[end:]:
            _remove(child)
    _drop_front_matter(body)
    return text_frame.header_fields(header_lines)


def _drop_front_matter(body: etree._Element) -> None:
    """The title page and contents: everything before the target of the contents' first link
    (an in-book link to an anchor further down, as every Gutenberg contents has)."""
    ids = {element.get("id"): element for element in body.iter() if element.get("id")}
    ids.update({element.get("name"): element for element in body.iter("a") if element.get("name")})
    first_link = next((link for link in body.iter("a")
                       if link.get("href", "").startswith("#") and link.get("href")[1:] in ids),
                      None)
    if first_link is None:
        return
    target = ids[first_link.get("href")[1:]]
    order = {element: index for index, element in enumerate(body.iter())}
    if order.get(target, 0) <= order.get(first_link, 0):
        return
    top = target
    while top.getparent() is not None and top.getparent() is not body:
        top = top.getparent()
    for child in list(body):
        if child is top:
            break
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

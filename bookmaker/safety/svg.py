"""SVG images from strangers, made as harmless as a PNG before any writer sees them.

An SVG is an XML program more than a picture: it can declare entities (a billion laughs), run
``<script>`` and ``onload=`` handlers in a reading app, embed arbitrary HTML through
``<foreignObject>``, pull images and stylesheets from the network or the disk through ``href``
and CSS ``url()``, and multiply its drawing work exponentially through nested ``<use>`` (a 1 KB
"use bomb" that no renderer finishes). Every SVG, whether a file beside a manuscript or an image
inside an EPUB or DOCX, goes through clean_svg: parsed by safety/xml.py (no entity, no DTD, no
network), counted, stripped of everything active or external, and serialised again. What comes
out is what the EPUB ships and what the PDF writer draws.
"""

from __future__ import annotations

import re

from lxml import etree

from bookmaker.errors import ManuscriptError
from bookmaker.safety.xml import parse_xml

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

# The most elements an SVG may have as written, and once every <use> is expanded (counted, never
# done). Book illustrations and ornaments are a few hundred to a few thousand elements.
MAX_SVG_ELEMENTS = 20_000
MAX_SVG_RENDERED_ELEMENTS = 100_000

# Elements removed with everything inside them: code, HTML islands, animation that can rewrite
# attributes (``<set attributeName="href">``), and references to other documents.
_REMOVED = {"script", "foreignObject", "set", "animate", "animateMotion", "animateTransform",
            "animateColor", "handler", "listener", "iframe", "object", "embed", "audio", "video",
            "discard"}
# A reference that stays inside the document (``#id``) or is inline data of an image.
_LOCAL = re.compile(r"^\s*(#|data:image/(png|jpeg|gif|webp);)", re.IGNORECASE)
# CSS that could reach out: url() to anything but a fragment, @import, expressions.
_CSS_URL = re.compile(r"url\(\s*(?!['\"]?#)[^)]*\)|@import[^;]*;?|expression\s*\(",
                      re.IGNORECASE)
_HINT = "the SVG is left out; export it again as a plain drawing or as PNG"


def clean_svg(data: bytes, name: str = "image") -> bytes:
    """``data`` as a safe SVG, or a ManuscriptError saying why the image cannot be used."""
    root = parse_xml(data, None, name)
    if etree.QName(root).localname != "svg":
        raise ManuscriptError(f"image {name!r} is not an SVG drawing", hint=_HINT)
    elements = sum(1 for _ in root.iter())
    if elements > MAX_SVG_ELEMENTS:
        raise ManuscriptError(f"image {name!r} has {elements:,} SVG elements, more than the "
                              f"{MAX_SVG_ELEMENTS:,} allowed", hint=_HINT)
    _strip(root)
    rendered = _rendered_count(root)
    if rendered > MAX_SVG_RENDERED_ELEMENTS:
        raise ManuscriptError(f"image {name!r} expands (through <use>) to more than "
                              f"{MAX_SVG_RENDERED_ELEMENTS:,} elements", hint=_HINT)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def _strip(root: etree._Element) -> None:
    for element in list(root.iter()):
        if not isinstance(element.tag, str):  # comments, processing instructions
            _remove(element)
            continue
        if etree.QName(element).localname in _REMOVED:
            _remove(element)
            continue
        for attribute in list(element.attrib):
            local = etree.QName(attribute).localname
            value = element.attrib[attribute]
            if local.lower().startswith("on") or (
                    local == "href" and not _LOCAL.match(value)):
                del element.attrib[attribute]
            elif local == "style" and _CSS_URL.search(value):
                element.attrib[attribute] = _CSS_URL.sub("", value)
            elif "url(" in value.lower() and _CSS_URL.search(value):
                element.attrib[attribute] = _CSS_URL.sub("none", value)
        if etree.QName(element).localname == "style" and element.text:
            element.text = _CSS_URL.sub("", element.text)


def _remove(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail and tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _rendered_count(root: etree._Element) -> int:
    """How many elements a renderer would draw with every <use> expanded, counted bottom-up
    with each element's cost remembered, so a bomb is measured in linear time. A <use> cycle
    counts as too many."""
    by_id = {element.get("id"): element for element in root.iter()
             if isinstance(element.tag, str) and element.get("id")}
    cost: dict[etree._Element, int] = {}
    in_progress: set[etree._Element] = set()
    too_many = MAX_SVG_RENDERED_ELEMENTS + 1

    def count(element: etree._Element) -> int:
        if element in cost:
            return cost[element]
        if element in in_progress:
            return too_many
        in_progress.add(element)
        # Iterative over children (deep trees are bounded by lxml's depth limit and
        # MAX_SVG_ELEMENTS); only <use> references recurse, and each element is costed once.
        total = 1
        for child in element:
            if isinstance(child.tag, str):
                total = min(total + count(child), too_many)
        if etree.QName(element).localname == "use":
            target = (element.get("href") or element.get(f"{{{XLINK_NS}}}href") or "")
            referenced = by_id.get(target.lstrip("#")) if target.startswith("#") else None
            if referenced is not None:
                total = min(total + count(referenced), too_many)
        in_progress.discard(element)
        cost[element] = total
        return total

    try:
        return count(root)
    except RecursionError:  # a <use> chain deeper than Python's stack: a bomb by any measure
        return too_many

"""The one way into a tree: every HTML-ish input is parsed here, once, and sanitised, once.

AO3 downloads and saved work pages, saved web pages, Project Gutenberg's HTML, EPUB pages (AO3's
calibre EPUB among them), the flat HTML of a Kindle book, a Word document as mammoth writes it and
a manuscript's raw HTML all come through one of three doors, and each gives the same thing: an
``HtmlDocument`` whose tree (lxml elements with plain lower-case tag names) has been cleaned by
bookmaker.safety.sanitize.sanitize_tree before anyone sees it. Readers find their parts in that
tree and hand them to readers/html/blocks.py, which turns them into the model; no part is ever
serialised and parsed again.

- ``parse_html(text)``: a whole document, parsed as browsers parse tag soup (justhtml, an HTML5
  parser), so a saved page or an old download gives the tree its author saw;
- ``parse_fragment(text, first_line=N)``: a piece of HTML (a manuscript's raw HTML block, an OPF
  description, mammoth's output), as inside a ``<body>``, in one ``<div>``;
- ``parse_xhtml(data)``: an XHTML page of an EPUB, through bookmaker.safety.xml (no entities, no
  DTD); a page that is not well-formed raises ManuscriptError, and its reader may then try
  parse_html with a warning.

What the sanitiser removes from a document's ``<head>`` that readers need (its ``<title>``,
``<meta>`` and ``<link>`` values, the CSS of its ``<style>`` elements, an AO3 work skin among
them) is read first and kept on the HtmlDocument as text, never as elements. Every element keeps
its ``sourceline``, so messages point at the file's line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import TypeVar

from justhtml import JustHTML
from lxml import etree

from bookmaker.errors import ManuscriptError
from bookmaker.safety.inputs import Ledger
from bookmaker.safety.sanitize import (EPUB_TYPE, XHTML_NAMESPACE, LeftOut, sanitize_tree,
                                       text_content)
from bookmaker.safety.xml import clean_text, parse_xml

_ATTRIBUTE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
# An XHTML file's prologue: the XML declaration (and the DOCTYPE after it), with any comments.
_XML_PROLOGUE = re.compile(r"\A\ufeff?\s*<\?xml[^>]*\?>(?:\s*<!--.*?-->)*\s*(?:<!DOCTYPE[^>]*>)?",
                           re.IGNORECASE | re.DOTALL)
_HEAD_TAGS = ("title", "meta", "link", "style")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class HtmlDocument:
    """A parsed, sanitised document (or fragment) and what its head said."""

    root: etree._Element
    title: str = ""
    # (name or property, content) of each <meta>; (rel, href) of each <link>
    metas: tuple[tuple[str, str], ...] = ()
    links: tuple[tuple[str, str], ...] = ()
    # the CSS of each <style>, with its line
    styles: tuple[tuple[str, int | None], ...] = ()
    # what the sanitiser removed with its content (scripts, frames, forms...)
    left_out: tuple[LeftOut, ...] = ()

    @property
    def body(self) -> etree._Element:
        """The ``<body>`` (the root itself for a fragment)."""
        return next(self.root.iter("body"), self.root)

    def meta(self, name: str) -> str:
        """The first non-empty ``<meta name|property=name>`` content, whitespace collapsed."""
        return next((_SPACES.sub(" ", content).strip() for key, content in self.metas
                     if key.lower() == name.lower() and content.strip()), "")


def parse_html(text: str, source: str | PurePath | None = None,
               ledger: Ledger | None = None) -> HtmlDocument:
    """A whole document, parsed by an HTML5 parser and sanitised; ``source`` names the file in
    the error raised for a document nested too deeply to be a story. The text of its body, and
    what the sanitiser removed with its content, go into ``ledger`` (the input's: see
    readers/accounting.py)."""
    text = _without_xml_prologue(text)

    def parse() -> etree._Element:
        document = JustHTML(text, sanitize=False, track_node_locations=True)
        root = etree.Element("html")
        for node in document.root.children or ():
            if getattr(node, "name", "") == "html":
                root.attrib.update(_lxml_attributes(node.attrs or {}))
                if node.origin_line:
                    root.sourceline = node.origin_line
                _copy_children(node, root, 0)
        return root
    return _sanitised_document(_guard_depth(parse, source), ledger)


def parse_fragment(text: str, source: str | PurePath | None = None,
                   first_line: int = 1) -> HtmlDocument:
    """A fragment of HTML, parsed as inside a ``<body>`` into one ``<div>``, and sanitised;
    ``first_line`` is the file's line the fragment starts on, so elements carry the file's
    lines."""
    def parse() -> etree._Element:
        document = JustHTML(text, sanitize=False, track_node_locations=True, fragment=True)
        root = etree.Element("div")
        _copy_children(document.root, root, first_line - 1)
        return root
    root = _guard_depth(parse, source)
    return HtmlDocument(root, left_out=tuple(sanitize_tree(root)))


def parse_xhtml(data: bytes, source: str | PurePath | None = None, part: str = "",
                ledger: Ledger | None = None) -> HtmlDocument:
    """An XHTML page (``part`` of the container ``source``), parsed as XML by
    bookmaker.safety.xml and sanitised; ManuscriptError when it is not well-formed (UnsafeXmlError
    when it declares entities, which must never be parsed another way). Its text goes into
    ``ledger`` as parse_html's does."""
    return _sanitised_document(parse_xml(data, source, part), ledger)


# --------------------------------------------------------------------------- the head, then clean


def _sanitised_document(root: etree._Element, ledger: Ledger | None = None) -> HtmlDocument:
    """``root`` sanitised, with what its head said read before the sanitiser removes it; the
    body's text and what the sanitiser took out of it recorded in ``ledger``."""
    title, metas, links, styles = "", [], [], []
    names = [*_HEAD_TAGS, *(f"{{{XHTML_NAMESPACE}}}{tag}" for tag in _HEAD_TAGS)]
    for element in root.iter(*names):
        tag = etree.QName(element).localname
        if tag == "title" and not title:
            title = _SPACES.sub(" ", "".join(element.itertext())).strip()
        elif tag == "meta":
            key = element.get("property") or element.get("name") or ""
            if key:
                metas.append((key, element.get("content", "")))
        elif tag == "link":
            links.append((element.get("rel", ""), element.get("href", "")))
        elif tag == "style":
            styles.append(("".join(element.itertext()), element.sourceline))
    if ledger is not None:
        body = next((element for element in root if isinstance(element.tag, str)
                     and etree.QName(element).localname.lower() == "body"), root)
        ledger.holds(text_content(body))
    left_out = sanitize_tree(root)
    if ledger is not None:
        for removed in left_out:
            ledger.leave_out(removed.text, f"<{removed.tag}> removed with its content")
    return HtmlDocument(root, title, tuple(metas), tuple(links), tuple(styles), tuple(left_out))


# --------------------------------------------------------------------------- justhtml to lxml


def _without_xml_prologue(text: str) -> str:
    """``text`` without a leading ``<?xml ...?>`` declaration (and the DOCTYPE after it), which
    the HTML parser would otherwise keep as text at the top of the body; its line breaks stay, so
    source lines do not move."""
    match = _XML_PROLOGUE.match(text)
    if match is None:
        return text
    return "\n" * match.group(0).count("\n") + text[match.end():]


def _copy_children(node, parent: etree._Element, line_offset: int) -> None:
    """Build lxml children of ``parent`` from a justhtml node's children: text and elements
    (comments and doctype are left behind; the sanitiser judges the elements)."""
    last: etree._Element | None = None
    for child in node.children or ():
        name = getattr(child, "name", "")
        if name == "#text":
            text = clean_text(child.data or "")
            if last is None:
                parent.text = (parent.text or "") + text
            else:
                last.tail = (last.tail or "") + text
        elif not name.startswith(("#", "!")) and _ATTRIBUTE_NAME.fullmatch(name):
            tag = name if getattr(child, "namespace", "html") == "html" else f"{{foreign}}{name}"
            last = etree.SubElement(parent, tag, _lxml_attributes(child.attrs or {}))
            if child.origin_line:
                last.sourceline = child.origin_line + line_offset
            _copy_children(child, last, line_offset)


def _lxml_attributes(attributes: dict) -> dict[str, str]:
    """Attributes lxml can hold: ``epub:type`` in its namespace, other prefixed names dropped."""
    kept = {}
    for name, value in attributes.items():
        value = clean_text(value or "")
        if name == "epub:type":
            kept[EPUB_TYPE] = value
        elif _ATTRIBUTE_NAME.fullmatch(name):
            kept[name] = value
    return kept


_Tree = TypeVar("_Tree")


def _guard_depth(parse: Callable[[], _Tree], source: str | PurePath | None) -> _Tree:
    """Run a parse; a document nested thousands deep is refused, not a traceback."""
    try:
        return parse()
    except RecursionError:
        raise ManuscriptError("the HTML is nested too deeply to be a story", source,
                              hint="the file is damaged or hostile; export it again") from None

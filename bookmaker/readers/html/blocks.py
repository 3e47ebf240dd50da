"""Untrusted (X)HTML to model blocks and inlines: shared by the AO3, generic HTML, EPUB and DOCX
readers.

Public API (lxml elements in, model nodes out)::

    parse_html(text) -> lxml <html> element        a whole document, parsed as browsers do
    parse_fragment(text) -> lxml <div> element      a fragment, wrapped in one <div>
    html_to_blocks(element, *, source, line_offset=0, resolve_image=None, contents_only=False)
        -> tuple[Block, ...]
    html_to_inlines(element, *, source, line_offset=0, resolve_image=None) -> tuple[Inline, ...]

``element`` may come from parse_html/parse_fragment or from an XHTML file parsed with
bookmaker.safety.xml (namespaced tags and ``epub:type`` are understood). Both converters take the
element *with* its own tag (a ``<p>`` gives a Paragraph, a ``<div class="userstuff">`` its blocks);
``contents_only=True`` ignores the element's own tag (AO3 wraps summaries in a ``<blockquote>``
that is a frame, not a quotation).
``source`` is the file named in errors; ``line_offset`` is added to the elements' ``sourceline``
(for a fragment cut out of a bigger file); ``resolve_image(src, line) -> str | None`` turns an
image's ``src`` into the model's reference (a path relative to the book's folder, or
``embedded:NAME``) or None to drop the image. Without it, only plain relative paths are kept;
anything with a scheme (``file:``, ``http:``, ``data:``) or an absolute path is dropped, so nothing
outside the input's folder or on the network is ever named.

Safety: whatever the caller passes, the element is serialised, cleaned by
bookmaker.safety.sanitize.sanitize_import_html (nh3) and parsed again with an HTML5 parser
(justhtml) before conversion, so scripts, styles, frames, forms, event handlers and
``javascript:`` URLs never reach the model. Source lines travel through the sanitiser as
``data-line`` attributes.

Mapping decisions: ``<hr>`` is a SceneBreak; a ``<p>`` with nothing but spaces is an empty
Paragraph (transforms.scenebreaks decides whether a run of them is a break); two ``<br>`` in a row
end a paragraph and three or more also leave an empty paragraph; alignment comes from ``<center>``,
``align`` or ``style="text-align"``; tables are kept as sanitised RawHtml (the EPUB writer keeps
their structure valid) because flattening loses what a fic's table of texts or stats means.
Footnotes: EPUB 3 ``noteref`` links and ``footnote``/``endnote`` asides, and the Calibre/FanFicFare/
Pandoc form (a link whose text is a marker such as ``1`` or ``[2]`` pointing at a later element by
id) become FootnoteRef + Footnote blocks at the end; the notes' back-links are dropped.
"""

from __future__ import annotations

import copy
import dataclasses
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from justhtml import JustHTML
from lxml import etree

from bookmaker.errors import ManuscriptError
from bookmaker.model import (Block, BlockQuote, Code, Emph, Footnote, FootnoteRef, Heading, Image,
                             Inline, LineBlock, LineBreak, Link, ListBlock, Paragraph,
                             Ruby, SceneBreak, SmallCaps, Span, Strikeout, Strong, Subscript,
                             Superscript, Table, TableCell, Text)
from bookmaker.safety.sanitize import sanitize_import_html
from bookmaker.transforms.scenebreaks import is_divider_image
from bookmaker.safety.xml import clean_text

ImageResolver = Callable[[str, "int | None"], "str | None"]

OPS_NAMESPACE = "http://www.idpf.org/2007/ops"
EPUB_TYPE = f"{{{OPS_NAMESPACE}}}type"

_VOID = frozenset({"br", "hr", "img", "wbr", "area", "col", "embed", "input", "meta", "link",
                   "param", "source", "track", "base"})
_BLOCK_TAGS = frozenset("""p div blockquote hr h1 h2 h3 h4 h5 h6 ul ol li dl dt dd table pre
    figure figcaption aside section article main header footer nav center img caption""".split())
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_WRAPPERS = frozenset("div section article main header footer nav figure aside li dd center "
                      "caption".split())
_INLINE_WRAPPERS: dict[str, Callable[[tuple[Inline, ...]], Inline]] = {
    "em": Emph, "i": Emph, "cite": Emph, "dfn": Emph, "var": Emph,
    "strong": Strong, "b": Strong,
    "s": Strikeout, "strike": Strikeout, "del": Strikeout,
    "sup": Superscript, "sub": Subscript,
    "u": lambda children: Span(children, ("underline",)),
    "ins": lambda children: Span(children, ("underline",)),
    "small": lambda children: Span(children, ("small",)),
    "big": lambda children: Span(children, ("big",)),
}
_CODE_TAGS = frozenset({"code", "tt", "kbd", "samp"})
_NOTE_TYPES = frozenset({"footnote", "endnote", "rearnote", "note", "doc-footnote", "doc-endnote"})
_NOTEREF_TYPES = frozenset({"noteref", "doc-noteref"})
_NOTES_SECTIONS = frozenset({"footnotes", "endnotes", "rearnotes", "doc-endnotes"})
_NOTE_MARKER = re.compile(r"\s*[\[(]?\s*(?:\d{1,4}|[*†‡§]{1,3}|[ivx]{1,5})\s*[\])]?\s*")
_SAFE_LINK = re.compile(r"(?:https?:|mailto:)", re.IGNORECASE)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_SPACES = re.compile(r"[ \t\n\r\f]+")
_PIXELS = re.compile(r"\s*(\d{1,5})\s*(?:px)?\s*")


# --------------------------------------------------------------------------- parsing


def parse_html(text: str, source: str | PurePath | None = None) -> etree._Element:
    """The ``<html>`` element of an untrusted document, built by an HTML5 parser.

    HTML5 parsing is what browsers do with tag soup, so a saved page or an old AO3 download
    gives the tree its author saw; ``sourceline`` is set on every element. ``source`` names the
    file in the error raised for a document nested too deeply to be a story.
    """
    text = _without_xml_prologue(text)

    def parse() -> etree._Element:
        document = JustHTML(text, sanitize=False, track_node_locations=True)
        root = etree.Element("html")
        for node in document.root.children or ():
            if getattr(node, "name", "") == "html":
                root.attrib.update(_lxml_attributes(node.attrs or {}))
                if node.origin_line:
                    root.sourceline = node.origin_line
                _copy_children(node, root)
        return root
    return _guard_depth(parse, source)


# An XHTML file's prologue: the XML declaration (and the DOCTYPE after it), with any comments.
_XML_PROLOGUE = re.compile(r"\A\ufeff?\s*<\?xml[^>]*\?>(?:\s*<!--.*?-->)*\s*(?:<!DOCTYPE[^>]*>)?",
                           re.IGNORECASE | re.DOTALL)


def _without_xml_prologue(text: str) -> str:
    """``text`` without a leading ``<?xml ...?>`` declaration (and the DOCTYPE after it), which
    the HTML parser would otherwise keep as text at the top of the body; its line breaks stay, so
    source lines do not move."""
    match = _XML_PROLOGUE.match(text)
    if match is None:
        return text
    return "\n" * match.group(0).count("\n") + text[match.end():]


def parse_fragment(text: str, source: str | PurePath | None = None) -> etree._Element:
    """A ``<div>`` holding the nodes of an HTML fragment, parsed as inside a ``<body>``."""
    def parse() -> etree._Element:
        document = JustHTML(text, sanitize=False, track_node_locations=True, fragment=True)
        root = etree.Element("div")
        _copy_children(document.root, root)
        return root
    return _guard_depth(parse, source)


def _copy_children(node, parent: etree._Element) -> None:
    """Build lxml children of ``parent`` from a justhtml node's children (HTML elements only)."""
    last: etree._Element | None = None
    for child in node.children or ():
        name = getattr(child, "name", "")
        if name == "#text":
            text = clean_text(child.data or "")
            if last is None:
                parent.text = (parent.text or "") + text
            else:
                last.tail = (last.tail or "") + text
        elif not name.startswith(("#", "!")) and getattr(child, "namespace", "html") == "html" \
                and _ATTRIBUTE_NAME.fullmatch(name):
            last = etree.SubElement(parent, name, _lxml_attributes(child.attrs or {}))
            if child.origin_line:
                last.sourceline = child.origin_line
            _copy_children(child, last)


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


# --------------------------------------------------------------------------- sanitising


def _sanitised(element: etree._Element, line_offset: int) -> etree._Element:
    """``element`` serialised, cleaned by nh3 and parsed again: a ``<div>`` holding it."""
    parts: list[str] = []
    _serialise(element, line_offset, parts)
    return parse_fragment(sanitize_import_html("".join(parts)))


def _serialise(element: etree._Element, line_offset: int, out: list[str]) -> None:
    """HTML for ``element`` without namespaces, each element carrying its line as data-line."""
    if isinstance(element.tag, str):
        name = etree.QName(element).localname.lower()
        out.append(f"<{name}{_serialised_attributes(element, line_offset)}>")
        if element.text:
            out.append(html.escape(element.text, quote=False))
        for child in element:
            _serialise(child, line_offset, out)
        if name not in _VOID:
            out.append(f"</{name}>")
    if element.tail:
        out.append(html.escape(element.tail, quote=False))


def _serialised_attributes(element: etree._Element, line_offset: int) -> str:
    attributes = []
    for name, value in element.attrib.items():
        if name == EPUB_TYPE:
            name = "epub:type"
        elif name.startswith("{"):
            name = etree.QName(name).localname if name.endswith("}lang") else ""
        if name and name != "data-line":
            attributes.append(f' {name}="{html.escape(value)}"')
    if element.sourceline:
        attributes.append(f' data-line="{element.sourceline + line_offset}"')
    return "".join(attributes)


# --------------------------------------------------------------------------- public converters


def html_to_blocks(element: etree._Element, *, source: str | PurePath, line_offset: int = 0,
                   resolve_image: ImageResolver | None = None,
                   contents_only: bool = False,
                   keep_classes: frozenset[str] = frozenset()) -> tuple[Block, ...]:
    """The model blocks ``element`` holds, footnotes last (see the module's docstring).

    ``keep_classes`` are classes a stylesheet of the work styles (an AO3 work skin): an element
    carrying one keeps it, prefixed ``skin-``, as a Span around its text (block elements: around
    each paragraph's text), so the work's own CSS still finds it.
    """
    clean = _sanitised(element, line_offset)
    if contents_only and len(clean) == 1 and not (clean.text or "").strip():
        clean = clean[0]
    converter = _Converter(clean, source, resolve_image, keep_classes)
    return _guard_depth(lambda: converter.document_blocks(clean), source)


def html_to_inlines(element: etree._Element, *, source: str | PurePath, line_offset: int = 0,
                    resolve_image: ImageResolver | None = None) -> tuple[Inline, ...]:
    """The inlines inside ``element`` on one line (block boundaries become spaces): for titles,
    labels and other places where the model wants text, not paragraphs."""
    clean = _sanitised(element, line_offset)
    converter = _Converter(clean, source, resolve_image)
    return _guard_depth(lambda: tuple(_tidy(converter.flat_inlines(clean, " "))), source)


def _guard_depth(convert, source: str | PurePath | None):
    """Run a conversion; a document nested thousands deep is refused, not a traceback."""
    try:
        return convert()
    except RecursionError:
        raise ManuscriptError("the HTML is nested too deeply to be a story", source,
                              hint="the file is damaged or hostile; export it again") from None


# --------------------------------------------------------------------------- the converter


def _tokens(element: etree._Element) -> set[str]:
    """The element's ``epub:type`` and ARIA ``role`` words, which say what a note is."""
    return set((element.get(EPUB_TYPE, "") + " " + element.get("role", "")).split())


def _line(element: etree._Element) -> int | None:
    value = element.get("data-line", "")
    return int(value) if value.isdigit() else None


def _align(element: etree._Element, inherited: str) -> str:
    """"center"/"right" when the element (or a ``<center>`` around it) asks for it."""
    if element.tag == "center" or {"center", "centre"} & set(element.get("class", "").split()):
        return "center"
    stated = (element.get("align", "") or _text_align(element.get("style", ""))).lower()
    if stated in ("center", "right"):
        return stated
    return "" if stated in ("left", "justify") else inherited


def _text_align(style: str) -> str:
    match = re.search(r"text-align\s*:\s*([a-z]+)", style, re.IGNORECASE)
    return match.group(1) if match else ""


@dataclass(frozen=True)
class _Picture:
    """An ``<img>`` met in the text: the model's images are blocks, so it waits for the end of
    the paragraph it stands in, and whether it is a divider depends on what else is there."""

    image: Image | None
    written_src: str
    alt: str
    height: int | None
    line: int | None


class _Converter:
    """One conversion: knows the document's footnotes, collects their bodies and hoisted images."""

    def __init__(self, root: etree._Element, source: str | PurePath,
                 resolve_image: ImageResolver | None,
                 keep_classes: frozenset[str] = frozenset()) -> None:
        self.source = source
        self.keep_classes = keep_classes
        self.resolve_image = resolve_image or _keep_relative_path
        self.notes = _find_footnotes(root)
        self.note_order: list[str] = []
        # Images met inside a paragraph's text (the model's images are blocks), with the height
        # the source gave them: they follow the paragraph they were in.
        self.hoisted: list[_Picture] = []

    # ----------------------------------------------------------------- blocks

    def document_blocks(self, root: etree._Element) -> tuple[Block, ...]:
        blocks = self.blocks_of(root, "")
        footnotes = []
        index = 0
        while index < len(self.note_order):  # notes may reference further notes
            note_id = self.note_order[index]
            body = self.notes[note_id]
            footnotes.append(Footnote(note_id, tuple(self.blocks_of(body, "")), _line(body)))
            index += 1
        return (*blocks, *footnotes)

    def blocks_of(self, container: etree._Element, align: str) -> list[Block]:
        """The blocks inside ``container``: block children converted, inline runs as paragraphs."""
        blocks: list[Block] = []
        pending: list[Inline] = [Text(container.text)] if container.text else []

        def flush() -> None:
            blocks.extend(self.paragraphs(pending, align, _line(container), explicit=False))
            pending.clear()

        for child in container:
            if self._is_note_body(child):
                pass
            elif child.tag in _BLOCK_TAGS:
                flush()
                blocks.extend(self.block(child, align))
            else:
                pending.extend(self.inline(child))
            if child.tail:
                pending.append(Text(child.tail))
        flush()
        return blocks

    def block(self, element: etree._Element, inherited_align: str) -> list[Block]:
        blocks = self._block(element, inherited_align)
        classes = self.kept_classes(element)
        return [_with_classes(block, classes) for block in blocks] if classes else blocks

    def kept_classes(self, element: etree._Element) -> tuple[str, ...]:
        if not self.keep_classes:
            return ()
        return tuple(f"skin-{name}" for name in element.get("class", "").split()
                     if name in self.keep_classes)

    def _block(self, element: etree._Element, inherited_align: str) -> list[Block]:
        tag, line = element.tag, _line(element)
        align = _align(element, inherited_align)
        if tag == "p":
            return self.paragraphs(self.inlines_of(element), align, line, explicit=True)
        if tag in _HEADINGS:
            children = tuple(_tidy(self.flat_inlines(element, " ")))
            return [Heading(_HEADINGS[tag], children, line)] if children else []
        if tag == "hr":
            parent = element.getparent()
            if parent is not None and (_tokens(parent) & _NOTES_SECTIONS or "footnotes" in
                                       parent.get("class", "").split()):
                return []  # the rule pandoc and Calibre draw above the notes: not a break
            return [SceneBreak(line)]
        if tag == "img":
            self.hoisted.append(self.picture(element))
            return self.paragraphs([], align, line, explicit=False)
        if tag == "blockquote":
            inner = tuple(self.blocks_of(element, ""))
            return [BlockQuote(inner, line)] if inner else []
        if tag in ("ul", "ol"):
            return self.list_block(element, line)
        if tag == "dl":
            return self.definition_list(element)
        if tag == "dt":
            children = tuple(_tidy(self.flat_inlines(element, " ")))
            return [Paragraph((Strong(children),), line, align)] if children else []
        if tag == "table":
            return self.table(element, line)
        if _is_verse(element):
            return self.verse(element, line)
        if tag == "pre":
            return self.line_block(element, line)
        if tag == "figcaption":
            return self.paragraphs(self.flat_inlines(element, " "), "center", line, explicit=False)
        if tag in _WRAPPERS and not any(child.tag in _BLOCK_TAGS and child.tag != "img"
                                        for child in element):
            return self.paragraphs(self.inlines_of(element), align, line,
                                   explicit=tag in ("div", "center"))
        return self.blocks_of(element, align)

    def paragraphs(self, inlines: list[Inline], align: str, line: int | None,
                   explicit: bool) -> list[Block]:
        """Paragraphs from an inline run, split at two or more line breaks; then hoisted images.

        An explicit ``<p>`` with no text stays as an empty Paragraph for the scene-break pass; the
        spaces between two blocks (``explicit=False``) are nothing.
        """
        blocks: list[Block] = []
        for children, extra_breaks in _split_at_break_runs(_tidy(inlines)):
            if _is_blank(children):
                children = []
            if children:
                blocks.append(Paragraph(tuple(children), line, align))
            blocks.extend(Paragraph((), line) for _ in range(extra_breaks))
        pictures, self.hoisted = self.hoisted, []
        images: list[Block] = [picture.image for picture in pictures if picture.image]
        if len(pictures) == 1 and not blocks and align == "center":
            picture = pictures[0]
            if is_divider_image(picture.written_src, picture.alt, picture.height):
                # An image alone in a centred paragraph is an ornament when it is named like
                # one or is a thin strip; even one that may not be fetched still marks a break.
                images = [SceneBreak(picture.line)]
        if not blocks and not images and explicit and not pictures:
            blocks.append(Paragraph((), line))
        return blocks + images

    def picture(self, element: etree._Element) -> _Picture:
        """An ``<img>`` as written, and the Image it becomes (None when its source is refused)."""
        line = _line(element)
        written = element.get("src", "").strip()
        src = self.resolve_image(written, line)
        alt = element.get("alt", "").strip()
        height = _PIXELS.fullmatch(element.get("height", ""))
        image = Image(src, alt, element.get("title", ""), line) if src else None
        return _Picture(image, written, alt, int(height.group(1)) if height else None, line)

    def list_block(self, element: etree._Element, line: int | None) -> list[Block]:
        items: list[tuple[Block, ...]] = []
        for child in element:
            if self._is_note_body(child):
                continue
            blocks = tuple(self.blocks_of(child, "") if child.tag == "li"
                           else self.block(child, "") if child.tag in _BLOCK_TAGS
                           else self.paragraphs(self.inline(child), "", line, explicit=False))
            if blocks:
                items.append(blocks)
        if not items:
            return []
        start = element.get("start", "1")  # "²" is a digit to isdigit(), not to int()
        number = int(start) if start.isascii() and start.isdigit() and len(start) < 10 else 1
        return [ListBlock(tuple(items), element.tag == "ol", number, line)]

    def definition_list(self, element: etree._Element) -> list[Block]:
        blocks: list[Block] = []
        for child in element:
            blocks.extend(self.block(child, "") if child.tag in _BLOCK_TAGS
                          else self.paragraphs(self.inline(child), "", _line(element), False))
        return blocks

    def table(self, element: etree._Element, line: int | None) -> list[Block]:
        """A Table: cells of ``<thead>`` and ``<th>`` cells are header cells; spans kept."""
        caption: tuple[Inline, ...] = ()
        rows: list[tuple[TableCell, ...]] = []
        for child in element:
            if child.tag == "caption":
                caption = tuple(_tidy(self.flat_inlines(child, " ")))
            elif child.tag == "tr":
                rows.append(self.table_row(child, False))
            elif child.tag in ("thead", "tbody", "tfoot"):
                rows.extend(self.table_row(row, child.tag == "thead")
                            for row in child if row.tag == "tr")
        rows = [row for row in rows if row]
        if not rows:
            return self.paragraphs(list(caption), "", line, explicit=False)
        return [Table(tuple(rows), caption, line)]

    def table_row(self, row: etree._Element, in_head: bool) -> tuple[TableCell, ...]:
        cells = []
        for cell in row:
            if cell.tag not in ("td", "th"):
                continue
            align = _align(cell, "")
            cells.append(TableCell(tuple(self.blocks_of(cell, "")),
                                   header=in_head or cell.tag == "th",
                                   colspan=_span_count(cell.get("colspan", "")),
                                   rowspan=_span_count(cell.get("rowspan", "")),
                                   align=align if align in ("center", "right") else ""))
        return tuple(cells)

    def verse(self, element: etree._Element, line: int | None) -> list[Block]:
        """A stanza written as one ``<div>`` (or ``<p>``/``<span class="line">``) per line."""
        lines: list[tuple[Inline, ...]] = []
        for child in element:
            if child.tag in ("div", "p", "span"):
                lines.append(tuple(_tidy(self.flat_inlines(child, " "))))
            elif child.tag == "br":
                continue
        return [LineBlock(tuple(lines), line)] if any(lines) else []

    def line_block(self, element: etree._Element, line: int | None) -> list[Block]:
        text = "".join(element.itertext()).strip("\n")
        lines = tuple((Text(row),) if row else () for row in text.split("\n"))
        return [LineBlock(lines, line)] if text.strip() else []

    # ----------------------------------------------------------------- inlines

    def inlines_of(self, element: etree._Element) -> list[Inline]:
        """The inline content of ``element``; block children inside it become line breaks."""
        return self.flat_inlines(element, None)

    def flat_inlines(self, element: etree._Element, block_separator: str | None) -> list[Inline]:
        """Inlines of everything inside ``element``: nested blocks are separated by
        ``block_separator`` as text, or by a line break when it is None."""
        result: list[Inline] = [Text(element.text)] if element.text else []
        for child in element:
            if self._is_note_body(child):
                pass
            elif child.tag in _BLOCK_TAGS and child.tag != "img":
                if child.tag != "hr":
                    separator = Text(block_separator) if block_separator is not None \
                        else LineBreak()
                    result.extend([separator, *self.flat_inlines(child, block_separator),
                                   separator])
            else:
                result.extend(self.inline(child))
            if child.tail:
                result.append(Text(child.tail))
        return result

    def inline(self, element: etree._Element) -> list[Inline]:
        tag = element.tag
        if tag == "br":
            return [LineBreak()]
        if tag == "img":
            self.hoisted.append(self.picture(element))
            return []
        if tag in _CODE_TAGS:
            text = "".join(element.itertext())
            return [Code(text)] if text else []
        if tag == "ruby":
            return self.ruby(element)
        if tag in ("rt", "rp"):
            return []  # outside a <ruby>: a stray reading is not text
        if tag == "span" and {"lnum", "linenum", "line-number"} & \
                set(element.get("class", "").split()):
            # A poem's printed line number: kept, but apart from the line's last word.
            return [Text(" "), Span(tuple(self.inlines_of(element)), ("line-number",))]
        if tag == "a":
            return self.link(element)
        children = tuple(self.inlines_of(element))
        if not children:
            return []
        kept = self.kept_classes(element)
        if kept:
            children = (Span(children, kept),)
        if tag in _INLINE_WRAPPERS:
            return [_INLINE_WRAPPERS[tag](children)]
        classes = element.get("class", "").lower().replace("-", "").split()
        if tag == "span" and ("smallcaps" in classes or "smcap" in classes):
            return [SmallCaps(children)]
        return list(children)

    def ruby(self, element: etree._Element) -> list[Inline]:
        """``<ruby>`` base ``<rt>`` reading pairs as Ruby nodes; ``<rp>`` fallbacks dropped."""
        result: list[Inline] = []
        base: list[Inline] = [Text(element.text)] if element.text else []
        for child in element:
            if child.tag == "rt":
                reading = " ".join("".join(child.itertext()).split())
                children = tuple(_tidy(base))
                if children:
                    result.append(Ruby(children, reading))
                base = []
            elif child.tag != "rp":
                base.extend(self.inline(child) if child.tag not in ("rb", "rtc")
                            else self.inlines_of(child))
            if child.tail:
                base.append(Text(child.tail))
        return result + base

    def link(self, element: etree._Element) -> list[Inline]:
        href = element.get("href", "").strip()
        children = tuple(self.inlines_of(element))
        if href.startswith("#"):
            target = href[1:]
            if target in self.notes and not self._inside_note(element, target):
                if target not in self.note_order:
                    self.note_order.append(target)
                return [FootnoteRef(target)]
            if self._is_back_link(element):
                return []
            return list(children)
        if _SAFE_LINK.match(href) and children:
            return [Link(children, href, element.get("title", ""))]
        return list(children)

    # ----------------------------------------------------------------- footnotes

    def _is_note_body(self, element: etree._Element) -> bool:
        return element.get("id", "") in self.notes and self.notes[element.get("id")] is element

    def _inside_note(self, element: etree._Element, note_id: str) -> bool:
        body = self.notes[note_id]
        return any(ancestor is body for ancestor in element.iterancestors())

    def _is_back_link(self, element: etree._Element) -> bool:
        """A link from inside a note back to where it was referenced (``↩``, ``1.``)."""
        return any(ancestor in self.notes.values() for ancestor in element.iterancestors())


def _with_classes(block: Block, classes: tuple[str, ...]) -> Block:
    """``block`` with the text of each of its paragraphs wrapped in a Span of ``classes``."""
    if isinstance(block, Paragraph) and block.children:
        return dataclasses.replace(block, children=(Span(block.children, classes),))
    if isinstance(block, BlockQuote):
        return dataclasses.replace(block, blocks=tuple(_with_classes(inner, classes)
                                                       for inner in block.blocks))
    return block


def _find_footnotes(root: etree._Element) -> dict[str, etree._Element]:
    """id -> element for every note body something in ``root`` refers to as a footnote.

    A body is an EPUB 3 ``footnote``/``endnote`` (or ARIA ``doc-footnote``), or any element that
    a ``noteref`` link or a link whose text is a marker (``1``, ``[2]``, ``*``) points at, when it
    comes after that link: Calibre, FanFicFare and Pandoc write notes that way.
    """
    by_id: dict[str, etree._Element] = {}
    order: dict[etree._Element, int] = {}
    for index, element in enumerate(root.iter()):
        order[element] = index
        if element.get("id"):
            by_id.setdefault(element.get("id"), element)
    notes = {note_id: element for note_id, element in by_id.items()
             if _tokens(element) & _NOTE_TYPES}
    for link in root.iter("a"):
        href = link.get("href", "")
        target = by_id.get(href[1:]) if href.startswith("#") else None
        if target is None or href[1:] in notes or target.tag in ("a", "sup", "span", "html"):
            continue
        points_forward = order[target] > order[link] and target not in link.iterancestors()
        marker = bool(_tokens(link) & _NOTEREF_TYPES) or \
            _NOTE_MARKER.fullmatch("".join(link.itertext())) is not None
        if points_forward and marker:
            notes[href[1:]] = target
    return notes


# --------------------------------------------------------------------------- small helpers


def _is_blank(inlines: list[Inline]) -> bool:
    """Only spaces (``&nbsp;`` included): the empty paragraph fics use as a gap."""
    return all(isinstance(inline, Text) and not inline.text.strip() for inline in inlines)


_VERSE_CLASSES = frozenset({"linegroup", "line-group", "stanza", "verse", "poem", "lg",
                            "poetry", "line-block"})


def _is_verse(element: etree._Element) -> bool:
    """A stanza: a container classed as verse whose children are one line each."""
    if element.tag not in ("div", "p", "section") or \
            not _VERSE_CLASSES & set(element.get("class", "").lower().split()):
        return False
    children = [child for child in element if child.tag != "br"]
    return bool(children) and all(
        child.tag in ("div", "p", "span") and not any(
            inner.tag in _BLOCK_TAGS and inner.tag != "img" for inner in child.iterdescendants())
        for child in children)


def _span_count(value: str) -> int:
    """A colspan/rowspan as HTML reads it: a number from 1 to 1000, else 1."""
    value = value.strip()
    return min(max(int(value), 1), 1000) if value.isdigit() else 1


def _keep_relative_path(src: str, line: int | None) -> str | None:
    """The default image policy: a plain relative path, or nothing (no scheme, no root)."""
    if not src or _SCHEME.match(src) or src.startswith(("/", "\\")) or "\\" in src:
        return None
    return src


def _html_of(element: etree._Element) -> str:
    """Sanitised HTML of an element kept whole (a table), without the line markers."""
    kept = copy.deepcopy(element)
    kept.tail = None
    for descendant in kept.iter():
        descendant.attrib.pop("data-line", None)
    return etree.tostring(kept, method="html", encoding="unicode")


def _tidy(inlines: list[Inline]) -> list[Inline]:
    """Inlines with HTML's whitespace rules applied: runs of spaces collapse to one, adjacent
    text merges, and spaces at the start and end (and around line breaks) go."""
    collapsed = _collapse(inlines, [True])
    return _trim_end(_trim_start(collapsed))


def _collapse(inlines: list[Inline] | tuple[Inline, ...], after_space: list[bool]) -> list[Inline]:
    out: list[Inline] = []
    for inline in inlines:
        if isinstance(inline, Text):
            text = _SPACES.sub(" ", inline.text)
            if after_space[0]:
                text = text.lstrip(" ")
            if not text:
                continue
            after_space[0] = text.endswith(" ")
            if out and isinstance(out[-1], Text):
                out[-1] = Text(out[-1].text + text)
            else:
                out.append(Text(text))
        elif isinstance(inline, LineBreak):
            if out and isinstance(out[-1], Text):
                out[-1] = Text(out[-1].text.rstrip(" "))
                if not out[-1].text:
                    out.pop()
            out.append(inline)
            after_space[0] = True
        elif hasattr(inline, "children"):
            children = tuple(_collapse(inline.children, after_space))
            if children:
                out.append(_with_children(inline, children))
        else:
            out.append(inline)
            after_space[0] = False
    return out


def _with_children(inline: Inline, children: tuple[Inline, ...]) -> Inline:
    """``inline`` (a node with children: Emph, Strong, Span...) holding ``children`` instead."""
    return dataclasses.replace(inline, children=children)  # type: ignore[arg-type]


def _trim_start(inlines: list[Inline]) -> list[Inline]:
    while inlines and isinstance(inlines[0], LineBreak):
        inlines = inlines[1:]
    return inlines


def _trim_end(inlines: list[Inline]) -> list[Inline]:
    while inlines and isinstance(inlines[-1], LineBreak):
        inlines = inlines[:-1]
    if inlines and isinstance(inlines[-1], Text):
        text = inlines[-1].text.rstrip(" ")
        inlines = inlines[:-1] + ([Text(text)] if text else [])
    elif inlines and hasattr(inlines[-1], "children"):
        inner = _trim_end(list(inlines[-1].children))
        inlines = inlines[:-1] + ([_with_children(inlines[-1], tuple(inner))] if inner else [])
    return inlines


def _split_at_break_runs(inlines: list[Inline]) -> list[tuple[list[Inline], int]]:
    """(paragraph inlines, empty paragraphs after it) pieces: two line breaks in a row end a
    paragraph, and every break beyond two leaves an empty paragraph (a gap in the text)."""
    pieces: list[tuple[list[Inline], int]] = []
    current: list[Inline] = []
    index = 0
    while index < len(inlines):
        run = index
        while run < len(inlines) and isinstance(inlines[run], LineBreak):
            run += 1
        if run - index >= 2:
            pieces.append((_trim_end(current), run - index - 2))
            current = []
            index = run
            continue
        current.append(inlines[index])
        index += 1
    pieces.append((_trim_end(_trim_start(current)), 0))
    return [(_trim_start(children), extra) for children, extra in pieces]


def remove_keeping_tail(element: etree._Element) -> None:
    """Remove ``element``; the text after it stays where it was."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)

"""Sanitised HTML to model blocks: the converter at the end of the HTML road.

Every HTML-ish reader parses its input once through readers/html/parse.py (which sanitises the
tree with bookmaker.safety.sanitize) and hands the parts of that tree that hold text here::

    html_to_blocks(element, *, source, resolve_image=None, contents_only=False,
                   keep_classes=frozenset()) -> tuple[Block, ...]

It takes the element *with* its own tag (a ``<p>`` gives a Paragraph, a ``<div class="userstuff">``
its blocks); ``contents_only=True`` ignores the element's own tag (AO3 wraps summaries in a
``<blockquote>`` that is a frame, not a quotation); a ``<body>`` always gives its content.
``source`` is the file named in errors; lines come from the elements' ``sourceline`` (the file's
own lines, parse.py sees to it). ``resolve_image(src, line) -> str | None`` turns an image's
``src`` into the model's reference (a path relative to the book's folder, or ``embedded:NAME``) or
None to drop the image. Without it, only plain relative paths are kept; anything with a scheme or
an absolute path is dropped, so nothing outside the input's folder or on the network is named.

The converter trusts its tree to be sanitised and reads only what the sanitiser keeps. Its table
of inline tags (``inline_from_tag``) is also what a manuscript's inline HTML means, so an
``<em>`` is emphasis whether it comes from AO3 or from a Markdown paragraph.

Mapping decisions: ``<hr>`` is a SceneBreak; a ``<p>`` with nothing but spaces is an empty
Paragraph (transforms.scenebreaks decides whether a run of them is a break); two ``<br>`` in a row
end a paragraph and three or more also leave an empty paragraph; alignment comes from ``<center>``,
``align`` (the sanitiser turns a ``text-align`` style into it) or a ``center`` class; tables are
Tables (header cells, spans and caption kept). Footnotes: EPUB 3 ``noteref`` links and
``footnote``/``endnote`` asides, and the Calibre/FanFicFare/Pandoc form (a link whose text is a
marker such as ``1`` or ``[2]`` pointing at a later element by id) become FootnoteRef + Footnote
blocks at the end; the notes' back-links are dropped.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from lxml import etree

from bookmaker.errors import ManuscriptError
from bookmaker.model import (Block, BlockQuote, Code, Emph, Footnote, FootnoteRef, Heading, Image,
                             Inline, LineBlock, LineBreak, Link, ListBlock, Paragraph,
                             Ruby, SceneBreak, SmallCaps, Span, Strikeout, Strong, Subscript,
                             Superscript, Table, TableCell, Text, Underline, plain_text)
from bookmaker.safety.inputs import Ledger
from bookmaker.safety.sanitize import EPUB_TYPE, LINE_NUMBER_CLASSES, text_content
from bookmaker.transforms.scenebreaks import is_divider_image

ImageResolver = Callable[[str, "int | None"], "str | None"]

_BLOCK_TAGS = frozenset("""p div blockquote hr h1 h2 h3 h4 h5 h6 ul ol li dl dt dd table pre
    figure figcaption aside section article main header footer nav center img caption
    tr td th thead tbody tfoot""".split())
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
# Containers of blocks; a table's parts met outside a table (readability lifts a layout table's
# cell out of it) are containers too.
_WRAPPERS = frozenset("div section article main header footer nav figure aside li dd center "
                      "caption tr td th thead tbody tfoot".split())
# Inline elements without a meaning of their own: around blocks (an old page's <font> around the
# whole story) they are containers, so the blocks inside keep their shape.
_TRANSPARENT = frozenset({"font", "span"})
# Elements that only hold a document: their content is converted, never the element itself.
_DOCUMENT_TAGS = frozenset({"html", "body"})
_INLINE_WRAPPERS: dict[str, Callable[[tuple[Inline, ...]], Inline]] = {
    "em": Emph, "i": Emph, "cite": Emph, "dfn": Emph, "var": Emph,
    "strong": Strong, "b": Strong,
    "s": Strikeout, "strike": Strikeout, "del": Strikeout,
    "sup": Superscript, "sub": Subscript,
    "u": Underline, "ins": Underline,
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
_SPACES = re.compile(r"[ \t\n\r\f]+")
_PIXELS = re.compile(r"\s*(\d{1,5})\s*(?:px)?\s*")


# --------------------------------------------------------------------------- public converter


def html_to_blocks(element: etree._Element, *, source: str | PurePath,
                   resolve_image: ImageResolver | None = None,
                   contents_only: bool = False,
                   keep_classes: frozenset[str] = frozenset(),
                   ledger: Ledger | None = None) -> tuple[Block, ...]:
    """The model blocks ``element`` holds, footnotes last (see the module's docstring).

    ``keep_classes`` are classes a stylesheet of the work styles (an AO3 work skin): an element
    carrying one keeps it, prefixed ``skin-``, as a Span around its text (block elements: around
    each paragraph's text), so the work's own CSS still finds it. What the converter leaves out
    on purpose (the notes' links back) is said to ``ledger``, the input's.
    """
    converter = _Converter(element, source, resolve_image, keep_classes, ledger or Ledger())
    whole = contents_only or element.tag in _DOCUMENT_TAGS
    try:
        return converter.document_blocks(element, whole)
    except RecursionError:
        raise ManuscriptError("the HTML is nested too deeply to be a story", source,
                              hint="the file is damaged or hostile; export it again") from None


@dataclass(frozen=True)
class HtmlSource:
    """How the parts of one input are converted: the file named in messages, how its images are
    named, the work skin's classes its text keeps. A front-end that converts many parts of one
    tree (an AO3 work's summary, notes, chapters) passes this down instead of the three."""

    path: PurePath
    resolve_image: ImageResolver | None = None
    keep_classes: frozenset[str] = frozenset()
    ledger: Ledger | None = None  # the input's (readers/accounting.py)

    def blocks(self, element: etree._Element, contents_only: bool = False) -> tuple[Block, ...]:
        return html_to_blocks(element, source=self.path, resolve_image=self.resolve_image,
                              contents_only=contents_only, keep_classes=self.keep_classes,
                              ledger=self.ledger)


def inline_from_tag(element: etree._Element, children: tuple[Inline, ...]) -> list[Inline]:
    """What an inline element is in the model once its content is ``children``: emphasis, strong,
    strike, super- and subscript, underline, small and big, code, a link (http, https, mailto),
    small caps (``<span class="smallcaps">``); any other element is only its content.

    This is the one table of inline HTML: the converter uses it, and so does the manuscript
    reader for the HTML tags in running text."""
    if not children:
        return []
    tag = element.tag
    if tag in _INLINE_WRAPPERS:
        return [_INLINE_WRAPPERS[tag](children)]
    if tag in _CODE_TAGS:
        return [Code(plain_text(children))]
    if tag == "a":
        href = element.get("href", "").strip()
        return [Link(children, href, element.get("title", ""))] if _SAFE_LINK.match(href) \
            else list(children)
    classes = element.get("class", "").lower().replace("-", "").split()
    if tag == "span" and ("smallcaps" in classes or "smcap" in classes):
        return [SmallCaps(children)]
    if tag == "span" and "underline" in classes:  # as bookmaker's own books write it
        return [Underline(children)]
    return list(children)


def is_note_marker(text: str) -> bool:
    """Whether a link's text is a footnote marker (``1``, ``[2]``, ``*``, ``iv``), the way
    Calibre, FanFicFare and Pandoc number notes."""
    return _NOTE_MARKER.fullmatch(text) is not None


# --------------------------------------------------------------------------- the converter


def _tokens(element: etree._Element) -> set[str]:
    """The element's ``epub:type`` and ARIA ``role`` words, which say what a note is."""
    return set((element.get(EPUB_TYPE, "") + " " + element.get("role", "")).split())


def _line(element: etree._Element) -> int | None:
    return element.sourceline


def _align(element: etree._Element, inherited: str) -> str:
    """"center"/"right" when the element (or a ``<center>`` around it) asks for it."""
    if element.tag == "center" or {"center", "centre"} & set(element.get("class", "").split()):
        return "center"
    stated = element.get("align", "").strip().lower()
    if stated in ("center", "right"):
        return stated
    return "" if stated in ("left", "justify") else inherited


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
                 keep_classes: frozenset[str], ledger: Ledger) -> None:
        self.source = source
        self.ledger = ledger
        self.keep_classes = keep_classes
        self.resolve_image = resolve_image or _keep_relative_path
        self.notes = _find_footnotes(root)
        self.note_order: list[str] = []
        # Images met inside a paragraph's text (the model's images are blocks), with the height
        # the source gave them: they follow the paragraph they were in.
        self.hoisted: list[_Picture] = []

    # ----------------------------------------------------------------- blocks

    def document_blocks(self, root: etree._Element, whole: bool) -> tuple[Block, ...]:
        """The blocks of ``root`` (of what is inside it when ``whole``), then its footnotes."""
        if whole:
            blocks = self.blocks_of(root, "")
        elif root.tag in _BLOCK_TAGS:
            blocks = self.block(root, "")
        else:
            blocks = self.paragraphs(self.inline(root), "", _line(root), explicit=False)
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
            elif _is_block(child):
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
        if tag in _WRAPPERS and not any(_is_block(child) and child.tag != "img"
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
                           else self.block(child, "") if _is_block(child)
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
            blocks.extend(self.block(child, "") if _is_block(child)
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
        if tag == "ruby":
            return self.ruby(element)
        if tag in ("rt", "rp"):
            return []  # outside a <ruby>: a stray reading is not text
        if tag == "span" and LINE_NUMBER_CLASSES & set(element.get("class", "").split()):
            # A poem's printed line number: kept, but apart from the line's last word.
            return [Text(" "), Span(tuple(self.inlines_of(element)), ("line-number",))]
        if tag == "a" and element.get("href", "").strip().startswith("#"):
            return self.internal_link(element)
        if tag in _CODE_TAGS:  # literal: what is inside is text, whatever its markup
            literal = "".join(element.itertext())
            children: tuple[Inline, ...] = (Text(literal),) if literal else ()
        else:
            children = tuple(self.inlines_of(element))
        kept = self.kept_classes(element)
        if kept and children:
            children = (Span(children, kept),)
        return inline_from_tag(element, children)

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

    def internal_link(self, element: etree._Element) -> list[Inline]:
        """A link within the document: a footnote reference, a note's link back (dropped), or
        a plain cross-reference (its text)."""
        target = element.get("href", "").strip()[1:]
        if target in self.notes and not self._inside_note(element, target):
            if target not in self.note_order:
                self.note_order.append(target)
            # its marker ("[12]") is the writers' to number
            self.ledger.leave_out(text_content(element), "a note's marker")
            return [FootnoteRef(target)]
        if self._is_back_link(element):
            self.ledger.leave_out(text_content(element), "a note's link back to its reference")
            return []
        return list(self.inlines_of(element))

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
            is_note_marker("".join(link.itertext()))
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
    if any(_VERSE_CLASSES & set(child.get("class", "").lower().split()) for child in children):
        return False  # a poem of stanzas (Gutenberg's div.poem > div.stanza): each is verse
    return bool(children) and all(
        child.tag in ("div", "p", "span") and not any(
            inner.tag in _BLOCK_TAGS and inner.tag != "img" for inner in child.iterdescendants())
        for child in children)


def _is_block(element: etree._Element) -> bool:
    """A block element, or a meaningless inline one (``<font>``, a plain ``<span>``) holding
    blocks, which is then only their container."""
    if element.tag in _BLOCK_TAGS:
        return True
    return element.tag in _TRANSPARENT and any(_is_block(child) for child in element) \
        and inline_from_tag(element, (Text("x"),)) == [Text("x")]


def _span_count(value: str) -> int:
    """A colspan/rowspan as HTML reads it: a number from 1 to 1000, else 1."""
    value = value.strip()
    return min(max(int(value), 1), 1000) if value.isdigit() else 1


def _keep_relative_path(src: str, line: int | None) -> str | None:
    """The default image policy: a plain relative path, or nothing (no scheme, no root)."""
    if not src or _SCHEME.match(src) or src.startswith(("/", "\\")) or "\\" in src:
        return None
    return src


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

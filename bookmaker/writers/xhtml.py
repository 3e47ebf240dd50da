"""The model as XHTML fragments: HTML5 elements in XML syntax, for any writer that speaks HTML.

Nothing here knows about EPUB packaging or print: a writer makes one XhtmlRenderer per output
document, tells it where images live, and wraps the fragments in its own page shells. Fragments
are built as lists of strings with the escaping done here (a recursive plain-Python renderer is an
order of magnitude faster than a template per node, which matters for 100,000-word books).

Every string that leaves this module is well-formed XML: text and attributes are escaped and
stripped of the characters XML forbids. (No HTML passes through as HTML: the readers turn every
input's HTML into model nodes, readers/html/blocks.py.)
"""

from __future__ import annotations

import dataclasses
import html
import re
import urllib.parse
from typing import Any
from collections.abc import Callable, Iterable, Mapping

from markupsafe import Markup, escape

from bookmaker.safety.xml import clean_text
from bookmaker.model import (Block, BlockQuote, Code, Div, Emph, Footnote, FootnoteRef, Heading,
                             Image, Inline, LineBlock, LineBreak, Link, ListBlock, Metadata, Note,
                             Paragraph, Ruby, SceneBreak, SmallCaps, Span, Strikeout, Underline,
                             Strong, Subscript, Superscript, Table, TableCell, Text, query)

# Characters XML 1.0 does not allow anywhere, not even escaped.
_SAFE_LINK = re.compile(r"^(https?://|mailto:)", re.I)
# Characters a URL may carry unescaped; anything else (spaces, quotes...) is percent-encoded so
# EPUBCheck and reading systems see a valid URL.
_URL_UNSAFE = re.compile(r"[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%\u00a0-\U0010ffff]")
_CLASS_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")

PARAGRAPH_ALIGNS = ("center", "right")

# Renders one node (of the type it is registered for) by appending markup to ``out``.
Renderer = Callable[[Any, list[str]], None]


# Scripts written right to left: a book in one of these languages reads RTL unless it says not.
_RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur", "yi", "ps", "dv", "sd", "ug", "ckb", "syr"})


def text_direction(metadata: Metadata) -> str:
    """"rtl" or "ltr": what the book says, else what its language is written in."""
    if metadata.direction in ("rtl", "ltr"):
        return metadata.direction
    primary = (metadata.language or "").split("-")[0].lower()
    return "rtl" if primary in _RTL_LANGUAGES else "ltr"


def escape_text(text: str) -> str:
    return html.escape(clean_text(text), quote=False)


def escape_attr(text: str) -> str:
    return html.escape(clean_text(text), quote=True)


def xml_safe_metadata(metadata: Metadata) -> Metadata:
    """``metadata`` with every string stripped of what XML cannot hold and blank entries dropped.

    lxml refuses such strings outright (ebooklib then logs and silently drops the field), and an
    empty dc:subject or creator would make the package invalid. Summary blocks are escaped when
    rendered, so they are left alone.
    """
    changes: dict[str, Any] = {}
    for field in dataclasses.fields(metadata):
        value = getattr(metadata, field.name)
        if isinstance(value, str):
            changes[field.name] = clean_text(value).strip()
        elif isinstance(value, tuple) and all(isinstance(item, str) for item in value):
            changes[field.name] = tuple(text for text in (clean_text(v).strip() for v in value)
                                        if text)
    changes["series"] = tuple(dataclasses.replace(one, name=clean_text(one.name).strip())
                              for one in metadata.series if clean_text(one.name).strip())
    return dataclasses.replace(metadata, **changes)


def safe_url(url: str) -> str | None:
    """The URL if a reader may follow it out of the book (http, https, mailto), else None.

    Other schemes (javascript:, file:, data:) and relative paths that point nowhere inside the
    book are never links in bookmaker's output.
    """
    url = clean_text(url).strip()
    if not _SAFE_LINK.match(url) or not _has_valid_host(url):
        return None
    return _URL_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), url)


def _has_valid_host(url: str) -> bool:
    """mailto: needs no host; a web link whose host has an empty label (``https://../``) is not a
    URL a reading system can follow, and EPUBCheck rejects it."""
    if url.lower().startswith("mailto:"):
        return True
    try:
        host = urllib.parse.urlsplit(url).hostname
    except ValueError:
        return False
    return host is not None and bool(host) and all(host.rstrip(".").split("."))  # final dot ok


def class_names(classes: Iterable[str]) -> str:
    """Space-separated class names reduced to letters, digits, ``-`` and ``_`` (empties dropped)."""
    cleaned = (_CLASS_UNSAFE.sub("", name) for name in classes)
    return " ".join(dict.fromkeys(name for name in cleaned if name))


def collect_footnotes(*sequences: Iterable[Block]) -> dict[str, Footnote]:
    """Every Footnote definition in the block sequences of one document, by id (first wins)."""
    found: dict[str, Footnote] = {}
    for blocks in sequences:
        for footnote in query(tuple(blocks), Footnote):
            found.setdefault(footnote.id, footnote)
    return found


class XhtmlRenderer:
    """Renders the blocks of ONE output document; footnote numbers and ids are per document.

    ``image_src`` maps an Image to the URL the document uses for it (the writer decides where
    images go). ``heading_level`` is the level a Heading(level=1) is rendered at, so a chapter's own
    title stays the top heading of its page.

    A subclass renders the same markup differently by overriding the renderer of a node type
    (PrintRenderer's footnotes and ornaments) or the few points every piece of text passes
    through: ``_chars`` (a run of text), ``_text_block`` (a block of reading text starts),
    ``_replaced`` (an image) and ``_finished`` (the fragment put together). That is how the
    kepub's KoboRenderer adds its sentence spans while rendering. A page's template puts its
    own words through ``text`` (``words(...)`` in a template) and ``image`` for the same reason.
    """

    # What the page around the fragments needs: more CSS, and markup opening and closing the
    # body (kepub's page wrappers). The plain renderer needs none.
    stylesheet_addition = ""
    body_start = Markup("")
    body_end = Markup("")

    def __init__(self, footnotes: Mapping[str, Footnote], image_src: Callable[[Image], str],
                 heading_level: int = 2) -> None:
        self.footnotes = footnotes
        self.image_src = image_src
        self.heading_level = heading_level
        self._numbers: dict[str, int] = {}  # footnote id -> its number, in order of first reference
        self._references: dict[str, int] = {}  # footnote id -> how many references so far
        self._in_link = False  # XHTML forbids <a> inside <a>: inner links and notes lose theirs
        self._block_renderers: dict[type, Renderer] = {
            Paragraph: self._paragraph, Heading: self._heading, SceneBreak: self._scene_break,
            BlockQuote: self._blockquote, LineBlock: self._line_block, Note: self._note,
            Div: self._div, ListBlock: self._list, Image: self._image, Table: self._table,
        }
        self._inline_renderers: dict[type, Renderer] = {
            Text: self._text, Emph: self._wrapper("em"), Strong: self._wrapper("strong"),
            SmallCaps: self._wrapper("span", ' class="smallcaps"'),
            Underline: self._wrapper("span", ' class="underline"'),
            Strikeout: self._wrapper("s"), Superscript: self._wrapper("sup"),
            Subscript: self._wrapper("sub"), Code: self._code, Link: self._link,
            FootnoteRef: self._footnote_ref, LineBreak: self._line_break, Span: self._span,
            Ruby: self._ruby,
        }

    # ------------------------------------------------------------------ public

    def blocks(self, blocks: Iterable[object]) -> str:
        """The markup of ``blocks``: model blocks, or any node a subclass has a renderer for."""
        out: list[str] = []
        self._blocks(blocks, out)
        return self._finished(out)

    def inlines(self, inlines: Iterable[Inline]) -> str:
        out: list[str] = []
        self._inlines(inlines, out)
        return self._finished(out)

    def text(self, words: str, more: bool = False) -> Markup:
        """Words a page's template writes (a title, a label), escaped as the template would
        escape them. Each call is a block of reading text of its own; ``more``: the words
        continue the block the previous call started (a label and its value on one line)."""
        return escape(clean_text(words))

    def image(self, caller: Callable[[], str]) -> Markup:
        """An image a page's template places (``{% call image() %}<img .../>{% endcall %}``)."""
        return Markup(caller())

    def finish_page(self, page: str) -> str:
        """The finished page, once its template has put the fragments in place."""
        return page

    def footnotes_section(self) -> str:
        """The footnotes of this document as EPUB 3 footnote asides, each linking back to its
        first reference; "" when there are none. Call after rendering everything else, since
        numbers follow the order of first reference. Unreferenced definitions come last."""
        for footnote_id in self.footnotes:
            self._number(footnote_id)
        if not self._numbers:
            return ""
        out = ['<section class="footnotes" aria-label="Footnotes">\n']
        rendered = 0
        # A footnote may reference another footnote and so number it while we go: loop on the
        # growing ordering rather than over a snapshot.
        order = list(self._numbers)
        while rendered < len(order):
            self._footnote(order[rendered], out)
            out.append("\n")
            rendered += 1
            order = list(self._numbers)
        out.append("</section>")
        return self._finished(out)

    # ------------------------------------------------------------------ where text passes

    def _chars(self, text: str, out: list[str]) -> None:
        """A run of text (escaped here: everything else appended to ``out`` is markup)."""
        out.append(escape_text(text))

    def _text_block(self, out: list[str]) -> None:
        """A block of reading text starts here (a paragraph, a heading, a caption, a cell):
        nothing to mark in plain XHTML."""

    def _replaced(self, markup: str, out: list[str]) -> None:
        """An element that stands for content of its own (an image)."""
        out.append(markup)

    def _finished(self, out: list[str]) -> str:
        return "".join(out)

    # ------------------------------------------------------------------ blocks

    def _blocks(self, blocks: Iterable[object], out: list[str]) -> None:
        renderers = self._block_renderers
        for block in blocks:
            if type(block) is Footnote:
                continue  # rendered together by footnotes_section, not where they stand
            renderers[type(block)](block, out)
            out.append("\n")  # one block per line keeps golden files and diffs readable

    def _paragraph(self, block: Paragraph, out: list[str]) -> None:
        out.append(f'<p class="{block.align}">' if block.align in PARAGRAPH_ALIGNS else "<p>")
        self._text_block(out)
        self._inlines(block.children, out)
        out.append("</p>")

    def _heading(self, block: Heading, out: list[str]) -> None:
        level = min(max(block.level, 1) + self.heading_level - 1, 6)
        out.append(f"<h{level}>")
        self._text_block(out)
        self._inlines(block.children, out)
        out.append(f"</h{level}>")

    def _scene_break(self, block: SceneBreak, out: list[str]) -> None:
        out.append('<hr class="scene-break"/>')

    def _blockquote(self, block: BlockQuote, out: list[str]) -> None:
        out.append("<blockquote>")
        self._blocks(block.blocks, out)
        out.append("</blockquote>")

    def _line_block(self, block: LineBlock, out: list[str]) -> None:
        out.append('<div class="line-block">')
        if block.lines:
            self._text_block(out)  # the poem's lines are one block of text
        for number, line in enumerate(block.lines):
            if number:
                out.append("<br/>")
            out.append('<span class="line">')
            self._inlines(line, out)
            out.append("</span>")
        out.append("</div>")

    def _note(self, block: Note, out: list[str]) -> None:
        out.append('<div class="author-note" role="note"><p class="note-label">')
        self._text_block(out)
        self._chars("Author\u2019s note", out)
        out.append("</p>")
        self._blocks(block.blocks, out)
        out.append("</div>")

    def _div(self, block: Div, out: list[str]) -> None:
        kind = class_names([block.kind]) or "aside"
        semantics = ' epub:type="epigraph" role="doc-epigraph"' if kind == "epigraph" else ""
        out.append(f'<div class="{kind}"{semantics}>')
        self._blocks(block.blocks, out)
        out.append("</div>")

    def _list(self, block: ListBlock, out: list[str]) -> None:
        if block.ordered:
            out.append(f'<ol start="{block.start}">' if block.start != 1 else "<ol>")
        else:
            out.append("<ul>")
        for item in block.items:
            out.append("<li>")
            if not item:
                self._text_block(out)  # an empty item still counts as a block of text
            self._blocks(item, out)
            out.append("</li>")
        out.append("</ol>" if block.ordered else "</ul>")

    def _image(self, block: Image, out: list[str]) -> None:
        out.append('<figure class="image">')
        self._text_block(out)
        self._replaced(f'<img src="{escape_attr(self.image_src(block))}" '
                       f'alt="{escape_attr(block.alt)}"/>', out)
        if block.title:
            out.append("<figcaption>")
            self._text_block(out)
            self._chars(block.title, out)
            out.append("</figcaption>")
        out.append("</figure>")

    def _table(self, block: Table, out: list[str]) -> None:
        """A table: leading all-header rows in ``<thead>``, the rest in ``<tbody>``."""
        out.append('<table class="table">')
        if block.caption:
            out.append("<caption>")
            self._text_block(out)
            self._inlines(block.caption, out)
            out.append("</caption>")
        head = 0
        while head < len(block.rows) - 1 and block.rows[head] and \
                all(cell.header for cell in block.rows[head]):
            head += 1
        for section, rows in (("thead", block.rows[:head]), ("tbody", block.rows[head:])):
            if not rows:
                continue
            out.append(f"<{section}>")
            for row in rows:
                out.append("<tr>")
                for cell in row:
                    self._table_cell(cell, out)
                out.append("</tr>")
            out.append(f"</{section}>")
        out.append("</table>")

    def _table_cell(self, cell: TableCell, out: list[str]) -> None:
        tag = "th" if cell.header else "td"
        attributes = "".join(f' {name}="{value}"' for name, value in
                             (("colspan", cell.colspan), ("rowspan", cell.rowspan)) if value > 1)
        if cell.align in ("left", "center", "right"):
            attributes += f' class="align-{cell.align}"'
        out.append(f"<{tag}{attributes}>")
        blocks = cell.blocks
        if len(blocks) == 1 and type(blocks[0]) is Paragraph and not blocks[0].align:
            self._text_block(out)
            self._inlines(blocks[0].children, out)  # the common cell: text without a <p>
        elif not blocks:
            self._text_block(out)  # an empty cell still counts as a block of text
        else:
            self._blocks(blocks, out)
        out.append(f"</{tag}>")

    def _footnote(self, footnote_id: str, out: list[str]) -> None:
        number = self._numbers[footnote_id]
        out.append(f'<aside class="footnote" epub:type="footnote" role="doc-footnote" '
                   f'id="fn-{number}"><p>')
        self._text_block(out)
        if self._references.get(footnote_id):
            out.append(f'<a class="footnote-number" href="#fnref-{number}" role="doc-backlink">')
            self._chars(f"{number}.", out)
            out.append("</a>")
        else:
            out.append('<span class="footnote-number">')
            self._chars(f"{number}.", out)
            out.append("</span>")
        blocks = self.footnotes[footnote_id].blocks
        if blocks and isinstance(blocks[0], Paragraph):
            self._chars(" ", out)
            self._inlines(blocks[0].children, out)
            blocks = blocks[1:]
        out.append("</p>")
        self._blocks(blocks, out)
        out.append("</aside>")

    # ------------------------------------------------------------------ inlines

    def _inlines(self, inlines: Iterable[Inline], out: list[str]) -> None:
        renderers = self._inline_renderers
        for inline in inlines:
            renderers[type(inline)](inline, out)

    def _text(self, inline: Text, out: list[str]) -> None:
        self._chars(inline.text, out)

    def _wrapper(self, tag: str, attributes: str = "") -> Renderer:
        opening, closing = f"<{tag}{attributes}>", f"</{tag}>"

        def render(inline: Any, out: list[str]) -> None:  # Emph, Strong, SmallCaps...
            out.append(opening)
            self._inlines(inline.children, out)
            out.append(closing)

        return render

    def _code(self, inline: Code, out: list[str]) -> None:
        out.append("<code>")
        self._chars(inline.text, out)
        out.append("</code>")

    def _link(self, inline: Link, out: list[str]) -> None:
        url = safe_url(inline.url)
        if url is None or self._in_link:  # a link inside a link keeps only its text
            self._inlines(inline.children, out)
            return
        title = f' title="{escape_attr(inline.title)}"' if inline.title else ""
        out.append(f'<a href="{escape_attr(url)}"{title}>')
        self._in_link = True
        try:
            self._inlines(inline.children, out)
        finally:
            self._in_link = False
        out.append("</a>")

    def _footnote_ref(self, inline: FootnoteRef, out: list[str]) -> None:
        if inline.id not in self.footnotes:
            # A reference without a definition: keep the marker as text rather than a dead link.
            out.append('<sup class="noteref-missing">')
            self._chars(inline.id, out)
            out.append("</sup>")
            return
        number = self._number(inline.id)
        count = self._references[inline.id] = self._references.get(inline.id, 0) + 1
        ref_id = f"fnref-{number}" if count == 1 else f"fnref-{number}-{count}"
        if self._in_link:  # the number, and the id the note's way back points at, but no link
            out.append(f'<sup class="noteref" id="{ref_id}">')
        else:
            out.append(f'<a class="noteref" epub:type="noteref" role="doc-noteref" '
                       f'href="#fn-{number}" id="{ref_id}">')
        self._chars(str(number), out)
        out.append("</sup>" if self._in_link else "</a>")

    def _line_break(self, inline: LineBreak, out: list[str]) -> None:
        out.append("<br/>")

    def _span(self, inline: Span, out: list[str]) -> None:
        classes = class_names(inline.classes)
        if not classes:
            self._inlines(inline.children, out)
            return
        out.append(f'<span class="{classes}">')
        self._inlines(inline.children, out)
        out.append("</span>")

    def _ruby(self, inline: Ruby, out: list[str]) -> None:
        out.append("<ruby>")
        self._inlines(inline.children, out)
        out.append("<rt>")
        self._chars(inline.annotation, out)
        out.append("</rt></ruby>")

    def _number(self, footnote_id: str) -> int:
        return self._numbers.setdefault(footnote_id, len(self._numbers) + 1)

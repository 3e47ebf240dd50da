"""``-f kepub``: the EPUB made for Kobo's own renderer, as a ``.kepub.epub``.

Kobo e-readers read a plain ``.epub`` with Adobe's old engine; a ``.kepub.epub`` opens in Kobo's
own WebKit renderer, which is faster and gives reading statistics, accurate page turns, highlights
and the reading position synced between devices. That renderer finds its place in the text
through ``<span class="koboSpan" id="kobo.P.S">`` around every sentence (P counts the document's
text blocks, S the spans inside one), and lays pages out inside ``<div id="book-columns"><div
id="book-inner">``. KoboRenderer, the EPUB writer's XhtmlRenderer with its text put into spans,
makes both while it renders the book from the model (as the print HTML is the same renderer made
for print), written from Kobo's documented behaviour, not from other tools' code:

- the ids come from document order alone, so the same text gets the same ids on every rebuild
  and a reader's place and highlights survive an update of the book; a chapter is cut into
  documents exactly where the EPUB's is (split.py decides on the plain EPUB's size);
- every piece of text in the body is inside a span (an image gets one too, as Kobo expects), and
  only whitespace is left between them: the model's text, and the words of the page templates,
  which they put through the renderer (``words(...)``) for that;
- footnotes stay ``epub:type="noteref"`` links to ``<aside epub:type="footnote">``: Kobo's
  renderer opens those as pop-ups;
- the series is in the package twice already (EPUB 3 ``belongs-to-collection`` and
  ``calibre:series``, which is the one Kobo reads from a sideloaded book).

Everything else is the EPUB writer's: one book (or anthology), two packagings, the same
EPUBCheck-clean output.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

from markupsafe import Markup

from bookmaker.errors import Finding
from bookmaker.model import Anthology, Book, Ruby, Text
from bookmaker.safety.files import atomic_write
from bookmaker.safety.xml import clean_text
from bookmaker.settings.context import RenderContext
from bookmaker.writers.epub import epub_bytes
from bookmaker.writers.xhtml import XhtmlRenderer, escape_text

TYPESET = True

# A sentence ends at . ! ? or … (with any closing quotes or brackets) followed by white space.
_SENTENCE_END = re.compile(r"(?<=[.!?\u2026])[\"'\u201d\u2019)\]]*\s+")
# Kobo's renderer sets its own margins on book-inner; the columns wrapper must not add any.
KOBO_CSS = ("\n/* Kobo's page wrappers (kepub) */\n"
            "div#book-columns, div#book-inner { margin: 0; padding: 0; }\n")
# Marks the renderer leaves in a page, numbered when the page is finished: the start of a block
# of text (the P of kobo.P.S) and a span's id (its S). XML cannot carry U+0000, and every text
# and attribute is stripped of it, so the marks meet nothing else.
_BLOCK = "\x00P"
_SPAN_ID = "\x00S"
_MARKS = re.compile("\x00[PS]")


def write(book: Book | Anthology, dest: Path, context: RenderContext) -> list[Finding]:
    atomic_write(Path(dest), kepub_bytes(book, context))
    return []


def kepub_bytes(book: Book | Anthology, context: RenderContext | None = None) -> bytes:
    return epub_bytes(book, context, KoboRenderer)


def sentences(text: str) -> list[str]:
    """``text`` cut after each sentence, the white space after a sentence kept with it."""
    pieces, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        pieces.append(text[start:match.end()])
        start = match.end()
    pieces.append(text[start:])
    return [piece for piece in pieces if piece]


class _Chars(str):
    """A run of text among a fragment's markup, put into spans when the fragment is finished
    (neighbouring runs first joined: a sentence may cross two Text nodes)."""


class KoboRenderer(XhtmlRenderer):
    """XhtmlRenderer whose every run of text becomes sentence spans, with Kobo's numbering:
    P counts the page's blocks of text (a paragraph, a heading, a cell, a caption...), S the
    spans inside one."""

    stylesheet_addition = KOBO_CSS
    body_start = Markup('<div id="book-columns"><div id="book-inner">\n')
    body_end = Markup("</div></div>\n")

    def _chars(self, text: str, out: list[str]) -> None:
        out.append(_Chars(text))

    def _text_block(self, out: list[str]) -> None:
        out.append(_BLOCK)

    def _replaced(self, markup: str, out: list[str]) -> None:
        out.append(f'<span class="koboSpan" id="{_SPAN_ID}">{markup}</span>')

    def _finished(self, out: list[str]) -> str:
        pieces: list[str] = []
        run: list[str] = []
        for item in out:
            if type(item) is _Chars:
                run.append(item)
                continue
            if run:
                pieces.append(_spans("".join(run)))
                run = []
            pieces.append(item)
        if run:
            pieces.append(_spans("".join(run)))
        return "".join(pieces)

    def _ruby(self, inline: Ruby, out: list[str]) -> None:
        """A ruby's base and its reading each count as a block of text of their own (span ids
        have always been numbered so, and must stay as readers' highlights know them)."""
        out.append("<ruby>")
        if any(not (type(child) is Text and not child.text.strip()) for child in inline.children):
            self._text_block(out)
        self._inlines(inline.children, out)
        out.append("<rt>")
        if inline.annotation.strip():
            self._text_block(out)
        self._chars(inline.annotation, out)
        out.append("</rt></ruby>")

    # ------------------------------------------------------------------ for the page

    def text(self, words: str, more: bool = False) -> Markup:
        out = [] if more else [_BLOCK]
        self._chars(words, out)
        return Markup(self._finished(out))

    def image(self, caller: Callable[[], str]) -> Markup:
        out = [_BLOCK]
        self._replaced(caller(), out)
        return Markup(self._finished(out))

    def finish_page(self, page: str) -> str:
        """The page with its marks numbered in document order: the same text, the same ids."""
        block = span = 0

        def number(mark: re.Match[str]) -> str:
            nonlocal block, span
            if mark.group() == _BLOCK:
                block, span = block + 1, 0
                return ""
            span += 1
            return f"kobo.{block}.{span}"

        return _MARKS.sub(number, page)


def _spans(text: str) -> str:
    """A run of text as one span per sentence; white space alone stays as it is."""
    text = clean_text(text)
    if not text.strip():
        return escape_text(text)
    return "".join(f'<span class="koboSpan" id="{_SPAN_ID}">{html.escape(piece, quote=False)}'
                   "</span>" for piece in sentences(text))

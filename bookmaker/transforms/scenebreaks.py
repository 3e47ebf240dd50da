"""Scene breaks, however a source wrote them, become one SceneBreak: the one place that knows.

Fics mark a change of scene in a dozen ways: ``<hr>``, a centred ``* * *``, ``xxx``, ``oOo``,
``~*~``, ``-x-``, a divider image, or just a few empty paragraphs. Readers call
is_separator_text for their own lines and paragraphs, and ``apply`` (run on every book before
typography) turns whatever is left into SceneBreak nodes, merges neighbours and drops any at a
chapter's edges, where a break separates nothing.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter

from bookmaker.model import (Block, Book, Code, FootnoteRef, Image, Link, Paragraph, SceneBreak,
                             plain_text, query)

_SYMBOLS = "*~-_=+#§◇◆❖❦❧☙✿❀✦✧✶★☆•◦○●♦♢⁂※°·⸙♥♡—–/|<>^"
# Every character a row of ornaments may hold: the symbols, o/x letters and zeros, spaces.
_ORNAMENT_ROW = re.compile(f"[\\s{re.escape(_SYMBOLS)}oOxX0]{{1,80}}")
_SYMBOL = re.compile(f"[{re.escape(_SYMBOLS)}]")
_TITLECASE_WORD = re.compile(r"[A-Z][a-z]+")
_DIVIDER_NAME = re.compile(r"(divider|separator|scene[-_ ]?break|page[-_ ]?break|"
                           r"\bline\b|[-_]line|line[-_]|hr\b|ornament|flourish|dinkus)",
                           re.IGNORECASE)
_DIVIDER_MAX_HEIGHT = 40  # pixels: a divider is a thin strip, an illustration is not


def is_separator_text(text: str, *, lowercase_x: bool = True) -> bool:
    """True when ``text`` is only a scene-break ornament (``* * *``, ``~*~``, ``oOo``, ``-x-``).

    Letters count only in the shapes fics use as ornaments (mixed case ``oOo``/``xXx``, a zero
    ``o0o``, or framed by symbols ``-o-``), so ``xoxo``, ``OK`` or ``Ooo`` stay words. A row of
    lower-case x (``xxx``) is a break in old archives, where sites stripped every other mark, but
    kisses in a letter written today: ``lowercase_x=False`` keeps it text. Backslashes are ignored
    because ``\\* \\* \\*`` is how some editors escape a star rule.
    """
    compact = "".join(text.replace("\\", "").split())
    if not compact or _ORNAMENT_ROW.fullmatch(compact) is None:
        return False
    if _SYMBOL.search(compact):
        return True
    if len(compact) < 3 or _TITLECASE_WORD.fullmatch(compact):
        return False
    if set(compact) == {"x"}:
        return lowercase_x
    return "0" in compact or not (compact.islower() or compact.isupper()) \
        or set(compact) == {"X"}


def is_divider_image(src: str, alt: str = "", height: int | None = None) -> bool:
    """True for an image that only draws a line between scenes.

    Known by its name or alt text (``divider.png``, ``alt="scene break"``), or, when the source
    says how tall it is, by being a thin strip; callers pass ``height`` only for an image standing
    alone in a centred paragraph, where a small picture is an ornament, not an illustration.
    """
    name = src.rsplit("/", 1)[-1]
    if _DIVIDER_NAME.search(name) or _DIVIDER_NAME.search(alt) or is_separator_text(alt):
        return True
    return height is not None and 0 < height <= _DIVIDER_MAX_HEIGHT


def apply(book: Book) -> Book:
    """The book with every chapter's scene breaks normalised (see normalise_blocks)."""
    chapters = tuple(dataclasses.replace(chapter, blocks=normalise_blocks(chapter.blocks))
                     for chapter in book.chapters)
    return dataclasses.replace(book, chapters=chapters)


def normalise_blocks(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """Ornament paragraphs, divider images and runs of empty paragraphs as SceneBreaks; one
    break between two scenes, and none before the first or after the last."""
    spacing = _usual_empty_run(blocks)
    marked: list[Block] = []
    empty_run: list[Paragraph] = []
    for block in blocks:
        if _is_empty_paragraph(block):
            assert isinstance(block, Paragraph)
            empty_run.append(block)
            continue
        if len(empty_run) > spacing:
            marked.append(SceneBreak(empty_run[0].line))
        empty_run = []
        marked.append(_as_break(block))
    return tuple(_without_stray_breaks(marked))


def _as_break(block: Block) -> Block:
    """A SceneBreak when ``block`` is an ornament paragraph or a divider image, else ``block``."""
    if isinstance(block, Paragraph) and not _holds_more_than_text(block) \
            and is_separator_text(plain_text(block.children),
                                  lowercase_x=block.align == "center"):
        return SceneBreak(block.line)
    if isinstance(block, Image) and is_divider_image(block.src, block.alt):
        return SceneBreak(block.line)
    return block


def _holds_more_than_text(paragraph: Paragraph) -> bool:
    """Whether a paragraph holds a link, code or a note reference: then its symbols mean
    something (``*`` pointing at a footnote, ``---`` in code)."""
    return bool(query(paragraph.children, (Link, FootnoteRef, Code)))


def _is_empty_paragraph(block: Block) -> bool:
    return isinstance(block, Paragraph) and not plain_text(block.children).strip()


def _usual_empty_run(blocks: tuple[Block, ...]) -> int:
    """How many empty paragraphs a source puts between ordinary paragraphs: 0 usually.

    Some exports (Google Docs, old forums) leave an empty paragraph after every paragraph; then
    only a longer run than usual is a scene break. Empty runs count as usual spacing when they
    fill more than half of the gaps between paragraphs (runs at a chapter's edges do not count).
    """
    runs: Counter[int] = Counter()
    paragraphs = run = 0
    for block in blocks:
        if _is_empty_paragraph(block):
            run += 1
            continue
        if run and paragraphs:
            runs[run] += 1
        paragraphs += 1
        run = 0
    gaps = paragraphs - 1
    if gaps < 3 or sum(runs.values()) * 2 <= gaps:
        return 0
    return runs.most_common(1)[0][0]


def _without_stray_breaks(blocks: list[Block]) -> list[Block]:
    """``blocks`` with adjacent breaks merged and none at either end of the chapter."""
    kept: list[Block] = []
    for block in blocks:
        if isinstance(block, SceneBreak) and (not kept or isinstance(kept[-1], SceneBreak)):
            continue
        kept.append(block)
    while kept and isinstance(kept[-1], SceneBreak):
        kept.pop()
    return kept


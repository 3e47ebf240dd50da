"""What a chapter line of a plain-text work looks like (``Chapter 3: The Fall``, ``Prologue``).

Its own module because two readers of the family ask: the plain-text reader, to cut a work into
chapters, and the Gutenberg frame (gutenberg.py), to find where a 1990s etext's title page ends.
"""

from __future__ import annotations

import re

_NUMBER_WORD = (r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen"
                r"|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty"
                r"|fifty|sixty|seventy|eighty|ninety|hundred)"
                r"(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?")
_ROMAN = r"(?=[ivxlcdm])m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
CHAPTER_LINE = re.compile(
    rf"(?:(?:chapter|part|book)\s+(?:\d+|{_ROMAN}|{_NUMBER_WORD})|(?:ch|chap)\.?\s*\d+"
    r"|prologue|epilogue|interlude)\b\.?"
    r"(?:(?:\s*[:.–—]|\s+-|-\s)\s*(?P<subtitle>\S.{0,99}))?",
    re.IGNORECASE)
HEADING_DECORATION = " *_~=#-"
NOT_A_TITLE_END = ".,;:"
# A sentence ending inside the line and another starting: prose, not a title.
SENTENCE_INSIDE = re.compile(r"[.!?…][\"”’')]*\s+\S")


def chapter_heading(line: str) -> str | None:
    """The chapter title when ``line`` is a chapter line (``Chapter 3: The Fall``), else None."""
    text = line.strip(HEADING_DECORATION)
    match = CHAPTER_LINE.fullmatch(text)
    if match is None:
        return None
    subtitle = match["subtitle"]
    # "Part one. He ran." is a sentence, not a heading.
    if subtitle and (subtitle.endswith(tuple(NOT_A_TITLE_END))
                     or SENTENCE_INSIDE.search(subtitle)):
        return None
    return text

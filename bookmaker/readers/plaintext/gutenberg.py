"""Project Gutenberg's frame around a plain-text book: its header, its start and end markers.

A Gutenberg ``.txt`` wraps the novel in a header (the ebook's title, author, language, number) and a
licence of several hundred lines after the ``*** END OF THE PROJECT GUTENBERG EBOOK ... ***``
marker. The story is what stands between the START and END markers; the header gives the metadata.

The 1990s etexts have no START marker and no ``Title:`` lines: a header ("The Project Gutenberg
Etext of Title, by Author", the title above a ``March, 1994  [Etext #11]`` line) and the "SMALL
PRINT!" licence come first, and the story starts after ``*END*THE SMALL PRINT! FOR PUBLIC DOMAIN
ETEXTS*Ver.04.29.93*END*``, below a title page (title, author, edition) that is not the story.
Leaving out the licence is what it asks of copies that drop the Gutenberg name, as a built book
does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bookmaker.readers.plaintext.chapters import chapter_heading  # the one chapter-line rule

_START = re.compile(r"^(?:\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK"
                    r"|\*?END\*?\s*THE SMALL PRINT!? FOR PUBLIC DOMAIN E-?(?:TEXTS|BOOKS))",
                    re.IGNORECASE)
_END = re.compile(r"^(?:\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG E-?(?:BOOK|TEXT)"
                  r"|End of (?:the |this )?Project Gutenberg'?s? )", re.IGNORECASE)
# The 1990s header: "The Project Gutenberg Etext of Title, by Author" (between asterisks or not)
# and the title (with its "by" line) above the release line "March, 1994  [Etext #11]".
_ETEXT_OF = re.compile(r"Project Gutenberg'?s? E-?(?:text|book) of (?P<title>.+?)"
                       r"(?:,\s+by\s+(?P<author>[^*]+?))?\s*\**$", re.IGNORECASE)
_RELEASE_LINE = re.compile(r"^(?:[A-Z][a-z]+\.?,?\s+)?(?:\d{1,2},?\s+)?\d{4}\s+\[E-?(?:text|book)"
                           r"\s+#(\d+)\]", re.IGNORECASE)
_BY = re.compile(r"^by\s+(\S.{0,59})$", re.IGNORECASE)
_NAME = re.compile(r"^(?:[A-Z][a-z]*\.?|[A-Z]\.)(?:\s+(?:[A-Z][a-z]*\.?|[A-Z]\.|de|van|von)){1,4}$")
_TITLE_PAGE_LINES = 8
_HEADER = re.compile(r"^(Title|Author|Language|Release [Dd]ate):\s*(.*)$")
_EBOOK_NUMBER = re.compile(r"\[E-?Book #(\d+)\]", re.IGNORECASE)
# How far into the file the START marker may stand: the header is never longer than this.
_HEADER_LINES = 600  # the 1990s header and SMALL PRINT run to about 300 lines

FIELD_FOR_LABEL = {"title": "title", "author": "authors", "language": "language"}


# The markers, for the HTML books' frame (readers/html/gutenberg.py).
START = _START
END = _END


def header_fields(lines: list[str]) -> list[tuple[str, str, int]]:
    """(field, value, line) from a Gutenberg header's lines: ``Title:``/``Author:``/``Language:``,
    the ebook's page, or a 1990s header's title and author."""
    return _header_fields(lines)


@dataclass(frozen=True)
class Frame:
    """Where the story starts and ends (line indexes) and the header's fields.

    ``fields`` are (field name, value, 1-based line) with plaintext.HEADER_FIELDS names, plus
    "source_url" for the ebook's page.
    """

    start: int
    end: int
    fields: list[tuple[str, str, int]] = field(default_factory=list)


def frame(lines: list[str]) -> Frame | None:
    """The Gutenberg frame of a text split into stripped lines, or None for any other text."""
    start = next((i for i, line in enumerate(lines[:_HEADER_LINES]) if _START.match(line)), None)
    if start is None:
        return None
    end = next((i for i in range(start + 1, len(lines)) if _END.match(lines[i])), len(lines))
    fields = _header_fields(lines[:start])
    body = start + 1
    if "SMALL PRINT" in lines[start].upper():
        body, author = _title_page(lines, body, end)
        if author and not any(name == "authors" for name, _, _ in fields):
            fields.append(("authors", author[0], author[1]))
    return Frame(body, end, fields)


def _title_page(lines: list[str], start: int, end: int) -> tuple[int, tuple[str, int] | None]:
    """Where the story starts below a 1990s etext's title page (title, author, edition: a few
    short lines before the first chapter), and the author it names (a ``by`` line or a name)."""
    shown = [(i, lines[i]) for i in range(start, min(end, start + 60)) if lines[i]]
    first_chapter = next((n for n, (_, line) in enumerate(shown[:_TITLE_PAGE_LINES + 1])
                          if chapter_heading(line) is not None), None)
    if not first_chapter or any(len(line) > 70 or line.endswith((",", ";"))
                                for _, line in shown[:first_chapter]):
        return start, None
    author = None
    for index, line in shown[1:first_chapter]:
        by = _BY.match(line)
        if by or _NAME.match(line):
            author = (by[1] if by else line, index + 1)
            break
    return shown[first_chapter][0], author


def _header_fields(lines: list[str]) -> list[tuple[str, str, int]]:
    fields = _etext_fields(lines)
    if any(_HEADER.match(line) for line in lines):  # "Title:" lines say it better
        fields = [f for f in fields if f[0] == "source_url"]
    for index, line in enumerate(lines):
        match = _HEADER.match(line)
        if not match:
            continue
        label, value = match[1].lower(), _continued(lines, index, match[2])
        if label in FIELD_FOR_LABEL and value:
            fields.append((FIELD_FOR_LABEL[label], value, index + 1))
        number = _EBOOK_NUMBER.search(value)
        if label == "release date" and number:
            fields.append(("source_url", f"https://www.gutenberg.org/ebooks/{number[1]}",
                           index + 1))
    return fields


def _etext_fields(lines: list[str]) -> list[tuple[str, str, int]]:
    """Title, author and ebook page from a 1990s header (no ``Title:`` lines)."""
    fields: list[tuple[str, str, int]] = []
    release_match = next(((i, match) for i, line in enumerate(lines)
                          if (match := _RELEASE_LINE.match(line))), None)
    if release_match is not None:
        release, match = release_match
        fields.append(("source_url", f"https://www.gutenberg.org/ebooks/{match[1]}",
                       release + 1))
        block: list[int] = []
        index = release - 1
        while index >= 0 and len(block) < 4:
            if lines[index]:
                block.insert(0, index)
            elif index > 0 and not lines[index - 1] and block:
                break
            index -= 1
        for line_index in block:
            by = _BY.match(lines[line_index])
            if by:
                fields.append(("authors", by[1], line_index + 1))
            elif not any(name == "title" for name, _, _ in fields):
                fields.append(("title", lines[line_index], line_index + 1))
    for index, line in enumerate(lines[:10]):
        match = _ETEXT_OF.search(line.strip("* "))
        if match is None:
            continue
        if not any(name == "title" for name, _, _ in fields):
            fields.append(("title", match["title"].strip(), index + 1))
        if match["author"] and not any(name == "authors" for name, _, _ in fields):
            fields.append(("authors", match["author"].strip(), index + 1))
        break
    return fields


def _continued(lines: list[str], index: int, value: str) -> str:
    """A header value with its continuation lines (long titles wrap onto the next line)."""
    parts = [value]
    for line in lines[index + 1:]:
        if not line or _HEADER.match(line):
            break
        parts.append(line)
    return " ".join(part for part in parts if part)

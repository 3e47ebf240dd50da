"""Project Gutenberg's frame around a plain-text book: its header, its start and end markers.

A Gutenberg ``.txt`` wraps the novel in a header (the ebook's title, author, language, number) and a
licence of several hundred lines after the ``*** END OF THE PROJECT GUTENBERG EBOOK ... ***``
marker. The story is what stands between the START and END markers; the header gives the metadata.
Leaving out the licence is what it asks of copies that drop the Gutenberg name, as a built book
does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_START = re.compile(r"^\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK", re.IGNORECASE)
_END = re.compile(r"^(?:\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK"
                  r"|End of (?:the )?Project Gutenberg'?s? )", re.IGNORECASE)
_HEADER = re.compile(r"^(Title|Author|Language|Release [Dd]ate):\s*(.*)$")
_EBOOK_NUMBER = re.compile(r"\[E-?Book #(\d+)\]", re.IGNORECASE)
# How far into the file the START marker may stand: the header is never longer than this.
_HEADER_LINES = 400

FIELD_FOR_LABEL = {"title": "title", "author": "authors", "language": "language"}


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
    return Frame(start + 1, end, _header_fields(lines[:start]))


def _header_fields(lines: list[str]) -> list[tuple[str, str, int]]:
    fields = []
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


def _continued(lines: list[str], index: int, value: str) -> str:
    """A header value with its continuation lines (long titles wrap onto the next line)."""
    parts = [value]
    for line in lines[index + 1:]:
        if not line or _HEADER.match(line):
            break
        parts.append(line)
    return " ".join(part for part in parts if part)

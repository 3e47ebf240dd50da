"""Reading plain-text fics as they are really posted: a few header lines, a title, the story.

A ``.txt`` fic has no markup to lean on, only habits: ``Warnings:`` and ``Author's Note:`` lines at
the top, a short title line, paragraphs separated by blank lines (or one paragraph per line), two
blank lines or a row of asterisks for a scene break, ``Chapter 3`` lines, ``*word*`` or ``_word_``
for italics. This reader turns those habits into the model and keeps every word of the story: a
line it cannot place becomes a paragraph rather than disappearing.

The file is read in one pass over its lines with regexes compiled once, so a novel-length text
reads in a fraction of a second.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePath

from bookmaker.errors import Finding
from bookmaker.model import (Block, Book, Chapter, Emph, Inline, Metadata, Paragraph, SceneBreak,
                             Series, Strong, Text)
from bookmaker.readers.plaintext import gutenberg
from bookmaker.readers.plaintext.chapters import (CHAPTER_LINE as _CHAPTER_LINE,
                                                  NOT_A_TITLE_END as _NOT_A_TITLE_END,
                                                  SENTENCE_INSIDE as _SENTENCE_INSIDE,
                                                  chapter_heading)
from bookmaker.readers.decoding import read_text
from bookmaker.readers.metadata import MetadataBuilder
from bookmaker.transforms.scenebreaks import is_separator_text
from bookmaker.safety.inputs import Source

# --------------------------------------------------------------------------- header lines

# The labels people write before a colon (lower case, straight apostrophe) -> the field they fill.
HEADER_FIELDS = {
    "title": "title",
    "author": "authors", "authors": "authors", "by": "authors", "written by": "authors",
    "author's note": "note", "author's notes": "note", "authors note": "note",
    "authors notes": "note", "author note": "note", "author notes": "note",
    "a/n": "note", "an": "note", "a/ns": "note",
    "warning": "warnings", "warnings": "warnings", "content warning": "warnings",
    "content warnings": "warnings", "archive warning": "warnings", "archive warnings": "warnings",
    "rating": "rating", "rated": "rating",
    "summary": "summary",
    "fandom": "fandoms", "fandoms": "fandoms",
    "pairing": "relationships", "pairings": "relationships", "relationship": "relationships",
    "relationships": "relationships",
    "character": "characters", "characters": "characters",
    "tag": "tags", "tags": "tags", "additional tags": "tags",
    "category": "categories", "categories": "categories",
    "disclaimer": "disclaimer",
    "series": "series",
    "language": "language",
}

_HEADER_LINE = re.compile(r"([a-z][a-z'’/ ]{0,24}?)[ \t]*:[ \t]*(.*)", re.IGNORECASE)
_LIST_SEPARATOR = re.compile(r"\s*[,;]\s*")
_SERIES_PART_OF = re.compile(r"(?:part|book)\s+(\d+(?:\.\d+)?)\s+of\s+(?:the\s+)?(.+)",
                             re.IGNORECASE)
_SERIES_NUMBERED = re.compile(r"(.+?)\s*(?:#|\(?(?:part|book)\s+)(\d+(?:\.\d+)?)\)?",
                              re.IGNORECASE)
_BY_LINE = re.compile(r"by\s+(\S.{0,59})", re.IGNORECASE)

# --------------------------------------------------------------------------- body lines

# A chapter number alone on its line: "IV" or "IV." (upper case: "I" in a sentence is a word).
_ROMAN_LINE = re.compile(r"(?=[IVXLC])C{0,3}(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})\.?")
_OPENING_PUNCTUATION = "\"“'‘«„‚([-—"
# Lines that end a sentence (or a line of dialogue): a sign the file has one paragraph per line.
_ENDS_SENTENCE = re.compile(r"[.!?…\"”’'*_)~—-]$")
MAX_TITLE_LENGTH = 80
MIN_TIMES_FOR_A_HABIT = 3

# --------------------------------------------------------------------------- inline markup

# **strong**, *emphasis*, _emphasis_: a marker opens only before a non-space and not inside a word,
# so snake_case, 2*3 and footnote stars (word*) stay literal, as do markers with no partner.
# The text inside never crosses another marker of its kind (strong may hold one emphasis marker
# at each end: ***both***), so a search for a partner stops at the next marker: a line of 20,000
# unpaired "*a " stays linear instead of quadratic.
_EMPHASIS = re.compile(
    r"(?<![\w*])\*\*(?=\S)(?P<strong>\*?[^*]+?\*?)(?<=\S)\*\*(?![\w*])"
    r"|(?<![\w*])\*(?=[^\s*])(?P<star>[^*]+?)(?<=[^\s*])\*(?![\w*])"
    r"|(?<!\w)_(?=[^\s_])(?P<underscore>[^_]+?)(?<=[^\s_])_(?!\w)")


@dataclass(frozen=True)
class HeaderField:
    name: str  # a value of HEADER_FIELDS
    value: str
    line: int


@dataclass
class _Preamble:
    """What comes before the story: header fields, the title line, where the story starts."""

    fields: list[HeaderField] = field(default_factory=list)
    title: str = ""
    title_line: int | None = None
    body_start: int = 0

    def has(self, name: str) -> bool:
        return any(f.name == name and f.value for f in self.fields)


class _Report:
    """Collects findings about one file, so ``findings()`` can list them all."""

    def __init__(self, path: PurePath) -> None:
        self.path = str(path)
        self.findings: list[Finding] = []

    def error(self, message: str, line: int | None, hint: str = "") -> None:
        self.findings.append(Finding("error", message, self.path, line, hint))

    def warning(self, message: str, line: int | None, hint: str = "") -> None:
        self.findings.append(Finding("warning", message, self.path, line, hint))


# --------------------------------------------------------------------------- entry points


def read_with_findings(source: Source) -> tuple[Book, list[Finding]]:
    """The Book and the problems met reading it (header fields it could not use...); the
    registry (readers.read_with_findings) raises the first error, as for every reader."""
    path = source.name
    text, encoding = read_text(source)
    report = _Report(path)
    lines = [line.strip() for line in text.split("\n")]
    source.ledger.holds(text)
    book_frame = gutenberg.frame(lines)
    if book_frame:
        source.ledger.leave_out("\n".join(lines[:book_frame.start] + lines[book_frame.end:]),
                                "Project Gutenberg's header and licence")
        lines = lines[:book_frame.end]  # the licence after the end marker is not the story
    preamble = read_preamble(lines, book_frame.start if book_frame else 0)
    if book_frame:
        preamble.fields = _with_frame_fields(book_frame, preamble.fields)
    metadata, front_matter = _metadata(preamble, path, encoding, report)
    # The header lines are read as metadata, their labels ("Rating:") are not words of the work;
    # separator lines ("-o-", "xxx") become scene breaks.
    source.ledger.leave_out("\n".join(lines[:preamble.body_start]), "the header lines")
    for line in lines[preamble.body_start:]:
        note = header_field(line)
        if is_separator_text(line):
            source.ledger.leave_out(line, "a scene-break line")
        elif note is not None and note[0] == "note":  # "A/N:": the label goes, the note stays
            source.ledger.leave_out(line[:len(line) - len(note[1])], "an author's note label")
    chapters = read_body(lines, preamble.body_start)
    if not chapters:
        report.error("there is no story after the header lines", preamble.body_start + 1,
                     hint="put the story after a blank line below the headers")
    chapters, back_matter = _move_final_note_to_back_matter(chapters)
    book = Book(metadata=metadata, chapters=tuple(chapters), front_matter=front_matter,
                back_matter=back_matter, base_dir=source.folder)
    return book, report.findings


# --------------------------------------------------------------------------- the preamble


def read_preamble(lines: list[str], start: int = 0) -> _Preamble:
    """Header fields and the title line at the top of the file, up to the first story line.

    A header's value continues on the following non-blank lines; a short line standing alone
    (before, between or after the headers) is the title unless a ``Title:`` header gave one.
    """
    preamble = _Preamble()
    index = _skip_blank(lines, start)
    while index < len(lines):
        header = header_field(lines[index])
        if header is not None:
            index = _read_header_field(lines, index, header, preamble)
        elif _takes_title_line(preamble, lines, index):
            preamble.title, preamble.title_line = lines[index], index + 1
            index += 1
        elif preamble.title_line is not None and _is_by_line(preamble, lines, index):
            by_line = _BY_LINE.fullmatch(lines[index])
            assert by_line is not None  # _is_by_line matched it
            preamble.fields.append(HeaderField("authors", by_line[1], index + 1))
            index += 1
        else:
            break
        index = _skip_blank(lines, index)
    preamble.body_start = index
    return preamble


def _with_frame_fields(book_frame: gutenberg.Frame,
                       fields: list[HeaderField]) -> list[HeaderField]:
    """A Gutenberg header's fields first; the story's own title block only fills what it lacks
    (its "By Jane Austen" line would otherwise name the author twice)."""
    framed = [HeaderField(name, value, line) for name, value, line in book_frame.fields]
    given = {f.name for f in framed}
    return framed + [f for f in fields if f.name not in given]


def header_field(line: str) -> tuple[str, str] | None:
    """(field name, value) when ``line`` is a known ``Label: value`` header, else None."""
    match = _HEADER_LINE.fullmatch(line)
    if match is None:
        return None
    label = " ".join(match[1].lower().replace("’", "'").split())
    name = HEADER_FIELDS.get(label)
    return (name, match[2]) if name else None


def _read_header_field(lines: list[str], index: int, header: tuple[str, str],
                       preamble: _Preamble) -> int:
    name, value = header
    parts = [value] if value else []
    end = index + 1
    while end < len(lines) and lines[end] and header_field(lines[end]) is None:
        parts.append(lines[end])
        end += 1
    preamble.fields.append(HeaderField(name, " ".join(parts), index + 1))
    return end


def _takes_title_line(preamble: _Preamble, lines: list[str], index: int) -> bool:
    return (preamble.title_line is None and not preamble.has("title")
            and is_title_line(lines, index))


def is_title_line(lines: list[str], index: int) -> bool:
    """A short, stand-alone line that reads like a title rather than a sentence of the story.

    It must be followed by a blank line (or a header, ``by`` or chapter line) and by more text,
    so the first paragraph of an untitled story is never taken for its title.
    """
    text = lines[index]
    following = lines[index + 1] if index + 1 < len(lines) else None
    return (len(text) <= MAX_TITLE_LENGTH
            and following is not None
            and (not following or header_field(following) is not None
                 or chapter_heading(following) is not None
                 or _BY_LINE.fullmatch(following) is not None)
            and _skip_blank(lines, index + 1) < len(lines)
            and not text.startswith(tuple(_OPENING_PUNCTUATION))
            and not text.endswith(tuple(_NOT_A_TITLE_END))
            and _SENTENCE_INSIDE.search(text) is None
            and not is_separator_text(text)
            and chapter_heading(text) is None)


def _is_by_line(preamble: _Preamble, lines: list[str], index: int) -> bool:
    """``by Someone`` right under the title names the author (a sentence would be longer)."""
    following = lines[index + 1] if index + 1 < len(lines) else ""
    return (not preamble.has("authors") and not following
            and _BY_LINE.fullmatch(lines[index]) is not None
            and not lines[index].endswith(tuple(_NOT_A_TITLE_END)))


def _skip_blank(lines: list[str], index: int) -> int:
    while index < len(lines) and not lines[index]:
        index += 1
    return index


# --------------------------------------------------------------------------- metadata


def _metadata(preamble: _Preamble, path: PurePath, encoding: str,
              report: _Report) -> tuple[Metadata, tuple[Block, ...]]:
    """Metadata and the opening notes (front matter) from the header fields; what each value
    means is readers/metadata.py's rule, as for every reader."""
    builder = MetadataBuilder(path, report.findings)
    summary: list[Block] = []
    front_matter: list[Block] = []
    lists = {"authors": builder.authors, "fandoms": builder.fandoms,
             "relationships": builder.relationships, "characters": builder.characters,
             "tags": builder.tags}
    for header in preamble.fields:
        if header.name in lists:
            lists[header.name](split_list(header.value))
        elif header.name == "warnings":
            builder.warnings(split_list(header.value), header.line)
        elif header.name == "categories":
            builder.categories(split_list(header.value), header.line)
        elif header.name == "title":
            if not builder.has_title():
                builder.title(header.value)
        elif header.name == "note" and header.value:
            front_matter.append(Paragraph(parse_inlines(header.value), header.line))
        elif header.name == "disclaimer" and header.value:
            front_matter.append(Paragraph(parse_inlines(f"Disclaimer: {header.value}"),
                                          header.line))
        elif header.name == "summary" and header.value:
            summary.append(Paragraph(parse_inlines(header.value), header.line))
        elif header.name == "rating":
            builder.rating(header.value, header.line)
        elif header.name == "language":
            builder.language(header.value, header.line)
        elif header.name == "series" and header.value:
            builder.series([parse_series(header.value)])
        elif header.name == "source_url":
            builder.set(source_url=header.value)
    if not builder.has_title():
        builder.title(preamble.title)
    builder.set(summary=tuple(summary), encoding=encoding)
    metadata = builder.build(no_title_hint="add a `Title:` line at the top, or a short title "
                                           "line above the story")
    return metadata, tuple(front_matter)


def split_list(value: str) -> list[str]:
    """``Angst, Hurt/Comfort; Fluff`` -> its items (slashes belong to pairings, so stay)."""
    return [item for item in _LIST_SEPARATOR.split(value.strip()) if item]


def parse_series(value: str) -> Series:
    """``Part 2 of Name``, ``Name #2`` or ``Name (Part 2)`` -> Series(name, 2.0); else no index."""
    value = value.strip()
    part_of = _SERIES_PART_OF.fullmatch(value)
    if part_of:
        return Series(part_of[2].strip(), float(part_of[1]))
    numbered = _SERIES_NUMBERED.fullmatch(value)
    if numbered:
        return Series(numbered[1].strip(), float(numbered[2]))
    return Series(value)


# --------------------------------------------------------------------------- the body


@dataclass
class _ChapterBuilder:
    """One chapter being read: its blocks, and which paragraphs began with ``A/N:``."""

    title: str = ""
    line: int | None = None
    blocks: list[Block] = field(default_factory=list)
    note_starts: list[int] = field(default_factory=list)  # indexes into blocks

    def add_paragraph(self, text: str, line: int) -> None:
        header = header_field(text)
        if header is not None and header[0] == "note":
            # An author's note inside the story: the label goes, the words stay.
            self.note_starts.append(len(self.blocks))
            text = header[1]
            if not text:
                return
        self.blocks.append(Paragraph(parse_inlines(text), line))

    def add_scene_break(self, line: int) -> None:
        # A break before any text or right after another says nothing.
        if self.blocks and not isinstance(self.blocks[-1], SceneBreak):
            self.blocks.append(SceneBreak(line))

    def is_empty(self) -> bool:
        return not self.blocks and not self.title

    def build(self) -> Chapter:
        notes, blocks, end_notes = _split_chapter_notes(self.blocks, self.note_starts)
        blocks = _without_edge_scene_breaks(blocks)
        line = self.line if self.line is not None else _first_line(notes or blocks)
        return Chapter(title=self.title, blocks=blocks, notes=notes, end_notes=end_notes,
                       line=line)


def read_body(lines: list[str], start: int) -> list[Chapter]:
    """The story from ``lines[start:]`` as chapters of paragraphs and scene breaks."""
    paragraph_gap = paragraph_gap_of(lines, start)
    chapters: list[Chapter] = []
    chapter = _ChapterBuilder()
    paragraph: list[str] = []
    paragraph_line = 0

    def end_paragraph() -> None:
        if paragraph:
            chapter.add_paragraph(" ".join(paragraph), paragraph_line)
            paragraph.clear()

    index = start
    numerals = roman_numeral_headings(lines, start)
    while index < len(lines):
        text = lines[index]
        if not text:
            end_paragraph()
            blank_end = _skip_blank(lines, index)
            if blank_end - index > paragraph_gap:
                chapter.add_scene_break(index + 1)
            index = blank_end
            continue
        heading = text if index in numerals else chapter_heading(text)
        if heading is not None:
            end_paragraph()
            if not chapter.is_empty():
                chapters.append(chapter.build())
            heading, index = _with_subtitle(heading, lines, index, paragraph_gap)
            chapter = _ChapterBuilder(title=heading, line=index + 1)
        elif is_separator_text(text):
            end_paragraph()
            chapter.add_scene_break(index + 1)
        elif paragraph_gap == 0:
            chapter.add_paragraph(text, index + 1)
        else:
            if not paragraph:
                paragraph_line = index + 1
            paragraph.append(text)
        index += 1
    end_paragraph()
    if not chapter.is_empty():
        chapters.append(chapter.build())
    return chapters


def paragraph_gap_of(lines: list[str], start: int) -> int:
    """How many blank lines separate paragraphs in this file: more than that is a scene break.

    0 when the file puts one paragraph on each line with (almost) no blank lines, which shows as
    mostly adjacent lines that mostly end a sentence; hard-wrapped prose ends mid-sentence.
    Otherwise the most common run of blank lines (1 in most fics, 2 in some double-spaced ones).
    """
    gaps: Counter[int] = Counter()
    text_lines = sentence_ends = 0
    blank_run = 0
    for text in lines[start:]:
        if not text:
            blank_run += 1
            continue
        if text_lines:
            gaps[blank_run] += 1
        blank_run = 0
        text_lines += 1
        sentence_ends += _ENDS_SENTENCE.search(text) is not None
    adjacent = gaps.pop(0, 0)
    separated = sum(gaps.values())
    if adjacent > 3 * separated and 2 * sentence_ends > text_lines:
        return 0
    if not gaps:
        return 1
    # Double-spaced paragraphs are a habit only when seen often; one wide gap is a scene break.
    usual, times = gaps.most_common(1)[0]
    return usual if times >= MIN_TIMES_FOR_A_HABIT else 1


def _with_subtitle(heading: str, lines: list[str], index: int,
                   paragraph_gap: int) -> tuple[str, int]:
    """``Chapter 3`` with its title on the next line (``The Fall``) -> ``Chapter 3: The Fall``.

    Only where paragraphs are blank-separated: with one paragraph per line, the next line may as
    well be the story's first paragraph.
    """
    following = index + 1
    numeral = _ROMAN_LINE.fullmatch(heading) is not None
    match = _CHAPTER_LINE.fullmatch(heading)
    if paragraph_gap == 0 or (match is not None and match["subtitle"]):
        return heading, index
    if following < len(lines) and not lines[following] and following + 1 < len(lines) \
            and lines[following + 1][:1].isupper() and is_title_line(lines, following + 1) \
            and not lines[following + 1].endswith(("!", "?", "…")):
        following += 1  # "CHAPTER I", a blank line, "Down the Rabbit-Hole" (Gutenberg's way)
    if following >= len(lines) or not lines[following] or not is_title_line(lines, following):
        return heading, index
    if numeral:
        return f"{heading.rstrip('.')}. {lines[following]}", following
    return f"{heading.rstrip('.')}: {lines[following]}", following


def roman_numeral_headings(lines: list[str], start: int = 0) -> set[int]:
    """The indexes of lines holding only a Roman numeral (``IV`` or ``IV.``) that number
    chapters: standing alone after a blank line, and counting I, II, III... in order (again
    from I in a new part). A lone ``I`` or ``X`` anywhere else stays text."""
    candidates = [(index, _roman_value(lines[index])) for index in range(start, len(lines))
                  if _ROMAN_LINE.fullmatch(lines[index])
                  and (index == start or not lines[index - 1])]
    found: set[int] = set()
    run: list[int] = []
    expected = 1
    for index, value in candidates:
        if value == expected:
            run.append(index)
            expected += 1
        elif value == 1:
            found.update(run if len(run) >= 2 else ())
            run, expected = [index], 2
    found.update(run if len(run) >= 2 else ())
    return found


def _roman_value(numeral: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    digits = [values[c] for c in numeral.rstrip(".")]
    return sum(-d if i + 1 < len(digits) and d < digits[i + 1] else d
               for i, d in enumerate(digits))


def _split_chapter_notes(blocks: list[Block], note_starts: list[int]
                         ) -> tuple[tuple[Block, ...], tuple[Block, ...], tuple[Block, ...]]:
    """(notes, story, end notes): ``A/N:`` paragraphs opening a chapter, and the last ``A/N:``
    with everything after it when no scene break follows (an end note runs to the chapter's end).
    """
    note_starts = [i for i in note_starts if i < len(blocks)]
    head = 0
    while head in note_starts:
        head += 1
    tail = len(blocks)
    if note_starts and note_starts[-1] >= head and not any(
            isinstance(block, SceneBreak) for block in blocks[note_starts[-1]:]):
        tail = note_starts[-1]
    return tuple(blocks[:head]), tuple(blocks[head:tail]), tuple(blocks[tail:])


def _without_edge_scene_breaks(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """A break at the very start or end of a chapter separates nothing (also once notes left)."""
    start, end = 0, len(blocks)
    while start < end and isinstance(blocks[start], SceneBreak):
        start += 1
    while end > start and isinstance(blocks[end - 1], SceneBreak):
        end -= 1
    return blocks[start:end]


def _move_final_note_to_back_matter(chapters: list[Chapter]
                                    ) -> tuple[list[Chapter], tuple[Block, ...]]:
    """The author's note after the last chapter speaks for the whole work: it is back matter."""
    if not chapters or not chapters[-1].end_notes:
        return chapters, ()
    last = chapters[-1]
    return [*chapters[:-1], Chapter(title=last.title, blocks=last.blocks, summary=last.summary,
                                    notes=last.notes, line=last.line)], last.end_notes


def _first_line(blocks: list[Block] | tuple[Block, ...]) -> int | None:
    return next((block.line for block in blocks if block.line is not None), None)


# --------------------------------------------------------------------------- inlines


def parse_inlines(text: str) -> tuple[Inline, ...]:
    """Text with ``*emphasis*``, ``_emphasis_`` and ``**strong**`` as inline nodes."""
    nodes: list[Inline] = []
    position = 0
    for match in _EMPHASIS.finditer(text):
        if match.start() > position:
            nodes.append(Text(text[position:match.start()]))
        if match["strong"] is not None:
            nodes.append(Strong(parse_inlines(match["strong"])))
        else:
            nodes.append(Emph(parse_inlines(match["star"] or match["underscore"])))
        position = match.end()
    if position < len(text):
        nodes.append(Text(text[position:]))
    return tuple(nodes)

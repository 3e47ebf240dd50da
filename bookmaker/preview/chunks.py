"""A Markdown manuscript cut into its chapters as text, to tell which chapter a save changed.

Parsing a 120,000-word manuscript takes markdown-it a few hundred milliseconds, more than the
preview's whole budget for a save. A chapter is cut out of the text at each level-1 ``#`` heading
(the reader starts a chapter there and nowhere else at the top level), so a save that changed one
chapter's text can be read again as that chapter alone: the front matter, blank lines down to
the chapter's first line (so every line number in a message is the file's), then the chapter.

The cut is only trusted where it cannot differ from a whole read: ``split`` gives up (None) on
what could move a chapter boundary (a setext ``===`` heading, an indented ``#``, an unclosed
fence or container), and ``stands_alone`` refuses a chapter tied to the rest by footnotes or
link reference definitions. Whatever it lets through, the preview still reads the whole file
afterwards and shows that book: the cut decides how soon the new text shows, never what the book
finally is.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

# What the lines that matter start with: fences, containers, headings, setext underlines.
_MARKERS = frozenset("`~:#=")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
_TILDE_SCENE_BREAK = re.compile(r"~(?:[ \t]*~){2,}[ \t]*")
_CONTAINER = re.compile(r" {0,3}(:{3,})[ \t]*(\S*)")
_CHAPTER_HEADING = re.compile(r"#(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*")
_INDENTED_HEADING = re.compile(r" {1,3}#(?:[ \t]|$)")
_SETEXT_UNDERLINE = re.compile(r" {0,3}=+[ \t]*")
_FOOTNOTE_REFERENCE = re.compile(r"\[\^([^\]\s]+)\](?!:)")
_FOOTNOTE_DEFINITION = re.compile(r"^ {0,3}\[\^([^\]]+)\]:", re.MULTILINE)
_LINK_DEFINITION = re.compile(r"^ {0,3}\[(?!\^)[^\]]+\]:", re.MULTILINE)


@dataclass(frozen=True)
class Chunk:
    """Consecutive lines of the manuscript; ``start`` is the 0-based index of the first."""

    start: int
    text: str


@dataclass(frozen=True)
class Manuscript:
    """The text as chunks: the front matter (empty when there is none), the text before the
    first chapter heading, then one chunk per chapter heading."""

    front: Chunk
    opening: Chunk
    chapters: tuple[Chunk, ...]

    @property
    def chunks(self) -> tuple[Chunk, ...]:
        return (self.front, self.opening, *self.chapters)

    def alone(self, chunk: Chunk) -> str:
        """The manuscript holding only ``chunk`` besides the front matter, each line where it
        stands in the whole file."""
        front_lines = self.front.text.count("\n") + 1 if self.front.text else 0
        padding = "\n" * (chunk.start - front_lines)
        return (self.front.text + "\n" if self.front.text else "") + padding + chunk.text


def split(text: str) -> Manuscript | None:
    """The manuscript's chunks, or None when its chapter boundaries cannot be found from lines
    alone (then only a whole read can tell)."""
    lines = text.split("\n")
    body = _front_matter_end(lines)
    if body is None:
        return None
    starts: list[int] = []
    fence: tuple[str, int] | None = None  # the fence character and length while inside one
    containers = 0
    for index in range(body, len(lines)):
        line = lines[index]
        if line.lstrip(" ")[:1] not in _MARKERS:
            continue  # prose (most lines): nothing in it can open, close or start anything
        if fence is not None:
            if re.fullmatch(f" {{0,3}}{re.escape(fence[0])}{{{fence[1]},}}[ \t]*", line):
                fence = None
            continue
        opened = _FENCE.match(line)
        if opened and not _is_tilde_scene_break(lines, index, body):
            marker, info = opened.groups()
            if marker[0] == "`" and "`" in info:
                continue  # not a fence: an inline code span at the start of a line
            fence = (marker[0], len(marker))
            continue
        container = _CONTAINER.fullmatch(line)
        if container:
            containers = containers + 1 if container.group(2) else max(containers - 1, 0)
            continue
        if _INDENTED_HEADING.match(line):
            return None  # a heading inside a list item, or not: only the parse can tell
        if _SETEXT_UNDERLINE.fullmatch(line) and index > body and lines[index - 1].strip():
            return None  # `Title` over `===` is a chapter heading too
        heading = _CHAPTER_HEADING.fullmatch(line)
        if heading and heading.group(1) and heading.group(1).strip("# \t") and not containers:
            starts.append(index)
    if fence is not None or containers:
        return None
    bounds = [body, *starts, len(lines)]
    chunks = [Chunk(start, "\n".join(lines[start:end]))
              for start, end in itertools.pairwise(bounds)]
    return Manuscript(Chunk(0, "\n".join(lines[:body])), chunks[0], tuple(chunks[1:]))


def _front_matter_end(lines: list[str]) -> int | None:
    """The index of the first line after the front matter (0 without one); None when it is
    never closed (the reader says so)."""
    if not lines or lines[0].rstrip() != "---":
        return 0
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            return index + 1
    return None


def _is_tilde_scene_break(lines: list[str], index: int, body: int) -> bool:
    """The reader's rule (readers/markdown/rules.py): tildes alone between blank lines."""
    if not _TILDE_SCENE_BREAK.fullmatch(lines[index].strip(" ")):
        return False
    before = index == body or not lines[index - 1].strip()
    after = index + 1 >= len(lines) or not lines[index + 1].strip()
    return before and after


def changed_chapter(old: Manuscript, new: Manuscript) -> int | None:
    """The index (in ``chapters``, or -1 for the opening text) of the one chunk that differs,
    when nothing else does; None otherwise (front matter, several chapters, a chapter added or
    removed, or nothing changed)."""
    if old.front.text != new.front.text or len(old.chapters) != len(new.chapters):
        return None
    differing = [index for index, (before, after) in
                 enumerate(zip(old.chunks[1:], new.chunks[1:], strict=True))
                 if before.text != after.text]
    return differing[0] - 1 if len(differing) == 1 else None


def stands_alone(old: Manuscript, new: Manuscript, index: int) -> bool:
    """True when chunk ``index`` (as changed_chapter numbers it) reads the same alone as in the
    whole file: every footnote it calls is defined in it, no other chunk calls or defines one
    of its footnotes, and there are no link reference definitions to share."""
    def chunk(manuscript: Manuscript) -> Chunk:
        return manuscript.opening if index == -1 else manuscript.chapters[index]

    before, after = chunk(old).text, chunk(new).text
    others = "\n".join(c.text for c in new.chunks[1:] if c is not chunk(new))
    if _LINK_DEFINITION.search(before) or _LINK_DEFINITION.search(after) or \
            (_LINK_DEFINITION.search(others) and "]" in after):
        return False
    if "[^" not in before and "[^" not in after:
        return True
    called = set(_FOOTNOTE_REFERENCE.findall(after))
    own = set(_FOOTNOTE_DEFINITION.findall(after)) | set(_FOOTNOTE_DEFINITION.findall(before))
    shared = set(_FOOTNOTE_REFERENCE.findall(others)) | set(_FOOTNOTE_DEFINITION.findall(others))
    return called <= set(_FOOTNOTE_DEFINITION.findall(after)) and not own & shared

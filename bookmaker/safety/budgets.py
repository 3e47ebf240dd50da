"""Budgets on what a stranger's text may make the parsers do, checked before they run.

A file's size alone does not bound the work: 16 MB of empty paragraphs become millions of model
objects (gigabytes), 12 MB of front matter keep YAML busy for minutes, and markdown-it looks for
a link label's end from every ``[`` of a paragraph, so a paragraph of nothing but ``![`` costs
hours. These checks run in linear time over the decoded text, before any parser sees it: a file
past a budget is refused with a message naming it (and the line), and a paragraph holding a
suspicious number of ``[`` has them escaped, so its words are kept and only the impossible links
go.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from bookmaker.errors import ManuscriptError
from bookmaker.model import children

# Paragraphs (blocks separated by a blank line, or block tags in HTML) a text file may hold. A
# long novel has 5,000 to 20,000; Shakespeare's complete works as one text file, about 40,000.
MAX_BLOCKS = 200_000
# Characters between a manuscript's front matter fences. A header with a long summary is a few KB.
MAX_FRONT_MATTER_CHARS = 256 * 1024
# ``[`` in one Markdown paragraph before they are all escaped (read as text, not as links), and
# the most a paragraph may hold at all.
MAX_LINK_OPENERS = 1_000
MAX_BRACKETS_PER_PARAGRAPH = 100_000

_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_BLOCK_TAG = re.compile(rb"<(?:p|div|li|br|h[1-6]|tr|td|blockquote|section)[\s/>]", re.IGNORECASE)
_PARAGRAPH = re.compile(r"(?:[^\n]|\n(?![ \t]*\n))+")


def check_blocks(text: str, path: str | PurePath | None) -> None:
    """Refuse a text with more than MAX_BLOCKS paragraphs or block tags."""
    blocks = max(len(_BLANK_LINE.findall(text)),
                 len(_BLOCK_TAG.findall(text.encode("utf-8", "surrogatepass"))))
    if blocks > MAX_BLOCKS:
        raise ManuscriptError(f"the file holds more than {MAX_BLOCKS:,} paragraphs",
                              path, hint="no book has that many; split it into several works")


def guard_markdown(text: str, path: str | PurePath | None) -> str:
    """``text`` made safe for markdown-it: front matter of bounded size, and paragraphs with
    more ``[`` than any real paragraph has read as plain text (their ``[`` escaped)."""
    if text.startswith("---") and text.find("\n---", 3) > MAX_FRONT_MATTER_CHARS:
        raise ManuscriptError(f"the front matter is longer than "
                              f"{MAX_FRONT_MATTER_CHARS // 1024} KB", path, 1,
                              hint="keep the header to its fields; put long text in the story")
    if text.count("[") <= MAX_LINK_OPENERS:
        return text
    return _PARAGRAPH.sub(lambda match: _escaped_brackets(match, text, path), text)


def _escaped_brackets(match: re.Match[str], text: str, path: str | PurePath | None) -> str:
    paragraph = match.group()
    openers = paragraph.count("[")
    if openers <= MAX_LINK_OPENERS:
        return paragraph
    if openers > MAX_BRACKETS_PER_PARAGRAPH:
        raise ManuscriptError(f"a paragraph holds {openers:,} '[', more than the "
                              f"{MAX_BRACKETS_PER_PARAGRAPH:,} allowed", path,
                              text.count("\n", 0, match.start())
                              + (len(paragraph) - len(paragraph.lstrip("\n"))) + 1,
                              hint="the file is damaged or made to slow bookmaker down")
    # Already escaped brackets stay as they are; every other one becomes text.
    return re.sub(r"(?<!\\)\[", r"\\[", paragraph)


# How deep blocks and inlines may nest in a book as read (a quote in a list in a note is three).
# The passes after reading (transforms, the asset check, every writer) walk the model
# recursively, a few Python frames a level: 100 keeps them far from Python's recursion limit,
# while no real book nests past about 20.
MAX_MODEL_DEPTH = 100


def check_depth(book: object, path: str | PurePath | None) -> None:
    """Refuse a model nested deeper than MAX_MODEL_DEPTH, measured without recursion, before
    any recursive pass can meet it (250 nested quotes or emphases would crash them)."""
    stack: list[tuple[object, int, int | None]] = [(book, 0, None)]
    while stack:
        node, depth, line = stack.pop()
        own_line = getattr(node, "line", None)
        line = own_line if isinstance(own_line, int) and own_line else line  # inlines: the block's
        if depth > MAX_MODEL_DEPTH:
            raise ManuscriptError(f"quotes, lists, emphasis or tags are nested more than "
                                  f"{MAX_MODEL_DEPTH} levels deep", path, line,
                                  hint="no book needs that many; flatten the nesting")
        stack.extend((child, depth + 1, line) for child in children(node))

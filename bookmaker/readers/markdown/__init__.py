"""The annotated manuscript reader: CommonMark with YAML front matter and fic annotations → Book.

The format is described in README.md ("Writing a manuscript"). markdown-it-py parses the text once
(its plugins give front matter, footnotes, ``:::`` containers and ``[x]{.class}`` spans;
readers/markdown/rules.py adds line blocks and ``~~~`` scene breaks), then one walk over the token
stream builds the model:

- a level-1 heading starts a chapter; text before the first one is an untitled chapter;
- ``::: summary`` / ``::: notes`` right after a chapter heading and ``::: end-notes`` at its end
  are the chapter's annotations; ``::: note`` is a Note; ``::: letter|texts|epigraph`` a Div;
- thematic breaks, ``~~~`` lines, empty headings and paragraphs made only of separator
  characters (``~*~``, ``oOo``, ``§``...) are scene breaks;
- footnotes are numbered "1", "2"... across the book in order of first reference and placed at
  the end of the chapter that first refers to them;
- raw HTML goes down the HTML road (readers/html/parse.py, then readers/html/blocks.py), as any
  HTML input does: a block becomes model blocks, a tag in running text means what the converter
  says it means; what the sanitiser drops with its content (a script, a frame) is a warning with
  its line.

No typography is applied here (a transform does that), and images are not opened: findings()
checks them through bookmaker.safety.assets so ``bookmaker check`` reports them, and writers resolve
them again when they embed them.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote
from pathlib import PurePath
from typing import TYPE_CHECKING

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from bookmaker.errors import Finding, ManuscriptError
from bookmaker.model import (DIV_KINDS, Block, BlockQuote, Book, Chapter, Code, Div, Emph,
                             Footnote, FootnoteRef, Heading, Image, Inline, LineBlock, LineBreak,
                             Link, ListBlock, Note, Paragraph, Ruby, SceneBreak, SmallCaps, Span,
                             Strikeout, Strong, Table, TableCell, Text, Underline)
from bookmaker.readers.markdown import frontmatter
from bookmaker.readers.markdown.rules import line_block_plugin, tilde_scene_break_plugin
from bookmaker.readers.decoding import read_text
from bookmaker.safety.budgets import guard_markdown
from bookmaker.transforms.scenebreaks import is_separator_text
from bookmaker.safety.inputs import Source

if TYPE_CHECKING:
    from lxml import etree

# The HTML road (readers/html: justhtml, lxml, the sanitiser) is imported where a manuscript
# holds HTML, never before: most manuscripts hold none, and it is a third of a short build's start.

ANNOTATION_KINDS = ("summary", "notes", "end-notes")
CONTAINER_KINDS = ("note", *DIV_KINDS, *ANNOTATION_KINDS)


# How deep quotes, lists and notes may nest (as markdown-it counts levels: a quote inside a list
# item is three); markdown-it parses twice as deep, so nothing a book keeps is ever cut off.
MAX_NESTING = 40


def _make_parser() -> MarkdownIt:
    """The one parser every read uses: building it costs more than parsing a short story."""
    md = MarkdownIt("commonmark", {"maxNesting": 2 * MAX_NESTING}).enable(["strikethrough",
                                                                           "table"])
    md.use(front_matter_plugin)
    md.use(footnote_plugin, move_to_end=False)
    md.use(attrs_plugin, spans=True)
    md.use(container_plugin, name="div", validate=lambda params, _markup: bool(params.strip()))
    md.use(line_block_plugin)
    md.use(tilde_scene_break_plugin)
    # markdown-it leaves file: and data: links as literal text. Keep every link and image in the
    # model instead: writers keep only http(s)/mailto links, and images go through the asset
    # policy, which drops a refused one with a warning naming the line rather than leaking
    # "![map](file:///...)" into the story.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


_PARSER = _make_parser()

# --------------------------------------------------------------------------- public API


def read_with_findings(source: Source) -> tuple[Book, list[Finding]]:
    """The Book and every problem met reading it: an unknown rating, a misspelt warning, an
    unused footnote (the registry raises the first error, as for every reader)."""
    problems: list[Finding] = []
    book = _read(source, problems)
    return book, problems


# --------------------------------------------------------------------------- the whole file


def _refuse_too_deep(tokens: list[Token], path: PurePath) -> None:
    """Refuse quotes, lists or notes nested deeper than MAX_NESTING. markdown-it silently skips
    what lies past its own limit (set well above ours), and a book must not lose words unsaid."""
    deepest = next((token for token in tokens if token.level > MAX_NESTING and token.map), None)
    if deepest is not None and deepest.map is not None:
        raise ManuscriptError("quotes, lists or notes are nested too deeply here (more than "
                              f"the {MAX_NESTING} levels a manuscript may use)", path,
                              deepest.map[0] + 1,
                              hint="no book needs that many; check the '>' or indentation")


# Tokens whose content is text of the manuscript, as markdown-it parsed it (front matter, link
# addresses and attributes are not; raw HTML's text is recorded by the HTML road's parse).
_TEXT_TOKENS = frozenset({"text", "code_inline", "code_block", "fence", "text_special"})


def _token_text(tokens: list[Token]) -> str:
    """The manuscript's text as markdown-it read it: every text token's content, a space
    between blocks and lines (what readers/accounting.py compares the book with)."""
    parts: list[str] = []
    for token in tokens:
        for part in (token.children or [token]) if token.type == "inline" else [token]:
            if part.type in _TEXT_TOKENS:
                parts.append(part.content)
            elif part.type in ("softbreak", "hardbreak") or part.nesting != 0 \
                    or part.type == "html_block":
                parts.append(" ")
    return "".join(parts)


def _read(source: Source, problems: list[Finding]) -> Book:
    """The book, with every problem appended to ``problems``; raises only when reading cannot go
    on (unreadable file, bad front matter, no story)."""
    path = source.name
    text, encoding = read_text(source)
    text = guard_markdown(text, path)  # bounds markdown-it's slow paths (safety/budgets.py)
    env: dict = {}
    tokens = _PARSER.parse(text, env)
    _refuse_too_deep(tokens, path)
    source.ledger.holds(_token_text(tokens))
    lines = text.split("\n")
    fields = _front_matter_fields(tokens, lines, path)
    walker = _Walker(path, lines, env, problems)
    matter = frontmatter.build_work_matter(fields, path, problems, walker.markdown_blocks)
    chapters = _assemble_chapters(walker.top_level(tokens), walker, problems)
    if not any(chapter.blocks for chapter in chapters):
        raise ManuscriptError("the manuscript has no story text", path, _body_line(tokens),
                              hint="write the story below the front matter's closing ---")
    walker.report_unused_footnotes()
    metadata = dataclasses.replace(matter.metadata, encoding=encoding)
    return Book(metadata, tuple(chapters), matter.front_matter, matter.back_matter,
                base_dir=source.folder)


def _front_matter_fields(tokens: list[Token], lines: list[str],
                         path: PurePath) -> list[frontmatter.Field]:
    if tokens and tokens[0].type == "front_matter":
        return frontmatter.parse_fields(tokens[0].content, 2, path)
    if _looks_like_unclosed_front_matter(lines):
        raise ManuscriptError("the front matter opened here is never closed", path, 1,
                              hint="add a line with --- after the last field")
    return []


def _looks_like_unclosed_front_matter(lines: list[str]) -> bool:
    """A first line of --- followed by a `field:` line, with no closing --- anywhere."""
    if not lines or lines[0].rstrip() != "---":
        return False
    following = next((line for line in lines[1:] if line.strip()), "")
    return re.match(r"[A-Za-z_][\w-]*\s*:(\s|$)", following) is not None


def _body_line(tokens: list[Token]) -> int:
    if tokens and tokens[0].type == "front_matter" and tokens[0].map:
        return tokens[0].map[1] + 1
    return 1


# --------------------------------------------------------------------------- chapters


@dataclass(frozen=True)
class _ChapterStart:
    title: str
    line: int | None


@dataclass(frozen=True)
class _Annotation:
    kind: str  # one of ANNOTATION_KINDS
    blocks: tuple[Block, ...]
    line: int | None


@dataclass
class _ChapterDraft:
    """A chapter being collected; checks where its annotations stand."""

    title: str = ""
    line: int | None = None
    blocks: list[Block] = field(default_factory=list)
    summary: tuple[Block, ...] = ()
    notes: tuple[Block, ...] = ()
    end_notes: tuple[Block, ...] = ()
    reported_text_after_end_notes: bool = False

    def is_empty(self) -> bool:
        return not (self.blocks or self.summary or self.notes or self.end_notes)

    def add(self, block: Block, path: PurePath, problems: list[Finding]) -> None:
        if self.end_notes and not self.reported_text_after_end_notes:
            self.reported_text_after_end_notes = True
            problems.append(Finding("error", "story text after the chapter's ::: end-notes",
                                    str(path), getattr(block, "line", None),
                                    hint="move ::: end-notes to the end of the chapter"))
        self.blocks.append(block)

    def annotate(self, annotation: _Annotation, path: PurePath, problems: list[Finding]) -> None:
        attribute = annotation.kind.replace("-", "_")
        if getattr(self, attribute):
            problems.append(Finding("error", f"the chapter has a second ::: {annotation.kind}",
                                    str(path), annotation.line,
                                    hint="merge them into one block"))
        elif annotation.kind != "end-notes" and self.blocks:
            problems.append(Finding("error", f"::: {annotation.kind} must come right after the "
                                             "chapter heading", str(path), annotation.line,
                                    hint="move it up to just below the # heading"))
        setattr(self, attribute, getattr(self, attribute) + annotation.blocks)

    def finish(self, footnotes: list[Footnote]) -> Chapter:
        return Chapter(self.title, tuple(self.blocks) + tuple(footnotes), self.summary,
                       self.notes, self.end_notes, self.line)


def _assemble_chapters(items: Iterator[Block | _ChapterStart | _Annotation], walker: _Walker,
                       problems: list[Finding]) -> list[Chapter]:
    """Chapters from the top-level items; the untitled one before the first heading is kept
    only when it has something in it."""
    chapters: list[Chapter] = []
    draft = _ChapterDraft()
    for item in items:
        if isinstance(item, _ChapterStart):
            if not draft.is_empty() or draft.line is not None:
                chapters.append(draft.finish(walker.take_footnotes()))
            draft = _ChapterDraft(item.title, item.line)
        elif isinstance(item, _Annotation):
            draft.annotate(item, walker.path, problems)
        else:
            draft.add(item, walker.path, problems)
    if not draft.is_empty() or draft.line is not None:
        chapters.append(draft.finish(walker.take_footnotes()))
    return chapters


# --------------------------------------------------------------------------- the token walk

_STRAY_CONTAINER_CLOSE = re.compile(r":{3,}")
_FOOTNOTE_LABEL = re.compile(r"\[\^([^\]\s]+)\](?!:)")
_CONTAINER_CLOSE_LINE = re.compile(r"[\s>]*:{3,}\s*")
_MARKDOWN_INLINE = {"em_open": "em", "strong_open": "strong", "s_open": "s",
                    "span_open": "span", "link_open": "link"}
_CLOSING_TAG = re.compile(r"</\s*([A-Za-z][A-Za-z0-9-]*)\s*>")
_LEFT_OUT_HINT = ("a book keeps no scripts, styles, frames, forms or embedded media; write what "
                  "it showed as text (an image as ![description](file.png))")


@dataclass
class _Frame:
    """An inline element being built: its kind, the token that opened it (or, for an HTML tag,
    its parsed element; ``dropped`` when its content goes with it), its children so far and the
    text waiting to become one Text node (adjacent text tokens are merged)."""

    kind: str
    opener: Token | None = None
    classes: tuple[str, ...] = ()
    children: list[Inline] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    element: etree._Element | None = None
    dropped: bool = False

    def add_text(self, text: str) -> None:
        if text:
            self.text.append(text)

    def add(self, node: Inline) -> None:
        if isinstance(node, Text):  # an element's text that comes back as text joins its run
            self.add_text(node.text)
            return
        self.flush()
        self.children.append(node)

    def flush(self) -> None:
        if self.text:
            self.children.append(Text("".join(self.text)))
            self.text.clear()

    def finish(self) -> tuple[Inline, ...]:
        self.flush()
        return tuple(self.children)


class _Walker:
    """Turns markdown-it tokens into model nodes, collecting problems and footnotes."""

    def __init__(self, path: PurePath, lines: list[str], env: dict,
                 problems: list[Finding]) -> None:
        self.path = path
        self.lines = lines
        self.problems = problems
        self.footnote_env = env.get("footnotes", {}).get("list", {})
        self.definitions: dict[str, tuple[list[Token], int | None]] = {}
        # (chapter serial, markdown-it's footnote number) -> our id, so that a footnote referred
        # to from two chapters has a copy in each: a FootnoteRef always points into its chapter.
        self.footnote_ids: dict[tuple[int, int], str] = {}
        self.footnote_lines: dict[tuple[int, int], int | None] = {}  # -> line of first reference
        self.pending_footnotes: deque[tuple[int, int]] = deque()
        self.chapter_serial = 0
        self.footnotes_allowed = True
        self.line = 1  # line of the block being converted, for inline problems

    # ----------------------------------------------------------------- problems

    def report(self, level: str, message: str, line: int | None, hint: str = "") -> None:
        self.problems.append(Finding(level, message, str(self.path), line, hint))

    # ----------------------------------------------------------------- top level

    def top_level(self, tokens: list[Token]) -> Iterator[Block | _ChapterStart | _Annotation]:
        """The document's top-level items in order: blocks, chapter starts and annotations."""
        body = self._without_definitions(tokens)
        i = 0
        while i < len(body):
            token = body[i]
            if token.type == "heading_open" and token.tag == "h1" and _inline_text(body[i + 1]):
                yield _ChapterStart(_plain_title(body[i + 1]), _line(token))
                i += 3
            elif token.type == "container_div_open" and _container_kind(token) in \
                    ANNOTATION_KINDS:
                self._check_closed(token)
                blocks, i = self.blocks_until(body, i + 1, "container_div_close")
                yield _Annotation(_container_kind(token), tuple(blocks), _line(token))
            else:
                blocks, i = self.block(body, i)
                yield from blocks

    def _without_definitions(self, tokens: list[Token]) -> list[Token]:
        """The tokens without front matter and footnote definitions; definitions are kept by
        label for when their first reference is met."""
        body: list[Token] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token.type == "footnote_reference_open":
                end = _matching_close(tokens, i, "footnote_reference_close")
                label = token.meta["label"]
                if label in self.definitions:
                    self.report("warning", f"footnote [^{label}] is defined twice", _line(token),
                                hint="the first definition is used; remove or rename the other")
                else:
                    self.definitions[label] = (tokens[i + 1:end], _line(token))
                i = end + 1
            elif token.type == "front_matter":
                i += 1
            else:
                body.append(token)
                i += 1
        return body

    # ----------------------------------------------------------------- blocks

    def blocks_until(self, tokens: list[Token], i: int, close: str) -> tuple[list[Block], int]:
        """Blocks from ``tokens[i]`` up to the ``close`` token ending this level; returns them
        and the index after ``close``."""
        blocks: list[Block] = []
        while i < len(tokens) and tokens[i].type != close:
            converted, i = self.block(tokens, i)
            blocks.extend(converted)
        return blocks, i + 1

    def block(self, tokens: list[Token], i: int) -> tuple[list[Block], int]:
        """The block(s) starting at ``tokens[i]`` (none for what is dropped) and the next index."""
        token = tokens[i]
        kind = token.type
        line = _line(token)
        if line is not None:
            self.line = line
        if kind == "paragraph_open":
            return self._paragraph(tokens[i + 1], line), i + 3
        if kind == "heading_open":
            return [self._heading(token, tokens[i + 1], line)], i + 3
        if kind == "hr":
            return [SceneBreak(line)], i + 1
        if kind in ("fence", "code_block"):
            return [Paragraph((Code(token.content.rstrip("\n")),), line)], i + 1
        if kind == "html_block":
            return self._html_block(token.content, line or 1), i + 1
        if kind == "blockquote_open":
            blocks, i = self.blocks_until(tokens, i + 1, "blockquote_close")
            return [BlockQuote(tuple(blocks), line)], i
        if kind in ("bullet_list_open", "ordered_list_open"):
            return self._list(tokens, i)
        if kind == "line_block_open":
            return self._line_block(tokens, i)
        if kind == "container_div_open":
            if _container_kind(token) == "table":
                return self._fenced_table(tokens, i)
            return self._container(tokens, i)
        if kind == "table_open":
            return self._pipe_table(tokens, i)
        # Anything else (a closing token of a construct this walk does not model) is skipped.
        return [], i + 1

    def _paragraph(self, inline: Token, line: int | None) -> list[Block]:
        source = inline.content.strip()
        if is_separator_text(source, lowercase_x=False):
            return [SceneBreak(line)]
        if _STRAY_CONTAINER_CLOSE.fullmatch(source):
            self.report("error", "this ::: closes no open block", line,
                        hint="remove it, or add a line such as `::: note` where the block starts")
            return []
        self._check_footnote_labels(source, line)
        image = _lone_image(inline)
        if image is not None:
            # markdown-it percent-encodes URLs; an image's src is a file name, so decode it.
            return [Image(unquote(str(image.attrGet("src") or "")), _alt_text(image),
                          str(image.attrGet("title") or ""), line)]
        children = self.inlines(inline.children or [])
        return [Paragraph(children, line)] if children else []

    def _check_footnote_labels(self, source: str, line: int | None) -> None:
        """markdown-it leaves a reference to an undefined footnote as literal text; say so."""
        if "[^" not in source:
            return
        for label in _FOOTNOTE_LABEL.findall(source):
            if label not in self.definitions:
                self.report("warning", f"footnote [^{label}] is not defined", line,
                            hint=f"add a line `[^{label}]: the note's text` below the paragraph")

    def _heading(self, token: Token, inline: Token, line: int | None) -> Block:
        if not _inline_text(inline):
            return SceneBreak(line)  # a lone `#` is how many fics centre a scene break
        if token.markup == "-":
            self.report("warning", "the line of --- under this text makes it a heading", line,
                        hint="if you meant a scene break, put a blank line before the ---")
        # Level 1 starts chapters at the top level; inside a note or list it is kept a level
        # below the chapter title so the book's outline stays right.
        return Heading(max(int(token.tag[1]), 2), self.inlines(inline.children or []), line)

    def _list(self, tokens: list[Token], i: int) -> tuple[list[Block], int]:
        opener = tokens[i]
        close = opener.type.replace("_open", "_close")
        items: list[tuple[Block, ...]] = []
        i += 1
        while tokens[i].type != close:  # each list_item_open ... list_item_close
            blocks, i = self.blocks_until(tokens, i + 1, "list_item_close")
            items.append(tuple(blocks))
        ordered = opener.type == "ordered_list_open"
        start = int(opener.attrGet("start") or 1) if ordered else 1
        return [ListBlock(tuple(items), ordered, start, _line(opener))], i + 1

    def _line_block(self, tokens: list[Token], i: int) -> tuple[list[Block], int]:
        opener = tokens[i]
        lines: list[tuple[Inline, ...]] = []
        i += 1
        while tokens[i].type == "line_block_line_open":
            lines.append(self.inlines(tokens[i + 1].children or []))
            i += 3
        return [LineBlock(tuple(lines), _line(opener))], i + 1

    def _container(self, tokens: list[Token], i: int) -> tuple[list[Block], int]:
        opener = tokens[i]
        kind = _container_kind(opener)
        line = _line(opener)
        self._check_closed(opener)
        blocks, end = self.blocks_until(tokens, i + 1, "container_div_close")
        if kind == "note":
            return [Note(tuple(blocks), line)], end
        if kind in DIV_KINDS:
            return [Div(kind, tuple(blocks), line)], end
        if kind in ANNOTATION_KINDS:
            self.report("error", f"::: {kind} can only stand directly in a chapter", line,
                        hint="move it out of the block it is in, to just below the chapter's "
                             "# heading" if kind != "end-notes" else "to the chapter's end")
        else:
            self.report("error", f"unknown block ::: {kind}", line,
                        hint="use one of: " + ", ".join(CONTAINER_KINDS))
        return blocks, end

    # ----------------------------------------------------------------- tables

    def _pipe_table(self, tokens: list[Token], i: int) -> tuple[list[Block], int]:
        """A GFM pipe table: the header row's cells are header cells; each cell one paragraph."""
        opener = tokens[i]
        end = _matching_close(tokens, i, "table_close")
        rows: list[tuple[TableCell, ...]] = []
        cells: list[TableCell] = []
        for j in range(i + 1, end):
            token = tokens[j]
            if token.type == "tr_close":
                rows.append(tuple(cells))
                cells = []
            elif token.type in ("th_open", "td_open"):
                inline = tokens[j + 1]
                if inline.map is None:
                    inline.map = tokens[j].map or opener.map
                children = self.inlines(inline.children or []) if inline.type == "inline" else ()
                style = str(token.attrGet("style") or "")
                align = style.removeprefix("text-align:").strip() if style else ""
                cells.append(TableCell((Paragraph(children, _line(opener)),) if children else (),
                                       header=token.type == "th_open", align=align))
        return [Table(tuple(rows), (), _line(opener))], end + 1

    def _fenced_table(self, tokens: list[Token], i: int) -> tuple[list[Block], int]:
        """``::: table`` holding ``::: caption`` and ``::: row`` containers of ``::: cell`` and
        ``::: header`` containers (what the manuscript writer writes when pipes cannot say it)."""
        opener = tokens[i]
        self._check_closed(opener)
        end = _matching_close(tokens, i, "container_div_close")
        caption: tuple[Inline, ...] = ()
        rows: list[tuple[TableCell, ...]] = []
        j = i + 1
        while j < end:
            token = tokens[j]
            kind = _container_kind(token) if token.type == "container_div_open" else ""
            if kind == "caption":
                close = _matching_close(tokens, j, "container_div_close")
                blocks, _ = self.blocks_until(tokens, j + 1, "container_div_close")
                caption = next((block.children for block in blocks
                                if isinstance(block, Paragraph)), ())
                j = close + 1
            elif kind == "row":
                close = _matching_close(tokens, j, "container_div_close")
                rows.append(self._fenced_row(tokens, j + 1, close))
                j = close + 1
            else:
                self.report("error", "a ::: table holds only ::: caption and ::: row blocks",
                            _line(token) or _line(opener),
                            hint="put the text in a ::: cell inside a ::: row")
                j = (_matching_close(tokens, j, token.type.replace("_open", "_close"))
                     if token.type.endswith("_open") else j) + 1
        return [Table(tuple(rows), caption, _line(opener))], end + 1

    def _fenced_row(self, tokens: list[Token], j: int, end: int) -> tuple[TableCell, ...]:
        cells: list[TableCell] = []
        while j < end:
            token = tokens[j]
            words = token.info.strip().strip("{}").split() if token.type == \
                "container_div_open" else []
            if words and words[0].lstrip(".").lower() in ("cell", "header"):
                close = _matching_close(tokens, j, "container_div_close")
                blocks, _ = self.blocks_until(tokens, j + 1, "container_div_close")
                options = dict(word.split("=", 1) for word in words[1:] if "=" in word)
                cells.append(TableCell(
                    tuple(blocks), header=words[0].lstrip(".").lower() == "header",
                    colspan=_count(options.get("colspan", "")),
                    rowspan=_count(options.get("rowspan", "")),
                    align=options.get("align", "") if options.get("align", "") in
                    ("left", "center", "right") else ""))
                j = close + 1
            else:
                self.report("error", "a ::: row holds only ::: cell and ::: header blocks",
                            _line(token), hint="put the text in a ::: cell")
                j = (_matching_close(tokens, j, token.type.replace("_open", "_close"))
                     if token.type.endswith("_open") else j) + 1
        return tuple(cells)

    def _check_closed(self, opener: Token) -> None:
        """markdown-it silently runs an unclosed container to the end of the document (or of
        the enclosing block); that is always a mistake, so it is an error here."""
        end = opener.map[1] if opener.map else len(self.lines)
        closed = end < len(self.lines) and _CONTAINER_CLOSE_LINE.fullmatch(self.lines[end])
        if not closed:
            self.report("error", f"the ::: {_container_kind(opener)} block opened here is never "
                                 "closed", _line(opener), hint="add a line with ::: to close it")

    # ----------------------------------------------------------------- inlines

    def inlines(self, tokens: list[Token]) -> tuple[Inline, ...]:
        """Inline nodes from an inline token's children, with adjacent text merged."""
        stack = [_Frame("root")]
        for token in tokens:
            kind = token.type
            top = stack[-1]
            if kind in ("text", "text_special"):
                top.add_text(token.content)
            elif kind == "softbreak":
                top.add_text(" ")
            elif kind == "hardbreak":
                top.add(LineBreak())
            elif kind == "code_inline":
                top.add(Code(token.content))
            elif kind in _MARKDOWN_INLINE:
                stack.append(_Frame(_MARKDOWN_INLINE[kind], token,
                                    tuple(str(token.attrGet("class") or "").split())))
            elif kind.endswith("_close") and kind.replace("_close", "_open") in _MARKDOWN_INLINE:
                self._close_frame(stack, _MARKDOWN_INLINE[kind.replace("_close", "_open")])
            elif kind == "footnote_ref":
                self._footnote_ref(token, top)
            elif kind == "image":
                self.report("warning", "an image inside running text is kept as its alt text",
                            self.line, hint="put the image in a paragraph of its own")
                top.add_text(_alt_text(token))
            elif kind == "html_inline":
                self._html_tag(token.content, stack)
        while len(stack) > 1:
            self._close_frame(stack, stack[-1].kind)
        return stack[0].finish()

    def _close_frame(self, stack: list[_Frame], kind: str) -> None:
        """Close the innermost open ``kind`` and anything opened inside it (HTML tags in running
        text need not nest properly); a close with nothing to match is ignored."""
        if not any(frame.kind == kind for frame in stack[1:]):
            return
        while True:
            frame = stack.pop()
            for node in _frame_nodes(frame):
                stack[-1].add(node)
            if frame.kind == kind:
                return

    def _html_tag(self, html: str, stack: list[_Frame]) -> None:
        """One HTML tag in running text, read through the HTML road (parsed and sanitised as
        any HTML is) and meaning what the converter's table says (blocks.inline_from_tag):
        ``<em>`` opens emphasis, ``</em>`` closes it. A tag the sanitiser drops with its
        content (``<script>``, ``<iframe>``...) drops what follows it up to its closing tag, with
        a warning; any other tag without a meaning only keeps its text."""
        closing = _CLOSING_TAG.fullmatch(html.strip())
        if closing is not None:
            self._close_frame(stack, f"<{closing.group(1).lower()}>")
            return
        element, left_out = _parse_tag(html)
        if left_out is not None:
            self.report("warning", f"raw HTML <{left_out}> left out, with what is inside it",
                        self.line, hint=_LEFT_OUT_HINT)
            if not html.rstrip().endswith("/>"):
                stack.append(_Frame(f"<{left_out}>", dropped=True))
        elif element is None or element.tag == "hr":
            return  # a comment, or a tag with no meaning here: its text stays
        elif element.tag == "br":
            stack[-1].add(LineBreak())
        elif element.tag == "img":
            self.report("warning", "an image inside running text is kept as its alt text",
                        self.line, hint="put the image in a paragraph of its own")
            stack[-1].add_text(element.get("alt", ""))
        else:
            stack.append(_Frame(f"<{element.tag}>", element=element))

    def _html_block(self, html: str, line: int) -> list[Block]:
        """A block of raw HTML through the HTML road: parsed and sanitised once, converted by
        readers/html/blocks.py like a download's text (a table is a Table, ``<p align>`` an
        aligned Paragraph); what the sanitiser drops with its content is said, with its line.
        Its headings stay below the chapter's, as a Markdown heading inside a note does."""
        from bookmaker.readers.html.blocks import html_to_blocks
        from bookmaker.readers.html.parse import parse_fragment

        fragment = parse_fragment(html, self.path, line)
        for left in fragment.left_out:
            self.report("warning", f"raw HTML <{left.tag}> left out, with what is inside it",
                        left.line or line, hint=_LEFT_OUT_HINT)
        blocks = html_to_blocks(fragment.root, source=self.path, contents_only=True)
        return [dataclasses.replace(block, level=2) if isinstance(block, Heading)
                and block.level < 2 else block for block in blocks]

    def _footnote_ref(self, token: Token, frame: _Frame) -> None:
        number = token.meta["id"]
        if not self.footnotes_allowed:
            self.report("warning", "footnotes are not supported in front-matter text; dropped",
                        self.line, hint="move the footnote into the story")
            return
        key = (self.chapter_serial, number)
        if key not in self.footnote_ids:
            self.footnote_ids[key] = str(len(self.footnote_ids) + 1)
            self.pending_footnotes.append(key)
            self.footnote_lines[key] = self.line
        frame.add(FootnoteRef(self.footnote_ids[key]))

    # ----------------------------------------------------------------- footnotes

    def take_footnotes(self) -> list[Footnote]:
        """The Footnote blocks first referred to since the last call, in order of reference;
        footnotes referred to from inside these are included too."""
        footnotes: list[Footnote] = []
        while self.pending_footnotes:
            footnotes.append(self._footnote(self.pending_footnotes.popleft()))
        self.chapter_serial += 1
        return footnotes

    def _footnote(self, key: tuple[int, int]) -> Footnote:
        data = self.footnote_env.get(key[1], {})
        footnote_id = self.footnote_ids[key]
        if "tokens" in data:  # an inline ^[...] footnote: its text is inline tokens
            line = self.footnote_lines[key]
            return Footnote(footnote_id, (Paragraph(self.inlines(data["tokens"]), line),), line)
        tokens, line = self.definitions.get(data.get("label", ""), ([], None))
        blocks, _ = self.blocks_until(tokens, 0, "")
        return Footnote(footnote_id, tuple(blocks), line)

    def report_unused_footnotes(self) -> None:
        referred = {number for _chapter, number in self.footnote_ids}
        used = {data.get("label") for number, data in self.footnote_env.items()
                if number in referred}
        for label, (_tokens, line) in self.definitions.items():
            if label not in used:
                self.report("warning", f"footnote [^{label}] is never referred to", line,
                            hint=f"add [^{label}] where it belongs in the text, or remove it")

    # ----------------------------------------------------------------- front-matter text

    def markdown_blocks(self, text: str, first_line: int) -> tuple[Block, ...]:
        """Blocks from Markdown written in a front-matter field (summary, notes, end notes),
        with lines of the file."""
        if not text.strip():
            return ()
        tokens = _PARSER.parse(text, {})
        for token in tokens:
            if token.map:
                token.map = [token.map[0] + first_line - 1, token.map[1] + first_line - 1]
        self.footnotes_allowed = False
        try:
            blocks, _ = self.blocks_until([t for t in tokens if t.type != "front_matter"], 0, "")
        finally:
            self.footnotes_allowed = True
        return tuple(blocks)


def _frame_nodes(frame: _Frame) -> list[Inline]:
    """The node(s) a closed frame becomes; a span with no class is only its children."""
    children = frame.finish()
    if frame.dropped:
        return []
    if frame.element is not None:
        from bookmaker.readers.html.blocks import inline_from_tag

        return inline_from_tag(frame.element, children)
    if frame.kind == "link":
        assert frame.opener is not None
        return [Link(children, str(frame.opener.attrGet("href") or ""),
                     str(frame.opener.attrGet("title") or ""))]
    if frame.kind == "span" and "ruby" in frame.classes and frame.opener is not None:
        return [Ruby(children, str(frame.opener.attrGet("rt") or ""))]
    if frame.kind == "span":
        return _span_nodes(children, frame.classes)
    wrappers: dict[str, Callable[[tuple[Inline, ...]], Inline]] = {
        "em": Emph, "strong": Strong, "s": Strikeout}
    return [wrappers[frame.kind](children)]


@functools.lru_cache(maxsize=512)
def _parse_tag(html: str) -> tuple[etree._Element | None, str | None]:
    """An HTML tag met in running text (``<em>``, ``<a href="...">``) parsed and sanitised:
    (its element, or None when the sanitiser unwrapped it; the name of what the sanitiser
    dropped with its content, or None). A manuscript repeats few tags, so each is parsed once."""
    from bookmaker.readers.html.parse import parse_fragment

    fragment = parse_fragment(html)
    if fragment.left_out:
        return None, fragment.left_out[0].tag
    return (fragment.root[0] if len(fragment.root) else None), None


def _count(value: str) -> int:
    """A colspan/rowspan written in a fenced table: 1 to 1000, else 1."""
    return min(max(int(value), 1), 1000) if value.isdigit() else 1


def _span_nodes(children: tuple[Inline, ...], classes: tuple[str, ...]) -> list[Inline]:
    """``[text]{.smallcaps}`` and ``[text]{.underline}`` (pandoc's syntax) are their nodes;
    other classes stay a Span."""
    others = tuple(c for c in classes if c not in ("smallcaps", "underline"))
    nodes: list[Inline] = list(children)
    if "underline" in classes:
        nodes = [Underline(tuple(nodes))]
    if "smallcaps" in classes:
        nodes = [SmallCaps(tuple(nodes))]
    return [Span(tuple(nodes), others)] if others else nodes


# --------------------------------------------------------------------------- token helpers


def _line(token: Token) -> int | None:
    return token.map[0] + 1 if token.map else None


def _inline_text(inline: Token) -> str:
    return inline.content.strip()


def _plain_title(inline: Token) -> str:
    """A chapter title's text: the words of its inline markup, without footnote references."""
    parts: list[str] = []
    for child in inline.children or []:
        if child.type in ("text", "text_special", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_alt_text(child))
    return " ".join("".join(parts).split())


def _alt_text(image: Token) -> str:
    return "".join(child.content for child in image.children or [] if child.content)


def _lone_image(inline: Token) -> Token | None:
    """The image token when an inline holds nothing but one image (and whitespace)."""
    found: Token | None = None
    for child in inline.children or []:
        if child.type == "image" and found is None:
            found = child
        elif not (child.type in ("text", "softbreak") and not child.content.strip()):
            return None
    return found


def _container_kind(opener: Token) -> str:
    """``note`` from ``::: note``, ``::: {.note}`` or ``::: .note extra words``."""
    words = opener.info.strip().strip("{}").split()
    return words[0].lstrip(".").lower() if words else ""


def _matching_close(tokens: list[Token], i: int, close: str) -> int:
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j].type == tokens[i].type:
            depth += 1
        elif tokens[j].type == close:
            depth -= 1
            if depth == 0:
                return j
    return len(tokens) - 1

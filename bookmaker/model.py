"""The document model: what a book is, independent of where it came from or where it goes.

Readers build these nodes, transforms return new ones, writers only read them. Every node is a
frozen dataclass holding tuples, so a Book is immutable and hashable and two books compare equal
exactly when their content does. The shape follows Pandoc's AST, cut down to what fiction needs.

Blocks carry ``line``: the 1-based line of the source file they came from (None when unknown), so
errors and ``bookmaker check`` can point at ``file:line``.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from collections.abc import Callable
from typing import Any

# --------------------------------------------------------------------------- inlines


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Emph:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Strong:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class SmallCaps:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Strikeout:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Superscript:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Subscript:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Code:
    """Literal text: typography transforms never touch it."""

    text: str


@dataclass(frozen=True)
class Link:
    children: tuple[Inline, ...]
    url: str
    title: str = ""


@dataclass(frozen=True)
class FootnoteRef:
    """A reference to the Footnote block with the same ``id`` in the same chapter."""

    id: str


@dataclass(frozen=True)
class LineBreak:
    pass


@dataclass(frozen=True)
class Span:
    children: tuple[Inline, ...]
    classes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ruby:
    """East Asian ruby: ``children`` is the base text, ``annotation`` its reading (``<rt>``).

    The reading is not part of the text: plain_text and word counts see only the base."""

    children: tuple[Inline, ...]
    annotation: str = ""


Inline = (Text | Emph | Strong | SmallCaps | Strikeout | Superscript | Subscript | Code | Link
          | FootnoteRef | LineBreak | Span | Ruby)

# --------------------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Paragraph:
    children: tuple[Inline, ...]
    line: int | None = None
    align: str = ""  # "", "center" or "right": fics centre signatures, dates, poems' titles


@dataclass(frozen=True)
class Heading:
    """A heading inside a chapter (the chapter's own title lives on Chapter)."""

    level: int
    children: tuple[Inline, ...]
    line: int | None = None


@dataclass(frozen=True)
class SceneBreak:
    line: int | None = None


@dataclass(frozen=True)
class BlockQuote:
    blocks: tuple[Block, ...]
    line: int | None = None


@dataclass(frozen=True)
class LineBlock:
    """Lines whose breaks matter: poetry, lyrics, the signature of a letter."""

    lines: tuple[tuple[Inline, ...], ...]
    line: int | None = None


@dataclass(frozen=True)
class Note:
    """An author's note standing inside the text (not the work's opening or end notes)."""

    blocks: tuple[Block, ...]
    line: int | None = None


@dataclass(frozen=True)
class Div:
    """A styled aside; ``kind`` is one of DIV_KINDS (letter, texts, epigraph)."""

    kind: str
    blocks: tuple[Block, ...]
    line: int | None = None


DIV_KINDS = ("letter", "texts", "epigraph")


@dataclass(frozen=True)
class ListBlock:
    items: tuple[tuple[Block, ...], ...]
    ordered: bool = False
    start: int = 1
    line: int | None = None


@dataclass(frozen=True)
class Image:
    """An image; ``src`` is relative to the manuscript's folder and checked before use."""

    src: str
    alt: str = ""
    title: str = ""
    line: int | None = None


@dataclass(frozen=True)
class Footnote:
    """A footnote's text; FootnoteRef(id) points here. Kept at the end of its chapter's blocks."""

    id: str
    blocks: tuple[Block, ...]
    line: int | None = None


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class TableCell:
    """One cell: its blocks, whether it is a header cell, its spans and its alignment
    ("", "left", "center" or "right")."""

    blocks: tuple[Block, ...] = ()
    header: bool = False
    colspan: int = 1
    rowspan: int = 1
    align: str = ""


TABLE_ALIGNS = ("", "left", "center", "right")


@dataclass(frozen=True)
class Table:
    """A table (a chat log, a play's cast, a fic's stats): rows of cells, a caption.

    Leading rows whose cells are all header cells are the table's head. Spans are kept as given;
    a cell covered by another's span is simply absent, as in HTML.
    """

    rows: tuple[tuple[TableCell, ...], ...]
    caption: tuple[Inline, ...] = ()
    line: int | None = None


Block = (Paragraph | Heading | SceneBreak | BlockQuote | LineBlock | Note | Div | ListBlock | Image
         | Footnote | Table)

# The design calls it List; ListBlock avoids shadowing typing.List in readers' code.
List = ListBlock

# --------------------------------------------------------------------------- the book


@dataclass(frozen=True)
class Series:
    name: str
    index: float | None = None


@dataclass(frozen=True)
class Metadata:
    """What a reader needs to find and choose a work.

    ``rating`` and ``warnings`` hold only AO3's canonical names (see taxonomy.py); any warning that
    is not an archive warning is kept verbatim in ``content_notes``.
    """

    title: str
    authors: tuple[str, ...] = ()
    language: str | None = None  # None: not given (English is assumed; bookmaker.toml may fill it)
    summary: tuple[Block, ...] = ()
    fandoms: tuple[str, ...] = ()
    rating: str | None = None
    warnings: tuple[str, ...] = ()
    content_notes: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    relationships: tuple[str, ...] = ()
    characters: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    series: tuple[Series, ...] = ()
    published: str | None = None  # ISO 8601 date
    updated: str | None = None  # ISO 8601 date
    source_url: str | None = None
    cover: str | None = None  # path relative to the manuscript's folder
    rights: str | None = None
    identifier: str | None = None
    encoding: str | None = None  # how a text source was decoded, for the record
    direction: str | None = None  # "rtl" for right-to-left books; None: the language's default


@dataclass(frozen=True)
class Chapter:
    title: str = ""
    blocks: tuple[Block, ...] = ()
    summary: tuple[Block, ...] = ()
    notes: tuple[Block, ...] = ()
    end_notes: tuple[Block, ...] = ()
    line: int | None = None


@dataclass(frozen=True)
class EmbeddedFile:
    """A file that came inside the input (an image in an EPUB or DOCX), held in memory.

    Containers are never extracted to disk by name; their images travel with the Book instead, and
    the text refers to one as ``embedded:NAME`` wherever it would name a file in its folder.
    """

    name: str
    media_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Book:
    """A whole work.

    ``front_matter`` is the author's opening note(s) for the work, shown on the warnings page;
    ``back_matter`` is the work's end notes, shown after the last chapter. ``base_dir`` is the
    folder the work's relative references (images, cover) are resolved in, and ``embedded`` holds
    the files that came inside a container input; both are where the book came from, not what it
    is, so they are neither compared nor serialised.
    """

    metadata: Metadata
    chapters: tuple[Chapter, ...] = ()
    front_matter: tuple[Block, ...] = ()
    back_matter: tuple[Block, ...] = ()
    # The work's own CSS (an AO3 work skin), already sanitised by its reader: rules whose
    # selectors name only ``skin-`` classes, which only the work's text carries; writers append it.
    stylesheet: str = ""
    base_dir: str = field(default="", compare=False)
    embedded: tuple[EmbeddedFile, ...] = field(default=(), compare=False)


# --------------------------------------------------------------------------- the anthology


@dataclass(frozen=True)
class Work:
    """One work of an anthology: a whole Book, keeping its own metadata, warnings, notes and
    footnotes. ``warnings`` overrides where this work's warnings page goes (front, end, omit;
    "" follows the run's --warnings); ``source`` is the file it was read from, for messages."""

    book: Book
    warnings: str = ""
    source: str = ""


@dataclass(frozen=True)
class Anthology:
    """Several whole works bound as one book: a collection, a series omnibus, a zine's pieces.

    ``metadata`` is the collection's own (title, summary, cover, language, rights, series,
    identifier); its ``authors`` stay empty, since the collection is credited to its
    ``editors`` and every work to its own authors. ``introduction`` and ``afterword`` are the
    editors' own text before the first work and after the last. ``volume`` and ``volumes`` say
    which part of a book split for binding this is (0 when it is not split). ``base_dir`` is
    where the collection's own references (its cover) are resolved and ``embedded`` holds a cover
    given as a file (--cover); like a Book's, neither is compared nor serialised.
    """

    metadata: Metadata
    works: tuple[Work, ...] = ()
    editors: tuple[str, ...] = ()
    introduction: tuple[Block, ...] = ()
    afterword: tuple[Block, ...] = ()
    volume: int = 0
    volumes: int = 0
    base_dir: str = field(default="", compare=False)
    embedded: tuple[EmbeddedFile, ...] = field(default=(), compare=False)


def collection_book(anthology: Anthology) -> Book:
    """The collection as a Book with no chapters, credited to its editors: what a writer's cover,
    identifier and asset look-up take for the collection's own pages."""
    metadata = dataclasses.replace(anthology.metadata, authors=anthology.editors)
    return Book(metadata, base_dir=anthology.base_dir, embedded=anthology.embedded)


def contributors(anthology: Anthology) -> tuple[str, ...]:
    """Every work's authors, each once, in the order they first appear."""
    return tuple(dict.fromkeys(author for work in anthology.works
                               for author in work.book.metadata.authors))


def merged(anthology: Anthology, name: str) -> tuple[str, ...]:
    """A tuple field of Metadata (tags, fandoms, warnings...) merged over the works, each value
    once, in order of first appearance."""
    return tuple(dict.fromkeys(value for work in anthology.works
                               for value in getattr(work.book.metadata, name)))


# --------------------------------------------------------------------------- JSON round trip

_NODE_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (Text, Emph, Strong, SmallCaps, Strikeout, Superscript, Subscript, Code, Link,
                FootnoteRef, LineBreak, Span, Ruby, Paragraph, Heading, SceneBreak, BlockQuote,
                LineBlock, Note, Div, ListBlock, Image, Footnote, Series, Metadata,
                Chapter, Book, Work, Anthology, Table, TableCell)
}
_NOT_SERIALISED = {(Book, "base_dir"), (Book, "embedded"), (Anthology, "base_dir"),
                   (Anthology, "embedded")}


def to_data(node: Any) -> Any:
    """Plain JSON-ready data for a node: {"type": ClassName, field: value, ...}.

    Fields equal to their default are left out so golden files show what matters.
    """
    if dataclasses.is_dataclass(node):
        data: dict[str, Any] = {"type": type(node).__name__}
        for f in dataclasses.fields(node):
            if (type(node), f.name) in _NOT_SERIALISED:
                continue
            value = getattr(node, f.name)
            if f.default is not dataclasses.MISSING and value == f.default:
                continue
            if f.default_factory is not dataclasses.MISSING and value == f.default_factory():
                continue
            data[f.name] = to_data(value)
        return data
    if isinstance(node, tuple):
        return [to_data(item) for item in node]
    return node


def from_data(data: Any) -> Any:
    """The inverse of to_data: lists become tuples, typed dicts become nodes."""
    if isinstance(data, dict):
        kind = data.get("type")
        cls = _NODE_TYPES.get(kind) if isinstance(kind, str) else None
        if cls is None:
            raise ValueError(f"unknown node type {kind!r} in model JSON")
        values = {k: from_data(v) for k, v in data.items() if k != "type"}
        return cls(**values)
    if isinstance(data, list):
        return tuple(from_data(item) for item in data)
    return data


def to_json(book: Book | Anthology, indent: int | None = 2) -> str:
    return json.dumps(to_data(book), ensure_ascii=False, indent=indent) + ("\n" if indent else "")


def from_json(text: str) -> Book:
    book = from_data(json.loads(text))
    if not isinstance(book, Book):
        raise ValueError("model JSON does not hold a Book")
    return book


def anthology_from_json(text: str) -> Anthology:
    anthology = from_data(json.loads(text))
    if not isinstance(anthology, Anthology):
        raise ValueError("model JSON does not hold an Anthology")
    return anthology


# --------------------------------------------------------------------------- small helpers


def plain_text(nodes: tuple[Inline, ...] | tuple[Block, ...]) -> str:
    """The text of inlines or blocks without markup (for titles, alt text, word counts)."""
    parts: list[str] = []
    _collect_text(nodes, parts)
    return "".join(parts)


def _collect_text(nodes: Any, parts: list[str]) -> None:
    for node in nodes:
        if isinstance(node, (Text, Code)):
            parts.append(node.text)
        elif isinstance(node, LineBreak):
            parts.append("\n")
        elif isinstance(node, (Paragraph, Heading)):
            _collect_text(node.children, parts)
            parts.append("\n\n")
        elif isinstance(node, LineBlock):
            for line in node.lines:
                _collect_text(line, parts)
                parts.append("\n")
            parts.append("\n")
        elif isinstance(node, ListBlock):
            for item in node.items:
                _collect_text(item, parts)
        elif isinstance(node, Table):
            _collect_text(node.caption, parts)
            parts.append("\n\n")
            for row in node.rows:
                for cell in row:
                    _collect_text(cell.blocks, parts)
                    parts.append("\n\n")
        elif hasattr(node, "children"):
            _collect_text(node.children, parts)
        elif hasattr(node, "blocks"):
            _collect_text(node.blocks, parts)


def word_count(book: Book) -> int:
    return sum(len(plain_text(chapter.blocks).split()) for chapter in book.chapters)


def map_blocks(book: Book, change: Callable[[Block], Block | None]) -> Book:
    """The book with ``change`` applied to every block, innermost first; None removes a block.

    Walks everything that holds blocks: chapters (blocks, summary, notes, end notes), the opening
    and end notes, the summary, and blocks nested in quotes, notes, asides, lists and footnotes.
    """
    def blocks(items: tuple[Block, ...]) -> tuple[Block, ...]:
        changed = (change(_map_inner(block)) for block in items)
        return tuple(block for block in changed if block is not None)

    def _map_inner(block: Block) -> Block:
        if isinstance(block, (BlockQuote, Note, Div, Footnote)):
            return dataclasses.replace(block, blocks=blocks(block.blocks))
        if isinstance(block, ListBlock):
            return dataclasses.replace(block, items=tuple(blocks(item) for item in block.items))
        if isinstance(block, Table):
            return dataclasses.replace(block, rows=tuple(
                tuple(dataclasses.replace(cell, blocks=blocks(cell.blocks)) for cell in row)
                for row in block.rows))
        return block

    chapters = tuple(dataclasses.replace(
        chapter, blocks=blocks(chapter.blocks), summary=blocks(chapter.summary),
        notes=blocks(chapter.notes), end_notes=blocks(chapter.end_notes))
        for chapter in book.chapters)
    metadata = dataclasses.replace(book.metadata, summary=blocks(book.metadata.summary))
    return dataclasses.replace(book, metadata=metadata, chapters=chapters,
                               front_matter=blocks(book.front_matter),
                               back_matter=blocks(book.back_matter))

"""The document model: what a book is, independent of where it came from or where it goes.

Readers build these nodes, transforms return new ones, writers only read them. Every node is a
frozen dataclass holding tuples, so a Book is immutable and hashable and two books compare equal
exactly when their content does. The shape follows Pandoc's AST, cut down to what fiction needs.

Blocks carry ``line``: the 1-based line of the source file they came from (None when unknown), so
errors and ``bookmaker check`` can point at ``file:line``.

The module also holds the one traversal of the model (``walk``, ``query``, ``children``, at the
end), which every pass over a book uses instead of a recursion of its own.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import types
import typing
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
class Underline:
    """Underlined text, as Word writes it (``<w:u>``) and HTML's ``<u>``: kept, not flattened,
    because writers underline titles, signs and stressed words on purpose."""

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


Inline = (Text | Emph | Strong | SmallCaps | Underline | Strikeout | Superscript | Subscript | Code
          | Link | FootnoteRef | LineBreak | Span | Ruby)

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
    # The caption is read (and rendered) before the rows: the order the traversal visits them.
    READING_ORDER: typing.ClassVar[tuple[str, ...]] = ("caption", "rows")


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
    READING_ORDER: typing.ClassVar[tuple[str, ...]] = ("summary", "notes", "blocks", "end_notes")


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
    READING_ORDER: typing.ClassVar[tuple[str, ...]] = ("metadata", "front_matter", "chapters",
                                                       "back_matter")


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
    READING_ORDER: typing.ClassVar[tuple[str, ...]] = ("metadata", "introduction", "works",
                                                       "afterword")


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


# --------------------------------------------------------------------------- the node types

# Every dataclass of this module is a node: what JSON names, what the traversal below reaches.
# (dict.fromkeys: List is another name of ListBlock.)
NODE_TYPES: tuple[type, ...] = tuple(dict.fromkeys(
    value for value in dict(globals()).values() if isinstance(value, type)
    and dataclasses.is_dataclass(value) and value.__module__ == __name__))
INLINE_TYPES: tuple[type, ...] = typing.get_args(Inline)
BLOCK_TYPES: tuple[type, ...] = typing.get_args(Block)

# --------------------------------------------------------------------------- JSON round trip

_NODE_TYPES: dict[str, type] = {cls.__name__: cls for cls in NODE_TYPES}
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


# --------------------------------------------------------------------------- the one traversal
#
# As pandoc-types' Walk: ``walk`` rebuilds a tree with a change applied to every node of the kinds
# asked, ``query`` lists them, ``children`` gives a node's own child nodes. Which fields hold
# nodes is read once from the dataclasses' annotations below, so a new node type, or a new field
# holding blocks or inlines, is reached by every pass without any of them being edited.


@dataclass(frozen=True)
class ChildField:
    """A field of a node type that holds nodes: one node, a tuple of them (``many``), or a tuple
    of tuples of them (``nested``: a list's items, a table's rows, a line block's lines)."""

    name: str
    types: tuple[type, ...]  # the node types it may hold
    many: bool = True
    nested: bool = False
    holds_inlines: bool = False  # only inlines: a run of text (a paragraph's, a caption's)


def _node_types_in(annotation: Any) -> tuple[type, ...]:
    """The node types an annotation names (a node type, or a union of them); () for any other."""
    options = typing.get_args(annotation) if isinstance(annotation, types.UnionType) \
        else (annotation,)
    if options and all(option in NODE_TYPES for option in options):
        return tuple(options)
    return ()


def _child_field(name: str, annotation: Any) -> ChildField | None:
    many = nested = False
    if typing.get_origin(annotation) is tuple:
        many, annotation = True, typing.get_args(annotation)[0]
        if typing.get_origin(annotation) is tuple:
            nested, annotation = True, typing.get_args(annotation)[0]
    held = _node_types_in(annotation)
    if not held:
        return None
    return ChildField(name, held, many, nested, all(kind in INLINE_TYPES for kind in held))


def _child_fields(cls: type) -> tuple[ChildField, ...]:
    """The fields of ``cls`` that hold nodes, in reading order (the order of the fields, unless
    the class says otherwise in READING_ORDER)."""
    hints = typing.get_type_hints(cls)
    found = [child for f in dataclasses.fields(cls)
             if (child := _child_field(f.name, hints[f.name])) is not None]
    order = getattr(cls, "READING_ORDER", ())
    return tuple(sorted(found, key=lambda child: order.index(child.name)
                        if child.name in order else len(order)))


CHILD_FIELDS: dict[type, tuple[ChildField, ...]] = {cls: _child_fields(cls) for cls in NODE_TYPES}


def _reachable() -> dict[type, frozenset[type]]:
    """For every node type, the node types that can stand anywhere below one of it."""
    below = {cls: frozenset(kind for child in fields for kind in child.types)
             for cls, fields in CHILD_FIELDS.items()}
    changed = True
    while changed:
        changed = False
        for cls, reached in below.items():
            grown = reached.union(*(below[kind] for kind in reached))
            if grown != reached:
                below[cls], changed = grown, True
    return below


_BELOW = _reachable()


@functools.cache
def _kinds(kind: Any) -> tuple[tuple[type, ...], dict[type, bool]]:
    """``kind`` as a tuple of types, and per node type whether a node of ``kind`` can stand
    below it: the walks skip subtrees that cannot hold one (typography does not enter a
    paragraph's inlines looking for blocks)."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    wanted = frozenset(kinds)
    return kinds, {cls: bool(reached & wanted) for cls, reached in _BELOW.items()}


def children(node: Any) -> list[Any]:
    """A node's own child nodes, in reading order (a leaf's is empty)."""
    found: list[Any] = []
    for child in CHILD_FIELDS[type(node)]:
        value = getattr(node, child.name)
        if not child.many:
            found.append(value)
        elif child.nested:
            for group in value:
                found.extend(group)
        else:
            found.extend(value)
    return found


_Node = typing.TypeVar("_Node")


@typing.overload
def query(tree: Any, kind: type[_Node], skip: type | tuple[type, ...] = ()) -> list[_Node]: ...


@typing.overload
def query(tree: Any, kind: tuple[type, ...], skip: type | tuple[type, ...] = ()) -> list[Any]: ...


def query(tree: Any, kind: type | tuple[type, ...],
          skip: type | tuple[type, ...] = ()) -> list[Any]:
    """Every node of type ``kind`` in ``tree`` (a node or a tuple of nodes), in reading order, a
    node before the nodes inside it. Nodes of a ``skip`` type are not entered (nor listed)."""
    kinds, descends = _kinds(kind)
    found: list[Any] = []
    _query(tree if type(tree) is tuple else (tree,), kinds, descends, skip, found)
    return found


def _query(nodes: Any, kinds: tuple[type, ...], descends: dict[type, bool],
           skip: type | tuple[type, ...], found: list[Any]) -> None:
    for node in nodes:
        if skip and isinstance(node, skip):
            continue
        if isinstance(node, kinds):
            found.append(node)
        if descends[type(node)]:
            _query(children(node), kinds, descends, skip, found)


_Tree = typing.TypeVar("_Tree")


def walk(tree: _Tree, kind: type | tuple[type, ...], change: Callable[[Any], Any]) -> _Tree:
    """``tree`` (a node or a tuple of nodes) with ``change`` applied to every node of type
    ``kind``, innermost first, so ``change`` sees a node whose children are already changed.

    Where a node stands in a tuple, ``change`` may return None to remove it. Nodes are visited
    in reading order, so a change may keep state (heading numbers). Subtrees nothing changed in
    are the same objects as before, and a tree nothing changed in is ``tree`` itself.
    """
    kinds, descends = _kinds(kind)
    if isinstance(tree, tuple):
        return typing.cast(_Tree, _walk_many(tree, kinds, descends, change))
    return typing.cast(_Tree, _walk_one(tree, kinds, descends, change))


# The walk is plain functions with their arguments passed down rather than closures or an
# object: typography walks every paragraph's inlines, so a walk must cost little more than a loop.

def _walk_one(node: Any, kinds: tuple[type, ...], descends: dict[type, bool],
              change: Callable[[Any], Any]) -> Any:
    kind = type(node)
    if descends[kind]:
        changes = None
        for child in CHILD_FIELDS[kind]:
            old = getattr(node, child.name)
            if not child.many:
                new = _walk_one(old, kinds, descends, change)
                if new is None:
                    raise ValueError(f"{kind.__name__}.{child.name} cannot be removed")
            elif child.nested:
                new = _walk_nested(old, kinds, descends, change)
            else:
                new = _walk_many(old, kinds, descends, change)
            if new is not old:
                if changes is None:
                    changes = {}
                changes[child.name] = new
        if changes:
            node = with_fields(node, changes)
    return change(node) if isinstance(node, kinds) else node


def _walk_many(nodes: tuple[Any, ...], kinds: tuple[type, ...], descends: dict[type, bool],
               change: Callable[[Any], Any]) -> tuple[Any, ...]:
    changed: list[Any] | None = None
    for index, node in enumerate(nodes):
        new = _walk_one(node, kinds, descends, change)
        if changed is None:
            if new is node:
                continue
            changed = list(nodes[:index])
        if new is not None:
            changed.append(new)
    return nodes if changed is None else tuple(changed)


def _walk_nested(groups: tuple[tuple[Any, ...], ...], kinds: tuple[type, ...],
                 descends: dict[type, bool],
                 change: Callable[[Any], Any]) -> tuple[tuple[Any, ...], ...]:
    changed = tuple(_walk_many(group, kinds, descends, change) for group in groups)
    return groups if all(new is old for new, old in zip(changed, groups, strict=True)) \
        else changed


def with_fields(node: _Node, changes: dict[str, Any]) -> _Node:
    """``node`` with the fields in ``changes`` replaced: dataclasses.replace without its checks
    and its __init__ call, three times faster, for passes that change every paragraph (the
    model's nodes have no __post_init__ to run; the caller puts values of the fields' types)."""
    new = object.__new__(type(node))
    new.__dict__.update(node.__dict__)
    new.__dict__.update(changes)
    return new


# --------------------------------------------------------------------------- small helpers


def plain_text(nodes: tuple[Inline, ...] | tuple[Block, ...]) -> str:
    """The text of inlines or blocks without markup (for titles, alt text, word counts): a
    block's own runs of inlines end with a blank line, each line of a line block with a line
    break. A ruby's reading is not text of the document, nor is anything held in a string
    (an image's alt text, a link's URL)."""
    parts: list[str] = []
    _collect_text(nodes, parts)
    return "".join(parts)


def _collect_text(nodes: Any, parts: list[str]) -> None:
    for node in nodes:
        kind = type(node)
        if kind is Text or kind is Code:
            parts.append(node.text)
        elif kind is LineBreak:
            parts.append("\n")
        elif kind in INLINE_TYPES:
            for child in CHILD_FIELDS[kind]:
                _collect_text(getattr(node, child.name), parts)
        else:
            for child in CHILD_FIELDS[kind]:
                value = getattr(node, child.name)
                if not child.many:
                    _collect_text((value,), parts)
                elif not child.nested:
                    _collect_text(value, parts)
                    if child.holds_inlines:
                        parts.append("\n\n")  # a paragraph, a heading, a caption
                else:
                    for group in value:
                        _collect_text(group, parts)
                        if child.holds_inlines:
                            parts.append("\n")  # a line of a line block
                    if child.holds_inlines:
                        parts.append("\n")


def word_count(book: Book) -> int:
    return sum(len(plain_text(chapter.blocks).split()) for chapter in book.chapters)


def map_blocks(book: Book, change: Callable[[Block], Block | None]) -> Book:
    """The book with ``change`` applied to every block, innermost first; None removes a block.

    Every block of the book is reached, wherever it stands (see walk)."""
    return walk(book, BLOCK_TYPES, change)

"""A Book written back as an annotated manuscript (.md), so an imported work can be edited by hand.

The output is the dialect bookmaker/readers/markdown/ reads (README, "Writing a manuscript"):
YAML front matter, ``#`` chapters, ``::: summary``/``::: notes``/``::: end-notes`` under them,
``* * *`` scene breaks, ``::: note``/``letter``/``texts``/``epigraph`` asides, ``| `` line blocks,
``[x]{.smallcaps}``, ``[^n]`` footnotes. The one promise is the round trip: reading the written
manuscript gives the same model back. So every character of the author's text that Markdown could
take for markup is escaped, emphasis falls back to ``<em>`` where ``*`` would be ambiguous, and a
paragraph that only looks like an ornament is written so it stays a paragraph.

What the format cannot say is left out: a paragraph's alignment, and a title for a chapter after
the first that has none (it gets "Chapter N", since an empty ``#`` is a scene break).

Images (embedded in the input, or files in its folder) are copied into ``<stem>-images/`` beside
the manuscript and referred to by that relative path.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path, PurePosixPath

import yaml

from bookmaker.safety.assets import (IMAGE_TYPES, asset_bytes, asset_media_type,
                              drop_unreadable_assets, locate_asset)
from bookmaker.errors import Finding
from bookmaker.settings.context import RenderContext
from bookmaker.model import (CHILD_FIELDS, Block, BlockQuote, Book, Chapter, Code, Div, Emph,
                             Footnote, FootnoteRef, Heading, Image, Inline, LineBlock, LineBreak,
                             Link, ListBlock, Metadata, Note, Paragraph, Ruby,
                             SceneBreak, SmallCaps, Span, Strikeout, Strong, Subscript, Underline,
                             Superscript, Table, TableCell, Text, map_blocks, query)
from bookmaker.safety.files import atomic_write, slugify
from bookmaker.transforms.scenebreaks import is_separator_text

SCENE_BREAK = "* * *"

# --------------------------------------------------------------------------- entry points


TYPESET = False


def write(book: Book, dest: Path, context: RenderContext | None = None) -> list[Finding]:
    """Write ``book`` as a manuscript at ``dest`` with its images in ``<stem>-images/`` beside it.

    Returns warnings for images that could not be read (they are left out). Images are written
    first and the manuscript last, each atomically, so a manuscript never names a missing image.
    """
    dest = Path(dest)
    book, dropped = drop_unreadable_assets(book, book.base_dir or dest)
    book, images = _with_images_beside(book, f"{dest.stem}-images")
    for relative, data in images.items():
        atomic_write(dest.parent / relative, data)
    atomic_write(dest, manuscript_text(book).encode("utf-8"))
    return dropped


def manuscript_text(book: Book) -> str:
    """The manuscript for ``book``, as text; image references are written as they are."""
    parts = [_front_matter(book)]
    labels = _FootnoteLabels()
    for number, chapter in enumerate(book.chapters, 1):
        parts.append(_chapter(chapter, number, labels))
    return "\n\n".join(part for part in parts if part).rstrip("\n") + "\n"


# --------------------------------------------------------------------------- images


def _with_images_beside(book: Book, folder: str) -> tuple[Book, dict[str, bytes]]:
    """The book with its images' references pointing into ``folder``, and those files' bytes."""
    images: dict[str, bytes] = {}
    renamed: dict[str, str] = {}

    def relocate(reference: str) -> str:
        if reference not in renamed:
            located = locate_asset(book, reference)
            renamed[reference] = _unique_image_name(reference, asset_media_type(located), folder,
                                                    images)
            images[renamed[reference]] = asset_bytes(located)
        return renamed[reference]

    def change(block: Block) -> Block:
        return dataclasses.replace(block, src=relocate(block.src)) \
            if isinstance(block, Image) else block

    moved = map_blocks(book, change)
    if moved.metadata.cover:
        moved = dataclasses.replace(moved, metadata=dataclasses.replace(
            moved.metadata, cover=relocate(moved.metadata.cover)))
    return moved, images


def _unique_image_name(reference: str, media_type: str, folder: str,
                       taken: dict[str, bytes]) -> str:
    """``folder/name.ext``: a slug of the original name, never a path, unique in the folder."""
    stem = slugify(PurePosixPath(reference.split(":")[-1]).stem, fallback="image")
    suffix = next(ext for ext, kind in IMAGE_TYPES.items() if kind == media_type)
    candidate, number = f"{folder}/{stem}{suffix}", 2
    while candidate in taken:
        candidate, number = f"{folder}/{stem}-{number}{suffix}", number + 1
    return candidate


# --------------------------------------------------------------------------- front matter


class _LiteralText(str):
    """A multi-line front-matter value, dumped as a YAML ``|`` block so it reads as Markdown."""


def _literal_representer(dumper: yaml.SafeDumper, value: _LiteralText) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_LiteralText, _literal_representer)


def _front_matter(book: Book) -> str:
    fields = _metadata_fields(book.metadata)
    if book.front_matter:
        fields["notes"] = _LiteralText(_blocks(book.front_matter, None))
    if book.back_matter:
        fields["end_notes"] = _LiteralText(_blocks(book.back_matter, None))
    text = yaml.dump(fields, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    return f"---\n{text}---"


def _metadata_fields(metadata: Metadata) -> dict[str, object]:
    """The front-matter fields, in the order a person reads them; empty fields are left out."""
    fields: dict[str, object] = {
        "title": metadata.title,
        "author": list(metadata.authors),
        "language": metadata.language,
        "fandom": list(metadata.fandoms),
        "rating": metadata.rating,
        "warnings": list(metadata.warnings),
        "content_notes": list(metadata.content_notes),
        "categories": list(metadata.categories),
        "relationships": list(metadata.relationships),
        "characters": list(metadata.characters),
        "tags": list(metadata.tags),
        "series": [{"name": s.name, "index": s.index} if s.index is not None else {"name": s.name}
                   for s in metadata.series],
        "summary": _LiteralText(_blocks(metadata.summary, None)) if metadata.summary else None,
        "published": metadata.published,
        "updated": metadata.updated,
        "source": metadata.source_url,
        "cover": metadata.cover,
        "rights": metadata.rights,
        "identifier": metadata.identifier,
    }
    return {key: value for key, value in fields.items()
            if value or (key == "author" and not metadata.authors)}


# --------------------------------------------------------------------------- chapters


class _FootnoteLabels:
    """Footnote labels unique across the whole manuscript (the reader's labels are global)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def chapter_labels(self, footnotes: list[Footnote]) -> dict[str, str]:
        labels: dict[str, str] = {}
        for footnote in footnotes:
            label = re.sub(r"[^\w-]", "", footnote.id) or "note"
            candidate, number = label, 2
            while candidate in self.used:
                candidate, number = f"{label}-{number}", number + 1
            self.used.add(candidate)
            labels[footnote.id] = candidate
        return labels


def _chapter(chapter: Chapter, number: int, labels: _FootnoteLabels) -> str:
    # Every definition of the chapter, wherever it stands, is written after its text, where
    # the reader puts them back.
    footnotes = query(chapter, Footnote)
    chapter_labels = labels.chapter_labels(footnotes)
    parts: list[str] = []
    title = chapter.title or (f"Chapter {number}" if number > 1 else "")
    if title:
        parts.append("# " + _escape_text(" ".join(title.split())))
    for kind, blocks in (("summary", chapter.summary), ("notes", chapter.notes)):
        if blocks:
            parts.append(_container(kind, _blocks(blocks, chapter_labels), blocks))
    story = [block for block in chapter.blocks if not isinstance(block, Footnote)]
    if story:
        parts.append(_blocks(tuple(story), chapter_labels))
    if chapter.end_notes:
        parts.append(_container("end-notes", _blocks(chapter.end_notes, chapter_labels),
                                chapter.end_notes))
    for footnote in footnotes:
        parts.append(_footnote_definition(footnote, chapter_labels))
    return "\n\n".join(parts)


def _footnote_definition(footnote: Footnote, labels: dict[str, str]) -> str:
    text = _blocks(footnote.blocks, labels) or "\u00a0"
    return f"[^{labels[footnote.id]}]: " + _indent(text, "    ", first="")


# --------------------------------------------------------------------------- blocks


def _blocks(blocks: tuple[Block, ...], labels: dict[str, str] | None) -> str:
    """Blocks separated by blank lines; neighbouring lists get different markers so they stay
    two lists."""
    parts: list[str] = []
    previous_list_marker = ""
    for block in blocks:
        if isinstance(block, ListBlock):
            marker = _list_marker(block, avoid=previous_list_marker)
            previous_list_marker = marker
            parts.append(_list(block, marker, labels))
            continue
        previous_list_marker = ""
        text = _block(block, labels)
        if text:
            parts.append(text)
    return "\n\n".join(parts)


def _block(block: Block, labels: dict[str, str] | None) -> str:
    if isinstance(block, Paragraph):
        code = _code_block_text(block)
        return _fenced(code) if code is not None else _paragraph(block.children, labels)
    if isinstance(block, Heading):
        level = min(max(block.level, 2), 6)
        return "#" * level + " " + _inlines(block.children, labels, line_start=False)
    if isinstance(block, SceneBreak):
        return SCENE_BREAK
    if isinstance(block, BlockQuote):
        return _indent(_blocks(block.blocks, labels), "> ", blank=">")
    if isinstance(block, LineBlock):
        return "\n".join(("| " + _line_block_line(line, labels)).rstrip() for line in block.lines)
    if isinstance(block, Table):
        return _table(block, labels)
    if isinstance(block, Note):
        return _container("note", _blocks(block.blocks, labels), block.blocks)
    if isinstance(block, Div):
        return _container(block.kind, _blocks(block.blocks, labels), block.blocks)
    if isinstance(block, Image):
        return _image(block)
    if isinstance(block, ListBlock):  # (_blocks gives neighbouring lists different markers)
        return _list(block, _list_marker(block, avoid=""), labels)
    if isinstance(block, Footnote):
        return ""  # written after the chapter's text (_chapter)
    raise TypeError(f"the manuscript writer has no Markdown for {block!r}")


def _code_block_text(paragraph: Paragraph) -> str | None:
    """The text of a paragraph that is one multi-line Code (what the reader makes of a fenced
    block): inline code cannot hold its line breaks, so it is written fenced again."""
    if len(paragraph.children) == 1 and isinstance(paragraph.children[0], Code) \
            and "\n" in paragraph.children[0].text:
        return paragraph.children[0].text
    return None


def _fenced(text: str) -> str:
    """``text`` in a backtick fence longer than any run of backticks inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text}\n{fence}"


def _paragraph(children: tuple[Inline, ...], labels: dict[str, str] | None) -> str:
    text = _inlines(children, labels)
    if is_separator_text(text):
        text = _inlines(children, labels, stars=False)
    if is_separator_text(text):
        # "* * *" or "oOo" as a paragraph's text: its first character as a character reference
        # keeps the reader from taking it for a scene break.
        width = 2 if text.startswith("\\") else 1
        text = f"&#{ord(text[width - 1])};{text[width:]}"
    return text


def _container(kind: str, body: str, blocks: tuple[Block, ...]) -> str:
    """``::: kind`` ... ``:::``; containers inside use fewer colons, so the outer fence is
    longer."""
    fence = ":" * (3 + _container_depth(blocks))
    return f"{fence} {kind}\n{body}\n{fence}"


def _container_depth(blocks: tuple[Block, ...]) -> int:
    """How many fence levels the containers among ``blocks`` need: one per ``:::`` container
    (notes and asides; tables count their own), through whatever else holds blocks (quotes,
    lists, any block type the model adds)."""
    depth = 0
    for block in blocks:
        if isinstance(block, Table):
            depth = max(depth, 1 + _table_depth(block))
        elif not isinstance(block, Footnote):  # definitions are written apart, at top level
            inner = max((_container_depth(group) for group in _held_blocks(block)), default=0)
            depth = max(depth, inner + (1 if isinstance(block, (Note, Div)) else 0))
    return depth


def _held_blocks(block: Block) -> list[tuple[Block, ...]]:
    """The sequences of blocks a block holds (a quote's, each item of a list), from the model."""
    groups: list[tuple[Block, ...]] = []
    for child in CHILD_FIELDS[type(block)]:
        if child.many and not child.holds_inlines:
            value = getattr(block, child.name)
            groups.extend(value if child.nested else (value,))
    return groups


def _line_block_line(line: tuple[Inline, ...], labels: dict[str, str] | None) -> str:
    """A verse line after its ``| ``: pipes escaped and a leading ``-``/``:`` escaped, so that
    two lines of verse can never be read as a pipe table's header and delimiter row."""
    text = _inlines(line, labels, line_start=False).replace("|", "\\|")
    return "\\" + text if text.startswith(("-", ":")) else text


# --------------------------------------------------------------------------- tables
#
# A table is written as a GFM pipe table when pipes can say it all (one header row, no spans, no
# caption, every cell one paragraph, one alignment per column); otherwise as nested containers
# that hold any blocks:
#
#   ::::: table
#   ::: caption
#   The cast
#   :::
#   :::: row
#   ::: header colspan=2
#   Name
#   :::
#   ::::
#   :::::


def _table(table: Table, labels: dict[str, str] | None) -> str:
    return _pipe_table(table, labels) or _fenced_table(table, labels)


def _pipe_table(table: Table, labels: dict[str, str] | None) -> str | None:
    rows = table.rows
    width = len(rows[0]) if rows else 0
    if table.caption or not width or any(len(row) != width for row in rows):
        return None
    if not all(cell.header for cell in rows[0]) or any(cell.header for row in rows[1:]
                                                       for cell in row):
        return None
    aligns = [rows[0][column].align for column in range(width)]
    texts: list[list[str]] = []
    for row in rows:
        cells = []
        for column, cell in enumerate(row):
            if cell.colspan != 1 or cell.rowspan != 1 or cell.align != aligns[column]:
                return None
            if not cell.blocks:
                cells.append("")
                continue
            if len(cell.blocks) != 1 or type(cell.blocks[0]) is not Paragraph \
                    or cell.blocks[0].align or not cell.blocks[0].children:
                return None
            text = _paragraph(cell.blocks[0].children, labels)
            if "\n" in text:
                return None
            cells.append(text.replace("|", "\\|"))
        texts.append(cells)
    delimiter = {"": "---", "left": ":---", "center": ":---:", "right": "---:"}
    lines = ["| " + " | ".join(texts[0]) + " |",
             "| " + " | ".join(delimiter[align] for align in aligns) + " |"]
    lines += ["| " + " | ".join(cells) + " |" for cells in texts[1:]]
    return "\n".join(lines)


def _fenced_table(table: Table, labels: dict[str, str] | None) -> str:
    fence = ":" * (3 + _table_depth(table))
    parts = [f"{fence} table"]
    if table.caption:
        # As a paragraph is: a caption that looks like an ornament (``<``) must stay a caption.
        parts.append(f"::: caption\n{_paragraph(table.caption, labels)}\n:::")
    row_fence = fence[:-1]
    for row in table.rows:
        parts.append(f"{row_fence} row")
        for cell in row:
            parts.append(_fenced_cell(cell, labels))
        parts.append(row_fence)
    parts.append(fence)
    return "\n".join(parts)


def _fenced_cell(cell: TableCell, labels: dict[str, str] | None) -> str:
    words = ["header" if cell.header else "cell"]
    words += [f"{name}={value}" for name, value in (("colspan", cell.colspan),
                                                    ("rowspan", cell.rowspan)) if value != 1]
    if cell.align:
        words.append(f"align={cell.align}")
    fence = ":" * (3 + _container_depth(cell.blocks))
    body = _blocks(cell.blocks, labels)
    return f"{fence} {' '.join(words)}\n{body}\n{fence}" if body else \
        f"{fence} {' '.join(words)}\n{fence}"


def _table_depth(table: Table) -> int:
    """How many fence levels a fenced table needs above its cells' own containers."""
    cells = [_container_depth(cell.blocks) for row in table.rows for cell in row]
    return 2 + max(cells, default=0)


def _list_marker(block: ListBlock, avoid: str) -> str:
    if block.ordered:
        return ")" if avoid == "." else "."
    return "+" if avoid == "-" else "-"


def _list(block: ListBlock, marker: str, labels: dict[str, str] | None) -> str:
    items: list[str] = []
    for number, item in enumerate(block.items, block.start):
        bullet = f"{number}{marker} " if block.ordered else f"{marker} "
        body = _blocks(item, labels) or "\u00a0"
        items.append(bullet + _indent(body, " " * len(bullet), first=""))
    return "\n\n".join(items)


def _image(image: Image) -> str:
    title = f' "{_escape_title(image.title)}"' if image.title else ""
    src = image.src if re.fullmatch(r"[\w./-]+", image.src) else f"<{image.src}>"
    return f"![{_escape_text(image.alt)}]({src}{title})"


def _indent(text: str, prefix: str, first: str | None = None, blank: str = "") -> str:
    """``text`` with every line prefixed (blank lines get ``blank``); ``first`` replaces the
    prefix of the first line."""
    lines = text.split("\n")
    out = [(prefix if line else blank) + line for line in lines]
    if first is not None and lines:
        out[0] = first + lines[0]
    return "\n".join(out)


# --------------------------------------------------------------------------- inlines

# Escaped wherever they stand: emphasis, code, links and footnotes, HTML and entities, strike,
# headings' closing #s, and braces (attributes after an inline element).
_ALWAYS_ESCAPED = re.compile(r"([\\`*_\[\]<&~#{}])")
# Escaped only at the start of a paragraph: list items, quotes, setext lines, line blocks and
# ::: fences.
_LINE_START_MARKER = re.compile(r"^([-+=>|:]|\d+[.)])")


def _escape_text(text: str) -> str:
    """Text with every character Markdown could read as markup escaped."""
    return _ALWAYS_ESCAPED.sub(r"\\\1", text)


def _escape_title(title: str) -> str:
    return re.sub(r'([\\"&])', r"\\\1", title)


def _inlines(nodes: tuple[Inline, ...], labels: dict[str, str] | None,
             line_start: bool = True, stars: bool = True, in_link: bool = False) -> str:
    """The Markdown for a run of inlines, on one line (line breaks are ``<br>``); ``stars``
    False writes all emphasis as tags."""
    out: list[str] = []
    for index, node in enumerate(nodes):
        following = nodes[index + 1] if index + 1 < len(nodes) else None
        before = out[-1][-1:] if out else ""
        written = _inline(node, labels, before, following, stars, in_link)
        if before == "!" and written.startswith("["):
            out[-1] = out[-1][:-1] + "\\!"  # "![" would open an image
        out.append(written)
    text = "".join(out)
    if line_start:
        match = _LINE_START_MARKER.match(text)
        if match:
            marker = match.group(1)
            text = marker[:-1] + "\\" + marker[-1] + text[len(marker):]
    return text


_TAGS = {Strikeout: "s", Superscript: "sup", Subscript: "sub"}


def _inline(node: Inline, labels: dict[str, str] | None, before: str,
            following: Inline | None, stars: bool, in_link: bool) -> str:
    def inner(children: tuple[Inline, ...], inside_link: bool = in_link) -> str:
        return _inlines(children, labels, line_start=False, stars=stars, in_link=inside_link)

    if isinstance(node, Text):
        return _escape_text(node.text)
    if isinstance(node, Code):
        return _code(node.text)
    if isinstance(node, LineBreak):
        return "<br>"
    if isinstance(node, FootnoteRef):
        return f"[^{labels[node.id]}]" if labels and node.id in labels else ""
    if isinstance(node, (Emph, Strong)):
        return _emphasis(node, inner(node.children), before, following, stars)
    if type(node) in _TAGS:
        tag = _TAGS[type(node)]
        return f"<{tag}>{inner(node.children)}</{tag}>"
    # Inside a link's [text], a [span]{.class} stops the link from parsing: small caps are
    # written as a tag there, and other classes (which the reader keeps only as a span) dropped.
    if isinstance(node, SmallCaps):
        return (f'<span class="smallcaps">{inner(node.children)}</span>' if in_link
                else f"[{inner(node.children)}]{{.smallcaps}}")
    if isinstance(node, Underline):  # pandoc's syntax: [text]{.underline}
        return (f"<u>{inner(node.children)}</u>" if in_link
                else f"[{inner(node.children)}]{{.underline}}")
    if isinstance(node, Span):
        classes = " ".join("." + c for c in node.classes if re.fullmatch(r"[\w-]+", c))
        return f"[{inner(node.children)}]{{{classes}}}" if classes and not in_link \
            else inner(node.children)
    if isinstance(node, Ruby):
        # The attribute syntax has no escapes: a double quote in a reading (which real readings
        # never hold) becomes a closing curly quote.
        reading = node.annotation.replace('"', "\u201d")
        return f'[{inner(node.children)}]{{.ruby rt="{reading}"}}' if not in_link \
            else inner(node.children)
    if isinstance(node, Link):
        title = f' "{_escape_title(node.title)}"' if node.title else ""
        return f"[{inner(node.children, True)}](<{_escape_url(node.url)}>{title})"
    raise TypeError(f"unknown inline {node!r}")


def _emphasis(node: Emph | Strong, inner: str, before: str, following: Inline | None,
              stars: bool) -> str:
    """``*x*``/``**x**`` where CommonMark cannot misread it, ``<em>``/``<strong>`` otherwise.

    The stars are safe when the text inside starts and ends with a letter or digit (so they open
    and close) and no star stands right before or after them (which would merge the runs).
    """
    marker = "*" if isinstance(node, Emph) else "**"
    tag = "em" if isinstance(node, Emph) else "strong"
    neighbour_is_star = before in ("*", "\\") or isinstance(following, (Emph, Strong))
    if stars and inner and inner[0].isalnum() and inner[-1].isalnum() and not neighbour_is_star:
        return f"{marker}{inner}{marker}"
    return f"<{tag}>{inner}</{tag}>"


def _code(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {text} " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else text
    return f"{fence}{padded}{fence}"


def _escape_url(url: str) -> str:
    return re.sub(r"([<>\\])", r"\\\1", url.replace("\n", ""))

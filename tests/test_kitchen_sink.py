"""One manuscript that uses every construct, carried through every stage, as pandoc's testsuite
carries its one big document: the model the reader makes, every file of the EPUB, the print HTML
and the manuscript written back by ``bookmaker import``, each a golden file under
tests/data/kitchen-sink/ (``pytest --update-golden`` rewrites them all; review the diff).

The EPUB and the written-back manuscript come from ``convert.convert``, the one conversion path
``build`` and ``import`` take. SOURCE_DATE_EPOCH is fixed for the session (conftest.py), so the
EPUB is byte-for-byte reproducible and its golden files never change unless the output does.
"""

from __future__ import annotations

import dataclasses
import hashlib
import zipfile
from pathlib import Path

import pytest

from bookmaker import readers
from bookmaker import convert
from bookmaker.model import (DIV_KINDS, Block, BlockQuote, Book, Chapter, Code, Div, Footnote,
                             Heading, ListBlock, Note, Paragraph, from_json, to_json, plain_text)
from bookmaker.safety.assets import drop_unreadable_assets
from bookmaker.settings.context import render_context
from bookmaker.settings.options import BuildOptions
from bookmaker.transforms import scenebreaks
from bookmaker.writers.manuscript import manuscript_text
from bookmaker.writers.pdf.print_html import print_document

from paths import DATA

SINK = DATA / "kitchen-sink"
SOURCE = SINK / "input.md"
EPUB_GOLDEN = SINK / "epub"
# Files of the EPUB compared byte for byte through their digest, not as text.
BINARY_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".woff", ".woff2", ".otf", ".ttf")
# Every node type of the model (model.py's Inline and Block unions).
EVERY_NODE_TYPE = ("Text", "Emph", "Strong", "SmallCaps", "Strikeout", "Superscript", "Subscript",
                   "Code", "Link", "FootnoteRef", "LineBreak", "Span", "Paragraph", "Heading",
                   "SceneBreak", "BlockQuote", "LineBlock", "Note", "Div", "ListBlock", "Image",
                   "Footnote")
# What the kitchen sink's hostile and inexpressible HTML leaves out, each said with its line.
LEFT_OUT = [("an image inside running text is kept as its alt text", 50),
            ("raw HTML <script> left out, with what is inside it", 121),
            ("raw HTML <iframe> left out, with what is inside it", 121)]


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> convert.Conversion:
    """The kitchen sink through the one conversion path, as EPUB and as a manuscript."""
    out = tmp_path_factory.mktemp("kitchen-sink")
    done = convert.convert(SOURCE, ("epub", "manuscript"), render_context(BuildOptions()),
                           lambda stem, info: out / f"{stem}{info.suffix}")
    assert not done.failed()
    assert [(warning.message, warning.line) for warning in done.warnings] == LEFT_OUT
    return done


# --------------------------------------------------------------------------- the model


def test_model(golden) -> None:
    golden.check(SINK / "model.json", to_json(readers.read(SOURCE)))


def test_the_model_round_trips_through_json() -> None:
    book = readers.read(SOURCE)
    assert from_json(to_json(book)) == book


def _blocks(blocks: tuple[Block, ...]):
    for block in blocks:
        yield block
        if isinstance(block, (BlockQuote, Note, Div, Footnote)):
            yield from _blocks(block.blocks)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from _blocks(item)


def test_the_kitchen_sink_is_clean_and_uses_every_construct() -> None:
    assert [(found.message, found.line) for found in readers.findings(SOURCE)] == LEFT_OUT
    book = readers.read(SOURCE)
    text = to_json(book)
    for node_type in EVERY_NODE_TYPE:
        assert f'"type": "{node_type}"' in text, node_type
    every_block = [block for chapter in book.chapters for block in _blocks(chapter.blocks)]
    assert {block.kind for block in every_block if isinstance(block, Div)} == set(DIV_KINDS)
    assert {block.level for block in every_block if isinstance(block, Heading)} == {2, 3}
    assert any(isinstance(block, ListBlock) and block.ordered and block.start == 3
               for block in every_block)
    chapter = book.chapters[1]
    assert chapter.title and chapter.summary and chapter.notes and chapter.end_notes
    assert book.front_matter and book.back_matter and book.metadata.summary
    metadata = book.metadata
    # A manuscript's text direction follows its language (RTL for Arabic, Hebrew...): no field.
    empty = [field.name for field in dataclasses.fields(metadata)
             if getattr(metadata, field.name) in (None, ()) and field.name != "direction"]
    assert empty == [], f"the front matter leaves {empty} unused"
    assert len(metadata.series) == 2 and book.base_dir == str(SOURCE.parent)


# --------------------------------------------------------------------------- the EPUB


def _epub_files(path: Path) -> tuple[dict[str, bytes], str]:
    """Every entry of the EPUB, and a listing of them in zip order (name, how it is stored,
    size, digest): the order and the stored mimetype matter to e-readers too."""
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        files = {info.filename: archive.read(info) for info in infos}
    method = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
    listing = "".join(f"{info.filename}\t{method[info.compress_type]}\t{info.file_size}\t"
                      f"{hashlib.sha256(files[info.filename]).hexdigest()[:16]}\n"
                      for info in infos)
    return files, listing


def test_every_file_of_the_epub(converted, golden, request) -> None:
    files, listing = _epub_files(converted.outputs["epub"][0])
    assert {"EPUB/content.opf", "EPUB/nav.xhtml", "EPUB/toc.ncx"} <= set(files)
    golden.check(SINK / "epub.files", listing)
    text_files = {name for name in files if not name.endswith(BINARY_SUFFIXES)}
    for name in sorted(text_files):
        golden.check(EPUB_GOLDEN / name, files[name].decode("utf-8"))
    kept = {path.relative_to(EPUB_GOLDEN).as_posix() for path in EPUB_GOLDEN.rglob("*")
            if path.is_file()}
    stale = kept - text_files
    if request.config.getoption("--update-golden"):
        for name in stale:
            (EPUB_GOLDEN / name).unlink()
    else:
        assert not stale, f"golden files for pages the EPUB no longer has: {sorted(stale)}"
    # The images are the manuscript's own, unchanged.
    assert files["EPUB/images/ornament.png"] == (SINK / "ornament.png").read_bytes()


# --------------------------------------------------------------------------- print


def test_print_html(golden) -> None:
    """What the PDF writer lays out (the PDF itself is tested in tests/writers/test_pdf.py)."""
    book, dropped = drop_unreadable_assets(convert.load(SOURCE), SOURCE)
    assert dropped == []
    html = print_document(book, render_context(BuildOptions())).replace(
        Path(book.base_dir).resolve().as_uri(), "file:///BOOK")
    golden.check(SINK / "print.html", html)


# --------------------------------------------------------------------------- back to a manuscript


IMAGES_FOLDER = "a-new-hero-images/"  # where the manuscript writer puts the book's images


def _as_written_back(node):
    """The node with every source line removed (a written-back manuscript has lines of its own)
    and its image references as the manuscript writer makes them (in the images folder)."""
    if isinstance(node, tuple):
        return tuple(_as_written_back(item) for item in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        changes = {f.name: _as_written_back(getattr(node, f.name))
                   for f in dataclasses.fields(node) if f.name not in ("base_dir", "embedded")}
        if "line" in changes:
            changes["line"] = None
        for reference in ("src", "cover"):
            value = changes.get(reference)
            if isinstance(value, str) and not value.startswith(IMAGES_FOLDER):
                changes[reference] = IMAGES_FOLDER + value
        return dataclasses.replace(node, **changes)
    return node


def test_written_back_manuscript(converted, golden) -> None:
    [written] = converted.outputs["manuscript"]
    text = written.read_text(encoding="utf-8")
    assert text.replace(IMAGES_FOLDER, "") == manuscript_text(
        scenebreaks.apply(readers.read(SOURCE)))
    golden.check(SINK / "manuscript.md", text)
    images = written.with_name(IMAGES_FOLDER.rstrip("/"))
    assert [path.name for path in images.iterdir()] == ["ornament.png"]
    assert (images / "ornament.png").read_bytes() == (SINK / "ornament.png").read_bytes()


def _is_code_block(block: Block) -> bool:
    """A fenced code block, as the reader gives it: a paragraph that is one Code."""
    return isinstance(block, Paragraph) and len(block.children) == 1 and \
        isinstance(block.children[0], Code)


def _read_back(converted) -> tuple[Book, Book]:
    again = readers.read(converted.outputs["manuscript"][0])
    original = scenebreaks.apply(readers.read(SOURCE))
    return again, original


def test_the_written_back_manuscript_reads_as_the_same_book(converted) -> None:
    """Import, then build: nothing the writer wrote is lost on the way back in (the fenced code
    block aside: see the next test)."""
    again, original = _read_back(converted)
    assert _as_written_back(again.metadata) == _as_written_back(original.metadata)
    assert _as_written_back((again.front_matter, again.back_matter)) == \
        _as_written_back((original.front_matter, original.back_matter))

    def without_code_blocks(book: Book) -> tuple[Chapter, ...]:
        return tuple(dataclasses.replace(chapter, blocks=tuple(
            block for block in chapter.blocks if not _is_code_block(block)))
            for chapter in book.chapters)

    assert _as_written_back(without_code_blocks(again)) == \
        _as_written_back(without_code_blocks(original))


def test_a_fenced_code_block_survives_the_written_back_manuscript(converted) -> None:
    again, original = _read_back(converted)
    def code_texts(chapters: tuple[Chapter, ...]) -> list[list[str]]:
        return [[plain_text(block.children) for block in chapter.blocks
                 if _is_code_block(block)] for chapter in chapters]

    assert any(code_texts(original.chapters)), "the kitchen sink has a fenced code block"
    assert any("\n" in text for texts in code_texts(original.chapters) for text in texts)
    assert code_texts(again.chapters) == code_texts(original.chapters)

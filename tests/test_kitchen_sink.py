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
from lxml import etree, html

from bookmaker import convert, readers
from bookmaker.model import (BLOCK_TYPES, CHILD_FIELDS, DIV_KINDS, Block, Book, Chapter, Code,
                             Div, Heading, ListBlock, Paragraph, Table, Text, from_json,
                             plain_text, query, to_json)
from bookmaker.safety.assets import drop_unreadable_assets
from bookmaker.settings.context import render_context
from bookmaker.settings.options import BuildOptions
from bookmaker.transforms import scenebreaks
from bookmaker.writers import epub
from bookmaker.writers.epub import kepub
from bookmaker.writers.manuscript import manuscript_text
from bookmaker.writers.pdf import print_document

from paths import DATA

SINK = DATA / "kitchen-sink"
SOURCE = SINK / "input.md"
EPUB_GOLDEN = SINK / "epub"
# Files of the EPUB compared byte for byte through their digest, not as text.
BINARY_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".woff", ".woff2", ".otf", ".ttf")


def _node_types_of_a_book() -> set[type]:
    """Every node type a Book can hold, read from the model itself (the fields holding nodes,
    those that are part of what a book is: not where it came from, like its embedded files)."""
    found, pending = {Book}, [Book]
    while pending:
        kind = pending.pop()
        compared = {f.name for f in dataclasses.fields(kind) if f.compare}
        for child in CHILD_FIELDS[kind]:
            for held in child.types:
                if child.name in compared and held not in found:
                    found.add(held)
                    pending.append(held)
    return found


# Every node type of the model: a new one fails the kitchen sink until the manuscript uses it,
# and then every stage below must carry it.
EVERY_NODE_TYPE = sorted(kind.__name__ for kind in _node_types_of_a_book())
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


def test_the_kitchen_sink_is_clean_and_uses_every_construct() -> None:
    assert [(found.message, found.line) for found in readers.findings(SOURCE)] == LEFT_OUT
    book = readers.read(SOURCE)
    text = to_json(book)
    assert {"Table", "TableCell", "Ruby", "Paragraph", "Text", "Chapter"} <= set(EVERY_NODE_TYPE)
    for node_type in EVERY_NODE_TYPE:
        assert f'"type": "{node_type}"' in text, node_type
    every_block = query(book.chapters, BLOCK_TYPES)
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


# ------------------------------------------------------------------------- every node, every stage


@pytest.fixture(scope="module")
def typeset() -> Book:
    """The kitchen sink as the writers get it (typography and scene breaks applied)."""
    book, dropped = drop_unreadable_assets(convert.load(SOURCE), SOURCE)
    assert dropped == []
    return book


def _words(text: str) -> str:
    return " ".join(text.split())


def test_typography_reaches_every_text_of_the_book(typeset) -> None:
    """Wherever a Text stands (a table cell, a caption, a ruby, a footnote, a summary...), the
    typography pass has been there: no straight quote, double hyphen or three dots is left."""
    texts = query(typeset, Text)
    assert any(isinstance(block, Table) for block in query(typeset, BLOCK_TYPES))
    assert len(texts) > 100
    for text in texts:
        assert not any(mark in text.text for mark in ('"', "'", "--", "...")), text


def _reading_text(root: etree._Element) -> str:
    body = root.find(".//{*}body") if root.find(".//{*}body") is not None else root
    return _words("".join(body.itertext()))


@pytest.mark.parametrize("stage", ["epub", "kepub", "print"])
def test_every_text_of_the_book_reaches_every_writer(stage, typeset, tmp_path) -> None:
    """Every Text of the model, wherever it stands, is in the output's reading text: a writer
    whose walk forgets a node type loses its words."""
    if stage == "print":
        pages = [_reading_text(html.document_fromstring(
            print_document(typeset, render_context(BuildOptions()))))]
    else:
        out = tmp_path / f"kitchen-sink.{stage}.epub"
        writer = kepub.write if stage == "kepub" else epub.write
        writer(typeset, out, render_context(BuildOptions()))
        with zipfile.ZipFile(out) as archive:
            pages = [_reading_text(etree.fromstring(archive.read(name)))
                     for name in archive.namelist()
                     if name.endswith(".xhtml") and not name.endswith("nav.xhtml")]
    everything = " ".join(pages)
    missing = [text.text for text in query(typeset, Text)
               if _words(text.text) and _words(text.text) not in everything]
    assert missing == []


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

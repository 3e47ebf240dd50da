"""The manuscript writer: what it writes reads back as the same model."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings

from paths import DATA

import pytest

from bookmaker import readers
from bookmaker.model import (BLOCK_TYPES, INLINE_TYPES, BlockQuote, Book, Chapter, Emph,
                             EmbeddedFile, Footnote, FootnoteRef, Image, Metadata, Paragraph,
                             SceneBreak, Table, TableCell, Text, query)
from bookmaker.readers.decoding import decode
from bookmaker.writers.manuscript import _block, _inline, manuscript_text, write
from samples import sample
from strategies import canonical_books

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
       b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
       b"\x00\x00\x00IEND\xaeB`\x82")


def without_lines(node):
    """The node with every source line removed: a read-back manuscript has lines of its own.

    This is the only normalisation the round trip needs for canonical books (see
    strategies.canonical_books for what canonical means).
    """
    if isinstance(node, tuple):
        return tuple(without_lines(item) for item in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        changes = {f.name: without_lines(getattr(node, f.name)) for f in dataclasses.fields(node)
                   if f.name not in ("base_dir", "embedded")}
        if "line" in changes:
            changes["line"] = None
        return dataclasses.replace(node, **changes)
    return node


def read_back(book: Book, folder: Path) -> Book:
    path = folder / "work.md"
    path.write_text(manuscript_text(book), encoding="utf-8")
    return readers.read(path)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(canonical_books())
def test_reading_a_written_manuscript_gives_the_same_model(book):
    """Source lines aside, the model comes back unchanged. Random text from the generator's
    alphabet (æ next to ”...) can happen to spell UTF-8 read as Windows-1252, which the reader
    rightly repairs; such draws are skipped, real prose does not look like that."""
    text = manuscript_text(book)
    assume(decode(text.encode("utf-8"))[1] == "utf-8")
    with tempfile.TemporaryDirectory() as folder:
        assert without_lines(read_back(book, Path(folder))) == without_lines(book)


def test_text_that_looks_like_markup_stays_text(tmp_path):
    tricky = ["*not emphasis*", "# not a heading", "- not a list", "1. not a list",
              "> not a quote", "::: note", "| not verse", "[^1] not a footnote",
              "<b>not bold</b>", "&amp; stays", "~~not struck~~", "`not code`", "* * *",
              "oOo", "wow![x](y)", "wow!", "a_b_c {.smallcaps}"]
    book = Book(Metadata("Tricky", language="en", encoding="utf-8"), (Chapter("One", tuple(
        Paragraph((Text(text),)) for text in tricky)),))
    back = read_back(book, tmp_path)
    assert [b.children for b in back.chapters[0].blocks] == [(Text(t),) for t in tricky]


def test_the_manuscript_reads_like_one_a_person_would_write(golden, tmp_path):
    book = Book(
        Metadata("A Small Work", authors=("Someone",), language="en", rating="Mature",
                 warnings=("Major Character Death",), relationships=("A/B",),
                 summary=(Paragraph((Text("They meet. "), Emph((Text("Again"),)), Text("."))),),
                 encoding="utf-8"),
        (Chapter("Beginnings", (Paragraph((Text("It rained"), FootnoteRef("1"), Text("."))),
                                SceneBreak(), Paragraph((Text("Then it stopped."),)),
                                Footnote("1", (Paragraph((Text("It always does."),)),))),
                 notes=(Paragraph((Text("Thanks for reading!"),)),)),
         Chapter("", (Paragraph((Text("Untitled second chapter."),)),))))
    text = manuscript_text(book)
    golden.check(DATA / "manuscript_writer" / "small-work.md", text)
    back = read_back(book, tmp_path)
    assert back.chapters[1].title == "Chapter 2"  # an empty # would be a scene break


def test_embedded_images_are_written_beside_the_manuscript(tmp_path):
    book = Book(Metadata("Pictures", cover="embedded:OEBPS/Images/cover.png", encoding="utf-8"),
                (Chapter("One", (Image("embedded:OEBPS/Images/map.png", alt="A map"),
                                 Image("embedded:OEBPS/Images/../x/map.png", alt="Another"),
                                 Image("embedded:missing.png"))),),
                embedded=(EmbeddedFile("OEBPS/Images/cover.png", "image/png", PNG),
                          EmbeddedFile("OEBPS/Images/map.png", "image/png", PNG),
                          EmbeddedFile("OEBPS/Images/../x/map.png", "image/png", PNG)))
    dest = tmp_path / "out" / "pictures.md"
    warnings = write(book, dest)
    assert [w.message for w in warnings] == ["image 'missing.png' is not in the file it came from"]
    assert sorted(p.name for p in (tmp_path / "out" / "pictures-images").iterdir()) == [
        "cover.png", "map-2.png", "map.png"]
    back = readers.read(dest)
    assert back.metadata.cover == "pictures-images/cover.png"
    assert [b.src for b in back.chapters[0].blocks] == ["pictures-images/map.png",
                                                         "pictures-images/map-2.png"]
    assert (tmp_path / "out" / "pictures-images" / "map.png").read_bytes() == PNG


# --------------------------------------------------------------------------- bookmaker import


def test_imported_epub_reads_back_as_the_same_model(tmp_path):
    """An imported EPUB's manuscript gives back the model the EPUB reader made (after the
    scene-break pass import applies); only lines, the folder and the text encoding differ."""
    from epub_files import make_epub, tree
    from bookmaker.convert import import_files
    from bookmaker.transforms import scenebreaks

    source = make_epub(tree("fanficfare"), tmp_path / "not-built-by-bookmaker" / "fff.epub")
    [result] = import_files([source], tmp_path / "manuscripts")
    assert result.error is None and result.output.name == "letters-never-sent.md"
    imported = scenebreaks.apply(readers.read(source))
    back = readers.read(result.output)
    assert back.metadata.encoding == "utf-8"
    expected = dataclasses.replace(imported, metadata=dataclasses.replace(
        imported.metadata, encoding="utf-8"))
    assert without_lines(back) == without_lines(expected)


def test_import_command_names_files_uniquely_and_reports_failures(tmp_path):
    from typer.testing import CliRunner
    from bookmaker.cli import app
    from epub_files import make_epub, tree

    source = make_epub(tree("se"), tmp_path / "not-built-by-bookmaker" / "se.epub")
    broken = tmp_path / "not-built-by-bookmaker" / "broken.epub"
    broken.write_text("not a zip")
    out = tmp_path / "manuscripts"
    runner = CliRunner()
    first = runner.invoke(app, ["import", str(source), "-o", str(out)])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["import", str(source), str(broken), "-o", str(out)])
    assert second.exit_code == 1
    assert "broken.epub: not a readable zip container" in second.output
    assert "1 of 2 files failed to import" in second.output
    assert sorted(p.name for p in out.iterdir()) == [
        "the-quiet-orchard-2-images", "the-quiet-orchard-2.md", "the-quiet-orchard-images",
        "the-quiet-orchard.md"]
    assert "the-quiet-orchard-2-images/map.png" in (out / "the-quiet-orchard-2.md").read_text()
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]


def test_imported_manuscript_builds_a_valid_epub(tmp_path):
    """Import, then build the manuscript (images beside it): EPUBChecked by conftest."""
    from bookmaker import convert
    from bookmaker.convert import import_files
    from epub_files import make_epub, tree

    source = make_epub(tree("calibre"), tmp_path / "not-built-by-bookmaker" / "calibre.epub")
    [imported] = import_files([source], tmp_path / "manuscripts")
    [built] = convert.build([imported.output], out_dir=tmp_path / "dist")
    assert built.error is None and built.warnings == []


def test_imported_word_tables_are_pipe_tables_or_table_blocks_that_read_back(tmp_path):
    """pandoc's DOCX table documents: the manuscript holds no raw <table> HTML (it used to, with
    stray ns0: attributes) and reads back to the tables the DOCX reader found."""
    from paths import CORPUS
    from bookmaker.convert import import_files
    from bookmaker.model import Table
    from bookmaker.transforms import scenebreaks

    sources = [CORPUS / "docx" / f"pandoc-{name}.docx" for name in
               ("tables", "table_with_list_cell", "table_header_rowspan", "table_one_row")]
    results = import_files(sources, tmp_path / "manuscripts")
    for source, result in zip(sources, results, strict=True):
        assert result.error is None, result.error
        text = result.output.read_text(encoding="utf-8")
        assert "<table" not in text and "ns0:" not in text
        assert "| --- |" in text or "::: table" in text
        expected = [block for chapter in scenebreaks.apply(readers.read(source)).chapters
                    for block in chapter.blocks if isinstance(block, Table)]
        back = [block for chapter in readers.read(result.output).chapters
                for block in chapter.blocks if isinstance(block, Table)]
        assert expected and without_lines(tuple(back)) == without_lines(tuple(expected))


def test_a_simple_table_is_written_as_a_pipe_table(tmp_path):
    from bookmaker.model import Table, TableCell

    def cell(text, **kwargs):
        return TableCell((Paragraph((Text(text),)),), **kwargs)

    table = Table(((cell("Who", header=True), cell("Says", header=True, align="right")),
                   (cell("Ann"), cell("a | b", align="right"))))
    book = Book(Metadata("Chat"), (Chapter("One", (table,)),))
    assert "| Who | Says |\n| --- | ---: |\n| Ann | a \\| b |" in manuscript_text(book)
    assert without_lines(read_back(book, tmp_path).chapters) == without_lines(book.chapters)


def test_verse_lines_that_look_like_a_table_stay_verse(tmp_path):
    from bookmaker.model import LineBlock

    verse = LineBlock(((Text("a | b"),), (Text("---"),)))
    book = Book(Metadata("Poem"), (Chapter("One", (verse,)),))
    assert without_lines(read_back(book, tmp_path).chapters) == without_lines(book.chapters)


def test_a_footnote_defined_inside_a_quote_or_a_cell_is_not_lost(tmp_path):
    """Definitions are found wherever they stand (the model's query) and written after the
    chapter's text, where the reader puts them: the note and its reference come back."""
    quoted = BlockQuote((Paragraph((Text("Quoted"), FootnoteRef("q"))),
                         Footnote("q", (Paragraph((Text("A note made in a quote."),)),))))
    cell = Table(((TableCell((Paragraph((Text("Cell"), FootnoteRef("c"))),
                              Footnote("c", (Paragraph((Text("A note in a cell."),)),)))),),))
    book = Book(Metadata("Notes"), (Chapter("One", blocks=(quoted, cell)),))
    again = read_back(book, tmp_path)
    assert [without_lines(note.blocks) for note in again.chapters[0].blocks
            if isinstance(note, Footnote)] == [(Paragraph((Text("A note made in a quote."),)),),
                                               (Paragraph((Text("A note in a cell."),)),)]
    assert len(query(again, FootnoteRef)) == 2


def test_every_block_and_inline_type_has_markdown():
    """The writer's dispatch knows every node type of the model: an unknown one is an error,
    never a silently dropped block."""
    for kind in BLOCK_TYPES:
        _block(sample(kind), {"n": "n"})  # raises on a type it does not know
    for kind in INLINE_TYPES:
        _inline(sample(kind), {"n": "n"}, "", None, True, False)

    class Unknown:
        pass

    with pytest.raises(TypeError, match="no Markdown"):
        _block(Unknown(), {})  # type: ignore[arg-type]


def test_a_caption_that_looks_like_an_ornament_stays_a_caption(tmp_path):
    """Found by the round trip above: a table caption ``<`` was written as ``\\<``, which the
    reader takes for a scene-break ornament, and the caption was lost."""
    table = Table(((TableCell(()),),), caption=(Text("<"),))
    again = read_back(Book(Metadata("T"), (Chapter(blocks=(Paragraph((Text("x"),)), table)),)),
                      tmp_path)
    assert [block.caption for block in again.chapters[0].blocks if isinstance(block, Table)] == [
        (Text("<"),)]

"""The EPUB reader on the IDPF EPUB 3 samples of the shared corpus (books nobody here wrote):
ruby, verse, right-to-left text, single-file books, authors with several roles."""

from __future__ import annotations

import zipfile

import pytest

from paths import CORPUS

from bookmaker import readers
from bookmaker import convert
from bookmaker.model import Footnote, FootnoteRef, LineBlock, Ruby, Text, plain_text

EPUB = CORPUS / "epub"
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not EPUB.exists(), reason="the shared corpus is not here")]


def inlines_of(node, kind, found):
    if isinstance(node, tuple):
        for item in node:
            inlines_of(item, kind, found)
    elif isinstance(node, kind):
        found.append(node)
    else:
        for name in ("children", "blocks", "lines", "items", "rows"):
            if hasattr(node, name):
                inlines_of(getattr(node, name), kind, found)
    return found


def test_japanese_ruby_readings_are_ruby_not_text():
    book = readers.read(EPUB / "idpf-kusamakura-japanese-vertical-writing.epub")
    blocks = tuple(block for chapter in book.chapters for block in chapter.blocks)
    rubies = inlines_of(blocks, Ruby, [])
    assert Ruby((Text("山路"),), "やまみち") in rubies
    assert len(rubies) > 4000
    assert "山路やまみち" not in plain_text(blocks)  # the reading is no longer inlined


def test_ruby_is_written_as_ruby_in_the_epub(tmp_path):
    [result] = convert.build([EPUB / "idpf-kusamakura-japanese-vertical-writing.epub"],
                             ["epub"], tmp_path)
    assert result.error is None
    with zipfile.ZipFile(result.outputs[0]) as built:
        pages = "".join(built.read(name).decode() for name in built.namelist()
                        if name.endswith(".xhtml"))
        opf = next(built.read(n).decode() for n in built.namelist() if n.endswith(".opf"))
    assert "<ruby>山路<rt>やまみち</rt></ruby>" in pages
    assert 'page-progression-direction="rtl"' in opf  # vertical Japanese reads right to left


def test_an_arabic_book_is_read_and_written_right_to_left(tmp_path):
    source = EPUB / "idpf-regime-anticancer-arabic.epub"
    book = readers.read(source)
    assert book.metadata.direction == "rtl" and book.metadata.language == "ar"
    [result] = convert.build([source], ["epub"], tmp_path)
    with zipfile.ZipFile(result.outputs[0]) as built:
        opf = next(built.read(n).decode() for n in built.namelist() if n.endswith(".opf"))
        chapter = next(built.read(n).decode() for n in built.namelist()
                       if "chapter" in n and n.endswith(".xhtml"))
    assert 'page-progression-direction="rtl"' in opf
    assert 'dir="rtl"' in chapter and 'xml:lang="ar"' in chapter


def test_a_poem_in_one_file_is_split_into_its_parts_with_its_stanzas_and_notes():
    book = readers.read(EPUB / "idpf-wasteland.epub")
    titles = [chapter.title for chapter in book.chapters]
    assert titles[1:6] == ["I. THE BURIAL OF THE DEAD", "II. A GAME OF CHESS",
                           "III. THE FIRE SERMON", "IV. DEATH BY WATER",
                           "V. WHAT THE THUNDER SAID"]
    burial = book.chapters[1]
    stanzas = [block for block in burial.blocks if isinstance(block, LineBlock)]
    assert len(stanzas) >= 4
    assert plain_text(stanzas[0].lines[0]) == "April is the cruellest month, breeding"
    # every note is in the chapter that refers to it
    for chapter in book.chapters:
        refs = {ref.id for ref in inlines_of(chapter.blocks, FootnoteRef, [])}
        notes = {block.id for block in chapter.blocks if isinstance(block, Footnote)}
        assert refs <= notes, chapter.title


def test_an_author_who_is_also_the_annotator_is_kept(tmp_path):
    """The Waste Land's package with its creator given a second role (aut and ann), as EPUB 3
    packages credit an author who also wrote the notes."""
    source = EPUB / "idpf-wasteland.epub"
    copy = tmp_path / "not-built-by-bookmaker" / "wasteland-annotated.epub"
    copy.parent.mkdir()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(copy, "w") as changed:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename.endswith(".opf"):
                data = data.replace(
                    b"<dc:creator>T.S. Eliot</dc:creator>",
                    b'<dc:creator id="eliot">T.S. Eliot</dc:creator>'
                    b'<meta refines="#eliot" property="role" scheme="marc:relators">aut</meta>'
                    b'<meta refines="#eliot" property="role" scheme="marc:relators">ann</meta>')
                assert b'refines="#eliot"' in data
            compress = zipfile.ZIP_STORED if info.filename == "mimetype" else \
                zipfile.ZIP_DEFLATED
            changed.writestr(info.filename, data, compress_type=compress)
    assert readers.read(copy).metadata.authors == ("T.S. Eliot",)


@pytest.mark.parametrize("name", ["notes-epub3.epub", "notes-epub2.epub"])
def test_notes_on_a_heading_and_in_a_table_cell_are_kept(name):
    """pandoc's own EPUBs: the chapter page also holds the notes section, which made the whole
    page count as a notes page (the book "held no story text"); the heading's note was lost."""
    from paths import DATA

    book = readers.read(DATA / "epub_input" / "pandoc-notes" / name)
    [chapter] = book.chapters
    assert chapter.title == "The Chapter"  # no note number glued to it
    notes = {block.id: plain_text(block.blocks).strip() for block in chapter.blocks
             if isinstance(block, Footnote)}
    assert sorted(notes.values()) == ["A note in a cell.", "A note in the text.",
                                      "A note on the heading."]
    references = inlines_of(chapter.blocks, FootnoteRef, [])
    assert {ref.id for ref in references} == set(notes)
    assert not [block for block in chapter.blocks if type(block).__name__ == "SceneBreak"]


def test_bookmakers_own_epub_reads_back_with_its_metadata_and_no_warnings_chapter(tmp_path):
    """The seed story built by bookmaker and imported again: its fic: properties (rating,
    warnings, content notes, fandom, relationships, characters) come back, the "Before you
    read" page is not chapter 1, and the opening note is the book's front matter again."""
    from paths import SEED

    [result] = convert.build([SEED], ["epub"], tmp_path)
    original, back = convert.load(SEED), readers.read(result.outputs[0])
    for name in ("title", "authors", "fandoms", "rating", "warnings", "content_notes",
                 "categories", "relationships", "characters", "tags", "summary"):
        assert getattr(back.metadata, name) == getattr(original.metadata, name), name
    assert original.metadata.warnings and original.metadata.content_notes
    assert [chapter.title for chapter in back.chapters] == ["A New Hero"]
    assert plain_text(back.front_matter) == plain_text(original.front_matter)

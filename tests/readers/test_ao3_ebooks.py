"""AO3's own EPUB, AZW3 and MOBI downloads read back to the same work as its HTML download.

The fixtures under tests/data/ao3_downloads/ are real calibre output, made the way AO3 makes them
(make_fixtures.py there: web2disk, zip, ebook-convert with AO3's options) from the HTML downloads
in works/. Each ebook must give the model the HTML download gives, line numbers aside: the author,
the summary, every chapter with its title, summary and notes, the afterword once at the end, none
of AO3's boilerplate, and lone ``xxx`` lines as scene breaks.
"""

from __future__ import annotations

import dataclasses
import re
import zipfile
from pathlib import Path

import pytest

from bookmaker import convert, readers
from bookmaker.errors import ManuscriptError
from bookmaker.model import Book, Image, SceneBreak, Series, plain_text

from paths import DATA

HERE = DATA / "ao3_downloads"
WORKS = ("Small_Hours", "The_Long_Way_Round", "Ashes_Ashes", "Frost_and_Fire")
FORMATS = ("epub", "azw3", "mobi")
BOILERPLATE = ("Chapter Notes", "See the end of the chapter", "See the end of the work",
               "drop by the Archive", "Chapter End Notes", "Preface", "Afterword")


def without_lines(value):
    """A model node as plain data with every source line left out (they differ by format)."""
    if isinstance(value, Image):  # a file beside the download, an embedded: name in an ebook
        return ("Image", value.alt)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, {field.name: without_lines(getattr(value, field.name))
                                       for field in dataclasses.fields(value)
                                       if field.name not in ("line", "base_dir", "embedded")})
    if isinstance(value, (tuple, list)):
        return [without_lines(item) for item in value]
    return value


@pytest.fixture(scope="module")
def from_html() -> dict[str, Book]:
    return {work: convert.load(HERE / "works" / f"{work}.html") for work in WORKS}


@pytest.mark.parametrize("extension", FORMATS)
@pytest.mark.parametrize("work", WORKS)
def test_ebook_reads_as_the_html_download(work: str, extension: str,
                                          from_html: dict[str, Book]) -> None:
    book = convert.load(HERE / f"{work}.{extension}")
    expected = from_html[work]
    assert without_lines(book.metadata) == without_lines(expected.metadata)
    assert without_lines(book.front_matter) == without_lines(expected.front_matter)
    assert without_lines(book.back_matter) == without_lines(expected.back_matter)
    if extension == "mobi":  # MOBI renames note ids and wraps <sup> in <font size>: same text
        assert shape(book.chapters) == shape(expected.chapters)
    else:
        assert without_lines(book.chapters) == without_lines(expected.chapters)


def shape(chapters) -> list:
    return [(chapter.title, plain_text(chapter.summary), plain_text(chapter.notes),
             plain_text(chapter.end_notes),
             [(type(block).__name__, plain_text((block,))) for block in chapter.blocks])
            for chapter in chapters]


def test_multi_chapter_epub_keeps_author_summary_chapters_and_one_afterword() -> None:
    book = convert.load(HERE / "The_Long_Way_Round.epub")
    metadata = book.metadata
    assert metadata.authors == ("lanternfish", "Corvid_Writes")
    assert plain_text(metadata.summary).split() == "Three left. Then two. Then the rain.".split()
    assert metadata.series == (Series("Wings of the Goddess", 2.0), Series("Rainverse", 5.0))
    assert [chapter.title for chapter in book.chapters] == \
        ["Three Left", "Chapter 2", "Chapter 3: Aftermath"]
    first = book.chapters[0]
    assert plain_text(first.summary).strip() == "Where it starts."
    assert plain_text(first.notes).strip() == "Short one, sorry."
    assert plain_text(first.end_notes).strip() == "Next week: more rain."
    assert plain_text(book.chapters[2].end_notes).strip() == "To be continued."
    # the afterword once, at the end, and never inside a chapter
    assert plain_text(book.back_matter).count("Thank you for reading!") == 1
    text = " ".join(plain_text(chapter.blocks) for chapter in book.chapters)
    assert "Thank you for reading!" not in text
    for phrase in BOILERPLATE:
        assert phrase not in text, phrase


@pytest.mark.parametrize("extension", FORMATS)
def test_lone_xxx_and_stars_are_scene_breaks(extension: str) -> None:
    book = convert.load(HERE / f"Small_Hours.{extension}")
    blocks = book.chapters[0].blocks
    assert sum(isinstance(block, SceneBreak) for block in blocks) == 2
    assert "xxx" not in plain_text(blocks) and "***" not in plain_text(blocks)
    assert book.metadata.authors == ("nightjar",)
    assert plain_text(book.back_matter).strip() == \
        "Thank you for reading! Kudos and comments keep me warm."


def test_three_creators_plural_labels_and_a_chapter_with_only_end_notes() -> None:
    book = convert.load(HERE / "Frost_and_Fire.epub")
    assert book.metadata.authors == ("tidewater", "Ember_Ink", "mossandstone")
    assert len(book.metadata.fandoms) == 4
    assert book.metadata.series == (Series("Elemental Exchange", 3.0),)
    first, second = book.chapters
    assert first.title == "The Ice Palace" and first.notes == ()
    assert "Ember takes the next one" in plain_text(first.end_notes)
    assert plain_text(second.summary).strip() == "Azula does not share."
    assert "Chapter by" not in plain_text(second.blocks)


@pytest.mark.parametrize("extension", FORMATS)
def test_images_come_with_the_ebook_and_a_thin_divider_is_a_scene_break(extension: str) -> None:
    """calibre embeds the work's images and moves their size and centring into its CSS; the
    map is an image of the book, the 20-pixel centred strip a scene break, as in the download."""
    book = convert.load(HERE / f"Frost_and_Fire.{extension}")
    images = [block for chapter in book.chapters for block in chapter.blocks
              if isinstance(block, Image)]
    alt = "" if extension == "mobi" else "Edelgard\u2019s map of the four kingdoms"
    assert [image.alt for image in images] == [alt]  # MOBI keeps no alt text
    assert images[0].src.startswith("embedded:")
    assert images[0].src.removeprefix("embedded:") in {file.name for file in book.embedded}
    first = book.chapters[0].blocks
    # the divider and the "xxx" beside it: one break between the two scenes
    assert sum(isinstance(block, SceneBreak) for block in first) == 1


def test_old_layout_footnote_survives_every_format() -> None:
    for extension in FORMATS:
        book = convert.load(HERE / f"Ashes_Ashes.{extension}")
        assert plain_text(book.metadata.summary).strip() == \
            "After the war, the Burrow is very quiet.", extension
        assert "Molly never let anyone else do it." not in plain_text(book.chapters[0].blocks[:3])


def test_kindle_files_pick_the_kindle_reader() -> None:
    assert readers.reader_for(HERE / "Small_Hours.azw3").module == "bookmaker.readers.mobi"
    assert readers.reader_for(HERE / "Small_Hours.mobi").module == "bookmaker.readers.mobi"


def test_a_damaged_kindle_file_is_refused_clearly(tmp_path: Path) -> None:
    broken = tmp_path / "broken.azw3"
    broken.write_bytes((HERE / "Small_Hours.azw3").read_bytes()[:600])
    with pytest.raises(ManuscriptError) as error:
        readers.read(broken)
    assert "broken.azw3" in str(error.value)
    assert "Kindle book" in str(error.value)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every AO3 ebook built once into bookmaker's EPUB (EPUBChecked at the end of the run)."""
    out = tmp_path_factory.mktemp("ao3-ebooks")
    sources = [HERE / f"{work}.{extension}" for work in WORKS for extension in ("epub", "mobi")]
    results = convert.build(sources, out_dir=out)
    assert [result.error for result in results] == [None] * len(sources)
    return [result.outputs[0] for result in results]


def test_every_ao3_ebook_builds(built: list[Path]) -> None:
    with zipfile.ZipFile(built[2]) as book:  # The Long Way Round, from AO3's EPUB
        pages = "".join(book.read(name).decode() for name in book.namelist()
                        if name.endswith(".xhtml"))
    assert "Genesis Rhapsodos/Sephiroth" in pages and "Thank you for reading!" in pages
    assert "drop by the Archive" not in pages


def test_a_kindle_book_with_drm_is_refused_clearly(tmp_path: Path) -> None:
    """The PalmDOC header's encryption type (record 0, offset 12) set as a DRM'd book has it."""
    data = bytearray((HERE / "Small_Hours.mobi").read_bytes())
    record0 = int.from_bytes(data[78:82], "big")
    data[record0 + 12:record0 + 14] = (2).to_bytes(2, "big")
    locked = tmp_path / "locked.mobi"
    locked.write_bytes(bytes(data))
    with pytest.raises(ManuscriptError) as error:
        readers.read(locked)
    assert "encrypted (DRM)" in str(error.value) and "locked.mobi" in str(error.value)


def test_a_chapter_calibre_split_across_pages_is_one_chapter_in_order() -> None:
    """Long_Rain's one chapter (430 KB) passes calibre's 260 KB page limit: calibre cuts it in
    the middle of the text, repeating the wrappers on each page. It reads as one chapter with
    every paragraph, in order, and its xxx breaks, as from the HTML download."""
    book = convert.load(HERE / "Long_Rain.epub")
    expected = convert.load(HERE / "works" / "Long_Rain.html")
    assert len(book.chapters) == 1
    assert shape(book.chapters) == shape(expected.chapters)
    numbers = [int(n) for n in re.findall(r"\((\d+)\)", plain_text(book.chapters[0].blocks))]
    assert numbers == list(range(2600))

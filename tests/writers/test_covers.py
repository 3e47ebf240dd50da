"""Covers: the generated one (reproducible, in the EPUB and on the PDF's first page) and the
checks on a writer's own image."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest
from lxml import etree
from PIL import Image
from pypdf import PdfReader

from bookmaker.safety.assets import check_cover
from bookmaker.writers.covers import HEIGHT, WIDTH, cover_jpeg
from bookmaker.errors import ManuscriptError
from bookmaker.model import Book, Chapter, Metadata, Paragraph, Text
from bookmaker.settings.options import BuildOptions
from bookmaker.settings.context import render_context
from bookmaker.convert import build
from bookmaker.settings.themes import find_theme
from bookmaker.writers.pdf import pdf_bytes

OPF = {"opf": "http://www.idpf.org/2007/opf"}
BOOK = Book(Metadata(title="The Long Way Round", authors=("Quill Harrow",),
                     fandoms=("Final Fantasy VII",)),
            chapters=(Chapter(title="One", blocks=(Paragraph((Text("It rained."),)),)),))


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "#336699").save(out, format="PNG")
    return out.getvalue()


def test_the_generated_cover_is_reproducible_and_free_of_metadata():
    theme = find_theme("default")
    jpeg = cover_jpeg(BOOK, theme)
    assert jpeg == cover_jpeg(BOOK, theme)
    with Image.open(io.BytesIO(jpeg)) as image:
        assert image.format == "JPEG" and image.size == (WIDTH, HEIGHT)
        assert not image.getexif() and "comment" not in image.info  # no time, no text
        background = image.getpixel((WIDTH // 2, HEIGHT // 2 + 300))
    assert all(abs(a - b) <= 2 for a, b in zip(background, (0xf3, 0xed, 0xe1), strict=False))
    assert cover_jpeg(BOOK, find_theme("modern")) != jpeg


def test_the_title_changes_the_cover():
    theme = find_theme("typewriter")
    other = Book(Metadata(title="Another Title", authors=("Quill Harrow",)))
    assert cover_jpeg(other, theme) != cover_jpeg(BOOK, theme)


def test_a_book_without_a_cover_gets_the_generated_one_in_the_epub(tmp_path):
    source = tmp_path / "story.md"
    source.write_text("---\ntitle: The Long Way Round\nauthor: Quill Harrow\n---\n\nIt rained.\n",
                      encoding="utf-8")
    [result] = build([source], ["epub"], tmp_path / "out", BuildOptions(style="modern"))
    assert result.error is None, result.error
    with zipfile.ZipFile(result.outputs[0]) as book:
        package = etree.fromstring(book.read("EPUB/content.opf"))
        [item] = package.xpath("//opf:item[@properties='cover-image']", namespaces=OPF)
        assert (item.get("href"), item.get("media-type")) == ("images/cover.jpg", "image/jpeg")
        data = book.read("EPUB/images/cover.jpg")
        assert b'src="images/cover.jpg"' in book.read("EPUB/cover.xhtml")
    same = Book(Metadata(title="The Long Way Round", authors=("Quill Harrow",)))
    assert data == cover_jpeg(same, find_theme("modern"))


def test_the_pdf_opens_with_the_generated_cover():
    # In print the cover is set as type in the theme's colours (sharp at any size, real text).
    reader = PdfReader(io.BytesIO(pdf_bytes(BOOK)))
    first = reader.pages[0].extract_text()
    assert first.startswith("The Long Way Round") and "Quill Harrow" in first
    drawn = reader.pages[0]["/Resources"].get("/XObject", {}).values()
    assert not [x for x in drawn if x.get_object()["/Subtype"] == "/Image"]  # type, no picture
    assert reader.pages[1].extract_text().strip() == ""
    assert "The Long Way Round" in reader.pages[2].extract_text()  # the next right-hand page
    context = render_context(BuildOptions(generated_cover=False))
    without = PdfReader(io.BytesIO(pdf_bytes(BOOK, context)))
    assert "The Long Way Round" in without.pages[0].extract_text()


def test_the_writers_own_cover_wins(tmp_path):
    own = _png(600, 900)
    (tmp_path / "mine.png").write_bytes(own)
    source = tmp_path / "story.md"
    source.write_text("---\ntitle: Own\n---\n\nText.\n", encoding="utf-8")
    [result] = build([source], ["epub"], tmp_path / "out", BuildOptions(cover=str(tmp_path /
                                                                                   "mine.png")))
    assert result.error is None, result.error
    with zipfile.ZipFile(result.outputs[0]) as book:
        covers = [n for n in book.namelist() if n.startswith("EPUB/images/")]
        assert [book.read(n) for n in covers] == [own]


@pytest.mark.parametrize("data, words", [
    (b"GIF89a but not really an image", "not a readable image"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not a readable image"),
    (_png(1, 1)[:30], "not a readable image"),
])
def test_a_cover_that_is_not_an_image_is_refused_by_content(data, words):
    with pytest.raises(ManuscriptError, match=words):
        check_cover(data, "cover.png")


def test_a_cover_with_too_many_pixels_is_refused():
    # A tiny file that declares 10000x10000 pixels: the header check refuses it unread.
    header = b"\x89PNG\r\n\x1a\n"
    ihdr = struct.pack(">IIBBBBB", 10000, 10000, 1, 0, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + \
        struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    with pytest.raises(ManuscriptError, match="10000x10000 pixels"):
        check_cover(header + chunk + b"\0\0\0\0IEND\xaeB`\x82", "huge.png")
    assert check_cover(_png(1600, 2400), "fine.png") == "image/png"


def test_a_fake_cover_in_front_matter_is_dropped_with_a_warning(tmp_path):
    (tmp_path / "cover.png").write_bytes(b"this is a text file")
    source = tmp_path / "story.md"
    source.write_text("---\ntitle: Fake\ncover: cover.png\n---\n\nText.\n", encoding="utf-8")
    [result] = build([source], ["epub"], tmp_path / "out", BuildOptions())
    assert result.error is None
    assert any("not a readable image" in w and "without a cover" in w for w in result.warnings)
    with zipfile.ZipFile(result.outputs[0]) as book:  # the generated cover instead
        assert book.read("EPUB/images/cover.jpg").startswith(b"\xff\xd8")  # a JPEG


def test_a_bad_cover_option_stops_the_run_before_anything_is_written(tmp_path):
    """--cover is one image for every book of the run: it is read and checked once, before any
    book is built, and a bad one is a clear error naming it."""
    (tmp_path / "notes.png").write_text("not an image", encoding="utf-8")
    source = tmp_path / "story.md"
    source.write_text("---\ntitle: Opt\n---\n\nText.\n", encoding="utf-8")
    with pytest.raises(ManuscriptError, match="not a readable image"):
        build([source], ["epub"], tmp_path / "out",
              BuildOptions(cover=str(tmp_path / "notes.png")))
    assert not (tmp_path / "out").exists()



@pytest.mark.parametrize("theme_name", ["default", "modern", "typewriter"])
def test_a_wrapping_author_name_never_runs_into_the_fandom_line(theme_name):
    from bookmaker.writers.covers import GAP, cover_layout

    theme = find_theme(theme_name)
    crowded = Book(Metadata(
        title="What the Rain Knew About the Lighthouse Keeper's Daughter and the Sea",
        authors=("Wilhelmina Featherstonehaugh-Cholmondeley", "Bartholomew Quillfeather",
                 "Anonymous Contributor"),
        fandoms=("Final Fantasy VII", "Crisis Core: Final Fantasy VII", "Kingdom Hearts")),
        chapters=BOOK.chapters)
    blocks = {block.kind: block for block in cover_layout(crowded, theme)}
    assert len(blocks["author"].lines) >= 2  # the case the issue saw: the name wraps
    assert blocks["author"].bottom + GAP <= blocks["fandom"].top
    assert blocks["title"].font.size < 150  # set smaller to make room, not cut
    assert "".join(blocks["author"].lines).replace(" ", "").endswith("Contributor")
    ordinary = {block.kind: block for block in cover_layout(BOOK, theme)}
    assert ordinary["title"].font.size == 150 and ordinary["title"].top == 560

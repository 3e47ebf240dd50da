"""EPUBs from other tools: AO3's, FanFicFare's, Calibre's and Standard Ebooks-style EPUB 3.

The input books are built here from the unpacked trees under tests/data/epub_input/ (each is a
small, readable copy of what that tool writes), into a folder EPUBCheck skips: they are other
tools' books, and the AO3 one is invalid on purpose (a <strike>, as AO3's EPUBs have). The books
bookmaker builds from them are written under tmp_path, where EPUBCheck checks every one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bookmaker import readers
from bookmaker import convert
from bookmaker.settings.context import RenderContext
from bookmaker.errors import ManuscriptError
from bookmaker.model import (BlockQuote, Emph, Footnote, FootnoteRef, Image, Paragraph,
                             SceneBreak, Series, Strikeout, Strong, Text, plain_text)
from bookmaker.writers import epub as epub_writer

from epub_files import make_epub, tree
NOT_OURS = "not-built-by-bookmaker"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("epub-inputs") / NOT_OURS


@pytest.fixture(scope="module")
def books(inputs):
    """Each fixture EPUB, read once for the module."""
    return {case: readers.read(make_epub(tree(case), inputs / f"{case}.epub"))
            for case in ("ao3", "fanficfare", "calibre", "se")}


def texts(blocks) -> list[str]:
    return [plain_text((block,)).strip() for block in blocks]


# --------------------------------------------------------------------------- AO3


def test_ao3_epub_restores_the_structured_tags(books):
    metadata = books["ao3"].metadata
    assert metadata.title == "The Long Way Round"
    assert metadata.authors == ("lanternfish", "Corvid_Writes")
    assert metadata.language == "en"
    assert metadata.rating == "Mature"
    assert metadata.warnings == ("Graphic Depictions Of Violence", "Major Character Death")
    assert metadata.categories == ("M/M",)
    assert metadata.fandoms == ("Final Fantasy VII",)
    assert metadata.relationships == ("Genesis Rhapsodos/Sephiroth",)
    assert metadata.characters == ("Genesis Rhapsodos", "Sephiroth (Compilation of FFVII)")
    assert metadata.tags == ("Angst", "Canon Divergence")
    assert metadata.series == (Series("Wings of the Goddess", 2.0),)
    assert metadata.published == "2024-01-15"
    assert metadata.updated == "2024-03-02"
    assert metadata.source_url == "https://archiveofourown.org/works/48213377"
    assert texts(metadata.summary) == ["Three left. Then two.", "Then the rain."]
    assert metadata.summary[0].children[1] == Emph((Text("two"),))


def test_ao3_epub_chapters_notes_and_afterword(books):
    book = books["ao3"]
    assert [c.title for c in book.chapters] == ["Three Left", "Chapter 2"]
    first, second = book.chapters
    assert texts(first.notes) == ["Short one, sorry."]
    assert texts(first.end_notes) == ["Next week: more rain."]
    assert texts(first.blocks) == ["There were only three left. Three.",
                                   "Genesis counted recounted them.", "",  # a SceneBreak
                                   "Rain was pelting down when he woke."]
    assert first.blocks[1].children[1] == Strikeout((Text("counted"),))  # from <strike>
    assert texts(second.blocks) == ["The second chapter has no title of its own.",
                                    "And no notes either."]
    assert texts(book.front_matter) == ["Beware the angst."]
    assert texts(book.back_matter) == ["Thank you for reading!"]


# --------------------------------------------------------------------------- FanFicFare


def test_fanficfare_title_page_fills_the_fields(books):
    metadata = books["fanficfare"].metadata
    assert metadata.title == "Letters Never Sent"
    assert metadata.authors == ("quillfeather",)
    assert metadata.fandoms == ("Harry Potter",)
    assert metadata.tags == ("Drama", "Romance")
    assert metadata.characters == ("Harry P.", "Draco M.")
    assert metadata.relationships == ("Harry P./Draco M.",)
    assert metadata.rating == "Teen And Up Audiences"
    assert metadata.warnings == ("Major Character Death",)
    assert metadata.content_notes == ("Self-Harm",)
    assert metadata.published == "2011-05-02"
    assert metadata.updated == "2012-07-19"
    assert metadata.source_url == "https://www.fanfiction.net/s/1234567/1/"
    assert texts(metadata.summary) == [
        "Harry writes letters he never sends. Draco reads them anyway."]


def test_fanficfare_chapters_skip_title_and_log_pages(books):
    book = books["fanficfare"]
    assert [c.title for c in book.chapters] == ["1. The First Letter", "2. The Reply"]
    assert texts(book.chapters[0].blocks) == [
        "Dear Draco,", "I am not going to send this. Obviously.", "xxx",
        "The owl looked at him as if it knew."]  # the heading is the title, not text
    assert book.chapters[1].blocks[1].children[1] == Strong((Text("Of course"),))


# --------------------------------------------------------------------------- Calibre


def test_calibre_epub_metadata_cover_and_series(books):
    book = books["calibre"]
    metadata = book.metadata
    assert metadata.title == "Salt and Iron"
    assert metadata.authors == ("Mira Vance",)  # the editor is not an author
    assert metadata.language == "fr"
    assert metadata.series == (Series("Coastal Tales", 1.5),)
    assert metadata.tags == ("Original Fiction", "Ghosts")
    assert metadata.rights == "CC BY-NC 4.0"
    assert metadata.published == "2019-10-31"
    assert texts(metadata.summary) == ["Une histoire de sel et de fer."]
    assert metadata.cover == "embedded:cover.png"
    assert {f.name for f in book.embedded} == {"cover.png", "images/00001.png"}


def test_calibre_epub_chapters_images_and_footnotes(books):
    chapters = books["calibre"].chapters
    assert [c.title for c in chapters] == ["The Lighthouse", "Low Tide"]  # the cover page skipped
    blocks = chapters[0].blocks
    assert blocks[0].children[-1] == FootnoteRef("fn1")
    assert isinstance(blocks[-1], Footnote) and texts(blocks[-1].blocks) == [
        "Or four; nobody counted."]
    assert Image("embedded:images/00001.png", alt="A red lantern", line=13) in blocks
    assert texts(chapters[1].blocks) == ["The water went out farther than it ever had.",
                                         "Something was left on the sand."]


# --------------------------------------------------------------------------- EPUB 3 (SE)


def test_epub3_nav_titles_and_skipped_furniture(books):
    book = books["se"]
    metadata = book.metadata
    assert metadata.title == "The Quiet Orchard"
    assert metadata.authors == ("Ada Lane",)  # not the transcriber
    assert metadata.language == "en-GB"
    assert metadata.series == (Series("Garden Stories", 3.0),)
    assert metadata.published == "2021-04-01"
    assert metadata.updated == "2022-06-15"
    assert metadata.tags == ("Orchards -- Fiction",)
    assert [c.title for c in book.chapters] == ["I: The Planting", "II: The Harvest"]
    words = " ".join(plain_text(c.blocks) for c in book.chapters)
    assert "volunteers" not in words and "do good and not evil" not in words


def test_epub3_endnotes_become_the_chapters_footnotes(books):
    first, second = books["se"].chapters
    assert first.blocks[0].children[1] == FootnoteRef("note-1")
    assert isinstance(first.blocks[3], SceneBreak)
    assert first.blocks[2].src == "embedded:epub/images/map.png"
    assert first.blocks[-1] == Footnote("note-1", (Paragraph(
        (Text("A "), Emph((Text("pippin"),)), Text(", by most accounts.")), line=12),))
    assert isinstance(second.blocks[1], BlockQuote)
    assert texts(second.blocks[-1].blocks) == ["October, in the old calendar."]


# --------------------------------------------------------------------------- built books


@pytest.mark.parametrize("case", ["ao3", "fanficfare", "calibre", "se"])
def test_each_input_builds_a_valid_epub(case, inputs, tmp_path):
    """Through `bookmaker build`'s own path; conftest EPUBChecks the result (0 errors, 0
    warnings), even for the AO3 input that fails EPUBCheck itself."""
    source = make_epub(tree(case), inputs / f"build-{case}.epub")
    [result] = convert.build([source], out_dir=tmp_path)
    assert result.error is None, result.error
    assert result.outputs[0].stat().st_size > 1000


def test_scene_breaks_are_normalised_when_building(inputs):
    book = convert.load(make_epub(tree("ao3"), inputs / "load-ao3.epub"))
    assert isinstance(book.chapters[0].blocks[2], SceneBreak)


def test_epub_is_registered_for_build_and_import():
    assert [info.module for info in readers.readers_of(".EPUB")] == ["bookmaker.readers.epub"]


# --------------------------------------------------------------------------- hostile and broken


def hostile(inputs: Path, name: str, files: dict[str, bytes]) -> Path:
    return make_epub(files, inputs / "hostile" / f"{name}.epub")


def test_zip_slip_entry_is_refused(inputs):
    files = tree("se") | {"../../evil.sh": b"rm -rf ~"}
    with pytest.raises(ManuscriptError, match="climbs out of the container"):
        readers.read(hostile(inputs, "zip-slip", files))


def test_absolute_entry_is_refused(inputs):
    files = tree("se") | {"/etc/cron.d/evil": b"* * * * * root evil"}
    with pytest.raises(ManuscriptError, match="absolute path"):
        readers.read(hostile(inputs, "absolute", files))


def test_duplicate_names_after_case_folding_are_refused(inputs):
    files = tree("se") | {"EPUB/TEXT/Chapter-1.xhtml": b"<html/>"}
    with pytest.raises(ManuscriptError, match="name the same file"):
        readers.read(hostile(inputs, "duplicates", files))


def test_zip_bomb_is_refused(inputs):
    files = tree("se") | {"epub/text/padding.xhtml": bytes(6 * 1024 * 1024)}
    with pytest.raises(ManuscriptError, match="zip bomb"):
        readers.read(hostile(inputs, "bomb", files))


def test_external_entity_is_refused(inputs):
    files = tree("se")
    files["epub/content.opf"] = files["epub/content.opf"].replace(
        b'<?xml version="1.0" encoding="utf-8"?>',
        b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE package [<!ENTITY x SYSTEM '
        b'"file:///etc/passwd">]>').replace(b"The Quiet Orchard</dc:title>", b"&x;</dc:title>")
    with pytest.raises(ManuscriptError, match=r"refused XML in epub/content\.opf"):
        readers.read(hostile(inputs, "xxe", files))


def test_billion_laughs_in_a_page_is_refused(inputs):
    files = tree("se")
    laughs = (b'<?xml version="1.0"?>\n<!DOCTYPE html [<!ENTITY a "hahahahaha">'
              b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
              b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
              b'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>&c;</p></body></html>')
    files["epub/text/chapter-2.xhtml"] = laughs
    with pytest.raises(ManuscriptError, match=r"refused XML in epub/text/chapter-2\.xhtml"):
        readers.read(hostile(inputs, "laughs", files))


def test_drm_encrypted_book_is_a_clear_error(inputs):
    encryption = (b'<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
                  b'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
                  b'<enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>'
                  b'<enc:CipherData><enc:CipherReference URI="epub/text/chapter-1.xhtml"/>'
                  b'</enc:CipherData></enc:EncryptedData></encryption>')
    files = tree("se") | {"META-INF/encryption.xml": encryption}
    with pytest.raises(ManuscriptError, match="encrypted \\(DRM\\)"):
        readers.read(hostile(inputs, "drm", files))


def test_missing_manifest_item_and_dangling_spine_still_give_a_book(inputs, tmp_path):
    files = tree("se")
    del files["epub/text/chapter-2.xhtml"]
    files["epub/content.opf"] = files["epub/content.opf"].replace(
        b'<itemref idref="endnotes.xhtml"/>', b'<itemref idref="nowhere"/>')
    source = hostile(inputs, "incomplete", files)
    book = readers.read(source)
    assert [c.title for c in book.chapters] == ["I: The Planting"]
    assert [f.message for f in readers.findings(source)] == [
        "manifest item 'text/chapter-2.xhtml' is not in the EPUB",
        "the spine names 'chapter-2.xhtml', which is not in the EPUB",
        "the spine names 'nowhere', which is not in the EPUB"]
    [result] = convert.build([source], out_dir=tmp_path)
    assert result.error is None


def test_broken_xhtml_is_recovered_with_a_warning(inputs, tmp_path):
    files = tree("se")
    files["epub/text/chapter-2.xhtml"] = (
        b'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Broken <i>page<p>Still here'
        b'&nbsp;& more</body>')
    source = hostile(inputs, "broken", files)
    book = readers.read(source)
    assert texts(book.chapters[1].blocks) == ["Broken page", "Still here\u00a0& more"]
    assert "is not well-formed XHTML" in readers.findings(source)[0].message
    [result] = convert.build([source], out_dir=tmp_path)
    assert result.error is None


def test_file_url_image_and_script_are_dropped(inputs, tmp_path):
    files = tree("se")
    files["epub/text/chapter-2.xhtml"] = files["epub/text/chapter-2.xhtml"].replace(
        b"<blockquote>",
        b'<p><img src="file:///etc/passwd" alt="x"/><img src="../../../outside.png" alt="y"/></p>'
        b'<script>alert("pwned")</script><p onclick="steal()">Clicked '
        b'<a href="javascript:steal()">here</a>.</p><blockquote>')
    source = hostile(inputs, "script", files)
    book = readers.read(source)
    chapter = book.chapters[1]
    assert not any(isinstance(block, Image) for block in chapter.blocks)
    assert "pwned" not in plain_text(chapter.blocks)
    assert "Clicked here." in texts(chapter.blocks)
    assert all("javascript" not in repr(block) and "steal" not in repr(block)
               for block in chapter.blocks)
    assert [f.message for f in readers.findings(source)] == [
        "an image with an unsafe address in epub/text/chapter-2.xhtml is not inside the EPUB",
        "image '../../../outside.png' in epub/text/chapter-2.xhtml is not inside the EPUB"]
    epub_writer.write(convert.load(source), tmp_path / "script.epub", RenderContext())


def test_not_an_epub_is_a_clear_error(inputs):
    path = inputs / "hostile" / "story.epub"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("not a zip")
    with pytest.raises(ManuscriptError, match="not a readable zip container"):
        readers.read(path)

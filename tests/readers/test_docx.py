"""DOCX through mammoth: chapters, emphasis, centred breaks, embedded images; hostile files.

The fixture is written by tests/data/docx/make_fixtures.py from hand-written WordprocessingML.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from bookmaker import convert, readers
from bookmaker.errors import ManuscriptError
from bookmaker.model import Emph, Image, SceneBreak, Strong, Text, plain_text
from bookmaker.readers import docx

DATA = Path(__file__).parent.parent / "data" / "docx"
PAPER_BOAT = DATA / "paper-boat" / "input.docx"


def texts(blocks) -> list[str]:
    return ["<break>" if isinstance(block, SceneBreak) else
            f"<image {block.src}>" if isinstance(block, Image) else
            plain_text((block,)).strip() for block in blocks]


@pytest.fixture(scope="module")
def book():
    return convert.load(PAPER_BOAT)


def test_docx_files_go_to_the_docx_reader() -> None:
    assert readers.reader_for(PAPER_BOAT).load() is docx


def test_metadata_from_the_core_properties(book) -> None:
    assert book.metadata.title == "The Paper Boat"
    assert book.metadata.authors == ("Mireille Okafor",)
    assert book.metadata.language == "en-GB"


def test_headings_are_chapters_with_emphasis_breaks_and_images(book) -> None:
    assert [c.title for c in book.chapters] == ["Chapter One: Folding", "Chapter Two"]
    one, two = book.chapters
    assert texts(one.blocks) == ["She folded the paper twice, then once more.", "<break>",
                                 "The boat floated.", "<image embedded:image1.png>"]
    assert one.blocks[0].children == (Text("She folded the paper "), Emph((Text("twice"),)),
                                      Text(", then "), Strong((Text("once more"),)), Text("."))
    # The centred "xxx" is a break; the linked image (r:link to a local file) is not read at all.
    assert texts(two.blocks) == ["Rain came.", "<break>", "The end."]


def test_the_embedded_image_travels_with_the_book(book) -> None:
    [image] = book.embedded
    assert (image.name, image.media_type) == ("image1.png", "image/png")
    assert image.data.startswith(b"\x89PNG")


def test_builds_into_a_valid_epub_with_the_image(tmp_path: Path) -> None:
    [result] = convert.build([PAPER_BOAT], out_dir=tmp_path)
    assert result.error is None
    with zipfile.ZipFile(result.outputs[0]) as epub:
        assert any(name.endswith(".png") for name in epub.namelist())


def _docx_with(tmp_path: Path, name: str, replace: dict[str, bytes]) -> Path:
    """The fixture with some entries replaced (or added), under a new name."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(PAPER_BOAT) as source, zipfile.ZipFile(buffer, "w") as copy:
        for entry in source.namelist():
            copy.writestr(entry, replace.pop(entry, source.read(entry)))
        for entry, data in replace.items():
            copy.writestr(entry, data)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    return path


def test_an_external_entity_is_refused(tmp_path: Path) -> None:
    evil = (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            b'<w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>')
    path = _docx_with(tmp_path, "xxe.docx", {"word/document.xml": evil})
    with pytest.raises(ManuscriptError) as error:
        readers.read(path)
    assert error.value.path == str(path) and "entities" in error.value.message


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10 if i else "lol"}">' for i in range(9))
    evil = (f'<?xml version="1.0"?><!DOCTYPE w [{entities}]><w:document xmlns:w="http://'
            f'schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
            f'&l8;</w:t></w:r></w:p></w:body></w:document>').encode()
    path = _docx_with(tmp_path, "laughs.docx", {"word/document.xml": evil})
    with pytest.raises(ManuscriptError):
        readers.read(path)


def test_a_zip_slip_entry_is_refused(tmp_path: Path) -> None:
    path = _docx_with(tmp_path, "slip.docx", {"../../escape.txt": b"x"})
    with pytest.raises(ManuscriptError) as error:
        readers.read(path)
    assert error.value.path == str(path)
    assert not (tmp_path.parent / "escape.txt").exists()


def test_a_zip_without_a_document_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.docx"
    with zipfile.ZipFile(path, "w") as empty:
        empty.writestr("hello.txt", "hi")
    with pytest.raises(ManuscriptError) as error:
        readers.read(path)
    assert "not a Word document" in error.value.message


def test_not_a_zip_at_all(tmp_path: Path) -> None:
    path = tmp_path / "fake.docx"
    path.write_text("just text", encoding="utf-8")
    assert readers.findings(path)[0].level == "error"

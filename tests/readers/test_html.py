"""Generic saved web pages: title, chapters from headings, chrome stripped, notes, hostile input."""

from __future__ import annotations

from pathlib import Path

import pytest

from bookmaker import convert, readers
from bookmaker.errors import ManuscriptError
from bookmaker.model import Footnote, FootnoteRef, SceneBreak, plain_text, to_json
from bookmaker.readers import html

DATA = Path(__file__).parent.parent / "data" / "html"
PAGE = DATA / "saved-page" / "input.html"


def texts(blocks) -> list[str]:
    return ["<break>" if isinstance(block, SceneBreak) else plain_text((block,)).strip()
            for block in blocks]


def test_model_matches_golden(golden) -> None:
    golden.check(PAGE.parent / "expected.json", to_json(convert.load(PAGE)))


def test_a_saved_page_is_read_as_a_page_not_as_ao3() -> None:
    assert readers.reader_for(PAGE).load() is html


def test_metadata_and_chapters() -> None:
    book = convert.load(PAGE)
    assert book.metadata.title == "Lighthouse Keeping"
    assert book.metadata.authors == ("Wren Ashdown",)
    assert book.metadata.language == "en-GB"
    assert [c.title for c in book.chapters] == ["", "Part One: The Lamp", "Part Two: The Boat"]
    opening, one, two = book.chapters
    assert texts(opening.blocks) == ["A one-shot, sort of."]
    assert texts(one.blocks) == ["The lamp had to be wound every four hours.",
                                 "Mara did not mind.", "<break>", "Storms were different."]
    assert texts(two.blocks[:3]) == ["The boat came at dawn.", "<break>", "She waved."]
    assert FootnoteRef("note-1") in two.blocks[0].children[1].children
    assert two.blocks[-1] == Footnote("note-1", two.blocks[-1].blocks, two.blocks[-1].line)
    assert texts(two.blocks[-1].blocks) == ["It was always dawn."]


def test_chrome_is_left_out() -> None:
    dump = to_json(convert.load(PAGE))
    for chrome in ("All fics", "About", "Great fic", "Comments", "RSS", "2019 Wren", "↩"):
        assert chrome not in dump


def test_builds_into_a_valid_epub(tmp_path: Path) -> None:
    [result] = convert.build([PAGE], out_dir=tmp_path)
    assert result.error is None and result.outputs[0].name == "lighthouse-keeping.epub"


@pytest.mark.parametrize("page, expected_title, chapters", [
    ("<title>Only Title</title><p>Text.</p>", "Only Title", [""]),
    ("<h1>Heading</h1><p>Text.</p>", "Heading", ["Heading"]),
    ("<h1>Work</h1><h2>One</h2><p>a</p><h2>Two</h2><p>b</p>", "Work", ["One", "Two"]),
    ("<p>Intro.</p><h3>One</h3><p>a</p><h4>Sub</h4><p>b</p>", "Untitled", ["", "One"]),
])
def test_headings_become_chapters(tmp_path: Path, page: str, expected_title: str,
                                  chapters: list[str]) -> None:
    path = tmp_path / "untitled.htm"
    path.write_text(page, encoding="utf-8")
    book = readers.read(path)
    assert book.metadata.title == expected_title
    assert [c.title for c in book.chapters] == chapters
    # A title taken from the file name is said so, as by every reader (readers/metadata.py).
    assert [f.message for f in readers.findings(path)] == (
        ["no title found; using 'Untitled' from the file name"]
        if expected_title == "Untitled" else [])


def test_hostile_page(tmp_path: Path) -> None:
    path = tmp_path / "evil.html"
    path.write_text(
        '<p onload="x()">Hi <a href="javascript:steal()">there</a>.</p><script>steal()</script>'
        '<iframe src="https://evil.example"></iframe><img src="file:///etc/passwd">'
        '<p><a href="JaVaScRiPt:steal()">again</a><img src="/etc/passwd"></p>', encoding="utf-8")
    book = readers.read(path)
    assert texts(book.chapters[0].blocks) == ["Hi there.", "again"]
    assert "steal" not in to_json(book) and "passwd" not in to_json(book)


def test_an_empty_page_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<html><body><nav>Home</nav><script>x</script></body></html>",
                    encoding="utf-8")
    with pytest.raises(ManuscriptError) as error:
        readers.read(path)
    assert error.value.path == str(path) and "no text" in error.value.message


def test_nesting_thousands_deep_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    path.write_text("<blockquote>" * 5000 + "deep" + "</blockquote>" * 5000, encoding="utf-8")
    with pytest.raises(ManuscriptError) as error:
        readers.read(path)
    assert "nested too deeply" in error.value.message

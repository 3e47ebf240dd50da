"""The seed story, start to finish: the first manuscript bookmaker must handle perfectly.

It is built from the author's original .txt and from manuscripts/a-new-hero.md; both books are
validated by EPUBCheck with the rest of the run's books (conftest.py).
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from bookmaker import model
from bookmaker.settings.options import BuildOptions
from bookmaker.convert import build, load

REPO = Path(__file__).resolve().parent.parent
MANUSCRIPT = REPO / "manuscripts" / "a-new-hero.md"
NS = {"x": "http://www.w3.org/1999/xhtml", "opf": "http://www.idpf.org/2007/opf",
      "dc": "http://purl.org/dc/elements/1.1/", "epub": "http://www.idpf.org/2007/ops"}
STRAIGHT = re.compile(r"[\"']")


@pytest.fixture(scope="module")
def books(tmp_path_factory, request) -> dict[str, dict[str, bytes]]:
    """Both seed books, unzipped: {"txt": {name: bytes}, "md": {...}}."""
    seed = REPO.parent / "shared" / "seed" / "000_44a53a8fbc05faed.txt"
    built = {}
    for kind, source in (("txt", seed), ("md", MANUSCRIPT)):
        out = tmp_path_factory.mktemp(f"seed-{kind}")
        [result] = build([source], ["epub"], out, BuildOptions())
        assert result.error is None, result.error
        with zipfile.ZipFile(result.outputs[0]) as archive:
            built[kind] = {name: archive.read(name) for name in archive.namelist()}
    return built


def story_words(text: str) -> list[str]:
    """Words with quotes and dashes folded, so curly typography compares equal to the original."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[“”„«»\"]", "", text).replace("’", "'").replace("‘", "'")
    return re.findall(r"[\w']+", text)


def chapter_text(files: dict[str, bytes]) -> str:
    body = etree.fromstring(files["EPUB/chapter-001.xhtml"]).find(".//x:body", NS)
    return " ".join(p.xpath("string(.)") for p in body.iterfind(".//x:p", NS))


def spine(files: dict[str, bytes]) -> list[str]:
    package = etree.fromstring(files["EPUB/content.opf"])
    hrefs = {i.get("id"): i.get("href") for i in package.iterfind(".//opf:item", NS)}
    return [hrefs[ref.get("idref")] for ref in package.iterfind(".//opf:itemref", NS)
            if ref.get("linear") != "no"]


@pytest.mark.parametrize("kind", ["txt", "md"])
def test_warnings_page_comes_before_the_story(books, kind):
    # The seed has no cover image, so a generated cover opens the book.
    assert spine(books[kind]) == ["cover.xhtml", "title.xhtml", "warnings.xhtml",
                                  "chapter-001.xhtml"]
    page = books[kind]["EPUB/warnings.xhtml"].decode()
    for warning in ("Major Character Death", "Graphic Depictions Of Violence", "Gore"):
        assert f"<li>{warning}</li>" in page


@pytest.mark.parametrize("kind", ["txt", "md"])
def test_the_authors_note_is_kept_on_the_warnings_page(books, kind):
    page = books[kind]["EPUB/warnings.xhtml"].decode()
    assert ("Beware the angst. I got this idea watching the ending of Crisis Core on YouTube. "
            "So don’t expect a happy ending.") in page


@pytest.mark.parametrize("kind", ["txt", "md"])
def test_scene_breaks_are_marked_and_no_straight_quote_is_left(books, kind, seed_path):
    chapter = books[kind]["EPUB/chapter-001.xhtml"].decode()
    breaks_in_seed = len(re.findall(r"\n\n\n+", seed_path.read_text(encoding="utf-8"))) - 1
    assert chapter.count('<hr class="scene-break"/>') == breaks_in_seed == 4
    assert not STRAIGHT.search(chapter_text(books[kind]))


@pytest.mark.parametrize("kind", ["txt", "md"])
def test_every_word_of_the_seed_is_in_the_book(books, kind, seed_path):
    story = seed_path.read_text(encoding="utf-8").split("A New Hero\n", 1)[1]
    assert story_words(chapter_text(books[kind])) == story_words(story)


def test_both_sources_give_the_same_story(books):
    def body(kind: str) -> bytes:
        return books[kind]["EPUB/chapter-001.xhtml"].split(b"<body", 1)[1]
    assert body("txt") == body("md")


def test_no_author_is_invented(books):
    for files in books.values():
        package = etree.fromstring(files["EPUB/content.opf"])
        assert package.findall(".//dc:creator", NS) == []
        assert b"Author unknown" in files["EPUB/title.xhtml"]


def test_manuscript_metadata_reads_back(books):
    package = etree.fromstring(books["md"]["EPUB/content.opf"])
    assert package.findtext(".//dc:title", namespaces=NS) == "A New Hero"
    assert [s.text for s in package.iterfind(".//dc:subject", NS)] == ["Angst", "Canon Divergence"]
    metas = {(m.get("property"), m.text) for m in package.iterfind(".//opf:meta", NS)}
    assert {("fic:rating", "Mature"), ("fic:content-note", "Gore"),
            ("fic:relationship", "Genesis Rhapsodos/Sephiroth")} <= metas


def test_seed_manuscript_model_is_golden(golden):
    book = load(MANUSCRIPT)
    golden.check(Path(__file__).parent / "data" / "seed" / "a-new-hero.json", model.to_json(book))

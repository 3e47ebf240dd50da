"""The plain-text reader: the seed story, small golden cases, the rules one by one, bad input."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bookmaker import readers
from bookmaker.errors import ManuscriptError
from bookmaker.model import Emph, Paragraph, SceneBreak, Strong, Text, plain_text, to_json
from bookmaker.readers import plaintext
from bookmaker.transforms.scenebreaks import is_separator_text
import itertools

DATA = Path(__file__).parent.parent / "data" / "plaintext"
GOLDEN_CASES = sorted(p.name for p in DATA.iterdir() if (p / "input.txt").exists())


# --------------------------------------------------------------------------- the seed


def test_seed_golden(seed_path: Path, golden) -> None:
    golden.check(DATA / "seed" / "expected.json", to_json(readers.read(seed_path)))


def test_seed_metadata(seed_path: Path) -> None:
    book = readers.read(seed_path)
    assert book.metadata.title == "A New Hero"
    assert book.metadata.authors == ()
    assert book.metadata.warnings == ("Major Character Death", "Graphic Depictions Of Violence")
    assert book.metadata.content_notes == ("Gore",)
    assert book.metadata.encoding == "utf-8"
    assert book.base_dir == str(seed_path.parent.resolve())
    assert readers.findings(seed_path) == []


def test_seed_opening_note_is_front_matter(seed_path: Path) -> None:
    book = readers.read(seed_path)
    assert len(book.front_matter) == 1
    note = plain_text(book.front_matter).strip()
    assert note.startswith("Beware the angst. I got this idea")
    assert note.endswith("So don't expect a happy ending.")
    assert book.front_matter[0].line == 1
    assert book.back_matter == ()


def test_seed_is_one_untitled_chapter_with_four_scene_breaks(seed_path: Path) -> None:
    book = readers.read(seed_path)
    assert [chapter.title for chapter in book.chapters] == [""]
    blocks = book.chapters[0].blocks
    after_breaks = [plain_text(blocks[i + 1:i + 2]) for i, block in enumerate(blocks)
                    if isinstance(block, SceneBreak)]
    assert [text[:20] for text in after_breaks] == [
        "Rain was pelting dow", "Feline eyes flicked ", '"Seph, no!"\n\n', "Genesis watched Seph"]
    assert blocks[0].line == 8
    assert plain_text(blocks[:1]).startswith("There were only three left.")


def test_seed_keeps_every_word(seed_path: Path) -> None:
    header_labels = ("Author's Note:", "Warnings:")
    source = [line for line in seed_path.read_text(encoding="utf-8").splitlines()
              if not line.startswith(header_labels)]
    book = readers.read(seed_path)
    model_text = book.metadata.title + "\n" + "".join(
        plain_text(chapter.blocks) for chapter in book.chapters)
    assert Counter(model_text.split()) == Counter("\n".join(source).split())


def test_seed_line_numbers_point_at_the_source(seed_path: Path) -> None:
    lines = seed_path.read_text(encoding="utf-8").splitlines()
    for block in readers.read(seed_path).chapters[0].blocks:
        if isinstance(block, Paragraph):
            assert lines[block.line - 1].startswith(plain_text((block,)).strip()[:30])
        else:
            assert lines[block.line - 1] == ""


# --------------------------------------------------------------------------- golden cases


@pytest.mark.parametrize("case", GOLDEN_CASES)
def test_golden_case(case: str, golden) -> None:
    golden.check(DATA / case / "expected.json", to_json(readers.read(DATA / case / "input.txt")))


def read_case(case: str):
    return readers.read(DATA / case / "input.txt")


def test_headers_fill_metadata() -> None:
    book = read_case("headers")
    meta = book.metadata
    assert meta.title == "The Long Way Home"
    assert meta.authors == ("Someone", "Another Person")
    assert meta.rating == "Teen And Up Audiences"
    assert meta.warnings == ("No Archive Warnings Apply",)
    assert meta.content_notes == ("Self-Harm",)
    assert meta.relationships == ("Genesis Rhapsodos/Sephiroth", "Zack Fair/Cloud Strife")
    assert meta.tags == ("Angst", "Hurt/Comfort", "Canon Divergence")
    assert meta.categories == ("M/M",)
    assert meta.series[0].name == "Wings" and meta.series[0].index == 2
    assert meta.language == "en"
    assert plain_text(meta.summary).strip() == "Genesis walks home. It takes a while."
    assert [plain_text((b,)).strip() for b in book.front_matter] == [
        "Disclaimer: I don't own Final Fantasy.", "Thanks to my beta!"]


def test_chapter_lines_start_chapters() -> None:
    book = read_case("chapters")
    assert [c.title for c in book.chapters] == [
        "Prologue", "Chapter 1: The Fall", "CHAPTER II", "Chapter Three: The Climb",
        "Ch. 4 - Four", "Epilogue"]
    assert "Part one. He ran." in plain_text(book.chapters[4].blocks)
    assert plain_text(book.back_matter).split() == "Thanks for reading! Please review.".split()


def test_separators_become_single_scene_breaks() -> None:
    blocks = read_case("separators").chapters[0].blocks
    assert not isinstance(blocks[0], SceneBreak) and not isinstance(blocks[-1], SceneBreak)
    assert not any(isinstance(a, SceneBreak) and isinstance(b, SceneBreak)
                   for a, b in itertools.pairwise(blocks))
    assert sum(isinstance(b, SceneBreak) for b in blocks) == 10
    paragraphs = [plain_text((b,)).strip() for b in blocks if isinstance(b, Paragraph)]
    assert "Ooo" in paragraphs and '"..."' in paragraphs


def test_one_line_per_paragraph() -> None:
    blocks = read_case("one-line-per-paragraph").chapters[0].blocks
    kinds = ["break" if isinstance(b, SceneBreak) else plain_text((b,)).strip() for b in blocks]
    assert kinds == ['"Hello," she said.', "He nodded. It was late.", "They walked on.",
                     "Nobody spoke.", "break", "Morning came.", "She woke first.", "The end."]


def test_hard_wrapped_lines_are_joined() -> None:
    blocks = read_case("hard-wrapped").chapters[0].blocks
    assert len(blocks) == 4 and isinstance(blocks[2], SceneBreak)
    assert plain_text(blocks[:1]).strip().endswith("so its lines end in the middle of sentences.")


def test_double_spaced_paragraphs_need_a_wider_gap_for_a_break() -> None:
    blocks = read_case("double-spaced").chapters[0].blocks
    assert [isinstance(b, SceneBreak) for b in blocks] == [False, False, False, True, False, False]


def test_crlf_line_ends_and_line_numbers() -> None:
    book = read_case("crlf")
    blocks = book.chapters[0].blocks
    assert plain_text(blocks[:1]).strip() == "First line of a paragraph."
    assert [b.line for b in blocks] == [4, 6, 8]
    assert book.metadata.rating == "Mature"


def test_windows_1252_curly_quotes() -> None:
    book = read_case("cp1252")
    assert book.metadata.encoding == "windows-1252"
    assert book.metadata.title == "Café au lait"
    assert plain_text(book.chapters[0].blocks).strip() == "“Hello,” he said. It’s … fine."


def test_utf8_bom_is_not_part_of_the_text() -> None:
    book = read_case("utf8-bom")
    assert book.metadata.title == "With a BOM"
    assert book.metadata.encoding == "utf-8"


def test_untitled_story_takes_the_file_name_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "my_first-fic.txt"
    path.write_text("He woke up. It was raining.\n\nNobody was there.\n", encoding="utf-8")
    assert readers.read(path).metadata.title == "My First Fic"  # as from a manuscript
    [finding] = readers.findings(path)
    assert finding.level == "warning" and "title" in finding.message and finding.hint


def test_chapter_notes_and_end_notes() -> None:
    book = read_case("notes")
    first, second = book.chapters
    assert plain_text(first.notes).strip() == "This chapter is short."
    assert plain_text(first.end_notes).strip() == "See you next time."
    assert plain_text(first.blocks).strip() == "Story one."
    assert second.end_notes == ()
    assert plain_text(book.back_matter).strip() == "The end!"


def test_scene_break_before_a_final_note_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "fic.txt"
    path.write_text("Title: T\n\nStory.\n\n* * *\n\nA/N: Bye!\n", encoding="utf-8")
    book = readers.read(path)
    assert [type(b) for b in book.chapters[0].blocks] == [Paragraph]
    assert plain_text(book.back_matter).strip() == "Bye!"


# --------------------------------------------------------------------------- small rules


@pytest.mark.parametrize("line", [
    "* * *", "***", "~~~", "-o-", "oOo", "xXx", "xxx", "XXX", "#", "+++", "~*~", "---", "___",
    "===", "- - -", "o0o", "§", "◇◇◇", "❦", "*~*~*~*", "—"])
def test_separator_lines(line: str) -> None:
    assert is_separator_text(line)


@pytest.mark.parametrize("line", [
    "Ooo", "OX", "ox", "...", '"..."', "…", "No.", "x", "oo", "ooo", "?!", "***Wait***"])
def test_not_separator_lines(line: str) -> None:
    assert not is_separator_text(line)


@pytest.mark.parametrize("line, title", [
    ("Chapter 3", "Chapter 3"),
    ("Chapter Three: The Fall", "Chapter Three: The Fall"),
    ("CHAPTER XII", "CHAPTER XII"),
    ("Chapter 3 - Title", "Chapter 3 - Title"),
    ("Chapter Twenty-One", "Chapter Twenty-One"),
    ("Ch. 3", "Ch. 3"),
    ("Part One", "Part One"),
    ("Prologue", "Prologue"),
    ("Epilogue: After", "Epilogue: After"),
    ("Interlude", "Interlude"),
    ("**Chapter 2**", "Chapter 2"),
])
def test_chapter_lines(line: str, title: str) -> None:
    assert plaintext.chapter_heading(line) == title


@pytest.mark.parametrize("line", [
    "Chapter and verse", "Part of me wanted to stay.", "Part one. He ran.", "Part mid",
    "The prologue was long.", "Part one-sided"])
def test_not_chapter_lines(line: str) -> None:
    assert plaintext.chapter_heading(line) is None


def test_emphasis_and_strong() -> None:
    assert plaintext.parse_inlines("She was *so* tired, _very_ tired, **very**.") == (
        Text("She was "), Emph((Text("so"),)), Text(" tired, "), Emph((Text("very"),)),
        Text(" tired, "), Strong((Text("very"),)), Text("."))
    assert plaintext.parse_inlines("_several words here_") == (
        Emph((Text("several words here"),)),)
    assert plaintext.parse_inlines("***both***") == (Strong((Emph((Text("both"),)),)),)


@pytest.mark.parametrize("text", [
    "snake_case_name and __init__", "2*3*4 = 24", "a footnote* here", "* a bullet",
    "an *unmatched marker", "a lone _ underscore", "* * *"])
def test_markers_that_are_not_emphasis_stay_literal(text: str) -> None:
    assert plaintext.parse_inlines(text) == (Text(text),)


@pytest.mark.parametrize("value, rating", [
    ("PG", "General Audiences"), ("T (for language)", "Teen And Up Audiences"),
    ("M - violence", "Mature"), ("NC-17", "Explicit"), ("Explicit", "Explicit")])
def test_rating_aliases(tmp_path: Path, value: str, rating: str) -> None:
    path = tmp_path / "fic.txt"
    path.write_text(f"Title: Rated\nRating: {value}\n\nStory.\n", encoding="utf-8")
    assert readers.read(path).metadata.rating == rating


def test_unknown_rating_is_a_warning_with_a_suggestion(tmp_path: Path) -> None:
    path = tmp_path / "fic.txt"
    path.write_text("Title: Rated\nRating: Mature Audiences\n\nStory.\n", encoding="utf-8")
    [finding] = readers.findings(path)
    assert (finding.level, finding.line, finding.path) == ("warning", 2, str(path))
    assert "Mature Audiences" in finding.message and finding.hint == "did you mean 'Mature'?"
    assert readers.read(path).metadata.content_notes == ("Rating: Mature Audiences",)


def test_language_names_and_codes(tmp_path: Path) -> None:
    path = tmp_path / "fic.txt"
    path.write_text("Title: Langue\nLanguage: Français\n\nHistoire.\n", encoding="utf-8")
    assert readers.read(path).metadata.language == "fr"
    path.write_text("Title: Sprache\nLanguage: de-AT\n\nGeschichte.\n", encoding="utf-8")
    assert readers.read(path).metadata.language == "de-AT"


@pytest.mark.parametrize("value, name, index", [
    ("Wings", "Wings", None), ("Part 2 of Wings", "Wings", 2.0), ("Wings #3", "Wings", 3.0),
    ("Wings (Part 4)", "Wings", 4.0)])
def test_series(value: str, name: str, index: float | None) -> None:
    series = plaintext.parse_series(value)
    assert (series.name, series.index) == (name, index)


def test_title_line_before_the_headers(tmp_path: Path) -> None:
    path = tmp_path / "fic.txt"
    path.write_text("A New Hero\nby Someone\n\nRating: M\n\nThe story.\n", encoding="utf-8")
    book = readers.read(path)
    assert book.metadata.title == "A New Hero"
    assert book.metadata.authors == ("Someone",)
    assert book.metadata.rating == "Mature"
    assert plain_text(book.chapters[0].blocks).strip() == "The story."


def test_a_first_sentence_is_not_a_title(tmp_path: Path) -> None:
    path = tmp_path / "untitled.txt"
    path.write_text("He ran. She followed.\n\nThe end came.\n", encoding="utf-8")
    book = readers.read(path)
    assert book.metadata.title == "Untitled"
    assert len(book.chapters[0].blocks) == 2


def test_headers_without_a_story_are_an_error(tmp_path: Path) -> None:
    path = tmp_path / "fic.txt"
    path.write_text("Title: Nothing\nRating: T\n", encoding="utf-8")
    with pytest.raises(ManuscriptError, match="no story"):
        readers.read(path)


# --------------------------------------------------------------------------- bad input


def assert_names_file_with_hint(path: Path, message: str) -> None:
    with pytest.raises(ManuscriptError) as raised:
        readers.read(path)
    error = raised.value
    assert message in error.message
    assert error.path == str(path) and str(path) in str(error)
    assert error.hint
    assert readers.findings(path) == [error.as_finding()]


@pytest.mark.parametrize("content", [b"", b"  \n\n\t\r\n", b"\xef\xbb\xbf\n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    assert_names_file_with_hint(path, "empty")


def test_binary_file_with_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert_names_file_with_hint(path, "binary")


def test_binary_file_without_nul_bytes(tmp_path: Path) -> None:
    noise = random.Random(1).randbytes(4000).replace(b"\x00", b"\x01")
    path = tmp_path / "noise.txt"
    path.write_bytes(noise)
    assert_names_file_with_hint(path, "binary")


def test_a_few_control_characters_do_not_make_text_binary(tmp_path: Path) -> None:
    path = tmp_path / "old.txt"
    path.write_bytes(b"Title: Old\r\n\r\n" + b"A story from a DOS editor. " * 20 + b"\x0b\r\n\x1a")
    assert readers.read(path).metadata.title == "Old"


def test_missing_file(tmp_path: Path) -> None:
    assert_names_file_with_hint(tmp_path / "missing.txt", "cannot read")


# --------------------------------------------------------------------------- a long text


def test_a_novel_keeps_every_chapter_and_word(tmp_path: Path) -> None:
    # Speed is measured outside the tests (timed tests are flaky on shared machines); this checks
    # that a 120,000-word text comes through whole.
    paragraph = ("\"It's late,\" he said, and *nobody* answered—the rain kept falling… "
                 "She looked at the clock on the wall for a long time. ") * 3
    chapter = "\n\n".join([paragraph] * 40)
    path = tmp_path / "novel.txt"
    path.write_text("Title: Long\nRating: T\n\n" + "\n\n".join(
        f"Chapter {n}\n\n{chapter}" for n in range(1, 51)), encoding="utf-8")
    book = readers.read(path)
    assert [c.title for c in book.chapters] == [f"Chapter {n}" for n in range(1, 51)]
    # 50 chapters of 40 paragraphs of 66 words
    assert sum(len(plain_text(c.blocks).split()) for c in book.chapters) == 50 * 40 * 66


# --------------------------------------------------------------------------- any input

FIC_LINES = st.lists(st.one_of(
    st.sampled_from(["", "", "", "* * *", "Chapter 2", "Prologue", "Title: T", "Rating: Teen",
                     "Rating: Bogus", "A/N: note", "Warnings: Gore", "A Title", "oOo", "by Me",
                     "He ran.", "\"Hi,\" she said.", "*so* _very_ **bold**", "snake_case *"]),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)), max_size=30)


@settings(deadline=None)
@given(lines=FIC_LINES)
def test_any_text_reads_or_fails_cleanly(tmp_path_factory, lines: list[str]) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "fic.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    try:
        book = readers.read(path)
    except ManuscriptError as error:
        assert error.path == str(path)
        return
    assert book.metadata.title
    for chapter in book.chapters:
        assert not chapter.blocks or not isinstance(chapter.blocks[0], SceneBreak)
        assert not chapter.blocks or not isinstance(chapter.blocks[-1], SceneBreak)


@pytest.mark.parametrize("marker", ["*a ", "_a ", "**a "])
def test_thousands_of_unpaired_markers_stay_literal(marker):
    # A hostile line like this once took the emphasis pattern quadratic time; every marker must
    # still come out as the literal text it is.
    line = marker * 20_000
    assert plaintext.parse_inlines(line) == (Text(line),)

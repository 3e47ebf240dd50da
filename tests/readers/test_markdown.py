"""The annotated-manuscript reader (.md): scene-break spotting, front matter, and bad input that
must be reported with the file, the line and a hint. The golden model of the kitchen sink, which
uses every construct, is in tests/test_kitchen_sink.py with the rest of its stages."""

from __future__ import annotations

from pathlib import Path

import pytest

from bookmaker import readers
from bookmaker.errors import ManuscriptError
from bookmaker.model import (Code, Div, Emph, Footnote, FootnoteRef, Heading, Image, LineBreak,
                             Link, Note, Paragraph, Series, SmallCaps, Strong, Table,
                             TableCell, Text, Underline, plain_text)
from bookmaker.readers import markdown as manuscript
from bookmaker.transforms.scenebreaks import is_separator_text

DATA = Path(__file__).parent.parent / "data" / "manuscript"
KITCHEN_SINK = DATA.parent / "kitchen-sink" / "input.md"


def write(tmp_path: Path, text: str, name: str = "story.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def read_text(tmp_path: Path, text: str, name: str = "story.md"):
    return readers.read(write(tmp_path, text, name))


def read_error(tmp_path: Path, text: str) -> tuple[ManuscriptError, Path]:
    path = write(tmp_path, text)
    with pytest.raises(ManuscriptError) as caught:
        readers.read(path)
    return caught.value, path


def messages(found) -> list[str]:
    return [f"{f.level}: {f.message}" for f in found]


# --------------------------------------------------------------------------- dispatch


def test_reader_dispatch_reads_md_with_this_reader() -> None:
    path = KITCHEN_SINK
    assert readers.reader_for(path).load() is manuscript


# --------------------------------------------------------------------------- scene breaks


def load_fixtures(path: Path) -> list[tuple[str, str, list[str]]]:
    """(title, input, expected lines) from a titled-fixture file (see its header)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    cases = []
    i = 0
    while i < len(lines):
        if not lines[i].strip() or lines[i].startswith("#"):
            i += 1
            continue
        title = lines[i]
        assert lines[i + 1] == ".", f"{path}:{i + 2}: expected '.' after the title"
        end_input = lines.index(".", i + 2)
        end_expected = lines.index(".", end_input + 1)
        cases.append((title, "\n".join(lines[i + 2:end_input]) + "\n",
                      lines[end_input + 1:end_expected]))
        i = end_expected + 1
    return cases


def describe(block) -> str:
    if isinstance(block, Paragraph) and len(block.children) == 1 \
            and isinstance(block.children[0], Code):
        return "Code: " + block.children[0].text.replace("\n", "\\n")
    if isinstance(block, Paragraph):
        return "Paragraph: " + plain_text(block.children)
    return type(block).__name__


SCENE_BREAK_CASES = load_fixtures(DATA / "scene-breaks.txt")


@pytest.mark.parametrize("title, body, expected", SCENE_BREAK_CASES,
                         ids=[case[0] for case in SCENE_BREAK_CASES])
def test_scene_break_spotting(tmp_path: Path, title: str, body: str, expected: list[str]) -> None:
    book = read_text(tmp_path, "---\ntitle: T\n---\n\n" + body)
    assert [describe(b) for chapter in book.chapters for b in chapter.blocks] == expected


def test_scene_break_lines_are_file_lines(tmp_path: Path) -> None:
    book = read_text(tmp_path, "---\ntitle: T\n---\n\nOne.\n\n~~~\n\nTwo.\n\n#\n\nThree.\n")
    assert [b.line for b in book.chapters[0].blocks] == [5, 7, 9, 11, 13]


@pytest.mark.parametrize("text", ["* * *", "~*~", "oOo", "-o-", "§", "❦", "= = =", "xXx"])
def test_is_separator_text_accepts_ornaments(text: str) -> None:
    assert is_separator_text(text, lowercase_x=False)


@pytest.mark.parametrize("text", ["xoxo", "OK", "...", "xxx", "o", "a * b", "Oh.", "—Wait"])
def test_is_separator_text_rejects_words(text: str) -> None:
    assert not is_separator_text(text, lowercase_x=False)


# --------------------------------------------------------------------------- chapters


def test_text_before_the_first_heading_is_an_untitled_chapter(tmp_path: Path) -> None:
    book = read_text(tmp_path, "---\ntitle: T\n---\n\nPrologue.\n\n# One\n\nText.\n")
    assert [(c.title, c.line) for c in book.chapters] == [("", None), ("One", 7)]


def test_a_work_without_headings_is_one_untitled_chapter(tmp_path: Path) -> None:
    book = read_text(tmp_path, "Just a story.\n\nTwo paragraphs.\n")
    assert len(book.chapters) == 1
    assert book.chapters[0].title == ""
    assert len(book.chapters[0].blocks) == 2


def test_chapter_title_is_plain_text_of_the_heading(tmp_path: Path) -> None:
    book = read_text(tmp_path, "# The *Fall* of `x`\n\nText.\n")
    assert book.chapters[0].title == "The Fall of x"


def test_a_level_one_heading_inside_a_note_is_a_subheading(tmp_path: Path) -> None:
    book = read_text(tmp_path, "# One\n\n::: note\n# Not a chapter\n:::\n\nText.\n")
    assert len(book.chapters) == 1
    note = book.chapters[0].blocks[0]
    assert isinstance(note, Note) and note.blocks[0].level == 2


def test_chapter_annotations(tmp_path: Path) -> None:
    book = read_text(tmp_path, "# One\n\n::: summary\nSum.\n:::\n\n::: notes\nN.\n:::\n\n"
                               "Body.\n\n::: end-notes\nEnd.\n:::\n")
    chapter = book.chapters[0]
    assert plain_text(chapter.summary).strip() == "Sum."
    assert plain_text(chapter.notes).strip() == "N."
    assert plain_text(chapter.blocks).strip() == "Body."
    assert plain_text(chapter.end_notes).strip() == "End."


def test_summary_after_story_text_is_an_error(tmp_path: Path) -> None:
    error, path = read_error(tmp_path, "# One\n\nBody.\n\n::: summary\nLate.\n:::\n")
    assert (error.path, error.line) == (str(path), 5)
    assert "right after the chapter heading" in error.message and error.hint


def test_text_after_end_notes_is_an_error(tmp_path: Path) -> None:
    error, _ = read_error(tmp_path, "# One\n\n::: end-notes\nEnd.\n:::\n\nMore story.\n")
    assert error.line == 7 and "end-notes" in error.hint


def test_a_manuscript_with_no_story_text_is_an_error(tmp_path: Path) -> None:
    error, path = read_error(tmp_path, "---\ntitle: Only a header\n---\n\n# Chapter\n")
    assert error.message == "the manuscript has no story text"
    assert (error.path, error.line) == (str(path), 4) and error.hint


# --------------------------------------------------------------------------- blocks and inlines


def test_line_block_keeps_markup_and_indentation(tmp_path: Path) -> None:
    block = read_text(tmp_path, "| The *rain*\n|   falls\n|\n| on us\n").chapters[0].blocks[0]
    assert block.lines[0] == (Text("The "), Emph((Text("rain"),)))
    assert block.lines[1] == (Text("\u00a0\u00a0falls"),)
    assert block.lines[2] == ()
    assert len(block.lines) == 4


def test_footnotes_are_numbered_across_the_book_and_end_their_chapter(tmp_path: Path) -> None:
    book = read_text(tmp_path, "# One\n\nA[^x] and^[inline].\n\n[^x]: Ex.\n\n"
                               "# Two\n\nB[^y].\n\n[^y]: Why.\n")
    one, two = book.chapters
    assert [b.id for b in one.blocks if isinstance(b, Footnote)] == ["1", "2"]
    assert [b.id for b in two.blocks if isinstance(b, Footnote)] == ["3"]
    assert isinstance(one.blocks[-1], Footnote) and isinstance(two.blocks[-1], Footnote)
    assert one.blocks[0].children[1] == FootnoteRef("1")
    assert one.blocks[1].line == 5  # the definition's line


def test_footnote_referred_to_from_two_chapters_is_copied_into_each(tmp_path: Path) -> None:
    book = read_text(tmp_path, "# One\n\nA[^x].\n\n# Two\n\nAgain[^x].\n\n[^x]: Ex.\n")
    notes = [[b for b in c.blocks if isinstance(b, Footnote)] for c in book.chapters]
    assert [[n.id for n in chapter] for chapter in notes] == [["1"], ["2"]]
    assert notes[0][0].blocks == notes[1][0].blocks
    assert book.chapters[1].blocks[0].children[1] == FootnoteRef("2")


def test_footnote_problems_are_warnings(tmp_path: Path) -> None:
    path = write(tmp_path, "Text[^missing].\n\n[^unused]: Nobody refers to me.\n")
    found = readers.findings(path)
    assert {(f.level, f.message, f.line) for f in found if "footnote" in f.message} == {
        ("warning", "footnote [^missing] is not defined", 1),
        ("warning", "footnote [^unused] is never referred to", 3),
    }
    assert plain_text(readers.read(path).chapters[0].blocks) == "Text[^missing].\n\n"


def test_inline_html_maps_to_model_nodes(tmp_path: Path) -> None:
    """Tags in running text mean what they mean in any HTML the readers meet (the converter's
    one table, readers/html/blocks.inline_from_tag); a script goes with what is inside it."""
    path = write(tmp_path, "<i>a</i> <b>b</b> <span class=\"smallcaps\">c</span> "
                           "<u>d</u><br>e <script>x</script>f <code>g</code> "
                           "<a href=\"https://example.org/\">h</a> "
                           "<a href=\"javascript:alert(1)\">i</a>\n")
    block = readers.read(path).chapters[0].blocks[0]
    assert block.children == (
        Emph((Text("a"),)), Text(" "), Strong((Text("b"),)), Text(" "), SmallCaps((Text("c"),)),
        Text(" "), Underline((Text("d"),)), LineBreak(), Text("e f "), Code("g"),
        Text(" "), Link((Text("h"),), "https://example.org/"), Text(" i"))
    assert ("warning", "raw HTML <script> left out, with what is inside it", 1) in {
        (f.level, f.message, f.line) for f in readers.findings(path)}


def test_raw_html_block_becomes_model_nodes_and_says_what_it_left_out(tmp_path: Path) -> None:
    path = write(tmp_path, "Text.\n\n<div class=\"x\" style=\"a\" onclick=\"b()\">Hi"
                           "<img src=\"y.png\"><iframe src=\"z\">no</iframe></div>\n\n"
                           "<iframe src=\"only\"></iframe>\n")
    book, found = readers.read_with_findings(path)
    assert book.chapters[0].blocks[1:] == (Paragraph((Text("Hi"),), 3), Image("y.png", line=3))
    assert [(f.message, f.line) for f in found if "raw HTML" in f.message] == [
        ("raw HTML <iframe> left out, with what is inside it", 3),
        ("raw HTML <iframe> left out, with what is inside it", 5)]
    assert "no" not in plain_text(book.chapters[0].blocks)


def test_raw_html_tables_alignment_and_headings_are_the_models(tmp_path: Path) -> None:
    """What a pasted page says in HTML the book keeps as the model says it: a Table, an aligned
    paragraph, a heading below the chapter's level, a safe link."""
    blocks = read_text(tmp_path, "# One\n\n<h1>Inside</h1>\n<p style=\"text-align: right\">"
                                 "<a href=\"file:///etc/passwd\">signed</a></p>\n"
                                 "<table><tr><th>Who</th><td colspan=\"2\">Zack</td></tr>"
                                 "</table>\n").chapters[0].blocks
    assert blocks[0] == Heading(2, (Text("Inside"),), 3)
    assert blocks[1] == Paragraph((Text("signed"),), 4, "right")
    table = blocks[2]
    assert isinstance(table, Table) and table.line == 5
    assert table.rows == ((TableCell((Paragraph((Text("Who"),), 5),), header=True),
                           TableCell((Paragraph((Text("Zack"),), 5),), colspan=2)),)


def test_lone_image_is_an_image_and_inline_image_is_alt_text(tmp_path: Path) -> None:
    path = write(tmp_path, "![A cat](my%20cat.png)\n\nSee ![the dog](dog.png) here.\n")
    blocks = readers.read(path).chapters[0].blocks
    assert blocks[0] == Image("my cat.png", "A cat", "", 1)
    assert blocks[1].children == (Text("See the dog here."),)
    assert ("warning", 3) in {(f.level, f.line) for f in readers.findings(path)
                              if "image inside running text" in f.message}


def test_code_block_keeps_newlines(tmp_path: Path) -> None:
    blocks = read_text(tmp_path, "Text.\n\n    indented\n    code\n").chapters[0].blocks
    assert blocks[1] == Paragraph((Code("indented\ncode"),), 3)


def test_soft_breaks_become_spaces_and_text_is_merged(tmp_path: Path) -> None:
    block = read_text(tmp_path, "one\ntwo &amp; three\n").chapters[0].blocks[0]
    assert block.children == (Text("one two & three"),)


def test_no_typography_is_applied(tmp_path: Path) -> None:
    block = read_text(tmp_path, "\"Don't\" -- she said...\n").chapters[0].blocks[0]
    assert block.children == (Text("\"Don't\" -- she said..."),)


# --------------------------------------------------------------------------- front matter


def test_front_matter_fields_and_spellings(tmp_path: Path) -> None:
    book = read_text(tmp_path, """---
title: "Title\x07 with a bell"
author: Ann, Bo
fandom: [One]
pairing: A/B
warning: [no archive warnings apply, self-harm]
content_warning: Blood
category: slash
series: [First Series, {name: Second, index: 3}]
series_index: 1.5
published: 2020-01-02
updated: "2020-02-03"
url: https://example.org/w/1
lang: French
---

Text.
""")
    meta = book.metadata
    assert meta.title == "Title with a bell"
    assert meta.authors == ("Ann", "Bo")
    assert meta.fandoms == ("One",)
    assert meta.relationships == ("A/B",)
    assert meta.warnings == ("No Archive Warnings Apply",)
    assert meta.content_notes == ("self-harm", "Blood")
    assert meta.categories == ("M/M",)
    assert meta.series == (Series("First Series", 1.5), Series("Second", 3.0))
    assert (meta.published, meta.updated) == ("2020-01-02", "2020-02-03")
    assert meta.source_url == "https://example.org/w/1"
    assert meta.language == "fr"
    assert meta.encoding == "utf-8"


def test_missing_title_uses_the_file_name_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "Text.\n", name="a-new_hero.md")
    assert readers.read(path).metadata.title == "A New Hero"
    assert any(f.level == "warning" and "no title" in f.message
               for f in readers.findings(path))


def test_unknown_field_is_a_warning_with_a_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, "---\ntitle: T\nratng: Mature\n---\n\nText.\n")
    assert readers.read(path).metadata.rating is None
    [finding] = readers.findings(path)
    assert (finding.level, finding.line) == ("warning", 3)
    assert finding.message == "unknown field 'ratng' (did you mean 'rating'?)"


def test_odd_language_is_a_warning_and_left_unset(tmp_path: Path) -> None:
    """Unset, so bookmaker.toml's [book] language (else English) applies."""
    path = write(tmp_path, "---\ntitle: T\nlanguage: Klingon!\n---\n\nText.\n")
    assert readers.read(path).metadata.language is None
    assert [(f.level, f.line) for f in readers.findings(path)] == [("warning", 3)]


def test_front_matter_notes_are_front_and_back_matter(tmp_path: Path) -> None:
    book = read_text(tmp_path, "---\ntitle: T\nnotes: |\n  Hello *you*.\n"
                               "end_notes: Bye.\n---\n\nText.\n")
    assert book.front_matter == (Paragraph((Text("Hello "), Emph((Text("you"),)), Text(".")), 4),)
    assert book.back_matter == (Paragraph((Text("Bye."),), 5),)


def test_unknown_rating_is_a_warning_that_suggests_the_canonical_one(tmp_path: Path) -> None:
    """The rule of readers/metadata.py: kept visible as a content note, never an error."""
    path = write(tmp_path, "---\ntitle: T\nrating: Mature Audiences\n---\n\nText.\n")
    metadata = readers.read(path).metadata
    assert (metadata.rating, metadata.content_notes) == (None, ("Rating: Mature Audiences",))
    [finding] = readers.findings(path)
    assert (finding.level, finding.path, finding.line) == ("warning", str(path), 3)
    assert finding.message == "unknown rating 'Mature Audiences'; kept as a content note"
    assert finding.hint == "did you mean 'Mature'?"


def test_unknown_category_suggests_one_and_is_kept_as_a_tag(tmp_path: Path) -> None:
    path = write(tmp_path, "---\ntitle: T\ncategories: [Gen, M/Mm]\n---\n\nText.\n")
    metadata = readers.read(path).metadata
    assert (metadata.categories, metadata.tags) == (("Gen",), ("M/Mm",))
    [finding] = readers.findings(path)
    assert (finding.level, finding.line) == ("warning", 3) and "'M/M'" in finding.hint


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    error, path = read_error(tmp_path, "---\ntitle: T\nsummary: Part 1: Dawn\n---\n\nText.\n")
    assert (error.path, error.line) == (str(path), 3)
    assert "not valid YAML" in error.message and "quotes" in error.hint


def test_unclosed_quote_points_where_it_opened(tmp_path: Path) -> None:
    error, _ = read_error(tmp_path, "---\ntitle: T\nsummary: \"unclosed\nrating: M\n---\n\nX\n")
    assert error.line == 3


def test_python_tag_is_refused_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    error, path = read_error(
        tmp_path, f"---\ntitle: T\nauthor: !!python/object/apply:os.system [\"touch {marker}\"]"
                  "\n---\n\nText.\n")
    assert not marker.exists()
    assert (error.path, error.line) == (str(path), 3)
    assert "tag" in error.message and error.hint


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    levels = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 12):
        aliases = ", ".join([f"*a{level - 1}"] * 10)
        levels.append(f"a{level}: &a{level} [{aliases}]")
    error, path = read_error(tmp_path, "---\ntitle: T\n" + "\n".join(levels) + "\n---\n\nX\n")
    assert (error.path, error.line) == (str(path), 14)  # the 101st alias, on the a11 line
    assert "aliases" in error.message and error.hint


def test_front_matter_that_is_not_a_mapping(tmp_path: Path) -> None:
    error, path = read_error(tmp_path, "---\n- just\n- a list\n---\n\nText.\n")
    assert (error.path, error.line) == (str(path), 2)
    assert "not a list of fields" in error.message and "---" in error.hint


def test_unclosed_front_matter(tmp_path: Path) -> None:
    error, _ = read_error(tmp_path, "---\ntitle: T\n\nThe story starts without a closing line.\n")
    assert error.line == 1 and "---" in error.hint


def test_list_in_a_text_field_is_an_error(tmp_path: Path) -> None:
    error, _ = read_error(tmp_path, "---\ntitle: [a, b]\n---\n\nText.\n")
    assert error.line == 2 and "must be text" in error.message


# --------------------------------------------------------------------------- containers


def test_unclosed_container_names_where_it_opened(tmp_path: Path) -> None:
    error, path = read_error(tmp_path, "Text.\n\n::: note\nNever closed.\n\nMore.\n")
    assert (error.path, error.line) == (str(path), 3)
    assert error.hint == "add a line with ::: to close it"


def test_unclosed_container_inside_a_block_quote(tmp_path: Path) -> None:
    error, _ = read_error(tmp_path, "> ::: letter\n> Dear you,\n\nAfter.\n")
    assert error.line == 1 and "never closed" in error.message


def test_closed_nested_containers_are_fine(tmp_path: Path) -> None:
    book = read_text(tmp_path, ":::: letter\nDear you,\n\n::: note\nAside.\n:::\n::::\n")
    letter = book.chapters[0].blocks[0]
    assert isinstance(letter, Div) and isinstance(letter.blocks[1], Note)


def test_unknown_container_lists_the_valid_names(tmp_path: Path) -> None:
    error, path = read_error(tmp_path, "Text.\n\n::: poem\nRoses.\n:::\n")
    assert (error.path, error.line) == (str(path), 3)
    assert error.message == "unknown block ::: poem"
    assert "note" in error.hint and "epigraph" in error.hint and "end-notes" in error.hint


def test_pandoc_style_container_names_are_accepted(tmp_path: Path) -> None:
    blocks = read_text(tmp_path, "::: {.epigraph}\nWords.\n:::\n").chapters[0].blocks
    assert isinstance(blocks[0], Div) and blocks[0].kind == "epigraph"


def test_stray_closing_colons_are_an_error(tmp_path: Path) -> None:
    error, _ = read_error(tmp_path, "Text.\n\n:::\n\nMore.\n")
    assert error.line == 3 and "closes no open block" in error.message


# --------------------------------------------------------------------------- files


def test_empty_file(tmp_path: Path) -> None:
    error, path = read_error(tmp_path, "  \n\n")
    assert error.path == str(path) and "empty" in error.message and error.hint


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "story.md"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(ManuscriptError) as caught:
        readers.read(path)
    assert caught.value.path == str(path) and "binary" in caught.value.message
    assert caught.value.hint
    assert [f.level for f in readers.findings(path)] == ["error"]


def test_windows_1252_file_records_its_encoding(tmp_path: Path) -> None:
    path = tmp_path / "story.md"
    path.write_bytes("---\ntitle: Caf\u00e9\n---\n\nIt\u2019s here.\n".encode("cp1252"))
    book = readers.read(path)
    assert book.metadata.title == "Caf\u00e9" and book.metadata.encoding == "windows-1252"
    assert book.chapters[0].blocks[0].children == (Text("It\u2019s here."),)


def test_findings_warn_of_images_a_build_would_leave_out(tmp_path: Path) -> None:
    (tmp_path / "here.png").write_bytes((KITCHEN_SINK.parent / "ornament.png").read_bytes())
    path = write(tmp_path, "---\ntitle: T\ncover: ../cover.png\n---\n\n![ok](here.png)\n\n"
                           "![web](https://example.org/x.png)\n\n![gone](missing.png)\n")
    readers.read(path)  # read() leaves images to the writers
    found = [(f.level, f.line, f.message) for f in readers.findings(path)]
    assert [(level, line) for level, line, _ in found] == [("warning", 8), ("warning", 10),
                                                           ("warning", None)]
    assert "not a file" in found[0][2] and "exist" in found[1][2] and "outside" in found[2][2]


def test_a_long_manuscript_keeps_every_chapter_and_word(tmp_path: Path) -> None:
    # Its speed is measured in benchmarks/, not here: timed tests are flaky on shared machines.
    paragraph = ("She said *nothing* for a long while, and the rain kept on against the glass "
                 "as if it had somewhere better to be. ") * 4
    chapters = [f"# Chapter {n}\n\n" + f"{paragraph}\n\n* * *\n\n{paragraph}\n\n" * 40
                for n in range(1, 21)]
    path = write(tmp_path, "---\ntitle: Long\n---\n\n" + "".join(chapters))
    book = readers.read(path)
    assert [c.title for c in book.chapters] == [f"Chapter {n}" for n in range(1, 21)]
    # 80 paragraphs of 92 words a chapter
    assert sum(len(plain_text(c.blocks).split()) for c in book.chapters) == 20 * 80 * 92


@pytest.mark.parametrize("title", ["../../x", "/etc/passwd", "~/story"])
def test_a_title_that_is_a_path_is_an_error_on_its_line(tmp_path, title):
    source = tmp_path / "story.md"
    source.write_text(f"---\nlanguage: en\ntitle: {title}\n---\n\nText.\n", encoding="utf-8")
    errors = [f for f in readers.findings(source) if f.level == "error"]
    assert [(e.line, "looks like a file path" in e.message) for e in errors] == [(3, True)]


@pytest.mark.parametrize("title", ["Him/Her", "1/2", "Wait... What?"])
def test_titles_with_slashes_or_dots_are_fine(tmp_path, title):
    source = tmp_path / "story.md"
    source.write_text(f"---\ntitle: \"{title}\"\n---\n\nText.\n", encoding="utf-8")
    assert readers.read(source).metadata.title == title

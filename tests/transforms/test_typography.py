"""The typography pass: each rule on its own titled cases, then the pass over a whole book."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bookmaker.model import (Book, Chapter, Code, Emph, FootnoteRef, Image, LineBlock, LineBreak,
                             Link, ListBlock, Metadata, Note, Paragraph, Ruby, SceneBreak, Strong,
                             Table, TableCell, Text, plain_text)
from bookmaker.transforms import typography

CASES = Path(__file__).parent.parent / "data" / "typography" / "cases.txt"
NNBSP_MARK = "{nnbsp}"
RULES_WITH_LANGUAGE = {"curl_quotes", "smarten"}


@dataclass(frozen=True)
class Case:
    title: str
    rule: str
    language: str
    source: str
    expected: str
    line: int


def load_cases(path: Path) -> list[Case]:
    """Cases in the layout documented at the top of the file: title, ., input, ., output, ."""
    lines = path.read_text(encoding="utf-8").split("\n")
    cases = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip() or line.startswith("#"):
            index += 1
            continue
        title_line = index
        parts, index = _dotted_parts(lines, index + 1, path, title_line)
        cases.append(_case(line, parts, title_line + 1))
    return cases


def _dotted_parts(lines: list[str], index: int, path: Path, title_line: int
                  ) -> tuple[list[str], int]:
    """The input and the expected output between the three ``.`` lines after a title."""
    if index >= len(lines) or lines[index] != ".":
        raise ValueError(f"{path}:{title_line + 1}: a case title must be followed by a `.` line")
    parts: list[str] = []
    current: list[str] = []
    index += 1
    while len(parts) < 2:
        if index >= len(lines):
            raise ValueError(f"{path}:{title_line + 1}: case not closed with `.` lines")
        if lines[index] == ".":
            parts.append("\n".join(current).replace(NNBSP_MARK, "\u202f"))
            current = []
        else:
            current.append(lines[index])
        index += 1
    return parts, index


def _case(title: str, parts: list[str], line: int) -> Case:
    head, _, _ = title.partition(":")
    rule, _, language = head.partition(" [")
    return Case(title, rule.strip(), language.rstrip("]") or "en", parts[0], parts[1], line)


ALL_CASES = load_cases(CASES)


def run_rule(case: Case, text: str) -> str:
    rule = getattr(typography, case.rule)
    return rule(text, case.language) if case.rule in RULES_WITH_LANGUAGE else rule(text)


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.title for c in ALL_CASES])
def test_case(case: Case) -> None:
    actual = run_rule(case, case.source)
    assert actual == case.expected, f"{CASES.name}:{case.line}: {case.title}"


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.title for c in ALL_CASES])
def test_case_output_is_stable(case: Case) -> None:
    assert run_rule(case, case.expected) == case.expected


def test_the_fixture_covers_every_rule() -> None:
    rules = {case.rule for case in ALL_CASES}
    assert rules == {"educate_dashes", "educate_ellipses", "curl_quotes", "space_guillemets",
                     "smarten"}


# --------------------------------------------------------------------------- properties

# Text rich in the characters the rules act on, plus anything else Unicode has.
TYPOGRAPHIC_TEXT = st.text(st.one_of(st.sampled_from(list("\"'-. \n—…«»“”‘’aZ5,!?(")),
                                     st.characters()))


@pytest.mark.parametrize("language", ["en", "fr", "de", "sv"])
@given(text=TYPOGRAPHIC_TEXT)
def test_smarten_is_idempotent(language: str, text: str) -> None:
    once = typography.smarten(text, language)
    assert typography.smarten(once, language) == once


@given(text=TYPOGRAPHIC_TEXT)
def test_smarten_leaves_no_straight_quotes(text: str) -> None:
    smart = typography.smarten(text)
    assert '"' not in smart and "'" not in smart


@given(text=st.text(st.characters(blacklist_characters="\"'-.")))
def test_smarten_changes_nothing_without_quotes_dashes_or_dots(text: str) -> None:
    assert typography.smarten(text) == text


# --------------------------------------------------------------------------- across nodes


def smart_paragraph(*children, language: str = "en") -> tuple:
    return typography.smarten_inlines(tuple(children), language)


def test_quote_after_emphasis_closes() -> None:
    result = smart_paragraph(Text('He said "'), Emph((Text("no"),)), Text('" and left.'))
    assert result == (Text("He said “"), Emph((Text("no"),)), Text("” and left."))


def test_quote_before_emphasis_opens_even_at_the_end_of_a_text_node() -> None:
    result = smart_paragraph(Text('"'), Strong((Text("Run"),)), Text(',"'), Text(" he said."))
    assert result == (Text("“"), Strong((Text("Run"),)), Text(",”"), Text(" he said."))


def test_apostrophe_after_emphasised_word() -> None:
    result = smart_paragraph(Emph((Text("Genesis"),)), Text("' sword, 'tis"))
    assert result == (Emph((Text("Genesis"),)), Text("’ sword, ’tis"))


def test_quote_after_footnote_reference_closes() -> None:
    result = smart_paragraph(Text('"The end.'), FootnoteRef("1"), Text('"'))
    assert result == (Text("“The end."), FootnoteRef("1"), Text("”"))


def test_code_is_never_changed_but_gives_context() -> None:
    code = Code('"--x..." it\'s')
    result = smart_paragraph(Text('He typed "'), code, Text('" -- twice...'))
    assert result == (Text("He typed “"), code, Text("” — twice…"))


def test_link_url_untouched_and_link_text_smartened() -> None:
    url = "https://example.org/it's--a...page?q=\"x\""
    result = smart_paragraph(Link((Text("Don't--go"),), url, title="it's"))
    assert result == (Link((Text("Don’t—go"),), url, title="it's"),)


def test_line_break_separates_words_for_quotes() -> None:
    result = smart_paragraph(Text("end"), LineBreak(), Text("'Hello'"))
    assert result == (Text("end"), LineBreak(), Text("‘Hello’"))


def test_french_paragraph_across_nodes() -> None:
    result = smart_paragraph(Text('Il dit "'), Emph((Text("non"),)), Text('".'), language="fr")
    assert result == (Text("Il dit «\u202f"), Emph((Text("non"),)), Text("\u202f»."))


# --------------------------------------------------------------------------- the whole book


def make_book(language: str = "en") -> Book:
    summary = (Paragraph((Text('A "summary"'),)),)
    chapter = Chapter(
        title="Genesis' Chapter",
        summary=(Paragraph((Text("It's short"),)),),
        notes=(Paragraph((Text("Note's here"),)),),
        blocks=(Paragraph((Text('"Hi," he said--'), Emph((Text("softly"),)), Text("..."))),
                SceneBreak(),
                LineBlock(((Text('"A poem'),), (Text('in two lines"'),))),
                Note((Paragraph((Text("an 'aside'"),)),)),
                Image("cover.png", alt="Genesis' sword", title="it's")),
        end_notes=(Paragraph((Text("Thanks, y'all"),)),))
    return Book(metadata=Metadata(title="Don't Look", language=language, summary=summary),
                chapters=(chapter,),
                front_matter=(Paragraph((Text("Beware the angst--really"),)),),
                back_matter=(Paragraph((Text("'Til next time"),)),),
                base_dir="/somewhere")


def test_apply_reaches_every_text() -> None:
    book = typography.apply(make_book())
    chapter = book.chapters[0]
    assert book.metadata.title == "Don’t Look"
    assert book.metadata.summary == (Paragraph((Text("A “summary”"),)),)
    assert chapter.title == "Genesis’ Chapter"
    assert chapter.summary == (Paragraph((Text("It’s short"),)),)
    assert chapter.notes == (Paragraph((Text("Note’s here"),)),)
    assert chapter.blocks[0] == Paragraph((Text("“Hi,” he said—"), Emph((Text("softly"),)),
                                           Text("…")))
    assert chapter.blocks[1] == SceneBreak()
    assert chapter.blocks[2] == LineBlock(((Text("“A poem"),), (Text("in two lines”"),)))
    assert chapter.blocks[3] == Note((Paragraph((Text("an ‘aside’"),)),))
    assert chapter.blocks[4] == Image("cover.png", alt="Genesis’ sword", title="it’s")
    assert chapter.end_notes == (Paragraph((Text("Thanks, y’all"),)),)
    assert book.front_matter == (Paragraph((Text("Beware the angst—really"),)),)
    assert book.back_matter == (Paragraph((Text("’Til next time"),)),)
    assert book.base_dir == "/somewhere"


DIALOGUE = '"Hi," she said -- ok...'
CURLED = "“Hi,” she said — ok…"


def test_a_table_cell_is_curled_as_the_same_paragraph_outside_a_table() -> None:
    paragraph = Paragraph((Text(DIALOGUE),))
    table = Table(((TableCell((paragraph,), header=True),),
                   (TableCell((Paragraph((Emph((Text(DIALOGUE),)),)),)),)),
                  caption=(Text(DIALOGUE),))
    book = typography.apply(Book(Metadata(title="T"), (Chapter(blocks=(paragraph, table)),)))
    outside, inside = book.chapters[0].blocks
    assert outside == Paragraph((Text(CURLED),))
    assert inside == Table(((TableCell((outside,), header=True),),
                            (TableCell((Paragraph((Emph((Text(CURLED),)),)),)),)),
                           caption=(Text(CURLED),))


def test_ruby_base_text_is_curled_and_its_reading_kept() -> None:
    ruby = Ruby((Text("'kan'"),), annotation="'k'")
    book = typography.apply(Book(Metadata(title="T"), (Chapter(blocks=(
        ListBlock(((Paragraph((Text('"'), ruby, Text('"'))),),)),)),)))
    assert book.chapters[0].blocks[0] == ListBlock(((Paragraph((
        Text("“"), Ruby((Text("‘kan’"),), annotation="'k'"), Text("”"))),),))


def test_apply_uses_the_books_language() -> None:
    german = typography.apply(make_book("de-DE"))
    assert german.metadata.summary == (Paragraph((Text("A „summary“"),)),)
    french = typography.apply(make_book("fr"))
    assert french.metadata.summary == (Paragraph((Text("A «\u202fsummary\u202f»"),)),)


def test_apply_twice_changes_nothing() -> None:
    once = typography.apply(make_book())
    assert typography.apply(once) == once


def test_a_novel_length_book_is_smartened_paragraph_by_paragraph() -> None:
    # No state leaks from one paragraph to the next: an unclosed quote stays in its paragraph.
    sentence = "\"It's--well...\" he said, 'rock 'n' roll' in the '90s, Genesis' eyes. \"Open "
    paragraph = Paragraph((Text(sentence * 4), Emph((Text("so"),)), Text(" \"calm\"")))
    book = Book(Metadata(title="Long"), chapters=(Chapter(blocks=(paragraph,) * 2000),))
    blocks = typography.apply(book).chapters[0].blocks
    assert len(set(blocks)) == 1
    assert plain_text(blocks[:1]).startswith(
        "“It’s—well…” he said, ‘rock ’n’ roll’ in the ’90s, Genesis’ eyes. “Open “It’s")

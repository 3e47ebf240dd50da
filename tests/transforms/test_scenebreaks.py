"""Scene-break normalisation: the titled cases (HTML in, blocks out), the recogniser's edges."""

from __future__ import annotations

from pathlib import Path

import pytest

from bookmaker.model import (Block, Book, Chapter, Image, Metadata, Paragraph, SceneBreak, Text,
                             plain_text)
from bookmaker.readers.html.blocks import html_to_blocks
from bookmaker.readers.html.parse import parse_fragment
from bookmaker.transforms import apply_all, scenebreaks
from bookmaker.transforms.scenebreaks import is_divider_image, is_separator_text

CASES = Path(__file__).parent.parent / "data" / "scenebreaks" / "cases.txt"


def load_cases(path: Path) -> list[tuple[str, str, list[str]]]:
    """(title, html, expected blocks) for each case in the layout described atop the file."""
    cases = []
    lines = path.read_text(encoding="utf-8").split("\n")
    index = 0
    while index < len(lines):
        if not lines[index].strip() or lines[index].startswith("#"):
            index += 1
            continue
        title = lines[index]
        assert lines[index + 1] == ".", f"{path}:{index + 2}: expected '.' after the title"
        end_input = lines.index(".", index + 2)
        end_expected = lines.index(".", end_input + 1)
        cases.append((title, "\n".join(lines[index + 2:end_input]),
                      lines[end_input + 1:end_expected]))
        index = end_expected + 1
    return cases


def describe(block: Block) -> str:
    if isinstance(block, SceneBreak):
        return "SceneBreak"
    if isinstance(block, Image):
        return f"Image: {block.src}"
    return f"{type(block).__name__}: {plain_text((block,)).strip()}"


CASE_LIST = load_cases(CASES)


@pytest.mark.parametrize("title, html, expected", CASE_LIST, ids=[c[0] for c in CASE_LIST])
def test_scene_break_case(title: str, html: str, expected: list[str]) -> None:
    blocks = html_to_blocks(parse_fragment(html).root, source="case.html", contents_only=True)
    assert [describe(b) for b in scenebreaks.normalise_blocks(blocks)] == expected


def test_the_pass_runs_in_apply_all_on_every_chapter() -> None:
    chapter = Chapter("One", (SceneBreak(), Paragraph((Text("A"),)), Paragraph((Text("~*~"),)),
                              Paragraph((Text("B"),)), SceneBreak()))
    book = apply_all(Book(Metadata("T"), (chapter, chapter)))
    for done in book.chapters:
        assert [describe(b) for b in done.blocks] == ["Paragraph: A", "SceneBreak", "Paragraph: B"]


def test_a_break_keeps_the_line_of_what_it_replaced() -> None:
    blocks = (Paragraph((Text("A"),), 1), Paragraph((Text("* * *"),), 3),
              Paragraph((Text("B"),), 5))
    assert scenebreaks.normalise_blocks(blocks)[1] == SceneBreak(3)


@pytest.mark.parametrize("text", ["* * *", "~*~", "oOo", "-o-", "-x-", "§", "❦", "= = =", "xXx",
                                  "o0o", "\\* \\* \\*", "XXX", "—"])
def test_ornaments_are_separators(text: str) -> None:
    assert is_separator_text(text)
    assert is_separator_text(text, lowercase_x=False)


@pytest.mark.parametrize("text", ["xoxo", "OK", "...", "o", "a * b", "Oh.", "—Wait", "Ooo", "ooo",
                                  "***Wait***", "", "   "])
def test_words_are_not_separators(text: str) -> None:
    assert not is_separator_text(text)


def test_lowercase_xxx_depends_on_the_source() -> None:
    assert is_separator_text("xxx")
    assert not is_separator_text("xxx", lowercase_x=False)


@pytest.mark.parametrize("src, alt, height, expected", [
    ("img/divider.png", "", None, True),
    ("scene-break.gif", "", None, True),
    ("pic.png", "* * *", None, True),
    ("https://example.org/hr.png", "", None, True),
    ("pic.png", "", 20, True),
    ("pic.png", "", 300, False),
    ("portrait.jpg", "Genesis in the rain", None, False),
    ("outline.png", "", None, False),
])
def test_divider_images(src: str, alt: str, height: int | None, expected: bool) -> None:
    assert is_divider_image(src, alt, height) is expected

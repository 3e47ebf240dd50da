"""One road from HTML into the model: every HTML-ish input is parsed once, sanitised once, and
converted by one converter; AO3's front-ends fill one record of the work, which one function
turns into a Book.

These tests hold the shape, not only the output: a reader that parses a fragment again, keeps a
sanitiser or a parser of its own, passes state down in a ContextVar or copies AO3's labels fails
here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bookmaker import readers
from bookmaker.model import Chapter, Paragraph, Series, Text
from bookmaker.readers.html import parse as html_parse
from bookmaker.readers.html.ao3_work import Stats, Work, book_from_work

from paths import DATA, REPO

PACKAGE = REPO / "bookmaker"
# The readers that meet HTML (DOCX's XML parts are Word's, read as XML for mammoth).
HTML_READERS = ("bookmaker/readers/html/", "bookmaker/readers/epub/",
                "bookmaker/readers/markdown/", "bookmaker/readers/mobi.py")
# Each input once: (file, how many documents it holds: pages of an EPUB, blocks of raw HTML).
INPUTS = [
    (DATA / "ao3html" / "multi-chapter-2024" / "input.html", 1),
    (DATA / "ao3page" / "entire-work.html", 1),
    (DATA / "saved_pages" / "wordpress-post.html", 1),
    (DATA / "html" / "saved-page" / "input.html", 1),
    (DATA / "ao3_downloads" / "The_Long_Way_Round.mobi", 1),
]


def modules() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(encoding="utf-8")))
            for path in sorted(PACKAGE.rglob("*.py"))]


def imported(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_only_the_road_parses_html_and_nothing_else_sanitises_it() -> None:
    """justhtml is imported by readers/html/parse.py alone; lxml.html only where readability
    needs its element class; no second sanitiser (nh3) and no lxml HTML or string parse of a
    page anywhere in the readers."""
    for path, tree in modules():
        name = path.relative_to(REPO).as_posix()
        names = imported(tree)
        if "justhtml" in names:
            assert name == "bookmaker/readers/html/parse.py", name
        if "lxml.html" in names:
            assert name == "bookmaker/readers/html/article.py", name
        assert "nh3" not in names, name
        if name.startswith(HTML_READERS):
            calls = {f"{node.func.value.id}.{node.func.attr}" for node in ast.walk(tree)
                     if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                     and isinstance(node.func.value, ast.Name)}
            assert not calls & {"etree.HTML", "etree.fromstring", "etree.XML", "html.fromstring",
                                "etree.tostring"}, name


def test_no_reader_passes_state_down_in_a_context_variable() -> None:
    for path, tree in modules():
        if path.is_relative_to(PACKAGE / "readers"):
            assert "contextvars" not in imported(tree), path


def test_ao3s_words_are_written_once_in_taxonomy() -> None:
    """The labels of AO3's tag list and notes, in every vintage, live in bookmaker/taxonomy.py:
    no reader of the HTML road keeps a list of its own."""
    words = ("additional tags", "archive warnings", "chapter end notes",
             "works inspired by this one", "posted originally on the")
    for path, tree in modules():
        if not path.relative_to(REPO).as_posix().startswith(HTML_READERS):
            continue
        strings = [node.value.lower() for node in ast.walk(tree)
                   if isinstance(node, ast.Constant) and isinstance(node.value, str)
                   and not _is_docstring(node, tree)]
        for word in words:
            assert not any(word in string for string in strings), (path, word)


def _is_docstring(node: ast.Constant, tree: ast.Module) -> bool:
    for owner in ast.walk(tree):
        if isinstance(owner, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) \
                and owner.body and isinstance(owner.body[0], ast.Expr) \
                and owner.body[0].value is node:
            return True
    return False


@pytest.mark.parametrize("path, documents", INPUTS, ids=lambda value: getattr(value, "name", ""))
def test_each_input_is_parsed_once_and_sanitised_once(path: Path, documents: int,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Not once per fragment: an AO3 download's summary, notes and every chapter come out of the
    one tree the file was parsed into."""
    parses: list[object] = []
    cleans: list[object] = []
    real_parser, real_sanitiser = html_parse.JustHTML, html_parse.sanitize_tree

    def counting_parser(*args, **kwargs):
        parses.append(args)
        return real_parser(*args, **kwargs)

    def counting_sanitiser(root):
        cleans.append(root)
        return real_sanitiser(root)

    monkeypatch.setattr(html_parse, "JustHTML", counting_parser)
    monkeypatch.setattr(html_parse, "sanitize_tree", counting_sanitiser)
    book = readers.read(path)
    assert book.chapters
    assert (len(parses), len(cleans)) == (documents, documents)


def test_an_ao3_epub_parses_each_page_once(monkeypatch: pytest.MonkeyPatch) -> None:
    cleans: list[object] = []
    real_sanitiser = html_parse.sanitize_tree
    monkeypatch.setattr(html_parse, "sanitize_tree",
                        lambda root: cleans.append(root) or real_sanitiser(root))
    readers.read(DATA / "ao3_downloads" / "The_Long_Way_Round.epub")
    assert len(cleans) == 6  # its six pages; the summary comes from the preface, not the OPF


def test_a_manuscripts_raw_html_takes_the_road_once_per_block(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cleans: list[object] = []
    real_sanitiser = html_parse.sanitize_tree
    monkeypatch.setattr(html_parse, "sanitize_tree",
                        lambda root: cleans.append(root) or real_sanitiser(root))
    path = tmp_path / "story.md"
    path.write_text("<div><p>one</p></div>\n\ntext\n\n<table><tr><td>two</td></tr></table>\n",
                    encoding="utf-8")
    readers.read(path)
    assert len(cleans) == 2


def test_the_record_of_a_work_becomes_a_book_by_the_metadata_rules(tmp_path: Path) -> None:
    """book_from_work is the one place an AO3 work becomes a Book: its values are judged by
    readers/metadata.py (an old warning name, a rating's alias) as every reader's are."""
    work = Work(title="Small Hours", authors=("nightjar",), rating=("Teen And Up",),
                warnings=("Underage", "Gore"), categories=("Slash",), language="English",
                series=(Series("Soho Nights", 1.0),),
                summary=(Paragraph((Text("Cocoa."),)),),
                chapters=(Chapter("Knock", (Paragraph((Text("xxx"),), 9),
                                                Paragraph((Text("Cocoa followed."),), 10)),
                                      line=8),),
                stats=Stats(published="2021-06-01", chapters=3, planned=None),
                source_url="https://archiveofourown.org/works/31234567",
                lines={"chapters": 7})
    book, found = book_from_work(work, tmp_path / "small-hours.html", str(tmp_path))
    metadata = book.metadata
    assert (metadata.rating, metadata.warnings, metadata.content_notes) == (
        "Teen And Up Audiences", ("Underage Sex",), ("Gore",))
    assert (metadata.categories, metadata.language) == (("M/M",), "en")
    assert metadata.published == "2021-06-01" and metadata.updated is None
    assert [type(block).__name__ for block in book.chapters[0].blocks] == \
        ["SceneBreak", "Paragraph"]
    assert [(finding.level, finding.line) for finding in found] == [("warning", 7)]
    assert "3 chapters posted but this file holds 1 (Knock)" in found[0].message

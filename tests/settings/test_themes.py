"""Themes: each builds a valid EPUB (EPUBChecked at session end) and a PDF in its own face; a
theme folder of one's own overrides templates and stylesheets by file name."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from bookmaker.cli import app
from bookmaker.errors import BookmakerError
from bookmaker.settings.options import BuildOptions
from bookmaker.settings.context import render_context
from bookmaker.convert import build, load
from bookmaker.settings.themes import STYLES, find_theme, list_themes
from bookmaker.writers.epub.stylesheet import merged_stylesheet
from bookmaker.writers.pdf import pdf_bytes

REPO = Path(__file__).resolve().parent.parent.parent
HERO = REPO / "manuscripts" / "a-new-hero.md"
THEMES = ("default", "modern", "typewriter")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """The hero built as EPUB and PDF in every theme, once for the whole module."""
    books = {}
    for name in THEMES:
        out = tmp_path_factory.mktemp(f"theme-{name}")
        [result] = build([HERO], ["epub", "pdf"], out, BuildOptions(style=name))
        assert result.error is None, result.error
        books[name] = {path.suffix: path for path in result.outputs}
    return books


def _fonts(path: Path) -> set[str]:
    """Base font names in the PDF, without the subset prefix (ABCDEF+)."""
    names = set()
    for page in PdfReader(path).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def test_styles_lists_every_theme_with_a_description():
    result = CliRunner().invoke(app, ["styles"])
    assert result.exit_code == 0
    listed = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert sorted(listed) == sorted(THEMES)
    for theme in list_themes():
        assert theme.description and theme.description in listed[theme.name]


@pytest.mark.parametrize("name", THEMES)
def test_each_theme_is_complete(name):
    folder = STYLES / name
    for file_name in ("theme.toml", "epub.css", "print.css"):
        assert (folder / file_name).is_file()
    assert "hr.scene-break" in (folder / "epub.css").read_text(encoding="utf-8")
    theme = find_theme(name)
    assert Path(theme.font_file("regular")).name.endswith(".ttf")


@pytest.mark.parametrize("name", THEMES)
def test_each_theme_packs_its_own_stylesheet(built, name):
    # A built-in theme other than the default is laid over the default's sheet.
    sheets = [STYLES / "default" / "epub.css"] + ([STYLES / name / "epub.css"]
                                                   if name != "default" else [])
    with zipfile.ZipFile(built[name][".epub"]) as book:
        # merged into one sheet Calibre's Check Book accepts (writers/epub/stylesheet.py)
        assert book.read("EPUB/css/book.css").decode() == \
            merged_stylesheet(sheet.read_text(encoding="utf-8") for sheet in sheets)


def test_a_theme_of_ones_own_replaces_a_stylesheet_by_file_name(tmp_path):
    (tmp_path / "epub.css").write_text("p { color: teal; }", encoding="utf-8")
    theme = find_theme(str(tmp_path))
    assert theme.stylesheets("epub.css") == [tmp_path / "epub.css"]
    assert theme.stylesheets("print.css") == [STYLES / "default" / "print.css"]


def test_each_themes_pdf_is_set_in_its_own_face(built):
    faces = {name: _fonts(built[name][".pdf"]) for name in THEMES}
    assert any(font.startswith(("SourceSerifPro", "Source-Serif"))
               for font in faces["default"])
    assert any("Sans-Pro" in font or "SansPro" in font for font in faces["modern"])
    assert any("Mono" in font for font in faces["typewriter"])
    assert len({frozenset(fonts) for fonts in faces.values()}) == 3, faces
    data = {name: built[name][".pdf"].read_bytes() for name in THEMES}
    assert len(set(data.values())) == 3


def test_an_unknown_theme_says_what_there_is():
    with pytest.raises(BookmakerError, match=r"did you mean 'typewriter'\?.*default, modern"):
        find_theme("typewritter")
    with pytest.raises(BookmakerError, match="does not exist"):
        find_theme("./no/such/theme")


def test_a_theme_folder_of_ones_own_overrides_by_file_name(tmp_path):
    theme = tmp_path / "my-theme"
    theme.mkdir()
    (theme / "title.xhtml.j2").write_text(
        (REPO / "bookmaker" / "templates" / "epub" / "title.xhtml.j2").read_text(encoding="utf-8")
        .replace("{% block body %}", "{% block body %}\n<p class=\"mine\">My imprint</p>", 1),
        encoding="utf-8")
    (theme / "print.css").write_text(
        (STYLES / "default" / "print.css").read_text(encoding="utf-8")
        + "\n.titlepage::after { content: 'Printed by my own theme'; }\n", encoding="utf-8")
    out = tmp_path / "out"
    [result] = build([HERO], ["epub"], out, BuildOptions(style=str(theme)))
    assert result.error is None, result.error
    with zipfile.ZipFile(result.outputs[0]) as book:
        assert b"My imprint" in book.read("EPUB/title.xhtml")
        # No epub.css of its own: the default theme's.
        assert book.read("EPUB/css/book.css").decode() == merged_stylesheet(
            [(STYLES / "default" / "epub.css").read_text(encoding="utf-8")])
    context = render_context(BuildOptions(style=str(theme)))
    pdf = PdfReader(io.BytesIO(pdf_bytes(load(HERO), context)))
    assert any("Printed by my own theme" in page.extract_text() for page in pdf.pages[:3])

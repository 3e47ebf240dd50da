"""The PDF writer, read back with pypdf: pages, fonts, text order, outline, metadata; the print
HTML as a golden file; and the URL fetcher that keeps WeasyPrint inside the book's folders."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from bookmaker.safety.assets import drop_unreadable_assets
from bookmaker.writers.pdf.fetcher import FolderFetcher, RefusedURL
from bookmaker.model import Book, Chapter, Metadata, Paragraph, SceneBreak, Text
from bookmaker.settings.options import BuildOptions
from bookmaker.settings.context import render_context
from bookmaker.settings.themes import find_theme
from bookmaker.convert import build, load
from bookmaker.writers.pdf import pdf_bytes
from bookmaker.writers.pdf.layout import Layout, LayoutSettings
from bookmaker.writers.pdf.print_html import print_document

DATA = Path(__file__).parent.parent / "data"
REPO = Path(__file__).parent.parent.parent
KITCHEN_SINK = DATA / "kitchen-sink" / "input.md"
HERO = REPO / "manuscripts" / "a-new-hero.md"
MM_PER_POINT = 25.4 / 72


def _reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def _loaded(path: Path) -> Book:
    book, _ = drop_unreadable_assets(load(path), path)
    return book


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory) -> PdfReader:
    from paths import SEED
    out = tmp_path_factory.mktemp("seed-pdf")
    [result] = build([SEED], ["pdf"], out)
    assert result.error is None
    return PdfReader(result.outputs[0])


@pytest.fixture(scope="module")
def hero_pdf() -> PdfReader:
    return _reader(pdf_bytes(_loaded(HERO)))


@pytest.fixture(scope="module")
def kitchen_sink() -> Book:
    return _loaded(KITCHEN_SINK)


@pytest.fixture(scope="module")
def kitchen_sink_pdfs(kitchen_sink) -> dict[bool, PdfReader]:
    """The kitchen sink laid out both ways: one run, and in parallel parts joined."""
    options = render_context(BuildOptions(workers=2))
    return {parallel: _reader(pdf_bytes(kitchen_sink, options, parallel=parallel))
            for parallel in (False, True)}


def _outline(reader: PdfReader) -> list[tuple[str, int]]:
    return [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]


def _page_of(reader: PdfReader, text: str) -> int:
    return next(i for i, page in enumerate(reader.pages) if text in page.extract_text())


# ---------------------------------------------------------------------- the seed


@pytest.mark.parametrize("name", ["seed", "hero"])
def test_title_is_on_page_one_and_warnings_come_before_the_story(name, request):
    reader = request.getfixturevalue(f"{name}_pdf")
    # Page one is the generated cover, set as type: the title is text there, then again on the
    # title page (the next right-hand page).
    assert reader.pages[0].extract_text().startswith("A New Hero")
    outline = dict(_outline(reader))
    assert outline["Cover"] == 0
    assert "A New Hero" in reader.pages[outline["Title page"]].extract_text()
    story_starts = outline["A New Hero"]
    for warning in ("Character Death", "Gore", "Violence"):
        assert _page_of(reader, warning) < story_starts


def test_every_font_is_embedded(seed_pdf, kitchen_sink_pdfs):
    for reader in (seed_pdf, *kitchen_sink_pdfs.values()):
        fonts = list(_fonts(reader))
        assert fonts, "no fonts found"
        for name, descriptor in fonts:
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), \
                f"{name} is not embedded"
        assert any("Source-Serif-Pro" in name for name, _ in fonts)


def _fonts(reader: PdfReader):
    """(name, font descriptor) of every font on every page and in the forms pages draw."""
    seen = set()
    stack = [page.get("/Resources") for page in reader.pages]
    while stack:
        resources = stack.pop()
        resources = resources.get_object() if resources is not None else None
        if not resources or id(resources) in seen:
            continue
        seen.add(id(resources))
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            for part in [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]:
                if "/FontDescriptor" in part:
                    yield str(part["/BaseFont"]), part["/FontDescriptor"].get_object()
        for xobject in (resources.get("/XObject") or {}).values():
            stack.append(xobject.get_object().get("/Resources"))


def test_metadata_and_language(kitchen_sink_pdfs):
    for reader in kitchen_sink_pdfs.values():
        info = reader.metadata
        assert info["/Title"] == "A New Hero"
        assert info["/Author"] == "Ash Writer, Co Author"
        assert info["/Subject"] == "Sephiroth\u2019s last stand, and what Genesis does after."
        assert info["/Keywords"] == "Angst, Canon Divergence"
        assert reader.trailer["/Root"]["/Lang"] == "en-GB"


# ---------------------------------------------------------------------- structure


def test_outline_has_the_front_pages_and_every_chapter(kitchen_sink, kitchen_sink_pdfs):
    reader = kitchen_sink_pdfs[False]
    labels = [label for label, _ in _outline(reader)]
    assert labels[:4] == ["Cover", "Title page", "Before you read", "Contents"]
    assert labels[4:] == ["Chapter 1", "Chapter One: The Fall", "Chapter Two", "End notes"]
    assert len(kitchen_sink.chapters) == 3


def test_chapters_start_on_right_hand_pages_numbered_in_the_contents(kitchen_sink_pdfs):
    reader = kitchen_sink_pdfs[False]
    outline = dict(_outline(reader))
    contents = reader.pages[outline["Contents"]].extract_text()
    for label in ("Chapter One: The Fall", "Chapter Two", "End notes"):
        page = outline[label]
        assert page % 2 == 0, f"{label} starts on a left-hand page"
        assert f"{page + 1}" in contents.split(label, 1)[1].split("\n", 1)[0]
        # The page number is printed at the page's foot.
        assert "".join(reader.pages[page].extract_text().split()).endswith(str(page + 1))


def test_both_layout_paths_make_the_same_book(kitchen_sink_pdfs):
    single, parallel = kitchen_sink_pdfs[False], kitchen_sink_pdfs[True]
    assert len(single.pages) == len(parallel.pages)
    assert _outline(single) == _outline(parallel)
    for one, other in zip(single.pages, parallel.pages, strict=False):
        assert one.extract_text() == other.extract_text()


def _tiny_book(**metadata) -> Book:
    return Book(Metadata(title="Tiny", authors=("Someone",), **metadata), chapters=(
        Chapter("One", (Paragraph((Text("First words."),)), SceneBreak(),
                        Paragraph((Text("After the break."),)))),
        Chapter("Two", (Paragraph((Text("Second chapter."),)),))))


@pytest.mark.parametrize(("paper", "size_mm"), [
    ("a5", (148, 210)), ("a4", (210, 297)), ("letter", (215.9, 279.4)),
    ("half-letter", (139.7, 215.9)), ("5x8", (127, 203.2)), ("6x9", (152.4, 228.6))])
def test_page_size_follows_paper(paper, size_mm):
    reader = _reader(pdf_bytes(_tiny_book(), render_context(BuildOptions(paper=paper))))
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width * MM_PER_POINT, 1), round(height * MM_PER_POINT, 1)) == size_mm


@pytest.mark.parametrize("placement", ["end", "omit"])
def test_warnings_placement(placement):
    book = _tiny_book(warnings=("Major Character Death",))
    reader = _reader(pdf_bytes(book, render_context(BuildOptions(warnings=placement))))
    texts = [page.extract_text() for page in reader.pages]
    story = dict(_outline(reader))["One"]
    found = [i for i, text in enumerate(texts) if "Major Character Death" in text]
    if placement == "omit":
        assert found == []
    else:
        assert found and min(found) > story
        assert "at the end of the book" in texts[dict(_outline(reader))["Title page"]]


def test_drop_caps_change_the_chapter_opening():
    plain = print_document(_tiny_book())
    dropped = print_document(_tiny_book(), render_context(BuildOptions(drop_caps=True)))
    assert 'class="book paper-a5"' in plain and 'class="book paper-a5 drop-caps"' in dropped
    assert '<p class="opening">First words.</p>' in dropped


def test_scene_break_is_a_visible_ornament_kept_with_its_text():
    html = print_document(_tiny_book())
    assert '<div class="scene-break" role="separator">*\u2002*\u2002*</div>\n<p>After' in html


# The kitchen sink's print HTML is a golden file of tests/test_kitchen_sink.py.


# ---------------------------------------------------------------------- bad input and safety


def test_fetcher_refuses_everything_but_data_and_allowed_files(tmp_path, listener):
    port, connections = listener
    inside = tmp_path / "book"
    inside.mkdir()
    (inside / "ok.png").write_bytes(b"png")
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (inside / "link.png").symlink_to(secret)
    fetcher = FolderFetcher(inside)
    assert fetcher.fetch((inside / "ok.png").as_uri()).read() == b"png"
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    for url in (secret.as_uri(), (inside / "link.png").as_uri(), f"{inside.as_uri()}/../secret.txt",
                f"http://127.0.0.1:{port}/x.png", f"https://127.0.0.1:{port}/",
                f"ftp://127.0.0.1:{port}/x", "file://otherhost/etc/passwd"):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
    assert connections == []
    assert len(fetcher.refused) == 7


@pytest.mark.expect_log_warnings
def test_layout_loads_nothing_outside_the_folder(tmp_path, listener):
    port, connections = listener
    secret = tmp_path / "secret.css"
    secret.write_text("p { color: red }")
    book_dir = tmp_path / "book"
    book_dir.mkdir()
    layout = Layout(LayoutSettings(str(book_dir), "a5", find_theme("default")))
    html = (f'<html><head><link rel="stylesheet" href="{secret.as_uri()}">'
            f'<style>@import url("http://127.0.0.1:{port}/a.css");'
            f'p {{ background: url("http://127.0.0.1:{port}/b.png") }}</style></head>'
            f'<body><p>Hi</p><img src="http://127.0.0.1:{port}/c.png">'
            f'<img src="file:///etc/passwd"></body></html>')
    layout.render(html).write_pdf()
    assert connections == []
    assert set(layout.fetcher.refused) >= {secret.as_uri(), "file:///etc/passwd",
                                           f"http://127.0.0.1:{port}/c.png"}


@pytest.mark.parametrize("reference", ["missing.png", "../outside.png"])
def test_a_bad_image_is_dropped_with_a_warning_and_the_book_still_builds(tmp_path, reference):
    folder = tmp_path / "book"
    folder.mkdir()
    (tmp_path / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    manuscript = folder / "story.md"
    manuscript.write_text(f"---\ntitle: Pictures\n---\n\nText.\n\n![a picture]({reference})\n",
                          encoding="utf-8")
    [result] = build([manuscript], ["pdf"], tmp_path / "out")
    assert result.error is None
    assert any("story.md:7" in warning and reference in warning for warning in result.warnings)
    assert "Text." in PdfReader(result.outputs[0]).pages[-1].extract_text()

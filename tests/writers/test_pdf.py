"""The PDF writer, read back with pypdf: pages, fonts, text order, outline, metadata; the print
HTML as a golden file; and the URL fetcher that keeps WeasyPrint inside the book's folders."""

from __future__ import annotations

import dataclasses
import io
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from bookmaker.safety.assets import drop_unreadable_assets
from bookmaker.writers.pdf.fetcher import FolderFetcher, RefusedURL
from bookmaker.model import Book, Chapter, ListBlock, Metadata, Paragraph, SceneBreak, Text, \
    plain_text
from bookmaker.settings.options import BuildOptions
from bookmaker.settings.context import render_context
from bookmaker.settings.themes import find_theme
from bookmaker.convert import build, load
from bookmaker.writers.pdf import pdf_bytes
from bookmaker.writers.pdf.layout import Layout, LayoutSettings
from bookmaker.writers.pdf import print_document

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
def seed_pdf_path(tmp_path_factory) -> Path:
    from paths import SEED
    out = tmp_path_factory.mktemp("seed-pdf")
    [result] = build([SEED], ["pdf"], out)
    assert result.error is None
    return result.outputs[0]


@pytest.fixture(scope="module")
def seed_pdf(seed_pdf_path) -> PdfReader:
    return PdfReader(seed_pdf_path)


@pytest.fixture(scope="module")
def hero_pdf() -> PdfReader:
    return _reader(pdf_bytes(_loaded(HERO)))


@pytest.fixture(scope="module")
def kitchen_sink() -> Book:
    return _loaded(KITCHEN_SINK)


@pytest.fixture(scope="module")
def kitchen_sink_files(kitchen_sink, tmp_path_factory) -> dict[bool, Path]:
    """The kitchen sink laid out both ways: one run, and in parallel parts joined."""
    options = render_context(BuildOptions(workers=2))
    folder = tmp_path_factory.mktemp("kitchen-sink")
    files = {}
    for parallel in (False, True):
        files[parallel] = folder / f"{'parallel' if parallel else 'single'}.pdf"
        files[parallel].write_bytes(pdf_bytes(kitchen_sink, options, parallel=parallel))
    return files


@pytest.fixture(scope="module")
def kitchen_sink_pdfs(kitchen_sink_files) -> dict[bool, PdfReader]:
    return {parallel: PdfReader(path) for parallel, path in kitchen_sink_files.items()}


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


# ---------------------------------------------------------------------- what other readers see


def _write(tmp_path: Path, data: bytes, name: str = "book.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_every_page_reads_the_same_in_mupdf_and_ghostscript(seed_pdf_path):
    """The folios used to be written inline in /Contents: MuPDF showed the numbered pages blank
    and Ghostscript dropped them."""
    import pdf_checks
    path = seed_pdf_path
    for page in pikepdf.open(path).pages:
        contents = page.obj.get("/Contents")
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        assert all(stream.is_indirect for stream in streams if stream is not None)
    assert [str(problem) for problem in pdf_checks.check(path)] == []


def _structure(path: Path) -> list[tuple[str, str]]:
    """(tag, text) of every heading and paragraph in the tagged PDF's structure tree, in tree
    order, from poppler's ``pdfinfo -struct-text``."""
    lines = subprocess.run(["pdfinfo", "-struct-text", str(path)], capture_output=True,
                           text=True, check=True).stdout.splitlines()
    found: list[tuple[str, str]] = []
    depth = None
    for line in lines:
        indent = len(line) - len(line.lstrip())
        stripped = line.strip()
        tag = stripped.split(" ", 1)[0]
        if depth is not None and indent <= depth:
            depth = None
        if tag in ("P", "H1", "H2", "H3") and depth is None:
            found.append((tag, ""))
            depth = indent
        elif depth is not None and stripped.startswith('"'):
            found[-1] = (found[-1][0], found[-1][1] + stripped[1:-1])
    return found


def test_the_story_is_in_the_structure_tree_in_reading_order(kitchen_sink, kitchen_sink_files):
    structure = _structure(kitchen_sink_files[False])
    texts = [text for _, text in structure]
    # Headings as headings, and the story's paragraphs after their chapter's heading, in order.
    assert ("H1", "Chapter One: The Fall") in structure
    story = [" ".join(plain_text((block,)).split()) for chapter in kitchen_sink.chapters
             for block in chapter.blocks if isinstance(block, Paragraph)]
    positions = [next(i for i, text in enumerate(texts) if " ".join(text.split()) == paragraph
                      or " ".join(text.split()).startswith(paragraph[:40]))
                 for paragraph in story[:6]]
    assert positions == sorted(positions)
    assert texts.index("Chapter One: The Fall") < texts.index("Chapter Two")


def test_single_and_parallel_layouts_give_the_same_structure(kitchen_sink_files):
    paths = [kitchen_sink_files[False], kitchen_sink_files[True]]
    single, parallel = (_structure(path) for path in paths)
    assert len(single) > 20
    assert single == parallel
    for path in paths:
        with pikepdf.open(path) as pdf:
            root = pdf.Root
            assert root.MarkInfo.Marked is True
            assert str(root.Lang) == "en-GB"
            assert root.ViewerPreferences.DisplayDocTitle is True
            with pdf.open_metadata() as xmp:
                assert xmp["pdfuaid:part"] == "1"
            _check_parent_tree(pdf)


def test_pdfua_checks_pass_for_both_layouts(kitchen_sink_files):
    """pdfua (the machine-checkable subset of PDF/UA-1 it implements: structure tree, MarkInfo,
    language, figure alt text, link descriptions, title, XMP identification...)."""
    for path in kitchen_sink_files.values():
        checked = subprocess.run([sys.executable, "-m", "pdfua", "check", str(path)],
                                 capture_output=True, text=True)
        assert checked.returncode == 0 and "result: PASS" in checked.stdout, checked.stdout


def _check_parent_tree(pdf: pikepdf.Pdf) -> None:
    """Every page's /StructParents key is in the parent tree, once, and leads to elements
    of that page."""
    nums = list(pdf.Root.StructTreeRoot.ParentTree.Nums)
    tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    assert len(tree) == len(nums) // 2
    for page in pdf.pages:
        if "/StructParents" in page.obj:
            for element in tree[int(page.obj.StructParents)]:
                assert element.Pg.objgen == page.obj.objgen


def test_images_have_alt_text_in_the_structure_tree(tmp_path):
    folder = tmp_path / "book"
    folder.mkdir()
    (folder / "dot.png").write_bytes(_png())
    manuscript = folder / "story.md"
    manuscript.write_text("---\ntitle: Pictures\n---\n\nText.\n\n![A red dot](dot.png)\n\n"
                          "![](dot.png)\n", encoding="utf-8")
    [result] = build([manuscript], ["pdf"], tmp_path / "out")
    assert result.error is None
    with pikepdf.open(result.outputs[0]) as pdf:
        figures = [element for element in _elements(pdf.Root.StructTreeRoot.K)
                   if element.get("/S") == "/Figure"]
    assert [str(figure.Alt) for figure in figures] == ["A red dot", "Illustration"]


def _elements(node):
    if isinstance(node, pikepdf.Array):
        for item in node:
            yield from _elements(item)
    elif isinstance(node, pikepdf.Dictionary) and node.get("/Type") != "/OBJR":
        yield node
        yield from _elements(node.get("/K", pikepdf.Array()))


def _png() -> bytes:
    from PIL import Image as PillowImage
    out = io.BytesIO()
    PillowImage.new("RGB", (8, 8), (200, 0, 0)).save(out, "PNG")
    return out.getvalue()


# ---------------------------------------------------------------------- print-shop details


def test_print_scaling_off_and_dates_from_the_book(tmp_path):
    book = _tiny_book(updated="2024-03-05")
    context = dataclasses.replace(render_context(), source_date_epoch=None)
    with pikepdf.open(_write(tmp_path, pdf_bytes(book, context))) as pdf:
        assert pdf.Root.ViewerPreferences.PrintScaling == pikepdf.Name.None_
        assert str(pdf.docinfo.CreationDate) == "D:20240305000000Z"
        assert str(pdf.docinfo.ModDate) == "D:20240305000000Z"
        with pdf.open_metadata() as xmp:
            assert xmp["xmp:CreateDate"].startswith("2024-03-05T00:00:00")


def test_ordered_lists_keep_their_start(tmp_path):
    book = Book(Metadata(title="Lists"), chapters=(Chapter("One", (
        ListBlock(((Paragraph((Text("third"),)),), (Paragraph((Text("fourth"),)),)),
                  ordered=True, start=3),)),))
    text = _pdftotext(_write(tmp_path, pdf_bytes(book)))
    assert "3. third" in text and "4. fourth" in text


def _pdftotext(path: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


# The longest labels the warnings page prints, with long AO3 values beside them.
LONG_DETAILS = {
    "fandoms": ("Final Fantasy VII Remake Intergrade (Video Game 2021)", "Crisis Core"),
    "categories": ("Multi", "Other"),
    "relationships": ("Genesis Rhapsodos/Sephiroth/Angeal Hewley/Zack Fair/Cloud Strife",
                   "Aerith Gainsborough & Tifa Lockhart"),
    "characters": ("Sephiroth (Compilation of FFVII)", "Genesis Rhapsodos"),
    "tags": ("Alternate Universe - Canon Divergence", "Hurt/Comfort")}


@pytest.mark.parametrize("style", ["default", "modern", "typewriter"])
@pytest.mark.parametrize("paper", ["a5", "5x8"])
def test_warnings_labels_never_touch_their_values(tmp_path, style, paper):
    book = _tiny_book(rating="Mature", **LONG_DETAILS)  # type: ignore[arg-type]
    context = render_context(BuildOptions(style=style, paper=paper))
    path = _write(tmp_path, pdf_bytes(book, context))
    words = _words(path, page=next(number for number, page in enumerate(
        _reader(path.read_bytes()).pages, start=1) if "before you read" in
        page.extract_text().lower()))
    for label in ("Fandoms", "Categories", "Relationships", "Characters", "Tags"):
        box = _spelled(words, label)
        beside = [word for word in words if abs(word[1] - box[1]) < 2 and word[0] > box[2] - 1]
        assert beside, f"nothing beside {label}"
        gap = min(word[0] for word in beside) - box[2]
        assert gap >= 4, f"{label} is {gap:.1f} pt from its value ({style}, {paper})"


def _spelled(words: list[tuple[float, float, float, float, str]],
             label: str) -> tuple[float, float, float, float]:
    """The box of the run of words on one line that spells ``label`` (synthesised small caps
    come out of poppler in pieces: "r elationShipS")."""
    for start, first in enumerate(words):
        text, end = "", start
        while end < len(words) and abs(words[end][1] - first[1]) < 2 and len(text) < len(label):
            text += words[end][4]
            end += 1
        if text.lower() == label.lower():
            return first[0], first[1], words[end - 1][2], words[end - 1][3]
    raise AssertionError(f"{label} is not on the page")


def _words(path: Path, page: int) -> list[tuple[float, float, float, float, str]]:
    """(x min, y min, x max, y max, word) of every word poppler finds on ``page`` (1-based)."""
    import html
    import re
    xhtml = _pdftotext(path, "-bbox", "-f", str(page), "-l", str(page))
    return [(float(a), float(b), float(c), float(d), html.unescape(word)) for a, b, c, d, word
            in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                          r'yMax="([\d.]+)">([^<]*)</word>', xhtml)]


@pytest.mark.parametrize("parallel", [False, True])
def test_contents_entries_are_links_to_their_chapters(kitchen_sink_pdfs, parallel):
    reader = kitchen_sink_pdfs[parallel]
    outline = dict(_outline(reader))
    contents = reader.pages[outline["Contents"]]
    targets = []
    for annotation in contents.get("/Annots", []):
        annotation = annotation.get_object()
        destination = annotation.get("/Dest")
        if isinstance(destination, str) or hasattr(destination, "original_bytes"):
            destination = reader.named_destinations[str(destination)]
            targets.append(destination.page if isinstance(destination.page, int)
                           else reader.get_page_number(destination.page.get_object()))
        elif destination is not None:
            targets.append(reader.get_page_number(destination[0].get_object()))
    # One annotation for each box of an entry (its words, the leader, the number).
    assert list(dict.fromkeys(targets)) == [outline[label] for label in
                       ("Chapter 1", "Chapter One: The Fall", "Chapter Two", "End notes")]


def test_blank_pages_are_found_without_private_weasyprint_attributes():
    source = "\n".join(path.read_text(encoding="utf-8") for path in
                       (REPO / "bookmaker" / "writers").rglob("*.py"))
    assert "_page_box" not in source and "page_type" not in source

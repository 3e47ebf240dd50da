"""The zine writers, read back with pypdf: sheet size and orientation, how many sheet sides, and
which book page lands on which half (or cell) of each side, found by each page's marker text."""

from __future__ import annotations

import functools
import io
import math
import re

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from bookmaker.errors import ManuscriptError
from bookmaker.model import Book, Chapter, Metadata, Paragraph, Text
from bookmaker.settings.options import BuildOptions, parse_length
from bookmaker.convert import build
from bookmaker.writers.zine.imposition import MM, padded_order, saddle_pairs
from bookmaker.writers.zine.minizine import minizine_bytes
from bookmaker.writers.zine import impose_booklet

A4 = (297 * MM, 210 * MM)
LETTER = (279.4 * MM, 215.9 * MM)
MARKER = re.compile(r"P(\d\d)")


@functools.cache
def marked_pdf(pages: int, size: str = "148mm 210mm") -> bytes:
    """A book of ``pages`` pages, page i showing only the marker ``Pii`` in its middle."""
    from weasyprint import HTML
    body = "".join(f'<div style="break-after: page; text-align: center; padding-top: 80mm">'
                   f"P{number:02d}</div>" for number in range(1, pages + 1))
    return HTML(string=f"<style>@page {{ size: {size}; margin: 10mm }}</style>{body}").write_pdf()


def imposed(pages: int, **options) -> PdfReader:
    options.setdefault("guide", False)
    return PdfReader(io.BytesIO(impose_booklet(marked_pdf(pages), BuildOptions(**options), "T")))


def markers(page, columns: int = 2, rows: int = 1) -> dict[tuple[int, int], list[int]]:
    """The marker numbers on a sheet side, by cell (column, row from the bottom), found from where
    each piece of text is drawn; also records each marker's x position (points)."""
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    found: dict[tuple[int, int], list[int]] = {}

    def visit(text, cm, tm, font, size):
        match = MARKER.search(text)
        if match:
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            cell = (int(x // (width / columns)), int(y // (height / rows)))
            found.setdefault(cell, []).append(int(match.group(1)))
            positions.append((int(match.group(1)), x))

    positions: list[tuple[int, float]] = []
    page.extract_text(visitor_text=visit)
    found["x"] = positions
    return found


def halves(page) -> tuple[int, int]:
    """(left, right) marker on a sheet side; 0 for a blank half."""
    cells = markers(page)
    return tuple(cells.get((column, 0), [0])[0] for column in (0, 1))


# ---------------------------------------------------------------------- order, no PDF


def test_padding_goes_before_the_back_cover():
    assert padded_order(5) == [1, 2, 3, 4, 0, 0, 0, 5]
    assert padded_order(8) == list(range(1, 9))
    assert padded_order(10)[-3:] == [0, 0, 10]


def test_saddle_pairs_follow_the_folding_order():
    assert saddle_pairs(8) == [((8, 1), (2, 7)), ((6, 3), (4, 5))]


def test_creep_is_parsed_in_printers_units():
    assert parse_length("0.2mm") == pytest.approx(0.2)
    assert parse_length("0.01in") == pytest.approx(0.254)
    assert parse_length("0.3") == pytest.approx(0.3)
    with pytest.raises(ValueError, match=r"0\.2mm"):
        parse_length("a bit")


@pytest.mark.parametrize("bad", [{"signature": 6}, {"flip": "sideways"}, {"sheet": "a5"},
                                 {"creep": -1.0}])
def test_bad_zine_options_are_refused(bad):
    with pytest.raises(ValueError):
        BuildOptions(**bad)


# ---------------------------------------------------------------------- saddle stitch


def test_a5_pages_go_on_landscape_a4_sheets():
    reader = imposed(8)
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4)


def test_half_letter_pages_go_on_letter_and_sheet_overrides():
    reader = PdfReader(io.BytesIO(impose_booklet(marked_pdf(4, "139.7mm 215.9mm"), BuildOptions(
        paper="half-letter", guide=False), "T")))
    assert (float(reader.pages[0].mediabox.width),
            float(reader.pages[0].mediabox.height)) == pytest.approx(LETTER)
    a3 = imposed(4, sheet="a3").pages[0]
    assert float(a3.mediabox.width) == pytest.approx(420 * MM)


@pytest.mark.parametrize("pages", [4, 5, 8, 11, 12])
def test_sheet_sides_and_page_order_by_content(pages):
    reader = imposed(pages)
    assert len(reader.pages) == 2 * math.ceil(pages / 4)
    order = padded_order(pages)
    for k, (front, back) in enumerate(saddle_pairs(len(order))):
        for side, positions in ((reader.pages[2 * k], front), (reader.pages[2 * k + 1], back)):
            assert halves(side) == tuple(order[p - 1] for p in positions)


def test_padding_blanks_sit_before_the_back_cover_not_in_the_story():
    reader = imposed(5)  # 8 positions: 1 2 3 4 _ _ _ 5
    assert halves(reader.pages[0]) == (5, 1)  # back cover outside, with the front
    assert halves(reader.pages[1]) == (2, 0)
    assert halves(reader.pages[2]) == (0, 3)
    assert halves(reader.pages[3]) == (4, 0)


def test_signatures_are_imposed_each_on_its_own():
    reader = imposed(16, signature=8)
    assert len(reader.pages) == 8
    assert [halves(page) for page in reader.pages] == [
        (8, 1), (2, 7), (6, 3), (4, 5), (16, 9), (10, 15), (14, 11), (12, 13)]


def test_creep_moves_inner_sheets_pages_towards_the_spine():
    plain, crept = imposed(12), imposed(12, creep=0.5)
    for sheet in range(3):
        for side in (2 * sheet, 2 * sheet + 1):
            before = dict(markers(plain.pages[side])["x"])
            after = dict(markers(crept.pages[side])["x"])
            left, right = halves(plain.pages[side])
            assert after[left] - before[left] == pytest.approx(sheet * 0.5 * MM, abs=0.01)
            assert after[right] - before[right] == pytest.approx(-sheet * 0.5 * MM, abs=0.01)


def test_long_edge_flip_turns_the_back_sides_around():
    short, long = imposed(8), imposed(8, flip="long")
    assert halves(long.pages[0]) == halves(short.pages[0]) == (8, 1)
    # Turned 180 degrees: the back's left page is now drawn on the right.
    assert halves(long.pages[1]) == tuple(reversed(halves(short.pages[1])))


def test_marks_draw_fold_and_crop_lines():
    def strokes(page) -> list[bytes]:
        operations = ContentStream(page.get_contents(), page.pdf).operations
        return [operator for _, operator in operations if operator in (b"S", b"d")]

    plain, marked = strokes(imposed(4).pages[0]), strokes(imposed(4, marks=True).pages[0])
    assert plain.count(b"S") == 0
    assert marked.count(b"S") == 2 + 4 * 2  # the two fold ends; two strokes at each corner
    assert b"d" in marked  # the fold is dashed


def test_the_printing_guide_is_the_last_sheet():
    reader = PdfReader(io.BytesIO(impose_booklet(marked_pdf(8), BuildOptions(flip="long"), "T")))
    assert len(reader.pages) == 5
    guide = reader.pages[-1].extract_text()
    assert "flip on long edge" in guide and "2 sheets" in guide


# ---------------------------------------------------------------------- a real book


def _short_book(paragraphs: int) -> Book:
    text = "The rain came down on Midgar and nobody was watching. " * 6
    return Book(Metadata(title="Rain", authors=("Someone",)),
                chapters=(Chapter(title="Rain", blocks=tuple(
                    Paragraph((Text(text),)) for _ in range(paragraphs))),))


def test_zine_of_a_book_through_build(tmp_path):
    """The real book's print PDF and its zine from one build: each sheet half carries the text of
    the book page the folding order puts there."""
    [result] = build([_write_manuscript(tmp_path)], ["pdf", "zine"], tmp_path / "dist",
                     BuildOptions(guide=False))
    assert result.error is None
    pdf, zine = (PdfReader(dest) for dest in result.outputs)
    assert result.outputs[1].name.endswith(".zine.pdf")
    pages = len(pdf.pages)
    assert len(zine.pages) == 2 * math.ceil(pages / 4)
    order = padded_order(pages)
    for k, (front, back) in enumerate(saddle_pairs(len(order))):
        for side, positions in ((zine.pages[2 * k], front), (zine.pages[2 * k + 1], back)):
            for half, position in zip(halves_text(side), positions, strict=False):
                page = order[position - 1]
                expected = pdf.pages[page - 1].extract_text() if page else ""
                assert _words(half) == _words(expected)


def _words(text: str) -> list[str]:
    """The words of a page's text without its folio: pypdf reports the stamped page numbers at
    the sheet's origin, whatever the placement, so they cannot be told apart by position."""
    return [word for word in text.split() if not word.isdigit()]


def halves_text(page) -> tuple[str, str]:
    width = float(page.mediabox.width)
    parts = ["", ""]

    def visit(text, cm, tm, font, size):
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        parts[int(x >= width / 2)] += text

    page.extract_text(visitor_text=visit)
    return parts[0], parts[1]


def _write_manuscript(folder):
    path = folder / "rain.md"
    path.write_text("---\ntitle: Rain\nauthor: Someone\n---\n\n"
                    + "The rain came down on Midgar and nobody was watching.\n\n" * 30,
                    encoding="utf-8")
    return path


def test_minizine_order():
    reader = PdfReader(io.BytesIO(minizine_bytes(_short_book(1))))
    [page] = reader.pages
    assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4)


def test_minizine_cells_by_content():
    from bookmaker.writers.zine.imposition import impose, minizine_side
    from bookmaker.writers.zine.minizine import minizine_pages
    side = minizine_pages(minizine_side(A4), 8)
    reader = PdfReader(io.BytesIO(_written(impose(marked_pdf(8, "74.25mm 105mm"), [side], A4))))
    cells = markers(reader.pages[0], columns=4, rows=2)
    assert [cells[(c, 1)] for c in range(4)] == [[5], [4], [3], [2]]
    assert [cells[(c, 0)] for c in range(4)] == [[6], [7], [8], [1]]


def test_minizine_too_long_says_how_many_pages_it_needs():
    with pytest.raises(ManuscriptError, match=r"needs \d+ pages and a mini-zine has 8"):
        minizine_bytes(_short_book(60))


def _written(writer) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("args, message", [
    (["--creep", "lots"], "is not a length"),
    (["--signature", "6"], "multiple of 4"),
    (["--flip", "sideways"], "flip must be one of"),
])
def test_cli_refuses_bad_zine_options_and_writes_nothing(tmp_path, args, message):
    from typer.testing import CliRunner

    from bookmaker.cli import app
    out = tmp_path / "dist"
    result = CliRunner().invoke(app, ["build", str(_write_manuscript(tmp_path)), "-f", "zine",
                                      "-o", str(out), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()


# ---------------------------------------------------------------------- metadata and print settings


@pytest.mark.parametrize(("sheet", "label"), [("a4", "A4"), ("letter", "US Letter"),
                                              ("a3", "A3")])
def test_the_printing_guide_names_the_sheet_as_a_print_shop_does(sheet, label):
    reader = PdfReader(io.BytesIO(impose_booklet(marked_pdf(8), BuildOptions(sheet=sheet), "T")))
    guide = " ".join(reader.pages[-1].extract_text().split())
    assert f"of {label} paper" in guide


def _described_book() -> Book:
    return Book(Metadata(title="Pluie", authors=("Quelqu'un", "Autre"), language="fr",
                         tags=("Angst", "Fluff"), updated="2023-07-14"),
                chapters=(Chapter(title="Pluie", blocks=(Paragraph((Text("Il pleut."),)),)),))


@pytest.mark.parametrize(("writer", "sheet"), [("zine", None), ("minizine", "a4"),
                                               ("minizine", "letter")])
def test_zines_carry_the_books_metadata_and_print_at_actual_size(writer, sheet):
    import dataclasses

    import pikepdf

    from bookmaker.settings.context import render_context
    from bookmaker.writers.zine import zine_bytes
    context = dataclasses.replace(render_context(BuildOptions(sheet=sheet)),
                                  source_date_epoch=None)
    made = {"zine": zine_bytes, "minizine": minizine_bytes}[writer](_described_book(), context)
    with pikepdf.open(io.BytesIO(made)) as pdf:
        info = pdf.docinfo
        assert str(info.Title).startswith("Pluie (")
        assert str(info.Author) == "Quelqu'un, Autre"
        assert str(info.Keywords) == "Angst, Fluff"
        assert str(info.CreationDate) == str(info.ModDate) == "D:20230714000000Z"
        assert str(pdf.Root.Lang) == "fr"
        assert pdf.Root.ViewerPreferences.PrintScaling == pikepdf.Name.None_
        with pdf.open_metadata() as xmp:
            assert xmp["dc:creator"] == ["Quelqu'un", "Autre"]
            assert set(xmp["dc:language"]) == {"fr"}

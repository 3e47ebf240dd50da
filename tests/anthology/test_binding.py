"""For binders: signatures as separate PDFs in folding order, flyleaves and padding, volumes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from anthology_material import rain_folder
from paths import DATA, SEED
from pypdf import PdfReader
from typer.testing import CliRunner

from bookmaker.cli import app
from bookmaker.convert import build, build_anthology, load
from bookmaker.errors import BookmakerError
from bookmaker.readers import read_anthology_spec
from bookmaker.settings.context import RenderContext
from bookmaker.settings.options import BuildOptions
from bookmaker.writers.pdf import pdf_bytes
from bookmaker.writers.pdf.volumes import Unit, by_count, by_max_pages
from bookmaker.writers.zine.imposition import binder_order, saddle_pairs, signatures

AO3_MULTI = DATA / "ao3html" / "multi-chapter-2024" / "input.html"


# --------------------------------------------------------------------------- padding


def test_a_bound_books_blanks_are_the_fewest_and_sit_before_the_back_flyleaves():
    assert binder_order(8) == list(range(1, 9))
    assert binder_order(10) == [*range(1, 11), 0, 0]
    order = binder_order(9, flyleaves=1)
    assert order[:2] == [0, 0] and order[-2:] == [0, 0]  # one leaf each end
    assert order[2:11] == list(range(1, 10)) and order[11:-2] == [0, 0, 0]
    assert len(order) % 4 == 0 and len(order) - 9 - 4 < 4


def test_flyleaves_are_checked():
    with pytest.raises(ValueError, match="flyleaves"):
        BuildOptions(flyleaves=11)


# --------------------------------------------------------------------------- signatures


def _halves(page) -> tuple[str, str]:
    """The text on the left and right half of an imposed sheet side, without spaces and without
    the page numbers (stamped as forms, whose position the extraction does not report)."""
    half = float(page.mediabox.width) / 2
    parts: dict[bool, list[str]] = {True: [], False: []}

    def visit(text, cm, tm, font, size):
        if text.strip() and not text.strip().isdigit():
            parts[cm[0] * tm[4] + cm[2] * tm[5] + cm[4] < half].append(text)

    page.extract_text(visitor_text=visit)
    return tuple("".join("".join(parts[side]).split()) for side in (True, False))


def _text(page) -> str:
    return "".join(_halves_of_one(page).split())


def _halves_of_one(page) -> str:
    found: list[str] = []
    page.extract_text(visitor_text=lambda text, *_: found.append(text)
                      if text.strip() and not text.strip().isdigit() else None)
    return "".join(found)


def test_split_signatures_give_one_pdf_per_signature_in_folding_order(tmp_path):
    options = BuildOptions(signature=8, split_signatures=True, flyleaves=1, guide=False)
    results = build([SEED], ["zine"], tmp_path, options)
    assert results[0].error is None, results[0].error
    book = PdfReader(io.BytesIO(pdf_bytes(load(SEED), RenderContext(options))))
    pages = [_text(page) for page in book.pages]
    order = binder_order(len(pages), flyleaves=1)
    files = sorted(tmp_path.glob("*.signature-*.pdf"))
    groups = signatures(order, 8)
    assert len(files) == len(groups) >= 2
    text_halves = 0
    for path, group in zip(files, groups, strict=True):
        sides = PdfReader(path).pages
        assert len(sides) == len(group) // 2  # two sides per sheet, four pages per sheet
        expected = [position for pair in saddle_pairs(len(group)) for position in pair]
        for side, (left, right) in zip(sides, expected, strict=True):
            want = tuple(pages[group[p - 1] - 1] if group[p - 1] else "" for p in (left, right))
            assert _halves(side) == want
            text_halves += sum(1 for half in want if half)
    assert text_halves >= 8  # the story's pages, not only blanks, were compared
    # the story is all there, once, and reads on from one signature to the next
    assert [page for page in order if page] == list(range(1, len(pages) + 1))


# --------------------------------------------------------------------------- volumes


def _chapters(count: int, pages: int) -> list[Unit]:
    return [Unit(0, number, number, pages) for number in range(count)]


def test_a_700_page_book_splits_into_two_even_volumes_at_chapters():
    units = _chapters(28, 25)  # 700 pages
    first, second = by_count(units, 2)
    assert sum(u.pages for u in first) == sum(u.pages for u in second) == 350
    assert first + second == units


def test_volumes_cut_at_work_boundaries_when_there_are_enough_works():
    units = [Unit(0, 0, 0, 100), Unit(0, 1, 1, 150), Unit(1, 0, 0, 50), Unit(2, 0, 0, 300)]
    groups = by_count(units, 2)
    assert [[u.work for u in g] for g in groups] == [[0, 1], [2]]


def test_max_pages_keeps_every_volume_within_its_pages():
    units = _chapters(35, 20)
    groups = by_max_pages(units, 300, front_pages=8)
    assert all(sum(u.pages for u in g) + 8 <= 300 for g in groups)
    assert len(groups) == 3 and [u for g in groups for u in g] == units


def test_too_few_chapters_to_split_is_a_clear_error():
    with pytest.raises(BookmakerError, match="only 1 chapter"):
        by_count(_chapters(1, 700), 2)


def _outline_titles(path: Path) -> list[str]:
    reader = PdfReader(path)
    titles: list[str] = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


def test_volumes_are_complete_books_with_their_own_title_page_and_contents(tmp_path):
    result = CliRunner().invoke(app, ["build", str(AO3_MULTI), "-f", "pdf", "--volumes", "2",
                                      "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    volumes = sorted(tmp_path.glob("*.pdf"))
    assert [v.name for v in volumes] == ["the-long-way-round-volume-1.pdf",
                                         "the-long-way-round-volume-2.pdf"]
    chapters = []
    for number, path in enumerate(volumes, start=1):
        reader = PdfReader(path)
        text = [page.extract_text() for page in reader.pages]
        assert any(f"Volume {number} of 2" in page for page in text)
        assert any(page.startswith("Contents") for page in text)
        assert reader.metadata.title == f"The Long Way Round, Volume {number} of 2"
        titles = _outline_titles(path)
        assert "Title page" in titles and "Contents" in titles
        chapters.append([t for t in titles if t.startswith(("Three Left", "Chapter"))])
    assert chapters == [["Three Left"], ["Chapter 2", "Chapter 3: Aftermath"]]


def test_an_anthology_in_volumes_is_cut_between_works(tmp_path):
    spec = read_anthology_spec(rain_folder(tmp_path / "rain"))
    result = build_anthology(spec, ["pdf"], tmp_path / "dist",
                             RenderContext(BuildOptions(volumes=2)))
    assert result.error is None, result.error
    assert len(result.outputs) == 2
    works = ("A New Hero", "The Long Way Round", "Small Hours", "Late (revised)")
    found = []
    for path in result.outputs:
        reader = PdfReader(path)
        top = [item.title.split(" — ")[0] for item in reader.outline
               if not isinstance(item, list)]
        found.append([title for title in top if title in works])
    assert all(found) and [w for volume in found for w in volume] == list(works)

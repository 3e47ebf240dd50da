"""--omnibus: AO3 downloads of one series, in any order and format, become one book by part."""

from __future__ import annotations

import dataclasses

import zipfile
from pathlib import Path

from lxml import etree
from paths import DATA
from typer.testing import CliRunner

from bookmaker.cli import app
from bookmaker.convert import build_omnibus
from bookmaker.model import Book, Chapter, Metadata, Paragraph, Series, Text
from bookmaker.omnibus import Candidate, group_by_series

SERIES = DATA / "anthology" / "series"  # made by make.py there: AO3 HTML, calibre EPUB
PART1_HTML = SERIES / "Small_Hours-31234567.html"
PART1_EPUB = SERIES / "Small_Hours-31234567.epub"
PART2_HTML = SERIES / "First_Light-31299001.html"
PART3_EPUB = SERIES / "Closing_Time-31355555.epub"
NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}


def test_three_downloads_out_of_order_one_duplicated_make_one_book_by_part(tmp_path):
    results, found = build_omnibus([PART3_EPUB, PART2_HTML, PART1_EPUB, PART1_HTML], ["epub"],
                                   tmp_path / "dist")
    assert len(results) == 1 and results[0].error is None
    assert [f for f in found if "counted once" in f] and len(found) == 1
    with zipfile.ZipFile(results[0].outputs[0]) as epub:
        opf = etree.fromstring(epub.read("EPUB/content.opf"))
    parts = opf.xpath("//opf:meta[@property='dcterms:hasPart']/text()", namespaces=NS)
    assert parts == ["Small Hours", "First Light", "Closing Time"]
    assert opf.xpath("string(//dc:title)", namespaces=NS) == "Soho Nights"
    assert opf.xpath("//opf:meta[@property='belongs-to-collection']/text()",
                     namespaces=NS) == ["Soho Nights"]
    assert opf.xpath("//opf:meta[@name='calibre:series']/@content", namespaces=NS) == [
        "Soho Nights"]


def test_the_richer_copy_of_a_duplicate_is_kept():
    # AO3's EPUB now reads as fully as its HTML; an EPUB from elsewhere often lacks the work's
    # address, which is what makes one copy the richer.
    poorer = _read(PART1_EPUB)
    poorer = dataclasses.replace(poorer, metadata=dataclasses.replace(poorer.metadata,
                                                                      source_url=None))
    candidates = [Candidate(PART1_EPUB, poorer), Candidate(PART1_HTML, _read(PART1_HTML))]
    groups, found = group_by_series(candidates)
    assert groups[0].parts[0][1].path == PART1_HTML  # it names the work's URL
    assert [str(f) for f in found] == [
        f"{PART1_EPUB}: warning: is the same work as {PART1_HTML}; counted once"]


def test_a_missing_part_is_reported_with_its_number(tmp_path):
    results, found = build_omnibus([PART3_EPUB, PART1_HTML], ["epub"], tmp_path / "dist")
    assert results[0].error is None
    assert "warning: Soho Nights: part 2 of 3 is missing" in found


def _manuscript_work(title: str, *series: Series) -> Book:
    return Book(Metadata(title, authors=("a",), series=series),
                (Chapter("", (Paragraph((Text("Words."),)),)),))


def test_manuscript_series_group_and_a_work_in_two_series_joins_both():
    both = _manuscript_work("Crossover", Series("Saga", 2), Series("Side Stories", 1))
    works = [Candidate(Path("c.md"), both),
             Candidate(Path("a.md"), _manuscript_work("Opening", Series("Saga", 1))),
             Candidate(Path("x.md"), _manuscript_work("Loose"))]
    groups, found = group_by_series(works)
    assert [g.name for g in groups] == ["Saga", "Side Stories"]
    assert [c.book.metadata.title for _, c in groups[0].parts] == ["Opening", "Crossover"]
    assert any("x.md" in str(f) and "not part of any series" in str(f) for f in found)


def test_two_works_claiming_one_part_are_both_kept_and_reported():
    works = [Candidate(Path("a.md"), _manuscript_work("A", Series("Saga", 1))),
             Candidate(Path("b.md"), _manuscript_work("B", Series("Saga", 1)))]
    groups, found = group_by_series(works)
    assert len(groups[0].parts) == 2
    assert any("claims part 1" in str(f) for f in found)


def test_omnibus_on_the_command_line_reports_duplicates_and_writes_one_book(tmp_path):
    out = tmp_path / "dist"
    result = CliRunner().invoke(app, ["build", str(PART2_HTML), str(PART1_HTML),
                                      str(PART1_EPUB), str(PART3_EPUB), "--omnibus", "-o",
                                      str(out)])
    assert result.exit_code == 0, result.output
    assert "counted once" in result.output
    assert [p.name for p in out.iterdir()] == ["soho-nights.epub"]


def test_works_without_any_series_are_a_clear_error(tmp_path):
    loose = tmp_path / "loose.md"
    loose.write_text("---\ntitle: Loose\n---\n\nText.\n")
    results, _ = build_omnibus([loose], ["epub"], tmp_path / "dist")
    assert "names a series" in (results[0].error or "")


def _read(path: Path) -> Book:
    from bookmaker.convert import load

    return load(path)

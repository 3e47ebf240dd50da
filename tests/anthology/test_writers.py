"""An anthology written as EPUB, PDF and zine: every work keeps its identity."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from anthology_material import rain_folder
from lxml import etree
from paths import DATA, SEED
from pypdf import PdfReader

from bookmaker.convert import build_anthology, read_anthology
from bookmaker.readers import read_anthology_spec
from bookmaker.readers.anthology import spec_from_paths
from bookmaker.settings.context import RenderContext
from bookmaker.settings.options import BuildOptions
from bookmaker.writers.pdf import print_document

GOLDEN = DATA / "anthology" / "rain" / "expected"
AO3_MULTI = DATA / "ao3html" / "multi-chapter-2024" / "input.html"
NS = {"x": "http://www.w3.org/1999/xhtml", "opf": "http://www.idpf.org/2007/opf",
      "dc": "http://purl.org/dc/elements/1.1/", "ncx": "http://www.daisy.org/z3986/2005/ncx/"}


@pytest.fixture(scope="module")
def rain_epub(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("rain")
    spec = read_anthology_spec(rain_folder(folder / "rain"))
    result = build_anthology(spec, ["epub"], folder / "dist")
    assert result.error is None, result.error
    with zipfile.ZipFile(result.outputs[0]) as epub:
        return {name: epub.read(name) for name in epub.namelist()}


def _spine(files: dict[str, bytes]) -> list[str]:
    opf = etree.fromstring(files["EPUB/content.opf"])
    hrefs = {item.get("id"): item.get("href") for item in opf.xpath("//opf:item", namespaces=NS)}
    return [hrefs[ref.get("idref")] for ref in opf.xpath("//opf:itemref", namespaces=NS)]


# --------------------------------------------------------------------------- EPUB


def test_nav_is_nested_work_then_chapters_and_golden(rain_epub, golden):
    nav = etree.fromstring(rain_epub["EPUB/nav.xhtml"])
    works = nav.xpath("//x:nav[@id='toc']/x:ol/x:li", namespaces=NS)
    labels = [li.xpath("string(x:a)", namespaces=NS) for li in works]
    assert labels[:3] == ["Content overview", "Introduction", "A New Hero"]
    assert labels[-1] == "Afterword"
    long_way = works[3]
    assert long_way.xpath("string(x:a)", namespaces=NS).startswith("The Long Way Round by")
    assert long_way.xpath("x:ol/x:li/x:a/@href", namespaces=NS) == [
        "w02-chapter-001.xhtml", "w02-chapter-002.xhtml", "w02-chapter-003.xhtml",
        "w02-endnotes.xhtml", "w02-warnings.xhtml"]
    golden.check(GOLDEN / "nav.xhtml", rain_epub["EPUB/nav.xhtml"].decode("utf-8"))


def test_ncx_is_nested_too(rain_epub):
    ncx = etree.fromstring(rain_epub["EPUB/toc.ncx"])
    nested = ncx.xpath("//ncx:navPoint/ncx:navPoint/ncx:content/@src", namespaces=NS)
    assert "w02-chapter-003.xhtml" in nested and "w04-chapter-001.xhtml" in nested
    orders = [int(n) for n in ncx.xpath("//ncx:navPoint/@playOrder", namespaces=NS)]
    assert orders == list(range(1, len(orders) + 1))


def test_content_overview_follows_the_contents_and_lists_every_work(rain_epub):
    spine = _spine(rain_epub)
    assert spine.index("overview.xhtml") == spine.index("nav.xhtml") + 1
    page = etree.fromstring(rain_epub["EPUB/overview.xhtml"])
    works = page.xpath("//x:li[@class='overview-work']", namespaces=NS)
    text = [" ".join(li.xpath("string()").split()) for li in works]
    assert len(text) == 4
    assert "Rating Mature" in text[1] and "Major Character Death" in text[1]
    assert "General Audiences" in text[2] and "No Archive Warnings Apply" in text[2]
    assert "Teen And Up Audiences" in text[3] and "Insomnia" in text[3]


def test_each_work_has_its_title_page_and_warnings_placed_as_asked(rain_epub):
    spine = _spine(rain_epub)
    # front (the default): title page, warnings, then the story
    assert spine[spine.index("w01-title.xhtml") + 1] == "w01-warnings.xhtml"
    # end (anthology.yaml for the AO3 works): after the work's last page
    assert spine.index("w02-warnings.xhtml") == spine.index("w02-endnotes.xhtml") + 1
    assert spine.index("w03-warnings.xhtml") == spine.index("w04-title.xhtml") - 1
    title = etree.fromstring(rain_epub["EPUB/w04-title.xhtml"])
    text = " ".join(title.xpath("string(//x:body)", namespaces=NS).split())
    assert "Late (revised)" in text and "by Corvid Writes" in text
    assert "Final Fantasy VII" in text and "the rain does not help" in text
    assert "Written for the zine" in text


def test_footnotes_stay_with_their_work(rain_epub):
    chapter = etree.fromstring(rain_epub["EPUB/w04-chapter-001.xhtml"])
    assert chapter.xpath("//x:aside[@id='fn-1']", namespaces=NS)
    assert "never does" in chapter.xpath("string(//x:aside[@id='fn-1'])", namespaces=NS)


def test_package_metadata_names_editors_contributors_and_keeps_each_works_warnings(rain_epub):
    opf = etree.fromstring(rain_epub["EPUB/content.opf"])
    assert opf.xpath("string(//dc:title)", namespaces=NS) == "Rain Stories"
    creators = opf.xpath("//dc:creator/text()", namespaces=NS)
    assert creators[0] == "Marlowe Ink"
    assert {"lanternfish", "Corvid_Writes", "nightjar", "Corvid Writes"} <= set(creators)
    roles = opf.xpath("//opf:meta[@refines='#editor-1'][@property='role']/text()",
                      namespaces=NS)
    assert roles == ["edt"]
    parts = opf.xpath("//opf:meta[@property='dcterms:hasPart']", namespaces=NS)
    assert [p.text for p in parts] == ["A New Hero", "The Long Way Round", "Small Hours",
                                       "Late (revised)"]
    small_hours = parts[2].get("id")
    warnings = opf.xpath(f"//opf:meta[@refines='#{small_hours}'][@property='fic:warning']"
                         "/text()", namespaces=NS)
    assert warnings == ["No Archive Warnings Apply"]
    subjects = opf.xpath("//dc:subject/text()", namespaces=NS)
    assert "Angst" in subjects and len(subjects) == len(set(subjects))


def test_warnings_omit_leaves_out_every_works_warnings_page_but_not_the_overview(tmp_path):
    context = RenderContext(BuildOptions(warnings="omit"))
    result = build_anthology(spec_from_paths([SEED, AO3_MULTI], "Two"), ["epub"],
                             tmp_path / "dist", context)
    with zipfile.ZipFile(result.outputs[0]) as epub:
        names = epub.namelist()
    assert "EPUB/overview.xhtml" in names
    assert not [name for name in names if name.endswith("warnings.xhtml")]


# --------------------------------------------------------------------------- print


def test_print_html_is_golden(tmp_path, golden):
    spec = read_anthology_spec(rain_folder(tmp_path / "rain"))
    anthology = read_anthology(spec, RenderContext(), [])
    golden.check(GOLDEN / "print.html", print_document(anthology))


@pytest.fixture(scope="module")
def two_works_pdf(tmp_path_factory: pytest.TempPathFactory) -> PdfReader:
    out = tmp_path_factory.mktemp("pdf")
    result = build_anthology(spec_from_paths([SEED, AO3_MULTI], "Two Works", ("Ed",)),
                             ["pdf", "zine"], out)
    assert result.error is None, result.error
    return PdfReader(io.BytesIO(Path(result.outputs[0]).read_bytes()))


def _outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    found: list[tuple[int, str, int]] = []

    def walk(items: list, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 1)
    return found


def test_pdf_outline_is_nested_and_every_work_opens_on_a_recto(two_works_pdf):
    outline = _outline(two_works_pdf)
    works = [(title, page) for depth, title, page in outline if depth == 1
             and title.startswith(("A New Hero", "The Long Way Round"))]
    assert [title for title, _ in works] == ["A New Hero",
                                             "The Long Way Round — lanternfish and Corvid_Writes"]
    assert all(page % 2 == 0 for _, page in works)  # 0-based even: a right-hand page
    chapters = [title for depth, title, _ in outline if depth == 2]
    assert chapters[-3:] == ["Chapter 2", "Chapter 3: Aftermath", "End notes"]


def test_pdf_running_heads_name_the_work(two_works_pdf):
    outline = _outline(two_works_pdf)
    story = next(page for depth, title, page in outline if depth == 2 and title == "A New Hero")
    left = two_works_pdf.pages[story + 1].extract_text()
    assert "A New Hero" in left.splitlines()[-3:]


def test_pdf_pages_of_the_works_are_numbered_at_their_foot(two_works_pdf):
    """The anthology is laid out by the book's own document head, folio mark included: its body
    pages carry their numbers as a single book's do."""
    outline = _outline(two_works_pdf)
    chapters = [page for depth, title, page in outline if depth == 2 and title not in (
        "Before you read", "Content notes and warnings")]
    assert len(chapters) >= 4
    for page in chapters:
        assert "".join(two_works_pdf.pages[page].extract_text().split()).endswith(str(page + 1))


def test_pdf_prints_the_overview_and_nested_contents(two_works_pdf):
    text = [page.extract_text() for page in two_works_pdf.pages]
    overview = next(t for t in text if t.startswith("Content overview"))
    assert "Mature" in overview and "Major Character Death" in overview
    contents = next(t for t in text if t.startswith("Contents"))
    assert "Three Left" in contents and "Chapter 3: Aftermath" in contents


def test_zine_of_the_anthology_is_imposed(two_works_pdf, tmp_path_factory):
    zine = next(Path(p) for p in Path(tmp_path_factory.getbasetemp()).rglob("two-works.zine.pdf"))
    reader = PdfReader(zine)
    pages = len(two_works_pdf.pages)
    # two pages on each side of a sheet, plus the printing guide
    assert len(reader.pages) >= (pages + 3) // 4 * 2
    assert reader.metadata["/Title"] == "Two Works (zine, imposed)"


def test_parallel_layout_of_an_anthology_matches_the_single_run(two_works_pdf):
    from bookmaker.convert import read_anthology as read
    from bookmaker.writers.pdf import pdf_bytes

    anthology = read(spec_from_paths([SEED, AO3_MULTI], "Two Works", ("Ed",)), RenderContext(),
                     [])
    parallel = PdfReader(io.BytesIO(pdf_bytes(anthology, RenderContext(BuildOptions(workers=2)),
                                              parallel=True)))
    assert len(parallel.pages) == len(two_works_pdf.pages)
    assert _outline(parallel) == _outline(two_works_pdf)
    story = next(page for depth, title, page in _outline(parallel)
                 if depth == 2 and title == "A New Hero")
    assert "A New Hero" in parallel.pages[story + 1].extract_text().splitlines()[-3:]

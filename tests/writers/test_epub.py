"""The EPUB writer: golden pages, the package read back, reproducibility, ebooklib's defects.

Books are built straight from hand-written model JSON (tests/data/epub/<case>/model.json), never
through the readers. Every book is written under tmp_path, so conftest's session hook runs
EPUBCheck on all of them (zero errors, zero warnings) at the end of the run.
"""

from __future__ import annotations

import dataclasses
import random
import re
import time
import uuid
import zipfile
from pathlib import Path

import pytest
from ebooklib import epub as ebooklib_epub
from lxml import etree

from bookmaker.safety import files as output
from bookmaker.errors import BookmakerError, ManuscriptError, OutputError
from bookmaker.model import (Book, Chapter, Emph, Footnote, FootnoteRef, Heading, Image,
                             LineBreak, Link, Metadata, Paragraph, SceneBreak, Series,
                             Span, Strikeout, Text, from_json)
from bookmaker.settings.options import BuildOptions
from bookmaker.settings.context import render_context
from bookmaker.writers import epub
from bookmaker.writers.epub.package import FIC_VOCABULARY
from bookmaker.writers.xhtml import XhtmlRenderer
from paths import REPO, SEED

CASES = Path(__file__).parent.parent / "data" / "epub"
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


# --------------------------------------------------------------------------- helpers


def load_case(name: str) -> Book:
    folder = CASES / name
    return dataclasses.replace(from_json((folder / "model.json").read_text(encoding="utf-8")),
                               base_dir=str(folder))


def build(book: Book, folder: Path, name: str = "book", **options: str) -> Path:
    dest = folder / f"{name}.epub"
    epub.write(book, dest, render_context(BuildOptions(**options)))
    return dest


def unzip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data)


def opf(files: dict[str, bytes]) -> etree._Element:
    return parse(files["EPUB/content.opf"])


def metas(package: etree._Element, prop: str) -> list[str]:
    return [m.text for m in package.xpath(f"//opf:meta[@property='{prop}']", namespaces=NS)]


def spine_hrefs(package: etree._Element) -> list[str]:
    manifest = {item.get("id"): item.get("href")
                for item in package.xpath("//opf:manifest/opf:item", namespaces=NS)}
    return [manifest[ref.get("idref")]
            for ref in package.xpath("//opf:spine/opf:itemref", namespaces=NS)]


def minimal_book(**metadata: object) -> Book:
    fields = {"title": "Drabble", **metadata}
    return Book(Metadata(**fields), chapters=(Chapter(blocks=(Paragraph((Text("Words."),)),)),))


def big_book(chapters: int = 40, words: int = 120_000) -> Book:
    """A long multi-chapter work with varied text (so compression has real work to do)."""
    rng = random.Random(7)
    vocabulary = ("rain sword wing feather Banora Midgar Genesis Sephiroth Angeal apple goddess "
                  "gift war beasts world end sky light dark spread afar morrow barren promise "
                  "forestall return friend fates cruel dream pride").split()
    per_paragraph = 60
    paragraphs = words // chapters // per_paragraph
    book_chapters = []
    for number in range(1, chapters + 1):
        blocks: list = []
        for index in range(paragraphs):
            text = " ".join(rng.choice(vocabulary) for _ in range(per_paragraph - 2))
            blocks.append(Paragraph((Text(text + " "), Emph((Text("she said"),)),
                                     FootnoteRef("n") if index == 0 else Text("."))))
            if index % 25 == 24:
                blocks.append(SceneBreak())
        blocks.append(Footnote("n", (Paragraph((Text("A footnote."),)),)))
        book_chapters.append(Chapter(title=f"Part {number}", blocks=tuple(blocks)))
    return Book(Metadata(title="The Long Fic", authors=("Quill Harrow",)),
                chapters=tuple(book_chapters))


# --------------------------------------------------------------------------- golden pages


@pytest.mark.parametrize("case", ["kitchen-sink", "minimal"])
def test_chapter_and_warnings_pages_match_golden(case, tmp_path, golden):
    files = unzip(build(load_case(case), tmp_path, case))
    for name in ("chapter-001.xhtml", "warnings.xhtml"):
        golden.check(CASES / case / "expected" / name, files[f"EPUB/{name}"].decode("utf-8"))


@pytest.mark.parametrize("warnings", ["front", "end", "omit"])
@pytest.mark.parametrize("case", ["kitchen-sink", "minimal"])
def test_every_document_is_well_formed_xhtml_with_language(case, warnings, tmp_path):
    files = unzip(build(load_case(case), tmp_path, f"{case}-{warnings}", warnings=warnings))
    documents = [name for name in files if name.endswith(".xhtml")]
    assert len(documents) >= 3
    language = load_case(case).metadata.language or "en"  # not given: English
    for name in documents:
        root = parse(files[name])  # raises if not well-formed
        assert root.nsmap[None] == NS["x"] and root.nsmap["epub"] == NS["epub"], name
        assert root.get("lang") == root.get(XML_LANG) == language, name
        assert b"<strike" not in files[name], name


# --------------------------------------------------------------------------- OPF metadata


@pytest.fixture(scope="module")
def kitchen_sink_files(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("kitchen-sink")
    return unzip(build(load_case("kitchen-sink"), folder, "kitchen-sink"))


def test_title_and_authors_with_unique_ids_and_roles(kitchen_sink_files):
    package = opf(kitchen_sink_files)
    assert package.xpath("//dc:title/text()", namespaces=NS) == ["A New Hero & the <Last> Stand"]
    creators = package.xpath("//dc:creator", namespaces=NS)
    assert [c.text for c in creators] == ["Quill Harrow", "M. Okafor"]
    assert [c.get("id") for c in creators] == ["creator-1", "creator-2"]
    for creator in creators:
        role = package.xpath(f"//opf:meta[@refines='#{creator.get('id')}'][@property='role']",
                             namespaces=NS)
        assert [(r.text, r.get("scheme")) for r in role] == [("aut", "marc:relators")]
    assert package.xpath("//dc:language/text()", namespaces=NS) == ["en-GB"]


def test_subjects_are_the_freeform_tags_only(kitchen_sink_files):
    subjects = opf(kitchen_sink_files).xpath("//dc:subject/text()", namespaces=NS)
    assert subjects == ["Angst", "Canon Divergence", "Rain"]
    book = load_case("kitchen-sink").metadata
    flattened = {book.rating, *book.warnings, *book.fandoms, *book.relationships,
                 *book.characters, *book.categories, *book.content_notes}
    assert not flattened & set(subjects)


def test_series_in_epub3_and_calibre_forms(kitchen_sink_files):
    package = opf(kitchen_sink_files)
    collections = package.xpath("//opf:meta[@property='belongs-to-collection']", namespaces=NS)
    assert [(c.get("id"), c.text) for c in collections] == [
        ("series-1", "Loveless Variations"), ("series-2", "Wings")]

    def refined(target: str, prop: str) -> list[str]:
        return package.xpath(f"//opf:meta[@refines='#{target}'][@property='{prop}']/text()",
                             namespaces=NS)

    assert refined("series-1", "collection-type") == ["series"]
    assert refined("series-1", "group-position") == ["2"]
    assert refined("series-2", "group-position") == ["1.5"]
    calibre = {m.get("name"): m.get("content")
               for m in package.xpath("//opf:meta[starts-with(@name, 'calibre:')]", namespaces=NS)}
    assert calibre == {"calibre:series": "Loveless Variations", "calibre:series_index": "2"}


def test_fan_fiction_metadata_is_structured_under_a_declared_prefix(kitchen_sink_files):
    package = opf(kitchen_sink_files)
    assert f"fic: {FIC_VOCABULARY}" in package.get("prefix")
    assert metas(package, "fic:rating") == ["Mature"]
    assert metas(package, "fic:warning") == ["Major Character Death",
                                             "Graphic Depictions Of Violence"]
    assert metas(package, "fic:content-note") == ["Gore", "Canon-typical cruelty"]
    assert metas(package, "fic:fandom") == ["Final Fantasy VII", "Crisis Core: Final Fantasy VII"]
    assert metas(package, "fic:relationship") == ["Genesis Rhapsodos/Sephiroth"]
    assert metas(package, "fic:character") == ["Genesis Rhapsodos", "Sephiroth", "Angeal Hewley"]
    assert metas(package, "fic:category") == ["M/M"]


def test_other_dublin_core_fields(kitchen_sink_files):
    package = opf(kitchen_sink_files)

    def dc(name: str) -> list[str]:
        return package.xpath(f"//dc:{name}/text()", namespaces=NS)

    assert dc("description") == ["Sephiroth's last stand, and what Genesis does after.\n\n"
                                 "Second summary paragraph."]
    assert dc("date") == ["2019-03-04"]
    assert dc("source") == ["https://archiveofourown.org/works/123456"]
    assert dc("rights") == ["© 2019 Quill Harrow and M. Okafor. All rights reserved."]
    generator = package.xpath("//opf:meta[@name='generator']/@content", namespaces=NS)
    assert generator and generator[0].startswith("bookmaker ")


def test_accessibility_metadata(kitchen_sink_files, tmp_path):
    package = opf(kitchen_sink_files)
    assert metas(package, "schema:accessMode") == ["textual", "visual"]
    assert metas(package, "schema:accessModeSufficient") == ["textual"]
    assert "alternativeText" in metas(package, "schema:accessibilityFeature")
    assert metas(package, "schema:accessibilityHazard") == ["none"]
    assert len(metas(package, "schema:accessibilitySummary")) == 1

    text_only = opf(unzip(build(minimal_book(), tmp_path, "text-only", generated_cover=False)))
    assert metas(text_only, "schema:accessMode") == ["textual"]
    assert metas(text_only, "schema:accessibilityFeature") == [
        "structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"]
    assert metas(text_only, "dcterms:conformsTo") == [
        "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]


def test_alternative_text_is_not_claimed_when_an_image_has_no_alt(tmp_path):
    book = load_case("kitchen-sink")
    chapter = dataclasses.replace(book.chapters[2], blocks=(Image("images/map.png", alt=""),))
    book = dataclasses.replace(book, chapters=(*book.chapters[:2], chapter))
    package = opf(unzip(build(book, tmp_path, "undescribed")))
    assert "alternativeText" not in metas(package, "schema:accessibilityFeature")
    assert metas(package, "schema:accessModeSufficient") == ["textual,visual"]


def test_empty_fields_are_left_out(tmp_path):
    package = opf(unzip(build(minimal_book(), tmp_path, "bare")))
    for name in ("creator", "description", "date", "rights", "source", "subject"):
        assert not package.xpath(f"//dc:{name}", namespaces=NS), name
    assert not package.xpath("//opf:meta[starts-with(@property, 'fic:')]", namespaces=NS)
    assert not package.xpath("//opf:meta[@property='belongs-to-collection']", namespaces=NS)


# --------------------------------------------------------------------------- spine, nav, NCX


@pytest.mark.parametrize("warnings, expected", [
    ("front", ["cover.xhtml", "title.xhtml", "warnings.xhtml", "chapter-001.xhtml",
               "chapter-002.xhtml", "chapter-003.xhtml", "endnotes.xhtml", "nav.xhtml"]),
    ("end", ["cover.xhtml", "title.xhtml", "chapter-001.xhtml", "chapter-002.xhtml",
             "chapter-003.xhtml", "endnotes.xhtml", "warnings.xhtml", "nav.xhtml"]),
    ("omit", ["cover.xhtml", "title.xhtml", "chapter-001.xhtml", "chapter-002.xhtml",
              "chapter-003.xhtml", "endnotes.xhtml", "nav.xhtml"]),
])
def test_spine_order_follows_the_warnings_placement(warnings, expected, tmp_path):
    files = unzip(build(load_case("kitchen-sink"), tmp_path, warnings, warnings=warnings))
    assert spine_hrefs(opf(files)) == expected
    assert ("EPUB/warnings.xhtml" in files) == (warnings != "omit")


def test_nav_is_the_nav_item_and_not_in_the_reading_flow(kitchen_sink_files):
    package = opf(kitchen_sink_files)
    nav = package.xpath("//opf:item[@properties='nav']", namespaces=NS)
    assert [item.get("href") for item in nav] == ["nav.xhtml"]
    ref = package.xpath(f"//opf:itemref[@idref='{nav[0].get('id')}']", namespaces=NS)
    assert ref[0].get("linear") == "no"


def test_title_page_points_to_warnings_only_when_they_are_at_the_end(tmp_path):
    pointer = "//x:p[@class='warnings-pointer']/x:a/@href"
    for warnings, expected in (("front", []), ("end", ["warnings.xhtml"]), ("omit", [])):
        files = unzip(build(minimal_book(), tmp_path, f"pointer-{warnings}", warnings=warnings))
        assert parse(files["EPUB/title.xhtml"]).xpath(pointer, namespaces=NS) == expected


def test_title_page_without_authors_says_so_without_inventing_a_name(tmp_path):
    files = unzip(build(minimal_book(), tmp_path, "anonymous"))
    byline = parse(files["EPUB/title.xhtml"]).xpath("//x:p[contains(@class, 'byline')]",
                                                    namespaces=NS)
    assert [(p.get("class"), p.text) for p in byline] == [("byline byline-unknown",
                                                          "Author unknown")]


def test_nav_toc_and_landmarks(kitchen_sink_files):
    nav = parse(kitchen_sink_files["EPUB/nav.xhtml"])
    toc = nav.xpath("//x:nav[@epub:type='toc']//x:a", namespaces=NS)
    assert [(a.get("href"), a.text) for a in toc] == [
        ("warnings.xhtml", "Before you read"), ("chapter-001.xhtml", "Three Left"),
        ("chapter-002.xhtml", "Chapter 2"), ("chapter-003.xhtml", "Epilogue"),
        ("endnotes.xhtml", "End notes")]
    landmarks = nav.xpath("//x:nav[@epub:type='landmarks']//x:a", namespaces=NS)
    assert [(a.get(f"{{{NS['epub']}}}type"), a.get("href")) for a in landmarks] == [
        ("cover", "cover.xhtml"), ("titlepage", "title.xhtml"), ("toc", "nav.xhtml#toc"),
        ("notice", "warnings.xhtml"), ("bodymatter", "chapter-001.xhtml")]


@pytest.mark.parametrize("placement, landmark", [("end", ("notice", "warnings.xhtml")),
                                                 ("omit", None)])
def test_warnings_landmark_follows_the_page(tmp_path, placement, landmark):
    files = unzip(build(load_case("minimal"), tmp_path, f"landmark-{placement}",
                        warnings=placement))
    nav = parse(files["EPUB/nav.xhtml"])
    kinds = [(a.get(f"{{{NS['epub']}}}type"), a.get("href"))
             for a in nav.xpath("//x:nav[@epub:type='landmarks']//x:a", namespaces=NS)]
    assert (landmark in kinds) if landmark else all(k != "notice" for k, _ in kinds)


def test_one_untitled_chapter_is_listed_in_nav_and_ncx_under_the_book_title(tmp_path):
    files = unzip(build(load_case("minimal"), tmp_path, "one-chapter", warnings="omit"))
    nav = parse(files["EPUB/nav.xhtml"]).xpath("//x:nav[@epub:type='toc']//x:a", namespaces=NS)
    assert [(a.get("href"), a.text) for a in nav] == [("chapter-001.xhtml", "Untitled Drabble")]
    ncx = parse(files["EPUB/toc.ncx"])
    points = ncx.xpath("//ncx:navPoint", namespaces=NS)
    assert [(p.xpath("string(ncx:navLabel/ncx:text)", namespaces=NS),
             p.xpath("string(ncx:content/@src)", namespaces=NS),
             p.get("playOrder")) for p in points] == [
        ("Untitled Drabble", "chapter-001.xhtml", "1")]
    package = opf(files)
    ncx_item = package.xpath("//opf:item[@href='toc.ncx']", namespaces=NS)[0]
    assert package.xpath("//opf:spine/@toc", namespaces=NS) == [ncx_item.get("id")]
    assert ncx.xpath("//ncx:meta[@name='dtb:uid']/@content", namespaces=NS) == \
        package.xpath("//dc:identifier/text()", namespaces=NS)


def test_ncx_mirrors_the_nav_for_many_chapters(tmp_path):
    files = unzip(build(big_book(chapters=12, words=6000), tmp_path, "twelve"))
    ncx_labels = parse(files["EPUB/toc.ncx"]).xpath("//ncx:navPoint/ncx:navLabel/ncx:text/text()",
                                                    namespaces=NS)
    nav_labels = parse(files["EPUB/nav.xhtml"]).xpath("//x:nav[@epub:type='toc']//x:a/text()",
                                                      namespaces=NS)
    assert ncx_labels == nav_labels == ["Before you read"] + [f"Part {n}" for n in range(1, 13)]


# --------------------------------------------------------------------------- images and cover


def test_images_are_copied_once_with_unique_names_and_types(kitchen_sink_files):
    images = sorted(name for name in kitchen_sink_files if name.startswith("EPUB/images/"))
    assert images == ["EPUB/images/cover.png", "EPUB/images/map-2.png", "EPUB/images/map.png",
                      "EPUB/images/ornament.svg"]
    assert kitchen_sink_files["EPUB/images/map.png"] == \
        (CASES / "kitchen-sink" / "images" / "map.png").read_bytes()
    assert kitchen_sink_files["EPUB/images/map-2.png"] == \
        (CASES / "kitchen-sink" / "extra" / "map.png").read_bytes()
    items = {i.get("href"): i for i in opf(kitchen_sink_files).xpath("//opf:item", namespaces=NS)}
    assert items["images/ornament.svg"].get("media-type") == "image/svg+xml"
    assert items["images/map.png"].get("media-type") == "image/png"
    chapter = parse(kitchen_sink_files["EPUB/chapter-001.xhtml"])
    assert chapter.xpath("//x:img/@src", namespaces=NS) == [
        "images/map.png", "images/map.png", "images/map-2.png", "images/ornament.svg"]


def test_cover_image_page_and_metadata(kitchen_sink_files):
    package = opf(kitchen_sink_files)
    cover = package.xpath("//opf:item[@properties='cover-image']", namespaces=NS)
    assert [(c.get("href"), c.get("id")) for c in cover] == [("images/cover.png", "cover-image")]
    assert package.xpath("//opf:meta[@name='cover']/@content", namespaces=NS) == ["cover-image"]
    page = parse(kitchen_sink_files["EPUB/cover.xhtml"])
    assert page.xpath("//x:img/@src", namespaces=NS) == ["images/cover.png"]


def test_no_cover_means_no_cover_page(tmp_path):
    files = unzip(build(minimal_book(), tmp_path, "no-cover", generated_cover=False))
    assert "EPUB/cover.xhtml" not in files
    assert not opf(files).xpath("//opf:item[@properties='cover-image']", namespaces=NS)


def test_an_image_outside_the_folder_is_refused_and_nothing_is_written(tmp_path):
    book = dataclasses.replace(minimal_book(), base_dir=str(CASES / "kitchen-sink"),
                               chapters=(Chapter(blocks=(Image("../minimal/model.json"),)),))
    with pytest.raises(ManuscriptError):
        build(book, tmp_path, "escape")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- reproducibility


def test_rebuild_is_byte_identical_even_at_another_time(tmp_path, monkeypatch):
    first = build(load_case("kitchen-sink"), tmp_path, "first")
    with monkeypatch.context() as later:
        # zipfile stamps entries with time.localtime(); pretend the rebuild happens years later.
        years_later = time.struct_time((2031, 1, 2, 3, 4, 5, 3, 2, 0))
        later.setattr(time, "localtime", lambda *_: years_later)
        second = build(load_case("kitchen-sink"), tmp_path, "second")
    assert first.read_bytes() == second.read_bytes()


def test_exactly_one_dcterms_modified_in_utc_from_source_date_epoch(tmp_path, monkeypatch):
    def modified(epoch: str) -> list[str]:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        return metas(opf(unzip(build(minimal_book(), tmp_path, f"epoch-{epoch}"))),
                     "dcterms:modified")

    assert modified("1700000000") == ["2023-11-14T22:13:20Z"]
    assert modified("1600000000") == ["2020-09-13T12:26:40Z"]


def test_timestamp_falls_back_to_the_works_dates_then_a_fixed_value(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH")

    def modified(**dates: str) -> list[str]:
        name = "dates-" + "-".join(dates) if dates else "dates-none"
        return metas(opf(unzip(build(minimal_book(**dates), tmp_path, name))), "dcterms:modified")

    assert modified(published="2019-03-04", updated="2020-05-06") == ["2020-05-06T00:00:00Z"]
    assert modified(published="2019-03-04") == ["2019-03-04T00:00:00Z"]
    assert modified(published="2019-03-04T10:00:00+02:00") == ["2019-03-04T08:00:00Z"]
    assert modified() == ["2000-01-01T00:00:00Z"]


def test_a_malformed_source_date_epoch_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(BookmakerError, match="SOURCE_DATE_EPOCH"):
        epub.epub_bytes(minimal_book(), render_context(BuildOptions()))


def test_identifier_is_stable_and_derived_from_the_work(tmp_path):
    def identifier(book: Book, name: str) -> str:
        package = opf(unzip(build(book, tmp_path, name)))
        assert package.get("unique-identifier") == "id"
        return package.xpath("//dc:identifier[@id='id']/text()", namespaces=NS)[0]

    book = minimal_book(authors=("A",), source_url="https://example.org/w/1")
    expected = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL,
                                            "Drabble\nA\nhttps://example.org/w/1"))
    assert identifier(book, "id-1") == identifier(book, "id-2") == expected
    assert identifier(minimal_book(authors=("B",)), "id-3") != expected
    assert identifier(minimal_book(identifier="isbn:9780000000002"), "id-4") == \
        "isbn:9780000000002"


def test_zip_mimetype_first_stored_then_sorted_with_fixed_dates_and_modes(tmp_path):
    with zipfile.ZipFile(build(load_case("kitchen-sink"), tmp_path, "zip")) as archive:
        infos = archive.infolist()
    assert infos[0].filename == "mimetype"
    assert infos[0].compress_type == zipfile.ZIP_STORED and infos[0].extra == b""
    names = [info.filename for info in infos[1:]]
    assert names == sorted(names) and "META-INF/container.xml" in names
    assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in infos[1:])
    assert {info.date_time for info in infos} == {(2023, 11, 14, 22, 13, 20)}
    assert {info.external_attr >> 16 for info in infos} == {0o100644}


# --------------------------------------------------------------------------- failures


def test_a_failed_write_leaves_no_file_and_no_temporary(tmp_path, monkeypatch):
    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output.os, "fsync", disk_full)
    with pytest.raises(OutputError):
        build(minimal_book(), tmp_path, "full")
    assert list(tmp_path.iterdir()) == []


def test_an_ebooklib_failure_raises_output_error_instead_of_returning_false(tmp_path, monkeypatch):
    def broken(self) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(ebooklib_epub.EpubWriter, "_write_items", broken)
    with pytest.raises(OutputError, match="Input/output error"):
        build(minimal_book(), tmp_path, "broken")
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_style_is_a_clear_error():
    with pytest.raises(BookmakerError, match="no-such-style"):
        epub.epub_bytes(minimal_book(), render_context(BuildOptions(style="no-such-style")))


# --------------------------------------------------------------------------- ebooklib defaults


def test_ebooklib_defaults_are_the_defects_we_work_around():
    """If ebooklib ever fixes these, the workarounds in writers/epub/package.py can go."""
    plain = ebooklib_epub.EpubBook()
    plain.add_author("A")
    plain.add_author("B")
    creator_ids = [others["id"] for _, others in plain.get_metadata("DC", "creator")]
    assert creator_ids == ["creator", "creator"]
    assert uuid.UUID(plain.uid).version == 4


def test_our_books_avoid_ebooklibs_defaults(kitchen_sink_files):
    package = opf(kitchen_sink_files)
    ids = package.xpath("//@id", namespaces=NS)
    assert len(ids) == len(set(ids))
    assert "creator" not in ids
    assert len(metas(package, "dcterms:modified")) == 1
    assert not re.search(r"urn:uuid:[0-9a-f-]{14}4", package.xpath("string(//dc:identifier)",
                                                                   namespaces=NS))
    assert not package.xpath("//opf:guide", namespaces=NS)
    # epub:type survives: content documents are our bytes, not re-serialised by lxml.html.
    chapter = parse(kitchen_sink_files["EPUB/chapter-001.xhtml"])
    assert chapter.xpath("//x:a[@epub:type='noteref']", namespaces=NS)
    assert chapter.xpath("//x:aside[@epub:type='footnote']", namespaces=NS)


# --------------------------------------------------------------------------- XHTML details


def render(*blocks, heading_level: int = 2) -> str:
    renderer = XhtmlRenderer({b.id: b for b in blocks if isinstance(b, Footnote)},
                             lambda image: f"images/{image.src}", heading_level)
    return renderer.blocks(blocks) + renderer.footnotes_section()


def test_text_is_escaped_and_stripped_of_characters_xml_forbids():
    html = render(Paragraph((Text('<b>"x" & \x00\x1b\ufffe y</b>'),)))
    assert html == "<p>&lt;b&gt;\"x\" &amp;  y&lt;/b&gt;</p>\n"


def test_only_web_and_mail_links_stay_links():
    html = render(Paragraph((Link((Text("a"),), "https://x.org/p q"),
                             Link((Text("b"),), "javascript:alert(1)"),
                             Link((Text("c"),), "chapter2.html"),
                             Link((Text("d"),), "MAILTO:me@x.org"))))
    assert html == ('<p><a href="https://x.org/p%20q">a</a>bc'
                    '<a href="MAILTO:me@x.org">d</a></p>\n')


def test_inline_markup_and_classes():
    html = render(Paragraph((Strikeout((Text("s"),)), LineBreak(),
                             Span((Text("t"),), ("ok", 'no"pe', "")), Span((Text("u"),)))))
    assert html == '<p><s>s</s><br/><span class="ok nope">t</span>u</p>\n'


def test_headings_are_shifted_below_the_chapter_title():
    assert render(Heading(1, (Text("a"),)), Heading(6, (Text("b"),))) == "<h2>a</h2>\n<h6>b</h6>\n"
    assert render(Heading(1, (Text("a"),)), heading_level=3) == "<h3>a</h3>\n"


def test_footnotes_number_in_order_of_reference_with_unique_ids():
    html = render(Paragraph((FootnoteRef("b"), FootnoteRef("a"), FootnoteRef("b"))),
                  Footnote("a", (Paragraph((Text("A"),)),)),
                  Footnote("b", (Paragraph((Text("B"),)),)))
    assert re.findall(r'href="#fn-(\d)" id="(fnref-[\d-]+)"', html) == [
        ("1", "fnref-1"), ("2", "fnref-2"), ("1", "fnref-1-2")]
    assert re.findall(r'id="fn-(\d)"><p><a class="footnote-number" href="#fnref-\d" '
                      r'role="doc-backlink">\d\.</a> (\w)', html) == [("1", "B"), ("2", "A")]


def test_series_without_index_and_three_authors_on_the_title_page(tmp_path):
    book = minimal_book(authors=("A", "B", "C"), series=(Series("Saga"),))
    title = parse(unzip(build(book, tmp_path, "saga"))["EPUB/title.xhtml"])
    assert title.xpath("string(//x:p[@class='byline'])", namespaces=NS) == "by A, B and C"
    assert title.xpath("string(//x:p[@class='series'])", namespaces=NS) == "Part of Saga"


# --------------------------------------------------------------------------- big books


def test_a_120000_word_book_has_every_chapter_in_spine_nav_and_ncx(tmp_path):
    # How fast it writes is measured in benchmarks/, never asserted here.
    book = big_book()
    files = unzip(build(book, tmp_path, "big"))
    chapters = sorted(name for name in files if name.startswith("EPUB/chapter-"))
    assert len(chapters) == len(book.chapters)
    ncx = files["EPUB/toc.ncx"].decode()
    nav = files["EPUB/nav.xhtml"].decode()
    for name in chapters:
        href = name.removeprefix("EPUB/")
        assert f'src="{href}"' in ncx and f'href="{href}"' in nav


def test_metadata_with_control_characters_and_blank_entries_stays_valid(tmp_path):
    book = minimal_book(title="Bell\x07 Title", authors=("A\x1b", " "), tags=("ok", "\x00", ""),
                        series=(Series(" "), Series("S\x0c", 1)))
    package = opf(unzip(build(book, tmp_path, "control")))
    assert package.xpath("//dc:title/text()", namespaces=NS) == ["Bell Title"]
    assert package.xpath("//dc:creator/text()", namespaces=NS) == ["A"]
    assert package.xpath("//dc:subject/text()", namespaces=NS) == ["ok"]
    assert metas(package, "belongs-to-collection") == ["S"]


def odd_shapes_book() -> Book:
    """Shapes readers may produce that are easy to get invalid: all must still pass EPUBCheck."""
    from bookmaker.model import BlockQuote, Div, LineBlock, ListBlock, Note

    nested = ListBlock(items=((Paragraph((Text("outer"),)),
                               ListBlock(items=((Paragraph((Text("inner"),)),),), ordered=True)),))
    blocks = (
        Paragraph(()), Heading(0, (Text("level zero"),)), Heading(9, (Text("level nine"),)),
        LineBlock(()), LineBlock(((),)), Div("weird kind!", (Paragraph((Text("x"),)),)),
        Div("", ()), Note(()), BlockQuote(()), nested,
        Image("images/cover.png", alt=""),
        Paragraph((Text("chain"), FootnoteRef("a"))),
        Footnote("a", (BlockQuote((Paragraph((Text("quoted"), FootnoteRef("b"))),)),)),
        Footnote("b", (Paragraph((Text("second in the chain"),)),)),
    )
    return Book(Metadata(title="", language="not a language!", cover="images/ornament.svg"),
                chapters=(Chapter(blocks=blocks), Chapter(title="Empty")),
                base_dir=str(CASES / "kitchen-sink"))


@pytest.mark.parametrize("warnings", ["front", "end", "omit"])
def test_odd_shapes_still_make_a_valid_book(warnings, tmp_path):
    files = unzip(build(odd_shapes_book(), tmp_path, f"odd-{warnings}", warnings=warnings))
    chapter = parse(files["EPUB/chapter-001.xhtml"])
    assert chapter.get("lang") == "und"
    assert chapter.xpath("//x:h1/text()", namespaces=NS) == ["Chapter 1"]
    assert chapter.xpath("//x:aside[@epub:type='footnote']/@id", namespaces=NS) == ["fn-1", "fn-2"]
    assert opf(files).xpath("//dc:title/text()", namespaces=NS) == ["Untitled"]


def test_a_book_without_chapters_is_still_valid(tmp_path):
    files = unzip(build(Book(Metadata(title="Empty")), tmp_path, "empty"))
    assert spine_hrefs(opf(files)) == ["cover.xhtml", "title.xhtml", "warnings.xhtml",
                                       "nav.xhtml"]


def test_embedded_images_from_a_container_are_packed_under_safe_names(tmp_path):
    from bookmaker.model import EmbeddedFile
    png = next((CASES / "kitchen-sink" / "images").glob("*.png")).read_bytes()
    book = dataclasses.replace(
        minimal_book(), chapters=(Chapter(title="One", blocks=(
            Image("embedded:OEBPS/../Images/Map One.png", alt="a map"),
            Image("embedded:OEBPS/../Images/Map One.png", alt="the same map"))),),
        embedded=(EmbeddedFile("OEBPS/../Images/Map One.png", "image/png", png),))
    files = unzip(build(book, tmp_path, "embedded", generated_cover=False))
    images = [name for name in files if name.startswith("EPUB/images/")]
    assert images == ["EPUB/images/map-one.png"]
    assert files["EPUB/images/map-one.png"] == png
    assert files["EPUB/chapter-001.xhtml"].count(b'src="images/map-one.png"') == 2


# --------------------------------------------------------------------------- stable identity


WIP = """---
title: Work in Progress
author: Quill Harrow
language: en
summary: A story still being written.
---

# The Beginning

It began with rain.[^1] Then it stopped.

## A part of it

More rain, and a [link](https://example.org).

[^1]: Always rain.

# The Middle

Things happened. ![A map](map.png)
"""
NEW_CHAPTER = """
# The New Chapter

Posted a week later, with its own note.[^n]

[^n]: A new note.
"""


@pytest.mark.parametrize("fmt", ["epub", "kepub"])
def test_a_new_chapter_changes_no_earlier_file(fmt, tmp_path):
    """E-readers keep the reader's place (and Kobo the highlights) by file name and element id:
    when a work in progress gains a chapter, every earlier file stays byte for byte the same; only
    the package, the contents and the NCX list the new one."""
    from bookmaker.convert import build as build_books

    (tmp_path / "map.png").write_bytes((CASES / "kitchen-sink" / "images" / "map.png").read_bytes())
    story = tmp_path / "wip.md"
    books = {}
    for version, text in (("before", WIP), ("after", WIP + NEW_CHAPTER)):
        story.write_text(text, encoding="utf-8")
        [result] = build_books([story], (fmt,), tmp_path / version)
        assert result.error is None
        books[version] = unzip(result.outputs[0])
    before, after = books["before"], books["after"]
    assert set(after) - set(before) == {"EPUB/chapter-003.xhtml"}
    listings = {"EPUB/content.opf", "EPUB/nav.xhtml", "EPUB/toc.ncx"}
    changed = {name for name in before if before[name] != after[name]}
    assert changed == listings
    assert b'id="fn-1"' in before["EPUB/chapter-001.xhtml"]


# --------------------------------------------------------------------------- accessibility


@pytest.mark.slow
def test_ace_finds_no_critical_serious_or_moderate_violation(tmp_path):
    """Ace by DAISY, the checker publishers use, on representative books in one batch: the seed in
    every theme, a 120,000-word novel, an AO3 download, the kitchen sink (footnotes, images,
    subheadings, raw HTML) as EPUB and kepub. The package states conformance to EPUB
    Accessibility 1.1 / WCAG 2.1 AA (dcterms:conformsTo) because this passes. A book with the
    package language removed is the control that Ace really ran and reports."""
    import runpy

    import ace_batch
    from bookmaker.convert import build as build_books

    novel = runpy.run_path(str(REPO / "benchmarks" / "make_novel.py"))
    front, paragraphs = novel["seed_parts"]()
    (tmp_path / "novel.md").write_text(novel["manuscript"](front, paragraphs, 120_000, 40),
                                       encoding="utf-8")
    sources = {"seed": SEED, "novel": tmp_path / "novel.md",
               "ao3": REPO / "tests" / "data" / "ao3html" / "multi-chapter-2024" / "input.html",
               "kitchen-sink": REPO / "tests" / "data" / "kitchen-sink" / "input.md"}
    books = []
    for style in ("default", "modern", "typewriter"):
        [result] = build_books([SEED], ("epub",), tmp_path / style, BuildOptions(style=style))
        books.extend(result.outputs)
    for name in ("novel", "ao3"):
        [result] = build_books([sources[name]], ("epub",), tmp_path / name)
        books.extend(result.outputs)
    [result] = build_books([sources["kitchen-sink"]], ("epub", "kepub"), tmp_path / "sink")
    books.extend(result.outputs)
    # An anthology: the seed and an AO3 download, each behind its own title and warnings pages.
    from bookmaker.convert import build_anthology
    from bookmaker.readers.anthology import spec_from_paths

    collection = build_anthology(spec_from_paths([SEED, sources["ao3"]], "Rain"),
                                 ["epub"], tmp_path / "anthology")
    assert collection.error is None, collection.error
    books.extend(collection.outputs)
    control = tmp_path / "not-built-by-bookmaker" / "no-language.epub"
    control.parent.mkdir()
    with zipfile.ZipFile(books[0]) as source, zipfile.ZipFile(control, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "EPUB/content.opf":
                data = re.sub(rb' xml:lang="[^"]*"', b"", data, count=1)
            target.writestr(info, data)

    assert len(books) == 8
    try:
        results = ace_batch.check([*books, control])
    except ace_batch.AceMissing as error:
        pytest.fail(f"{error}: install Ace as the README says (npm install -g @daisy/ace)")
    for result in results[:-1]:
        assert not result.error, result.error
        assert result.blocking == [], f"{result.path}:\n" + "\n".join(map(str, result.blocking))
    assert "epub-lang" in {v.rule for v in results[-1].blocking}


# --------------------------------------------------------------------------- headings and CSS


def test_headings_inside_a_chapter_form_an_outline_without_skipped_levels(tmp_path):
    """A manuscript's ``##`` (Heading level 2) under the chapter's <h1> is an <h2>; deeper ones
    follow one level at a time (Ace/axe: heading-order)."""
    chapter = Chapter(title="One", blocks=(
        Heading(2, (Text("Part"),)), Paragraph((Text("a"),)), Heading(4, (Text("Deep"),)),
        Paragraph((Text("b"),)), Heading(3, (Text("Back up"),)), Heading(2, (Text("Next"),))))
    files = unzip(build(Book(Metadata(title="T"), chapters=(chapter,)), tmp_path))
    headings = re.findall(rb"<(h[1-6])[ >]", files["EPUB/chapter-001.xhtml"])
    assert headings == [b"h1", b"h2", b"h3", b"h3", b"h2"]


def css_rules(files: dict[str, bytes]) -> list[tuple[str, str]]:
    import tinycss2

    sheet = files["EPUB/css/book.css"].decode()
    return [(tinycss2.serialize(rule.prelude).strip(), tinycss2.serialize(rule.content))
            for rule in tinycss2.parse_stylesheet(sheet, skip_comments=True,
                                                  skip_whitespace=True)]


@pytest.mark.parametrize("style", ["default", "modern", "typewriter"])
def test_the_stylesheet_repeats_no_selector_and_runs_least_specific_first(style, tmp_path):
    """Calibre's Check Book reports a repeated selector or a less specific selector after a more
    specific one as an error; the theme's sheets are merged so neither happens, with the overlay
    still winning where it overrides the default."""
    import cssselect2
    import tinycss2

    rules = css_rules(unzip(build(minimal_book(), tmp_path, style=style)))
    selectors = [selector for selector, _ in rules]
    assert len(selectors) == len(set(selectors))
    ranks = [cssselect2.compile_selector_list(tinycss2.parse_component_value_list(s))[0]
             .specificity for s in selectors]
    assert ranks == sorted(ranks)
    by_selector = dict(rules)
    assert "text-align: center" in by_selector[".titlepage h1"]  # centred in every theme
    assert "text-indent: 0" in by_selector[".chapter-notes + p"]  # after the summary box
    assert "text-decoration: underline" in by_selector["a"]
    for css in by_selector.values():
        assert "calc(" not in css and "var(" not in css and "flex" not in css
    if style == "modern":
        assert "font-family: sans-serif" in by_selector["body"]
    if style == "typewriter":
        assert "text-decoration: underline" in by_selector["em"]
        assert "font-style: normal" in by_selector["em"]


def test_the_author_has_a_file_as_for_calibres_author_sort(kitchen_sink_files):
    package = opf(kitchen_sink_files)
    for creator in package.xpath("//dc:creator", namespaces=NS):
        file_as = package.xpath(f"//opf:meta[@refines='#{creator.get('id')}']"
                                f"[@property='file-as']/text()", namespaces=NS)
        assert file_as == [creator.text]
    assert package.get(XML_LANG) == package.xpath("//dc:language/text()", namespaces=NS)[0]


def test_a_chapter_too_long_for_e_readers_is_cut_into_parts_with_their_footnotes(tmp_path):
    """Adobe's engine (Kobo's for a sideloaded EPUB) refuses documents over about 300 KB: a
    120,000-word one-shot is cut between paragraphs, each part with the footnotes it uses."""
    from bookmaker.check import check_epub

    [chapter] = big_book(chapters=1).chapters
    late = (Paragraph((Text("A late reference"), FootnoteRef("late"), Text("."))),
            Footnote("late", (Paragraph((Text("The late note."),)),)))
    chapter = dataclasses.replace(chapter, blocks=chapter.blocks + late)
    book = Book(Metadata(title="One Shot", language="en"), chapters=(chapter,))
    files = unzip(build(book, tmp_path, "one-shot"))
    parts = [href for href in spine_hrefs(opf(files)) if href.startswith("chapter-")]
    assert parts[:3] == ["chapter-001.xhtml", "chapter-001-2.xhtml", "chapter-001-3.xhtml"]
    assert all(len(files[f"EPUB/{href}"]) <= 300 * 1024 for href in parts)
    documents = [parse(files[f"EPUB/{href}"]) for href in parts]
    paragraphs = [p for document in documents
                  for p in document.xpath("//x:section[contains(@class,'chapter')]/x:p",
                                          namespaces=NS)]
    assert len(paragraphs) == sum(isinstance(b, Paragraph) for b in chapter.blocks)
    assert documents[0].xpath("count(//x:h1)", namespaces=NS) == 1
    assert all(d.xpath("count(//x:h1)", namespaces=NS) == 0 for d in documents[1:])
    notes = [d.xpath("//x:aside[@epub:type='footnote']//text()", namespaces=NS)
             for d in documents]
    assert "A footnote." in "".join(notes[0]) and "The late note." in "".join(notes[-1])
    assert all(not n for n in notes[1:-1])  # a part without references carries no notes
    nav = parse(files["EPUB/nav.xhtml"])
    contents = nav.xpath("//x:nav[@id='toc']//x:a/@href", namespaces=NS)
    assert [href for href in contents if href.startswith("chapter-")] == ["chapter-001.xhtml"]
    assert check_epub(tmp_path / "one-shot.epub", "all") == []

"""The Kobo kepub writer: koboSpan sentence spans around all the text, Kobo's page wrappers,
footnotes as pop-ups, series metadata Kobo reads. conftest.py EPUBChecks every .kepub.epub
written here (the name ends in .epub)."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from bookmaker.convert import build_anthology, load
from bookmaker.readers.anthology import spec_from_paths
from bookmaker.settings.context import render_context
from bookmaker.settings.options import BuildOptions
from bookmaker.writers import WRITERS, epub
from bookmaker.writers.epub import kepub
from paths import DATA, REPO

KITCHEN_SINK = DATA / "kitchen-sink" / "input.md"
NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf"}
KOBO_ID = re.compile(r"^kobo\.[1-9][0-9]*\.[1-9][0-9]*$")


def unzip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def documents(files: dict[str, bytes]) -> dict[str, etree._Element]:
    return {name: etree.fromstring(data) for name, data in files.items()
            if name.endswith(".xhtml") and not name.endswith("nav.xhtml")}


@pytest.fixture(scope="module")
def kitchen_sink(tmp_path_factory) -> dict[str, bytes]:
    dest = tmp_path_factory.mktemp("kepub") / "kitchen-sink.kepub.epub"
    kepub.write(load(KITCHEN_SINK), dest, render_context(BuildOptions()))
    return unzip(dest)


def test_the_format_is_registered_with_kobos_file_name():
    info = WRITERS["kepub"]
    assert info.suffix == ".kepub.epub" and info.module == "bookmaker.writers.epub.kepub"


def test_every_piece_of_text_in_the_body_is_inside_a_kobo_span(kitchen_sink):
    checked = 0
    for name, root in documents(kitchen_sink).items():
        body = root.find("x:body", NS)
        for element in body.iter():
            # A text node belongs to the element (its .text) or to the parent (its .tail).
            for text, holder in ((element.text, element), (element.tail, element.getparent())):
                if not (text and text.strip()):
                    continue
                spans = [a for a in [holder, *holder.iterancestors()]
                         if a.get("class") == "koboSpan"]
                assert spans, f"{name}: text outside a koboSpan: {text!r}"
                checked += 1
    assert checked > 50  # the kitchen sink has that many runs of text


def test_every_paragraph_of_every_chapter_has_spans(kitchen_sink):
    for name, root in documents(kitchen_sink).items():
        for paragraph in root.iterfind(".//x:p", NS):
            if "".join(paragraph.itertext()).strip():
                assert paragraph.find(".//x:span[@class='koboSpan']", NS) is not None, name


def test_span_ids_are_kobos_unique_and_in_document_order(kitchen_sink):
    for name, root in documents(kitchen_sink).items():
        ids = [span.get("id") for span in root.iterfind(".//x:span[@class='koboSpan']", NS)]
        assert all(KOBO_ID.match(i) for i in ids), name
        assert len(ids) == len(set(ids)), name
        numbers = [tuple(int(n) for n in i.split(".")[1:]) for i in ids]
        assert numbers == sorted(numbers), name


def test_sentences_are_split_and_the_spaces_kept():
    text = "Rain fell. He said “Stop!” Then—nothing? Dots… and more.  "
    assert kepub.sentences(text) == ["Rain fell. ", "He said “Stop!” ", "Then—nothing? ",
                                     "Dots… ", "and more.  "]
    assert "".join(kepub.sentences("No end here")) == "No end here"


def test_images_are_in_spans_too(kitchen_sink):
    images = [image for root in documents(kitchen_sink).values()
              for image in root.iterfind(".//x:img", NS)]
    assert images
    assert all(image.getparent().get("class") == "koboSpan" for image in images)


def test_the_body_is_wrapped_in_kobos_columns(kitchen_sink):
    for name, root in documents(kitchen_sink).items():
        body = root.find("x:body", NS)
        assert [child.get("id") for child in body] == ["book-columns"], name
        assert [child.get("id") for child in body[0]] == ["book-inner"], name
    assert b"div#book-columns" in kitchen_sink["EPUB/css/book.css"]


def test_footnotes_are_kobo_pop_ups(kitchen_sink):
    chapter = etree.fromstring(kitchen_sink["EPUB/chapter-002.xhtml"])
    references = chapter.xpath("//x:a[@epub:type='noteref']", namespaces=NS)
    notes = chapter.xpath("//x:aside[@epub:type='footnote']", namespaces=NS)
    assert references and notes
    note_ids = {note.get("id") for note in notes}
    assert {reference.get("href").lstrip("#") for reference in references} <= note_ids


def test_series_metadata_kobo_reads(tmp_path):
    story = tmp_path / "story.md"
    story.write_text("---\ntitle: Second Book\nauthor: Quill\nlanguage: en\nseries:\n"
                     "  name: The Rain Cycle\n  index: 2\n---\n\n# One\n\nText. More text.\n",
                     encoding="utf-8")
    dest = tmp_path / "story.kepub.epub"
    kepub.write(load(story), dest, render_context(BuildOptions()))
    package = etree.fromstring(unzip(dest)["EPUB/content.opf"])
    assert package.xpath("//opf:meta[@name='calibre:series']/@content",
                         namespaces=NS) == ["The Rain Cycle"]
    assert package.xpath("//opf:meta[@name='calibre:series_index']/@content",
                         namespaces=NS) == ["2"]
    assert package.xpath("//opf:meta[@property='belongs-to-collection']/text()",
                         namespaces=NS) == ["The Rain Cycle"]


def test_the_plain_epub_has_no_kobo_markup(tmp_path):
    dest = tmp_path / "plain.epub"
    epub.write(load(KITCHEN_SINK), dest, render_context(BuildOptions()))
    assert not any(b"koboSpan" in data or b"book-columns" in data
                   for data in unzip(dest).values())


def test_build_writes_a_kepub_beside_the_epub(tmp_path):
    result = subprocess.run([sys.executable, "-m", "bookmaker", "build", str(KITCHEN_SINK),
                             "-f", "epub", "-f", "kepub", "-o", str(tmp_path)],
                            capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-new-hero.epub",
                                                         "a-new-hero.kepub.epub"]


def test_a_long_one_shot_stays_under_the_document_limit_with_its_spans(tmp_path):
    import runpy

    novel = runpy.run_path(str(REPO / "benchmarks" / "make_novel.py"))
    front, paragraphs = novel["seed_parts"]()
    story = tmp_path / "one-shot.md"
    story.write_text(novel["manuscript"](front, paragraphs, 120_000, 1), encoding="utf-8")
    dest = tmp_path / "one-shot.kepub.epub"
    kepub.write(load(story), dest, render_context(BuildOptions()))
    chapters = {name: data for name, data in unzip(dest).items() if "chapter-" in name}
    assert len(chapters) >= 4
    assert all(len(data) <= 300 * 1024 for data in chapters.values())


def test_an_anthology_is_a_kepub_too_with_the_epubs_pages_and_spans_in_each(tmp_path):
    """The kepub is the EPUB writer with Kobo's renderer, so every shape the EPUB writer takes
    (an anthology, a volume of a split book) is one: the same files, every text in spans."""
    spec = spec_from_paths([KITCHEN_SINK, DATA / "ao3html" / "multi-chapter-2024" / "input.html"],
                           "Two", ("Ed",))
    [epub_result] = [build_anthology(spec, ["epub"], tmp_path / "epub")]
    [kepub_result] = [build_anthology(spec, ["kepub"], tmp_path / "kepub")]
    assert epub_result.error is None and kepub_result.error is None, kepub_result.error
    plain, kobo = unzip(Path(epub_result.outputs[0])), unzip(Path(kepub_result.outputs[0]))
    assert sorted(plain) == sorted(kobo)
    pages = documents(kobo)
    assert any(name.startswith("EPUB/w02-") for name in pages)
    for name, root in pages.items():
        body = root.find("x:body", NS)
        assert [child.get("id") for child in body] == ["book-columns"], name
        for element in body.iter():
            for text, holder in ((element.text, element), (element.tail, element.getparent())):
                if text and text.strip():
                    assert any(a.get("class") == "koboSpan"
                               for a in [holder, *holder.iterancestors()]), (name, text)


def test_the_kepubs_text_is_the_epubs_text(tmp_path):
    """Spans added, nothing else: each page reads the same words as the EPUB's."""
    book = load(KITCHEN_SINK)
    plain = unzip(_written(epub.write, book, tmp_path / "plain.epub"))
    kobo = unzip(_written(kepub.write, book, tmp_path / "kobo.kepub.epub"))
    for name, root in documents(kobo).items():
        words = " ".join("".join(root.find("x:body", NS).itertext()).split())
        assert words == " ".join("".join(etree.fromstring(plain[name]).find(
            "x:body", NS).itertext()).split()), name


def _written(write, book, dest: Path) -> Path:
    write(book, dest, render_context(BuildOptions()))
    return dest

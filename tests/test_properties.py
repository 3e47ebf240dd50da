"""Properties every reader and the EPUB writer keep, whatever they are given.

- any bytes saved under a reader's extension become a Book or a ManuscriptError naming the file
  (and a line inside it, when it gives one), never another exception (tests/fuzz_targets.py);
- any generated model (tests/strategies.py) makes an EPUB that EPUBCheck passes (the samples are
  written under the test run's temporary folder, which conftest checks at the end) and the same
  bytes when built twice.

The manuscript round trip (write a model as a manuscript, read it back, get the same model) is
tests/test_writer_manuscript.py's property. The fuzz harness (fuzz/run.py) runs the reader targets
for minutes; a smoke round of it runs here.
"""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from bookmaker import model as m
from bookmaker.errors import ManuscriptError
from bookmaker.settings.options import BuildOptions
from bookmaker.settings.context import render_context
from bookmaker.writers import epub
from fuzz_targets import TARGETS, read_or_refuse
from strategies import books

TEXT_FORMATS = (".md", ".txt", ".html")
FUZZ = Path(__file__).resolve().parent.parent / "fuzz" / "run.py"


@pytest.mark.parametrize("extension", sorted(TARGETS))
def test_any_input_reads_or_is_refused_with_a_clear_error(tmp_path_factory, extension):
    folder = tmp_path_factory.mktemp("any-input")

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(TARGETS[extension])
    def reader_survives(data: bytes) -> None:
        outcome = read_or_refuse(folder, extension, data)
        if isinstance(outcome, ManuscriptError) and outcome.line and extension in TEXT_FORMATS:
            # a missing story is reported on the line after the last, where it should start
            assert 1 <= outcome.line <= data.count(b"\n") + data.count(b"\r") + 2, outcome

    reader_survives()


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books)
def test_any_model_makes_a_valid_epub_with_the_same_bytes_twice(tmp_path_factory, book):
    folder = tmp_path_factory.mktemp("generated-book")
    first, second = folder / "first.epub", folder / "second.epub"
    epub.write(book, first, render_context(BuildOptions()))
    epub.write(book, second, render_context(BuildOptions()))
    assert first.read_bytes() == second.read_bytes()


def test_the_fuzz_harness_runs_every_reader_target():
    spec = importlib.util.spec_from_file_location("fuzz_run", FUZZ)
    harness = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(harness)
    tried = harness.fuzz(seconds=0, examples_per_round=15)
    assert set(tried) == set(TARGETS) and all(count >= 15 for count in tried.values()), tried


def test_links_and_note_references_inside_a_link_make_valid_xhtml(tmp_path):
    # Found by the property above: <a> inside <a> is invalid XHTML, so the inner link keeps its
    # text and the note reference its number and id (the note's way back) without a link.
    inner = m.Link((m.Text("inner"),), "https://example.org/b")
    outer = m.Link((m.Text("see "), inner, m.FootnoteRef("1")), "https://example.org/a")
    chapter = m.Chapter("One", (m.Paragraph((outer,)), m.Footnote("1", (m.Paragraph(
        (m.Text("A note."),)),))))
    dest = tmp_path / "links.epub"
    epub.write(m.Book(m.Metadata(title="Links"), (chapter,)), dest, render_context(BuildOptions()))
    with zipfile.ZipFile(dest) as book:
        page = book.read("EPUB/chapter-001.xhtml").decode()
    assert page.count('<a href="https://') == 1
    assert '<sup class="noteref" id="fnref-1">1</sup>' in page
    assert 'href="#fnref-1"' in page and "see inner" in page

"""The readers measured on the shared corpus (documents nobody here wrote): the fidelity
benchmark's per-file results are pinned, so a reader that starts losing words, notes, emphasis,
tables or chapters fails here; and every corpus document builds an EPUB that EPUBCheck passes
(conftest checks every EPUB the tests write) or is refused with a message naming the file."""

from __future__ import annotations

import importlib.util
import json
import sys

import pytest

from paths import CORPUS, REPO

from bookmaker import convert

_SPEC = importlib.util.spec_from_file_location("fidelity", REPO / "benchmarks" / "fidelity.py")
assert _SPEC is not None and _SPEC.loader is not None
fidelity = importlib.util.module_from_spec(_SPEC)
sys.modules["fidelity"] = fidelity  # dataclasses look their module up while defining
_SPEC.loader.exec_module(fidelity)

GOLDEN = REPO / "tests" / "data" / "fidelity" / "results.json"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CORPUS.exists(), reason="the shared corpus is not here")]


@pytest.fixture(scope="module")
def results():
    return fidelity.measure_all(CORPUS)


def test_the_fidelity_results_are_pinned_file_by_file(results, golden):
    golden.check(GOLDEN, json.dumps(results, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def test_every_footnote_emphasis_and_table_pandoc_finds_is_found(results):
    """Against pandoc's own reading: nothing it finds in these is missing."""
    for name, result in results.items():
        if result.get("reference") != "pandoc":
            continue
        for kind in ("notes", "tables"):
            found, expected = result[kind]
            assert found >= expected, f"{name}: {kind} {found} of {expected}"


def test_words_are_kept_against_pandocs_reading_of_the_tables_and_styles(results):
    for name in ("pandoc-char_styles", "pandoc-drop_cap", "pandoc-tables", "pandoc-table_one_row",
                 "pandoc-alternate_document_path", "pandoc-table_with_list_cell",
                 "pandoc-table_header_rowspan", "pandoc-notes", "pandoc-inline_formatting"):
        result = results[f"docx/{name}.docx"]
        assert result["kept"] >= fidelity.KEPT_AT_LEAST, (name, result)
        assert result["added"] <= fidelity.ADDED_AT_MOST, (name, result)
        assert result["emphasis"][0] >= result["emphasis"][1], (name, result)
        assert result["strong"][0] == result["strong"][1], (name, result)


def test_every_corpus_document_builds_a_valid_epub_or_is_refused_by_name(tmp_path):
    sources = fidelity.corpus_files(CORPUS)
    built = convert.build(sources, ["epub"], tmp_path / "out")
    assert len(built) == len(sources)
    for result in built:
        if result.error is not None:
            assert result.source.name in result.error or str(result.source) in result.error
            assert "holds no text" in result.error, result.error  # the two empty pydocx files
        else:
            assert result.outputs and result.outputs[0].stat().st_size > 0
    assert sum(result.error is None for result in built) >= len(sources) - 2


def test_no_document_loses_words_silently(results):
    """The benchmark's bar (it exits non-zero otherwise): nothing is missing that no warning
    names and no rule recorded as left out on purpose."""
    silent = [name for name, result in results.items()
              if "SILENT LOSS" in result.get("flags", [])]
    assert silent == []


def test_a_loss_the_registry_did_not_see_is_a_silent_loss(monkeypatch):
    """The benchmark checks the registry's check against an independent reference (the EPUB's
    spine): with the check blinded and a reader dropping a page, the file is flagged."""
    from bookmaker.readers import accounting
    from bookmaker.readers import epub as epub_reader
    monkeypatch.setattr(accounting, "unaccounted", lambda source, book: None)
    original = epub_reader._Reading._chapters
    monkeypatch.setattr(epub_reader._Reading, "_chapters",
                        lambda self: original(self)[:-3])  # the last three chapters gone
    result = fidelity.measure(CORPUS / "epub" / "idpf-childrens-literature.epub")
    assert result["flags"][0] == "SILENT LOSS" and result["kept"] < 0.99

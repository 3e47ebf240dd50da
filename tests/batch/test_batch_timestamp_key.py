"""The manifest remembers the timestamp setting a book was built with: SOURCE_DATE_EPOCH decides
the bytes of every EPUB, so a rerun with another value must rebuild, not call it unchanged."""

from __future__ import annotations

import zipfile

from bookmaker.batch import BatchSettings, run_batch


def test_another_source_date_epoch_rebuilds_and_the_same_one_does_not(tmp_path, monkeypatch):
    src = tmp_path / "archive"
    src.mkdir()
    (src / "a.md").write_text("---\ntitle: A\nlanguage: en\n---\n\nText.\n", encoding="utf-8")
    out = tmp_path / "out"
    settings = BatchSettings(jobs=1)

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1000000000")
    assert run_batch(src, out, settings).count("built") == 1
    assert run_batch(src, out, settings).count("unchanged") == 1
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1200000000")
    again = run_batch(src, out, settings)
    assert again.count("built") == 1
    with zipfile.ZipFile(out / "a.epub") as book:
        package = book.read("EPUB/content.opf").decode()
    assert "2008-01-10T21:20:00Z" in package  # 1200000000, not the first run's date

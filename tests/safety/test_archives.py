"""SafeZip: hostile zip containers are refused before anything is read, with a clear message."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from bookmaker.safety import archives as safezip
from bookmaker.errors import ManuscriptError
from bookmaker.safety.archives import MAX_CONTAINER_BYTES, SafeZip
from bookmaker.safety.inputs import Source, open_source


def gated(path: Path) -> Source:
    """The container as the reader registry hands it over."""
    return open_source(path, MAX_CONTAINER_BYTES)


def make_zip(path: Path, entries: dict[str, bytes],
             compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return path


def test_reads_entries_by_name(tmp_path):
    path = make_zip(tmp_path / "ok.zip", {"mimetype": b"application/epub+zip",
                                          "OEBPS/Text/ch1.xhtml": b"<p>hi</p>"})
    with SafeZip(gated(path)) as container:
        assert container.names() == ["mimetype", "OEBPS/Text/ch1.xhtml"]
        assert container.read("OEBPS/Text/ch1.xhtml") == b"<p>hi</p>"
        assert "mimetype" in container


def test_missing_entry_is_a_clear_error(tmp_path):
    path = make_zip(tmp_path / "ok.zip", {"a.txt": b"a"})
    with SafeZip(gated(path)) as container, pytest.raises(ManuscriptError) as error:
        container.read("b.txt")
    assert "no entry 'b.txt'" in str(error.value)
    assert str(path) in str(error.value)


@pytest.mark.parametrize("name, problem", [
    ("../../evil.sh", "climbs out"),
    ("OEBPS/../../evil.sh", "climbs out"),
    ("/etc/passwd", "absolute path"),
    ("C:/Windows/evil.dll", "absolute path"),
    ("OEBPS\\..\\evil.sh", "backslash"),
    ("OEBPS/a\x01.xhtml", "control character"),
])
def test_unsafe_entry_names_are_refused(tmp_path, name, problem):
    path = make_zip(tmp_path / "evil.zip", {"mimetype": b"x", name: b"payload"})
    with pytest.raises(ManuscriptError) as error:
        SafeZip(gated(path))
    message = str(error.value)
    assert problem in message
    assert str(path) in message
    assert "do not open it" in message  # the hint


@pytest.mark.parametrize("first, second", [
    ("OEBPS/Text/Chapter.xhtml", "oebps/text/chapter.XHTML"),
    ("caf\u00e9.xhtml", "cafe\u0301.xhtml"),  # NFC and NFD spellings of the same name
    ("stra\u00dfe.xhtml", "STRASSE.xhtml"),
])
def test_names_equal_after_folding_are_refused(tmp_path, first, second):
    path = make_zip(tmp_path / "dupes.zip", {first: b"1", second: b"2"})
    with pytest.raises(ManuscriptError, match="name the same file"):
        SafeZip(gated(path))


def test_zip_bomb_is_refused_on_opening(tmp_path):
    path = make_zip(tmp_path / "bomb.zip", {"OEBPS/zeros.xhtml": bytes(8 * 1024 * 1024)})
    assert path.stat().st_size < 100_000  # what makes it a bomb: tiny outside, huge inside
    with pytest.raises(ManuscriptError, match="zip bomb"):
        SafeZip(gated(path))


def test_read_counts_the_bytes_that_come_out(tmp_path):
    """The cap applies to what the decompressor produces, checked chunk by chunk."""
    path = make_zip(tmp_path / "big.zip", {"big.txt": bytes(3 * 1024 * 1024)},
                    compression=zipfile.ZIP_STORED)
    with SafeZip(gated(path)) as container, pytest.raises(ManuscriptError) as error:
        container.read("big.txt", limit=1024 * 1024)
    assert "'big.txt' inflates to more than 1 MB" in str(error.value)


def test_too_many_entries_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(safezip, "MAX_ENTRIES", 50)
    path = make_zip(tmp_path / "many.zip", {f"f{i}.txt": b"x" for i in range(51)})
    with pytest.raises(ManuscriptError, match="51 entries, more than the 50 allowed"):
        SafeZip(gated(path))


def test_total_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(safezip, "MAX_TOTAL_BYTES", 1000)
    path = make_zip(tmp_path / "big.zip", {"a.txt": b"a" * 600, "b.txt": b"b" * 600},
                    compression=zipfile.ZIP_STORED)
    with pytest.raises(ManuscriptError, match="inflate to 1200 bytes, more than the 1000 bytes"):
        SafeZip(gated(path))


def test_not_a_zip_is_a_clear_error(tmp_path):
    folder = tmp_path / "not-built-by-bookmaker"
    folder.mkdir()
    path = folder / "story.epub"
    path.write_text("just text")
    with pytest.raises(ManuscriptError, match="not a readable zip container"):
        SafeZip(gated(path))

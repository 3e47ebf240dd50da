"""Kindle books walked with bounds before KindleUnpack sees them (bookmaker/safety/palmdb.py).

The fixtures are real calibre output (tests/data/ao3_downloads/, made by make_fixtures.py there)
and books built with ``struct`` the way an attacker builds them (tests/helpers/kindle.py). The
bombs of issue 22 go through the real ``bookmaker import`` and ``build`` in an audited subprocess
(tests/helpers/stranger.py): at most 60 s and 2 GB, one clear message or a book, no traceback.
"""

from __future__ import annotations

import struct
import warnings
import zlib
from pathlib import Path, PurePath

import pytest
from kindle import (exth_block, font_record, huff_book, mobi_book, palm_database,
                    story_html)
from paths import DATA
from stranger import assert_safe, run_audited

from bookmaker import readers
from bookmaker.errors import ManuscriptError
from bookmaker.model import plain_text
from bookmaker.safety import palmdb
from bookmaker.safety.palmdb import tame

with warnings.catch_warnings():  # mobi imports imghdr, deprecated since Python 3.11
    warnings.simplefilter("ignore", DeprecationWarning)
    from mobi.mobi_header import MobiHeader
    from mobi.mobi_sectioner import Sectionizer

NOT_OURS = "not-built-by-bookmaker"
AO3_KINDLE = sorted((DATA / "ao3_downloads").glob("*.azw3")) \
    + sorted((DATA / "ao3_downloads").glob("*.mobi"))
STORY = story_html(*[f"Paragraph {n}: the rain kept on against the glass." for n in range(400)])


def raw_text(path: Path) -> list[bytes]:
    """The text KindleUnpack itself makes of every MOBI header in ``path``."""
    sections = Sectionizer(str(path))
    starts = [0] + [index + 1 for index in range(sections.num_sections)
                    if sections.loadSection(index) == b"BOUNDARY"]
    return [MobiHeader(sections, start).getRawML() for start in starts]


def refusal(data: bytes) -> str:
    with pytest.raises(ManuscriptError) as caught:
        tame(data, PurePath("stranger.mobi"))
    assert caught.value.path == "stranger.mobi" and caught.value.hint
    return caught.value.message


# ------------------------------------------------------------------ what real books become


@pytest.mark.parametrize("path", AO3_KINDLE, ids=lambda path: path.name)
def test_the_tamed_copy_holds_the_same_text_stored_uncompressed(path, tmp_path):
    tamed = tame(path.read_bytes(), PurePath(path.name))
    copy = tmp_path / path.name
    copy.write_bytes(tamed.data)
    assert raw_text(copy) == raw_text(path)
    assert MobiHeader(Sectionizer(str(copy)), 0).compression == palmdb.STORED
    assert tamed.kf8 == (path.suffix == ".azw3")


@pytest.mark.parametrize("compression", [palmdb.PALMDOC, palmdb.STORED])
def test_a_book_made_with_struct_reads_as_kindleunpack_reads_it(tmp_path, compression):
    source = tmp_path / "story.mobi"
    source.write_bytes(mobi_book(STORY, compression=compression))
    copy = tmp_path / "copy.mobi"
    copy.write_bytes(tame(source.read_bytes(), PurePath("story.mobi")).data)
    assert raw_text(copy) == raw_text(source) == [STORY]


def test_huffcdic_text_is_decoded_here_as_kindleunpack_decodes_it(tmp_path):
    source = tmp_path / NOT_OURS / "huff.mobi"
    source.parent.mkdir()
    source.write_bytes(huff_book(STORY))
    copy = tmp_path / "copy.mobi"
    copy.write_bytes(tame(source.read_bytes(), PurePath("huff.mobi")).data)
    assert raw_text(copy) == raw_text(source) == [STORY]
    book = readers.read(source)
    assert "Paragraph 399: the rain kept on" in plain_text(book.chapters[0].blocks)


def test_fonts_are_left_out_of_the_copy_with_a_warning(tmp_path):
    font = b"\0\1\0\0" + bytes(range(256)) * 64
    source = tmp_path / NOT_OURS / "fonts.mobi"
    source.parent.mkdir()
    source.write_bytes(mobi_book(STORY, resources=[font_record(font)]))
    tamed = tame(source.read_bytes(), PurePath("fonts.mobi"))
    assert b"FONT" not in tamed.data and tamed.fonts_left_out == 1
    book, found = readers.read_with_findings(source)
    assert [f.message for f in found] == ["1 embedded font(s) left out"]
    assert "Paragraph 0" in plain_text(book.chapters[0].blocks)


# ------------------------------------------------------------------ what is refused


def test_an_exth_header_claiming_four_billion_records_is_refused():
    book = mobi_book(STORY, exth=exth_block([], count=2**32 - 1))
    assert "EXTH header claims 4,294,967,295 records in 12 bytes" in refusal(book)


def test_an_exth_record_of_size_zero_is_refused():
    exth = exth_block([(100, b"A. Writer")])
    exth = exth[:16] + struct.pack(">L", 0) + exth[20:]  # the record's own size
    assert "EXTH record 0 claims 0 bytes" in refusal(mobi_book(STORY, exth=exth))


def test_an_encrypted_book_is_refused_as_drm():
    assert "encrypted (DRM)" in refusal(mobi_book(STORY, encryption=2))


def test_records_out_of_order_or_past_the_end_are_refused():
    book = bytearray(mobi_book(STORY))
    struct.pack_into(">L", book, 78 + 8 * 2, len(book) + 10)
    assert "record 2 lies outside the file" in refusal(bytes(book))
    struct.pack_into(">L", book, 78 + 8 * 2, 100)
    assert "record 2 starts before the one it follows" in refusal(bytes(book))
    assert "record table" in refusal(palm_database(b"x", [b"abc"], count=5000))


def test_more_text_records_claimed_than_the_book_holds_are_refused():
    book = bytearray(mobi_book(STORY))
    record0 = struct.unpack_from(">L", book, 78)[0]
    struct.pack_into(">H", book, record0 + 8, 60_000)
    assert "claims 60000 text records" in refusal(bytes(book))


def test_text_inflating_past_the_budget_is_refused(monkeypatch):
    monkeypatch.setattr(palmdb, "MAX_KINDLE_TEXT_BYTES", len(STORY) - 1)
    assert "inflates to more than" in refusal(mobi_book(STORY))
    assert "inflates to more than" in refusal(huff_book(STORY))


def test_huffcdic_phrases_nested_without_end_are_refused():
    # Phrase 0 (byte 0xff) is coded, and codes itself: KindleUnpack recurses until it fails.
    assert "more than 32 deep" in refusal(huff_book(b"\xff" * 10, {0: (b"\xff", False)}))


def test_huffcdic_phrases_that_multiply_are_refused_once_past_the_budget(monkeypatch):
    monkeypatch.setattr(palmdb, "MAX_KINDLE_TEXT_BYTES", 1_000_000)
    # Phrase 0 is 200 x phrase 1, which is 200 x phrase 2 ... : 200^6 bytes from one code.
    phrases = {level: (bytes([255 - level - 1]) * 200, False) for level in range(6)}
    assert "inflates to more than" in refusal(huff_book(b"\xff", phrases))


def test_a_palmdoc_back_reference_before_the_start_is_refused():
    record = struct.pack(">H", 0x8000 | (100 << 3))  # 3 bytes from 100 back, at the start
    assert "refers back past its start" in refusal(mobi_book(STORY, text_records=[record]))


def test_a_page_cut_into_a_hundred_thousand_fragments_is_refused():
    # One 10 MB page of 100,000 fragments: KindleUnpack would copy the page once per fragment.
    with pytest.raises(ManuscriptError, match="too many fragments"):
        palmdb.check_kf8_assembly([(100_000, 100)], [100] * 100_000, PurePath("x.azw3"))
    palmdb.check_kf8_assembly([(40, 500)] * 300, [2000] * 12_000, PurePath("novel.azw3"))


def test_the_fragment_tables_of_a_real_kf8_book_are_read_before_unpacking(monkeypatch, tmp_path):
    source = DATA / "ao3_downloads" / "Small_Hours.azw3"
    assert readers.read(source).metadata.title == "Small Hours"
    monkeypatch.setattr(palmdb, "MAX_KF8_ASSEMBLY_BYTES", 1000)
    with pytest.raises(ManuscriptError, match="too many fragments") as caught:
        readers.read(source)
    assert caught.value.path == str(source)


# ------------------------------------------------------------------ the bombs, through the commands


def font_bomb() -> bytes:
    """A ~1 MB book whose zlib font record inflates to 1 GB (made without holding the GB)."""
    packer = zlib.compressobj(9)
    zeros = b"\0" * 2**20
    data = b"".join(packer.compress(zeros) for _ in range(1024)) + packer.flush()
    record = b"FONT" + struct.pack(">LLLLL", 2**30, 1, 24, 0, 0) + data
    return mobi_book(story_html("A story under a font bomb."), resources=[record])


def long_palmdoc_record() -> bytes:
    """A PalmDOC book whose one text record is 1 MB (KindleUnpack: 16 s, quadratically)."""
    text = story_html(*[f"Line {n} of one enormous record." for n in range(30_000)])[:900_000]
    text = text + b"</p></body></html>"
    record = b"".join(bytes([len(chunk)]) + chunk for chunk in
                      (text[start:start + 8] for start in range(0, len(text), 8)))
    return mobi_book(text, text_records=[record])


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    root = tmp_path_factory.mktemp("kindle-bombs")
    folder = root / NOT_OURS
    folder.mkdir()
    (folder / "exth.mobi").write_bytes(mobi_book(story_html("EXTH"),
                                                 exth=exth_block([], count=2**32 - 1)))
    (folder / "font.azw3").write_bytes(font_bomb())
    (folder / "long.mobi").write_bytes(long_palmdoc_record())
    return root, folder


@pytest.mark.parametrize("command, out", [("import", "manuscripts"), ("build", "dist")])
def test_the_bombs_of_issue_22_end_within_the_limits(bombs, command, out):
    root, folder = bombs
    run = run_audited(command, folder, "-o", root / out, cwd=root)
    assert_safe(run, root, root / out)
    assert run.returncode == 1, run.output
    assert f"{folder / 'exth.mobi'}: the Kindle book's EXTH header claims 4,294,967,295" \
        in run.stderr
    assert f"{folder / 'font.azw3'}: warning: 1 embedded font(s) left out" in run.stderr
    made = sorted(path.name for path in (root / out).iterdir() if not path.name.startswith("."))
    assert len(made) == 2, run.output  # the font bomb's story and the long record's

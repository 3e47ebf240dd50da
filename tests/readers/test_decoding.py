"""Text files from real archives: every legacy encoding decoded right, mojibake repaired, and the
author's punctuation never touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from bookmaker import readers
from bookmaker.errors import ManuscriptError
from bookmaker.model import plain_text
from bookmaker.readers.decoding import MAX_TEXT_BYTES, decode, read_text
from bookmaker.safety.inputs import open_source

RUSSIAN = ("Он пришёл домой поздно вечером. 'Где ты был?' - спросила она. "
           "Дождь шёл весь день, и улицы были пусты.\n") * 3
JAPANESE = "彼は夜遅く家に帰った。「どこにいたの？」と彼女は聞いた。雨が一日中降っていた。\n" * 3
CHINESE = "他很晚才回家。“你去哪儿了？”她问。外面下了一整天的雨，街上空无一人。\n" * 3
POLISH = ("Wrócił do domu późno wieczorem. 'Gdzie byłeś?' - zapytała. Przez cały dzień "
          "padał deszcz, a ulice były puste i ciche.\n") * 3
FRENCH = "« Où étais-tu ? » demanda-t-elle. Il haussa les épaules — c’était l’été, après tout…\n"


@pytest.mark.parametrize("text, encoding, recorded", [
    (RUSSIAN, "koi8-r", "koi8-r"),
    (RUSSIAN, "cp1251", "windows-1251"),
    (JAPANESE, "shift_jis", "shift_jis"),
    (CHINESE, "gb18030", "gb18030"),
    (POLISH, "iso-8859-2", "iso-8859-2"),
    (POLISH, "cp1250", "windows-1250"),
    (FRENCH * 3, "cp1252", "windows-1252"),
    (FRENCH + RUSSIAN, "utf-8", "utf-8"),
    (FRENCH + RUSSIAN, "utf-16-le", "utf-16-le"),
    (FRENCH + RUSSIAN, "utf-16-be", "utf-16-be"),
])
def test_legacy_encodings_are_detected_over_the_whole_file(text, encoding, recorded):
    assert decode(text.encode(encoding)) == (text, recorded)


@pytest.mark.parametrize("bom, encoding, recorded", [
    (b"\xef\xbb\xbf", "utf-8", "utf-8"),
    (b"\xff\xfe", "utf-16-le", "utf-16"),
    (b"\xfe\xff", "utf-16-be", "utf-16"),
])
def test_a_byte_order_mark_decides_and_is_not_text(bom, encoding, recorded):
    assert decode(bom + FRENCH.encode(encoding)) == (FRENCH, recorded)


def test_mojibake_is_repaired_without_straightening_quotes():
    original = ("“Hello,” he said — it’s the café… 'Straight' \"quotes\" stay straight, "
                "ﬁne ligatures and ｗｉｄｅ letters stay too.\nNext line — ça va?\n")
    garbled = original.encode("utf-8").decode("latin-1").encode("utf-8")
    assert decode(garbled) == (original, "utf-8 (mojibake repaired)")


def test_clean_text_that_looks_odd_is_left_alone():
    """Curly quotes, dashes, ellipses, ligatures, decomposed accents: the author's, untouched."""
    text = "‘Quoted’ “words” -- and ... « guillemets » ﬁ e\u0301 Â la carte\n"
    assert decode(text.encode("utf-8")) == (text, "utf-8")


def test_windows_1252_file_through_the_plain_text_reader(tmp_path: Path):
    path = tmp_path / "old-fic.txt"
    path.write_bytes("Title: Où étais-tu\nRating: Teen\n\n“Well,” she said… It’s over.\n"
                     .encode("cp1252"))
    book = readers.read(path)
    assert book.metadata.encoding == "windows-1252"
    assert book.metadata.title == "Où étais-tu"
    assert plain_text(book.chapters[0].blocks).strip() == "“Well,” she said… It’s over."


def test_mojibake_file_through_the_plain_text_reader(tmp_path: Path):
    path = tmp_path / "mangled.txt"
    story = "Title: Café Society\n\n“Don’t,” she whispered — too late.\n"
    path.write_bytes(story.encode("utf-8").decode("latin-1").encode("utf-8"))
    book = readers.read(path)
    assert book.metadata.encoding == "utf-8 (mojibake repaired)"
    assert book.metadata.title == "Café Society"
    assert plain_text(book.chapters[0].blocks).strip() == "“Don’t,” she whispered — too late."


def test_shift_jis_and_koi8_files_are_read(tmp_path: Path):
    for name, text, encoding in (("ja.txt", JAPANESE, "shift_jis"), ("ru.txt", RUSSIAN, "koi8-r")):
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        assert read_text(open_source(path, MAX_TEXT_BYTES)) == (text, encoding)


def test_nul_bytes_without_a_utf16_pattern_are_a_binary_file(tmp_path: Path):
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 50)
    with pytest.raises(ManuscriptError, match="binary file"):
        read_text(open_source(path, MAX_TEXT_BYTES))

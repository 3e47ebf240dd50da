"""Turning a text file's bytes into str the way real fic archives need.

Shared by every text-based reader so they agree on encodings, line ends and what counts as a
binary (not-a-manuscript) file. Archives hold files from every decade and every country, so the
encoding is decided in this order, each step only when the ones before it did not apply:

1. a byte-order mark names UTF-8, UTF-16 or UTF-32;
2. NUL bytes in a regular pattern mean UTF-16 without a BOM (otherwise NULs mean a binary file);
3. strict UTF-8: legacy text almost never happens to be valid UTF-8, so success is trusted;
4. Windows-1252, the encoding of most old English and Western European fics, but only when the
   result reads like Western text (few accented letters, no stray signs such as ³ or ¶ touching
   letters): it decodes nearly any bytes, so without that check it would turn Russian or Polish
   into gibberish;
5. detection over the whole file by charset-normalizer (Shift-JIS, GB18030, KOI8-R, ISO-8859-2,
   Windows-1251...); among decodings it finds equally clean, the encoding real archives use most
   wins (it cannot tell ISO-8859-2 from ISO-8859-10 by itself);
6. Latin-1 when nothing else decodes, so no file is refused for its encoding alone.

Then mojibake is repaired with ftfy: text that was decoded wrongly once and saved again
(``â€œHello`` for ``“Hello``). ftfy is told to fix encoding errors only: quotes, dashes,
ligatures, widths, line breaks and Unicode normalisation are the author's and stay as they are.
The encoding recorded in the model says which step decided, e.g. ``windows-1252`` or
``utf-8 (mojibake repaired)``.
"""

from __future__ import annotations

import codecs
import re
from pathlib import PurePath
from typing import Any

from bookmaker.errors import ManuscriptError
from bookmaker.safety.budgets import check_blocks
from bookmaker.safety.inputs import Source

MAX_TEXT_BYTES = 64 * 1024 * 1024
SNIFF_SIZE = 8192  # how much of a file is looked at to tell text from binary

# Characters no text file holds on purpose: C0 and C1 controls except tab, line feed, form feed and
# carriage return, and the replacement character.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_text(source: Source) -> tuple[str, str]:
    """The input's text with ``\\n`` line ends, and the name of the encoding that decoded it.
    (Its size was checked by the gate, against MAX_TEXT_BYTES.)"""
    text, encoding = decode(source.data, source.name)
    text = normalise_newlines(text)
    check_blocks(text, source.name)
    return text, encoding


def decode(data: bytes, path: PurePath | None = None) -> tuple[str, str]:
    """Text and encoding name; ManuscriptError when the bytes are empty or not text at all."""
    decoded = _decode_with_bom(data)
    if decoded is None:
        if b"\x00" in data[:SNIFF_SIZE]:
            decoded = _decode_utf16_without_bom(data)
            if decoded is None:
                raise _binary_file(path)
        else:
            decoded = _decode_without_bom(data)
    text, encoding = _repair_mojibake(*decoded)
    # Old DOS editors end a text file with Ctrl-Z; it is a marker, not a control character.
    text = text.rstrip("\x1a")
    if not text.strip():
        raise ManuscriptError("the file is empty", path, hint="write the story in it first")
    if looks_binary(text[:SNIFF_SIZE]):
        raise _binary_file(path)
    return text, encoding


def _decode_with_bom(data: bytes) -> tuple[str, str] | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding.replace("-sig", "")
            except UnicodeDecodeError:
                return None
    return None


def _decode_utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text with no BOM: mostly-ASCII text has a NUL in every other byte, on one side."""
    sample = data[:SNIFF_SIZE]
    even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2 or 1
    if odd_nuls * 10 > half * 3 and even_nuls * 20 < half:
        encoding = "utf-16-le"
    elif even_nuls * 10 > half * 3 and odd_nuls * 20 < half:
        encoding = "utf-16-be"
    else:
        return None
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError:
        return None


def _decode_without_bom(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        if reads_as_western(text):
            return text, "windows-1252"
    except UnicodeDecodeError:
        pass
    detected = _detect(data)
    if detected is not None:
        return detected
    return data.decode("latin-1"), "latin-1"


# Western text has a few accented letters among many plain ones; Cyrillic or Greek decoded as
# Windows-1252 is nearly all accented letters.
MAX_WESTERN_ACCENTED_SHARE = 0.25
MIN_LETTERS_FOR_SHARE = 40
# Signs that touch letters only when another encoding was misread as Windows-1252: Polish ł and
# ś become ³ and ¶, Czech š and ž become ¹ and ¾, ż becomes ¿ after a letter. (When a real
# Western text has one, detection still decodes it; only the shortcut is missed.)
_MISREAD_SIGNS = "¹²³¼½¾±×÷¶¦¬¯¸¤"
_SYMBOL_TOUCHING_WORD = re.compile(
    f"[^\\W\\d_][{_MISREAD_SIGNS}¿]|[{_MISREAD_SIGNS}][^\\W\\d_]")
_NOT_ASCII_LETTERS = bytes(b for b in range(256) if not chr(b).isalpha() or b > 0x7f)
_ACCENTED_LETTER = re.compile(r"[^\W\d_\x00-\x7f]")


def reads_as_western(text: str) -> bool:
    """True when ``text`` (decoded as Windows-1252) looks like a Western language, not like
    another legacy encoding misread."""
    if _SYMBOL_TOUCHING_WORD.search(text):
        return False
    # Counted by deleting everything else, which runs in C over a novel in a few milliseconds.
    plain = len(text.encode("ascii", "ignore").translate(None, _NOT_ASCII_LETTERS))
    accented = len(text) - len(_ACCENTED_LETTER.sub("", text))
    letters = plain + accented
    return letters < MIN_LETTERS_FOR_SHARE or accented <= MAX_WESTERN_ACCENTED_SHARE * letters


# Among decodings charset-normalizer finds equally clean, the encodings fic archives really hold
# come first: CJK, Cyrillic, then Central European and Greek (ISO before Windows: a Windows file
# uses bytes 0x80-0x9F that ISO decodes as controls, so the two tie only on ISO files).
PREFERRED_ENCODINGS = (
    "gb18030", "big5", "cp932", "shift_jis", "euc_jp", "cp949", "euc_kr",
    "koi8_r", "cp1251", "koi8_u",
    "iso8859_2", "cp1250", "iso8859_7", "cp1253", "cp1254", "iso8859_9", "cp1255", "cp1256",
    "cp1257", "iso8859_15", "iso8859_13", "cp1258",
)
# How much less clean (charset-normalizer's "chaos", 0..1) a preferred encoding may be and still
# win over the cleanest candidate.
DETECTION_TIE = 0.05
_RECORDED_NAMES = {"cp932": "shift_jis"}


def _detect(data: bytes) -> tuple[str, str] | None:
    """The text and encoding name charset-normalizer finds for the whole of ``data``."""
    import charset_normalizer  # only text that is neither UTF-8 nor Windows-1252 pays for it

    matches = list(charset_normalizer.from_bytes(data, steps=1, chunk_size=len(data)))
    if not matches:
        return None
    cleanest = min(match.chaos for match in matches)
    tied = [match for match in matches if match.chaos <= cleanest + DETECTION_TIE]
    rank = {name: place for place, name in enumerate(PREFERRED_ENCODINGS)}
    best = min(tied, key=lambda match: rank.get(match.encoding, len(rank)))
    return str(best), _recorded_name(best.encoding)


def _recorded_name(codec: str) -> str:
    """The encoding's everyday name: ``windows-1251``, ``iso-8859-2``, ``koi8-r``."""
    name = codecs.lookup(codec).name
    name = _RECORDED_NAMES.get(name, name)
    if re.fullmatch(r"cp125\d", name):
        return "windows-" + name[2:]
    return re.sub(r"^iso8859-", "iso-8859-", name)


# What UTF-8 read as Windows-1252 or Latin-1 looks like: a lead byte (Â-ô) followed by a
# continuation byte (0x80-0xBF) as either encoding shows it. Only lines with one go through ftfy,
# which is far slower than this scan over a whole novel.
_MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
    "\u20ac\u2122]")


def _repair_mojibake(text: str, encoding: str) -> tuple[str, str]:
    """``text`` with encoding errors undone by ftfy, and the encoding name saying so."""
    if not _MOJIBAKE_HINT.search(text):
        return text, encoding
    import ftfy  # 0.1 s of imports: only text that looks like mojibake pays for it

    fixes_only = ftfy.TextFixerConfig(**_ENCODING_FIXES_ONLY)
    lines = text.split("\n")
    repaired = "\n".join(ftfy.fix_text(line, fixes_only)
                         if _MOJIBAKE_HINT.search(line) else line for line in lines)
    if repaired == text:
        return text, encoding
    return repaired, f"{encoding} (mojibake repaired)"


# ftfy.TextFixerConfig fields: repair encoding errors only, change nothing an author typed.
_ENCODING_FIXES_ONLY: dict[str, Any] = {
    "unescape_html": False, "remove_terminal_escapes": False, "fix_encoding": True,
    "restore_byte_a0": True, "replace_lossy_sequences": True, "decode_inconsistent_utf8": True,
    "fix_c1_controls": True, "fix_latin_ligatures": False, "fix_character_width": False,
    "uncurl_quotes": False, "fix_line_breaks": False, "fix_surrogates": True,
    "remove_control_chars": False, "normalization": None, "explain": False}


def looks_binary(sample: str) -> bool:
    """True when more than 1% of ``sample`` is control characters or replacement marks.

    Text never holds C0/C1 controls other than tab, newlines and form feed, while an image or a
    zip decoded as Windows-1252 is full of them; U+FFFD means an earlier tool already lost bytes.
    """
    if not sample:
        return False
    return len(_NOT_TEXT.findall(sample)) * 100 > len(sample)


def _binary_file(path: PurePath | None) -> ManuscriptError:
    return ManuscriptError("this is a binary file, not a text manuscript", path,
                           hint="give a .md or .txt file saved as text")


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")

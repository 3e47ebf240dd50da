"""Turning a text file's bytes into str the way real fic files need: BOM, UTF-8, Windows-1252.

Shared by every text-based reader so they agree on encodings, line ends and what counts as a
binary (not-a-manuscript) file.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from bookmaker.errors import ManuscriptError

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


def read_text(path: Path) -> tuple[str, str]:
    """The file's text with ``\\n`` line ends, and the name of the encoding that decoded it."""
    try:
        size = path.stat().st_size
        if size > MAX_TEXT_BYTES:
            raise ManuscriptError(f"file is {size // (1024 * 1024)} MB, more than the "
                                  f"{MAX_TEXT_BYTES // (1024 * 1024)} MB a manuscript may be",
                                  path, hint="split it into several works")
        data = path.read_bytes()
    except OSError as error:
        raise ManuscriptError(f"cannot read file: {error.strerror}", path,
                              hint="check that it exists and is readable") from None
    text, encoding = decode(data, path)
    return normalise_newlines(text), encoding


def decode(data: bytes, path: Path | None = None) -> tuple[str, str]:
    """Text and encoding name; ManuscriptError when the bytes are empty or not text at all."""
    decoded = _decode_with_bom(data)
    if decoded is None:
        if b"\x00" in data[:SNIFF_SIZE]:
            raise _binary_file(path)
        decoded = _decode_without_bom(data)
    text, encoding = decoded
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


def _decode_without_bom(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Windows-1252 decodes nearly any byte string; five bytes it leaves undefined need Latin-1.
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def looks_binary(sample: str) -> bool:
    """True when more than 1% of ``sample`` is control characters or replacement marks.

    Text never holds C0/C1 controls other than tab, newlines and form feed, while an image or a
    zip decoded as Windows-1252 is full of them; U+FFFD means an earlier tool already lost bytes.
    """
    if not sample:
        return False
    return len(_NOT_TEXT.findall(sample)) * 100 > len(sample)


def _binary_file(path: Path | None) -> ManuscriptError:
    return ManuscriptError("this is a binary file, not a text manuscript", path,
                           hint="give a .md or .txt file saved as text")


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")

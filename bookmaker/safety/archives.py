"""Opening zip containers (EPUB, DOCX) that came from strangers, without trusting anything in them.

A zip's central directory is written by whoever made the file. It may name entries
``../../.bashrc`` or ``/etc/passwd`` (zip-slip), hold two entries that are the same file on a
case-insensitive disk (``Text/a.xhtml`` and ``text/A.xhtml``), hold a million entries, or declare a
few kilobytes that inflate into gigabytes (a zip bomb). SafeZip works on the bytes the gate read
(safety/inputs.Source: opened once, no symlink, within MAX_CONTAINER_BYTES) and checks all of that
before a single entry is read, then reads entries only by a name it validated, into memory,
counting the bytes that really come out of the decompressor: the sizes in the headers are the
attacker's word, not a measurement. Nothing is ever extracted to disk.

The limits are generous for real books (a novel with illustrations is a few hundred entries and a
few dozen megabytes) and far below what would hurt the machine.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import PurePosixPath

from bookmaker.errors import ManuscriptError
from bookmaker.safety.inputs import Source

# The most entries a container may hold. Real EPUBs have tens to a few hundred files.
MAX_ENTRIES = 10_000
# The most bytes the container's entries may inflate to, in total and each.
MAX_TOTAL_BYTES = 512 * 1024 * 1024
MAX_ENTRY_BYTES = 128 * 1024 * 1024
# The most a container file itself may weigh on disk: the gate's budget for EPUB and DOCX.
MAX_CONTAINER_BYTES = 512 * 1024 * 1024
# The most an entry (or the whole container) may inflate relative to its compressed size.
# Text compresses about 3-10x, XML up to ~30x; a zip bomb is hundreds or thousands of times.
MAX_COMPRESSION_RATIO = 100
# Entries smaller than this are never refused for their ratio: a 2 KB run of spaces compressing to
# 20 bytes is harmless, whatever its ratio.
RATIO_EXEMPT_BYTES = 1024 * 1024
# How much is read from the decompressor at a time while counting.
_CHUNK = 64 * 1024

_HINT = "the file is damaged or was made to attack the program reading it; do not open it"


class SafeZip:
    """A zip container checked as a whole on opening; entries are read into memory by name.

    ``SafeZip(source)`` raises ManuscriptError when the bytes are not a zip or pass a limit;
    after that ``names()`` lists the entries and ``read(name)`` returns one entry's bytes.
    """

    def __init__(self, source: Source) -> None:
        self.path = source.name
        self._file = io.BytesIO(source.data)
        try:
            self._zip = zipfile.ZipFile(self._file)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
            self._file.close()
            raise ManuscriptError(f"not a readable zip container ({error})", self.path,
                                  hint="the file is damaged or not an EPUB/DOCX; export it "
                                       "again") from None
        try:
            self._infos = self._checked_entries()
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()
        self._file.close()

    def names(self) -> list[str]:
        """The entry names, in the container's order (folders left out)."""
        return list(self._infos)

    def __contains__(self, name: str) -> bool:
        return name in self._infos

    def read(self, name: str, limit: int = MAX_ENTRY_BYTES) -> bytes:
        """The bytes of entry ``name``, refused when more than ``limit`` bytes come out of it.

        The count is of what the decompressor actually produces, so a header that lies about the
        size cannot make this read more than ``limit`` (plus one chunk).
        """
        info = self._infos.get(name)
        if info is None:
            raise ManuscriptError(f"the container has no entry {name!r}", self.path,
                                  hint="the file is incomplete; export it again")
        chunks: list[bytes] = []
        size = 0
        try:
            with self._zip.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise self._limit_error(f"entry {name!r} inflates to more than "
                                                f"{_megabytes(limit)}")
                    self._check_ratio(name, size, info.compress_size)
                    chunks.append(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError,
                ValueError) as error:
            # RuntimeError: an encrypted entry; NotImplementedError: an unknown compression.
            raise ManuscriptError(f"cannot read entry {name!r} ({error})", self.path,
                                  hint="the file is damaged or encrypted; export it again") \
                from None
        return b"".join(chunks)

    # ----------------------------------------------------------------- checks on opening

    def _checked_entries(self) -> dict[str, zipfile.ZipInfo]:
        """The file entries by name, after checking names, count, declared sizes and ratios."""
        infos = [info for info in self._zip.infolist() if not info.is_dir()]
        if len(infos) > MAX_ENTRIES:
            raise self._limit_error(f"the container holds {len(infos)} entries, more than the "
                                    f"{MAX_ENTRIES} allowed")
        seen: dict[str, str] = {}
        total = compressed = 0
        for info in infos:
            self._check_name(info.filename)
            key = fold_name(info.filename)
            if key in seen:
                raise self._limit_error(f"entries {seen[key]!r} and {info.filename!r} name the "
                                        "same file (they differ only in case or accents)")
            seen[key] = info.filename
            if info.file_size > MAX_ENTRY_BYTES:
                raise self._limit_error(f"entry {info.filename!r} declares "
                                        f"{_megabytes(info.file_size)}, more than the "
                                        f"{_megabytes(MAX_ENTRY_BYTES)} allowed")
            self._check_ratio(info.filename, info.file_size, info.compress_size)
            total += info.file_size
            compressed += info.compress_size
        if total > MAX_TOTAL_BYTES:
            raise self._limit_error(f"the entries inflate to {_megabytes(total)}, more than the "
                                    f"{_megabytes(MAX_TOTAL_BYTES)} allowed")
        self._check_ratio("the container as a whole", total, compressed)
        return {info.filename: info for info in infos}

    def _check_name(self, name: str) -> None:
        problem = name_problem(name)
        if problem:
            raise self._limit_error(f"entry {name!r} {problem}")

    def _check_ratio(self, name: str, size: int, compressed: int) -> None:
        if size > RATIO_EXEMPT_BYTES and size > MAX_COMPRESSION_RATIO * max(compressed, 1):
            raise self._limit_error(f"{name!r} inflates more than {MAX_COMPRESSION_RATIO} times "
                                    "its compressed size (a zip bomb)")

    def _limit_error(self, message: str) -> ManuscriptError:
        return ManuscriptError(f"refused to open the container: {message}", self.path,
                               hint=_HINT)


def name_problem(name: str) -> str:
    """Why an entry name is unsafe to use as a path ("" when it is fine)."""
    if not name or "\x00" in name:
        return "has an empty name or a NUL character"
    if "\\" in name:
        return "has a backslash in its name (a Windows path)"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "is an absolute path"
    if any(part == ".." for part in PurePosixPath(name).parts):
        return "climbs out of the container with '..'"
    if any(unicodedata.category(char) == "Cc" for char in name):
        return "has a control character in its name"
    return ""


def fold_name(name: str) -> str:
    """The form two names share when a case-insensitive, normalising file system sees one file."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size} bytes"

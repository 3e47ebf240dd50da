"""Opening a stranger's file once, and reading only from what was opened.

Checking a path and then opening it by name again is a race: between the two, the file can be
swapped for a symlink to a secret. So every input (manuscript, container, image) is opened here,
once, with ``O_NOFOLLOW`` (a symlink is refused, never followed) and ``O_NONBLOCK`` (a FIFO does
not hang the open); the checks are made on the opened descriptor (a regular file, its size, and
for an asset the folder the descriptor really lies in), and the bytes are read from that same
descriptor. Nothing reads an input by its path after this.

The reader registry (``bookmaker/readers/__init__.py``) is the only caller for manuscripts: it
opens each input here and hands its reader a ``Source``, the bytes and a name for messages, so no
reader has a path it could open again. A library that insists on a file name gets a
``private_copy`` of those bytes instead.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from bookmaker.errors import ManuscriptError

_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) \
    | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)


def open_input(path: str | Path, limit: int | None = None, *, what: str = "file",
               inside: str | Path | None = None, hint: str = "") -> io.BufferedReader:
    """``path`` opened for reading: a regular file, not a symlink, at most ``limit`` bytes, and
    (with ``inside``) really lying inside that folder; else a ManuscriptError naming it."""
    path = Path(path)
    try:
        fd = os.open(path, _FLAGS)
    except OSError as error:
        raise _refused(path, error, what) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ManuscriptError(f"{what} is not a regular file ({_kind(info.st_mode)})", path,
                                  hint="give a file saved on disk, not a pipe, device or socket")
        if limit is not None and info.st_size > limit:
            raise ManuscriptError(f"{what} is {_size(info.st_size)}, more than the "
                                  f"{_size(limit)} allowed", path,
                                  hint=hint or "split or shrink it")
        if inside is not None and not _descriptor_inside(fd, path, Path(inside)):
            raise ManuscriptError(f"{what} lies outside the manuscript's folder", path,
                                  hint="copy it into the manuscript's folder")
        os.set_blocking(fd, True)
        return io.BufferedReader(io.FileIO(fd, "rb", closefd=True))
    except BaseException:
        os.close(fd)
        raise


def read_input(path: str | Path, limit: int, *, what: str = "file",
               inside: str | Path | None = None, hint: str = "") -> bytes:
    """The bytes of ``path``, opened once by open_input and read from that descriptor; at most
    ``limit`` bytes, even when the file grows while it is read."""
    with open_input(path, limit, what=what, inside=inside, hint=hint) as file:
        try:
            data = _read_up_to(file, limit + 1)
        except OSError as error:
            raise _refused(Path(path), error, what) from None
    if len(data) > limit:
        raise ManuscriptError(f"{what} grew past the {_size(limit)} allowed while it was read",
                              path, hint=hint or "split or shrink it")
    return data


def _read_up_to(file: io.BufferedReader, most: int) -> bytes:
    """At most ``most`` bytes of ``file``: asked for in the size the descriptor gave, then in
    chunks if it grows, so a 2 KB story does not reserve the whole budget (``read(limit)``
    allocates ``limit`` bytes before it reads one)."""
    parts: list[bytes] = []
    want = min(most, os.fstat(file.fileno()).st_size + 1)
    while most > 0:
        chunk = file.read(want)
        if not chunk:
            break
        parts.append(chunk)
        most -= len(chunk)
        want = min(most, 1 << 20)
    return b"".join(parts)


@dataclass
class Ledger:
    """What a source holds as text, and what its reader left out of it on purpose.

    The reader registry compares the words of the book a reader made with these (readers/
    accounting.py), so a reader that loses text says so. The parts that meet a source's text
    record it here as they read it, once: the HTML road's parse (every page, before the
    sanitiser), the DOCX reader (the document's runs), the text decoder. A rule that removes text
    on purpose (the sanitiser's dropped elements, boilerplate, a site's chrome, Gutenberg's
    licence) records that text with the reason, and only those words may be missing.
    """

    texts: list[str] = field(default_factory=list)
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (text, why)

    def holds(self, text: str) -> None:
        """Record ``text`` as text of the source (a page, a part, the whole file)."""
        self.texts.append(text)

    def leave_out(self, text: str, why: str) -> None:
        """Record ``text`` as removed on purpose, for the reason ``why``."""
        if text.strip():
            self.left_out.append((text, why))


@dataclass(frozen=True)
class Source:
    """One input as the gate opened and read it: everything a reader is given.

    ``name`` says which file it was, in messages and where a title falls back on the file name;
    it is a PurePath, which has no method that opens or looks at anything. ``folder`` is where
    the book's relative references (its images) are looked for later, by safety/assets.py through
    this same gate. ``data`` is the file's bytes, read from the descriptor that was checked.
    ``ledger`` is what the reader met of its text and left out on purpose (Ledger).
    """

    name: PurePath
    folder: str
    data: bytes = b""
    # Filled while the source is read; made anew by dataclasses.replace (a cut-out chapter).
    ledger: Ledger = field(default_factory=Ledger, init=False, compare=False, repr=False)

    def head(self, size: int) -> bytes:
        return self.data[:size]


def open_source(path: str | Path, limit: int, *, what: str = "file", hint: str = "") -> Source:
    """``path`` opened once by open_input (no symlink, a regular file, at most ``limit`` bytes)
    and read whole from that descriptor."""
    path = Path(path)
    data = read_input(path, limit, what=what, hint=hint)
    return Source(PurePath(path), str(path.parent), data)


@dataclass(frozen=True)
class PrivateFolder:
    """A private temporary folder holding ``copy`` (bytes the gate read, or what a reader made
    of them), for a library that only reads a file by name and writes what it unpacks beside
    it. What it wrote is read back through ``read`` only: opened once like any input, inside
    this folder, within a size; its messages name the input, never the temporary folder."""

    path: Path
    copy: Path
    name: PurePath  # the input the copy stands for, for messages

    def read(self, relative: PurePath, limit: int, what: str) -> bytes:
        try:
            return read_input(self.path / relative, limit, what=what, inside=self.path)
        except ManuscriptError as error:
            raise ManuscriptError(error.message, self.name, hint=error.hint) from None

    def names(self, relative: str) -> list[PurePath]:
        """The regular files directly in ``relative`` (a sub-folder), as paths relative to the
        private folder; none when it does not exist."""
        try:
            with os.scandir(self.path / relative) as entries:
                return sorted(PurePath(relative, entry.name) for entry in entries
                              if entry.is_file(follow_symlinks=False))
        except OSError:
            return []


@contextlib.contextmanager
def private_copy(data: bytes, suffix: str, name: PurePath) -> Iterator[PrivateFolder]:
    """``data`` as the file ``input{suffix}`` in a private temporary folder (mode 0700, made
    fresh); the folder, and whatever a library wrote in it, is removed afterwards however the
    block ends. The copy holds only bytes the gate read and checked, so nothing the user's
    folder holds (a link swapped in, a pipe) can reach the library."""
    folder = Path(tempfile.mkdtemp(prefix="bookmaker-private-"))
    try:
        copy = folder / f"input{suffix}"
        fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                     | getattr(os, "O_CLOEXEC", 0), 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        yield PrivateFolder(folder, copy, name)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _descriptor_inside(fd: int, path: Path, folder: Path) -> bool:
    """Whether the file open on ``fd`` lies inside ``folder``: asked of the descriptor (what
    was opened), so a folder swapped for a symlink after the check cannot lead out."""
    try:
        real = Path(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:  # no /proc: the path's resolution, checked once, is the best there is
        real = path.resolve()
    return real.is_relative_to(folder.resolve())


def _refused(path: Path, error: OSError, what: str) -> ManuscriptError:
    if error.errno == errno.ELOOP:
        return ManuscriptError(f"{what} is a symbolic link; links in an input folder are never "
                               "followed", path,
                               hint="copy the file itself here instead of linking to it")
    if error.errno == errno.ENOENT:
        return ManuscriptError(f"cannot read {what}: it does not exist", path,
                               hint="check the file name")
    return ManuscriptError(f"cannot read {what}: {error.strerror}", path,
                           hint="check that it exists and is readable")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _size(size: int) -> str:
    return f"{size // 2**20} MB" if size >= 2**20 else f"{size:,} bytes"

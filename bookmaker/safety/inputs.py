"""Opening a stranger's file once, and reading only from what was opened.

Checking a path and then opening it by name again is a race: between the two, the file can be
swapped for a symlink to a secret. So every input (manuscript, container, image) is opened here,
once, with ``O_NOFOLLOW`` (a symlink is refused, never followed) and ``O_NONBLOCK`` (a FIFO does
not hang the open); the checks are made on the opened descriptor (a regular file, its size, and
for an asset the folder the descriptor really lies in), and the bytes are read from that same
descriptor. Nothing reads an input by its path after this.
"""

from __future__ import annotations

import errno
import io
import os
import stat
from pathlib import Path

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
            data = file.read(limit + 1)
        except OSError as error:
            raise _refused(Path(path), error, what) from None
    if len(data) > limit:
        raise ManuscriptError(f"{what} grew past the {_size(limit)} allowed while it was read",
                              path, hint=hint or "split or shrink it")
    return data


def is_regular_file(path: Path) -> bool:
    """Whether ``path`` itself (not what a symlink points to) is a regular file."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


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

"""Where books are written: safe file names inside the output folder, written atomically.

The output folder is the user's, never the archive's: an archive that ships ``dist`` or
``manuscripts`` as a link to somewhere else (or a link at a name bookmaker writes inside them)
would otherwise receive the books, manuscripts and images there. So the output folder is refused
when it is a symbolic link, when a run starts (``refuse_links``), and every name written is
refused when it or the folder it goes into is one (``unique_path``, ``atomic_write``), with a
message saying to pass ``-o``. Folders above the output folder are the user's own business (a
home folder may well be a link), and are not looked at.
"""

from __future__ import annotations

import glob
import os
import re
import tempfile
import unicodedata
from pathlib import Path

from bookmaker.errors import OutputError
from bookmaker.terminal import printable_name

_MAX_SLUG = 80


def slugify(title: str, fallback: str = "book") -> str:
    """A file name stem from a title: ASCII letters, digits and hyphens, never a path.

    ``../../x`` becomes ``x``; a title with no usable characters becomes ``fallback``.
    """
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:_MAX_SLUG].strip("-")
    return slug or fallback


_PATH_LIKE = re.compile(r"(^|[/\\])\.\.([/\\]|$)|^(/|~/|[A-Za-z]:[/\\])")


def looks_like_path(title: str) -> bool:
    """True for titles such as ``../../x``, ``/etc/passwd`` or ``C:\\x``.

    Such a title is almost always a mistake or an attack rather than a work's name; ordinary slashes
    (``Him/Her``, ``1/2``) are common in fic titles and are fine.
    """
    return bool(_PATH_LIKE.search(title.strip()))


def refuse_links(out_dir: Path, down_to: Path | None = None) -> None:
    """OutputError when the output folder ``out_dir``, or anything between it and ``down_to``
    (a folder or file inside it that bookmaker is about to write into or at), is a symbolic
    link."""
    out_dir = Path(out_dir)
    path = out_dir
    for part in (Path(down_to).relative_to(out_dir).parts if down_to is not None else ()):
        _refuse_link(path, out_dir)
        path = path / part
    _refuse_link(path, out_dir)


def _refuse_link(path: Path, out_dir: Path | None = None) -> None:
    if not os.path.islink(path):
        return
    if path == out_dir:
        raise OutputError(f"{printable_name(str(path))}: the output folder is a symbolic link, "
                          "and bookmaker writes only into a folder of your own (a link that "
                          "came with the files could send the books anywhere): pass -o with a "
                          "real folder")
    raise OutputError(f"{printable_name(str(path))}: is a symbolic link where bookmaker would "
                      "write (a link that came with the files could send the books anywhere): "
                      "remove it, or pass -o with another output folder")


def unique_path(out_dir: Path, stem: str, suffix: str, taken: set[Path]) -> Path:
    """``out_dir/stem.suffix``, or ``stem-2``, ``stem-3``... when an earlier book of this run
    took it; OutputError when the name or ``out_dir`` is a symbolic link."""
    candidate = out_dir / f"{stem}{suffix}"
    number = 2
    while candidate in taken:
        candidate = out_dir / f"{stem}-{number}{suffix}"
        number += 1
    refuse_links(out_dir, candidate)
    taken.add(candidate)
    return candidate


def atomic_write(dest: Path, data: bytes) -> None:
    """Write ``data`` to ``dest`` through a temporary file in the same folder and a rename.

    A symbolic link at ``dest`` or as its folder is refused (OutputError), never written
    through or replaced. An interrupted or failed write leaves the old file (or none), never
    half a book. A process killed outright (kill -9, power loss) leaves its hidden
    ``.NAME.PID.*.part`` behind; the next write of the same file removes those whose process is
    gone.
    """
    dest = Path(dest)
    _refuse_link(dest.parent)  # an images folder beside a manuscript, say
    _refuse_link(dest)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        _remove_dead_parts(dest)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.{os.getpid()}.", suffix=".part",
                                        dir=dest.parent)
    except OSError as error:
        raise OutputError(f"{dest.parent}: cannot write here: {error.strerror} "
                          f"(choose another output folder with -o)") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, dest)
    except OSError as error:
        Path(tmp_name).unlink(missing_ok=True)
        raise OutputError(f"{dest}: cannot write: {error.strerror} "
                          f"(free some space or choose another output folder with -o)") from None
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _remove_dead_parts(dest: Path) -> None:
    """Delete the temporary files of earlier writes of ``dest`` whose process no longer runs."""
    for part in dest.parent.glob(f".{glob.escape(dest.name)}.*.part"):
        pid = part.name[len(dest.name) + 2:].split(".", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            part.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True

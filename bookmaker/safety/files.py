"""Where books are written: safe file names inside the output folder, written atomically."""

from __future__ import annotations

import glob
import os
import re
import tempfile
import unicodedata
from pathlib import Path

from bookmaker.errors import OutputError

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


def unique_path(out_dir: Path, stem: str, suffix: str, taken: set[Path]) -> Path:
    """``out_dir/stem.suffix``, or ``stem-2``, ``stem-3``... when an earlier book of this run
    took it."""
    candidate = out_dir / f"{stem}{suffix}"
    number = 2
    while candidate in taken:
        candidate = out_dir / f"{stem}-{number}{suffix}"
        number += 1
    taken.add(candidate)
    return candidate


def atomic_write(dest: Path, data: bytes) -> None:
    """Write ``data`` to ``dest`` through a temporary file in the same folder and a rename.

    An interrupted or failed write leaves the old file (or none), never half a book. A process
    killed outright (kill -9, power loss) leaves its hidden ``.NAME.PID.*.part`` behind; the next
    write of the same file removes those whose process is gone.
    """
    dest = Path(dest)
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

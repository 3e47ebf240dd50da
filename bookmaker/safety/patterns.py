"""Paths and globs that a stranger's file names (anthology.yaml's works), kept inside its folder.

``glob.glob`` expands whatever it is given: ``../*`` lists the sibling folders, ``/etc/pass*``
finds ``/etc/passwd``, ``/*/*/*/*/*/*/*`` walks the whole disk, and a link to a folder is walked
into. Here a pattern is first judged as written: an absolute one, or one with a ``..`` part, is
outside the folder and is never expanded, so nothing outside is listed, stat-ed or named. A
relative pattern is then expanded one part at a time with ``os.scandir``, never following a link
to a folder, within a budget of names looked at, so no pattern can make the walk long.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from pathlib import Path, PurePosixPath

# Names a file's patterns may look at in all (each entry of each folder scanned counts once): a
# real anthology's works/*.md looks at a few hundred.
MAX_NAMES_LOOKED_AT = 100_000


class PatternOutside(ValueError):
    """The pattern names a place outside the folder (absolute, or climbing out with ``..``)."""


class PatternTooWide(ValueError):
    """Expanding the patterns would look at more than MAX_NAMES_LOOKED_AT names."""


class NameBudget:
    """How many more names the patterns of one file may look at."""

    def __init__(self, names: int | None = None) -> None:
        self.limit = MAX_NAMES_LOOKED_AT if names is None else names
        self.left = self.limit

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise PatternTooWide(f"the patterns look at more than {self.limit:,} names")


def relative_parts(pattern: str) -> tuple[str, ...]:
    """The parts of ``pattern`` below the folder (``.`` and empty parts dropped);
    PatternOutside when it is absolute or has a ``..`` part, judged on the text alone."""
    if pattern.startswith(("/", "\\")) or (len(pattern) > 1 and pattern[1] == ":") \
            or "\x00" in pattern:
        raise PatternOutside(pattern)
    parts = tuple(part for part in PurePosixPath(pattern).parts if part != ".")
    if any(part == ".." or "\\" in part for part in parts) or not parts:
        raise PatternOutside(pattern)
    return parts


def expand(folder: Path, pattern: str, budget: NameBudget) -> list[Path]:
    """The files inside ``folder`` that the relative ``pattern`` names, sorted: a path without
    wildcards as it is (whether it exists is the caller's question), a glob by scanning each
    folder it passes through. Hidden names match only a part that starts with a dot, as in
    ``glob``. A link met at the last part is kept, for the gate to refuse by name; a link to a
    folder is never entered."""
    parts = relative_parts(pattern)
    if not glob.has_magic(pattern):
        return [folder.joinpath(*parts)]
    current = [folder]
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        current = [found for base in current for found in _step(base, part, last, budget)]
    return sorted(current)


def _step(base: Path, part: str, last: bool, budget: NameBudget) -> list[Path]:
    """What one part of a pattern names in the folder ``base``."""
    if not glob.has_magic(part):
        candidate = base / part
        if last:
            return [candidate] if os.path.lexists(candidate) else []
        return [candidate] if _is_real_folder(candidate) else []
    found = []
    try:
        with os.scandir(base) as entries:
            for entry in entries:
                budget.spend()
                if entry.name.startswith(".") and not part.startswith("."):
                    continue
                if not fnmatch.fnmatchcase(entry.name, part):
                    continue
                wanted = entry.is_symlink() or entry.is_file(follow_symlinks=False) if last \
                    else entry.is_dir(follow_symlinks=False)
                if wanted:
                    found.append(Path(entry.path))
    except OSError:  # vanished, or not a folder one may read: nothing of it matches
        return []
    return found


def _is_real_folder(path: Path) -> bool:
    try:
        return not path.is_symlink() and path.is_dir()
    except OSError:
        return False

"""The user's own cache: what bookmaker derives from its own files once and keeps between runs
(compiled templates), never anything read from a book.

What is cached is code to run (a template's compiled Python), so the folder must be one nobody
else can write: ``$XDG_CACHE_HOME/bookmaker`` (else ``~/.cache/bookmaker``), made with mode 0700
and used only while it is a real folder owned by this user that no one else may write to; any
other state, or a folder that cannot be made, means no cache, never an error. ``BOOKMAKER_CACHE``
names another folder (the same checks apply) or, set to ``off``, turns the cache off. Entries are
keyed by the content they were made from and written atomically (Jinja's bytecode cache writes a
temporary file and renames it), so processes and builds sharing the folder never see half an
entry, and an edited template is compiled again.
"""

from __future__ import annotations

import functools
import os
import stat
from pathlib import Path

OFF = "off"


@functools.cache
def cache_folder(kind: str) -> Path | None:
    """The private folder for ``kind`` of entry, made if need be, or None for no cache."""
    chosen = os.environ.get("BOOKMAKER_CACHE", "")
    if chosen.lower() == OFF or not hasattr(os, "getuid"):
        return None
    if chosen:
        root = Path(chosen)
    else:
        home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = Path(home) / "bookmaker"
    folder = root / kind
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for place in (root, folder):
            if not _private(place):
                return None
    except OSError:
        return None
    return folder


def _private(folder: Path) -> bool:
    """A real folder (no link), this user's, that neither group nor others may write to."""
    found = os.lstat(folder)
    return stat.S_ISDIR(found.st_mode) and found.st_uid == os.getuid() \
        and not found.st_mode & (stat.S_IWGRP | stat.S_IWOTH)

"""EPUB containers for tests: zipped from the unpacked trees under tests/data/epub_input/."""

from __future__ import annotations

import zipfile
from pathlib import Path

from paths import DATA

INPUTS = DATA / "epub_input"


def make_epub(files: dict[str, bytes], dest: Path) -> Path:
    """An EPUB zip from entry name -> bytes, mimetype first and stored, as the format wants."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), b"application/epub+zip")
        for name, data in files.items():
            if name != "mimetype":
                archive.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return dest


def tree(case: str) -> dict[str, bytes]:
    folder = INPUTS / case
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}

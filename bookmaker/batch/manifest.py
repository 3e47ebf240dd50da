"""The batch manifest in the output folder: what each input was built from and into.

A rerun compares each input with its entry and rebuilds only what changed. The manifest is written
atomically (and during the run, not only at its end), so a crash or a kill loses at most the books
that were in flight.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from bookmaker.safety.files import atomic_write

MANIFEST_NAME = ".bookmaker-manifest.json"
MANIFEST_VERSION = 1


@dataclass
class Entry:
    """One input's last build. ``outputs`` maps a format to its file, relative to the output folder.

    ``options``, ``styles`` and ``version`` say what the outputs were built with: the options'
    hash, the hash of the styles and templates, and bookmaker's version.
    """

    sha256: str
    size: int
    mtime_ns: int
    options: str
    styles: str
    version: str
    status: str  # "built" or "failed"
    outputs: dict[str, str] = field(default_factory=dict)
    error: dict | None = None
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


class Manifest:
    """Entries by input path (relative to the source folder, with forward slashes)."""

    def __init__(self, path: Path, entries: dict[str, Entry] | None = None,
                 unreadable: bool = False) -> None:
        self.path = path
        self.entries = entries or {}
        self.unreadable = unreadable  # a damaged manifest is rebuilt from scratch, not trusted

    @classmethod
    def load(cls, out_dir: Path) -> Manifest:
        """The manifest in ``out_dir``; empty when there is none or it cannot be trusted."""
        path = out_dir / MANIFEST_NAME
        try:
            data = json.loads(path.read_bytes())
            if data.get("manifest_version") != MANIFEST_VERSION:
                return cls(path, unreadable=True)
            entries = {name: Entry(**fields) for name, fields in data["inputs"].items()}
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return cls(path, unreadable=True)
        return cls(path, entries)

    def save(self) -> None:
        data = {"manifest_version": MANIFEST_VERSION,
                "inputs": {name: dataclasses.asdict(entry)
                           for name, entry in sorted(self.entries.items())}}
        atomic_write(self.path, json.dumps(data, indent=1, ensure_ascii=False).encode("utf-8"))

    def taken_outputs(self) -> set[Path]:
        """Every output file some input owns: new books must not take these names."""
        out_dir = self.path.parent
        return {out_dir / output for entry in self.entries.values()
                for output in entry.outputs.values()}


def file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def tree_sha256(folders: list[Path]) -> str:
    """One hash over every file's name and bytes under ``folders``: a changed stylesheet, template
    or font changes it, and so rebuilds every book that used them."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if "__pycache__" in path.parts:
                continue
            digest.update(str(path.relative_to(folder)).encode("utf-8") + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def options_sha256(settings: dict) -> str:
    """The hash of a run's settings (JSON-able): any changed setting rebuilds every book."""
    text = json.dumps(settings, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

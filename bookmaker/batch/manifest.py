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

from bookmaker.errors import ManuscriptError
from bookmaker.safety.files import atomic_write
from bookmaker.safety.inputs import open_input, read_input

MANIFEST_NAME = ".bookmaker-manifest.json"
# 2: each format's files (a list: volumes, a zine's signatures) and each format's error. A version
# 1 manifest is read too (one file per format; a failure was the whole input's).
MANIFEST_VERSION = 2
READ_VERSIONS = (1, 2)


@dataclass
class Entry:
    """One input's last build. ``outputs`` maps a format to its files, relative to the output
    folder; ``errors`` a format that failed to its error ({message, file, line}); ``stem`` is the
    name every output of the input starts with, kept from run to run.

    ``options``, ``styles`` and ``version`` say what the outputs were built with: the options'
    hash, the hash of the styles and templates, and bookmaker's version.
    """

    sha256: str
    size: int
    mtime_ns: int
    options: str
    styles: str
    version: str
    status: str  # "built", or "failed" when any format failed
    outputs: dict[str, list[str]] = field(default_factory=dict)
    error: dict | None = None  # the first failure
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    errors: dict[str, dict] = field(default_factory=dict)
    stem: str | None = None

    def failed_formats(self, formats: tuple[str, ...]) -> set[str]:
        """Which of ``formats`` failed last time (a version 1 entry that failed: all)."""
        if self.status != "failed":
            return set()
        return set(formats) & set(self.errors) if self.errors else set(formats)

    def files(self) -> list[str]:
        return [name for names in self.outputs.values() for name in names]


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
            data = json.loads(read_input(path, MAX_MANIFEST_BYTES))
            if data.get("manifest_version") not in READ_VERSIONS:
                return cls(path, unreadable=True)
            inputs = data["inputs"]
            if not isinstance(inputs, dict):
                return cls(path, unreadable=True)
        except ManuscriptError:
            if not path.exists() and not path.is_symlink():
                return cls(path)
            return cls(path, unreadable=True)
        except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
            return cls(path, unreadable=True)
        # Each entry is checked on its own: one that breaks the schema (a wrong type, an output
        # outside the folder) is dropped, so its input is rebuilt; the others are kept.
        entries = {name: entry for name, fields in inputs.items()
                   if (entry := _checked_entry(name, fields)) is not None}
        return cls(path, entries, unreadable=len(entries) != len(inputs))

    def save(self) -> None:
        data = {"manifest_version": MANIFEST_VERSION,
                "inputs": {name: dataclasses.asdict(entry)
                           for name, entry in sorted(self.entries.items())}}
        atomic_write(self.path, json.dumps(data, indent=1, ensure_ascii=False).encode("utf-8"))

    def taken_outputs(self) -> set[Path]:
        """Every output file some input owns: new books must not take these names."""
        out_dir = self.path.parent  # load() kept only outputs inside it
        return {out_dir / output for entry in self.entries.values() for output in entry.files()}


# The manifest is read back from the output folder, which anyone may have edited: it is untrusted
# input. Each field's JSON type, the status's values, and every output path must check out.
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "sha256": (str,), "size": (int,), "mtime_ns": (int,), "options": (str,), "styles": (str,),
    "version": (str,), "status": (str,), "outputs": (dict,), "error": (dict, type(None)),
    "seconds": (int, float), "warnings": (list,), "errors": (dict,), "stem": (str, type(None))}
_REQUIRED = ("sha256", "size", "mtime_ns", "options", "styles", "version", "status")
MAX_MANIFEST_BYTES = 256 * 1024 * 1024


def _checked_entry(name: object, fields: object) -> Entry | None:
    """The entry ``fields`` describe, or None when anything in it breaks the schema."""
    if not isinstance(name, str) or not safe_relative(name) or not isinstance(fields, dict):
        return None
    if set(fields) - set(_FIELD_TYPES) or any(key not in fields for key in _REQUIRED):
        return None
    for key, value in fields.items():
        if not isinstance(value, _FIELD_TYPES[key]) or (
                isinstance(value, bool) and bool not in _FIELD_TYPES[key]):
            return None
    if fields["status"] not in ("built", "failed"):
        return None
    # Version 1 kept one file per format; a list of one is the same thing.
    outputs = {fmt: [files] if isinstance(files, str) else files
               for fmt, files in fields.get("outputs", {}).items()}
    if not all(isinstance(fmt, str) and isinstance(files, list) and files and
               all(isinstance(f, str) and safe_relative(f) for f in files)
               for fmt, files in outputs.items()):
        return None
    if not all(isinstance(w, str) for w in fields.get("warnings", [])):
        return None
    errors = fields.get("errors", {})
    if not all(isinstance(fmt, str) and _is_error(error) for fmt, error in errors.items()) \
            or not (fields.get("error") is None or _is_error(fields["error"])):
        return None
    stem = fields.get("stem")
    if stem is not None and not (safe_relative(stem) and "/" not in stem):
        return None
    fields = {**fields, "outputs": outputs}
    return Entry(**fields)


def _is_error(error: object) -> bool:
    """An error's fields as the manifest keeps them: {message, file, line}."""
    return isinstance(error, dict) and isinstance(error.get("message"), str) \
        and isinstance(error.get("file"), (str, type(None))) \
        and isinstance(error.get("line"), (int, type(None))) \
        and not isinstance(error.get("line"), bool)


def safe_relative(path: str) -> bool:
    """Whether ``path`` (from the manifest) names a place inside the folder it is relative to:
    forward slashes, no ``..``, not absolute, no backslash, drive, control character or NUL."""
    if not path or path.startswith("/") or "\\" in path or ":" in path.split("/", 1)[0] \
            or any(ord(c) < 32 or c == "\x7f" for c in path):
        return False
    parts = path.split("/")
    return all(part not in ("", ".", "..") for part in parts)


def file_sha256(path: Path) -> str:
    """The hash of an input's bytes, read from the file opened once (no link followed); an input
    that cannot be opened so hashes as a marker: the worker will refuse it with its message."""
    try:
        with open_input(path) as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except ManuscriptError:
        return "unreadable"


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

"""What a batch run must do: each input compared with its manifest entry.

Cheap first: an input whose size and modification time match its entry is taken as unchanged
without reading it; otherwise its bytes are hashed, so a file touched but not changed is not
rebuilt. Nothing here imports a reader or a writer, so a rerun with nothing to do stays fast.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from bookmaker.batch.manifest import Entry, Manifest, file_sha256


@dataclass(frozen=True)
class BuildKey:
    """What every output of this run is built with, besides its input."""

    options: str
    styles: str
    version: str


@dataclass(frozen=True)
class Fingerprint:
    sha256: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Planned:
    """An input to build now, into ``formats``."""

    relative: str
    source: Path
    formats: tuple[str, ...]
    fingerprint: Fingerprint


@dataclass
class Plan:
    to_build: list[Planned] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # unchanged inputs a format of which failed last time, and is not retried
    failed_before: list[str] = field(default_factory=list)
    manifest_changed: bool = False  # entries were added, dropped or re-stamped


def make_plan(sources: list[Path], base: Path, manifest: Manifest, formats: tuple[str, ...],
              key: BuildKey, force: bool = False, retry_failed: bool = False) -> Plan:
    """Sort every input into built-now, unchanged or failed-before; drop entries of inputs that
    are gone, so their names are free again."""
    plan = Plan()
    present = set()
    for source in sources:
        relative = source.relative_to(base).as_posix()
        present.add(relative)
        entry = manifest.entries.get(relative)
        fingerprint = _fingerprint(source, entry)
        wanted = _formats_to_build(entry, fingerprint, formats, key, manifest.path.parent,
                                   force, retry_failed)
        if wanted or entry is None:  # (a new input always has formats wanted)
            plan.to_build.append(Planned(relative, source, wanted, fingerprint))
            continue
        if (entry.size, entry.mtime_ns) != (fingerprint.size, fingerprint.mtime_ns):
            entry.size, entry.mtime_ns = fingerprint.size, fingerprint.mtime_ns
            plan.manifest_changed = True
        failed = entry.failed_formats(formats)
        (plan.failed_before if failed else plan.unchanged).append(relative)
    for gone in set(manifest.entries) - present:
        del manifest.entries[gone]
        plan.manifest_changed = True
    return plan


def _fingerprint(source: Path, entry: Entry | None) -> Fingerprint:
    stat = os.lstat(source)  # a link is never followed: the worker refuses it by name
    if entry and (entry.size, entry.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
        return Fingerprint(entry.sha256, stat.st_size, stat.st_mtime_ns)
    return Fingerprint(file_sha256(source), stat.st_size, stat.st_mtime_ns)


def _formats_to_build(entry: Entry | None, fingerprint: Fingerprint, formats: tuple[str, ...],
                      key: BuildKey, out_dir: Path, force: bool,
                      retry_failed: bool) -> tuple[str, ...]:
    """All formats for a new or changed input; for an unchanged one, only the formats it lacks
    (a format newly asked for, an output someone deleted). A format that failed is not retried
    unless asked (the same bytes would fail the same way), and then alone: the formats that
    were built stay."""
    if force or entry is None or entry.sha256 != fingerprint.sha256 \
            or (entry.options, entry.styles, entry.version) != \
            (key.options, key.styles, key.version):
        return formats
    failed = entry.failed_formats(formats)
    return tuple(name for name in formats if (retry_failed if name in failed else (
        name not in entry.outputs
        or not all((out_dir / output).is_file() for output in entry.outputs[name]))))

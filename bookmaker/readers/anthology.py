"""anthology.yaml: what an anthology is made of, before any work is read.

An anthology file names the collection's own metadata, the editors' introduction and afterword
(Markdown), and the works in order (paths or globs, relative to the file's folder), each with its
own overrides. Reading it reads no work: ``convert.convert_anthology`` reads every work through
the same steps as a single book, so a work in an anthology is exactly the book it would be alone.

The file is parsed with the manuscript front matter's guarded YAML loader (no aliases bombs, lines
kept), so every problem names ``anthology.yaml:line``. Works must lie inside the file's folder:
an anthology file from someone else cannot make bookmaker read files elsewhere, nor list or name
them (safety/patterns.py expands only relative patterns, inside the folder, within a budget).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from bookmaker.errors import Finding, ManuscriptError
from bookmaker.model import Block, Metadata, Series
from bookmaker.readers.decoding import read_text
from bookmaker.readers.markdown import _Walker
from bookmaker.readers.markdown.frontmatter import Field, parse_fields
from bookmaker.safety.assets import is_inside
from bookmaker.safety.inputs import Source
from bookmaker.safety.patterns import NameBudget, PatternOutside, PatternTooWide, expand

ANTHOLOGY_FILE = "anthology.yaml"
PLACEMENTS = ("front", "end", "omit")
_KEYS = ("title", "editors", "editor", "summary", "cover", "language", "rights", "identifier",
         "series", "series_index", "published", "introduction", "afterword", "warnings", "works")
_WORK_KEYS = ("path", "title", "author", "authors", "warnings")
# The most works one anthology may bind: a glob matching more is a mistake (or an attack).
MAX_WORKS = 1_000
OUTSIDE = "lies outside the anthology's folder (works must be inside it)"


@dataclass(frozen=True)
class WorkEntry:
    """One work as the anthology names it: its file and what the collection changes about it.

    ``title`` and ``authors`` replace the work's own (None keeps them); ``warnings`` places this
    work's warnings page (front, end, omit; "" follows the run's --warnings). ``problem`` is set
    when the entry names no readable file: the work is reported, not read; for a work outside
    the anthology's folder, ``path`` is the anthology file and ``line`` its line, so that the
    report names nothing outside."""

    path: Path
    title: str | None = None
    authors: tuple[str, ...] | None = None
    warnings: str = ""
    problem: str = ""
    line: int | None = None


@dataclass(frozen=True)
class AnthologySpec:
    """An anthology before its works are read: collection metadata, editors' text, works."""

    metadata: Metadata
    works: tuple[WorkEntry, ...] = ()
    editors: tuple[str, ...] = ()
    introduction: tuple[Block, ...] = ()
    afterword: tuple[Block, ...] = ()
    base_dir: str = ""
    source: str = ""  # the anthology file, when there is one
    findings: tuple[Finding, ...] = field(default=())  # warnings met reading the file


def spec_from_paths(paths: list[Path], title: str, editors: tuple[str, ...] = ()) -> AnthologySpec:
    """The anthology of ``bookmaker build a.md b.epub --anthology TITLE``: works in the order
    given, no overrides."""
    return AnthologySpec(Metadata(title.strip() or "Anthology"),
                         tuple(WorkEntry(Path(path)) for path in paths), editors,
                         base_dir=str(Path.cwd()))


def read_spec(source: Source) -> AnthologySpec:
    """The anthology described by an anthology.yaml (as the gate read it:
    readers.read_anthology_spec); ManuscriptError naming file and line for a file that is not
    one (a work that is missing is recorded on its entry, not raised)."""
    path = source.name
    text, _ = read_text(source)
    try:
        fields = {f.key: f for f in parse_fields(text, 1, path)}
    except ManuscriptError as error:  # the manuscript's YAML parser speaks of front matter
        raise ManuscriptError(error.message.replace("the front matter", "the anthology file"),
                              path, error.line, error.hint) from None
    findings: list[Finding] = []
    for key, one in fields.items():
        if key not in _KEYS:
            findings.append(Finding("warning", f"unknown field {key!r} is ignored", str(path),
                                    one.line, hint="fields: " + ", ".join(_KEYS)))
    title = _text(fields.get("title"), path)
    if not title:
        raise ManuscriptError("the anthology has no title", path, 1,
                              hint="add `title: The Collection's Title`")
    walker = _Walker(path, text.split("\n"), {}, findings)

    def markdown(name: str) -> tuple[Block, ...]:
        one = fields.get(name)
        if one is None:
            return ()
        return walker.markdown_blocks(_text(one, path), one.value_line)

    index = fields.get("series_index")
    series_name = _text(fields.get("series"), path)
    metadata = Metadata(
        title, language=_text(fields.get("language"), path) or None, summary=markdown("summary"),
        cover=_text(fields.get("cover"), path) or None,
        rights=_text(fields.get("rights"), path) or None,
        identifier=_text(fields.get("identifier"), path) or None,
        published=_text(fields.get("published"), path) or None,
        series=(Series(series_name, _number(index, path)),) if series_name else ())
    editors = _names(fields.get("editors") or fields.get("editor"), path)
    default_warnings = _placement(fields.get("warnings"), path)
    works_field = fields.get("works")
    if works_field is None or not isinstance(works_field.value, list):
        raise ManuscriptError("the anthology lists no works", path,
                              works_field.line if works_field else 1,
                              hint="add `works:` with one `- path/to/work.md` line per work")
    if len(works_field.value) > MAX_WORKS:  # before any pattern is looked at
        raise ManuscriptError(f"the anthology names {len(works_field.value):,} works, more than "
                              f"the {MAX_WORKS:,} it may hold", path, works_field.line,
                              hint="bind them as several anthologies")
    budget = NameBudget()
    works = [entry for number, item in enumerate(works_field.value, 1)
             for entry in _entries(item, number, path, Path(source.folder), works_field.line,
                                   default_warnings, budget)]
    if len(works) > MAX_WORKS:
        raise ManuscriptError(f"the anthology names {len(works):,} works, more than the "
                              f"{MAX_WORKS:,} it may hold", path, works_field.line,
                              hint="bind them as several anthologies")
    return AnthologySpec(metadata, tuple(works), editors, markdown("introduction"),
                         markdown("afterword"), source.folder, str(path), tuple(findings))


# --------------------------------------------------------------------------- works


def _entries(item: Any, number: int, path: PurePath, folder: Path, line: int,
             default_warnings: str, budget: NameBudget) -> list[WorkEntry]:
    """The works item ``number`` of ``works:`` names: a path or glob, or a mapping with
    ``path:`` and overrides (a glob's overrides apply to every file it matches)."""
    if isinstance(item, str):
        item = {"path": item}
    if not isinstance(item, dict) or not isinstance(item.get("path"), str):
        raise ManuscriptError(f"a work must be a path or `path:` with overrides, not {item!r}",
                              path, line, hint="write `- works/story.md` or `- path: ...`")
    unknown = [key for key in item if key not in _WORK_KEYS]
    if unknown:
        raise ManuscriptError(f"unknown work field {unknown[0]!r} in {item['path']!r}", path,
                              line, hint="a work takes " + ", ".join(_WORK_KEYS))
    authors = item.get("authors", item.get("author"))
    overrides: dict[str, Any] = {
        "title": str(item["title"]).strip() if item.get("title") else None,
        "authors": _names(Field("authors", authors, line, line), path) if authors else None,
        "warnings": _placement(Field("warnings", item.get("warnings"), line, line), path)
        if item.get("warnings") else default_warnings}
    return [WorkEntry(path_, problem=f"work {number} of the list {problem}", line=line,
                      **overrides) if problem == OUTSIDE else
            WorkEntry(path_, problem=problem, **overrides)
            for path_, problem in _matches(item["path"], path, folder, line, budget)]


def _matches(pattern: str, path: PurePath, folder: Path, line: int,
             budget: NameBudget) -> list[tuple[Path, str]]:
    """Each file ``pattern`` names, with the problem that keeps it from being read ("" for
    none). A pattern outside the folder is never expanded, and is recorded as the anthology
    file itself, so no message names the place outside."""
    try:
        matches = expand(folder, pattern, budget)
    except PatternOutside:
        return [(Path(str(path)), OUTSIDE)]
    except PatternTooWide as error:
        raise ManuscriptError(str(error), path, line, hint="name the works' folder more "
                              "precisely (works/*.md rather than */*/*)") from None
    if not matches:
        return [(folder / pattern, "no file matches this pattern")]
    if len(matches) > MAX_WORKS:
        raise ManuscriptError(f"{pattern!r} names {len(matches):,} works, more than the "
                              f"{MAX_WORKS:,} an anthology may hold", path, line,
                              hint="bind them as several anthologies")
    found = []
    for match in matches:
        if not is_inside(match, folder):  # through a link inside the folder
            found.append((Path(str(path)), OUTSIDE))
        elif not os.path.lexists(match):
            found.append((match, "no such file"))
        else:
            found.append((match, ""))
    return found


# --------------------------------------------------------------------------- values


def _text(one: Field | None, path: PurePath) -> str:
    if one is None or one.value is None:
        return ""
    if isinstance(one.value, (list, dict)):
        raise ManuscriptError(f"{one.key} must be text", path, one.line)
    return str(one.value).strip()


def _names(one: Field | None, path: PurePath) -> tuple[str, ...]:
    if one is None or one.value is None:
        return ()
    values = one.value if isinstance(one.value, list) else [one.value]
    if any(isinstance(value, (list, dict)) for value in values):
        raise ManuscriptError(f"{one.key} must be a name or a list of names", path, one.line)
    return tuple(str(value).strip() for value in values if str(value).strip())


def _placement(one: Field | None, path: PurePath) -> str:
    if one is None or one.value is None:
        return ""
    value = str(one.value).strip().lower()
    if value not in PLACEMENTS:
        raise ManuscriptError(f"warnings must be front, end or omit, not {one.value!r}", path,
                              one.line)
    return value


def _number(one: Field | None, path: PurePath) -> float | None:
    if one is None or one.value is None:
        return None
    try:
        return float(one.value)
    except (TypeError, ValueError):
        raise ManuscriptError(f"series_index must be a number, not {one.value!r}", path,
                              one.line) from None

"""``bookmaker.toml``: a writer's defaults, found in the manuscript's folder or any parent.

``[book]`` fills front-matter fields a manuscript leaves out (author, language, series...);
``[build]`` takes every build setting of the schema (``options.py``), under its name, its name with
hyphens or an alias. resolve_build is the ONE place where the command line, the file and the
built-in defaults meet: the command line wins over the file, the file over the defaults, and every
resolved value remembers where it came from (``bookmaker config`` shows it). Checking the formats
against the writers is left to the caller (``convert.settings_at``): settings sit below writers.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bookmaker.errors import BookmakerError, Finding, ManuscriptError
from bookmaker.model import Book, Series
from bookmaker.settings.options import BY_NAME, OPTION_NAMES, SETTINGS, BuildOptions, RunOptions
from bookmaker.settings.schema import BuildSetting, SettingError

CONFIG_NAME = "bookmaker.toml"
T = TypeVar("T")

# [book] key -> the Metadata field it fills.
BOOK_FIELDS: dict[str, str] = {
    "author": "authors", "authors": "authors", "language": "language", "series": "series",
    "rights": "rights", "fandom": "fandoms", "fandoms": "fandoms",
}

# [build] key -> the setting it sets: its name, its name with hyphens, its aliases.
BUILD_KEYS: dict[str, BuildSetting] = {key: item for item in SETTINGS for key in item.keys}

DEFAULT = "default"
COMMAND_LINE = "command line"


@dataclass(frozen=True)
class Config:
    """One bookmaker.toml, parsed and checked: values with the line each was written on."""

    path: Path | None = None
    book: dict[str, tuple[Any, int]] = field(default_factory=dict)
    build: dict[str, tuple[Any, int]] = field(default_factory=dict)
    warnings: tuple[Finding, ...] = ()

    def where(self, line: int) -> str:
        return f"{self.path}:{line}"


@dataclass(frozen=True)
class Resolved:
    """A setting's value for a run, and where it came from."""

    value: Any
    source: str  # "bookmaker.toml:12", "command line" or "default"

    def located(self, check: Callable[[], T]) -> T:
        """``check()``; a BookmakerError it raises about a value bookmaker.toml gave is reported
        at that file and line, where the writer has to fix it (an unknown theme or format)."""
        try:
            return check()
        except ManuscriptError:
            raise  # already located (a cover image, a config syntax error)
        except BookmakerError as error:
            path, _, line = self.source.rpartition(":")
            if not path or not line.isdigit():
                raise
            raise ManuscriptError(str(error), path, int(line)) from None


def find_config(start: str | Path) -> Path | None:
    """The nearest bookmaker.toml in ``start``'s folder (``start`` itself when a folder) or any
    parent, up to the filesystem root: the nearest wins, so a series folder can refine a
    writer-wide file."""
    here = Path(start).absolute()
    folder = here if here.is_dir() else here.parent
    for candidate in (folder, *folder.parents):
        path = candidate / CONFIG_NAME
        if path.is_file():
            return path
    return None


def load_config(start: str | Path) -> Config:
    """The configuration that applies to ``start`` (an empty one when there is no file)."""
    path = find_config(start)
    return read_config(path) if path else Config()


def read_config(path: Path) -> Config:
    """Parse and check one bookmaker.toml: a syntax error or a wrong type is a ManuscriptError
    naming file and line; an unknown key is a warning with a did-you-mean."""
    import tomllib  # only a folder with a bookmaker.toml pays for the parser

    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as error:
        raise ManuscriptError(f"cannot read {CONFIG_NAME}: {error}", path) from None
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"\(at line (\d+), column \d+\)", str(error))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        raise ManuscriptError(f"{CONFIG_NAME} is not valid TOML: {message}", path,
                              int(found.group(1)) if found else None,
                              hint="see https://toml.io for the syntax") from None
    lines = _key_lines(text)
    warnings: list[Finding] = []
    sections: dict[str, dict[str, tuple[Any, int]]] = {"book": {}, "build": {}}
    for name, value in data.items():
        if name not in sections or not isinstance(value, dict):
            warnings.append(_unknown(path, lines.get(("", name)), f"section [{name}]", name,
                                     list(sections)))
            continue
        for key, item in value.items():
            line = lines.get((name, key), 0)
            checked = (_book_value if name == "book" else _build_value)(
                path, line, key, item, warnings)
            if checked is not None:
                sections[name][checked[0]] = (checked[1], line)
    return Config(path, sections["book"], sections["build"], tuple(warnings))


def _key_lines(text: str) -> dict[tuple[str, str], int]:
    """(section, key) -> line number: tomllib gives values, not where they were written."""
    lines: dict[tuple[str, str], int] = {}
    section = ""
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"\s*\[\s*([A-Za-z0-9_-]+)\s*\]", line)
        if header:
            section = header.group(1)
            lines.setdefault(("", section), number)
            continue
        key = re.match(r"\s*\"?([A-Za-z0-9_-]+)\"?\s*=", line)
        if key:
            lines.setdefault((section, key.group(1)), number)
    return lines


def _unknown(path: Path, line: int | None, what: str, name: str, choices: list[str]) -> Finding:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else "known: " + ", ".join(choices)
    return Finding("warning", f"unknown {what} is ignored", str(path), line, hint)


def _book_value(path: Path, line: int, key: str, value: Any,
                warnings: list[Finding]) -> tuple[str, Any] | None:
    name = BOOK_FIELDS.get(key.replace("-", "_"))
    if name is None:
        warnings.append(_unknown(path, line, f"[book] key {key!r}", key, list(BOOK_FIELDS)))
        return None
    if name in ("authors", "fandoms"):
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise _wrong_type(path, line, f"[book] {key}", "text or a list of text")
        return name, tuple(items)
    if not isinstance(value, str):
        raise _wrong_type(path, line, f"[book] {key}", "text")
    return name, value


def _build_value(path: Path, line: int, key: str, value: Any,
                 warnings: list[Finding]) -> tuple[str, Any] | None:
    item = BUILD_KEYS.get(key)
    if item is None:
        warnings.append(_unknown(path, line, f"[build] key {key!r}", key,
                                 [setting.name for setting in SETTINGS]))
        return None
    try:
        checked = item.check(value, f"[build] {key}", from_file=True)
    except SettingError as error:
        raise ManuscriptError(error.message, path, line or None,
                              hint=error.hint or "fix the value in " + CONFIG_NAME) from None
    if isinstance(checked, str) and item.names_a_path(checked):
        # Relative to the file, not to wherever the build runs, and never outside its folder.
        checked = str(_inside_own_folder(path, line, key, checked, item.path))
    return item.name, checked


def _inside_own_folder(path: Path, line: int, key: str, value: str, what: str) -> Path:
    """``value`` (a path written in ``path``) as a path inside the file's own folder.

    A bookmaker.toml is data, and may sit in a folder that came from a stranger: whatever it
    names must stay in its own folder, so it can neither write nor read anywhere else. No ``~``,
    no absolute path, no ``..``, and no symlink leading out.
    """
    folder = path.parent.absolute()
    named = Path(value)
    target = folder / named
    if value.startswith("~") or named.is_absolute() or ".." in named.parts \
            or not target.resolve().is_relative_to(folder.resolve()):
        raise ManuscriptError(f"[build] {key} = {value!r} leads outside the folder of "
                              f"{CONFIG_NAME}", path, line or None,
                              hint=f"a {CONFIG_NAME} may only name {what} inside its own "
                                   "folder; give any other place on the command line")
    return target


def _wrong_type(path: Path, line: int, key: str, expected: str) -> ManuscriptError:
    return ManuscriptError(f"{key} must be {expected}", path, line or None,
                           hint="fix the value in " + CONFIG_NAME)


def resolve_build(command_line: dict[str, Any], config: Config) -> dict[str, Resolved]:
    """Every setting of the schema with its source: the command line (values other than None),
    then the file, then the built-in default. A value the command line gives that the setting
    cannot take is a BookmakerError naming its option (``--flyleaves must be 0 to 10...``)."""
    resolved: dict[str, Resolved] = {}
    for item in SETTINGS:
        given = command_line.get(item.name)
        if given is not None and given != [] and given != ():
            try:
                checked = item.check(given, item.flags[0].split("/")[0])
            except SettingError as error:
                raise BookmakerError(str(error)) from None
            resolved[item.name] = Resolved(checked, COMMAND_LINE)
        elif item.name in config.build:
            value, line = config.build[item.name]
            resolved[item.name] = Resolved(value, config.where(line))
        else:
            resolved[item.name] = Resolved(item.default, DEFAULT)
    return resolved


def options_of(settings: dict[str, Resolved]) -> tuple[RunOptions, BuildOptions]:
    """The run's options and the writers' options the resolved settings describe; a value that
    breaks the schema is a BookmakerError (reported at its bookmaker.toml line when it came
    from there, which read_config already checked)."""
    values = {name: resolved.value for name, resolved in settings.items()}
    try:
        run = RunOptions(**{name: value for name, value in values.items()
                            if name in BY_NAME and name not in OPTION_NAMES})
        options = BuildOptions(**{name: value for name, value in values.items()
                                  if name in OPTION_NAMES})
    except ValueError as error:
        raise BookmakerError(str(error)) from None
    return run, options


def apply_book_defaults(book: Book, config: Config) -> Book:
    """The book with [book] defaults filling the fields its manuscript left out: a field the
    manuscript gives always wins."""
    metadata = book.metadata
    changes: dict[str, Any] = {}
    for name, (value, _line) in config.book.items():
        if getattr(metadata, name) in (None, "", ()):
            changes[name] = (Series(value),) if name == "series" else value
    if not changes:
        return book
    return dataclasses.replace(book, metadata=dataclasses.replace(metadata, **changes))


def book_sources(config: Config) -> dict[str, Resolved]:
    """[book] defaults with the file line each came from, for ``bookmaker config``."""
    return {name: Resolved(value, config.where(line))
            for name, (value, line) in config.book.items()}

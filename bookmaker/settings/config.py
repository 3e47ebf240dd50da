"""``bookmaker.toml``: a writer's defaults, found in the manuscript's folder or any parent.

``[book]`` fills front-matter fields a manuscript leaves out (author, language, series...);
``[build]`` mirrors the build options. resolve_build is the ONE place where the command line, the
file and the built-in defaults meet: the command line wins over the file, the file over the
defaults, and every resolved value remembers where it came from (``bookmaker config`` shows it).
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable
from typing import Any, TypeVar

from bookmaker.errors import BookmakerError, Finding, ManuscriptError
from bookmaker.model import Book, Series
from bookmaker.writers import check_formats
from bookmaker.settings.options import CHOICES, BuildOptions, canonical_choice, choice_hint
from bookmaker.settings.context import RenderContext, render_context
from bookmaker.settings.themes import find_theme

CONFIG_NAME = "bookmaker.toml"
T = TypeVar("T")

# [book] key -> the Metadata field it fills.
BOOK_FIELDS: dict[str, str] = {
    "author": "authors", "authors": "authors", "language": "language", "series": "series",
    "rights": "rights", "fandom": "fandoms", "fandoms": "fandoms",
}

# [build] key -> (built-in default, the types a value may have). Values with a fixed list of
# choices are checked by options.check_choice.
BUILD_SETTINGS: dict[str, tuple[Any, tuple[type, ...]]] = {
    "formats": (["epub"], (list,)),
    "out": ("dist", (str,)),
    "warnings": ("front", (str,)),
    "style": ("default", (str,)),
    "paper": ("a5", (str,)),
    "drop_caps": (False, (bool,)),
    "workers": (None, (int,)),
    "generated_cover": (True, (bool,)),
}
BUILD_ALIASES = {"theme": "style", "format": "formats", "drop-caps": "drop_caps",
                 "generated-cover": "generated_cover"}

# The page-rendering worker processes a bookmaker.toml may ask for: each costs a Python with
# WeasyPrint, a few hundred MB, so a file from elsewhere must not ask for dozens.
MIN_WORKERS = 1
MAX_WORKERS = 16

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
class Setting:
    value: Any
    source: str  # "bookmaker.toml:12", "command line" or "default"


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
    name = BUILD_ALIASES.get(key, key)
    if name not in BUILD_SETTINGS:
        warnings.append(_unknown(path, line, f"[build] key {key!r}", key, list(BUILD_SETTINGS)))
        return None
    _default, types = BUILD_SETTINGS[name]
    if name == "formats" and isinstance(value, str):
        value = [value]
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        raise _wrong_type(path, line, f"[build] {key}", " or ".join(t.__name__ for t in types))
    hint = choice_hint(name, str(value)) if name in CHOICES else None
    if hint is not None:
        raise ManuscriptError(f"[build] {key} = {value!r} is not one of "
                              f"{', '.join(CHOICES[name])}", path, line, hint=hint)
    if name in CHOICES and isinstance(value, str):
        value = canonical_choice(name, value)
    checked: Any = value  # its type was checked above
    if name == "out":
        # Relative to the file, not to wherever the build runs, and never outside its folder.
        checked = str(_inside_own_folder(path, line, key, checked, "the output folder"))
    elif name == "style" and _names_a_folder(checked):
        checked = str(_inside_own_folder(path, line, key, checked, "a theme folder"))
    elif name == "workers" and not MIN_WORKERS <= checked <= MAX_WORKERS:
        raise ManuscriptError(f"[build] {key} = {value} is out of range", path, line or None,
                              hint=f"give {MIN_WORKERS} to {MAX_WORKERS}")
    return name, checked


def _names_a_folder(style: str) -> bool:
    return "/" in style or "\\" in style or style.startswith((".", "~"))


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


def resolve_build(command_line: dict[str, Any], config: Config) -> dict[str, Setting]:
    """Every [build] setting with its source: the command line (values other than None), then
    the file, then the built-in default."""
    resolved: dict[str, Setting] = {}
    for name, (default, _types) in BUILD_SETTINGS.items():
        given = command_line.get(name)
        if given is not None and given != []:
            resolved[name] = Setting(given, COMMAND_LINE)
        elif name in config.build:
            value, line = config.build[name]
            resolved[name] = Setting(value, config.where(line))
        else:
            resolved[name] = Setting(default, DEFAULT)
    return resolved


def build_options(settings: dict[str, Setting], command_line: dict[str, Any]) -> BuildOptions:
    """The BuildOptions the resolved settings describe, plus the command-line-only options
    (--cover, the zine's) given; a value no writer accepts is a BookmakerError."""
    names = {f.name for f in dataclasses.fields(BuildOptions)}
    values = {name: s.value for name, s in settings.items() if name in names}
    values.update({name: value for name, value in command_line.items()
                   if name in names and name not in BUILD_SETTINGS and value is not None})
    if values.get("cover") is not None:
        values["cover"] = str(values["cover"])
    try:
        return BuildOptions(**values)
    except ValueError as error:
        raise BookmakerError(str(error)) from None


def settings_for(start: str | Path, command_line: dict[str, Any]
                 ) -> tuple[tuple[str, ...], Path, RenderContext, tuple[Finding, ...]]:
    """What ``bookmaker build``, ``batch`` and ``watch`` need for sources at ``start``: formats,
    output folder, the run's render context (theme found, cover read), and the config file's
    warnings to show. An unknown format, theme or value fails here, once, with suggestions."""
    config = load_config(start)
    settings = resolve_build(command_line, config)
    formats = _traced(settings["formats"], lambda: check_formats(list(settings["formats"].value)))
    options = build_options(settings, command_line)
    context = _traced(settings["style"], lambda: render_context(options))
    return formats, Path(settings["out"].value), context, config.warnings


def _traced(setting: Setting, check: Callable[[], T]) -> T:
    """``check()``; a BookmakerError it raises about a value bookmaker.toml gave is reported at
    that file and line, where the writer has to fix it (an unknown theme, an unknown format)."""
    try:
        return check()
    except ManuscriptError:
        raise  # already located (a cover image, a config syntax error)
    except BookmakerError as error:
        path, _, line = setting.source.rpartition(":")
        if not path or not line.isdigit():
            raise
        raise ManuscriptError(str(error), path, int(line)) from None


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


def book_sources(config: Config) -> dict[str, Setting]:
    """[book] defaults with the file line each came from, for ``bookmaker config``."""
    return {name: Setting(value, config.where(line)) for name, (value, line) in config.book.items()}


def effective_settings(start: str | Path) -> tuple[Config, dict[str, Setting]]:
    """The settings a build at ``start`` would use with no options given, and where each comes
    from: what ``bookmaker config`` prints."""
    if not Path(start).exists():
        raise BookmakerError(f"{start}: no such file or folder (check the path)")
    config = load_config(start)
    build = resolve_build({}, config)
    # What a build would refuse, `bookmaker config` refuses too, at the line to fix.
    _traced(build["formats"], lambda: check_formats(list(build["formats"].value)))
    _traced(build["style"], lambda: find_theme(build["style"].value))
    settings = {f"book.{name}": s for name, s in book_sources(config).items()}
    settings.update({f"build.{name}": s for name, s in build.items()})
    return config, settings

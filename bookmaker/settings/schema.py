"""The machinery of the settings schema: what one declared setting knows, and how a value is
checked against it.

The settings themselves are declared in ``options.py``, each once, as a field of ``RunOptions``
or ``BuildOptions`` made with ``setting(...)``. Everything else derives from those declarations:
the options of ``build``, ``batch`` and ``watch`` (``cli/settings.py``), the ``[build]`` table of
``bookmaker.toml`` and ``bookmaker config`` (``config.py``), the batch manifest's option hash
(``batch/run.py``), the checks the option classes make on themselves, and README's table of
settings (``settings_table``). Nothing here imports anything heavy: the command line reads the
schema when it starts.
"""

from __future__ import annotations

import dataclasses
import os
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# The commands that take build settings; a setting names those it applies to.
COMMANDS = ("build", "batch", "watch")
_KEY = "bookmaker.setting"  # where setting() keeps a declaration in a field's metadata
_LENGTH_UNITS = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}
_KIND_WORDS = {bool: "true or false", int: "a whole number", float: "a number", str: "text",
               tuple: "a name or a list of names"}


class SettingError(ValueError):
    """A value a setting cannot take: what is wrong, and what to give instead."""

    def __init__(self, message: str, hint: str = "") -> None:
        self.message, self.hint = message, hint
        super().__init__(f"{message} ({hint})" if hint else message)


@dataclass(frozen=True)
class BuildSetting:
    """One setting as declared: everything the command line, bookmaker.toml, ``bookmaker
    config``, the batch manifest and the checks need to know of it."""

    name: str  # the field, and the bookmaker.toml key
    kind: type  # bool, int, float, str, or tuple (a list of names: the formats)
    optional: bool  # None is a value: "not set", the default says what that means
    default: Any
    help: str  # one sentence; ``{formats}`` stands for the formats the writers offer
    flags: tuple[str, ...]  # the command line's names for it, the long one first
    aliases: tuple[str, ...]  # more bookmaker.toml keys for it, besides its name with hyphens
    choices: tuple[str, ...]  # the values it may take (any case), when a list
    minimum: float | None
    maximum: float | None
    # The most a bookmaker.toml may ask, when less than ``maximum``: the file may have come in
    # someone else's folder, and must not lift a budget (time, memory, processes) set to guard
    # against hostile input. The command line, the user's own, may ask up to ``maximum``.
    file_maximum: float | None
    multiple_of: int | None
    why: str  # why the bounds are what they are, said when a value breaks them
    commands: tuple[str, ...]  # the commands that take it
    rebuilds: bool  # changing it changes the books: part of the batch manifest's option hash
    default_shown: str  # the default as --help and README say it
    parse: Callable[[str], Any] | None  # text to value, for one written with a unit
    path: str  # what it names when it names a file or folder (kept inside bookmaker.toml's)
    name_or_path: bool  # a name (a theme's) unless it looks like a path

    @property
    def keys(self) -> tuple[str, ...]:
        """Every bookmaker.toml key that sets it."""
        return tuple(dict.fromkeys((self.name, self.name.replace("_", "-"), *self.aliases)))

    def names_a_path(self, value: str) -> bool:
        """Whether ``value`` of this setting names a file or folder."""
        if not self.path:
            return False
        return not self.name_or_path or "/" in value or "\\" in value \
            or value.startswith((".", "~"))

    def check(self, value: Any, label: str = "", from_file: bool = False) -> Any:
        """``value`` as the setting holds it (a choice in its own spelling, a length in
        millimetres, a list as a tuple); a SettingError saying what to give instead.
        ``from_file``: the value came from a bookmaker.toml, held to ``file_maximum``."""
        label = label or self.name
        if value is None:
            if self.optional:
                return None
            raise SettingError(f"{label} must be {_KIND_WORDS[self.kind]}")
        value = self._typed(value, label)
        if self.choices:
            value = self._chosen(value, label)
        if self.kind in (int, float):
            self._bounded(value, label)
            if from_file and self.file_maximum is not None and value > self.file_maximum:
                raise SettingError(
                    f"{label} must be at most {_number(self.file_maximum)} in a bookmaker.toml, "
                    f"not {_number(value)}", "a bookmaker.toml may come in someone else's "
                    "folder, so it cannot raise this budget: give more on the command line")
        return value

    def _typed(self, value: Any, label: str) -> Any:
        if self.kind is tuple:
            items = [value] if isinstance(value, str) else value
            if isinstance(items, (list, tuple)) and all(isinstance(i, str) for i in items):
                return tuple(items)
        elif self.kind is str and isinstance(value, (str, os.PathLike)):
            return str(value)
        elif isinstance(value, str) and self.parse is not None:
            try:
                return self.parse(value)
            except ValueError as error:
                raise SettingError(f"{label}: {error}") from None
        elif self.kind is bool and isinstance(value, bool):
            return value
        elif self.kind in (int, float) and isinstance(value, (int, float)) \
                and not isinstance(value, bool) and (self.kind is float or isinstance(value, int)):
            return self.kind(value)
        raise SettingError(f"{label} must be {_KIND_WORDS[self.kind]}, not {value!r}")

    def _chosen(self, value: str, label: str) -> str:
        spelt = value.strip().lower()
        if spelt in self.choices:
            return spelt
        import difflib  # only for a mistake

        close = difflib.get_close_matches(spelt, list(self.choices), n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}?" if close else "choose one of " + \
            ", ".join(self.choices)
        raise SettingError(f"{label} must be one of {', '.join(self.choices)}, not {value!r}",
                           hint)

    def _bounded(self, value: float, label: str) -> None:
        low, high, step = self.minimum, self.maximum, self.multiple_of
        if (low is not None and value < low) or (high is not None and value > high) \
                or (step and value % step):
            raise SettingError(f"{label} must be {self.values()}, not {_number(value)}", self.why)

    def values(self, formats: tuple[str, ...] = ()) -> str:
        """What it may be, in words: ``front, end or omit``, ``1 to 16``, ``16 or more``..."""
        if self.choices:
            return _either(self.choices)
        if self.kind is tuple:
            return _either(formats) if formats else ""
        if self.kind is bool:
            return ""
        unit = "mm" if self.parse is not None else ""  # a length: said in millimetres
        low, high = (f"{_number(bound)}{unit}" if bound is not None else ""
                     for bound in (self.minimum, self.maximum))
        bounds = f"{low} to {high}" if low and high else f"{low} or more" if low else \
            f"at most {high}" if high else ""
        if self.multiple_of:
            bounds = f"a multiple of {self.multiple_of}" + (f", {bounds}" if bounds else "")
        if self.file_maximum is not None:
            bounds += f"; at most {_number(self.file_maximum)}{unit} in bookmaker.toml"
        return bounds

    def described(self, formats: tuple[str, ...] = ()) -> str:
        """The help sentence with what the setting may be: for --help and README."""
        values = self.values(formats)
        text = self.help.replace("{formats}", _either(formats))
        return f"{text.rstrip('.')}: {values}." if values and self.kind is not tuple else text


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _either(names: tuple[str, ...]) -> str:
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else "".join(names)


def setting(default: Any, help: str, *flags: str, aliases: tuple[str, ...] = (),
            choices: tuple[str, ...] = (), minimum: float | None = None,
            maximum: float | None = None, file_maximum: float | None = None,
            multiple_of: int | None = None, why: str = "",
            commands: tuple[str, ...] = COMMANDS, rebuilds: bool = True,
            default_shown: str | None = None, parse: Callable[[str], Any] | None = None,
            path: str = "", name_or_path: bool = False) -> Any:
    """A dataclass field that is a build setting: the one declaration of it (see BuildSetting
    for what each argument means). Its name and type are the field's own."""
    declared = {"default": default, "help": help, "flags": flags, "aliases": aliases,
                "choices": choices, "minimum": minimum, "maximum": maximum,
                "file_maximum": file_maximum,
                "multiple_of": multiple_of, "why": why, "commands": commands,
                "rebuilds": rebuilds, "default_shown": default_shown, "parse": parse,
                "path": path, "name_or_path": name_or_path}
    return dataclasses.field(default=default, metadata={_KEY: declared})


def settings_of(cls: type) -> tuple[BuildSetting, ...]:
    """The settings a dataclass declares with ``setting(...)``, in field order."""
    if cls not in _DECLARED:
        _DECLARED[cls] = _declared(cls)
    return _DECLARED[cls]


_DECLARED: dict[type, tuple[BuildSetting, ...]] = {}  # read once per class


def _declared(cls: type) -> tuple[BuildSetting, ...]:
    hints = typing.get_type_hints(cls)
    found = []
    for item in dataclasses.fields(cls):
        declared = dict(item.metadata[_KEY])
        kind, optional = _kind(hints[item.name])
        flags = declared.pop("flags") or _flags(item.name, kind)
        shown = declared.pop("default_shown")
        found.append(BuildSetting(name=item.name, kind=kind, optional=optional, flags=flags,
                                  default_shown=shown if shown is not None else
                                  _shown(declared["default"], kind, flags), **declared))
    return tuple(found)


def check_fields(instance: object) -> None:
    """Check and normalise every setting of a frozen settings dataclass, in place: the one place
    a value is judged, whether it came from the command line, bookmaker.toml or Python."""
    for item in settings_of(type(instance)):
        checked = item.check(getattr(instance, item.name))
        object.__setattr__(instance, item.name, checked)


def _kind(hint: Any) -> tuple[type, bool]:
    args = typing.get_args(hint)
    optional = type(None) in args
    if optional:
        [hint] = [arg for arg in args if arg is not type(None)]
    origin = typing.get_origin(hint)
    if origin is tuple:
        return tuple, optional
    if isinstance(hint, type) and hint in _KIND_WORDS:
        return hint, optional
    raise TypeError(f"a setting is bool, int, float, str or tuple[str, ...], not {hint}")


def _flags(name: str, kind: type) -> tuple[str, ...]:
    dashed = name.replace("_", "-")
    return (f"--{dashed}/--no-{dashed}",) if kind is bool else (f"--{dashed}",)


def _shown(default: Any, kind: type, flags: tuple[str, ...]) -> str:
    if kind is bool:
        on, off = flags[0].split("/")
        return (on if default else off).lstrip("-")
    if kind is tuple:
        return ", ".join(default)
    if isinstance(default, float):
        return f"{default:g}"
    return str(default)


def parse_length(text: str) -> float:
    """A length such as ``0.2mm``, ``0.01in`` or ``0.5pt`` in millimetres (a bare number is
    millimetres), so creep can be given in the units a printer's spec sheet uses."""
    value = text.strip().lower()
    unit = next((u for u in _LENGTH_UNITS if value.endswith(u)), "")
    try:
        number = float(value[:len(value) - len(unit)])
    except ValueError:
        raise ValueError(f"{text!r} is not a length (write it like 0.2mm, 0.01in or 0.5pt)") \
            from None
    return number * _LENGTH_UNITS.get(unit, 1.0)


def settings_table(settings: tuple[BuildSetting, ...], formats: tuple[str, ...]) -> str:
    """README's table of ``settings`` (the schema), one row each."""
    rows = ["| `[build]` key | command line | default | what it sets |",
            "| --- | --- | --- | --- |"]
    for item in settings:
        keys = " ".join(f"`{key}`" for key in (item.name, *item.aliases))
        flags = " ".join(f"`{flag}`" for spelling in item.flags for flag in spelling.split("/"))
        notes = [] if item.commands == COMMANDS else \
            [", ".join(f"`{command}`" for command in item.commands) + " only"]
        notes += [] if item.rebuilds else ["changing it rebuilds no book a batch already built"]
        rows.append(f"| {keys} | {flags} | {item.default_shown} | {item.described(formats)}"
                    + (f" *({'; '.join(notes)})*" if notes else "") + " |")
    return "\n".join(rows) + "\n"

"""A manuscript's YAML front matter, checked and turned into Metadata.

Front matter comes from strangers, so YAML is composed with a SafeLoader only (a ``!!python``
tag is an error, never an object), aliases are counted before anything is built (an alias bomb
is refused, not expanded), and every problem names the file line of the field it is about.
Writers spell fields many ways, so singular and plural names are both accepted, list fields take
a YAML list or a comma-separated string, and an unknown field gets a did-you-mean warning rather
than being silently ignored.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import yaml

from bookmaker.errors import Finding, ManuscriptError
from bookmaker.model import Block, Metadata, Series
from bookmaker.readers.metadata import MetadataBuilder, clean_line
from bookmaker.safety.files import looks_like_path

MAX_ALIASES = 100

# Every accepted spelling (lower case, ``-`` read as ``_``) -> the field it means.
FIELD_NAMES = {
    "title": "title",
    "author": "authors", "authors": "authors",
    "language": "language", "lang": "language",
    "summary": "summary",
    "notes": "notes", "note": "notes",
    "end_notes": "end_notes", "endnotes": "end_notes",
    "fandom": "fandoms", "fandoms": "fandoms",
    "rating": "rating",
    "warnings": "warnings", "warning": "warnings", "archive_warnings": "warnings",
    "archive_warning": "warnings",
    "content_notes": "content_notes", "content_note": "content_notes",
    "content_warnings": "content_notes", "content_warning": "content_notes",
    "category": "categories", "categories": "categories",
    "relationships": "relationships", "relationship": "relationships",
    "pairings": "relationships", "pairing": "relationships",
    "characters": "characters", "character": "characters",
    "tags": "tags", "tag": "tags",
    "series": "series", "series_index": "series_index",
    "date": "published", "published": "published",
    "updated": "updated",
    "source": "source_url", "source_url": "source_url", "url": "source_url",
    "cover": "cover",
    "rights": "rights",
    "identifier": "identifier",
}

LIST_FIELDS = ("authors", "fandoms", "warnings", "content_notes", "categories", "relationships",
               "characters", "tags")
TEXT_FIELDS = ("title", "source_url", "cover", "rights", "identifier")
MARKDOWN_FIELDS = ("summary", "notes", "end_notes")

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_WHITESPACE = re.compile(r"\s+")

# Turns (markdown text, 1-based file line of its first line) into blocks; given by the reader.
MarkdownToBlocks = Callable[[str, int], tuple[Block, ...]]


@dataclass(frozen=True)
class Field:
    """One front-matter field: the key as written, its YAML value and where it is."""

    key: str
    value: Any
    line: int  # 1-based file line of the key
    value_line: int  # 1-based file line where the value's text starts
    item_lines: tuple[int, ...] = ()  # a list's: the 1-based file line of each item


@dataclass(frozen=True)
class WorkMatter:
    """What the front matter gives the book: its metadata and the work's opening and end notes."""

    metadata: Metadata
    front_matter: tuple[Block, ...] = ()
    back_matter: tuple[Block, ...] = ()


# --------------------------------------------------------------------------- YAML → fields


class _TooManyAliases(Exception):
    def __init__(self, mark: yaml.Mark) -> None:
        super().__init__()
        self.mark = mark


class _GuardedLoader(yaml.SafeLoader):
    """A SafeLoader that refuses documents with more than MAX_ALIASES aliases while composing,
    before any value is built, so a billion-laughs document costs nothing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.alias_count = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.alias_count += 1
            if self.alias_count > MAX_ALIASES:
                raise _TooManyAliases(self.peek_event().start_mark)
        return super().compose_node(parent, index)


def parse_fields(text: str, first_line: int, path: PurePath) -> list[Field]:
    """The top-level fields of front matter ``text`` whose first line is file line
    ``first_line``, in order; a ManuscriptError for YAML that is malformed, unsafe or no mapping.
    """
    # YAML refuses control characters outright; metadata never wants them, so they go first.
    text = _CONTROL.sub("", text)
    try:
        loader = _GuardedLoader(text)
    except yaml.reader.ReaderError as error:  # other characters YAML cannot hold (U+FFFE...)
        line = text[:error.position].count("\n") + first_line
        raise ManuscriptError(f"the front matter holds a character YAML does not allow "
                              f"(U+{error.character:04X})",
                              path, line, hint="remove that character") from None
    try:
        node = _compose(loader, first_line, path)
        if node is None:
            return []
        if not isinstance(node, yaml.MappingNode):
            raise ManuscriptError(
                "the front matter is not a list of fields", path, first_line,
                hint="write it as `field: value` lines between two --- lines; if the first --- "
                     "was meant as a scene break, remove it")
        return [_field(loader, key_node, value_node, first_line, path)
                for key_node, value_node in node.value]
    finally:
        loader.dispose()


def _compose(loader: _GuardedLoader, first_line: int, path: PurePath) -> yaml.Node | None:
    try:
        return loader.get_single_node()
    except _TooManyAliases as error:
        raise ManuscriptError(f"the front matter uses more than {MAX_ALIASES} YAML aliases",
                              path, error.mark.line + first_line,
                              hint="write the values out instead of repeating them with *aliases"
                              ) from None
    except yaml.MarkedYAMLError as error:
        raise _yaml_error(error, first_line, path) from None
    except yaml.YAMLError as error:
        raise ManuscriptError(f"the front matter is not valid YAML: {error}", path, first_line,
                              hint="check the quoting and indentation of the fields") from None


def _yaml_error(error: yaml.MarkedYAMLError, first_line: int, path: PurePath) -> ManuscriptError:
    mark = error.problem_mark
    problem = "; ".join(part for part in (error.context, error.problem) if part) or "bad YAML"
    opened = error.context_mark
    if opened is not None and not isinstance(error, yaml.constructor.ConstructorError) and (
            mark is None or opened.line < mark.line):
        # An unclosed bracket or quote: YAML reads on and notices lines later, where the
        # writer would look in vain. Point at the line that opened it, and say where YAML
        # stopped too.
        return _unclosed(error, opened, first_line, path)
    line = mark.line + first_line if mark is not None else first_line
    if isinstance(error, yaml.constructor.ConstructorError):
        return ManuscriptError(f"the front matter uses a YAML tag bookmaker does not accept "
                               f"({problem})", path, line,
                               hint="write the value as plain text, without a !! tag")
    return ManuscriptError(f"the front matter is not valid YAML: {problem}", path, line,
                           hint="check the indentation and quoting on that line; a value "
                                'containing ": " needs quotes, e.g. title: "Part 1: Dawn"')


def _unclosed(error: yaml.MarkedYAMLError, opened: yaml.Mark, first_line: int,
              path: PurePath) -> ManuscriptError:
    line = opened.line + first_line
    buffer = getattr(opened, "buffer", None)
    what = buffer[opened.pointer] if buffer and opened.pointer < len(buffer) else ""
    opener = f"the {what!r} opened on this line" if what in "[{'\"" and what else \
        "what opens on this line"
    stop = error.problem_mark
    stopped = (f"the YAML parser stopped at line {stop.line + first_line}: {error.problem}"
               if stop is not None else f"the YAML parser stopped: {error.problem}")
    return ManuscriptError(f"the front matter is not valid YAML: {opener} is never closed "
                           f"({stopped})", path, line,
                           hint="close it on this line, or put the whole value in quotes, "
                                'e.g. title: "[Draft] Rain"')


def _field(loader: _GuardedLoader, key_node: yaml.Node, value_node: yaml.Node,
           first_line: int, path: PurePath) -> Field:
    try:
        key = loader.construct_object(key_node, deep=True)
        value = loader.construct_object(value_node, deep=True)
    except yaml.MarkedYAMLError as error:
        raise _yaml_error(error, first_line, path) from None
    except (ValueError, OverflowError) as error:  # 2020-13-45; a number of 5000 digits
        reason = str(error).split(";")[0][:120]
        raise ManuscriptError(f"the front matter holds a value that cannot be read ({reason})",
                              path, value_node.start_mark.line + first_line,
                              hint="put the value in quotes to keep it as text") from None
    value_line = value_node.start_mark.line + first_line
    if isinstance(value_node, yaml.ScalarNode) and value_node.style in ("|", ">"):
        value_line += 1  # a block scalar's text starts on the line after its | or >
    item_lines = tuple(item.start_mark.line + first_line for item in value_node.value) \
        if isinstance(value_node, yaml.SequenceNode) else ()
    return Field(str(key), value, key_node.start_mark.line + first_line, value_line, item_lines)


# --------------------------------------------------------------------------- fields → metadata


def build_work_matter(fields: list[Field], path: PurePath, findings: list[Finding],
                      markdown: MarkdownToBlocks) -> WorkMatter:
    """Metadata, opening notes and end notes from front-matter fields; problems go to
    ``findings`` (errors for values a book cannot be made from, warnings for the rest)."""
    known = _known_fields(fields, path, findings)
    checker = _FieldChecker(path, findings)
    values: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if name in known:
            values[name] = checker.text(known[name])
    for name in LIST_FIELDS:
        values[name] = checker.text_list(known[name]) if name in known else []

    title = values.pop("title", None)
    if title and looks_like_path(title):
        findings.append(Finding("error", f"the title {title!r} looks like a file path",
                                str(path), known["title"].line,
                                hint="write the work's real title; file names are made from it"))
    builder = MetadataBuilder(path, findings)
    builder.title(title)
    builder.authors(values.pop("authors"))
    builder.language(checker.text(known["language"]) if "language" in known else None,
                     _line(known, "language"))
    builder.fandoms(values.pop("fandoms"))
    builder.rating(checker.text(known["rating"]) if "rating" in known else None,
                   _line(known, "rating"))
    builder.warnings(values.pop("warnings"), _line(known, "warnings"))
    builder.content_notes(values.pop("content_notes"))
    builder.categories(values.pop("categories"), _line(known, "categories"))
    builder.relationships(values.pop("relationships"))
    builder.characters(values.pop("characters"))
    builder.tags(values.pop("tags"))
    builder.series(checker.series(known.get("series"), known.get("series_index")))
    blocks = {name: markdown(checker.markdown_text(known[name]), known[name].value_line)
              if name in known else () for name in MARKDOWN_FIELDS}
    builder.set(summary=blocks["summary"], published=checker.date(known.get("published")),
                updated=checker.date(known.get("updated")), **values)
    metadata = builder.build(no_title_hint="add a line `title: ...` to the front matter")
    return WorkMatter(metadata, blocks["notes"], blocks["end_notes"])


def _known_fields(fields: list[Field], path: PurePath, findings: list[Finding]) -> dict[str, Field]:
    """Fields by canonical name; unknown and repeated fields are reported as warnings."""
    known: dict[str, Field] = {}
    for field in fields:
        name = FIELD_NAMES.get(field.key.strip().lower().replace("-", "_").replace(" ", "_"))
        if name is None:
            findings.append(Finding("warning", _unknown_field_message(field.key), str(path),
                                    field.line, hint="it is ignored"))
        elif name in known:
            findings.append(Finding(
                "warning", f"field {field.key!r} repeats {known[name].key!r} from line "
                           f"{known[name].line}", str(path), field.line,
                hint="only this later one is used; remove one of them"))
            known[name] = field
        else:
            known[name] = field
    return known


def _line(known: dict[str, Field], name: str) -> int | None:
    return known[name].line if name in known else None


def _unknown_field_message(key: str) -> str:
    close = difflib.get_close_matches(key.lower(), list(FIELD_NAMES), n=1, cutoff=0.6)
    suggestion = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown field {key!r}{suggestion}"


class _FieldChecker:
    """Turns one field's YAML value into the model's type, reporting what does not fit."""

    def __init__(self, path: PurePath, findings: list[Finding]) -> None:
        self.path = str(path)
        self.findings = findings

    def _report(self, level: str, field: Field, message: str, hint: str = "") -> None:
        self.findings.append(Finding(level, message, self.path, field.line, hint))

    def text(self, field: Field) -> str | None:
        """A one-line string, or None for an empty or unusable value."""
        if field.value is None:
            return None
        if isinstance(field.value, (list, dict)):
            self._report("error", field, f"field {field.key!r} must be text, not a list",
                         hint=f"write it as `{field.key}: some text`")
            return None
        return clean_line(_scalar_text(field.value)) or None

    def text_list(self, field: Field) -> list[str]:
        """A list of one-line strings from a YAML list or a comma-separated string."""
        value = field.value
        if value is None:
            return []
        if isinstance(value, dict):
            self._report("error", field, f"field {field.key!r} must be a list of text",
                         hint=f"write it as `{field.key}: [one, two]`")
            return []
        items = value if isinstance(value, list) else _scalar_text(value).split(",")
        texts: list[str] = []
        for item in items:
            if isinstance(item, (list, dict)):
                self._report("error", field, f"field {field.key!r} has a nested list or mapping",
                             hint="give each entry as plain text")
                continue
            text = clean_line(_scalar_text(item)) if item is not None else ""
            if text:
                texts.append(text)
        return _unique(texts)

    def markdown_text(self, field: Field) -> str:
        if field.value is None:
            return ""
        if isinstance(field.value, (list, dict)):
            self._report("error", field, f"field {field.key!r} must be text",
                         hint=f"write it as `{field.key}: |` followed by indented paragraphs")
            return ""
        return _CONTROL.sub("", _scalar_text(field.value).replace("\t", "    "))

    def series(self, field: Field | None, index_field: Field | None) -> tuple[Series, ...]:
        if field is None or field.value is None:
            if index_field is not None:
                self._report("warning", index_field, "series_index is given but no series",
                             hint="add `series: <name>`")
            return ()
        entries = field.value if isinstance(field.value, list) else [field.value]
        series = [entry for entry in (self._series_entry(field, e) for e in entries) if entry]
        if index_field is not None and series:
            series[0] = Series(series[0].name, self._series_index(index_field,
                                                                  index_field.value))
        return tuple(series)

    def _series_entry(self, field: Field, entry: Any) -> Series | None:
        if isinstance(entry, dict):
            name = clean_line(_scalar_text(entry.get("name") or ""))
            index = self._series_index(field, entry.get("index"))
        elif isinstance(entry, list):
            name, index = "", None
        else:
            name, index = clean_line(_scalar_text(entry)), None
        if not name:
            self._report("error", field, "a series needs a name",
                         hint="write `series: Name` or `series: {name: Name, index: 2}`")
            return None
        return Series(name, index)

    def _series_index(self, field: Field, value: Any) -> float | None:
        if value is None:
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            self._report("error", field, f"series index {value!r} is not a number",
                         hint="give the work's place in the series, e.g. index: 2")
            return None

    def date(self, field: Field | None) -> str | None:
        if field is None or field.value is None:
            return None
        value = field.value
        if isinstance(value, datetime.datetime):
            return value.date().isoformat()
        if isinstance(value, datetime.date):
            return value.isoformat()
        try:
            return datetime.date.fromisoformat(_scalar_text(value).strip()).isoformat()
        except ValueError:
            self._report("warning", field, f"date {value!r} is not a YYYY-MM-DD date; ignored",
                         hint="write dates like 2021-03-14")
            return None


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))

"""The one place where a reader's raw metadata becomes the model's Metadata.

Every reader (manuscript front matter, plain-text header lines, AO3 downloads, saved pages, EPUBs,
Word documents) finds the same kinds of values under its own labels. Each reader maps its labels to
the calls below and hands over the values as it found them, with the line they were on; the rules
for what a value means, and what happens to one that is not understood, live only here, so the
same value gives the same Metadata and the same Finding (level, message, hint) from every format.

The rules:

- **Rating**: AO3's five, through taxonomy's aliases (``T``, ``PG-13``, ``NC-17``...), with a
  trailing explanation ignored (``T (for language)``, ``M - violence``). Only the first rating
  counts. An **unknown rating is a warning, never an error, and the value stays visible**: it is
  kept as the content note ``Rating: <value>``, and the warning suggests the closest of AO3's
  ratings. Why a warning: the same rule must hold for a writer's own manuscript and for a
  stranger's download, and for a download an error would refuse a whole book over one label the
  reader can read for themselves; for a manuscript, ``bookmaker check`` still shows the warning
  with its did-you-mean, so the writer fixes it at the next look, while nothing they wrote is ever
  silently dropped or lost to a failed build.
- **Archive warnings**: a value that is one of AO3's six (or an alias) is kept under its canonical
  name; any other value in a warnings field is a content note, kept verbatim (``Gore``). That is
  what warnings fields hold in practice, so it is no finding, except when the value looks like a
  misspelt archive warning (``Charcter Death``): then it is a warning with a did-you-mean, and the
  value is still kept as a content note.
- **Content notes**: kept verbatim, in order, each once.
- **Categories**: AO3's six through their aliases (``Slash`` is M/M). An unknown category is a
  warning with a did-you-mean, and is kept as a tag.
- **Authors, fandoms, relationships, characters, tags**: one line each (control characters and runs
  of whitespace gone), empty ones dropped, each once, in the order given.
- **Language**: a BCP 47 tag, or a language's name in English or in itself (``Français``). Not
  given: left unset, so bookmaker.toml's ``[book] language`` applies, else English. Not understood:
  a warning, and left unset the same way.
- **Series**: a name (one line) and an optional index; a series without a name is left out.
- **Title**: one line; none found: the file name, humanised, with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

from bookmaker import taxonomy
from bookmaker.errors import Finding
from bookmaker.model import Block, Metadata, Series

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_WHITESPACE = re.compile(r"\s+")
# What may follow a rating without being part of it: "T (for language)", "M - violence".
_RATING_TAIL = re.compile(r"\s*(?:\(|\s-\s|\bfor\b|,|;).*", re.IGNORECASE | re.DOTALL)

LIST_FIELDS = ("authors", "fandoms", "relationships", "characters", "tags")
# Fields whose values are taken as given (already typed by the reader).
PLAIN_FIELDS = ("summary", "published", "updated", "source_url", "cover", "rights", "identifier",
                "encoding", "direction")


def clean_line(text: str) -> str:
    """One line of metadata: control characters removed, runs of whitespace made one space."""
    return _WHITESPACE.sub(" ", _CONTROL.sub("", text)).strip()


def humanise_stem(path: PurePath) -> str:
    """A title from a file name: ``a-new_hero.md`` → ``A New Hero``."""
    words = re.split(r"[-_\s]+", path.stem)
    return " ".join(word[:1].upper() + word[1:] for word in words if word) or "Untitled"


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def _did_you_mean(suggestion: str | None, choices: tuple[str, ...], what: str) -> str:
    if suggestion:
        return f"did you mean {suggestion!r}?"
    return f"AO3's {what}: " + ", ".join(choices)


class MetadataBuilder:
    """Collects one work's metadata from a reader, reporting what it cannot use to ``findings``.

    Each method takes the values as the reader found them and the (1-based) line they were on,
    where the format has lines; ``build()`` gives the Metadata. Calling a method twice adds to a
    list field and replaces a single one (a reader decides which occurrence wins by calling
    in that order); ``rating`` keeps the first rating given.
    """

    def __init__(self, path: str | PurePath | None, findings: list[Finding]) -> None:
        self.path = PurePath(path) if path is not None else None
        self.findings = findings
        self._title = ""
        self._rating: str | None = None
        self._language: str | None = None
        self._lists: dict[str, list[str]] = {name: [] for name in LIST_FIELDS}
        self._warnings: list[str] = []
        self._content_notes: list[str] = []
        self._categories: list[str] = []
        self._series: list[Series] = []
        self._plain: dict[str, Any] = {}

    def _warn(self, message: str, line: int | None, hint: str) -> None:
        where = str(self.path) if self.path is not None else None
        self.findings.append(Finding("warning", message, where, line, hint))

    # ----------------------------------------------------------------- single values

    def title(self, value: str | None) -> None:
        """The work's title (a later call replaces an earlier one; empty values are ignored)."""
        text = clean_line(value or "")
        if text:
            self._title = text

    def has_title(self) -> bool:
        return bool(self._title)

    def rating(self, value: str | None, line: int | None = None) -> None:
        """A rating as written; the first one given counts, an unknown one is kept visible."""
        text = clean_line(value or "")
        if not text:
            return
        rating = (taxonomy.canonical_rating(text)
                  or taxonomy.canonical_rating(_RATING_TAIL.sub("", text)))
        if rating is None:
            self._warn(f"unknown rating {text!r}; kept as a content note", line,
                       _did_you_mean(taxonomy.suggest_rating(text), taxonomy.RATINGS,
                                     "ratings"))
            self._add_unique(self._content_notes, [f"Rating: {text}"])
        elif self._rating is None:
            self._rating = rating

    def language(self, value: str | None, line: int | None = None) -> None:
        """A language tag or name; unset when not given or not understood (with a warning)."""
        text = clean_line(value or "")
        if not text:
            return
        tag = taxonomy.language_tag(text)
        if tag is None:
            self._warn(f"language {text!r} is not a language tag; left unset", line,
                       "use a BCP 47 tag such as en, fr, de or pt-BR; until then bookmaker.toml's "
                       "[book] language applies, else English")
        self._language = tag

    def set(self, **values: Any) -> None:
        """Fields taken as the reader gives them: summary (blocks), published and updated (ISO
        dates), source_url, cover, rights, identifier, encoding. None leaves a field unset."""
        for name, value in values.items():
            if name not in PLAIN_FIELDS:
                raise TypeError(f"MetadataBuilder.set() takes no field {name!r}")
            if value is not None and value != ():
                self._plain[name] = value

    def summary(self, blocks: tuple[Block, ...]) -> None:
        self.set(summary=tuple(blocks))

    # ----------------------------------------------------------------- lists

    def authors(self, values: Iterable[str]) -> None:
        self._add_list("authors", values)

    def fandoms(self, values: Iterable[str]) -> None:
        self._add_list("fandoms", values)

    def relationships(self, values: Iterable[str]) -> None:
        self._add_list("relationships", values)

    def characters(self, values: Iterable[str]) -> None:
        self._add_list("characters", values)

    def tags(self, values: Iterable[str]) -> None:
        self._add_list("tags", values)

    def warnings(self, values: Iterable[str], line: int | None = None) -> None:
        """A warnings field: AO3's archive warnings by name, anything else a content note."""
        archive, notes = taxonomy.split_warnings([clean_line(value) for value in values])
        self._add_unique(self._warnings, archive)
        for note in notes:
            meant = taxonomy.suggest(note, taxonomy.ARCHIVE_WARNINGS)
            if meant:
                self._warn(f"{note!r} is not an AO3 archive warning; kept as a content note", line,
                           f"did you mean {meant!r}?")
        self._add_unique(self._content_notes, notes)

    def content_notes(self, values: Iterable[str]) -> None:
        self._add_unique(self._content_notes, [clean_line(value) for value in values])

    def categories(self, values: Iterable[str], line: int | None = None) -> None:
        """AO3's categories by name or alias; an unknown one is kept as a tag, with a warning."""
        for value in (clean_line(value) for value in values):
            if not value:
                continue
            category = taxonomy.canonical_category(value)
            if category is None:
                self._warn(f"unknown category {value!r}; kept as a tag", line,
                           _did_you_mean(taxonomy.suggest(value, taxonomy.CATEGORIES),
                                         taxonomy.CATEGORIES, "categories"))
                self._add_list("tags", [value])
            else:
                self._add_unique(self._categories, [category])

    def series(self, entries: Iterable[Series]) -> None:
        for entry in entries:
            name = clean_line(entry.name)
            if name:
                self._series.append(Series(name, entry.index))

    def _add_list(self, name: str, values: Iterable[str]) -> None:
        self._add_unique(self._lists[name], [clean_line(value) for value in values])

    @staticmethod
    def _add_unique(target: list[str], values: Iterable[str]) -> None:
        for value in _unique(values):
            if value not in target:
                target.append(value)

    # ----------------------------------------------------------------- the result

    def build(self, no_title_hint: str = "give the work a title") -> Metadata:
        """The Metadata; with no title found, the file name's, and a warning with the reader's
        own advice (``no_title_hint``) on where a title goes in its format."""
        title = self._title
        if not title:
            title = humanise_stem(self.path) if self.path is not None else "Untitled"
            self._warn(f"no title found; using {title!r} from the file name", None, no_title_hint)
        return Metadata(
            title=title,
            authors=tuple(self._lists["authors"]),
            language=self._language,
            fandoms=tuple(self._lists["fandoms"]),
            rating=self._rating,
            warnings=tuple(self._warnings),
            content_notes=tuple(self._content_notes),
            categories=tuple(self._categories),
            relationships=tuple(self._lists["relationships"]),
            characters=tuple(self._lists["characters"]),
            tags=tuple(self._lists["tags"]),
            series=tuple(self._series),
            **self._plain,
        )

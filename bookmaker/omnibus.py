"""Series omnibuses: works grouped by the series they name, ordered by part, each series a book.

A download names its series wherever its format keeps it (AO3's "Part N of" line, FanFicFare's and
calibre's ``calibre:series``, EPUB 3's ``belongs-to-collection``, a manuscript's ``series:``); the
readers put all of them in ``Metadata.series``, so grouping here knows no format. The same work
downloaded twice (as HTML and as EPUB) counts once: two works are the same when they name the same
source URL, or the same title by the same authors.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from bookmaker.errors import Finding
from bookmaker.model import Book, Metadata, Series


@dataclass(frozen=True)
class Candidate:
    """One read work and the file it came from."""

    path: Path
    book: Book


@dataclass
class SeriesGroup:
    """One series: its name and its works in part order (a work without a part number last)."""

    name: str
    parts: list[tuple[float | None, Candidate]] = field(default_factory=list)

    @property
    def metadata(self) -> Metadata:
        """The omnibus's own metadata: the series' name as its title, and the series itself."""
        return Metadata(self.name, language=_shared_language(self), series=(Series(self.name),))


def group_by_series(candidates: list[Candidate]) -> tuple[list[SeriesGroup], list[Finding]]:
    """Every series among ``candidates``, in the order first met, each ordered by part; and what
    the user should know: duplicates counted once, works in no series, gaps and repeated parts."""
    findings: list[Finding] = []
    works = _without_duplicates(candidates, findings)
    groups: dict[str, SeriesGroup] = {}
    for candidate in works:
        if not candidate.book.metadata.series:
            findings.append(Finding("warning", "is not part of any series; left out of the "
                                    "omnibus", str(candidate.path)))
        for series in candidate.book.metadata.series:
            key = " ".join(series.name.casefold().split())
            group = groups.setdefault(key, SeriesGroup(series.name))
            group.parts.append((series.index, candidate))
    for group in groups.values():
        group.parts.sort(key=lambda part: (part[0] is None, part[0] or 0))
        findings.extend(_gaps_and_repeats(group))
    return list(groups.values()), findings


def _without_duplicates(candidates: list[Candidate], findings: list[Finding]) -> list[Candidate]:
    """One copy of each work: the one with the most metadata (a source URL first), else the
    first given; each other copy reported."""
    kept: list[Candidate] = []
    for candidate in candidates:
        same = next((index for index, other in enumerate(kept)
                     if _same_work(candidate.book.metadata, other.book.metadata)), None)
        if same is None:
            kept.append(candidate)
            continue
        other = kept[same]
        better, worse = (candidate, other) if _richness(candidate) > _richness(other) \
            else (other, candidate)
        kept[same] = better
        findings.append(Finding("warning", f"is the same work as {better.path}; counted once",
                                str(worse.path)))
    return kept


def _same_work(one: Metadata, other: Metadata) -> bool:
    if one.source_url and other.source_url:
        return _url_key(one.source_url) == _url_key(other.source_url)
    return _text_key(one.title) == _text_key(other.title) and \
        {_text_key(a) for a in one.authors} == {_text_key(a) for a in other.authors}


def _url_key(url: str) -> str:
    return url.strip().lower().removeprefix("https://").removeprefix("http://").rstrip("/")


def _text_key(text: str) -> str:
    return " ".join(text.casefold().split())


def _richness(candidate: Candidate) -> tuple[int, int]:
    metadata = candidate.book.metadata
    filled = sum(1 for f in dataclasses.fields(metadata) if getattr(metadata, f.name))
    return (1 if metadata.source_url else 0, filled)


def _gaps_and_repeats(group: SeriesGroup) -> list[Finding]:
    """"part 3 of 5 is missing" for each part number below the highest that no work has, and a
    warning for two works claiming one part."""
    numbers = [index for index, _ in group.parts if index is not None]
    findings = []
    if numbers:
        highest = int(max(numbers))
        present = {int(n) for n in numbers if float(n).is_integer()}
        for missing in range(1, highest + 1):
            if missing not in present:
                findings.append(Finding("warning", f"{group.name}: part {missing} of {highest} "
                                        "is missing"))
    seen: dict[float, Path] = {}
    for index, candidate in group.parts:
        if index is None:
            continue
        if index in seen:
            findings.append(Finding("warning", f"{group.name}: claims part "
                                    f"{index:g}, as {seen[index]} does; both kept",
                                    str(candidate.path)))
        seen[index] = candidate.path
    return findings


def _shared_language(group: SeriesGroup) -> str | None:
    languages = {candidate.book.metadata.language for _, candidate in group.parts}
    return languages.pop() if len(languages) == 1 else None

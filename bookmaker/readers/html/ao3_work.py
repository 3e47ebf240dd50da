"""One AO3 work as a plain record, and the one function that turns it into a Book.

AO3 gives a work in several shapes: the HTML download (every vintage), calibre's EPUB and AZW3 of
it, the flat MOBI, the work page saved from the browser. Each has a front-end that finds the
work's parts in its own tree and fills a ``Work``: fields, never sentences (the tags as lists, the
notes as model blocks already converted by readers/html/blocks.py, the stats as dates and
numbers). ``book_from_work`` is then the only place that knows how an AO3 work becomes a Book:
the metadata through readers/metadata.MetadataBuilder (so a rating or a warning means what it
means in every format), the chapter-count check, the ``xxx`` scene breaks, the works inspired
by this one. AO3's own words (labels, fixed sentences) are bookmaker/taxonomy.py's.

The front-ends share the helpers below, which read a tag list's values, a series line, the stats
and a byline wherever they stand.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath

from lxml import etree

from bookmaker import taxonomy
from bookmaker.errors import Finding
from bookmaker.model import (Block, Book, Chapter, ListBlock, Paragraph, SceneBreak, Series,
                             Strong, Text, plain_text)
from bookmaker.readers.html.tree import text_of
from bookmaker.readers.metadata import MetadataBuilder
from bookmaker.transforms.scenebreaks import is_separator_text

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_STAT = re.compile(r"(?P<label>[A-Za-z]+):\s*(?P<value>[\d,?/\-]+)")
_COUNT = re.compile(r"[\d,]+")
_WORK_URL = re.compile(r"https?://[^\s\"'<>]*/works/\d+")


@dataclass(frozen=True)
class Stats:
    """A work's stats: dates as ISO strings, counts as numbers (None when not given)."""

    published: str | None = None
    updated: str | None = None  # the last update, or the day the work was completed
    words: int | None = None
    chapters: int | None = None  # posted
    planned: int | None = None  # of how many; None for "?" (a work in progress)


@dataclass(frozen=True)
class Work:
    """Everything a front-end found of one AO3 work, as AO3 gave it (values are judged by
    MetadataBuilder, in book_from_work)."""

    title: str = ""
    authors: tuple[str, ...] = ()
    rating: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    fandoms: tuple[str, ...] = ()
    relationships: tuple[str, ...] = ()
    characters: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    language: str | None = None
    series: tuple[Series, ...] = ()
    summary: tuple[Block, ...] = ()
    notes: tuple[Block, ...] = ()
    end_notes: tuple[Block, ...] = ()
    related_works: tuple[Block, ...] = ()  # the preface's "translation of / inspired by" list
    inspired_works: tuple[tuple[Block, ...], ...] = ()  # one item per work inspired by this one
    chapters: tuple[Chapter, ...] = ()  # the model's: title, text, summary, notes, end notes
    stats: Stats = Stats()
    source_url: str | None = None  # the work's address on AO3 (its id is the last part)
    stylesheet: str = ""  # a saved page's work skin, sanitised (readers/html/workskin.py)
    # Where fields were read, for the findings: a field's name, or "chapters" for the text.
    lines: Mapping[str, int | None] = field(default_factory=dict)


def book_from_work(work: Work, path: PurePath, folder: str) -> tuple[Book, list[Finding]]:
    """The Book of ``work`` read from ``path`` (the name messages give; ``folder`` the book's
    base folder), and what was wrong with it: metadata findings, no chapter text (an error),
    fewer chapters than the work has posted (a warning)."""
    found: list[Finding] = []
    builder = MetadataBuilder(path, found)
    builder.title(work.title)
    builder.authors(work.authors)
    builder.language(work.language, work.lines.get("language"))
    builder.summary(work.summary)
    builder.fandoms(work.fandoms)
    for rating in work.rating:
        builder.rating(rating, work.lines.get("rating"))
    builder.warnings(work.warnings, work.lines.get("warnings"))
    builder.categories(work.categories, work.lines.get("categories"))
    builder.relationships(work.relationships)
    builder.characters(work.characters)
    builder.tags(work.tags)
    builder.series(work.series)
    builder.set(published=work.stats.published, updated=work.stats.updated,
                source_url=work.source_url)
    metadata = builder.build(no_title_hint="download the work again from AO3")
    chapters = tuple(dataclasses.replace(chapter, blocks=_with_scene_breaks(chapter.blocks))
                     for chapter in work.chapters)
    line = work.lines.get("chapters")
    if not any(chapter.blocks for chapter in chapters):
        found.append(Finding("error", "the download holds no chapter text", str(path), line,
                             "download the work again"))
    posted = work.stats.chapters
    if posted and chapters and len(chapters) < posted:
        titles = ", ".join(chapter.title or "untitled" for chapter in chapters)
        found.append(Finding("warning", f"the work has {posted} chapters posted but this file "
                                        f"holds {len(chapters)} ({titles}); only those are in "
                                        "the book", str(path), line,
                             "download the whole work again, or save its \"Entire Work\" page"))
    back = work.end_notes + _inspired_works(work.inspired_works, work.lines.get("inspired_works"))
    return Book(metadata, chapters, work.notes + work.related_works, back,
                base_dir=folder, stylesheet=work.stylesheet), found


def _with_scene_breaks(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """A paragraph holding only ``xxx`` (or ``***``, ``oOo``...) is a scene break in a fic from
    the archive, aligned or not: the sanitiser of older archives left writers nothing else."""
    return tuple(SceneBreak(block.line) if isinstance(block, Paragraph)
                 and is_separator_text(plain_text(block.children)) else block
                 for block in blocks)


def _inspired_works(items: tuple[tuple[Block, ...], ...], line: int | None
                    ) -> tuple[Block, ...]:
    """"Works inspired by this one": a bold line and the list of the works, for the back
    matter."""
    items = tuple(item for item in items if item)
    if not items:
        return ()
    return (Paragraph((Strong((Text(taxonomy.AO3_INSPIRED_WORKS + ":"),)),), line),
            ListBlock(items, line=line))


# --------------------------------------------------------------------------- shared by front-ends


def work_from_tag_list(fields: Mapping[str, etree._Element]) -> Work:
    """A Work holding what a tag list says (its value elements by field name, as each front-end
    finds them: rating, warnings, categories, fandoms, relationships, characters, tags,
    language, series) and the lines they stand on; the front-end fills in the rest
    (``dataclasses.replace``)."""
    return Work(
        rating=tag_values(fields.get("rating")),
        warnings=tag_values(fields.get("warnings")),
        categories=tag_values(fields.get("categories")),
        fandoms=tag_values(fields.get("fandoms")),
        relationships=tag_values(fields.get("relationships")),
        characters=tag_values(fields.get("characters")),
        tags=tag_values(fields.get("tags")),
        language=text_of(fields["language"]) if "language" in fields else None,
        series=series_of(fields.get("series")),
        lines={name: element.sourceline for name, element in fields.items()})


def tag_values(element: etree._Element | None) -> tuple[str, ...]:
    """The tags in a tag-list value: each link's text (a tag may hold a comma), else the text
    split at ", "; each once."""
    if element is None:
        return ()
    links = [text_of(link) for link in element.iter("a")]
    values = links if links else text_of(element).split(", ")
    return tuple(value for value in dict.fromkeys(values) if value)


def series_of(element: etree._Element | None) -> tuple[Series, ...]:
    """Every "Part N of <a>Name</a>" in a Series value, in order."""
    if element is None:
        return ()
    series = []
    preceding = element.text or ""  # the text since the last link: "Part N of "
    for child in element.iterdescendants():
        if child.tag == "a":
            part = taxonomy.AO3_SERIES_PART.search(preceding.strip())
            if text_of(child):
                series.append(Series(text_of(child), float(part.group(1)) if part else None))
            preceding = ""
        else:
            preceding += child.text or ""
        preceding += child.tail or ""
    return tuple(series)


def stats_from_text(text: str) -> Stats:
    """The stats of a download, written as one line of "Label: value" pairs."""
    values: dict[str, str] = {}
    for match in _STAT.finditer(text):
        name = taxonomy.AO3_STATS_LABELS.get(match.group("label").lower())
        if name:
            values.setdefault(name, match.group("value"))
    return stats_from_values(values)


def stats_from_values(values: Mapping[str, str]) -> Stats:
    """Stats from their values by name (``published``, ``updated``, ``words``, ``chapters``
    as "3/5" or "3/?")."""
    posted, _, planned = values.get("chapters", "").partition("/")
    return Stats(published=_date(values.get("published", "")),
                 updated=_date(values.get("updated", "")),
                 words=_count(values.get("words", "")), chapters=_count(posted),
                 planned=_count(planned))


def authors_of(byline: etree._Element | None, prefix: str = taxonomy.AO3_BYLINE
               ) -> tuple[str, ...]:
    """Every creator in a byline: one ``rel="author"`` link each (else every link), or its text
    without "by " ("Anonymous", an orphaned work), split at commas and "and"."""
    if byline is None:
        return ()
    links = [text_of(a) for a in byline.iter("a") if "author" in a.get("rel", "").split()] or \
        [text_of(a) for a in byline.iter("a")]
    if links:
        return tuple(dict.fromkeys(name for name in links if name))
    named = text_of(byline).removeprefix(prefix)
    return tuple(name for name in re.split(r",\s*|\s+and\s+", named) if name)


def work_url(scope: etree._Element | None) -> str | None:
    """The work's address in the preface's message: its link to the work, else the address in
    its text."""
    if scope is None:
        return None
    for link in scope.iter("a"):
        if _WORK_URL.fullmatch(link.get("href", "")):
            return link.get("href")
    found = _WORK_URL.search(text_of(scope))
    return found.group(0) if found else None


def labelled_quote(scope: etree._Element | None, labels: tuple[str, ...] | str
                   ) -> etree._Element | None:
    """The ``<blockquote>`` right after a ``<p>`` saying one of ``labels`` ("Summary", "Chapter
    Notes"...), the first label found first, looking only at ``scope``'s own children."""
    if scope is None:
        return None
    children = list(scope)
    for label in (labels,) if isinstance(labels, str) else labels:
        for index, child in enumerate(children[:-1]):
            if child.tag == "p" and text_of(child).rstrip(":").lower() == label.lower() \
                    and children[index + 1].tag == "blockquote":
                return children[index + 1]
    return None


def is_chapter_group(element: etree._Element) -> bool:
    """A chapter's header in a download's ``div#chapters``: ``div.meta.group``, or (calibre
    renames the classes) a div whose own ``<h2>`` is AO3's "Chapter N" heading."""
    if element.tag != "div":
        return False
    if {"meta", "group"} <= set(element.get("class", "").split()):
        return True
    return any(child.tag == "h2" and taxonomy.AO3_CHAPTER_HEADING.match(text_of(child))
               for child in element)


def _date(text: str) -> str | None:
    found = _DATE.search(text)
    return found.group(0) if found else None


def _count(text: str) -> int | None:
    found = _COUNT.fullmatch(text.strip())
    digits = found.group(0).replace(",", "") if found else ""
    return int(digits) if digits.isdigit() else None

"""AO3's vocabularies: ratings, archive warnings and categories, with the aliases people use.

AO3 renamed some of these over the years (its source, otwcode/otwarchive, has the history); old
files and plain-text headers still use the old names, so every alias maps to today's canonical
name. Anything that is not an archive warning (``Gore``, ``Self-Harm``...) is a content note: kept
verbatim, never dropped. AO3's own words around a work (the labels of its tag list, its fixed
sentences) are here too, at the end.
"""

from __future__ import annotations

import difflib
import re

RATINGS = ("Not Rated", "General Audiences", "Teen And Up Audiences", "Mature", "Explicit")

ARCHIVE_WARNINGS = (
    "Creator Chose Not To Use Archive Warnings",
    "No Archive Warnings Apply",
    "Graphic Depictions Of Violence",
    "Major Character Death",
    "Rape/Non-Con",
    "Underage Sex",
)

CATEGORIES = ("Gen", "F/M", "M/M", "F/F", "Multi", "Other")

RATING_ALIASES = {
    "not rated": "Not Rated",
    "unrated": "Not Rated",
    "general audiences": "General Audiences",
    "general": "General Audiences",
    "g": "General Audiences",
    "gen": "General Audiences",
    "k": "General Audiences",
    "k+": "General Audiences",
    "teen and up audiences": "Teen And Up Audiences",
    "teen and up": "Teen And Up Audiences",
    "teen": "Teen And Up Audiences",
    "t": "Teen And Up Audiences",
    "pg": "General Audiences",
    "pg-13": "Teen And Up Audiences",
    "mature": "Mature",
    "m": "Mature",
    "r": "Mature",
    "explicit": "Explicit",
    "e": "Explicit",
    "ma": "Explicit",
    "nc-17": "Explicit",
}

WARNING_ALIASES = {
    "creator chose not to use archive warnings": "Creator Chose Not To Use Archive Warnings",
    "choose not to use archive warnings": "Creator Chose Not To Use Archive Warnings",
    "chose not to use archive warnings": "Creator Chose Not To Use Archive Warnings",
    "cntw": "Creator Chose Not To Use Archive Warnings",
    "no archive warnings apply": "No Archive Warnings Apply",
    "no warnings apply": "No Archive Warnings Apply",
    "no warnings": "No Archive Warnings Apply",
    "none": "No Archive Warnings Apply",
    "graphic depictions of violence": "Graphic Depictions Of Violence",
    "violence": "Graphic Depictions Of Violence",
    "graphic violence": "Graphic Depictions Of Violence",
    "major character death": "Major Character Death",
    "character death": "Major Character Death",
    "mcd": "Major Character Death",
    "death": "Major Character Death",
    "rape/non-con": "Rape/Non-Con",
    "rape/noncon": "Rape/Non-Con",
    "rape": "Rape/Non-Con",
    "non-con": "Rape/Non-Con",
    "noncon": "Rape/Non-Con",
    "underage sex": "Underage Sex",
    "underage": "Underage Sex",
}

CATEGORY_ALIASES = {c.lower(): c for c in CATEGORIES} | {
    "het": "F/M",
    "slash": "M/M",
    "femslash": "F/F",
    "general": "Gen",
}


# Language names people write instead of a BCP 47 tag, in English and in the language itself.
LANGUAGE_NAMES = {
    "english": "en", "french": "fr", "français": "fr", "francais": "fr", "german": "de",
    "deutsch": "de", "spanish": "es", "español": "es", "espanol": "es", "italian": "it",
    "italiano": "it", "portuguese": "pt", "português": "pt", "dutch": "nl", "nederlands": "nl",
    "swedish": "sv", "svenska": "sv", "finnish": "fi", "suomi": "fi", "polish": "pl",
    "polski": "pl", "russian": "ru", "русский": "ru", "japanese": "ja", "日本語": "ja",
    "chinese": "zh", "中文": "zh", "korean": "ko", "한국어": "ko", "norwegian": "no",
    "danish": "da", "czech": "cs", "hungarian": "hu", "turkish": "tr", "arabic": "ar",
    "hebrew": "he", "greek": "el", "ukrainian": "uk", "vietnamese": "vi", "indonesian": "id",
}

_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


def language_tag(value: str) -> str | None:
    """A BCP 47 tag for a language name or tag (``Français`` → fr, ``pt-BR`` stays), else None."""
    value = value.strip()
    named = LANGUAGE_NAMES.get(value.lower())
    if named:
        return named
    if _LANGUAGE_TAG.fullmatch(value):
        primary, _, rest = value.partition("-")
        return primary.lower() + (f"-{rest}" if rest else "")
    return None


def _key(value: str) -> str:
    return re.sub(r"\s+", " ", value.strip()).lower()


def canonical_rating(value: str) -> str | None:
    """AO3's name for a rating, or None when it is not one (see suggest_rating)."""
    return RATING_ALIASES.get(_key(value))


def canonical_warning(value: str) -> str | None:
    """AO3's name for an archive warning, or None when it is a free-text content note."""
    return WARNING_ALIASES.get(_key(value))


def canonical_category(value: str) -> str | None:
    return CATEGORY_ALIASES.get(_key(value))


def split_warnings(values: list[str] | tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split warnings into (archive warnings, content notes), each in order and without repeats."""
    archive: list[str] = []
    notes: list[str] = []
    for raw in values:
        value = raw.strip()
        if not value:
            continue
        canonical = canonical_warning(value)
        if canonical is not None:
            if canonical not in archive:
                archive.append(canonical)
        elif value not in notes:
            notes.append(value)
    return tuple(archive), tuple(notes)


def suggest(value: str, choices: tuple[str, ...]) -> str | None:
    """The closest canonical name to a misspelt or over-long one (``Mature Audiences`` → Mature)."""
    key = _key(value)
    lowered = {c.lower(): c for c in choices}
    for choice_key, choice in lowered.items():
        # A canonical name inside the value (or the value inside one) is the likeliest intent.
        if choice_key in key or (len(key) >= 4 and key in choice_key):
            return choice
    close = difflib.get_close_matches(key, list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def suggest_rating(value: str) -> str | None:
    return suggest(value, RATINGS)


# --------------------------------------------------------------------------- AO3's own words

# What AO3 writes around a work (its download views, app/views/downloads/ in otwcode/otwarchive),
# in every vintage: the front-ends of
# readers/html (the HTML download, calibre's EPUB, AZW3 and MOBI of it, the saved work page) find
# the work's parts by these words and fill readers/html/ao3_work.Work; none of them is ever
# copied into a book.

# The tag list's labels (``dl.tags`` of a download, bold "Label:" lines of a MOBI), singular, and
# plural for several values since Oct 2023; "Freeform" is the old name of Additional Tags. Each
# names the field of the work it fills.
AO3_TAG_LABELS = {
    "rating": "rating", "ratings": "rating",
    "archive warning": "warnings", "archive warnings": "warnings",
    "category": "categories", "categories": "categories",
    "fandom": "fandoms", "fandoms": "fandoms",
    "relationship": "relationships", "relationships": "relationships",
    "character": "characters", "characters": "characters",
    "additional tag": "tags", "additional tags": "tags", "freeform": "tags",
    "language": "language", "series": "series",
    "collection": "collections", "collections": "collections",
    "stats": "stats",
}
# The same fields as a saved work page names them: the classes of ``dl.work.meta``'s ``dd``s.
AO3_TAG_CLASSES = {
    "rating": "rating", "warning": "warnings", "category": "categories", "fandom": "fandoms",
    "relationship": "relationships", "character": "characters", "freeform": "tags",
    "language": "language", "series": "series", "collections": "collections", "stats": "stats",
}
# The stats' labels ("Published: 2024-01-15 Updated: 2024-03-02 Words: 12,345 Chapters: 3/?"),
# which a work page also uses as classes; a finished work says Completed where others say Updated.
AO3_STATS_LABELS = {"published": "published", "updated": "updated", "completed": "updated",
                    "status": "updated", "words": "words", "chapters": "chapters"}

# The labels of the notes (a <p> before each ``blockquote.userstuff``); a chapter's, in older
# files, without "Chapter".
AO3_SUMMARY, AO3_NOTES, AO3_END_NOTES = "Summary", "Notes", "End Notes"
AO3_CHAPTER_SUMMARY = ("Chapter Summary", "Summary")
AO3_CHAPTER_NOTES = ("Chapter Notes", "Notes")
AO3_CHAPTER_END_NOTES = ("Chapter End Notes", "End Notes")
AO3_INSPIRED_WORKS = "Works inspired by this one"

# AO3's fixed sentences: the preface's message, the links to the end notes, a chapter's own
# byline, the afterword's request for comments.
AO3_POSTED = "Posted originally on the"
AO3_ARCHIVE = "Archive of Our Own"
AO3_END_NOTES_LINKS = ("See the end of the work for", "See the end of the chapter for")
AO3_BYLINE, AO3_CHAPTER_BYLINE = "by ", "Chapter by "
AO3_COMMENT_REQUEST = "drop by the Archive"

# A chapter's heading ("Chapter 3", "Chapter 3: The Fall") and a series line ("Part 2 of").
AO3_CHAPTER_HEADING = re.compile(r"Chapter\s+\d+\b\s*(?::\s*(?P<title>\S.*))?",
                                 re.IGNORECASE | re.DOTALL)
AO3_SERIES_PART = re.compile(r"Part\s+(\d+)\s+of\s*$", re.IGNORECASE)


def ao3_tag_field(label: str) -> str | None:
    """The work's field an AO3 tag-list label fills (``Archive Warnings:`` → warnings), else
    None."""
    return AO3_TAG_LABELS.get(_key(label).rstrip(":").strip())


def ao3_chapter_title(heading: str) -> str:
    """The title an author gave a chapter ("Chapter 3: The Fall" → "The Fall"); a heading with
    none stays as AO3 wrote it ("Chapter 3")."""
    match = AO3_CHAPTER_HEADING.fullmatch(heading.strip())
    return match.group("title").strip() if match and match.group("title") else heading.strip()

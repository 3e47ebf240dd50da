"""The one metadata builder (bookmaker/readers/metadata.py): its rules, and that every reader
follows them, so the same value gives the same Metadata and the same finding from every format."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bookmaker import readers
from bookmaker.errors import Finding
from bookmaker.model import Series
from bookmaker.readers.metadata import MetadataBuilder

from epub_files import make_epub, tree
from paths import DATA

UNKNOWN_RATING = "Mature Audiences"
NOT_AN_ARCHIVE_WARNING = "Gore"  # a content note: what warnings fields hold in practice
NEAR_MISS = "Charcter Death"  # a misspelt archive warning

# What every format must give for the values above: (level, message, hint) of each finding, and
# the metadata fields they end in.
EXPECTED_FINDINGS = [
    ("warning", "unknown rating 'Mature Audiences'; kept as a content note",
     "did you mean 'Mature'?"),
    ("warning", "'Charcter Death' is not an AO3 archive warning; kept as a content note",
     "did you mean 'Major Character Death'?"),
]
EXPECTED_FIELDS = {
    "rating": None,
    "warnings": ("No Archive Warnings Apply",),
    "content_notes": ("Rating: Mature Audiences", "Gore", "Charcter Death"),
}


def _manuscript(folder: Path) -> Path:
    path = folder / "story.md"
    path.write_text(f"---\ntitle: Same Values\nrating: {UNKNOWN_RATING}\n"
                    f"warnings: [No Archive Warnings Apply, {NOT_AN_ARCHIVE_WARNING}, {NEAR_MISS}]"
                    "\n---\n\nThe story.\n", encoding="utf-8")
    return path


def _plain_text(folder: Path) -> Path:
    path = folder / "story.txt"
    path.write_text(f"Title: Same Values\nRating: {UNKNOWN_RATING}\n"
                    f"Warnings: No Archive Warnings Apply, {NOT_AN_ARCHIVE_WARNING}, {NEAR_MISS}\n"
                    "\nThe story.\n", encoding="utf-8")
    return path


def _tag_links(values: list[str]) -> str:
    return ", ".join(f'<a href="https://archiveofourown.org/tags/{value}">{value}</a>'
                     for value in values)


def _with_ao3_tags(html: str) -> str:
    """AO3's preface with the rating and the archive warnings replaced."""
    html, ratings = re.subn(r"(<dt[^>]*>Rating:</dt>\s*<dd[^>]*>).*?(</dd>)",
                            lambda m: m[1] + _tag_links([UNKNOWN_RATING]) + m[2], html,
                            flags=re.DOTALL)
    html, warnings = re.subn(
        r"(<dt[^>]*>Archive Warnings:</dt>\s*<dd[^>]*>).*?(</dd>)",
        lambda m: m[1] + _tag_links(["No Archive Warnings Apply", NOT_AN_ARCHIVE_WARNING,
                                     NEAR_MISS]) + m[2], html, flags=re.DOTALL)
    assert (ratings, warnings) == (1, 1), "the AO3 fixture's tag list changed"
    return html


def _ao3_html(folder: Path) -> Path:
    path = folder / "story.html"
    source = (DATA / "ao3html" / "multi-chapter-2024" / "input.html").read_text(encoding="utf-8")
    path.write_text(_with_ao3_tags(source), encoding="utf-8")
    return path


def _ao3_epub(folder: Path) -> Path:
    """AO3's EPUB (tests/data/epub_input/ao3, as test_epub.py builds it) with the same tags."""
    files = tree("ao3")
    page = "OEBPS/The_Long_Way_Round_split_000.xhtml"
    files[page] = _with_ao3_tags(files[page].decode("utf-8")).encode("utf-8")
    return make_epub(files, folder / "not-built-by-bookmaker" / "story.epub")


def _fanficfare_epub(folder: Path) -> Path:
    """FanFicFare's EPUB, whose title page has its own Rating: and Warnings: lines."""
    files = tree("fanficfare")
    page = "OEBPS/title_page.xhtml"
    text = files[page].decode("utf-8")
    text = text.replace("<b>Rating:</b> T<br />", f"<b>Rating:</b> {UNKNOWN_RATING}<br />")
    text = text.replace("<b>Warnings:</b> Major Character Death, Self-Harm<br />",
                        f"<b>Warnings:</b> No Archive Warnings Apply, {NOT_AN_ARCHIVE_WARNING}, "
                        f"{NEAR_MISS}<br />")
    assert UNKNOWN_RATING in text and NEAR_MISS in text, "the FanFicFare fixture changed"
    files[page] = text.encode("utf-8")
    return make_epub(files, folder / "not-built-by-bookmaker" / "ffnet.epub")


SOURCES = {"manuscript": _manuscript, "plain text": _plain_text, "AO3 HTML": _ao3_html,
           "AO3 EPUB": _ao3_epub, "FanFicFare EPUB": _fanficfare_epub}


def _about_these_values(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if UNKNOWN_RATING in f.message or NEAR_MISS in f.message
            or NOT_AN_ARCHIVE_WARNING in f.message]


@pytest.mark.parametrize("source", SOURCES)
def test_the_same_values_give_the_same_metadata_and_findings(source: str, tmp_path: Path) -> None:
    path = SOURCES[source](tmp_path)
    metadata = readers.read(path).metadata
    found = _about_these_values(readers.findings(path))
    assert [(f.level, f.message, f.hint) for f in found] == EXPECTED_FINDINGS
    assert all(f.path == str(path) for f in found)
    assert {name: getattr(metadata, name) for name in EXPECTED_FIELDS} == EXPECTED_FIELDS


def test_findings_point_at_the_line_where_the_format_has_lines(tmp_path: Path) -> None:
    def lines(path: Path) -> list[int | None]:
        return [f.line for f in _about_these_values(readers.findings(path))]

    assert lines(_manuscript(tmp_path)) == [3, 4]
    assert lines(_plain_text(tmp_path)) == [2, 3]
    assert lines(_ao3_html(tmp_path)) == [21, 23]  # the <dd> of each tag list
    # An EPUB's metadata has no line anyone can open (AO3's pages are joined in memory).
    assert lines(_ao3_epub(tmp_path)) == [None, None]


# --------------------------------------------------------------------------- the rules


def build(**calls) -> tuple[object, list[Finding]]:
    found: list[Finding] = []
    builder = MetadataBuilder(Path("story.md"), found)
    builder.title("T")
    for name, args in calls.items():
        getattr(builder, name)(*args)
    return builder.build(), found


@pytest.mark.parametrize("written, rating", [
    ("T", "Teen And Up Audiences"), ("T (for language)", "Teen And Up Audiences"),
    ("M - violence", "Mature"), ("NC-17", "Explicit"), ("  general   audiences ",
                                                          "General Audiences")])
def test_rating_aliases_and_explanations(written: str, rating: str) -> None:
    metadata, found = build(rating=(written, 1))
    assert (metadata.rating, found) == (rating, [])


def test_only_the_first_rating_counts() -> None:
    found: list[Finding] = []
    builder = MetadataBuilder(None, found)
    builder.rating("Explicit")
    builder.rating("Gen")
    assert builder.build().rating == "Explicit"


def test_unknown_rating_without_a_near_name_lists_the_ratings() -> None:
    metadata, [finding] = build(rating=("Zzyzx", 2))
    assert metadata.content_notes == ("Rating: Zzyzx",) and finding.line == 2
    assert finding.hint == ("AO3's ratings: Not Rated, General Audiences, Teen And Up Audiences, "
                            "Mature, Explicit")


def test_archive_warnings_by_alias_and_content_notes_verbatim() -> None:
    metadata, found = build(warnings=(["mcd", "Self-Harm", "no warnings", "MCD"],),
                            content_notes=(["Self-Harm", "Blood"],))
    assert metadata.warnings == ("Major Character Death", "No Archive Warnings Apply")
    assert metadata.content_notes == ("Self-Harm", "Blood")
    assert found == []


def test_unknown_category_becomes_a_tag() -> None:
    metadata, [finding] = build(categories=(["slash", "Romance", "F/F"], 4),
                                tags=(["Fluff"],))
    assert metadata.categories == ("M/M", "F/F")
    assert metadata.tags == ("Romance", "Fluff")
    assert (finding.level, finding.line, finding.message) == (
        "warning", 4, "unknown category 'Romance'; kept as a tag")


@pytest.mark.parametrize("written, tag, warned", [
    ("Français", "fr", False), ("pt-BR", "pt-BR", False), ("EN", "en", False),
    ("", None, False), ("Klingon!", None, True)])
def test_language(written: str, tag: str | None, warned: bool) -> None:
    metadata, found = build(language=(written, 5))
    assert metadata.language == tag
    assert bool(found) == warned


def test_lists_are_cleaned_and_kept_once_in_order() -> None:
    metadata, _ = build(authors=(["  Ann\tLee ", "", "Bo", "Ann Lee"],),
                        series=([Series(" Wings ", 2.0), Series("  ")],))
    assert metadata.authors == ("Ann Lee", "Bo")
    assert metadata.series == (Series("Wings", 2.0),)


def test_no_title_takes_the_file_name_with_the_readers_advice() -> None:
    found: list[Finding] = []
    metadata = MetadataBuilder(Path("a-new_hero.txt"), found).build(no_title_hint="add Title:")
    assert metadata.title == "A New Hero"
    assert [(f.level, f.message, f.hint) for f in found] == [
        ("warning", "no title found; using 'A New Hero' from the file name", "add Title:")]

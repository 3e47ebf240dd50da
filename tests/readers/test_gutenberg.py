"""Project Gutenberg texts: metadata from the header, the story between the markers, no licence."""

from pathlib import Path

from bookmaker import readers
from bookmaker.model import Emph, LineBlock, Paragraph, Table, plain_text, query
from bookmaker.readers import plaintext
from bookmaker.readers.plaintext import gutenberg

DATA = Path(__file__).parent.parent / "data" / "gutenberg"


def test_header_gives_the_metadata_and_the_story_is_between_the_markers():
    book = readers.read(DATA / "pride-and-prejudice.txt")
    assert book.metadata.title == "Pride and Prejudice"
    assert book.metadata.authors == ("Jane Austen",)
    assert book.metadata.language == "en"
    assert book.metadata.source_url == "https://www.gutenberg.org/ebooks/1342"
    assert [c.title for c in book.chapters] == ["CHAPTER I.", "CHAPTER II.", "CHAPTER III."]
    text = " ".join(plain_text(c.blocks) for c in book.chapters)
    assert text.lstrip().startswith("It is a truth universally acknowledged")
    for outside in ("Project Gutenberg", "LICENSE", "START OF", "END OF", "By Jane Austen"):
        assert outside not in text


def test_old_style_markers_and_no_end_marker():
    lines = ["Title: Old Book", "Author: Someone", "",
             "*** START OF THIS PROJECT GUTENBERG EBOOK OLD BOOK ***", "", "Text.", "",
             "End of the Project Gutenberg EBook of Old Book", "licence..."]
    frame = gutenberg.frame(lines)
    assert (frame.start, frame.end) == (4, 7)
    assert frame.fields == [("title", "Old Book", 1), ("authors", "Someone", 2)]
    assert gutenberg.frame(lines[:7]).end == 7


def test_an_ordinary_fic_has_no_frame():
    assert gutenberg.frame(["Title: Mine", "", "*** a scene break ***", "", "Story."]) is None


# --------------------------------------------------------------------------- the 1990s etexts


def test_1994_etext_header_and_small_print_are_not_the_story():
    """alice30.txt (March 1994): no START marker, no Title: lines; the header, the "SMALL PRINT!"
    licence and the title page come before CHAPTER I."""
    book = readers.read(DATA / "alice30.txt")
    assert book.metadata.title == "Alice's Adventures in Wonderland"
    assert book.metadata.authors == ("Lewis Carroll",)
    assert book.metadata.source_url == "https://www.gutenberg.org/ebooks/11"
    assert [c.title for c in book.chapters] == [
        "CHAPTER I: Down the Rabbit-Hole", "CHAPTER II: The Pool of Tears",
        "CHAPTER III: A Caucus-Race and a Long Tale"]
    text = " ".join(plain_text(c.blocks) for c in book.chapters)
    assert text.split()[:4] == ["Alice", "was", "beginning", "to"]
    for outside in ("Small Print", "SMALL PRINT", "Project Gutenberg", "Etext", "MILLENNIUM",
                    "lawyers", "Lewis Carroll", "End of"):
        assert outside not in text, outside


def test_1992_etext_with_roman_numeral_chapters():
    """A Roman numeral alone on its line is a chapter, with the title line under it."""
    book = readers.read(DATA / "timemach-1992.txt")
    assert book.metadata.title == "The Time Machine"
    assert book.metadata.authors == ("H. G. Wells",)
    assert book.metadata.source_url == "https://www.gutenberg.org/ebooks/35"
    assert [c.title for c in book.chapters] == [
        "I", "II", "III. The Time Traveller Returns", "IV. Time Travelling",
        "V. In the Golden Age"]
    text = " ".join(plain_text(c.blocks) for c in book.chapters)
    assert text.lstrip().startswith("The Time Traveller (for so")
    for outside in ("Small Print", "Project Gutenberg", "by H. G. Wells", "End of"):
        assert outside not in text, outside


def test_lone_roman_numerals_count_only_in_sequence():
    lines = ["Story.", "", "I", "", "One.", "", "II", "", "Two.", "", "X", "", "Ten?"]
    assert plaintext.roman_numeral_headings(lines) == {2, 6}
    assert plaintext.roman_numeral_headings(["", "I", "", "Just me."]) == set()
    assert plaintext.roman_numeral_headings(["He said", "I", "", "Text."]) == set()


def test_small_print_marker_variants():
    for marker in ("*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*",
                   "*END THE SMALL PRINT! FOR PUBLIC DOMAIN EBOOKS*Ver.02/11/02*END*"):
        frame = gutenberg.frame(["The Project Gutenberg Etext of A Book, by Some One", "",
                                 marker, "", "Text."])
        assert frame is not None and frame.start == 3
        assert ("title", "A Book", 1) in frame.fields and ("authors", "Some One", 1) in frame.fields


# --------------------------------------------------------------------------- HTML books


def test_gutenberg_html_without_licence_title_page_or_contents():
    """35-h.htm: the <pre> header and licence, a title page and the title again as an <h1> above
    the first chapter: neither title becomes a chapter, nothing of the frame is in the book."""
    from bookmaker import readers
    book, found = readers.read_with_findings(DATA / "timemachine-35-h.htm")
    assert book.metadata.title == "The Time Machine"
    assert book.metadata.authors == ("H. G. Wells",)
    assert book.metadata.source_url == "https://www.gutenberg.org/ebooks/35"
    assert [c.title for c in book.chapters] == [
        "I. Introduction", "II. The Machine", "III. The Time Traveller Returns"]
    text = " ".join(plain_text(c.blocks) for c in book.chapters)
    for outside in ("Project Gutenberg", "LICENSE", "START OF", "END OF", "CONTENTS",
                    "An Invention", "by H. G. Wells", "Produced by", "Section 1"):
        assert outside not in text, outside
    assert any("licence" in finding.message for finding in found)


# --------------------------------------------------------------------------- HTML books, whole


def test_ebookmaker_poetry_keeps_every_poem_as_a_chapter_of_stanzas():
    """Today's ebookmaker frame around a Distributed Proofreaders poetry book whose transcriber's
    note links to the notes at the end (tests/data/gutenberg/make_html_fixtures.py): every
    ``div.chapter`` is a chapter, every stanza a line block, the notes kept, the frame gone."""
    path = DATA / "pg-gedichten-ebookmaker.html"
    book, found = readers.read_with_findings(path)
    assert (book.metadata.title, book.metadata.authors) == ("Gedichten", ("Jacques Perk",))
    assert len(book.chapters) == 41 and book.chapters[-1].title == \
        "Aantekeningen van de bewerker"
    for chapter in book.chapters[:40]:
        stanzas = [block for block in chapter.blocks if isinstance(block, LineBlock)]
        assert 3 <= len(stanzas) <= 5 and all(len(s.lines) == 4 for s in stanzas), chapter.title
    text = " ".join(plain_text(c.blocks) for c in book.chapters)
    for outside in ("Project Gutenberg", "START OF", "FULL LICENSE", "INHOUD", "Release date"):
        assert outside not in text
    assert not [f for f in found if "were not read" in f.message]


def test_hand_made_html_keeps_the_chapter_without_an_anchor_and_the_unclosed_last_chapter():
    """A 2009 hand-made file: chapter I is in the contents without a link, and chapter XVI opens
    a <div> never closed, so the parser nests the END line and the licence inside it."""
    path = DATA / "pg-novel-2009-h.htm"
    book, found = readers.read_with_findings(path)
    assert [c.title for c in book.chapters] == [f"CHAPTER {n}." for n in (
        "I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI".split())]
    last = book.chapters[-1]
    assert sum(isinstance(block, Paragraph) for block in last.blocks) >= 9
    assert plain_text(last.blocks).rstrip().endswith("THE END.")
    assert len(query(book, Table)) == 6  # the accounts in chapters I, IV... XVI; not the contents
    source = (DATA / "pg-novel-2009-h.htm").read_text(encoding="latin-1")
    story = source[source.index("CHAPTER I.</h2>"):source.index("End of the Project")]
    assert sum(len(e.children) for e in query(book, Emph)) == story.count("<i>")
    text = " ".join(plain_text(c.blocks) for c in book.chapters)
    for outside in ("Project Gutenberg", "LICENSE", "CONTENTS", "SMITH, ELDER"):
        assert outside not in text
    assert not [f for f in found if "were not read" in f.message]

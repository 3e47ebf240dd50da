"""Project Gutenberg texts: metadata from the header, the story between the markers, no licence."""

from pathlib import Path

from bookmaker.model import plain_text
from bookmaker.readers import plaintext
from bookmaker.readers.plaintext import gutenberg

DATA = Path(__file__).parent.parent / "data" / "gutenberg"


def test_header_gives_the_metadata_and_the_story_is_between_the_markers():
    book = plaintext.read(DATA / "pride-and-prejudice.txt")
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

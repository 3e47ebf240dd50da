"""The Anthology model: whole works kept whole, through the JSON round trip."""

from __future__ import annotations

import pytest

from bookmaker.model import (Anthology, Book, Chapter, Footnote, FootnoteRef, Metadata, Paragraph,
                             Text, Work, anthology_from_json, contributors, from_json, merged,
                             to_json)


def _work(title: str, authors: tuple[str, ...], tags: tuple[str, ...], **kw) -> Work:
    chapter = Chapter("One", (Paragraph((Text("Words"), FootnoteRef("1"))),
                              Footnote("1", (Paragraph((Text("A note"),)),))))
    return Work(Book(Metadata(title, authors=authors, tags=tags, rating="Mature",
                              warnings=("Major Character Death",)), (chapter,)), **kw)


ANTHOLOGY = Anthology(
    Metadata("Rain Stories", summary=(Paragraph((Text("Two works."),)),), language="en"),
    (_work("A", ("lanternfish",), ("Angst", "Rain")),
     _work("B", ("Corvid", "lanternfish"), ("Rain", "Fluff"), warnings="end", source="b.html")),
    editors=("An Editor",), introduction=(Paragraph((Text("Hello."),)),))


def test_anthology_round_trips_through_json_with_every_work_whole():
    text = to_json(ANTHOLOGY)
    back = anthology_from_json(text)
    assert back == ANTHOLOGY
    assert back.works[1].warnings == "end"
    note = Footnote("1", (Paragraph((Text("A note"),)),))
    assert back.works[0].book.chapters[0].blocks[1] == note


def test_json_of_a_book_is_not_taken_for_an_anthology_nor_the_reverse():
    with pytest.raises(ValueError, match="Anthology"):
        anthology_from_json(to_json(ANTHOLOGY.works[0].book))
    with pytest.raises(ValueError, match="Book"):
        from_json(to_json(ANTHOLOGY))


def test_contributors_and_merged_fields_keep_each_value_once_in_order():
    assert contributors(ANTHOLOGY) == ("lanternfish", "Corvid")
    assert merged(ANTHOLOGY, "tags") == ("Angst", "Rain", "Fluff")

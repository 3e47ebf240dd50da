"""The document model: immutability, JSON round trip, text helpers."""

import dataclasses
import json

import pytest
from hypothesis import given, settings

from bookmaker import model as m
from strategies import books


@settings(max_examples=60, deadline=None)
@given(books)
def test_json_round_trip_gives_back_the_same_book(book):
    assert m.from_json(m.to_json(book)) == book


def test_json_leaves_out_defaults_and_names_every_node_type():
    book = m.Book(m.Metadata(title="T"), (m.Chapter(blocks=(m.SceneBreak(line=4),)),))
    data = json.loads(m.to_json(book))
    assert data == {"type": "Book", "metadata": {"type": "Metadata", "title": "T"},
                    "chapters": [{"type": "Chapter",
                                  "blocks": [{"type": "SceneBreak", "line": 4}]}]}


def test_base_dir_is_neither_serialised_nor_compared():
    one = m.Book(m.Metadata(title="T"), base_dir="/a")
    two = m.Book(m.Metadata(title="T"), base_dir="/b")
    assert one == two
    assert "base_dir" not in m.to_json(one)


def test_nodes_are_frozen():
    paragraph = m.Paragraph((m.Text("x"),))
    with pytest.raises(dataclasses.FrozenInstanceError):
        paragraph.children = ()


def test_unknown_node_type_in_json_is_an_error():
    with pytest.raises(ValueError, match="Banana"):
        m.from_json('{"type": "Banana"}')


def test_plain_text_and_word_count():
    chapter = m.Chapter(blocks=(
        m.Paragraph((m.Text("Rain was "), m.Emph((m.Text("pelting"),)), m.Text(" down."))),
        m.SceneBreak(),
        m.BlockQuote((m.Paragraph((m.Text("Seph?"),)),)),
    ))
    book = m.Book(m.Metadata(title="T"), (chapter,))
    assert "Rain was pelting down." in m.plain_text(chapter.blocks)
    assert m.word_count(book) == 5


def test_map_blocks_reaches_nested_blocks_and_removes_on_none():
    image = m.Image("x.png")
    book = m.Book(m.Metadata(title="T", summary=(image,)), (m.Chapter(
        blocks=(m.BlockQuote((image, m.Paragraph((m.Text("kept"),)))),
                m.ListBlock(((image,), (m.SceneBreak(),)))),
        end_notes=(m.Note((image,)),)),), front_matter=(image,))
    stripped = m.map_blocks(book, lambda b: None if isinstance(b, m.Image) else b)
    assert "Image" not in m.to_json(stripped)
    assert m.plain_text(stripped.chapters[0].blocks).strip() == "kept"
    assert m.map_blocks(book, lambda b: b) == book

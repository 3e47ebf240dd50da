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


# --------------------------------------------------------------------------- the traversal


def _every_node(value):
    """Every dataclass instance inside ``value``, found the slow way: every field of every node
    (a reference the derived child fields are checked against)."""
    if isinstance(value, tuple):
        for item in value:
            yield from _every_node(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        yield value
        for field in dataclasses.fields(value):
            yield from _every_node(getattr(value, field.name))


def test_every_dataclass_of_the_model_is_a_node_type_and_nothing_else_is():
    defined = {value for value in vars(m).values() if isinstance(value, type)
               and dataclasses.is_dataclass(value) and value.__module__ == m.__name__}
    assert defined - {m.ChildField} == set(m.NODE_TYPES)
    assert set(m.INLINE_TYPES) | set(m.BLOCK_TYPES) < set(m.NODE_TYPES)
    assert {m.Table, m.TableCell, m.Ruby, m.Footnote, m.Work} <= set(m.NODE_TYPES)


@settings(max_examples=60, deadline=None)
@given(books)
def test_query_finds_every_node_of_a_book_as_a_field_by_field_search_does(book):
    found = m.query(book, m.NODE_TYPES)
    assert sorted(map(id, found)) == sorted(map(id, _every_node(book)))
    assert found[0] is book


@settings(max_examples=40, deadline=None)
@given(books)
def test_walk_reaches_every_text_and_shares_what_it_does_not_change(book):
    shouted = m.walk(book, m.Text, lambda text: m.Text(text.text.upper()))
    assert [t.text for t in m.query(shouted, m.Text)] == \
        [t.text.upper() for t in m.query(book, m.Text)]
    assert m.walk(book, m.Text, lambda text: text) is book
    assert m.walk(book, m.Heading, lambda heading: heading).metadata is book.metadata


def test_query_and_walk_reach_tables_cells_captions_ruby_notes_and_anthologies():
    cell = m.TableCell((m.Paragraph((m.Ruby((m.Text("a"),), "r"),)),))
    table = m.Table(((cell,),), caption=(m.Text("b"),))
    note = m.Footnote("1", (m.Paragraph((m.Text("c"),)),))
    chapter = m.Chapter(blocks=(table, note), summary=(m.Paragraph((m.Text("d"),)),),
                        end_notes=(m.Paragraph((m.Text("e"),)),))
    book = m.Book(m.Metadata("T", summary=(m.Paragraph((m.Text("f"),)),)), (chapter,),
                  front_matter=(m.Paragraph((m.Text("g"),)),))
    anthology = m.Anthology(m.Metadata("A"), (m.Work(book),),
                            introduction=(m.Paragraph((m.Text("h"),)),))
    # Reading order: what a reader meets first comes first (a table's caption before its rows).
    assert [t.text for t in m.query(anthology, m.Text)] == list("hfgdbace")
    upper = m.walk(anthology, m.Text, lambda t: m.Text(t.text.upper()))
    assert [t.text for t in m.query(upper, m.Text)] == list("HFGDBACE")
    assert m.query(anthology, m.TableCell) == [cell]


def test_query_skips_what_it_is_told_to():
    note = m.Footnote("1", (m.Paragraph((m.FootnoteRef("2"),)),))
    blocks = (m.Paragraph((m.FootnoteRef("1"),)), note)
    assert [ref.id for ref in m.query(blocks, m.FootnoteRef)] == ["1", "2"]
    assert [ref.id for ref in m.query(blocks, m.FootnoteRef, skip=m.Footnote)] == ["1"]


def test_a_walk_removes_a_node_from_a_tuple_but_never_a_single_child():
    book = m.Book(m.Metadata("T"), (m.Chapter(blocks=(m.SceneBreak(), m.Paragraph(())),),))
    kept = m.walk(book, m.SceneBreak, lambda _: None)
    assert kept.chapters[0].blocks == (m.Paragraph(()),)
    with pytest.raises(ValueError, match=r"Book\.metadata"):
        m.walk(book, m.Metadata, lambda _: None)


def test_plain_text_of_a_table_reads_the_caption_first_and_not_a_rubys_reading():
    table = m.Table(((m.TableCell((m.Paragraph((m.Ruby((m.Text("漢字"),), "かんじ"),)),)),),),
                    caption=(m.Text("Cast"),))
    assert m.plain_text((table,)).split() == ["Cast", "漢字"]
    lines = m.LineBlock(((m.Text("one"),), (m.Text("two"),)))
    assert m.plain_text((lines, m.Paragraph((m.Text("three"),)))) == "one\ntwo\n\nthree\n\n"

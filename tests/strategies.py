"""Hypothesis strategies that generate documents of the model, for property tests."""

from __future__ import annotations

from hypothesis import strategies as st

from bookmaker import model as m
from bookmaker import taxonomy

# Text drawn from the characters fics are made of: letters, quotes, dashes, accents, other scripts.
_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCZ0129 .,;:!?'\"-—–…*_#~<>&/éüßçøæ’“”«»日本語кир"
words = st.text(alphabet=_ALPHABET, min_size=1, max_size=20).map(str.strip).filter(bool)

lines = st.none() | st.integers(min_value=1, max_value=10_000)


def inlines(depth: int = 2):
    leaf = st.one_of(
        st.builds(m.Text, words),
        st.builds(m.Code, words),
        st.just(m.LineBreak()),
        st.builds(m.FootnoteRef, st.sampled_from(["1", "2", "a"])),
    )
    if depth == 0:
        return leaf
    children = st.lists(inlines(depth - 1), min_size=1, max_size=3).map(tuple)
    return st.one_of(
        leaf,
        st.builds(m.Emph, children),
        st.builds(m.Strong, children),
        st.builds(m.SmallCaps, children),
        st.builds(m.Strikeout, children),
        st.builds(m.Link, children, st.sampled_from(["https://example.org/a", "mailto:x@y.z"])),
        st.builds(m.Span, children, st.just(("smallcaps",))),
    )


inline_runs = st.lists(inlines(), min_size=1, max_size=4).map(tuple)


def blocks(depth: int = 1):
    leaf = st.one_of(
        st.builds(m.Paragraph, inline_runs, lines),
        st.builds(m.SceneBreak, lines),
        st.builds(m.Heading, st.integers(2, 4), inline_runs, lines),
        st.builds(m.LineBlock, st.lists(inline_runs, min_size=1, max_size=3).map(tuple), lines),
    )
    if depth == 0:
        return leaf
    inner = st.lists(blocks(depth - 1), min_size=1, max_size=3).map(tuple)
    return st.one_of(
        leaf,
        st.builds(m.BlockQuote, inner, lines),
        st.builds(m.Note, inner, lines),
        st.builds(m.Div, st.sampled_from(m.DIV_KINDS), inner, lines),
        st.builds(m.ListBlock, st.lists(inner, min_size=1, max_size=3).map(tuple), st.booleans()),
    )


block_runs = st.lists(blocks(), min_size=1, max_size=3).map(tuple)
names = st.lists(words, max_size=3, unique=True).map(tuple)

metadata = st.builds(
    m.Metadata,
    title=words,
    authors=names,
    language=st.sampled_from(["en", "fr", "de", "en-GB"]),
    summary=st.lists(st.builds(m.Paragraph, inline_runs), max_size=2).map(tuple),
    fandoms=names,
    rating=st.none() | st.sampled_from(taxonomy.RATINGS),
    warnings=st.lists(st.sampled_from(taxonomy.ARCHIVE_WARNINGS), unique=True).map(tuple),
    content_notes=names,
    relationships=names,
    characters=names,
    tags=names,
    series=st.lists(st.builds(m.Series, words, st.none() | st.integers(1, 50).map(float)),
                    max_size=2).map(tuple),
)

chapters = st.builds(m.Chapter, title=st.just("") | words, blocks=block_runs,
                     summary=st.just(()) | block_runs, end_notes=st.just(()) | block_runs)

books = st.builds(
    m.Book,
    metadata=metadata,
    chapters=st.lists(chapters, min_size=1, max_size=3).map(tuple),
    front_matter=st.just(()) | block_runs,
    back_matter=st.just(()) | block_runs,
)

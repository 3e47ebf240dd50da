"""Hypothesis strategies that generate documents of the model, for property tests."""

from __future__ import annotations

from hypothesis import strategies as st

from bookmaker import model as m
from bookmaker import taxonomy
from bookmaker.safety.files import looks_like_path

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
        st.builds(m.Underline, children),
        st.builds(m.Link, children, st.sampled_from(["https://example.org/a", "mailto:x@y.z"])),
        st.builds(m.Span, children, st.just(("smallcaps",))),
        st.builds(m.Ruby, children, words),
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
        st.builds(m.Table, st.lists(st.lists(_cells(inner), min_size=1, max_size=3).map(tuple),
                                    min_size=1, max_size=3).map(tuple),
                  st.just(()) | inline_runs, lines),
    )


def _cells(inner):
    """Table cells holding ``inner`` blocks (or nothing), some header cells, some spanning."""
    return st.builds(m.TableCell, st.just(()) | inner, st.booleans(), st.integers(1, 3),
                     st.integers(1, 2), st.sampled_from(m.TABLE_ALIGNS))


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


# --------------------------------------------------------------------------- canonical books
#
# Books as readers produce them, for round-trip properties: adjacent Text merged, one-line
# metadata with single spaces, links never inside links, footnotes numbered in order of first
# reference with their Footnote blocks at the end of the chapter that refers to them, and only
# the first chapter untitled.

one_line = words.map(lambda text: " ".join(text.split())).filter(bool)
_URLS = st.sampled_from(["https://example.org/a", "https://archiveofourown.org/works/1?x=1&y=2",
                         "mailto:x@y.z", "http://example.com/(paren)"])


def _merge_texts(nodes):
    """Adjacent Text (and adjacent Code) nodes as one, as readers produce them."""
    merged = []
    for node in nodes:
        if merged and isinstance(node, (m.Text, m.Code)) and type(merged[-1]) is type(node):
            merged[-1] = type(node)(merged[-1].text + node.text)
        else:
            merged.append(node)
    return tuple(merged)


def canonical_inlines(depth: int = 2, in_link: bool = False):
    leaf = st.one_of(
        st.builds(m.Text, words),
        st.builds(m.Code, words),
        st.just(m.LineBreak()),
    )
    if depth == 0:
        return leaf
    children = st.lists(canonical_inlines(depth - 1, in_link), min_size=1,
                        max_size=2).map(_merge_texts)
    wrappers = [
        st.builds(m.Emph, children),
        st.builds(m.Strong, children),
        st.builds(m.SmallCaps, children),
        st.builds(m.Strikeout, children),
        st.builds(m.Underline, children),
        st.builds(m.Superscript, children),
        st.builds(m.Subscript, children),
    ]
    if not in_link:  # no links in links; a classed span in a link keeps only its text
        wrappers.append(st.builds(m.Span, children,
                                  st.sampled_from([("shout",), ("small", "big")])))
        link_children = st.lists(canonical_inlines(depth - 1, True), min_size=1,
                                 max_size=2).map(_merge_texts)
        wrappers.append(st.builds(m.Link, link_children, _URLS, st.just("") | one_line))
        wrappers.append(st.builds(m.Ruby, children, one_line.filter(
            lambda reading: '"' not in reading)))
    return st.one_of(leaf, *wrappers)


# A paragraph of nothing but line breaks is not something a reader produces.
canonical_runs = st.lists(canonical_inlines(), min_size=1, max_size=3).map(_merge_texts).filter(
    lambda run: not all(isinstance(node, m.LineBreak) for node in run))


def canonical_blocks(depth: int = 1):
    leaf = st.one_of(
        st.builds(m.Paragraph, canonical_runs),
        st.builds(m.SceneBreak),
        st.builds(m.Heading, st.integers(2, 6), canonical_runs),
        st.builds(m.LineBlock, st.lists(canonical_runs, min_size=1, max_size=3).map(tuple)),
    )
    if depth == 0:
        return leaf
    inner = st.lists(canonical_blocks(depth - 1), min_size=1, max_size=3).map(tuple)
    return st.one_of(
        leaf,
        st.builds(m.BlockQuote, inner),
        st.builds(m.Note, inner),
        st.builds(m.Div, st.sampled_from(m.DIV_KINDS), inner),
        st.booleans().flatmap(lambda ordered: st.builds(
            m.ListBlock, st.lists(inner, min_size=1, max_size=3).map(tuple), st.just(ordered),
            st.integers(1, 12) if ordered else st.just(1))),
        _canonical_tables(inner),
    )


def _canonical_tables(inner):
    """Tables as readers give them: pipe-shaped ones (a header row of one-paragraph cells, one
    alignment per column) and any other shape, whose cells may hold any blocks."""
    paragraph_cell = st.just(()) | canonical_runs.map(lambda run: (m.Paragraph(run),))

    @st.composite
    def pipe_shaped(draw):
        width = draw(st.integers(1, 3))
        aligns = draw(st.lists(st.sampled_from(m.TABLE_ALIGNS), min_size=width, max_size=width))
        rows = [tuple(m.TableCell(draw(paragraph_cell), header=number == 0, align=align)
                      for align in aligns) for number in range(draw(st.integers(1, 4)))]
        return m.Table(tuple(rows))

    any_cell = st.builds(m.TableCell, st.just(()) | inner, st.booleans(), st.integers(1, 3),
                         st.integers(1, 2), st.sampled_from(m.TABLE_ALIGNS))
    any_shape = st.builds(m.Table, st.lists(st.lists(any_cell, min_size=1, max_size=3)
                                            .map(tuple), min_size=1, max_size=3).map(tuple),
                          st.just(()) | canonical_runs)
    return pipe_shaped() | any_shape


canonical_block_runs = st.lists(canonical_blocks(), min_size=1, max_size=3).map(tuple)
_one_line_names = st.lists(one_line, max_size=3, unique=True).map(tuple)


def _with_footnotes(chapters, notes_per_chapter):
    """Chapters where some first paragraphs end in a footnote reference, numbered across the
    book, each chapter's Footnote blocks last."""
    numbered, counter = [], 0
    for chapter, notes in zip(chapters, notes_per_chapter, strict=False):
        blocks, footnotes = list(chapter.blocks), []
        for index, block in enumerate(blocks):
            if isinstance(block, m.Paragraph) and notes:
                counter += 1
                blocks[index] = m.Paragraph((*block.children, m.FootnoteRef(str(counter))))
                footnotes.append(m.Footnote(str(counter), (m.Paragraph(notes.pop(0)),)))
        numbered.append(m.Chapter(chapter.title, tuple(blocks) + tuple(footnotes),
                                  chapter.summary, chapter.notes, chapter.end_notes))
    return tuple(numbered)


canonical_metadata = st.builds(
    m.Metadata,
    title=one_line.filter(lambda title: not looks_like_path(title)),
    authors=_one_line_names,
    language=st.sampled_from(["en", "fr", "de", "en-GB"]),
    summary=st.just(()) | canonical_block_runs,
    fandoms=_one_line_names,
    rating=st.none() | st.sampled_from(taxonomy.RATINGS),
    warnings=st.lists(st.sampled_from(taxonomy.ARCHIVE_WARNINGS), unique=True).map(tuple),
    categories=st.lists(st.sampled_from(taxonomy.CATEGORIES), unique=True).map(tuple),
    relationships=_one_line_names,
    characters=_one_line_names,
    tags=_one_line_names,
    series=st.lists(st.builds(m.Series, one_line, st.none() | st.integers(1, 50).map(float)),
                    max_size=2).map(tuple),
    published=st.none() | st.dates().map(lambda d: d.isoformat()),
    source_url=st.none() | _URLS.filter(lambda u: u.startswith("http")),
    rights=st.none() | one_line,
    encoding=st.just("utf-8"),
)


@st.composite
def canonical_books(draw):
    count = draw(st.integers(1, 2))
    chapters = [draw(st.builds(
        m.Chapter, title=(st.just("") | one_line) if number == 0 else one_line,
        blocks=canonical_block_runs, summary=st.just(()) | canonical_block_runs,
        notes=st.just(()) | canonical_block_runs, end_notes=st.just(()) | canonical_block_runs))
        for number in range(count)]
    notes = [draw(st.lists(canonical_runs, max_size=2)) for _ in chapters]
    return m.Book(metadata=draw(canonical_metadata), chapters=_with_footnotes(chapters, notes),
                  front_matter=draw(st.just(()) | canonical_block_runs),
                  back_matter=draw(st.just(()) | canonical_block_runs))

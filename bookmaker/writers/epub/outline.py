"""Headings inside a document renumbered into an outline with no skipped level.

A manuscript's ``##`` inside a chapter would otherwise be an ``<h3>`` straight under the chapter's
``<h1>``: screen readers announce headings by level and list them as an outline, so a skipped
level reads as a missing section (Ace and axe-core: ``heading-order``, WCAG 1.3.1). The author's
relative structure is kept: a deeper heading is one level below the one before it, a shallower
one returns to the level of the heading it closes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from bookmaker.model import Block, BlockQuote, Div, Footnote, Heading, ListBlock, Note


def outlined(*sequences: tuple[Block, ...]) -> list[tuple[Block, ...]]:
    """Each block sequence of one document with its Heading levels renumbered 1, 2, 3... in
    document order (1 is rendered just below the page's own title)."""
    open_levels: list[int] = []  # the author's levels of the headings still open
    return [tuple(_blocks(blocks, open_levels)) for blocks in sequences]


def _blocks(blocks: Iterable[Block], open_levels: list[int]) -> Iterable[Block]:
    for block in blocks:
        if isinstance(block, Heading):
            while open_levels and open_levels[-1] >= block.level:
                open_levels.pop()
            open_levels.append(block.level)
            yield dataclasses.replace(block, level=len(open_levels))
        elif isinstance(block, (BlockQuote, Note, Div, Footnote)):
            yield dataclasses.replace(block, blocks=tuple(_blocks(block.blocks, open_levels)))
        elif isinstance(block, ListBlock):
            yield dataclasses.replace(block, items=tuple(tuple(_blocks(item, open_levels))
                                                         for item in block.items))
        else:
            yield block

"""Headings inside a document renumbered into an outline with no skipped level.

A manuscript's ``##`` inside a chapter would otherwise be an ``<h3>`` straight under the chapter's
``<h1>``: screen readers announce headings by level and list them as an outline, so a skipped
level reads as a missing section (Ace and axe-core: ``heading-order``, WCAG 1.3.1). The author's
relative structure is kept: a deeper heading is one level below the one before it, a shallower
one returns to the level of the heading it closes.
"""

from __future__ import annotations

from bookmaker.model import Block, Heading, with_fields, walk


def outlined(*sequences: tuple[Block, ...]) -> list[tuple[Block, ...]]:
    """Each block sequence of one document with its Heading levels renumbered 1, 2, 3... in
    document order (1 is rendered just below the page's own title), wherever a heading stands
    (in a quote, a note, a list, a table cell)."""
    open_levels: list[int] = []  # the author's levels of the headings still open

    def renumbered(heading: Heading) -> Heading:
        while open_levels and open_levels[-1] >= heading.level:
            open_levels.pop()
        open_levels.append(heading.level)
        level = len(open_levels)
        return heading if level == heading.level else with_fields(heading, {"level": level})

    # The walk visits headings in reading order, which is what the outline follows.
    return [walk(blocks, Heading, renumbered) for blocks in sequences]

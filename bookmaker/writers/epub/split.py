"""A chapter too long for one e-reader document, cut into several files.

Adobe's engine, which Kobo uses for a sideloaded EPUB and many other readers share, refuses or
crawls through a content document over about 300 KB (rule ``document-size`` in
bookmaker/check/rules.py); a long one-shot from AO3 is easily twice that. Such a chapter is cut
between blocks, at a scene break when one comes after the part is well filled, and each part
carries the footnotes it refers to. Chapters under the limit are never touched, and the cut
depends only on the chapter's own text, so files stay stable across rebuilds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bookmaker.model import Block, Footnote, FootnoteRef, SceneBreak, query

# A document at most this size is written whole; a part is filled up to PART_LIMIT. Both leave room
# under the 300 KB for the page shell, the part's footnotes and the kepub's sentence spans (which
# add about a quarter).
DOCUMENT_LIMIT = 220 * 1024
PART_LIMIT = 180 * 1024
# Past this share of PART_LIMIT, a part ends at the next scene break rather than mid-scene.
_SCENE_BREAK_SHARE = 0.6


def split_blocks(blocks: Iterable[Block], size: Callable[[Block], int],
                 limit: int = PART_LIMIT) -> list[tuple[Block, ...]]:
    """``blocks`` (footnote definitions left out) in parts of about ``limit`` bytes each, as
    ``size`` measures a block."""
    parts: list[list[Block]] = [[]]
    filled = 0
    for block in blocks:
        if isinstance(block, Footnote):
            continue
        measured = size(block)
        at_scene_break = isinstance(block, SceneBreak) and filled > limit * _SCENE_BREAK_SHARE
        if parts[-1] and (filled + measured > limit or at_scene_break):
            parts.append([])
            filled = 0
        parts[-1].append(block)
        filled += measured
    return [tuple(part) for part in parts]


def footnote_references(sequences: Iterable[Iterable[Block]],
                        definitions: dict[str, Footnote]) -> list[str]:
    """The ids of the footnotes ``sequences`` refer to, in order, with those the notes refer to
    in turn."""
    found: dict[str, None] = {}
    pending = [note_id for blocks in sequences for note_id in _references(tuple(blocks))]
    while pending:
        note_id = pending.pop(0)
        if note_id in found or note_id not in definitions:
            continue
        found[note_id] = None
        pending.extend(_references(definitions[note_id].blocks))
    return list(found)


def _references(blocks: tuple[Block, ...]) -> list[str]:
    """The ids ``blocks`` refer to; a definition standing among them is not a reference."""
    return [reference.id for reference in query(blocks, FootnoteRef, skip=Footnote)]

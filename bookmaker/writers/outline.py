"""``bookmaker inspect``: the document model as a tree a person can read (or JSON for programs)."""

from __future__ import annotations

import dataclasses

from bookmaker.model import Book, Chapter, Metadata, plain_text

_PREVIEW = 60


def outline(book: Book) -> str:
    """An indented outline: the metadata that is set, then each chapter and its blocks."""
    lines = ["Book"]
    lines += _metadata_lines(book.metadata)
    if book.front_matter:
        lines.append(f"  opening note: {_preview(plain_text(book.front_matter))}")
    for number, chapter in enumerate(book.chapters, 1):
        lines += _chapter_lines(number, chapter)
    if book.back_matter:
        lines.append(f"  end notes: {_preview(plain_text(book.back_matter))}")
    return "\n".join(lines) + "\n"


def _metadata_lines(metadata: Metadata) -> list[str]:
    lines = ["  metadata"]
    for field in dataclasses.fields(metadata):
        value = getattr(metadata, field.name)
        if value in (None, (), ""):
            continue
        if field.name == "summary":
            value = _preview(plain_text(value))
        elif field.name == "series":
            value = ", ".join(f"{s.name} #{s.index:g}" if s.index is not None else s.name
                              for s in value)
        elif isinstance(value, tuple):
            value = ", ".join(value)
        lines.append(f"    {field.name}: {value}")
    return lines


def _chapter_lines(number: int, chapter: Chapter) -> list[str]:
    where = f" (line {chapter.line})" if chapter.line else ""
    lines = [f"  chapter {number}: {chapter.title or '(untitled)'}{where}"]
    for label, blocks in (("summary", chapter.summary), ("notes", chapter.notes)):
        if blocks:
            lines.append(f"    {label}: {_preview(plain_text(blocks))}")
    for block in chapter.blocks:
        text = _preview(plain_text((block,)))
        where = f" @{block.line}" if getattr(block, "line", None) else ""
        lines.append(f"    {type(block).__name__}{where}" + (f": {text}" if text else ""))
    if chapter.end_notes:
        lines.append(f"    end notes: {_preview(plain_text(chapter.end_notes))}")
    return lines


def _preview(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _PREVIEW else text[: _PREVIEW - 1] + "…"

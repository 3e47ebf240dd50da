"""Model-to-model passes run on every book between reading and writing."""

from __future__ import annotations

from bookmaker.model import Book


def apply_all(book: Book) -> Book:
    """Every standard pass, in order: typography last so it sees the final text."""
    from bookmaker.transforms import scenebreaks, typography

    return typography.apply(scenebreaks.apply(book))

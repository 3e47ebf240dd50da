"""One small instance of any node type of the model, made from the model's own fields, for
tests that must meet every node type (a writer's dispatch, a pass's reach)."""

from __future__ import annotations

import dataclasses
from typing import Any

from bookmaker import model as m

# Values a string field must hold to be valid (a Div's kind, a link's target...).
_VALID_STRINGS = {(m.Div, "kind"): m.DIV_KINDS[0], (m.Link, "url"): "https://example.org/",
                  (m.Image, "src"): "picture.png", (m.FootnoteRef, "id"): "n",
                  (m.Footnote, "id"): "n"}


def sample(kind: type) -> Any:
    """An instance of ``kind`` with each required field filled, and each field holding nodes
    given one small node (a Text for inlines, a Paragraph for blocks)."""
    holders = {child.name: child for child in m.CHILD_FIELDS[kind]}
    values: dict[str, Any] = {}
    for field in dataclasses.fields(kind):
        child = holders.get(field.name)
        if child is not None:
            one = _leaf(child.types)
            values[field.name] = ((one,),) if child.nested else (one,) if child.many else one
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            values[field.name] = _VALID_STRINGS.get((kind, field.name), "words") \
                if field.type in ("str", str) else 1 if field.type in ("int", int) else b""
    return kind(**values)


def _leaf(types: tuple[type, ...]) -> Any:
    if m.Text in types:
        return m.Text("words")
    if m.Paragraph in types:
        return m.Paragraph((m.Text("words"),))
    return sample(types[0])

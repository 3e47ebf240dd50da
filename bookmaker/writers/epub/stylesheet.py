"""The theme's EPUB stylesheets as one sheet e-readers and EPUB editors accept.

A theme that extends the default is written as the default's sheet plus an overlay of what it
changes, which repeats selectors (``body``, ``p``, ``h1``) and puts plain element selectors after
more specific ones. Browsers do not mind; Calibre's Check Book reports every such rule as an error
(stylelint's no-duplicate-selectors and no-descending-specificity), and Adobe's old engine in
Kobo and Kindle's converters are known to mis-cascade long overlay chains. So the sheets are
merged here, with the cascade the browser would compute kept:

- every rule is split into one rule per selector, in source order;
- rules with the same selector become one rule at the place of the last (so an overlay's
  declarations still come after, and win over, the default's);
- rules are stably sorted by specificity: among rules of different specificity order never
  mattered, among equal ones it is unchanged.

At-rules (``@media``, ``@font-face``) are kept as written, after the rules.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import cssselect2
import tinycss2
import tinycss2.ast

HEADER = ("/* Written by bookmaker from the theme's epub.css files: one rule per selector, "
          "least specific first. */\n")


def merged_stylesheet(sheets: Iterable[str]) -> str:
    """The sheets (the default's first, overlays after) as one stylesheet."""
    return _merged(tuple(sheets))


@functools.lru_cache(maxsize=16)
def _merged(sheets: tuple[str, ...]) -> str:
    """merged_stylesheet's work, once per process for each set of sheets: a batch worker's
    books share a theme, and merging (tinycss2, cssselect2's specificity) cost more than a
    short book's pages."""
    order: list[str] = []  # selectors, by last appearance
    declarations: dict[str, list[str]] = {}
    specificity: dict[str, tuple[int, int, int]] = {}
    at_rules: list[str] = []
    for sheet in sheets:
        for rule in tinycss2.parse_stylesheet(sheet, skip_comments=True, skip_whitespace=True):
            if isinstance(rule, tinycss2.ast.AtRule):
                at_rules.append(rule.serialize())
            elif isinstance(rule, tinycss2.ast.QualifiedRule):
                body = _declarations(rule.content)
                for selector, rank in _selectors(rule.prelude):
                    if selector in declarations:
                        order.remove(selector)
                    order.append(selector)
                    declarations.setdefault(selector, []).extend(body)
                    specificity[selector] = rank
    ordered = sorted(order, key=lambda selector: specificity[selector])  # stable
    lines = [HEADER]
    for selector in ordered:
        lines.append(f"{selector} {{ {' '.join(_deduplicated(declarations[selector]))} }}\n")
    lines.extend(f"{rule}\n" for rule in at_rules)
    return "".join(lines)


def _selectors(prelude: list[tinycss2.ast.Node]) -> list[tuple[str, tuple[int, int, int]]]:
    """Each selector of a rule's selector list, normalised, with its specificity."""
    found = []
    for part in _split_commas(prelude):
        text = " ".join(tinycss2.serialize(part).split())
        try:
            compiled = cssselect2.compile_selector_list(part)
            rank = max(one.specificity for one in compiled)
        except cssselect2.SelectorError:
            rank = (0, 0, 0)  # a selector only some engine knows: kept, sorted first
        found.append((text, rank))
    return found


def _split_commas(prelude: list[tinycss2.ast.Node]) -> list[list[tinycss2.ast.Node]]:
    parts: list[list[tinycss2.ast.Node]] = [[]]
    for token in prelude:
        if isinstance(token, tinycss2.ast.LiteralToken) and token.value == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    return [part for part in parts if tinycss2.serialize(part).strip()]


def _declarations(content: list[tinycss2.ast.Node] | None) -> list[str]:
    result = []
    for declaration in tinycss2.parse_blocks_contents(content or [], skip_comments=True,
                                                      skip_whitespace=True):
        if isinstance(declaration, tinycss2.ast.Declaration):
            value = " ".join(tinycss2.serialize(declaration.value).split())
            important = " !important" if declaration.important else ""
            result.append(f"{declaration.lower_name}: {value}{important};")
    return result


def _deduplicated(declarations: list[str]) -> list[str]:
    """A property set twice keeps its last value, in the place of that last one."""
    last = {d.split(":", 1)[0]: index for index, d in enumerate(declarations)}
    return [d for index, d in enumerate(declarations) if last[d.split(":", 1)[0]] == index]

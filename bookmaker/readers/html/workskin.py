"""An AO3 work skin (the creator's CSS for text messages, letters, chat logs) made safe to carry.

A work page saved from the browser brings the skin as a ``<style>`` whose every selector starts
with ``#workskin``. It is a stranger's CSS, so only this survives, parsed with tinycss2 (the CSS
parser WeasyPrint uses), never with regular expressions over the text:

- style rules whose selectors are ``#workskin`` then class compounds joined by spaces
  (``#workskin .phone .sender``, ``#workskin p.letter``); an element name in a compound is dropped
  (the model keeps a class as a span, not the element), a compound without a class, a combinator
  (``>``, ``+``, ``~``), a pseudo-class or an attribute selector drops that selector;
- declarations of properties e-readers render (colour, fonts by family name, spacing, borders,
  alignment); never ``url()``, ``expression``/``behavior``, positioning, ``display``, ``content``,
  ``@import``, ``@font-face``, ``@media`` or any other at-rule.

Every class is renamed ``skin-NAME`` in the rules and in the text (readers.html.blocks keeps those
classes as Spans), so the skin's rules reach only elements of the work's text: the theme's own
classes (a skin's ``.title`` or ``.small``) are never restyled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import tinycss2

ALLOWED_PROPERTIES = frozenset({
    "color", "background-color", "font-style", "font-weight", "font-variant",
    "font-variant-caps", "font-size", "font-family", "text-decoration", "text-decoration-line",
    "text-decoration-style", "text-transform", "text-align", "text-indent", "letter-spacing",
    "word-spacing", "line-height", "vertical-align", "white-space",
    "margin", "margin-top", "margin-right", "margin-bottom", "margin-left",
    "padding", "padding-top", "padding-right", "padding-bottom", "padding-left",
    "border", "border-top", "border-right", "border-bottom", "border-left", "border-color",
    "border-style", "border-width", "border-radius",
})
_FORBIDDEN_WORDS = ("expression", "behavior", "javascript", "-moz-binding")
_CLASS_COMPOUND = re.compile(r"(?:[a-zA-Z][a-zA-Z0-9]*)?((?:\.-?[_a-zA-Z][\w-]*)+)")
_SKIN_ROOT = "#workskin"
MAX_SKIN_CHARS = 100_000


@dataclass(frozen=True)
class WorkSkin:
    """The sanitised skin: its CSS (classes renamed ``skin-``) and the original class names its
    rules name, which the text keeps."""

    css: str = ""
    classes: frozenset[str] = frozenset()


NO_SKIN = WorkSkin()


def sanitise(css: str) -> tuple[WorkSkin, list[str]]:
    """The safe part of a work skin, and a description of each rule or declaration left out."""
    dropped: list[str] = []
    if len(css) > MAX_SKIN_CHARS:
        return WorkSkin(), [f"the work skin ({len(css)} characters) is too long to be one"]
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    kept: list[str] = []
    classes: set[str] = set()
    for rule in rules:
        if rule.type == "at-rule":
            dropped.append(f"@{rule.lower_at_keyword} rule")
            continue
        if rule.type == "error":
            dropped.append(f"unreadable CSS ({rule.message})")
            continue
        if rule.type != "qualified-rule":
            continue
        selectors, names = _selectors(tinycss2.serialize(rule.prelude))
        if not selectors:
            dropped.append(f"rule {tinycss2.serialize(rule.prelude).strip()!r}")
            continue
        declarations = _declarations(rule.content, dropped)
        if not declarations:
            continue
        classes |= names
        kept.append(", ".join(selectors) + " { " + "; ".join(declarations) + "; }")
    return WorkSkin("\n".join(kept) + "\n" if kept else "", frozenset(classes)), dropped


BLOCK_TAGS = frozenset({"p", "div", "blockquote", "center", "li", "ul", "ol", "dl", "dt", "dd",
                        "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "td", "th", "pre",
                        "section", "article", "aside", "figure"})


def with_block_classes(skin: WorkSkin, block_classes: set[str]) -> WorkSkin:
    """The skin with its block classes (set on a ``<p>`` or ``<div>`` in the text, which the
    model keeps as a span around the paragraph's text) displayed as blocks, so their borders,
    padding and alignment frame the paragraph as on AO3 instead of running inside the line."""
    names = sorted(block_classes & skin.classes)
    if not names:
        return skin
    rule = ", ".join(f".skin-{name}" for name in names) + " { display: block; }\n"
    return WorkSkin(rule + skin.css, skin.classes)


def _selectors(prelude: str) -> tuple[list[str], set[str]]:
    """The prelude's selectors rewritten to ``skin-`` classes, and the classes they name."""
    rewritten: list[str] = []
    names: set[str] = set()
    for selector in prelude.split(","):
        parts = selector.split()
        if not parts or parts[0] != _SKIN_ROOT or len(parts) < 2:
            continue
        compounds: list[str] = []
        for part in parts[1:]:
            match = _CLASS_COMPOUND.fullmatch(part)
            if match is None:
                compounds = []
                break
            these = [name for name in match.group(1).split(".") if name]
            names.update(these)
            compounds.append("".join(f".skin-{name}" for name in these))
        if compounds:
            rewritten.append(" ".join(compounds))
    return rewritten, names if rewritten else set()


def _declarations(content: list, dropped: list[str]) -> list[str]:
    kept = []
    for declaration in tinycss2.parse_declaration_list(content, skip_comments=True,
                                                       skip_whitespace=True):
        if declaration.type != "declaration":
            continue
        name = declaration.lower_name
        value = tinycss2.serialize(declaration.value).strip()
        unsafe = any(token.type == "url" or (token.type == "function" and
                                             token.lower_name not in ("rgb", "rgba", "hsl",
                                                                      "hsla"))
                     for token in declaration.value)
        lowered = value.lower()
        if name not in ALLOWED_PROPERTIES or unsafe or "\\" in value or "<" in value or \
                any(word in lowered for word in _FORBIDDEN_WORDS) or not value:
            dropped.append(f"{name}: {value}")
            continue
        kept.append(f"{name}: {value}{' !important' if declaration.important else ''}")
    return kept

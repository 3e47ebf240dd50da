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
  ``@import``, ``@font-face``, ``@media`` or any other at-rule;
- values within what a page can show: each length, number and percentage is clamped to its
  property's bounds (``font-size: 1000000000px`` becomes ``64px``: WeasyPrint failed the whole
  book on it), a function other than a colour's, or one nested in another, refuses the
  declaration, and so does a value of more than MAX_VALUE_TOKENS parts;
- counts a real skin never reaches: at most MAX_RULES rules, MAX_DECLARATIONS declarations a
  rule, MAX_SELECTORS selectors a rule, MAX_COMPOUNDS classes deep a selector (each is work for
  every element of the book when it is laid out).

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
MAX_RULES = 1_000
MAX_DECLARATIONS = 64
MAX_SELECTORS = 32
MAX_COMPOUNDS = 8  # ``#workskin .a .b ...``: classes deep, each compound at most as many classes
MAX_VALUE_TOKENS = 64
_LISTED = 20  # dropped or clamped values named in a warning; the rest are counted

_COLOUR_FUNCTIONS = ("rgb", "rgba", "hsl", "hsla")
# A length in CSS pixels per unit (em and the like at a 16px font); viewport units as on a
# 6-inch reader. Other units (of time, angles, resolution) are no length: refused.
_PIXELS = {"px": 1.0, "pt": 4 / 3, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4,
           "q": 96 / 101.6, "em": 16.0, "rem": 16.0, "ex": 8.0, "ch": 8.0, "vw": 6.0, "vh": 8.0,
           "vmin": 6.0, "vmax": 8.0}


@dataclass(frozen=True)
class _Bounds:
    """What a property's values may be: lengths in pixels, percentages, and bare numbers where
    the property takes them (None: a bare number is a length, so only 0 is one)."""

    pixels: tuple[float, float] = (-160.0, 160.0)
    percent: tuple[float, float] = (-100.0, 100.0)
    number: tuple[float, float] | None = None


_DEFAULT_BOUNDS = _Bounds()
_BOUNDS = {
    "font-size": _Bounds((6.0, 64.0), (40.0, 400.0)),
    "line-height": _Bounds((0.0, 128.0), (0.0, 400.0), (0.0, 4.0)),
    "font-weight": _Bounds(number=(100.0, 900.0)),
    "letter-spacing": _Bounds((-16.0, 16.0)),
    "word-spacing": _Bounds((-16.0, 64.0)),
    "border-radius": _Bounds((0.0, 64.0), (0.0, 50.0)),
    **{name: _Bounds((0.0, 16.0)) for name in ("border", "border-top", "border-right",
                                              "border-bottom", "border-left", "border-width")},
}


@dataclass(frozen=True)
class WorkSkin:
    """The sanitised skin: its CSS (classes renamed ``skin-``) and the original class names its
    rules name, which the text keeps."""

    css: str = ""
    classes: frozenset[str] = frozenset()


NO_SKIN = WorkSkin()


def sanitise(css: str) -> tuple[WorkSkin, list[str], list[str]]:
    """The safe part of a work skin, a description of each rule or declaration left out, and
    one of each value clamped to its property's bounds."""
    dropped: list[str] = []
    clamped: list[str] = []
    if len(css) > MAX_SKIN_CHARS:
        return WorkSkin(), [f"the work skin ({len(css)} characters) is too long to be one"], []
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    kept: list[str] = []
    classes: set[str] = set()
    for rule in rules:
        if len(kept) == MAX_RULES:
            dropped.append(f"every rule after the first {MAX_RULES}")
            break
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
        declarations = _declarations(rule.content, dropped, clamped)
        if not declarations:
            continue
        classes |= names
        kept.append(", ".join(selectors) + " { " + "; ".join(declarations) + "; }")
    return WorkSkin("\n".join(kept) + "\n" if kept else "", frozenset(classes)), dropped, clamped


def listed(items: list[str]) -> str:
    """What a warning names of ``items``: the first few (each cut short), and how many more."""
    shown = "; ".join(item if len(item) <= 80 else item[:77] + "..." for item in items[:_LISTED])
    return shown + (f"; and {len(items) - _LISTED} more" if len(items) > _LISTED else "")


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
    for selector in prelude.split(",")[:MAX_SELECTORS]:
        parts = selector.split()
        if not parts or parts[0] != _SKIN_ROOT or not 2 <= len(parts) <= MAX_COMPOUNDS + 1:
            continue
        compounds: list[str] = []
        for part in parts[1:]:
            match = _CLASS_COMPOUND.fullmatch(part)
            if match is None:
                compounds = []
                break
            these = [name for name in match.group(1).split(".") if name]
            if len(these) > MAX_COMPOUNDS:
                compounds = []
                break
            names.update(these)
            compounds.append("".join(f".skin-{name}" for name in these))
        if compounds:
            rewritten.append(" ".join(compounds))
    return rewritten, names if rewritten else set()


def _declarations(content: list, dropped: list[str], clamped: list[str]) -> list[str]:
    kept: list[str] = []
    for declaration in tinycss2.parse_declaration_list(content, skip_comments=True,
                                                       skip_whitespace=True):
        if declaration.type != "declaration":
            continue
        name = declaration.lower_name
        value = tinycss2.serialize(declaration.value).strip()
        lowered = value.lower()
        if len(kept) == MAX_DECLARATIONS or name not in ALLOWED_PROPERTIES or "\\" in value \
                or "<" in value or any(word in lowered for word in _FORBIDDEN_WORDS) \
                or not value:
            dropped.append(f"{name}: {value}")
            continue
        bounded = _bounded_value(name, declaration.value)
        if bounded is None:
            dropped.append(f"{name}: {value}")
            continue
        if bounded != value:
            clamped.append(f"{name}: {value} (made {bounded})")
        kept.append(f"{name}: {bounded}{' !important' if declaration.important else ''}")
    return kept


def _bounded_value(name: str, tokens: list) -> str | None:
    """The value ``tokens`` with every number within ``name``'s bounds, or None when it cannot
    be shown safely: a url, a function other than a colour's (or any function inside one), a
    block, a unit that is no length, or more than MAX_VALUE_TOKENS parts."""
    bounds = _BOUNDS.get(name, _DEFAULT_BOUNDS)
    parts: list[str] = []
    for token in tokens:
        if token.type == "function":
            if token.lower_name not in _COLOUR_FUNCTIONS:
                return None
            arguments = [_bounded_token(argument, bounds, colour=True)
                         for argument in token.arguments]
            if any(argument is None for argument in arguments):
                return None
            parts.append(f"{token.name}({''.join(arguments)})")  # type: ignore[arg-type]
        else:
            part = _bounded_token(token, bounds)
            if part is None:
                return None
            parts.append(part)
        if len(parts) > MAX_VALUE_TOKENS:
            return None
    return "".join(parts).strip()


def _bounded_token(token, bounds: _Bounds, colour: bool = False) -> str | None:
    """One part of a value, its number clamped; None for a part no skin may have (inside a
    colour function: anything but numbers, percentages, separators and ``none``)."""
    if token.type == "comment":
        return ""
    if token.type in ("whitespace", "literal"):
        return tinycss2.serialize([token])
    if token.type == "number":
        if colour or bounds.number is not None:
            low, high = (0.0, 360.0) if colour else bounds.number or (0.0, 0.0)
            return _number(token, low, high, "")
        if token.value != 0:  # a length without its unit: no reader shows it
            return None
        return _number(token, *bounds.pixels, "px")  # 0, as long as the bounds take it
    if token.type == "percentage":
        low, high = (0.0, 100.0) if colour else bounds.percent
        return _number(token, low, high, "%")
    if token.type == "dimension":
        unit = token.lower_unit
        if colour:
            return _number(token, -360.0, 360.0, unit) if unit == "deg" else None
        if unit not in _PIXELS:
            return None
        low, high = bounds.pixels
        return _number(token, low / _PIXELS[unit], high / _PIXELS[unit], unit)
    if token.type == "ident" and (not colour or token.lower_value == "none"):
        return tinycss2.serialize([token])
    if not colour and token.type in ("hash", "string"):
        return tinycss2.serialize([token])
    return None


def _number(token, low: float, high: float, unit: str) -> str:
    """The number ``token`` as written when it lies within ``low`` and ``high``, else the bound
    it passed, in its own unit."""
    value = token.value
    if low <= value <= high:  # (NaN, from no CSS number, would fail this too)
        return tinycss2.serialize([token])
    value = high if value > high else low
    text = f"{int(value)}" if float(value).is_integer() else f"{value:.4g}"
    return text + unit

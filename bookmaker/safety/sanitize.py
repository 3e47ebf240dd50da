"""What a manuscript's raw HTML may keep: harmless formatting, never anything that loads or runs.

Manuscripts come from strangers and archives, and fics pasted from old sites are full of HTML.
Blocks are cleaned with nh3 (the Rust ``ammonia`` sanitiser) down to a short list of formatting
tags with only ``class`` and ``title`` attributes; images, frames, objects, links, scripts and
styles never survive, so a book can never fetch or execute something. Inline tags are not kept as
HTML at all: the reader maps the few with a meaning in the model (emphasis, strike, super- and
subscript, line breaks) to model nodes and drops the rest, keeping their text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import nh3

ALLOWED_TAGS = frozenset({
    "p", "br", "em", "strong", "i", "b", "u", "s", "del", "sup", "sub", "small", "span", "div",
    "center", "blockquote", "hr", "ul", "ol", "li", "abbr",
})
ALLOWED_ATTRIBUTES = {"*": {"class", "title"}}

# Tags whose content is code or embedded media, not story text: dropped with the tag.
_DROPPED_WITH_CONTENT = frozenset({
    "script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math",
    "title", "textarea", "select",
})


def sanitize_html(html: str) -> str:
    """``html`` with every tag and attribute outside the allowed lists removed, and stripped.

    An empty result means nothing harmless was left and the block should be dropped.
    """
    return nh3.clean(html, tags=set(ALLOWED_TAGS), attributes=ALLOWED_ATTRIBUTES,
                     clean_content_tags=set(_DROPPED_WITH_CONTENT), strip_comments=True,
                     link_rel=None).strip()


@dataclass(frozen=True)
class InlineTag:
    """One inline HTML tag as the reader sees it: its lower-case name, and whether it closes."""

    name: str
    closing: bool
    classes: tuple[str, ...] = ()


_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)\b([^>]*)>", re.DOTALL)
_CLASS_ATTRIBUTE = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


def parse_inline_tag(html: str) -> InlineTag | None:
    """The tag markdown-it found in running text, or None for a comment or declaration."""
    match = _TAG.fullmatch(html.strip())
    if match is None:
        return None
    closing, name, rest = match.groups()
    classes: tuple[str, ...] = ()
    class_match = _CLASS_ATTRIBUTE.search(rest)
    if class_match:
        value = next(group for group in class_match.groups() if group is not None)
        classes = tuple(value.split())
    return InlineTag(name.lower(), bool(closing), classes)


# --------------------------------------------------------------------------- imported documents

# What an imported HTML/XHTML document (AO3 download, saved page, EPUB chapter) may keep before it
# is converted to the model: structure and formatting with a meaning in fiction, footnote markers
# and links; never anything that loads or runs. ``data-line`` carries source lines through.
IMPORT_TAGS = ALLOWED_TAGS | frozenset({
    "h1", "h2", "h3", "h4", "h5", "h6", "a", "img", "strike", "big", "cite", "q", "code", "tt",
    "kbd", "samp", "pre", "ins", "dfn", "var", "table", "thead", "tbody", "tfoot", "tr", "td",
    "th", "caption", "dl", "dt", "dd", "figure", "figcaption", "aside", "section", "article",
    "main", "header", "footer", "nav", "font", "mark",
    "ruby", "rt", "rp", "rb",  # ruby readings stay apart from the text they annotate
})
IMPORT_ATTRIBUTES = {
    "*": {"class", "title", "id", "align", "style", "data-line", "epub:type", "role", "lang",
          "dir"},
    "a": {"href"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "img": {"src", "alt", "height"},
    "ol": {"start"},
}


def sanitize_import_html(html: str) -> str:
    """An imported document's HTML cut down to IMPORT_TAGS, with only harmless attributes.

    Scripts, styles, frames, forms and their contents go; event handlers go; links and images
    keep only http(s)/mailto, relative addresses or ``embedded:`` (an image inside the input's
    own container, see model.EmbeddedFile); ``javascript:`` and ``file:`` are removed;
    inline styles keep only ``text-align``, the one property fics rely on (centred breaks).
    """
    return nh3.clean(html, tags=set(IMPORT_TAGS), attributes=IMPORT_ATTRIBUTES,
                     clean_content_tags=set(_DROPPED_WITH_CONTENT | {"form", "button"}),
                     strip_comments=True,
                     link_rel=None, url_schemes={"http", "https", "mailto", "embedded"},
                     filter_style_properties={"text-align"})

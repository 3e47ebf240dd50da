"""What a stranger's HTML may keep on its way into the model: one allow-list walk over the tree.

Every HTML-ish input (AO3 downloads and saved pages, saved web pages, EPUB and Kindle pages, a
manuscript's raw HTML, a Word document as mammoth writes it) is parsed once, by
bookmaker/readers/html/parse.py, and that tree is cleaned here, once, before any reader looks at
it: structure and formatting with a meaning in fiction, footnote markers, links and images stay;
nothing that loads or runs does.

- **Elements** in ALLOWED_TAGS stay; those in DROPPED_WITH_CONTENT (scripts, styles, frames,
  objects, forms, SVG and MathML...) go with everything inside them, and each is reported
  (``LeftOut``) so a reader can say what it left out; any other element is unwrapped: it goes,
  its text and children stay where they were. Comments and processing instructions go.
- **Names**: an XHTML page's namespaced tags become plain lower-case names, ``epub:type`` is kept
  in its namespace (``EPUB_TYPE``) and ``xml:lang`` becomes ``lang``; any other namespaced
  attribute goes, and so does an element of another vocabulary's namespace (its text stays).
- **Attributes** in ALLOWED_ATTRIBUTES stay; event handlers and everything else go. ``href`` and
  ``src`` keep only relative addresses and the schemes in URL_SCHEMES (``embedded:`` names an
  image inside the input's own container, see model.EmbeddedFile): ``javascript:``, ``file:``,
  ``data:`` are removed. An inline ``style`` is read for the two things fics rely on, and goes:
  ``text-align`` becomes ``align`` (centred breaks, right-aligned signatures) and
  ``display: none`` becomes ``hidden`` (text the page never showed).

The walk is iterative, in document order (a hostile page nested a million deep cannot exhaust the
stack), and moves along siblings and parents, never indexing, so a body of 200,000 paragraphs
costs one step each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import tinycss2
from lxml import etree

OPS_NAMESPACE = "http://www.idpf.org/2007/ops"
XHTML_NAMESPACE = "http://www.w3.org/1999/xhtml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EPUB_TYPE = f"{{{OPS_NAMESPACE}}}type"

ALLOWED_TAGS = frozenset("""
    html body
    p br hr div span center blockquote pre h1 h2 h3 h4 h5 h6
    em strong i b u s strike del ins sup sub small big cite q dfn var abbr font mark
    code tt kbd samp
    a img
    ul ol li dl dt dd menu
    table thead tbody tfoot tr td th caption
    figure figcaption aside section article main header footer nav
    ruby rt rp rb
""".split())

# Elements whose content is code, styling, embedded media or a form, never story text.
DROPPED_WITH_CONTENT = frozenset({
    "head", "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
    "template", "noscript", "noembed", "noframes", "svg", "math", "title", "textarea", "select",
    "form", "button", "canvas", "audio", "video", "picture", "map", "dialog",
    # EPUB 3's epub:case holds what only a reader supporting some vocabulary shows (MathML...);
    # its epub:default, unwrapped like any unknown element, is what the others show.
    "case",
})

ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "*": frozenset({"class", "title", "id", "align", "role", "lang", "dir", "hidden",
                    EPUB_TYPE}),
    "a": frozenset({"href", "rel", "name"}),
    "img": frozenset({"src", "alt", "height", "width"}),
    "td": frozenset({"colspan", "rowspan"}),
    "th": frozenset({"colspan", "rowspan"}),
    "ol": frozenset({"start"}),
}
URL_ATTRIBUTES = frozenset({"href", "src"})
URL_SCHEMES = frozenset({"http", "https", "mailto", "embedded"})

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
# What browsers ignore in an address before reading its scheme ("java\tscript:", " file:").
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]")
_ALIGNMENTS = frozenset({"left", "right", "center", "justify"})


# What is code, styling or the head inside a page, never words of its text.
CODE_TAGS = frozenset({"head", "title", "script", "style", "template", "noscript", "noembed",
                       "noframes"})


@dataclass(frozen=True)
class LeftOut:
    """An element removed with its content: its name, the line it stood on and the words it
    held (a form's labels, an SVG's text; nothing for code), so that what a reader leaves out
    is said, never lost silently."""

    tag: str
    line: int | None
    text: str = ""


def sanitize_tree(root: etree._Element) -> list[LeftOut]:
    """Clean ``root`` and everything under it in place (see the module's docstring); the
    elements removed with their content, in document order.

    ``root`` itself is kept whatever it is (the ``<html>`` of a document, the ``<div>`` holding a
    fragment), renamed to its plain name and with its attributes cleaned.
    """
    left_out: list[LeftOut] = []
    root.tag = _local_name(root) or "div"
    _clean_attributes(root)
    node = root[0] if len(root) else None
    while node is not None:  # in document order, each node once
        name = _local_name(node)
        if name is None or name in DROPPED_WITH_CONTENT:
            if name is not None:
                left_out.append(LeftOut(name, node.sourceline,
                                        "" if name in CODE_TAGS else text_content(node)))
            following = _after(node, root)
            remove_keeping_tail(node)
        elif name in ALLOWED_TAGS and _in_html_namespace(node):
            node.tag = name
            _clean_attributes(node)
            following = node[0] if len(node) else _after(node, root)
        else:
            # Unwrapped: its children move up in its place and are looked at there.
            following = node[0] if len(node) else _after(node, root)
            _unwrap(node)
        node = following
    return left_out


def text_content(element: etree._Element) -> str:
    """The words of ``element`` as a reader sees them: its text and its descendants', code and
    styling left out, a space between blocks (``<p>a</p><p>b</p>`` is two words)."""
    parts: list[str] = []
    walker = etree.iterwalk(element, events=("start", "end", "comment", "pi"))
    for event, node in walker:
        if event in ("comment", "pi"):
            parts.append(node.tail or "")
            continue
        name = _local_name(node)
        between = "" if (name in _INLINE_TEXT or name in CODE_TAGS) and not \
            LINE_NUMBER_CLASSES & set(node.get("class", "").split()) else " "
        if event == "start":
            parts.append(between)
            if name in CODE_TAGS and node is not element:
                walker.skip_subtree()
            elif node.text:
                parts.append(node.text)
        else:
            parts.append(between)
            if node.tail and node is not element:
                parts.append(node.tail)
    return "".join(parts)


# A poem's printed line numbers: readers set them apart from the line's last word.
LINE_NUMBER_CLASSES = frozenset({"lnum", "linenum", "line-number"})

# Elements inside a word ("Th<i>i</i>rd"): no space is read around them.
_INLINE_TEXT = frozenset("""a abbr b bdi bdo big cite code del dfn em font i ins kbd mark q s
    samp small span strike strong sub sup tt u var ruby rb""".split())


def _after(node: etree._Element, root: etree._Element) -> etree._Element | None:
    """The node after ``node`` and everything inside it, in document order, within ``root``."""
    while node is not root:
        following = node.getnext()
        if following is not None:
            return following
        parent = node.getparent()
        if parent is None:
            return None
        node = parent
    return None


def _local_name(element: etree._Element) -> str | None:
    """The element's lower-case local name; None for a comment, processing instruction or
    entity (anything that is not an element)."""
    if not isinstance(element.tag, str):
        return None
    return etree.QName(element).localname.lower() if element.tag.startswith("{") \
        else element.tag.lower()


def _in_html_namespace(element: etree._Element) -> bool:
    """An element of HTML: no namespace (an HTML parse) or XHTML's (an XML parse)."""
    return not element.tag.startswith("{") or element.tag.startswith(f"{{{XHTML_NAMESPACE}}}")


def _clean_attributes(element: etree._Element) -> None:
    attributes = element.attrib
    if not attributes:
        return
    allowed = ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(element.tag, frozenset())
    style = attributes.get("style", "")
    language = attributes.get(XML_LANG)
    for name in list(attributes):
        if name not in allowed or (name in URL_ATTRIBUTES
                                   and not _is_allowed_url(attributes[name])):
            del attributes[name]
    if language and "lang" not in attributes:
        attributes["lang"] = language
    if style:
        align, hidden = _style_facts(style)
        if align and "align" not in attributes:
            attributes["align"] = align
        if hidden:
            attributes["hidden"] = "hidden"


def _is_allowed_url(value: str) -> bool:
    """A relative address, or one whose scheme is in URL_SCHEMES."""
    scheme = _SCHEME.match(_IGNORED_IN_URLS.sub("", value))
    return scheme is None or scheme.group(1).lower() in URL_SCHEMES


def _style_facts(style: str) -> tuple[str, bool]:
    """(``text-align``'s value, whether ``display: none``) of an inline style, read as CSS."""
    align, hidden = "", False
    for declaration in tinycss2.parse_declaration_list(style, skip_comments=True,
                                                       skip_whitespace=True):
        if declaration.type != "declaration":
            continue
        value = tinycss2.serialize(declaration.value).strip().lower()
        if declaration.lower_name == "text-align" and value in _ALIGNMENTS:
            align = value
        elif declaration.lower_name == "display" and value == "none":
            hidden = True
    return align, hidden


def _unwrap(element: etree._Element) -> None:
    """Replace ``element`` by its content: its text, its children and its tail stay in place."""
    _append_text_before(element, element.text)
    element.text = None
    for child in list(element):
        element.addprevious(child)  # a child's tail moves with it
    remove_keeping_tail(element)


def remove_keeping_tail(node: etree._Element) -> None:
    """Remove ``node`` and what is inside it; the text after it stays where it was."""
    _append_text_before(node, node.tail)
    node.tail = None
    parent = node.getparent()
    if parent is not None:
        parent.remove(node)


def _append_text_before(node: etree._Element, text: str | None) -> None:
    """Add ``text`` to what comes just before ``node``: its previous sibling's tail, else its
    parent's text."""
    if not text:
        return
    previous = node.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    else:
        parent = node.getparent()
        if parent is not None:
            parent.text = (parent.text or "") + text

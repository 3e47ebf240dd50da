"""What mammoth does not do with a Word document, done on its XML before mammoth reads it.

- Character styles are resolved through the style chain into direct formatting. Word's
  "Emphasis" style is italic, "Strong" bold, a user's own style may be either through the style it
  is based on; mammoth only knows styles by name, so Emphasis was lost, and its default map turned
  a whole "Strong" run bold even where the writer had switched bold off inside it (``<w:b
  w:val="0"/>``). Direct formatting on the run always wins over its style, as in Word.
- A drop cap (a paragraph framed with ``w:dropCap``) holds the first letter of the next paragraph:
  its runs are moved to the start of that paragraph, so "D" + "rop cap." reads "Drop cap.".
- Objects mammoth drops without a word (SmartArt, charts, equations) are reported, each with the
  number of the paragraph it stands in, so ``build`` can say what is missing and where.
"""

from __future__ import annotations

from pathlib import PurePath

from lxml import etree

from bookmaker.errors import Finding
from bookmaker.safety.xml import parse_xml

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W}}}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
_FORMATTING = ("b", "i", "strike", "caps", "smallCaps")
_OFF = ("0", "false", "off", "none")


def resolved_document(document: bytes, styles: bytes | None, path: PurePath, part: str) -> bytes:
    """The main document part with character styles resolved and drop caps joined."""
    root = parse_xml(document, path, part)
    chain = _character_styles(parse_xml(styles, path, "styles.xml")) if styles else {}
    for run in root.iter(f"{_W}r"):
        _resolve_run_style(run, chain)
    _join_drop_caps(root)
    _list_paragraphs_unindented(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# The styles of a Word title page (pandoc's reference document names them so).
_FRONT_STYLES = ("Title", "Subtitle", "Author", "Date", "Abstract")


def metadata_paragraphs(document: bytes, styles: bytes | None, path: PurePath, part: str,
                        style_names: tuple[str, ...]) -> tuple[bytes, dict[str, list[str]]]:
    """The document without its paragraphs in the given paragraph styles (Word's and pandoc's
    "Author", "Abstract"), and their texts by style name: they are the work's metadata, which
    Word users type on the first page, not text of the story."""
    if styles is None:
        return document, {}
    front = {*style_names, *_FRONT_STYLES}
    ids = {style.get(f"{_W}styleId", ""): name.get(f"{_W}val", "")
           for style in parse_xml(styles, path, "styles.xml").iter(f"{_W}style")
           if style.get(f"{_W}type") == "paragraph"
           and (name := style.find(f"{_W}name")) is not None
           and name.get(f"{_W}val", "") in front}
    if not ids:
        return document, {}
    root = parse_xml(document, path, part)
    found: dict[str, list[str]] = {}
    body = root.find(f"{_W}body")
    for paragraph in list(body if body is not None else ()):
        if paragraph.tag != f"{_W}p":
            break
        style = paragraph.find(f"{_W}pPr/{_W}pStyle")
        name = ids.get(style.get(f"{_W}val", "")) if style is not None else None
        text = " ".join("".join(t.text or "" for t in paragraph.iter(f"{_W}t")).split())
        if name is None and text:
            break  # the story has begun: later "Author" paragraphs are its text
        if name in style_names:
            if text:
                found.setdefault(name, []).append(text)
            body.remove(paragraph)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True), found


def dropped_objects(document: bytes, path: PurePath, part: str) -> list[Finding]:
    """A warning for every object in the document that bookmaker's reading leaves out."""
    root = parse_xml(document, path, part)
    found: list[Finding] = []
    for number, paragraph in enumerate(root.iter(f"{_W}p"), 1):
        kinds: list[str] = []
        for data in paragraph.iter(f"{_A}graphicData"):
            uri = data.get("uri", "")
            if uri.endswith("/diagram"):
                kinds.append("a SmartArt diagram")
            elif uri.endswith("/chart"):
                kinds.append("a chart")
        if any(True for _ in paragraph.iter(f"{_M}oMath")):
            kinds.append("an equation")
        for kind in dict.fromkeys(kinds):
            found.append(Finding("warning", f"{kind} in paragraph {number} was left out: "
                                 "e-books cannot hold it as Word draws it", str(path),
                                 hint="paste it into Word as a picture (PNG) and export again"))
    return found


# --------------------------------------------------------------------------- a document's text

# What Word writes as text: runs' text, tabs and breaks; not deleted text (``w:delText``), field
# codes (``w:instrText``), text moved away under track changes (``w:moveFrom``: it is read where
# it moved to) or the fallback copy of a drawing (``mc:Fallback``, which repeats the
# ``mc:Choice`` beside it).
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def part_text(data: bytes, path: PurePath, part: str) -> str:
    """The words a part of the document (its body, notes or comments) holds, a space between
    paragraphs: what the reader must account for (readers/accounting.py)."""
    parts: list[str] = []
    walker = etree.iterwalk(parse_xml(data, path, part), events=("start", "end"))
    for event, element in walker:
        tag = element.tag
        if event == "start":
            if tag in (_MC_FALLBACK, f"{_W}moveFrom"):
                walker.skip_subtree()
            elif tag == f"{_W}t":
                parts.append(element.text or "")
            elif tag in (f"{_W}tab", f"{_W}br", f"{_W}cr"):
                parts.append(" ")
        elif tag in (f"{_W}p", f"{_W}tc"):
            parts.append(" ")
    return "".join(parts)


def comments(data: bytes, path: PurePath, part: str) -> list[str]:
    """The text of each Word comment (a reviewer's remark beside the text)."""
    root = parse_xml(data, path, part)
    return [" ".join(part_text(etree.tostring(comment), path, part).split())
            for comment in root.iter(f"{_W}comment")]


# --------------------------------------------------------------------------- block quotes

# Word's quotation styles (and the names other tools and translations give them), lower case.
QUOTE_STYLES = frozenset({"quote", "intense quote", "block text", "block quote", "blockquote",
                          "quotation", "quotations", "zitat", "citation", "cita", "citazione"})


def style_indents(styles: bytes | None, path: PurePath) -> dict[str, int]:
    """For every paragraph style, how far its text stands from the left margin (twips: its
    ``w:ind`` left or start less its hanging indent, through the styles it is based on)."""
    if styles is None:
        return {}
    own: dict[str, tuple[str, int | None]] = {}
    for style in parse_xml(styles, path, "styles.xml").iter(f"{_W}style"):
        if style.get(f"{_W}type") != "paragraph":
            continue
        based = style.find(f"{_W}basedOn")
        own[style.get(f"{_W}styleId", "")] = (
            based.get(f"{_W}val", "") if based is not None else "",
            _indent(style.find(f"{_W}pPr/{_W}ind")))
    resolved: dict[str, int] = {}

    def indent_of(style_id: str, seen: frozenset[str] = frozenset()) -> int:
        if style_id in resolved:
            return resolved[style_id]
        parent, value = own.get(style_id, ("", None))
        if value is None:
            value = indent_of(parent, seen | {style_id}) if parent and parent not in seen else 0
        resolved[style_id] = value
        return value
    return {style_id: indent_of(style_id) for style_id in own}


def _indent(element: etree._Element | None) -> int | None:
    """Where a ``w:ind``'s text stands from the left margin (twips), None when it says not."""
    if element is None:
        return None
    left = element.get(f"{_W}left") or element.get(f"{_W}start")
    if left is None or not left.lstrip("-").isdigit():
        return None
    hanging = element.get(f"{_W}hanging", "0")
    return int(left) - (int(hanging) if hanging.isdigit() else 0)


def is_quotation(style_name: str, style_id: str, own_indent: int | None, numbered: bool,
                 indents: dict[str, int]) -> bool:
    """Whether a paragraph is a block quotation, as pandoc reads Word: a quotation style, or a
    paragraph (not a list item) indented further than its style indents it, the way most
    writers set a quotation (``w:ind`` on the paragraph itself)."""
    if style_name.lower() in QUOTE_STYLES:
        return True
    if numbered or own_indent is None or style_name.lower().startswith(("heading", "title",
                                                                         "toc")):
        return False
    return own_indent > indents.get(style_id, indents.get("Normal", 0))


# --------------------------------------------------------------------------- character styles


def _character_styles(styles: etree._Element) -> dict[str, tuple[str, dict[str, bool]]]:
    """styleId -> (basedOn, {property: on/off}) for every character style."""
    found: dict[str, tuple[str, dict[str, bool]]] = {}
    for style in styles.iter(f"{_W}style"):
        if style.get(f"{_W}type") != "character":
            continue
        based = style.find(f"{_W}basedOn")
        properties = style.find(f"{_W}rPr")
        found[style.get(f"{_W}styleId", "")] = (
            based.get(f"{_W}val", "") if based is not None else "",
            _formatting(properties) if properties is not None else {})
    return found


def _formatting(properties: etree._Element) -> dict[str, bool]:
    """The on/off formatting set in a ``w:rPr``: ``<w:b/>`` is on, ``<w:b w:val="0"/>`` off."""
    return {name: (element.get(f"{_W}val", "true").lower() not in _OFF)
            for name in _FORMATTING
            if (element := properties.find(f"{_W}{name}")) is not None}


def _resolved(style_id: str, chain: dict[str, tuple[str, dict[str, bool]]]) -> dict[str, bool]:
    """A style's formatting with what it inherits (its own settings win); cycles are cut."""
    seen: list[str] = []
    while style_id in chain and style_id not in seen:
        seen.append(style_id)
        style_id = chain[style_id][0]
    formatting: dict[str, bool] = {}
    for ancestor in reversed(seen):
        formatting.update(chain[ancestor][1])
    return formatting


def _resolve_run_style(run: etree._Element, chain: dict[str, tuple[str, dict[str, bool]]]) \
        -> None:
    properties = run.find(f"{_W}rPr")
    style = properties.find(f"{_W}rStyle") if properties is not None else None
    if properties is None or style is None:
        return
    inherited = _resolved(style.get(f"{_W}val", ""), chain)
    for name, on in inherited.items():
        if on and properties.find(f"{_W}{name}") is None:
            etree.SubElement(properties, f"{_W}{name}")
    properties.remove(style)


# --------------------------------------------------------------------------- drop caps


def _list_paragraphs_unindented(root: etree._Element) -> None:
    """A paragraph with list numbering (``w:numPr``, even one whose numbering was removed:
    ``numId`` 0, a list's continuation paragraph) is indented as a list is, never a quotation
    (is_quotation reads the indentation mammoth passes on, so here it goes)."""
    for properties in root.iter(f"{_W}pPr"):
        if properties.find(f"{_W}numPr") is not None:
            for indent in properties.findall(f"{_W}ind"):
                properties.remove(indent)


def _join_drop_caps(root: etree._Element) -> None:
    for paragraph in list(root.iter(f"{_W}p")):
        frame = paragraph.find(f"{_W}pPr/{_W}framePr")
        if frame is None or frame.get(f"{_W}dropCap", "none") == "none":
            continue
        following = paragraph.getnext()
        if following is None or following.tag != f"{_W}p":
            continue
        runs = [child for child in paragraph if child.tag != f"{_W}pPr"]
        properties = following.find(f"{_W}pPr")
        position = following.index(properties) + 1 if properties is not None else 0
        for offset, run in enumerate(runs):
            following.insert(position + offset, run)
        paragraph.getparent().remove(paragraph)

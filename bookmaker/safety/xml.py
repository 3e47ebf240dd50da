"""Parsing XML that came from strangers (EPUB container, OPF, NCX, XHTML; DOCX parts): one way.

XML's own features are the attack: an external entity (``<!ENTITY x SYSTEM "file:///etc/passwd">``)
reads a local file or the network into the text, a DTD is fetched from the network, and nested
entities (the "billion laughs") expand a kilobyte into gigabytes. Every untrusted XML document is
therefore parsed here, with entities left unresolved, no DTD loaded, no network and lxml's limits
on depth and node size kept, and a document whose DOCTYPE declares anything of its own (an
internal subset with entities or elements) is refused outright: no book needs one.

XHTML files often say ``&nbsp;`` or ``&eacute;`` relying on the XHTML DTD that is never loaded;
those references to HTML's predefined names are replaced by their characters, which expands
nothing.
"""

from __future__ import annotations

import html.entities
import re
from pathlib import PurePath

from lxml import etree

from bookmaker.errors import ManuscriptError

# What XML 1.0 cannot hold: C0 controls but tab and line ends, the non-characters, lone surrogates.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` without the characters XML cannot hold (control characters, lone surrogates)."""
    return _NOT_XML.sub("", text)


class UnsafeXmlError(ManuscriptError):
    """XML refused for what it declares (not merely broken): never to be parsed another way."""


# A DOCTYPE with an internal subset declaring an entity or element, looked for in the prolog when
# lxml refuses the document before its DTD can be inspected.
_DECLARES_ENTITIES = re.compile(rb"<!DOCTYPE[^>\[]*\[.*?<!(?:ENTITY|ELEMENT)", re.DOTALL)
_PROLOG_BYTES = 64 * 1024


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=True,
                           remove_pis=True)


def parse_xml(data: bytes, path: str | PurePath | None = None, part: str = "") -> etree._Element:
    """The root element of the XML document ``data``, or a ManuscriptError naming the file.

    ``part`` names the document inside its container (``OEBPS/content.opf``) for the message.
    A document declaring entities raises UnsafeXmlError, so a caller that recovers broken XML
    with a more lenient parser knows not to try that on a hostile one.
    """
    where = f" in {part}" if part else ""
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        if _DECLARES_ENTITIES.search(data[:_PROLOG_BYTES]):
            # lxml stops a billion laughs itself, as a syntax error ("amplification factor"):
            # it is still an attack, not a damaged file another parser may recover.
            raise _unsafe(path, where) from None
        raise ManuscriptError(f"broken XML{where}: {error.msg}", path, error.lineno or None,
                              hint="the file is damaged; export it again") from None
    _refuse_declarations(root, path, where)
    _replace_html_entities(root)
    return root


def _refuse_declarations(root: etree._Element, path: str | PurePath | None, where: str) -> None:
    """Refuse a DOCTYPE that declares entities or elements of its own (XXE, billion laughs)."""
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and (list(dtd.entities()) or list(dtd.iterelements())):
        raise _unsafe(path, where)


def _unsafe(path: str | PurePath | None, where: str) -> UnsafeXmlError:
    return UnsafeXmlError(f"refused XML{where}: its DOCTYPE declares entities", path,
                          hint="entity declarations can read files or exhaust memory; a real "
                               "book never needs them, so this file is not read")


def _replace_html_entities(root: etree._Element) -> None:
    """Turn unresolved ``&name;`` references into their characters, or drop unknown ones.

    Each element holding references has its text put together once, from all its pieces:
    appending each character to the text before it, reference by reference, copied that text
    every time (a paragraph of 40,000 ``&nbsp;`` took 11 s, and the time grew with the square)."""
    parents = {id(parent): parent for entity in root.iter(etree.Entity)
               if (parent := entity.getparent()) is not None}
    for parent in parents.values():
        _join_references(parent)


def _join_references(parent: etree._Element) -> None:
    """Replace the references among ``parent``'s children by their characters, the text around
    them joined into the text or tail it belongs to."""
    pieces = [parent.text or ""]
    owner: etree._Element | None = None  # whose tail ``pieces`` is (None: the parent's text)
    for child in list(parent):
        if isinstance(child, etree._Entity):
            codepoint = html.entities.name2codepoint.get(child.name)
            pieces += [chr(codepoint) if codepoint is not None else "", child.tail or ""]
            parent.remove(child)
            continue
        _set_text(parent, owner, "".join(pieces))
        owner, pieces = child, [child.tail or ""]
    _set_text(parent, owner, "".join(pieces))


def _set_text(parent: etree._Element, owner: etree._Element | None, text: str) -> None:
    if owner is None:
        parent.text = text or None
    else:
        owner.tail = text or None

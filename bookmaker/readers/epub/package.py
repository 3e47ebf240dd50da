"""An EPUB's package: where the OPF is, its manifest, spine, metadata, and its nav/NCX titles.

Only what the EPUB reader needs, read leniently: EPUBs from other tools are often slightly wrong
(a manifest item missing from the zip, a spine entry pointing nowhere, an NCX with stray entries),
and the book should still come out. Every XML document goes through bookmaker.safety.xml.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from urllib.parse import unquote, urldefrag

from lxml import etree

from bookmaker.errors import Finding, ManuscriptError
from bookmaker.safety.xml import parse_xml
from bookmaker.safety.archives import SafeZip

NS = {
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "enc": "http://www.w3.org/2001/04/xmlenc#",
}
XHTML_TYPES = frozenset({"application/xhtml+xml", "text/html", "application/x-dtbook+xml"})
# Font obfuscation (IDPF and Adobe) is not DRM: those entries are fonts, which books never need.
_FONT_OBFUSCATION = frozenset({"http://www.idpf.org/2008/embedding",
                               "http://ns.adobe.com/pdf/enc#RC"})
_FONT_FILE = re.compile(r"\.(otf|ttf|woff2?)$", re.IGNORECASE)


@dataclass(frozen=True)
class Item:
    id: str
    href: str  # the entry's name in the zip
    media_type: str
    properties: frozenset[str] = frozenset()


@dataclass
class Package:
    opf_path: str
    metadata: etree._Element
    items: dict[str, Item]  # by id
    spine: list[Item]
    toc_titles: dict[str, str]  # zip entry name -> title from nav or NCX (first entry per file)
    problems: list[Finding] = field(default_factory=list)

    def item_for(self, name: str) -> Item | None:
        return next((item for item in self.items.values() if item.href == name), None)


def read_package(container: SafeZip, path: PurePath) -> Package:
    """The package of the EPUB open in ``container``; ManuscriptError when it has none."""
    refuse_drm(container, path)
    opf_path = _opf_path(container, path)
    opf = parse_xml(container.read(opf_path), path, opf_path)
    metadata = opf.find("opf:metadata", NS)
    manifest = opf.find("opf:manifest", NS)
    spine = opf.find("opf:spine", NS)
    if metadata is None or manifest is None or spine is None:
        raise ManuscriptError(f"{opf_path} has no metadata, manifest or spine", path,
                              hint="the EPUB is damaged; export it again")
    problems: list[Finding] = []
    items = _manifest(manifest, opf_path, container, path, problems)
    spine_items = _spine(spine, items, path, problems)
    package = Package(opf_path, metadata, items, spine_items, {}, problems)
    package.toc_titles = _toc_titles(container, package, spine.get("toc"), path)
    return package


def refuse_drm(container: SafeZip, path: PurePath) -> None:
    """A ManuscriptError when content (not only fonts) is encrypted: a DRM-locked book."""
    if "META-INF/encryption.xml" not in container:
        return
    root = parse_xml(container.read("META-INF/encryption.xml"), path, "META-INF/encryption.xml")
    for data in root.iter(f"{{{NS['enc']}}}EncryptedData"):
        method = data.find("enc:EncryptionMethod", NS)
        reference = data.find("enc:CipherData/enc:CipherReference", NS)
        uri = reference.get("URI", "") if reference is not None else ""
        algorithm = method.get("Algorithm", "") if method is not None else ""
        if algorithm not in _FONT_OBFUSCATION or not _FONT_FILE.search(uri):
            raise ManuscriptError("the EPUB is encrypted (DRM); its text cannot be read", path,
                                  hint="use the DRM-free edition, or a copy you exported "
                                       "yourself")


def _opf_path(container: SafeZip, path: PurePath) -> str:
    if "META-INF/container.xml" in container:
        root = parse_xml(container.read("META-INF/container.xml"), path, "META-INF/container.xml")
        rootfile = root.find("c:rootfiles/c:rootfile", NS)
        if rootfile is not None and rootfile.get("full-path") in container:
            return rootfile.get("full-path")
    # A missing or wrong container.xml: the one .opf in the zip will do.
    found = [name for name in container.names() if name.lower().endswith(".opf")]
    if len(found) != 1:
        raise ManuscriptError("not an EPUB: no package document (.opf) found", path,
                              hint="the file is damaged or not an EPUB")
    return found[0]


def resolve_href(base: str, href: str) -> str | None:
    """The zip entry ``href`` names relative to the document ``base``, or None when it is not a
    name inside the container (a URL, an absolute path, or one climbing out)."""
    target = unquote(urldefrag(href).url)
    if not target or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith("/"):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base), target))
    return None if joined.startswith("../") or joined == ".." else joined


def _manifest(manifest: etree._Element, opf_path: str, container: SafeZip, path: PurePath,
              problems: list[Finding]) -> dict[str, Item]:
    items: dict[str, Item] = {}
    for element in manifest.findall("opf:item", NS):
        name = resolve_href(opf_path, element.get("href", ""))
        item_id = element.get("id", "")
        if name is None or name not in container:
            problems.append(Finding("warning", f"manifest item {element.get('href')!r} is not in "
                                               "the EPUB", str(path), hint="it is left out"))
            continue
        items[item_id] = Item(item_id, name, element.get("media-type", ""),
                              frozenset(element.get("properties", "").split()))
    return items


def _spine(spine: etree._Element, items: dict[str, Item], path: PurePath,
           problems: list[Finding]) -> list[Item]:
    found: list[Item] = []
    for itemref in spine.findall("opf:itemref", NS):
        item = items.get(itemref.get("idref", ""))
        if item is None:
            problems.append(Finding("warning", f"the spine names {itemref.get('idref')!r}, which "
                                               "is not in the EPUB", str(path),
                                    hint="that part is left out"))
        elif item.media_type in XHTML_TYPES and item not in found:
            found.append(item)
    return found


def _toc_titles(container: SafeZip, package: Package, ncx_id: str | None,
                path: PurePath) -> dict[str, str]:
    """File -> title of its first entry in the EPUB 3 nav, else in the NCX."""
    nav = next((item for item in package.items.values() if "nav" in item.properties), None)
    ncx = package.items.get(ncx_id or "") or next(
        (item for item in package.items.values()
         if item.media_type == "application/x-dtbncx+xml"), None)
    titles: dict[str, str] = {}
    if nav is not None:
        root = parse_xml(container.read(nav.href), path, nav.href)
        toc = next((element for element in root.iter(f"{{{NS['x']}}}nav")
                    if "toc" in element.get(f"{{{NS['epub']}}}type", "").split()), None)
        for link in (toc if toc is not None else root).iter(f"{{{NS['x']}}}a"):
            _add_title(titles, nav.href, link.get("href", ""), "".join(link.itertext()))
    elif ncx is not None:
        root = parse_xml(container.read(ncx.href), path, ncx.href)
        for point in root.iter(f"{{{NS['ncx']}}}navPoint"):
            content = point.find("ncx:content", NS)
            label = point.find("ncx:navLabel/ncx:text", NS)
            if content is not None and label is not None:
                _add_title(titles, ncx.href, content.get("src", ""), "".join(label.itertext()))
    return titles


def _add_title(titles: dict[str, str], base: str, href: str, text: str) -> None:
    name = resolve_href(base, href)
    title = " ".join(text.split())
    if name and title and name not in titles:
        titles[name] = title

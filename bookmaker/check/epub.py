"""``bookmaker check BOOK.epub``: any EPUB linted against the device rules in rules.py.

Every finding names the rule, the book and the file inside it (``book.epub/EPUB/ch1.xhtml``) with
the line, and what to do. The book is a stranger's file: it is opened through SafeZip and parsed
with the safe XML parser, and a broken part is a finding, never a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urldefrag

import tinycss2
import tinycss2.ast
from lxml import etree

from bookmaker import taxonomy
from bookmaker.check.lines import LineIndex
from bookmaker.check.rules import RULES, rules_for
from bookmaker.errors import BookmakerError, Finding, ManuscriptError
from bookmaker.safety.archives import MAX_CONTAINER_BYTES, SafeZip
from bookmaker.safety.inputs import open_source
from bookmaker.safety.xml import parse_xml

_XHTML = "http://www.w3.org/1999/xhtml"
_OPF = "http://www.idpf.org/2007/opf"
_DC = "http://purl.org/dc/elements/1.1/"
_CONTAINER = "urn:oasis:names:tc:opendocument:xmlns:container"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']+)[\"']", re.I)
_DOCUMENT_TYPES = {"application/xhtml+xml", "text/html"}
_IMAGE_PREFIX = "image/"
_HIDDEN_LIMIT = 10_000
_DOCUMENT_LIMIT = 300 * 1024
_IMAGE_LIMIT = 5 * 1024 * 1024
_BOOK_LIMIT = 50 * 1024 * 1024
_FLEX = re.compile(r"^(inline-)?(flex|grid)$", re.I)
# HTML's void elements: the only ones an HTML parser (Kindle's converter) closes by itself.
VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
_SELF_CLOSED = re.compile(rb"<([A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?/>")
# Findings of one rule listed for one file: a stranger's page can break a rule 500,000 times, and
# the list (and the memory it takes) would grow with it; the rest are counted in one finding.
MAX_FINDINGS_PER_FILE = 100


# Reports one finding: rule id, the file inside the book (None: the book), line, what was found.
Report = Callable[[str, str | None, int | None, str], None]


@dataclass
class _Book:
    path: Path
    archive: SafeZip
    opf_name: str = ""
    # a manifest item's file name -> (id, media type, properties)
    manifest: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    body_ids: dict[str, str] = field(default_factory=dict)  # document -> its body's id


def check_epub(path: str | Path, target: str = "all") -> list[Finding]:
    """Every finding for the book at ``path`` under the rules of ``target``."""
    wanted = {rule.id for rule in rules_for(target)}
    found: list[Finding] = []
    # (rule, file inside the book) -> findings met; past MAX_FINDINGS_PER_FILE only counted.
    met: dict[tuple[str, str | None], int] = {}

    def report(rule_id: str, part: str | None, line: int | None, detail: str) -> None:
        if rule_id not in wanted:
            return
        met[rule_id, part] = met.get((rule_id, part), 0) + 1
        if met[rule_id, part] <= MAX_FINDINGS_PER_FILE:
            found.append(_finding(path, rule_id, part, line, detail))

    try:
        with SafeZip(open_source(path, MAX_CONTAINER_BYTES, what="container")) as archive:
            _check(_Book(Path(path), archive), report)
    except ManuscriptError as error:
        found.append(error.as_finding())
    except BookmakerError as error:
        found.append(Finding("error", str(error), str(path)))
    for (rule_id, part), count in met.items():
        if count > MAX_FINDINGS_PER_FILE:
            found.append(_finding(path, rule_id, part, None,
                                  f"{count - MAX_FINDINGS_PER_FILE:,} more in this file "
                                  f"(only the first {MAX_FINDINGS_PER_FILE} are listed)"))
    return found


def _finding(path: str | Path, rule_id: str, part: str | None, line: int | None,
             detail: str) -> Finding:
    rule = RULES[rule_id]
    where = f"{path}/{part}" if part else str(path)
    return Finding(rule.level, f"[{rule.id}] {detail}: {rule.breaks}", where, line, rule.fix)


def _check(book: _Book, report: Report) -> None:
    archive = book.archive
    names = archive.names()
    if not names or names[0] != "mimetype" or archive.read("mimetype").strip() != \
            b"application/epub+zip":
        report("container-mimetype", None, None, "the container's first entry is not the "
               "EPUB mimetype")
    total = sum(len(archive.read(name)) for name in names)
    if total > _BOOK_LIMIT:
        report("book-size", None, None, f"the book is {total / 1048576:.0f} MB")
    book.opf_name = _package_name(book, report)
    if not book.opf_name:
        report("package-missing", "META-INF/container.xml", None,
               "the container names no package document that is in the book")
        return
    package = _parse(book, book.opf_name, report)
    if package is None:
        return
    _check_package(book, package, report)
    documents = [name for name, (_, media_type, _) in book.manifest.items()
                 if media_type in _DOCUMENT_TYPES and name in archive]
    # One document parsed at a time (a book may hold thousands): what a link to another document
    # needs of it, its body's id, is kept, and the links to fragments are judged at the end.
    links: list[_FragmentLink] = []
    hidden = 0
    for name in documents:
        root = _parse(book, name, report)
        if root is None:
            continue
        body = root.find(f"{{{_XHTML}}}body")
        if body is not None and body.get("id"):
            book.body_ids[name] = body.get("id")
        hidden += _check_document(book, name, root, report, links)
    for link in links:
        if book.body_ids.get(link.target) == link.fragment:
            report("body-id-link", link.document, link.line,
                   f"the link to {link.href!r} points at a <body> id")
    if hidden > _HIDDEN_LIMIT:
        report("hidden-text", None, None, f"{hidden:,} characters of hidden text")
    for name, (_, media_type, _) in book.manifest.items():
        if name not in archive:
            continue
        if media_type == "text/css":
            _check_css(name, archive.read(name), report)
        elif media_type.startswith(_IMAGE_PREFIX) and len(archive.read(name)) > _IMAGE_LIMIT:
            report("image-size", name, None,
                   f"the image is {len(archive.read(name)) / 1048576:.1f} MB")


def _package_name(book: _Book, report: Report) -> str:
    archive = book.archive
    if "META-INF/container.xml" not in archive:
        return ""
    container = _parse(book, "META-INF/container.xml", report)
    if container is None:
        return ""
    rootfile = container.find(f".//{{{_CONTAINER}}}rootfile")
    name = rootfile.get("full-path", "") if rootfile is not None else ""
    return name if name in archive else ""


def _parse(book: _Book, name: str, report: Report) -> etree._Element | None:
    data = book.archive.read(name)
    match = _DECLARATION.match(data)
    declared = match.group(1).decode("ascii", "replace").lower() if match else ""
    if declared and declared.replace("_", "-") not in {"utf-8", "utf8"}:
        report("xml-declaration-encoding", name, 1,
               f"the XML declaration says encoding=\"{declared}\"")
    else:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            report("not-utf8", name, LineIndex(data).line_of(error.start),
                   f"byte {error.start} is not UTF-8")
    try:
        return parse_xml(data, book.path, name)
    except ManuscriptError as error:
        report("xml-well-formed", name, error.line, error.message)
        return None


def _check_package(book: _Book, package: etree._Element, report: Report) -> None:
    opf = book.opf_name
    folder = PurePosixPath(opf).parent
    languages = list(package.iter(f"{{{_DC}}}language"))
    if not any(taxonomy.language_tag(element.text or "") for element in languages):
        line = languages[0].sourceline if languages else None
        value = f"dc:language is {languages[0].text!r}" if languages else "there is no dc:language"
        report("language-missing", opf, line, value)
    has_nav = False
    has_cover = bool(package.xpath("//*[local-name()='meta'][@name='cover']"))
    for item in package.iter(f"{{{_OPF}}}item"):
        href = unquote(item.get("href", ""))
        name = str(folder / href) if str(folder) != "." else href
        properties = item.get("properties", "").split()
        book.manifest[name] = (item.get("id", ""), item.get("media-type", ""), " ".join(properties))
        has_nav = has_nav or "nav" in properties
        has_cover = has_cover or "cover-image" in properties
        if name not in book.archive and not href.startswith(("http:", "https:")):
            report("missing-resource", opf, item.sourceline, f"the manifest lists {href!r}")
    if not has_nav:
        report("nav-missing", opf, None, "the package has no item with properties=\"nav\"")
    if not has_cover:
        report("cover-missing", opf, None, "the package declares no cover image")


@dataclass(frozen=True)
class _FragmentLink:
    """A link to a fragment of a document of the book, judged once every body's id is known."""

    document: str  # the document the link is in
    line: int | None
    href: str
    target: str  # the document it points into
    fragment: str


def _check_document(book: _Book, name: str, root: etree._Element, report: Report,
                    links: list[_FragmentLink]) -> int:
    """Check one content document, adding its links to fragments to ``links``; the number of
    hidden characters in it."""
    size = len(book.archive.read(name))
    if size > _DOCUMENT_LIMIT:
        report("document-size", name, None, f"the document is {size // 1024} KB")
    # Empty XHTML elements that are not void (SVG's <path/> and the like are fine), then which of
    # them the source writes self-closed: the parser no longer knows, the bytes do.
    empty = {(_local_name(element), element.sourceline)
             for element in root.iter(f"{{{_XHTML}}}*")
             if _local_name(element) not in VOID and not len(element) and element.text is None}
    data = book.archive.read(name)
    lines = LineIndex(data)
    for match in _SELF_CLOSED.finditer(data) if empty else ():
        tag, line = match.group(1).decode("ascii"), lines.line_of(match.start())
        if (tag, line) in empty:
            report("self-closed-element", name, line, f"<{tag}/> is self-closed")
    if not (root.get(_XML_LANG) or root.get("lang")):
        report("document-language", name, root.sourceline, "<html> has no lang or xml:lang")
    folder = PurePosixPath(name).parent
    for image in root.iter(f"{{{_XHTML}}}img"):
        if not image.get("src", "").strip():
            report("img-without-src", name, image.sourceline, "<img> has no src")
        if image.get("alt") is None:
            report("img-without-alt", name, image.sourceline,
                   f"<img src=\"{image.get('src', '')}\"> has no alt")
    for link in root.iter(f"{{{_XHTML}}}a"):
        target, fragment = urldefrag(link.get("href", ""))
        if not fragment or target.startswith(("http:", "https:", "mailto:")):
            continue
        target_name = str(folder / unquote(target)) if target else name
        links.append(_FragmentLink(name, link.sourceline, link.get("href", ""),
                                   _normalise(target_name), unquote(fragment)))
    for style in root.iter(f"{{{_XHTML}}}style"):
        _check_css(name, (style.text or "").encode("utf-8"), report, style.sourceline - 1)
    return _hidden_characters(root)


def _hidden_characters(root: etree._Element) -> int:
    """The characters inside hidden elements (``hidden``, ``display:none``), each counted once:
    the text of a hidden element inside another is already in the outer one's, and counting it
    again at every level would cost the depth times the text."""
    hidden = 0
    inside = 0  # hidden elements open around the current one
    for event, element in etree.iterwalk(root, events=("start", "end"), tag=f"{{{_XHTML}}}*"):
        if not _is_hidden(element):
            continue
        if event == "start":
            if not inside:
                hidden += sum(len(text) for text in element.itertext())
            inside += 1
        else:
            inside -= 1
    return hidden


def _is_hidden(element: etree._Element) -> bool:
    style = element.get("style", "").replace(" ", "").lower()
    return element.get("hidden") is not None or "display:none" in style


def _local_name(element: etree._Element) -> str:
    return etree.QName(element).localname


def _normalise(name: str) -> str:
    parts: list[str] = []
    for part in name.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in {"", "."}:
            parts.append(part)
    return "/".join(parts)


def _check_css(name: str, data: bytes, report: Report, line_offset: int = 0) -> None:
    """Every CSS finding in a stylesheet. The rules inside ``@media`` and ``@supports`` and the
    arguments of functions are walked with a list of what is left to look at, never by
    recursion: a stranger's sheet may nest them thousands deep (tinycss2 itself parses without
    recursion, so such a sheet is read whole)."""
    text = data.decode("utf-8", errors="replace")
    rules = list(reversed(tinycss2.parse_stylesheet(text, skip_comments=True,
                                                    skip_whitespace=True)))
    while rules:
        rule = rules.pop()
        if isinstance(rule, tinycss2.ast.ParseError):
            report("css-unparsable", name, rule.source_line + line_offset, rule.message)
        elif isinstance(rule, tinycss2.ast.AtRule):
            if rule.content and rule.lower_at_keyword in {"media", "supports"}:
                rules.extend(reversed(tinycss2.parse_rule_list(
                    rule.content, skip_comments=True, skip_whitespace=True)))
        elif isinstance(rule, tinycss2.ast.QualifiedRule):
            _check_declarations(name, rule, report, line_offset)


def _check_declarations(name: str, rule: tinycss2.ast.QualifiedRule, report: Report,
                        offset: int) -> None:
    for declaration in tinycss2.parse_blocks_contents(rule.content or [], skip_comments=True,
                                                      skip_whitespace=True):
        if isinstance(declaration, tinycss2.ast.ParseError):
            report("css-unparsable", name, declaration.source_line + offset, declaration.message)
            continue
        if not isinstance(declaration, tinycss2.ast.Declaration):
            continue
        line = declaration.source_line + offset
        if declaration.lower_name.startswith("--"):
            report("css-var", name, line, f"the custom property {declaration.name}")
        for token in _tokens(declaration.value):
            if isinstance(token, tinycss2.ast.FunctionBlock) and token.lower_name == "calc":
                report("css-calc", name, line, f"{declaration.name}: calc(...)")
            elif isinstance(token, tinycss2.ast.FunctionBlock) and token.lower_name == "var":
                report("css-var", name, line, f"{declaration.name}: var(...)")
            elif (declaration.lower_name == "display" and isinstance(token, tinycss2.ast.IdentToken)
                  and _FLEX.match(token.value)):
                report("css-flex", name, line, f"display: {token.value}")


def _tokens(nodes: Iterable[tinycss2.ast.Node]) -> Iterator[tinycss2.ast.Node]:
    """Every token of a value, functions' arguments included, in order, without recursion."""
    waiting = list(reversed(list(nodes)))
    while waiting:
        node = waiting.pop()
        yield node
        if isinstance(node, tinycss2.ast.FunctionBlock):
            waiting.extend(reversed(node.arguments))

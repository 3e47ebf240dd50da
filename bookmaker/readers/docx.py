"""Word and Google Docs files (.docx) into the model, through mammoth.

mammoth turns a document's *meaning* (heading styles, italics, bold, lists, footnotes, images) into
clean HTML and ignores its looks; that HTML then goes through the same converter as every other
HTML input (readers.html.blocks), and headings become chapters as in a saved page
(readers.html.chapters_from_blocks).

Safety: the file is a zip from a stranger. bookmaker.safety.archives checks it whole first (names,
count, sizes, ratios), every XML part is parsed once with bookmaker.safety.xml (a DOCTYPE declaring
entities is refused), and mammoth only ever sees an in-memory copy of the checked entries. Images
travel in ``Book.embedded`` and are referred to as ``embedded:NAME``; an image the document only
*links* to (``r:link``, a file or URL outside it) is never opened: mammoth's external file access
stays off.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import PurePath

import mammoth

from bookmaker.safety.assets import EMBEDDED_SCHEME, IMAGE_TYPES
from bookmaker.errors import Finding, ManuscriptError
from bookmaker.model import Book, EmbeddedFile, Heading, Paragraph, Text, plain_text
from bookmaker.readers import docx_parts
from bookmaker.readers.html import chapters_from_blocks
from bookmaker.readers.html.blocks import html_to_blocks
from bookmaker.readers.html.parse import parse_fragment
from bookmaker.readers.metadata import MetadataBuilder
from bookmaker.safety.xml import parse_xml
from bookmaker.safety.archives import MAX_TOTAL_BYTES, SafeZip
from bookmaker.safety.inputs import Source

_CENTRED_STYLE = "bookmaker centred"
_QUOTE_STYLE = "bookmaker quotation"  # docx_parts.is_quotation's paragraphs
_CENTRED_QUOTE_STYLE = "bookmaker centred quotation"
# Word's and Google Docs' title style is the work's title; centred plain paragraphs keep their
# alignment (mammoth drops alignment), so a centred "xxx" can be told from a word of the story.
# Headings move one level down so that a Title above "heading 1" chapters reads as the title.
_STYLE_MAP = f"""
p[style-name='Title'] => h1:fresh
p[style-name='Subtitle'] => p.subtitle:fresh
p[style-name='heading 1'] => h2:fresh
p[style-name='heading 2'] => h3:fresh
p[style-name='heading 3'] => h4:fresh
p[style-name='heading 4'] => h5:fresh
p[style-name='heading 5'] => h6:fresh
p[style-name='{_CENTRED_STYLE}'] => p.center:fresh
p[style-name='{_QUOTE_STYLE}'] => blockquote > p:fresh
p[style-name='{_CENTRED_QUOTE_STYLE}'] => blockquote > p.center:fresh
r[style-name='Strong'] =>
u => u
"""
_CORE = "docProps/core.xml"
_DC = "{http://purl.org/dc/elements/1.1/}"
_IMAGE_SUFFIXES = {media_type: suffix for suffix, media_type in IMAGE_TYPES.items()
                   if suffix != ".jpeg"}


def read_with_findings(source: Source) -> tuple[Book, list[Finding]]:
    """The Book and the problems met reading it (objects left out, unreadable images, mammoth's
    warnings); the registry (readers.read_with_findings) raises the first error, as for every
    reader."""
    path = source.name
    entries = _checked_entries(source)
    main = _main_part(entries, path)
    if main not in entries:
        raise ManuscriptError(f"not a Word document: it has no {main}", path,
                              hint="save it from Word or Google Docs as .docx")
    found = docx_parts.dropped_objects(entries[main], path, main)
    styles = entries.get(_styles_part(entries, main))
    entries[main] = docx_parts.resolved_document(entries[main], styles, path, main)
    _account(source, entries, main, found)  # drop caps joined: "D" + "rop" is one word
    entries[main], given = docx_parts.metadata_paragraphs(entries[main], styles, path, main,
                                                          ("Author", "Abstract"))
    embedded: list[EmbeddedFile] = []
    unsupported: list[str] = []
    try:
        result = mammoth.convert_to_html(
            io.BytesIO(_in_memory_zip(entries)), style_map=_STYLE_MAP,
            transform_document=mammoth.transforms.paragraph(
                _paragraph_roles(docx_parts.style_indents(styles, path))),
            convert_image=mammoth.images.img_element(_embedder(embedded, unsupported)),
            external_file_access=False)
    except (KeyError, ValueError, TypeError, AttributeError, IndexError, LookupError,
            RecursionError, zipfile.BadZipFile) as error:
        # mammoth trusts the document's structure (relationships, w:sym, gridSpan, nesting):
        # a damaged one is this file's problem, said as such, never a traceback.
        raise ManuscriptError(f"the Word document is damaged and cannot be read "
                              f"({type(error).__name__}: {str(error)[:120]})", path,
                              hint="open it in Word or LibreOffice and save it again") from None
    found += [Finding("warning", message.message, str(path)) for message in result.messages
              if message.type == "warning" and "style" not in message.message.lower()
              and "unlikely to display" not in message.message]  # said below, with a hint
    found += [Finding("warning", f"an image in a format e-readers cannot show ({kind}) was "
                      "left out", str(path), hint="save it as PNG or JPEG in Word and "
                      "export again") for kind in unsupported]
    names = {file.name for file in embedded}
    blocks = html_to_blocks(parse_fragment(result.value, path).root, source=path,
                            contents_only=True,
                            resolve_image=lambda src, _line: src if src.removeprefix(
                                EMBEDDED_SCHEME) in names else None)
    if not plain_text(blocks).strip() and not embedded:
        raise ManuscriptError("the document holds no text", path, hint="is it the right file?")
    core = _core_properties(entries, path)
    title = core.get("title", "")
    if blocks and isinstance(blocks[0], Heading) and blocks[0].level == 1 and not any(
            isinstance(block, Heading) and block.level == 1 for block in blocks[1:]):
        # The "Title" paragraph (the only style mapped to h1) names the work, not a chapter.
        title = title or plain_text(blocks[0].children).strip()
        blocks = blocks[1:]
    title, chapters = chapters_from_blocks(blocks, title)
    builder = MetadataBuilder(path, found)
    builder.title(title)
    # Word's "Author" paragraphs are who wrote the work; core.xml's creator is often only
    # whoever made the file (a template's owner), so it comes second.
    builder.authors(tuple(dict.fromkeys(given.get("Author", ())))
                    or [core.get("creator", "")])
    builder.language(core.get("language"))
    builder.summary(tuple(Paragraph((Text(text),)) for text in
                          dict.fromkeys(given.get("Abstract", ()))))
    metadata = builder.build(no_title_hint="give the document a title in Word's Title style or "
                                           "its File > Properties")
    return Book(metadata, chapters, base_dir=source.folder, embedded=tuple(embedded)), found


def _account(source: Source, entries: dict[str, bytes], main: str, found: list[Finding]) -> None:
    """The document's text (its body, footnotes and endnotes, and its comments) said to the
    source's ledger, and the comments left out on purpose, with a warning: a reviewer's
    remarks are not the story (pandoc too leaves them out unless asked)."""
    folder = main.rsplit("/", 1)[0] + "/" if "/" in main else ""
    for part in (main, folder + "footnotes.xml", folder + "endnotes.xml"):
        if part in entries:
            source.ledger.holds(docx_parts.part_text(entries[part], source.name, part))
    remarks = [text for text in docx_parts.comments(entries[folder + "comments.xml"],
                                                   source.name, folder + "comments.xml")
               if text] if folder + "comments.xml" in entries else []
    if remarks:
        for text in remarks:
            source.ledger.holds(text)
            source.ledger.leave_out(text, "a Word comment")
        shown = "; ".join(f"“{text[:60]}”" for text in remarks[:3])
        found.append(Finding("warning", f"{len(remarks)} Word comment(s) left out (a "
                             f"reviewer's remarks, not the text): {shown}"
                             + ("…" if len(remarks) > 3 else ""), str(source.name),
                             hint="accept or delete the comments in Word if they belong in "
                                  "the text"))


def _checked_entries(source: Source) -> dict[str, bytes]:
    """Every entry of the zip, read through SafeZip; XML parts checked by safety/xml.py."""
    path = source.name
    entries: dict[str, bytes] = {}
    total = 0
    with SafeZip(source) as container:
        for name in container.names():
            if not _used_part(name):
                continue  # never read: a part mammoth does not use costs nothing
            data = container.read(name, MAX_PART_BYTES)
            total += len(data)
            if total > MAX_TOTAL_BYTES:
                raise ManuscriptError("the document inflates to more than "
                                      f"{MAX_TOTAL_BYTES // (1024 * 1024)} MB", path,
                                      hint="the file is damaged or hostile; do not open it")
            if name.endswith((".xml", ".rels")):
                parse_xml(data, path, name)  # refuses entities, DTDs, broken XML
            entries[name] = data
    return entries


# The parts of a package mammoth reads (through relationships, all inside word/), and the largest
# one part may be. A real document.xml is a few MB; one of a long illustrated novel, 20 MB.
_USED_PARTS = re.compile(r"\[Content_Types\]\.xml|_rels/\.rels|docProps/core\.xml|"
                         r"word/(?:[^/]+\.xml|_rels/[^/]+\.rels|media/[^/]+)", re.IGNORECASE)
MAX_PART_BYTES = 64 * 1024 * 1024


def _used_part(name: str) -> bool:
    return _USED_PARTS.fullmatch(name) is not None


def _in_memory_zip(entries: dict[str, bytes]) -> bytes:
    """The checked entries as a fresh zip: what mammoth reads is exactly what was checked."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as copy:
        for name, data in entries.items():
            copy.writestr(name, data)
    return buffer.getvalue()


def _paragraph_roles(indents: dict[str, int]):
    """mammoth's paragraph hook: centred plain paragraphs and block quotations (a quotation
    style, or an indented paragraph: docx_parts.is_quotation) get the styles the style map
    turns into ``p.center`` and ``blockquote > p``; mammoth knows styles by name only."""
    def role(paragraph):
        style = paragraph.style_name or ""
        indent = paragraph.indent
        own = None
        if indent is not None and indent.start is not None and indent.start.lstrip("-").isdigit():
            hanging = indent.hanging or "0"
            own = int(indent.start) - (int(hanging) if hanging.isdigit() else 0)
        centred = paragraph.alignment == "center" and \
            not style.lower().startswith(("heading", "title"))
        if docx_parts.is_quotation(style, paragraph.style_id or "", own,
                                   paragraph.numbering is not None, indents):
            return paragraph.copy(style_name=_CENTRED_QUOTE_STYLE if centred else _QUOTE_STYLE)
        if centred:
            return paragraph.copy(style_name=_CENTRED_STYLE)
        return paragraph
    return role


def _main_part(entries: dict[str, bytes], path: PurePath) -> str:
    """The main document's part name, from the package relationships (``_rels/.rels``): Word
    writes ``word/document.xml``, but other tools name it otherwise (``word/document2.xml``)."""
    rels = entries.get("_rels/.rels")
    if rels is not None:
        for relation in parse_xml(rels, path, "_rels/.rels"):
            if str(relation.get("Type", "")).endswith("/officeDocument"):
                return str(relation.get("Target", "")).lstrip("/")
    return "word/document.xml"


def _styles_part(entries: dict[str, bytes], main: str) -> str:
    """The styles part beside the main document (``word/styles.xml``)."""
    folder = main.rsplit("/", 1)[0] + "/" if "/" in main else ""
    return folder + "styles.xml"


def _embedder(embedded: list[EmbeddedFile],
              unsupported: list[str]) -> Callable[[object], dict[str, str]]:
    """mammoth's image callback: keep an embedded image's bytes, name it ``embedded:imageN``;
    an image e-readers cannot show (EMF, WMF, TIFF) is counted in ``unsupported``."""
    def embed(image) -> dict[str, str]:
        suffix = _IMAGE_SUFFIXES.get(image.content_type)
        if suffix is None:
            unsupported.append(image.content_type or "unknown type")
            return {}
        try:
            with image.open() as stream:
                data = stream.read()
        except (OSError, KeyError, ValueError):
            return {}  # a linked (external) image, or a missing part: nothing is fetched
        name = f"image{len(embedded) + 1}{suffix}"
        embedded.append(EmbeddedFile(name, image.content_type, data))
        return {"src": EMBEDDED_SCHEME + name}
    return embed


def _core_properties(entries: dict[str, bytes], path: PurePath) -> dict[str, str]:
    """Title, creator and language from docProps/core.xml (Word fills them; Docs the title)."""
    if _CORE not in entries:
        return {}
    root = parse_xml(entries[_CORE], path, _CORE)
    found = {}
    for name in ("title", "creator", "language"):
        element = root.find(f"{_DC}{name}")
        if element is not None and (element.text or "").strip():
            found[name] = element.text.strip()
    return found

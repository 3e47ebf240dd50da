"""Kindle books without DRM (.azw3, .mobi) into the model, unpacked by the ``mobi`` package.

``mobi`` (KindleUnpack, packaged) turns a KF8 book (AZW3, and the KF8 half of a joint MOBI) back
into an EPUB, and an old MOBI 6 book into one flat HTML file. Either then goes through the reader
that knows it: the EPUB through readers/epub (which recognises AO3's downloads), the flat HTML,
parsed once by readers/html/parse.py, through readers/html/ao3_calibre.work_from_mobi when it is
AO3's MOBI (the same work as the HTML download), through the generic page reader otherwise.

Safety: KindleUnpack reads only a file by name and trusts every number in it, so it is never
given the user's file. The gate's bytes are first walked and tamed by safety/palmdb.py (bounded
records and EXTH, the text decompressed here in linear time, fonts and other unused records left
out), and KindleUnpack gets that copy in a private temporary folder (safety/inputs.private_copy),
removed whatever happens; what it writes there is read back through the same folder only. The
library's failures on a damaged file become one clear ManuscriptError; its log (loguru) and its
prints are kept off the screen.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import io
import re
import warnings
from pathlib import PurePath, PurePosixPath

from bookmaker.errors import Finding, ManuscriptError
from bookmaker.model import Book, EmbeddedFile
from bookmaker.readers.decoding import MAX_TEXT_BYTES, read_text
from bookmaker.readers.html.parse import parse_html
from bookmaker.safety.archives import MAX_CONTAINER_BYTES
from bookmaker.safety.assets import IMAGE_TYPES, MAX_ASSET_BYTES
from bookmaker.safety.inputs import PrivateFolder, Source, private_copy
from bookmaker.safety.palmdb import check_kf8_assembly, tame

_DRM_MARKERS = ("drm", "encrypt")
_SELF_CLOSED_ANCHOR = re.compile(r"<a(\s[^<>]*?)\s*/>", re.IGNORECASE)


def read_with_findings(source: Source) -> tuple[Book, list[Finding]]:
    """The Kindle book as a Book, and the warnings about what was left out."""
    tamed = tame(source.data, source.name)
    found: list[Finding] = []
    if tamed.fonts_left_out:
        found.append(Finding("warning", f"{tamed.fonts_left_out} embedded font(s) left out",
                             str(source.name), None,
                             "bookmaker sets the book in its theme's fonts (--style)"))
    with private_copy(tamed.data, ".azw3" if tamed.kf8 else ".mobi", source.name) as folder:
        unpacked = _unpack(folder, source, tamed.kf8_header)
        if unpacked.suffix == ".epub":
            from bookmaker.readers import epub
            inner = Source(source.name, source.folder,
                           folder.read(unpacked, MAX_CONTAINER_BYTES, "the unpacked EPUB"))
            book, more = epub.read_with_findings(inner)
            source.ledger.texts.extend(inner.ledger.texts)  # what the book held is the
            source.ledger.left_out.extend(inner.ledger.left_out)  # Kindle book's
        else:
            book, more = _flat_html_book(folder, unpacked, source)
    return dataclasses.replace(book, base_dir=source.folder), found + more


def _unpack(folder: PrivateFolder, source: Source, kf8_header: int | None) -> PurePath:
    """The EPUB (KF8) or ``book.html`` (MOBI 6) the library unpacks the copy into, relative to
    the private folder."""
    with warnings.catch_warnings():
        # mobi imports the standard library's imghdr, deprecated since Python 3.11.
        warnings.simplefilter("ignore", DeprecationWarning)
        from loguru import logger
        from mobi.kindleunpack import unpackBook
    logger.disable("mobi")
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            # KindleUnpack leaves the image files it writes for the garbage collector to close:
            # closed here, quietly, rather than as a ResourceWarning at some later moment.
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                if kf8_header is not None:
                    _check_assembly(folder, kf8_header, source)
                unpackBook(str(folder.copy), str(folder.path / "out"), epubver="A")
            finally:
                gc.collect()
    except ManuscriptError:
        raise
    except Exception as error:  # the library raises anything from struct.error to its own
        message = str(error)
        if any(marker in message.lower() for marker in _DRM_MARKERS):
            raise ManuscriptError("the Kindle book is encrypted (DRM)", source.name,
                                  hint="bookmaker reads only books without DRM, such as the "
                                       "AZW3 and MOBI downloads of AO3") from None
        raise ManuscriptError(f"not a readable Kindle book ({message or type(error).__name__})",
                              source.name, hint="check the file is a whole .azw3/.mobi, or "
                                                "convert it to EPUB first") from None
    epubs = sorted(name for name in folder.names("out/mobi8") if name.suffix == ".epub")
    if epubs:
        return epubs[0]
    html = PurePath("out/mobi7/book.html")
    if html in folder.names("out/mobi7"):
        return html
    raise ManuscriptError("the Kindle book holds no text bookmaker can read", source.name,
                          hint="a Print Replica (PDF) book is not a story file")


def _check_assembly(folder: PrivateFolder, kf8_header: int, source: Source) -> None:
    """Read the KF8 skeleton and fragment tables as KindleUnpack will (its index parser stops at
    the end of each record) and refuse pages too costly to put together (palmdb's bound)."""
    from mobi.mobi_header import MobiHeader
    from mobi.mobi_k8proc import K8Processor
    from mobi.mobi_sectioner import Sectionizer

    sections = Sectionizer(str(folder.copy))
    tables = K8Processor(MobiHeader(sections, kf8_header), sections, None)
    check_kf8_assembly([(skeleton[2], skeleton[4]) for skeleton in tables.skeltbl],
                       [fragment[5] for fragment in tables.fragtbl], source.name)


class _Images:
    """The images KindleUnpack wrote beside ``book.html`` (``Images/image00007.jpeg``), read
    while the private folder exists and carried as EmbeddedFile; nothing outside it is read."""

    def __init__(self, folder: PrivateFolder, html: PurePath) -> None:
        self.folder = folder
        self.base = html.parent
        self.embedded: dict[str, EmbeddedFile] = {}

    def resolve(self, src: str, line: int | None) -> str | None:
        name = PurePosixPath(src)
        media_type = IMAGE_TYPES.get(name.suffix.lower())
        if media_type is None or name.is_absolute() or ".." in name.parts:
            return None
        key = name.as_posix()
        if key not in self.embedded:
            try:
                data = self.folder.read(self.base / name, MAX_ASSET_BYTES, "an image")
            except ManuscriptError:
                return None
            self.embedded[key] = EmbeddedFile(key, media_type, data)
        return f"embedded:{key}"


def _flat_html_book(folder: PrivateFolder, html: PurePath,
                    source: Source) -> tuple[Book, list[Finding]]:
    """A MOBI 6 book's single HTML file: AO3's MOBI read as the work it was made from, anything
    else read as a saved page."""
    path = source.name
    text, _ = read_text(Source(path, source.folder,
                               folder.read(html, MAX_TEXT_BYTES, "the unpacked text")))
    # KindleUnpack writes anchors as <a id="filepos..." />, which an HTML parser reads as an open
    # link swallowing the rest of the book.
    document = parse_html(_SELF_CLOSED_ANCHOR.sub(r"<a\1></a>", text), path, source.ledger)
    from bookmaker.readers.html import ao3_calibre
    if ao3_calibre.looks_like_download("".join(document.body.itertext())):
        from bookmaker.readers.html.ao3_work import book_from_work
        from bookmaker.readers.html.blocks import HtmlSource
        images = _Images(folder, html)
        work = ao3_calibre.work_from_mobi(document.body, HtmlSource(path, images.resolve,
                                                                    ledger=source.ledger))
        book, found = book_from_work(work, path, source.folder)
        return dataclasses.replace(book, embedded=tuple(images.embedded.values())), found
    from bookmaker.readers import html as page_reader
    return page_reader.book_from_document(document, path, source.folder, source.ledger)

"""Kindle books without DRM (.azw3, .mobi) into the model, unpacked by the ``mobi`` package.

``mobi`` (KindleUnpack, packaged) turns a KF8 book (AZW3, and the KF8 half of a joint MOBI) back
into an EPUB, and an old MOBI 6 book into one flat HTML file. Either then goes through the reader
that knows it: the EPUB through readers/epub (which recognises AO3's downloads), the flat HTML,
parsed once by readers/html/parse.py, through readers/html/ao3_calibre.work_from_mobi when it is
AO3's MOBI (the same work as the HTML download), through the generic page reader otherwise.

Safety: the unpacking happens in a private temporary folder, removed whatever happens; the
library's failures on a damaged or encrypted file become one clear ManuscriptError; its log
(loguru) is kept off the screen.
"""

from __future__ import annotations

import dataclasses
import gc
import re
import tempfile
import warnings
from pathlib import Path

from bookmaker.errors import Finding, ManuscriptError
from bookmaker.model import Book, EmbeddedFile
from bookmaker.readers import book_or_first_error, findings_of
from bookmaker.readers.decoding import read_text
from bookmaker.readers.html.parse import parse_html
from bookmaker.safety.assets import IMAGE_TYPES, MAX_ASSET_BYTES

MAX_KINDLE_BYTES = 256 * 1024 * 1024
_DRM_MARKERS = ("drm", "encrypt")
_SELF_CLOSED_ANCHOR = re.compile(r"<a(\s[^<>]*?)\s*/>", re.IGNORECASE)


def read(path: Path) -> Book:
    """The Kindle book at ``path`` as a Book; ManuscriptError naming the file when it cannot be."""
    return book_or_first_error(_read(Path(path)))


def findings(path: Path) -> list[Finding]:
    """Every problem met reading the book at ``path``, without raising."""
    return findings_of(_read, path)


def read_with_findings(path: Path) -> tuple[Book, list[Finding]]:
    """The book at ``path`` as a Book, and the warnings about what was left out."""
    return _read(Path(path))


def _read(path: Path) -> tuple[Book, list[Finding]]:
    _check_size(path)
    with tempfile.TemporaryDirectory(prefix="bookmaker-kindle-") as scratch:
        unpacked = _unpack(path, Path(scratch))
        if unpacked.suffix == ".epub":
            from bookmaker.readers import epub
            book, found = epub.read_with_findings(unpacked)
        else:
            book, found = _flat_html_book(unpacked, path)
    found = [dataclasses.replace(finding, path=str(path)) for finding in found]
    return dataclasses.replace(book, base_dir=str(path.parent)), found


def _check_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ManuscriptError(f"cannot read file: {error.strerror}", path,
                              hint="check that it exists and is readable") from None
    if size > MAX_KINDLE_BYTES:
        raise ManuscriptError(f"file is {size // (1024 * 1024)} MB, more than the "
                              f"{MAX_KINDLE_BYTES // (1024 * 1024)} MB a book may be", path,
                              hint="split it into several works")


def _unpack(path: Path, scratch: Path) -> Path:
    """The EPUB (KF8) or ``book.html`` (MOBI 6) the library unpacks ``path`` into."""
    with warnings.catch_warnings():
        # mobi imports the standard library's imghdr, deprecated since Python 3.11.
        warnings.simplefilter("ignore", DeprecationWarning)
        from loguru import logger
        from mobi.kindleunpack import unpackBook
    logger.disable("mobi")
    try:
        with warnings.catch_warnings():
            # KindleUnpack leaves the image files it writes for the garbage collector to close:
            # closed here, quietly, rather than as a ResourceWarning at some later moment.
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                unpackBook(str(path), str(scratch), epubver="A")
            finally:
                gc.collect()
    except Exception as error:  # the library raises anything from struct.error to its own
        message = str(error)
        if any(marker in message.lower() for marker in _DRM_MARKERS):
            raise ManuscriptError("the Kindle book is encrypted (DRM)", path,
                                  hint="bookmaker reads only books without DRM, such as the "
                                       "AZW3 and MOBI downloads of AO3") from None
        raise ManuscriptError(f"not a readable Kindle book ({message or type(error).__name__})",
                              path, hint="check the file is a whole .azw3/.mobi, or convert "
                                         "it to EPUB first") from None
    epubs = sorted((scratch / "mobi8").glob("*.epub"))
    if epubs:
        return epubs[0]
    html = scratch / "mobi7" / "book.html"
    if html.exists():
        return html
    raise ManuscriptError("the Kindle book holds no text bookmaker can read", path,
                          hint="a Print Replica (PDF) book is not a story file")


class _Images:
    """The images KindleUnpack wrote beside ``book.html`` (``Images/image00007.jpeg``), read
    while the unpacked folder exists and carried as EmbeddedFile; nothing outside it is read."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        self.embedded: dict[str, EmbeddedFile] = {}

    def resolve(self, src: str, line: int | None) -> str | None:
        candidate = (self.folder / src).resolve()
        media_type = IMAGE_TYPES.get(candidate.suffix.lower())
        if media_type is None or not candidate.is_relative_to(self.folder) \
                or not candidate.is_file() or candidate.stat().st_size > MAX_ASSET_BYTES:
            return None
        name = candidate.relative_to(self.folder).as_posix()
        if name not in self.embedded:
            self.embedded[name] = EmbeddedFile(name, media_type, candidate.read_bytes())
        return f"embedded:{name}"


def _flat_html_book(html: Path, path: Path) -> tuple[Book, list[Finding]]:
    """A MOBI 6 book's single HTML file: AO3's MOBI read as the work it was made from, anything
    else read as a saved page."""
    text, _ = read_text(html)
    # KindleUnpack writes anchors as <a id="filepos..." />, which an HTML parser reads as an open
    # link swallowing the rest of the book.
    document = parse_html(_SELF_CLOSED_ANCHOR.sub(r"<a\1></a>", text), path)
    from bookmaker.readers.html import ao3_calibre
    if ao3_calibre.looks_like_download("".join(document.body.itertext())):
        from bookmaker.readers.html.ao3_work import book_from_work
        from bookmaker.readers.html.blocks import HtmlSource
        images = _Images(html.parent)
        work = ao3_calibre.work_from_mobi(document.body, HtmlSource(path, images.resolve))
        book, found = book_from_work(work, path)
        return dataclasses.replace(book, embedded=tuple(images.embedded.values())), found
    from bookmaker.readers import html as page_reader
    return page_reader.book_from_document(document, path)

"""What every reader must survive: the inputs the property tests and the fuzz harness share.

Each target is a hypothesis strategy of file contents and the extension to save them under. The
check is the same for all: reading the file gives a Book or raises bookmaker's ManuscriptError
naming the file, never any other exception. ``tests/test_properties.py`` runs the targets with the
default (short) profile in every test run; ``fuzz/run.py`` runs them for minutes with many more
examples. Inputs mix the markup each format is made of with arbitrary text and bytes, so the
generator reaches the readers' parsers rather than stopping at "binary file".
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from hypothesis import strategies as st

from bookmaker import readers
from bookmaker.errors import ManuscriptError
from bookmaker.model import Book

_ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)

_MARKDOWN_PIECES = ["---", "title: T", "rating: Mature", "authors: [a, b]", "tags: !!binary x",
                    "a: &x [*x]", "# Chapter", "## Sub", "> ", ">>>", "* * *", "***", "- ", "1. ",
                    "![img](a.png)", "![x](../../etc/passwd)", "[link](http://127.0.0.1:9/)",
                    "[^1]", "[^1]: note", "::: note", ":::", "::: warnings", "```", "    code",
                    "<div>", "</div>", "<img src=x>", "<script>x</script>", "*a ", "**b**", "_c_",
                    "~~s~~", "[", "]", "(", ")", "|a|b|", "|-|-|", "\\", "&amp;", "&#0;", "<!--",
                    "\t", "  ", "", ""]
_TEXT_PIECES = ["Title: T", "Author: A", "Rating: Teen", "Rating: X", "Warnings: None",
                "Summary:", "Chapter 1", "CHAPTER TWO", "Prologue", "* * *", "oOo", "~~~",
                "A/N: note", "*** START OF THE PROJECT GUTENBERG EBOOK X ***",
                "*** END OF THE PROJECT GUTENBERG EBOOK X ***", "Produced by x", "*a ", "_b_",
                "He said.", "", "", "\f", "\x1a"]
_HTML_PIECES = ["<html>", "<head>", "<title>T</title>", "<body>", "<h1>", "</h1>", "<h2>Ch</h2>",
                "<p>", "</p>", "<br>", "<hr>", "<em>", "</em>", "<b>", "<blockquote>",
                "<div id=\"workskin\">", "<div class=\"userstuff\">", "<dl class=\"tags\">",
                "<dt>Rating:</dt><dd>Mature</dd>", "<img src=\"file:///etc/passwd\">",
                "<iframe src=\"http://127.0.0.1:9/\">", "<object data=\"x\">",
                "<link rel=\"attachment\" href=\"/etc/passwd\">", "<style>@import url(x)</style>",
                "<table><tr><td>", "<ol><li>", "&nbsp;", "&bogus;", "<![CDATA[", "<?xml ?>",
                "<!DOCTYPE html>", "<svg><script>", "</", ">", "\""]


def _joined(pieces: list[str]) -> st.SearchStrategy[bytes]:
    line = st.one_of(st.sampled_from(pieces), _ANY_TEXT,
                     st.tuples(st.sampled_from(pieces), _ANY_TEXT).map("".join))
    encoding = st.sampled_from(["utf-8", "utf-16", "cp1252", "latin-1"])
    return st.tuples(st.lists(line, max_size=40), encoding).map(
        lambda drawn: "\n".join(drawn[0]).encode(drawn[1], "replace"))


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


_DOCX_BODY = st.lists(st.sampled_from([
    "<w:p><w:r><w:t>Text</w:t></w:r></w:p>",
    "<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/></w:pPr><w:r><w:t>Ch</w:t></w:r></w:p>",
    "<w:p><w:r><w:rPr><w:i/></w:rPr><w:t>it</w:t></w:r></w:p>", "<w:p>", "</w:p>", "<w:tbl>",
    "<w:p><w:r><w:drawing><a:blip r:embed=\"rId9\"/></w:drawing></w:r></w:p>", "&amp;", "&x;",
]), max_size=12).map("".join)
_DOCX_DOCUMENT = _DOCX_BODY.map(lambda body: (
    '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
    'wordprocessingml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
    ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>'
    f"{body}</w:body></w:document>").encode())
_CONTENT_TYPES = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                  b'package/2006/content-types"><Default Extension="xml" ContentType="'
                  b'application/vnd.openxmlformats-officedocument.wordprocessingml.document.'
                  b'main+xml"/></Types>')
_RELS = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
         b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
         b'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
         b'</Relationships>')
DOCX = st.one_of(
    _DOCX_DOCUMENT.map(lambda doc: _zip({"[Content_Types].xml": _CONTENT_TYPES,
                                          "_rels/.rels": _RELS, "word/document.xml": doc})),
    st.binary(max_size=300).map(lambda junk: _zip({"word/document.xml": junk})),
    st.binary(max_size=300),
)

# extension -> strategy of file contents
TARGETS: dict[str, st.SearchStrategy[bytes]] = {
    ".md": st.one_of(_joined(_MARKDOWN_PIECES), st.binary(max_size=200)),
    ".txt": st.one_of(_joined(_TEXT_PIECES), st.binary(max_size=200)),
    ".html": st.one_of(_joined(_HTML_PIECES), st.binary(max_size=200)),
    ".docx": DOCX,
}
_CONTAINER = (b'<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:'
              b'opendocument:xmlns:container"><rootfiles><rootfile full-path="content.opf" '
              b'media-type="application/oebps-package+xml"/></rootfiles></container>')
_OPF_PIECES = st.lists(st.sampled_from([
    '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>T</dc:title></metadata>',
    '<manifest><item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/>',
    '<item id="gone" href="missing.xhtml" media-type="application/xhtml+xml"/>',
    '<item id="up" href="../../etc/passwd" media-type="application/xhtml+xml"/>', "</manifest>",
    '<spine><itemref idref="c1"/><itemref idref="gone"/><itemref idref="up"/></spine>',
    "<spine>", "&x;", "<",
]), max_size=8).map(lambda body: (
    '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
    f"{''.join(body)}</package>").encode())
_CHAPTER = _joined(_HTML_PIECES).map(lambda html: b'<html xmlns="http://www.w3.org/1999/xhtml">'
                                     b"<body>" + html.replace(b"\0", b"") + b"</body></html>")
EPUB = st.one_of(
    st.tuples(_OPF_PIECES, _CHAPTER).map(lambda parts: _zip({
        "mimetype": b"application/epub+zip", "META-INF/container.xml": _CONTAINER,
        "content.opf": parts[0], "c1.xhtml": parts[1]})),
    st.binary(max_size=300),
)
if ".epub" in readers.READERS:  # the EPUB reader is fuzzed like the others once it is there
    TARGETS[".epub"] = EPUB


def read_or_refuse(folder: Path, extension: str, data: bytes) -> Book | ManuscriptError:
    """Read ``data`` saved as a file with ``extension``: the Book, or the ManuscriptError, which
    must name the file. Any other exception propagates and fails the property. (The file is kept
    in a folder conftest's EPUBCheck sweep knows holds inputs, not books bookmaker made.)"""
    path = folder / "not-built-by-bookmaker" / f"input{extension}"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    try:
        book = readers.read(path)
    except ManuscriptError as error:
        assert error.path == str(path), error
        return error
    assert isinstance(book, Book)
    return book

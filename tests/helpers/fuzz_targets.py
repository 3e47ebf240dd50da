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

from kindle import font_record, huff_book, mobi_book, story_html

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
    # What damaged exporters leave in the XML parts: symbols, spans and links that lie.
    '<w:p><w:r><w:sym w:font="Wingdings" w:char="zz"/></w:r></w:p>',
    '<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="x"/></w:tcPr><w:p/></w:tc></w:tr></w:tbl>',
    '<w:tbl><w:tr><w:tc><w:tcPr><w:vMerge w:val="continue"/></w:tcPr><w:p/></w:tc></w:tr>'
    "</w:tbl>", '<w:p><w:hyperlink r:id="rId7"><w:r><w:t>l</w:t></w:r></w:hyperlink></w:p>',
    '<w:p><w:r><w:footnoteReference w:id="9"/></w:r></w:p>',
    '<w:p><w:pPr><w:numPr><w:ilvl w:val="x"/><w:numId w:val="3"/></w:numPr></w:pPr></w:p>',
    "<w:tbl><w:tr><w:tc>" * 30, "</w:tc></w:tr></w:tbl>",
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

# YAML front matter as strangers write it: impossible dates, huge numbers, tags, anchors,
# nesting, and the wrong type for every field.
_YAML_VALUES = ["2020-13-45", "2020-02-30", "9" * 5000, "1e999", "-0x1F", ".nan", "~", "[]",
                "{}", "!!binary aGk=", "!!python/object:os.system x", "&a [*a, *a]", "*a",
                "[[[[[[[[x]]]]]]]]", "{a: {b: {c: d}}}", "'[/bold]'", '"\\x1b[2J"', "|", ">-",
                "2001-12-14t21:59:43.10-05:00", "yes", "0o777", "12:30:00", "'", "\"", ":", "-"]
_YAML_KEYS = ["title", "author", "authors", "date", "published", "rating", "words", "chapter",
              "series", "fandom", "tags", "language", "summary", "cover", "? complex", "<<"]
FRONT_MATTER = st.lists(st.tuples(st.sampled_from(_YAML_KEYS),
                                  st.one_of(st.sampled_from(_YAML_VALUES), _ANY_TEXT)),
                        max_size=12).map(
    lambda fields: ("---\n" + "".join(f"{key}: {value}\n" for key, value in fields)
                    + "---\n\nStory text.\n").encode("utf-8", "surrogatepass"))

# extension -> strategy of file contents
TARGETS: dict[str, st.SearchStrategy[bytes]] = {
    ".md": st.one_of(_joined(_MARKDOWN_PIECES), FRONT_MATTER, st.binary(max_size=200)),
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
if ".epub" in readers.suffixes():  # the EPUB reader is fuzzed like the others once it is there
    TARGETS[".epub"] = EPUB

# Kindle books made the way real ones are (PalmDOC, stored, HUFF/CDIC text; EXTH; a font), then
# overwritten here and there, mostly in the headers and tables that KindleUnpack believes.
_KINDLE_STORY = story_html("A story.", "Her <b>second</b> line, and <a filepos=\"12\">a link</a>.")
_KINDLE_BOOKS = (mobi_book(_KINDLE_STORY), mobi_book(_KINDLE_STORY, compression=1),
                 huff_book(_KINDLE_STORY),
                 mobi_book(_KINDLE_STORY, resources=[font_record(b"\0\1\0\0" * 64)]))


def _overwritten(book: bytes, changes: list[tuple[int, bytes]]) -> bytes:
    data = bytearray(book)
    for position, patch in changes:
        position %= len(data)
        data[position:position + len(patch)] = patch
    return bytes(data)


KINDLE = st.one_of(
    st.tuples(st.sampled_from(_KINDLE_BOOKS),
              st.lists(st.tuples(st.one_of(st.integers(0, 700), st.integers(0, 2**20)),
                                 st.one_of(st.binary(min_size=1, max_size=8),
                                           st.sampled_from([b"\xff\xff\xff\xff", b"\0\0\0\0",
                                                            b"EXTH", b"FONT", b"BOUNDARY"]))),
                       min_size=1, max_size=6)).map(lambda drawn: _overwritten(*drawn)),
    st.binary(max_size=300),
)
TARGETS[".mobi"] = KINDLE
TARGETS[".azw3"] = KINDLE


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


# --------------------------------------------------------------------------- beyond the readers
# Inputs that are not manuscripts but come from strangers all the same: an SVG beside or inside a
# book, and the batch manifest in an output folder anyone may have edited. Each target is a
# strategy and a check that must hold for every input it draws.

_SVG_PIECES = ['<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/'
               'xlink">', "</svg>", '<g id="a">', "</g>", '<use xlink:href="#a"/>',
               '<use href="#b"/>', '<path id="b" d="M0 0"/>', "<script>alert(1)</script>",
               '<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject>',
               '<image href="http://127.0.0.1:9/x.png"/>', '<image href="file:///etc/passwd"/>',
               '<rect onload="x()" style="fill:url(http://127.0.0.1:9/)"/>',
               '<!DOCTYPE svg [<!ENTITY a "aaaa">]>', "&a;", "<style>@import url(x);</style>",
               '<set attributeName="href" to="javascript:x"/>', "<![CDATA[", "<", "&"]
SVG = st.one_of(
    st.lists(st.one_of(st.sampled_from(_SVG_PIECES), _ANY_TEXT), max_size=30).map(
        lambda parts: "".join(parts).encode("utf-8", "surrogatepass")),
    st.binary(max_size=200))


def svg_is_clean_or_refused(data: bytes) -> None:
    """clean_svg gives an SVG with nothing active or external left, or a ManuscriptError."""
    from bookmaker.safety.svg import clean_svg

    try:
        cleaned = clean_svg(data, "fuzz.svg")
    except ManuscriptError:
        return
    for word in (b"<script", b"onload", b"foreignObject", b"127.0.0.1", b"file:", b"<!ENTITY",
                 b"<set"):
        assert word not in cleaned, (word, cleaned)


_JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
              st.sampled_from(["../x.epub", "/etc/passwd", "a/../../b", "ok.epub", "C:x",
                               "a\\b", "", ".", "built", "failed", "x\x00y"])),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(
                                   ["sha256", "size", "mtime_ns", "options", "styles", "version",
                                    "status", "outputs", "error", "seconds", "warnings", "epub",
                                    "message", "file", "line", "other"]), children, max_size=8)),
    max_leaves=30)
MANIFEST = st.one_of(
    st.dictionaries(st.sampled_from(["a.md", "../b.md", "/c.md", "d/e.md", ""]), _JSON_VALUES,
                    max_size=4).map(lambda inputs: {"manifest_version": 1, "inputs": inputs}),
    _JSON_VALUES)


def manifest_is_kept_or_dropped(folder: Path, data: object) -> None:
    """Manifest.load never raises, and every output it keeps lies inside the output folder."""
    import json

    from bookmaker.batch.manifest import MANIFEST_NAME, Manifest

    out = folder / "manifest-fuzz"
    out.mkdir(exist_ok=True)
    (out / MANIFEST_NAME).write_text(json.dumps(data))
    manifest = Manifest.load(out)
    for path in manifest.taken_outputs():
        assert path.resolve().is_relative_to(out.resolve()), path


# `bookmaker check` on anyone's EPUB: pages and stylesheets made of what the device rules look
# at (self-closed tags, hidden text, links to a body's id, CSS functions and at-rules), some of
# them nested thousands deep, with broken bytes and declarations in between.
_CHECK_XHTML_PIECES = ["<p>", "</p>", "<i/>", "<span/>", "<br/>", '<a href="#top">x</a>',
                       '<div hidden="">', '<p style="display: none">', "</div>", "<img/>",
                       '<img src="a.png"/>', "&nbsp;", "&eacute;", "&bogus;", "<style>",
                       "</style>", "@media screen {", "}", ".a{width:calc(1px)}", "\n",
                       '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></svg>', "<",
                       "\u00e9", "\udcff"]
_CSS_PIECES = ["@media screen {", "@supports (display: grid) {", "}", "{", ".a {", "display: flex",
               ";", "width: calc(", "var(--x)", ")", "(", "[", "]", "--ink: red", "/*", "*/",
               "@import url(x.css);", "\\", "'", '"', "\n", "1e999px", "url(", ":root {"]


def _nested(pieces: list[str]) -> st.SearchStrategy[str]:
    """Text joined from ``pieces``, any of them repeated up to 3,000 times in a row (nesting
    deeper than Python's recursion limit)."""
    return st.lists(st.tuples(st.sampled_from(pieces), st.sampled_from([1, 1, 1, 2, 50, 3000])),
                    max_size=30).map(lambda drawn: "".join(piece * times
                                                           for piece, times in drawn))


_CHECKED_OPF = (b'<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" '
                b'version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:'
                b'language>en</dc:language></metadata><manifest><item id="c1" href="c1.xhtml" '
                b'media-type="application/xhtml+xml"/><item id="s" href="s.css" media-type="text/'
                b'css"/></manifest><spine><itemref idref="c1"/></spine></package>')
CHECKED_EPUB = st.one_of(
    st.tuples(st.one_of(st.just(_CHECKED_OPF), _OPF_PIECES), _nested(_CHECK_XHTML_PIECES),
              _nested(_CSS_PIECES), st.booleans()).map(lambda parts: _zip({
                  "mimetype": b"application/epub+zip", "META-INF/container.xml": _CONTAINER,
                  "content.opf": parts[0],
                  "c1.xhtml": (b'<?xml version="1.0" encoding="utf-8"?>' if parts[3] else b"")
                  + b'<html xmlns="http://www.w3.org/1999/xhtml"><body id="top">'
                  + parts[1].encode("utf-8", "surrogateescape") + b"</body></html>",
                  "s.css": parts[2].encode()})),
    EPUB)


def check_names_the_book(folder: Path, data: bytes) -> None:
    """check_epub gives findings, each naming the book (or a file inside it), for any EPUB:
    never an exception, whatever the nesting or the bytes."""
    from bookmaker.check import TARGETS as DEVICE_TARGETS
    from bookmaker.check import check_epub

    path = folder / "not-built-by-bookmaker" / "checked.epub"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    for target in DEVICE_TARGETS:
        for finding in check_epub(path, target):
            assert finding.level in ("error", "warning"), finding
            assert finding.path and finding.path.startswith(str(path)), finding
            assert finding.message, finding


# name -> (strategy, check(folder, drawn)): fuzz/run.py runs these beside the reader targets.
CHECKS: dict[str, tuple[st.SearchStrategy, object]] = {
    "svg": (SVG, lambda _folder, data: svg_is_clean_or_refused(data)),
    "manifest": (MANIFEST, manifest_is_kept_or_dropped),
    "check": (CHECKED_EPUB, check_names_the_book),
}

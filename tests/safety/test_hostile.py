"""Hostile input: files made by strangers to attack the program reading them, or just very broken.

Each case asserts the safe outcome: the book builds without what it may not have, or one clear
message names the file; no connection is made; nothing is read outside the input's folder (plus
the styles and fonts) and nothing written outside the output folder; memory stays under a cap;
no half-written book is ever left in the output folder, even after kill -9.

Cases covered elsewhere and not repeated here: YAML tags and alias bombs in front matter
(test_reader_manuscript.py), safezip's and safexml's own limits (test_safezip.py,
test_safexml.py), a title that is a path in a manuscript and two works with one title
(test_cli.py, test_reader_manuscript.py), the PDF fetcher's refusals (test_writer_pdf.py), and
the batch time and memory limits (test_batch.py).
"""

from __future__ import annotations

import errno
import io
import json
import os
import signal
import struct
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest

from bookmaker import convert, readers
from bookmaker.safety import files as output
from bookmaker.batch.manifest import MANIFEST_NAME, Manifest
from bookmaker.errors import ManuscriptError
from bookmaker.model import plain_text
import contextlib

TESTS = Path(__file__).resolve().parent.parent
# Address space the build subprocess may use: a few hundred MB for Python, lxml and WeasyPrint,
# with room for real books; an attack that expands anything a thousandfold hits it.
MEMORY_CAP = 2 * 2**30
NOT_OURS = "not-built-by-bookmaker"
TEMP = Path(tempfile.gettempdir())


def png(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` pixels around a few bytes of data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\x00\x00\x00" * width if width < 100 else b"\x00" * 64)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


def zipped(entries: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(zipfile.ZipInfo(name), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


# ------------------------------------------------------------------ references, network, files

def hostile_references(port: int) -> list[str]:
    """Every way a manuscript can point out of its folder or at the network."""
    return ["/etc/passwd", "../secret/secret.png", "file:///SECRET/secret.png", "escape.png",
            f"http://127.0.0.1:{port}/web.png", f"https://127.0.0.1:{port}/tls.png",
            f"//127.0.0.1:{port}/scheme-relative.png"]


def raw_html(port: int) -> str:
    return (f'<p><img src="../secret/secret.png"/><link rel="attachment" '
            f'href="../secret/secret.txt"/><iframe src="http://127.0.0.1:{port}/frame"></iframe>'
            f'<object data="../secret/secret.txt"></object>'
            f'<embed src="http://127.0.0.1:{port}/embed"/></p>\n'
            f'<style>@import url("../secret/secret.css"); @import "http://127.0.0.1:{port}/i.css";'
            f' p {{ background: url("http://127.0.0.1:{port}/bg.png") }}</style>\n'
            f'<p style="background: url(../secret/secret.png)">Styled paragraph.</p>\n')


def docx_with_linked_images(port: int, secret: Path) -> bytes:
    """A DOCX whose images are ``r:link`` references (outside the file) instead of parts in it."""
    main = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    image_type = relationships + "/image"

    def drawing(relationship: str) -> str:
        return (f'<w:p><w:r><w:drawing><wp:inline><wp:docPr id="1" name="p"/><a:graphic>'
                f'<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
                f'<pic:pic><pic:blipFill><a:blip r:link="{relationship}"/></pic:blipFill>'
                f'</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>')
    document = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{main}" xmlns:r='
        f'"{relationships}" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/'
        f'wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
        f' xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body>'
        f'<w:p><w:r><w:t>Linked pictures.</w:t></w:r></w:p>{drawing("rIdFile")}'
        f'{drawing("rIdWeb")}</w:body></w:document>')
    rels = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        f'openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rIdFile" Type="{image_type}" Target="{secret.as_uri()}" '
        f'TargetMode="External"/><Relationship Id="rIdWeb" Type="{image_type}" '
        f'Target="http://127.0.0.1:{port}/linked.png" TargetMode="External"/></Relationships>')
    return zipped([
        ("[Content_Types].xml", b'<?xml version="1.0"?><Types xmlns="http://schemas.'
         b'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="'
         b'application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/word/'
         b'document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
         b'wordprocessingml.document.main+xml"/></Types>'),
        ("_rels/.rels", b'<?xml version="1.0"?><Relationships xmlns="http://schemas.'
         b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
         b'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         b'Target="word/document.xml"/></Relationships>'),
        ("word/document.xml", document.encode()),
        ("word/_rels/document.xml.rels", rels.encode()),
    ])


def epub_container(chapter: bytes, opf_extra: str = "", extra: list | None = None) -> bytes:
    """A small EPUB 3 holding ``chapter`` as its one page (``opf_extra`` goes in the manifest)."""
    opf = (
        '<?xml version="1.0" encoding="UTF-8"?><package xmlns="http://www.idpf.org/2007/opf" '
        'version="3.0" unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/'
        '1.1/"><dc:identifier id="id">urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e'
        '</dc:identifier><dc:title>Hostile EPUB'
        '</dc:title><dc:language>en</dc:language></metadata><manifest><item id="c1" '
        f'href="c1.xhtml" media-type="application/xhtml+xml"/>{opf_extra}</manifest>'
        '<spine><itemref idref="c1"/></spine></package>')
    container = (b'<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:'
                 b'opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf"'
                 b' media-type="application/oebps-package+xml"/></rootfiles></container>')
    return zipped([("mimetype", b"application/epub+zip"), ("META-INF/container.xml", container),
                   ("OEBPS/content.opf", opf.encode()), ("OEBPS/c1.xhtml", chapter),
                   *(extra or [])])


def xhtml(body: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
            f'<head><title>c</title></head><body>{body}</body></html>').encode()


# The build runs in a subprocess under an address-space cap, with an audit hook recording every
# file opened and every connection attempted; it prints the results and the events as JSON.
AUDITED_BUILD = """
import json, os, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
events = []
def audit(event, args):
    if event == "open" and isinstance(args[0], (str, bytes)):
        mode, flags = args[1] or "", args[2] or 0
        writing = any(c in mode for c in "wax+") or flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
        events.append(("write" if writing else "read", os.fsdecode(args[0])))
    elif event in ("socket.connect", "socket.getaddrinfo", "os.rename", "os.symlink"):
        events.append((event, repr(args)))
sys.addaudithook(audit)
from bookmaker.convert import build
jobs = json.loads(sys.argv[1])
results = [result for sources, formats in jobs for result in build(sources, formats, sys.argv[2])]
print(json.dumps({{"events": [(kind, os.path.abspath(what) if kind in ("read", "write") else what)
                             for kind, what in events],
                  "results": [{{"source": str(r.source), "error": r.error, "warnings": r.warnings,
                               "outputs": [str(o) for o in r.outputs]}} for r in results]}}))
"""


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory, listener):
    """Every hostile reference, page, DOCX, EPUB and pathological manuscript, built in one
    audited, memory-capped subprocess: its results and file and network events."""
    port, _ = listener
    root = tmp_path_factory.mktemp("hostile")
    secret, book, out = root / "secret", root / NOT_OURS, root / "out"
    secret.mkdir()
    book.mkdir()
    (secret / "secret.png").write_bytes(png(2, 2))
    (secret / "secret.txt").write_text("secret")
    (secret / "secret.css").write_text("p { color: red }")
    (book / "escape.png").symlink_to(secret / "secret.png")
    (book / "bomb.png").write_bytes(png(100_000, 100_000))
    references = [ref.replace("/SECRET", str(secret)) for ref in hostile_references(port)]
    images = "".join(f"![picture {n}]({ref})\n\n" for n, ref in enumerate(references, 1))
    (book / "references.md").write_text(
        f"---\ntitle: Hostile references\n---\n\nStory text.\n\n{images}![bomb](bomb.png)\n\n"
        f"{raw_html(port)}", encoding="utf-8")
    (book / "page.html").write_text(
        f"<html><head><title>Hostile page</title><link rel=stylesheet href="
        f"'../secret/secret.css'></head><body><h1>Hostile page</h1><p>Page text.</p>"
        f"{raw_html(port)}<img src='{(secret / 'secret.png').as_uri()}'></body></html>")
    (book / "linked.docx").write_bytes(docx_with_linked_images(port, secret / "secret.png"))
    (book / "pictures.epub").write_bytes(epub_container(xhtml(
        f'<p>EPUB text.</p><img src="../../secret/secret.png" alt="a"/>'
        f'<img src="http://127.0.0.1:{port}/epub.png" alt="b"/>{raw_html(port)}')))
    pathological = {"quotes.md": ">" * 5000 + " deep", "brackets.md": "[" * 20_000,
                    "stars.md": "*a " * 20_000}
    for name, text in pathological.items():
        (book / name).write_text(f"---\ntitle: {name}\n---\n\n{text}\n\nThe end.\n")
    jobs = [([str(book / "references.md"), str(book / "page.html"), str(book / "linked.docx"),
              str(book / "pictures.epub")], ["epub", "pdf"]),
            ([str(book / name) for name in pathological], ["epub"])]
    script = AUDITED_BUILD.format(cap=MEMORY_CAP)
    finished = subprocess.run([sys.executable, "-c", script, json.dumps(jobs), str(out)],
                              capture_output=True, text=True, timeout=600, cwd=root)
    assert finished.returncode == 0, finished.stderr[-3000:]
    report = json.loads(finished.stdout)
    return root, report["results"], report["events"]


def test_no_connection_is_attempted_for_any_url(hostile_build, listener):
    _, connections = listener
    _, _, events = hostile_build
    assert connections == []
    assert [event for event in events if event[0].startswith("socket")] == []


def test_nothing_outside_the_input_folder_is_read(hostile_build):
    root, _, events = hostile_build
    read = {path for kind, path in events if kind == "read"}
    assert not [path for path in read if path.startswith(str(root / "secret"))]
    assert "/etc/passwd" not in read
    inside_the_run = {path for path in read if path.startswith(str(root))}
    assert all(path.startswith((str(root / NOT_OURS), str(root / "out")))
               for path in inside_the_run)


def test_nothing_is_written_outside_the_output_folder(hostile_build):
    root, results, events = hostile_build
    written = {path for kind, path in events if kind == "write"}
    # Libraries' scratch files (WeasyPrint's fonts, in the system's temporary folder) are
    # allowed while they live; none may remain, and nothing else may be written.
    scratch = {path for path in written
               if Path(path).is_relative_to(TEMP) and not Path(path).is_relative_to(root)}
    assert not [path for path in scratch if Path(path) != TEMP and Path(path).exists()]
    elsewhere = written - scratch - {os.devnull}
    outside = [path for path in elsewhere if not path.startswith(str(root / "out") + os.sep)]
    assert elsewhere and outside == [], outside
    outputs = {Path(path).name for result in results for path in result["outputs"]}
    assert {path.name for path in (root / "out").iterdir()} == outputs


def test_every_hostile_reference_is_left_out_with_a_warning_and_the_books_build(hostile_build):
    _, results, _ = hostile_build
    assert [r["error"] for r in results if Path(r["source"]).name != "quotes.md"] == [None] * 6
    by_source = {Path(r["source"]).name: r for r in results}
    references = by_source["references.md"]
    assert [Path(path).suffix for path in references["outputs"]] == [".epub", ".pdf"]
    warnings = "\n".join(references["warnings"])
    for reference in ("/etc/passwd", "../secret/secret.png", "escape.png", "web.png", "tls.png",
                      "scheme-relative.png"):
        assert reference in warnings, reference
    assert "bomb.png' claims billions of pixels" in warnings
    with zipfile.ZipFile(references["outputs"][0]) as epub:
        assert [name for name in epub.namelist() if name.startswith("EPUB/images/")] == [
            "EPUB/images/cover.jpg"]  # the generated cover, none of the references
        text = b"".join(epub.read(name) for name in epub.namelist())
    assert b"127.0.0.1" not in text and b"secret" not in text and png(2, 2) not in text
    assert b"Styled paragraph." in text


def test_pathological_markdown_is_built_or_refused_in_bounded_memory_never_cut_short(
        hostile_build):
    root, results, _ = hostile_build
    by_source = {Path(r["source"]).name: r for r in results}
    for name, marker in (("brackets.md", b"["), ("stars.md", b"*a ")):
        [book] = by_source[name]["outputs"]
        with zipfile.ZipFile(book) as epub:
            pages = b"".join(epub.read(n) for n in epub.namelist() if n.endswith(".xhtml"))
        assert b"The end." in pages and pages.count(marker) >= 19_999, name
    # markdown-it silently drops what is nested past its limit: the reader says so instead.
    assert by_source["quotes.md"]["error"] == (
        f"{root / NOT_OURS / 'quotes.md'}:5: quotes, lists or notes are nested too deeply here "
        "(more than the 40 levels a manuscript may use) (no book needs that many; check the '>' "
        "or indentation)")


@pytest.mark.parametrize("depth, kept", [(30, True), (5000, False)])
def test_deep_nesting_keeps_every_word_or_is_refused(tmp_path, depth, kept):
    source = tmp_path / "deep.md"
    source.write_text(f"---\ntitle: Deep\n---\n\n{'>' * depth} deep\n\n"
                      + "".join("  " * n + f"- item{n}\n" for n in range(depth // 3)))
    if kept:
        words = plain_text(readers.read(source).chapters[0].blocks).split()
        assert words == ["deep", *(f"item{n}" for n in range(depth // 3))]
    else:
        with pytest.raises(ManuscriptError, match="nested too deeply"):
            readers.read(source)


# ------------------------------------------------------------------ hostile EPUB containers

BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE html [<!ENTITY a "aaaaaaaaaa">'
                  + "".join(f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">'
                            for n in range(8))
                  + ']><html xmlns="http://www.w3.org/1999/xhtml"><body><p>&i;</p></body></html>')


def hostile_epubs(secret: Path) -> dict[str, tuple[bytes, str]]:
    """name -> (EPUB bytes, what the one message must say)."""
    good = xhtml("<p>Text.</p>")
    bomb = b"\x00" * (64 * 2**20)
    return {
        "external-entity": (epub_container(
            f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
            f'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>&x;</p></body></html>'
            .encode()), "declares entities"),
        "billion-laughs": (epub_container(BILLION_LAUGHS.encode()), "declares entities"),
        "zip-slip": (epub_container(good, extra=[("../../evil.xhtml", good)]), "climbs out"),
        "absolute-name": (epub_container(good, extra=[("/etc/evil.xhtml", good)]), "absolute"),
        "duplicate-names": (epub_container(good, extra=[("OEBPS/C1.xhtml", good)]),
                            "name the same file"),
        "zip-bomb": (epub_container(good, extra=[("OEBPS/bomb.xhtml", bomb)]), "zip bomb"),
        "missing-item": (epub_container(good, opf_extra='<item id="c2" href="gone.xhtml" '
                                        'media-type="application/xhtml+xml"/>').replace(
            b'<itemref idref="c1"/>', b'<itemref idref="c1"/><itemref idref="c2"/>'), "gone.xhtml"),
    }


@pytest.fixture(scope="module")
def epub_results(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-epubs")
    folder = root / NOT_OURS
    folder.mkdir()
    (root / "secret.txt").write_text("TOP-SECRET")
    cases = hostile_epubs(root / "secret.txt")
    for name, (data, _) in cases.items():
        (folder / f"{name}.epub").write_bytes(data)
    results = convert.build([folder / f"{name}.epub" for name in cases], ["epub"], root / "out")
    return root, {result.source.stem: result for result in results}, cases


def test_hostile_epubs_are_refused_with_one_message_naming_the_file(epub_results):
    root, results, cases = epub_results
    for name, (_, expected) in cases.items():
        if name == "missing-item":
            continue
        error = results[name].error or ""
        assert error.startswith(str(root / NOT_OURS / f"{name}.epub")), (name, error)
        assert expected in error and "\n" not in error, (name, error)
        assert results[name].outputs == []


def test_a_manifest_item_missing_from_the_zip_is_named_and_the_rest_builds(epub_results):
    root, results, _ = epub_results
    result = results["missing-item"]
    assert result.error is None
    findings = [str(f) for f in readers.findings(root / NOT_OURS / "missing-item.epub")]
    assert any("'gone.xhtml' is not in the EPUB" in finding for finding in findings), findings
    with zipfile.ZipFile(result.outputs[0]) as book:
        assert b"Text." in book.read("EPUB/chapter-001.xhtml")


def test_no_hostile_epub_leaks_the_secret(epub_results):
    _root, results, _ = epub_results
    for result in results.values():
        assert "TOP-SECRET" not in (result.error or "") + "".join(result.warnings)
        for book in result.outputs:
            with zipfile.ZipFile(book) as epub:
                assert not any(b"TOP-SECRET" in epub.read(n) for n in epub.namelist())


# ------------------------------------------------------------------ garbage, empty and huge files

EXTENSIONS = (".md", ".txt", ".html", ".docx", ".epub")
GARBAGE = bytes(range(256)) * 64 + os.urandom(4096)


@pytest.mark.parametrize("extension", EXTENSIONS)
@pytest.mark.parametrize("content", [b"", GARBAGE], ids=["empty", "garbage"])
def test_empty_and_garbage_files_get_one_clear_message_and_nothing_is_written(
        tmp_path, extension, content):
    source = tmp_path / NOT_OURS / f"story{extension}"
    source.parent.mkdir()
    source.write_bytes(content)
    [result] = convert.build([source], ["epub"], tmp_path / "out")
    assert result.error and result.error.startswith(f"{source}:"), result.error
    assert "\n" not in result.error and "Traceback" not in result.error
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("extension", (".md", ".txt", ".html"))
def test_a_200_mb_text_file_is_refused_by_its_size_without_reading_it(tmp_path, extension):
    source = tmp_path / f"huge{extension}"
    with source.open("wb") as file:
        file.truncate(200 * 2**20)  # sparse: costs no disk
    tracemalloc.start()
    try:
        with pytest.raises(ManuscriptError, match="200 MB, more than the 64 MB") as refused:
            readers.read(source)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.path == str(source)
    assert peak < 2**20  # the sniffer's 64 KB head, not the file


# ------------------------------------------------------------------ titles and output folders

@pytest.mark.parametrize("name, content", [
    ("story.txt", "Title: ../../../escaped\n\nStory text.\n"),
    ("page.html", "<html><head><title>/tmp/escaped</title></head><body><p>Text.</p></body></html>"),
])
def test_a_title_that_is_a_path_never_leads_out_of_the_output_folder(tmp_path, name, content):
    folder = tmp_path / "a" / "b" / "c"
    folder.mkdir(parents=True)
    (folder / name).write_text(content)
    out = folder / "out"
    [result] = convert.build([folder / name], ["epub"], out)
    written = {p for p in tmp_path.rglob("*") if p.is_file()} - {folder / name}
    assert all(out in path.parents for path in written), written
    assert result.error or [p.parent for p in result.outputs] == [out]


@pytest.fixture
def manuscript(tmp_path) -> Path:
    path = tmp_path / "story.md"
    path.write_text("---\ntitle: A Story\n---\n\nOnce upon a time.\n")
    return path


def test_an_output_folder_that_is_a_file_gets_one_clear_message(tmp_path, manuscript):
    blocked = tmp_path / "out"
    blocked.write_text("not a folder")
    [result] = convert.build([manuscript], ["epub"], blocked / "books")
    assert result.error and "cannot write here" in result.error and "-o" in result.error
    assert blocked.read_text() == "not a folder"


@pytest.mark.parametrize("failure", [errno.ENOSPC, errno.EROFS, errno.EACCES])
@pytest.mark.parametrize("formats", [["epub"], ["pdf"]])
def test_a_full_or_read_only_output_folder_leaves_nothing_half_written(
        tmp_path, manuscript, monkeypatch, failure, formats):
    def fail(_fd):
        raise OSError(failure, os.strerror(failure))

    monkeypatch.setattr(output.os, "fsync", fail)
    [result] = convert.build([manuscript], formats, tmp_path / "out")
    assert result.error and os.strerror(failure) in result.error and "-o" in result.error
    assert list((tmp_path / "out").iterdir()) == []


# ------------------------------------------------------------------ kill -9

def test_a_later_write_removes_the_parts_a_killed_build_left(tmp_path):
    dest = tmp_path / "book.pdf"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = tmp_path / f".book.pdf.{dead}.abc123.part"
    stale.write_bytes(b"half a book")
    running = tmp_path / f".book.pdf.{os.getpid()}.def456.part"  # a live process's write
    running.write_bytes(b"in progress")
    other = tmp_path / f".other.pdf.{dead}.ghi789.part"
    other.write_bytes(b"another book's")
    output.atomic_write(dest, b"whole book")
    assert dest.read_bytes() == b"whole book"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["book.pdf", running.name, other.name])


def bookmaker(*args: str | Path, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bookmaker", *map(str, args)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})}, start_new_session=True)


def kill_tree(process: subprocess.Popen) -> None:
    """kill -9 the command and every worker it started, as a crash or the OOM killer would."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def complete(book: Path) -> bool:
    data = book.read_bytes()
    if book.suffix == ".pdf":
        return data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    with zipfile.ZipFile(book) as epub:
        return epub.testzip() is None and epub.read("mimetype") == b"application/epub+zip"


# ``bookmaker build`` that kills itself with SIGKILL just before its Nth rename of a finished
# temporary file into place: the worst moment, with a whole book written but not yet named.
KILLED_AT_RENAME = """
import os, signal, sys
renames = 0
def audit(event, args):
    global renames
    if event == "os.rename" and str(args[0]).endswith(".part"):
        renames += 1
        if renames == {n}:
            os.kill(os.getpid(), signal.SIGKILL)
sys.addaudithook(audit)
sys.argv[0] = "bookmaker"
from bookmaker.cli import app
app()
"""


def test_kill_9_during_a_build_leaves_only_whole_books_and_the_next_build_cleans_up(tmp_path):
    sources = tmp_path / "works"
    sources.mkdir()
    for n in range(3):
        (sources / f"work-{n}.md").write_text(f"---\ntitle: Work {n}\n---\n\nText {n}.\n")
    out = tmp_path / "out"
    command = ["build", str(sources), "-f", "epub", "-f", "pdf", "-o", str(out)]
    for n in (1, 4):
        killed = subprocess.run([sys.executable, "-c", KILLED_AT_RENAME.format(n=n), *command],
                                capture_output=True, text=True)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        visible = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
        assert len(visible) == n - 1 and all(complete(out / name) for name in visible), visible
        assert [p.name for p in out.glob(".*.part")]  # the book being named when it died
    finished = subprocess.run([sys.executable, "-m", "bookmaker", *command],
                              capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"work-{n}{suffix}" for n in range(3) for suffix in (".epub", ".pdf"))
    assert all(complete(book) for book in out.iterdir())


def test_kill_9_during_a_batch_leaves_a_consistent_manifest_and_the_next_run_finishes(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    # Enough slow works (0.4 s each, two at a time) that the kill lands well before the end,
    # even though the manifest is first saved only after about 2 s.
    works = 30
    for n in range(works):
        (archive / f"work-{n:02}.slow").write_text(f"---\ntitle: Work {n}\n---\n\nText {n}.\n")
    dist = tmp_path / "dist"
    plugin = {"BOOKMAKER_PLUGINS": "batch_plugin",
              "PYTHONPATH": os.pathsep.join([str(TESTS / "helpers"),
                                             os.environ.get("PYTHONPATH", "")])}
    process = bookmaker("batch", archive, "-o", dist, "--jobs", "2", env=plugin)
    deadline = time.monotonic() + 180
    while not (dist / MANIFEST_NAME).exists() \
            and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    kill_tree(process)
    done = Manifest.load(dist).entries  # valid JSON, or it would raise
    assert len(done) < works
    for entry in done.values():
        assert all(complete(dist / path) for paths in entry.outputs.values() for path in paths)
    books = [p for p in dist.rglob("*.epub") if not p.name.startswith(".")]
    assert all(complete(book) for book in books)
    finished = subprocess.run([sys.executable, "-m", "bookmaker", "batch", archive, "-o", dist,
                               "--jobs", "2"], capture_output=True, text=True,
                              env={**os.environ, **plugin})
    assert finished.returncode == 0, finished.stderr
    assert len(Manifest.load(dist).entries) == works
    assert len([p for p in dist.rglob("*.epub") if not p.name.startswith(".")]) == works

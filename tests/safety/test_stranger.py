"""A stranger's archive through the real command: no leak, no code, no escape, no hang, no
traceback.

Each case of issue 14 is a file (or a folder) made the way an attacker or a broken tool makes it,
run through ``bookmaker build``, ``import``, ``batch`` or ``watch`` as a user would, in an audited
subprocess (tests/helpers/stranger.py): no traceback, no connection or subprocess, nothing read in
the secret folder, nothing written outside the output folder, the secret in no output or message,
under 60 s and 2 GB, and a message naming the file (and the line where there is one).

Cases sharing a command run together in one subprocess, so the suite stays fast.
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from stranger import SECRET, assert_safe, run_audited, texts_in

pytestmark = pytest.mark.slow  # the fast tier leaves it out: pytest -m "not slow"

NOT_OURS = "not-built-by-bookmaker"  # inputs under this name are not EPUBChecked as our output
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


# ------------------------------------------------------------------ how strangers make files

def zipped(entries: list[tuple[str, bytes | str]],
           compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def docx(body: str, rels: bool = True, extra: tuple = ()) -> bytes:
    """A minimal Word package around ``body`` (what a broken exporter leaves)."""
    document = (f'<?xml version="1.0"?><w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>'
                f'<w:p><w:r><w:t>Story text.</w:t></w:r></w:p>{body}</w:body></w:document>')
    entries = [
        ("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats'
         '.org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
         'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
         '"application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
         'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
        ("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats'
         '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
         'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/'
         'document.xml"/></Relationships>'),
        ("word/document.xml", document), *extra]
    if rels:
        entries.append(("word/_rels/document.xml.rels", '<?xml version="1.0"?><Relationships '
                        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>'))
    return zipped(entries)


def epub(pages: dict[str, bytes], spine: list[str], css: str = "",
         compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """An EPUB of ``pages`` read in ``spine`` order, with a stylesheet when ``css`` is given;
    stored (ZIP_STORED) for a page of one repeated tag, which compresses past the zip-bomb
    ratio."""
    items = "".join(f'<item id="p{n}" href="{name}" media-type="application/xhtml+xml"/>'
                    for n, name in enumerate(pages))
    items += '<item id="css" href="style.css" media-type="text/css"/>' if css else ""
    ids = {name: f"p{n}" for n, name in enumerate(pages)}
    # Each spine entry names the page through an id of its own: de-duplicating ids is not enough.
    items += "".join(f'<item id="d{n}" href="{name}" media-type="application/xhtml+xml"/>'
                     for n, name in enumerate(spine))
    refs = "".join(f'<itemref idref="d{n}"/>' for n, _ in enumerate(spine))
    opf = ('<?xml version="1.0" encoding="UTF-8"?><package xmlns="http://www.idpf.org/2007/opf" '
           'version="3.0" unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/'
           '1.1/"><dc:identifier id="id">urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e'
           '</dc:identifier><dc:title>Spine</dc:title><dc:language>en</dc:language></metadata>'
           f'<manifest>{items}</manifest><spine>{refs}</spine></package>')
    del ids
    container = ('<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:'
                 'opendocument:xmlns:container"><rootfiles><rootfile full-path="content.opf" '
                 'media-type="application/oebps-package+xml"/></rootfiles></container>')
    return zipped([("mimetype", "application/epub+zip"), ("META-INF/container.xml", container),
                   ("content.opf", opf), *pages.items(), *([("style.css", css)] if css else [])],
                  compression)


def epub_with_svg(svg: str) -> bytes:
    """An EPUB whose one page shows ``svg``, an image inside the container."""
    opf = ('<?xml version="1.0" encoding="UTF-8"?><package xmlns="http://www.idpf.org/2007/opf" '
           'version="3.0" unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/'
           '1.1/"><dc:identifier id="id">urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e'
           '</dc:identifier><dc:title>SVG inside</dc:title><dc:language>en</dc:language>'
           '</metadata><manifest><item id="p" href="page.xhtml" media-type="application/xhtml+'
           'xml"/><item id="s" href="a.svg" media-type="image/svg+xml"/></manifest><spine>'
           '<itemref idref="p"/></spine></package>')
    container = ('<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:'
                 'opendocument:xmlns:container"><rootfiles><rootfile full-path="content.opf" '
                 'media-type="application/oebps-package+xml"/></rootfiles></container>')
    return zipped([("mimetype", "application/epub+zip"), ("META-INF/container.xml", container),
                   ("content.opf", opf), ("a.svg", svg),
                   ("page.xhtml", xhtml('<p>Text.</p><p><img src="a.svg" alt="a"/></p>'))])


def xhtml(body: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
            f'<head><title>p</title></head><body>{body}</body></html>').encode()


def manuscript(front: str, body: str = "Story text.\n") -> str:
    return f"---\n{front}\n---\n\n{body}"


USE_BOMB = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            '<path id="a0" d="M0,0 L1,1"/>'
            + "".join(f'<g id="a{n}">' + f'<use xlink:href="#a{n - 1}"/>' * 10 + "</g>"
                      for n in range(1, 10)) + '<use xlink:href="#a9"/></svg>')
ENTITY_SVG = ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "' + "x" * 100 + '">'
              + "".join(f'<!ENTITY {chr(98 + n)} "' + f"&{chr(97 + n)};" * 10 + '">'
                        for n in range(6))
              + ']><svg xmlns="http://www.w3.org/2000/svg"><text>&g;</text></svg>')


def active_svg(port: int) -> str:
    return ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            'width="10" height="10" onload="alert(1)"><script>alert(document.cookie)</script>'
            f'<image xlink:href="http://127.0.0.1:{port}/svg.png" width="5" height="5"/>'
            '<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">html</p></foreignObject>'
            f'<rect width="10" height="10" style="fill:url(http://127.0.0.1:{port}/x)"/>'
            '<a href="javascript:alert(1)"><circle r="3"/></a></svg>')


# name -> (file content, what the one message about it says, whether it names a line).
# A None message: the book builds (the attack is defused, nothing to say).
def content_cases(port: int) -> dict[str, tuple[bytes | str, str | None]]:
    table = "<w:tbl><w:tr><w:tc>"
    return {
        "date.md": (manuscript("title: D\ndate: 2020-13-45"), "date.md:3: the front matter"),
        "digits.md": (manuscript("title: N\nwords: " + "9" * 5000),
                      "digits.md:3: the front matter holds a value"),
        "long-title.md": (manuscript("title: " + "W" * 20_000), None),
        "ol-start.md": (manuscript("title: O", '<ol start="²"><li>one</li></ol>\n\nText.\n'),
                        None),
        "ol-start.html": ('<html><head><title>O</title></head><body><ol start="²">'
                          '<li>one</li></ol><p>Text.</p></body></html>', None),
        "quotes.html": ("<html><head><title>Q</title></head><body>" + "<blockquote>" * 250
                        + "deep" + "</blockquote>" * 250 + "</body></html>",
                        "quotes.html:1: quotes, lists, emphasis or tags are nested more than 100"),
        "emphasis.md": (manuscript("title: E", "<em>" * 250 + "deep" + "</em>" * 250 + "\n"),
                        "emphasis.md:5: quotes, lists, emphasis or tags are nested more than"),
        "stars.md": (manuscript("title: S", "*" * 250 + "deep" + "*" * 250 + "\n"),
                     "stars.md:5: quotes, lists, emphasis or tags are nested more than"),
        # An unknown rating is a warning that keeps the value (readers/metadata.py); the value
        # is rich markup, printed as it is.
        "rating.md": (manuscript("title: R\nrating: '[/bold]'"),
                      "rating.md:3: warning: unknown rating '[/bold]'"),
        "x[-y]z.md": (manuscript("title: x\nrating: '[/red]'"), "x[-y]z.md:3"),
        "links.md": (manuscript("title: L", "![" * 750_000 + "\n"),
                     "links.md:5: a paragraph holds 750,000 '['"),
        "empties.md": (manuscript("title: P", "&nbsp;\n\n" * 2_000_000), "more than 200,000"),
        "front.md": ("---\ntitle: F\nsummary: |\n" + "  words words words\n" * 650_000
                     + "---\n\nText.\n", "front.md:1: the front matter is longer"),
        "sym.docx": (docx('<w:p><w:r><w:sym w:font="Wingdings" w:char="zz"/></w:r></w:p>'),
                     "sym.docx: the Word document is damaged"),
        "gridspan.docx": (docx('<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="x"/></w:tcPr>'
                               '<w:p/></w:tc></w:tr></w:tbl>'), "gridspan.docx: the Word"),
        "no-rels.docx": (docx('<w:p><w:hyperlink r:id="rId9"><w:r><w:t>x</w:t></w:r>'
                              '</w:hyperlink></w:p>', rels=False), "no-rels.docx: the Word"),
        "footnote.docx": (docx('<w:p><w:r><w:footnoteReference w:id="5"/></w:r></w:p>'),
                          "footnote.docx: the Word"),
        "image-rel.docx": (docx('<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.'
                                'openxmlformats.org/drawingml/2006/wordprocessingDrawing">'
                                '<wp:docPr id="1" name="p"/><a:graphic xmlns:a="http://schemas.'
                                'openxmlformats.org/drawingml/2006/main"><a:graphicData><pic:pic '
                                'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/'
                                'picture"><pic:blipFill><a:blip r:embed="rId7"/></pic:blipFill>'
                                '</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing>'
                                '</w:r></w:p>'), "image-rel.docx: the Word"),
        "nested-tables.docx": (docx(table * 80 + "<w:p/>" + "</w:tc></w:tr></w:tbl>" * 80),
                               "nested-tables.docx"),
        "unused-parts.docx": (docx("", extra=tuple(
            (f"customXml/item{n}.xml", "<a>" + base64.b64encode(os.urandom(75_000)).decode()
             + "</a>") for n in range(60))), None),
        "spine.epub": (epub({"page.xhtml": xhtml("<p>" + "Many words here. " * 50_000 + "</p>")},
                            ["page.xhtml"] * 400), None),
        "svg-inside.epub": (epub_with_svg(active_svg(port)), None),
        "pictures.md": (manuscript("title: Pictures",
                                   "Text.\n\n![bomb](bomb.svg)\n\n![entities](entities.svg)\n\n"
                                   "![active](active.svg)\n\n![fine](fine.svg)\n"), None),
    }


@pytest.fixture(scope="module")
def archive(tmp_path_factory, listener):
    """A stranger's folder of every content case, with a secret beside it; built once."""
    port, _ = listener
    root = tmp_path_factory.mktemp("stranger")
    secret = root / "secret"
    secret.mkdir()
    (secret / "secret.txt").write_text(SECRET)
    folder = root / NOT_OURS
    folder.mkdir()
    cases = content_cases(port)
    for name, (content, _) in cases.items():
        data = content.encode() if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    (folder / "bomb.svg").write_text(USE_BOMB)
    (folder / "entities.svg").write_text(ENTITY_SVG)
    (folder / "active.svg").write_text(active_svg(port))
    (folder / "fine.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" '
                                     'height="4"><rect width="4" height="4"/></svg>')
    (folder / "leak.txt").symlink_to(secret / "secret.txt")
    os.mkfifo(folder / "fifo.md")
    return root, folder, secret, cases


def test_every_content_case_builds_or_gets_one_located_message(archive):
    root, folder, secret, cases = archive
    out = root / "out"
    run = run_audited("build", folder, "-o", out, "-f", "epub", cwd=root)
    assert_safe(run, root, out, secret)
    lines = run.stderr.splitlines()
    for name, (_, message) in cases.items():
        about = [line for line in lines if line.startswith(f"{folder / name}")]
        if message is None:
            assert not [line for line in about if "warning" not in line], (name, about)
        else:
            assert [line for line in about if message in line], (name, message, about)
    built = {path.name for path in out.iterdir()}
    assert "o.epub" in built and "pictures.epub" in built and "spine.epub" in built
    with zipfile.ZipFile(out / "svg-inside.epub") as book:  # an SVG from inside a container
        [svg] = [book.read(name) for name in book.namelist() if name.endswith(".svg")]
    assert b"<svg" in svg and b"<script" not in svg and b"onload" not in svg
    assert b"127.0.0.1" not in svg and b"foreignObject" not in svg


def test_a_symlinked_manuscript_and_a_fifo_are_refused_by_name(archive):
    root, folder, secret, _ = archive
    out = root / "out-links"
    run = run_audited("build", folder / "fifo.md", folder / "leak.txt", "-o", out, cwd=root)
    assert_safe(run, root, out, secret)
    assert f"{folder / 'fifo.md'}: file is not a regular file (a named pipe)" in run.stderr
    assert f"{folder / 'leak.txt'}: file is a symbolic link" in run.stderr
    assert not out.exists()


def test_svg_is_cleaned_or_left_out_and_the_pdf_finishes(archive, listener):
    root, folder, secret, _ = archive
    out = root / "out-pdf"
    run = run_audited("build", folder / "pictures.md", "-o", out, "-f", "epub", "-f", "pdf",
                      cwd=root)
    assert_safe(run, root, out, secret)
    assert listener[1] == []
    assert f"{folder / 'pictures.md'}:7: warning: image 'bomb.svg' expands" in run.stderr
    assert f"{folder / 'pictures.md'}:9: warning: refused XML" in run.stderr
    with zipfile.ZipFile(out / "pictures.epub") as book:
        svgs = [book.read(n) for n in book.namelist() if n.endswith(".svg")]
        everything = b"".join(book.read(n) for n in book.namelist())
    assert len(svgs) == 2  # active.svg, cleaned, and fine.svg
    for word in (b"<script", b"onload", b"foreignObject", b"127.0.0.1", b"javascript:"):
        assert word not in everything, word
    assert (out / "pictures.pdf").read_bytes().startswith(b"%PDF")


def test_import_and_batch_refuse_the_symlink_and_name_each_file(archive):
    root, _, secret, _ = archive
    source = root / "small"
    source.mkdir()
    (source / "story.md").write_text(manuscript("title: Story", "Text.\n\n![gone](gone.png)\n"))
    (source / "leak.txt").symlink_to(secret / "secret.txt")
    long_name = "l" * 241 + ".md"
    (source / long_name).write_text(manuscript("title: Long"))
    escape = "bell\x1b]0;owned\x07\x1b[2J.md"
    (source / escape).write_text(manuscript("title: E", body=""))  # fails: named, escaped
    (source / "x[").mkdir()
    # A failing work whose path is rich markup: the summary names it as it is.
    (source / "x[" / "y]z.md").write_text(manuscript("title: '[/bold]'", body=""))
    out = root / "imported"
    run = run_audited("import", source, "-o", out, cwd=root)
    assert_safe(run, root, out, secret)
    assert f"{source / 'story.md'}:7: warning: image 'gone.png'" in run.stderr
    assert f"{source / 'leak.txt'}: file is a symbolic link" in run.stderr
    dist = root / "dist"
    run = run_audited("batch", source, "-o", dist, "--jobs", "1", cwd=root)
    assert_safe(run, root, dist, secret)
    assert "leak.txt: file is a symbolic link" in run.output
    assert "x[/y]z.md" in run.output and "no story text" in run.output
    assert "bell\\x1b]0;owned\\x07\\x1b[2J.md" in run.output
    manifest = json.loads((dist / ".bookmaker-manifest.json").read_text())
    assert manifest["inputs"][long_name]["status"] == "built"


def test_a_tampered_manifest_is_rebuilt_and_never_leads_outside(tmp_path):
    source, dist = tmp_path / "works", tmp_path / "dist"
    source.mkdir()
    for name in ("a", "b", "c", "d"):
        (source / f"{name}.md").write_text(manuscript(f"title: {name.upper()}"))
    first = run_audited("batch", source, "-o", dist, "--jobs", "1", cwd=tmp_path)
    assert_safe(first, tmp_path, dist)
    path = dist / ".bookmaker-manifest.json"
    manifest = json.loads(path.read_text())
    entries = manifest["inputs"]
    entries["a.md"]["outputs"]["epub"] = "../outside.epub"
    entries["b.md"]["outputs"]["epub"] = str(tmp_path / "absolute.epub")
    entries["c.md"]["outputs"] = ["not", "a", "dict"]
    entries["d.md"]["error"] = 42
    entries["d.md"]["sha256"] = "0"
    manifest["inputs"]["../../escape.md"] = entries["c.md"]
    path.write_text(json.dumps(manifest))
    second = run_audited("batch", source, "-o", dist, "--jobs", "1", cwd=tmp_path)
    assert_safe(second, tmp_path, dist)
    assert second.returncode == 0, second.output
    assert sorted(p.name for p in tmp_path.iterdir() if p.name[0] != ".") == ["dist", "works"]
    rebuilt = json.loads(path.read_text())["inputs"]
    assert sorted(rebuilt) == ["a.md", "b.md", "c.md", "d.md"]
    assert [entry["outputs"]["epub"] for _, entry in sorted(rebuilt.items())] == [
        ["a.epub"], ["b.epub"], ["c.epub"], ["d.epub"]]


# ------------------------------------------------------------------ a bookmaker.toml and a theme

THEME_ATTACK = ("{{ lipsum.__globals__['os'].popen('touch " + "PWNED" + "').read() }}"
                "{{ cycler.__init__.__globals__.os.system('touch PWNED2') }}")


@pytest.mark.parametrize("setting, message", [
    ('out = "../elsewhere"', "bookmaker.toml:2: [build] out = '../elsewhere' leads outside"),
    ('out = "/tmp/elsewhere-i14"', "leads outside the folder of bookmaker.toml"),
    ('style = "~/theme"', "bookmaker.toml:2: [build] style = '~/theme' leads outside"),
    ('style = "../secret"', "[build] style = '../secret' leads outside"),
    ("workers = 40", "bookmaker.toml:2: [build] workers must be 1 to 16, not 40"),
    ("jobs = 40", "bookmaker.toml:2: [build] jobs must be at most 16 in a bookmaker.toml"),
    ("memory_limit = 100000", "[build] memory_limit must be at most 2048 in a bookmaker.toml"),
    ("timeout = 86400", "[build] timeout must be at most 300 in a bookmaker.toml"),
])
def test_a_config_in_the_archive_cannot_lead_outside_or_start_dozens_of_workers(
        tmp_path, setting, message):
    folder = tmp_path / NOT_OURS
    folder.mkdir()
    (tmp_path / "secret").mkdir()
    (folder / "bookmaker.toml").write_text(f"[build]\n{setting}\n")
    (folder / "story.md").write_text(manuscript("title: Story"))
    out = tmp_path / "out"
    run = run_audited("build", folder / "story.md", "-o", out, cwd=tmp_path)
    assert_safe(run, tmp_path, out, tmp_path / "secret")
    assert message in run.stderr, run.stderr
    assert run.returncode == 2  # a settings error: nothing was built
    assert sorted(p.name for p in tmp_path.iterdir() if p.name[0] != ".") == [NOT_OURS, "secret"]


def test_a_theme_in_the_archive_runs_no_code(tmp_path):
    folder = tmp_path / NOT_OURS
    (folder / "theme").mkdir(parents=True)
    (folder / "theme" / "chapter.xhtml.j2").write_text(THEME_ATTACK)
    (folder / "bookmaker.toml").write_text('[build]\nstyle = "./theme"\n')
    (folder / "story.md").write_text(manuscript("title: Story"))
    out = folder / "dist"
    run = run_audited("build", folder / "story.md", cwd=tmp_path)
    assert_safe(run, tmp_path, out)
    assert "theme template 'chapter.xhtml.j2'" in run.stderr and "sandbox" in run.stderr
    assert not list(tmp_path.rglob("PWNED*"))


# ------------------------------------------------------------------ watch

def test_watch_survives_files_appearing_and_vanishing(tmp_path):
    folder = tmp_path / "works"
    folder.mkdir()
    (folder / "story.md").write_text(manuscript("title: Story"))
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "bookmaker", "watch", str(folder), "-o",
                                str(out)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 180  # generous: a busy machine only makes it slower
        while not (out / "story.epub").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        for n in range(30):  # files come and go faster than a build
            temporary = folder / f"flash-{n}.md"
            temporary.write_text(manuscript(f"title: Flash {n}"))
            sub = folder / f"sub-{n}"
            sub.mkdir()
            (sub / "inner.md").write_text(manuscript("title: Inner"))
            temporary.unlink()
            (sub / "inner.md").unlink()
            sub.rmdir()
        # Saved again until it is built: the watcher starts after the first build, and a save
        # before that is not seen.
        saved = 0.0
        while not (out / "final.epub").exists() and time.monotonic() < deadline:
            if time.monotonic() - saved > 3:
                (folder / "final.md").write_text(manuscript("title: Final"))
                saved = time.monotonic()
            time.sleep(0.1)
        assert process.poll() is None
        assert (out / "final.epub").exists()
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert "Traceback" not in output, output


# ------------------------------------------------------------------ the open-once rule

def test_an_image_swapped_for_a_link_after_its_check_is_never_read(tmp_path):
    """The race of the issue, made certain: the image is replaced by a symlink to the secret
    after the pipeline read it; the writers never open it again, so the book has the image."""
    from bookmaker import convert
    from bookmaker.settings.context import render_context
    from bookmaker.writers import epub as epub_writer

    (tmp_path / "secret.png").write_bytes(b"\x89PNG" + SECRET.encode())
    folder = tmp_path / "book"
    folder.mkdir()
    picture = folder / "picture.png"
    from PIL import Image
    Image.new("RGB", (4, 4), "red").save(picture)
    original = picture.read_bytes()
    story = folder / "story.md"
    story.write_text(manuscript("title: Race", "Text.\n\n![p](picture.png)\n"))
    book = convert._typeset(convert.readers.read(story), story, render_context(None), [])
    picture.unlink()
    picture.symlink_to(tmp_path / "secret.png")
    epub_writer.write(book, tmp_path / "out" / "race.epub", render_context(None))
    text = texts_in(tmp_path / "out" / "race.epub")
    assert original in text and SECRET.encode() not in text


def test_an_image_in_a_folder_swapped_for_a_link_is_refused_on_the_descriptor(tmp_path):
    from bookmaker.errors import ManuscriptError
    from bookmaker.safety.inputs import read_input

    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "p.png").write_text(SECRET)
    book = tmp_path / "book"
    book.mkdir()
    (book / "images").symlink_to(tmp_path / "secret")
    with pytest.raises(ManuscriptError, match="lies outside the manuscript's folder"):
        read_input(book / "images" / "p.png", 1000, inside=book)


# ================================================================== issue 22, round two
#
# Every command under one budget; check linear and iterative; anthology.yaml kept in its folder;
# output folders that are the user's; cluster addresses checked before Dask sees them.

PLUGIN = ("batch_plugin",)  # test-only readers: .hang never returns, .hog eats memory unbounded
TIMEOUT = ("--timeout", "3")
MEMORY = ("--memory-limit", "500")
TOO_LONG = "took longer than 3 s, the time limit of one file (raise it with --timeout"
TOO_BIG = "needed more memory than the limit allows (raise it with --memory-limit"


@pytest.fixture(scope="module")
def runaways(tmp_path_factory):
    """A stranger's folder with a work that never finishes reading, one that eats memory
    without end, and a good work in a series (for the omnibus); an anthology of all three."""
    root = tmp_path_factory.mktemp("runaways")
    folder = root / NOT_OURS
    folder.mkdir()
    (folder / "never.hang").write_text(manuscript("title: Never"))
    (folder / "greedy.hog").write_text(manuscript("title: Greedy"))
    (folder / "good.md").write_text(manuscript("title: Good\nseries: Saga\nseries_index: 1\n"
                                               "rating: Mature Audiences"))  # a warning to see
    (folder / "anthology.yaml").write_text("title: All\nworks: [never.hang, greedy.hog, good.md]\n")
    return root, folder


@pytest.mark.parametrize("command, expected", [
    (["build", "{never}", "{hog}", "{good}", "-o", "{out}"], "{good} -> {out}/good.epub"),
    (["import", "{never}", "{hog}", "{good}", "-o", "{out}"], "{good} -> {out}/good.md"),
    (["check", "{never}", "{hog}", "{good}"], "{good}:5: warning: unknown rating"),
    (["build", "{folder}/anthology.yaml", "--skip-failed", "-o", "{out}"],
     "{folder}/anthology.yaml -> {out}/all.epub"),
    (["build", "{never}", "{hog}", "{good}", "--omnibus", "--skip-failed", "-o", "{out}"],
     "Saga -> {out}/saga.epub"),
], ids=["build", "import", "check", "anthology", "omnibus"])
def test_every_command_stops_a_runaway_file_at_the_same_limits(runaways, command, expected):
    """The same --timeout and --memory-limit on every command: the file that hangs and the one
    that eats memory each fail with one message naming them, and the good file still goes."""
    root, folder = runaways
    out = root / f"out-{command[0]}-{len(command)}"
    names = {"never": folder / "never.hang", "hog": folder / "greedy.hog",
             "good": folder / "good.md", "folder": folder, "out": out}
    run = run_audited(*[part.format(**names) for part in command], *TIMEOUT, *MEMORY,
                      cwd=root, plugins=PLUGIN)
    assert_safe(run, root, out)
    assert run.returncode == 1 if command[0] in ("check", "import") or "--skip-failed" not in \
        command else run.returncode == 0, run.output
    assert f"{names['never']}: " in run.output and TOO_LONG in run.output, run.output
    assert f"{names['hog']}: " in run.output and TOO_BIG in run.output, run.output
    assert expected.format(**names) in run.output, run.output


def test_inspect_stops_at_the_same_limits(runaways):
    root, folder = runaways
    for name, message, limit in (("never.hang", TOO_LONG, TIMEOUT), ("greedy.hog", TOO_BIG,
                                                                      MEMORY)):
        run = run_audited("inspect", folder / name, *limit, cwd=root, plugins=PLUGIN)
        assert_safe(run, root, root / "nothing")
        assert run.returncode == 1 and f"{folder / name}: {message}" in run.stderr, run.output


def test_a_batch_keeps_the_same_limits_in_each_worker(runaways):
    root, folder = runaways
    archive = root / "archive"
    archive.mkdir(exist_ok=True)
    for name in ("never.hang", "greedy.hog", "good.md"):
        (archive / name).write_bytes((folder / name).read_bytes())
    out = root / "batch-out"
    run = run_audited("batch", archive, "-o", out, "--jobs", "1", "-q", *TIMEOUT, "--memory-limit",
                      "300", cwd=root, plugins=PLUGIN)
    assert_safe(run, root, out)
    assert run.returncode == 1
    assert "never.hang: took longer than the time limit of 3 s" in run.stderr, run.output
    assert "greedy.hog: needed more memory than the limit of 300 MB" in run.stderr, run.output
    assert (out / "good.epub").exists()


def _wait_for_line(process: subprocess.Popen, wanted: tuple[str, ...], seconds: float = 60
                   ) -> list[str]:
    """The lines ``process`` prints until one holds each of ``wanted`` (or ``seconds`` pass)."""
    import threading

    lines: list[str] = []
    seen = threading.Event()

    def read() -> None:
        for line in process.stdout:
            lines.append(line)
            if all(any(text in got for got in lines) for text in wanted):
                seen.set()
        seen.set()

    threading.Thread(target=read, daemon=True).start()
    seen.wait(seconds)
    return lines


@pytest.mark.parametrize("command", ["watch", "preview"])
def test_watch_and_preview_stop_a_runaway_file_and_go_on(runaways, command):
    """The long-running commands take the same budget: the runaway's build fails with the same
    message, and the command is still running afterwards (the preview builds on a thread of its
    own, where the limit is enforced too)."""
    root, folder = runaways
    env = {**os.environ, "PYTHONUNBUFFERED": "1",
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent.parent / "helpers"),
                                          os.environ.get("PYTHONPATH", "")])}
    extra = ["-o", str(root / "watched")] if command == "watch" else ["--port", "0"]
    process = subprocess.Popen(
        [sys.executable, "-c", "import batch_plugin, sys; sys.argv[0] = 'bookmaker'; "
         "from bookmaker.cli import app; app()", command, str(folder / "never.hang"), *extra,
         "--timeout", "2"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=env, cwd=root)
    try:
        wanted = (f"{folder / 'never.hang'}: took longer than 2 s",
                  "watching for changes" if command == "watch" else "previewing")
        lines = _wait_for_line(process, wanted)
        assert process.poll() is None, "".join(lines)
        assert all(any(text in line for line in lines) for text in wanted), "".join(lines)
    finally:
        process.terminate()
        rest = process.communicate(timeout=60)[0]
    assert "Traceback" not in "".join(lines) + rest


# ------------------------------------------------------------------ check, linear and iterative

def _check_bombs(folder: Path) -> dict[str, tuple[bytes, str]]:
    """EPUBs that made ``check`` quadratic or recursive, and variants; each with a finding it
    must still give (so the file was read to the bottom, not given up on)."""
    stored = zipfile.ZIP_STORED
    nested = "@media screen {" * 3000 + ".a { display: flex }" + "}" * 3000
    functions = ".b { width: " + "calc(" * 3000 + "1px" + ")" * 3000 + " }"
    supports = "@supports (display: grid) {" * 3000 + ".c { --ink: red }" + "}" * 3000
    brackets = ".d { color: " + "[" * 5000 + "]" * 5000 + "; width: calc(1px) }"
    return {
        "italics.epub": (epub({"page.xhtml": xhtml("<p>" + "<i/>\n" * 500_000 + "</p>")},
                              ["page.xhtml"], compression=stored),
                         "more in this file (only the first 100 are listed)"),
        "spans.epub": (epub({"page.xhtml": xhtml("<p>" + '<span class="x"/>' * 300_000
                                                 + "</p>")}, ["page.xhtml"], compression=stored),
                       "[self-closed-element] <span/> is self-closed"),
        "nbsp.epub": (epub({"page.xhtml": xhtml("<p>" + "&nbsp;" * 500_000 + "</p>").replace(
            b"?><html", b"?>" + XHTML_DOCTYPE + b"<html", 1)}, ["page.xhtml"],
            compression=stored), "[document-size]"),
        "css-media.epub": (epub({"page.xhtml": xhtml("<p>x</p>")}, ["page.xhtml"], css=nested),
                           "[css-flex] display: flex"),
        "css-functions.epub": (epub({"page.xhtml": xhtml("<p>x</p>")}, ["page.xhtml"],
                                    css=functions), "[css-calc] width: calc(...)"),
        "css-style.epub": (epub({"page.xhtml": xhtml(f"<style>{supports}</style><p>x</p>")},
                                ["page.xhtml"]), "[css-var] the custom property --ink"),
        "css-brackets.epub": (epub({"page.xhtml": xhtml("<p>x</p>")}, ["page.xhtml"],
                                   css=brackets), "[css-calc] width: calc(...)"),
        "deep.epub": (epub({"page.xhtml": xhtml("<div>" * 5000 + "x" + "</div>" * 5000)},
                           ["page.xhtml"]), "[xml-well-formed]"),
        "hidden.epub": (epub({"page.xhtml": xhtml('<div hidden="">' * 200 + "h" * 200_000
                                                  + "</div>" * 200)}, ["page.xhtml"]),
                        "[hidden-text] 200,000 characters of hidden text"),
    }


XHTML_DOCTYPE = (b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" '
                 b'"http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">')


def test_check_reads_every_hostile_epub_to_the_bottom_in_linear_time(tmp_path):
    folder = tmp_path / NOT_OURS
    folder.mkdir()
    bombs = _check_bombs(folder)
    for name, (data, _) in bombs.items():
        (folder / name).write_bytes(data)
    run = run_audited("check", folder, cwd=tmp_path)
    assert_safe(run, tmp_path, tmp_path / "nothing")
    for name, (_, finding) in bombs.items():
        assert any(line.startswith(f"{folder / name}") and finding in line
                   for line in run.stdout.splitlines()), (name, finding, run.stdout[-2000:])
    assert len(run.stdout.splitlines()) < 2_000  # 100 of a rule per file, then a count


def test_hostile_epubs_build_and_import_too(tmp_path):
    folder = tmp_path / NOT_OURS
    folder.mkdir()
    for name, (data, _) in _check_bombs(folder).items():
        if name not in ("deep.epub", "italics.epub"):
            (folder / name).write_bytes(data)
    for command in ("build", "import"):
        out = tmp_path / command
        run = run_audited(command, folder, "-o", out, cwd=tmp_path)
        assert_safe(run, tmp_path, out)


# ------------------------------------------------------------------ anthology.yaml in its folder

OUTSIDE_WORKS = ["../*", "../secret/*", "../secret/secret.txt", "/etc/pass*", "/etc/passwd",
                 "/root/*", "/*/*/*/*/*/*/*", "~/*", "works/../../secret/*", "works/out/*",
                 "works/out/secret.txt", "works/leak.md", "*/*/*/*/*/*/*/*/*"]


def test_an_anthology_names_and_reads_nothing_outside_its_folder(tmp_path):
    """Every way out an anthology.yaml can try: the build names the anthology's file and the
    work's number, never a name found outside, reads nothing there, and ends at once."""
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "secret.txt").write_text(SECRET)
    (secret / f"{SECRET}.md").write_text(manuscript(f"title: {SECRET}"))
    folder = tmp_path / NOT_OURS
    (folder / "works").mkdir(parents=True)
    (folder / "works" / "story.md").write_text(manuscript("title: Story"))
    (folder / "works" / "out").symlink_to(secret)
    (folder / "works" / "leak.md").symlink_to(secret / f"{SECRET}.md")
    works = "".join(f"  - {pattern!r}\n" for pattern in OUTSIDE_WORKS)
    (folder / "anthology.yaml").write_text(f"title: Open\nworks:\n  - works/story.md\n{works}")
    out = tmp_path / "out"
    for skip in ((), ("--skip-failed",)):
        run = run_audited("build", folder / "anthology.yaml", "-o", out, *skip, cwd=tmp_path)
        assert_safe(run, tmp_path, out, secret)
        assert "passwd" not in run.output and "secret" not in run.output.replace(NOT_OURS, "")
        outside = [line for line in run.stderr.splitlines()
                   if "lies outside the anthology's folder" in line]
        assert len(outside) >= len(OUTSIDE_WORKS) - 3, run.stderr  # links: gate or no match
        assert all(f"{folder / 'anthology.yaml'}:2: " in line for line in outside)
        assert run.seconds < 30, run.seconds
    assert (out / "open.epub").exists()
    assert SECRET.encode() not in texts_in(out / "open.epub")


# ------------------------------------------------------------------ output folders are the user's

def _archive_with_links(root: Path) -> tuple[Path, Path]:
    """A stranger's archive shipping ``dist`` and ``manuscripts`` as links to a folder of the
    user's (``elsewhere``), a manuscript with an image, and an AO3 download."""
    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    archive = root / NOT_OURS
    archive.mkdir()
    (archive / "dist").symlink_to(elsewhere)
    (archive / "manuscripts").symlink_to(elsewhere)
    from PIL import Image
    Image.new("RGB", (4, 4), "red").save(archive / "p.png")
    (archive / "story.md").write_text(manuscript("title: Story", "Text.\n\n![p](p.png)\n"))
    return archive, elsewhere


@pytest.mark.parametrize("command, folder", [
    (["build", "story.md"], "dist"), (["build", "story.md", "-f", "epub", "-f", "pdf"], "dist"),
    (["import", "story.md"], "manuscripts"), (["batch", ".", "-o", "dist"], "dist"),
    (["build", "."], "dist"), (["build", "story.md", "--anthology", "A"], "dist"),
])
def test_an_archives_own_output_folder_link_is_refused(tmp_path, command, folder):
    archive, elsewhere = _archive_with_links(tmp_path)
    run = run_audited(*command, cwd=archive)
    assert_safe(run, tmp_path, archive / "nothing-may-be-written")
    assert f"{folder}: the output folder is a symbolic link" in run.stderr, run.output
    assert "pass -o" in run.stderr
    assert list(elsewhere.iterdir()) == []


def test_links_at_the_names_bookmaker_writes_are_refused_too(tmp_path):
    archive, elsewhere = _archive_with_links(tmp_path)
    for name in ("dist", "manuscripts"):
        (archive / name).unlink()
        (archive / name).mkdir()
    (archive / "dist" / "story.epub").symlink_to(elsewhere / "story.epub")
    (archive / "manuscripts" / "story-images").symlink_to(elsewhere)
    run = run_audited("build", "story.md", cwd=archive)
    assert_safe(run, tmp_path, archive / "dist")
    assert "dist/story.epub: is a symbolic link where bookmaker would write" in run.stderr
    run = run_audited("import", "story.md", cwd=archive)
    assert_safe(run, tmp_path, archive / "manuscripts")
    assert list(elsewhere.iterdir()) == []
    # A batch's mirrored folder, its manifest and its lock are names it writes.
    works = tmp_path / "works"
    (works / "sub").mkdir(parents=True)
    (works / "sub" / "story.md").write_text(manuscript("title: Sub"))
    for planted in ("sub", ".bookmaker-manifest.json", ".bookmaker-batch.lock"):
        out = tmp_path / f"out-{planted.strip('.')}"
        out.mkdir()
        (out / planted).symlink_to(elsewhere / planted)
        run = run_audited("batch", works, "-o", out, cwd=tmp_path)
        assert_safe(run, tmp_path, out)
        assert f"{out / planted}: is a symbolic link where bookmaker would write" in run.stderr
        assert list(elsewhere.iterdir()) == []


# ------------------------------------------------------------------ cluster addresses

@pytest.fixture
def not_dask():
    """A local server that answers like a web server (not Dask's): its port."""
    import socket
    import threading

    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def answer() -> None:
        while not stop.is_set():
            try:
                peer, _ = server.accept()
            except OSError:
                continue
            with peer:
                peer.settimeout(5)
                try:
                    peer.recv(4096)
                    peer.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    pass

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(timeout=30)
    server.close()


@pytest.fixture
def impostor():
    """A local server that greets exactly as a Dask scheduler does, then, once Dask has sent its
    own handshake, answers with a length of 2^62 bytes: its port."""
    import socket
    import struct
    import threading

    import msgpack

    handshake = msgpack.packb({"compression": None, "python": [3, 11, 7], "pickle-protocol": 5})
    greeting = struct.pack("<QQQ", 16 + len(handshake), 1, len(handshake)) + handshake
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def answer() -> None:
        while not stop.is_set():
            try:
                peer, _ = server.accept()
            except OSError:
                continue
            with peer:
                peer.settimeout(5)
                try:
                    peer.sendall(greeting)
                    if peer.recv(65536):  # Dask's handshake; the probe sends nothing
                        peer.sendall(struct.pack("<Q", 2**62))
                        peer.recv(1)
                except OSError:
                    pass

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(timeout=30)
    server.close()


def test_a_server_greeting_as_dask_does_then_lying_is_one_message(tmp_path, impostor):
    works = tmp_path / "works"
    works.mkdir()
    (works / "story.md").write_text(manuscript("title: Story"))
    out = tmp_path / "out"
    run = run_audited("batch", works, "-o", out, "--scheduler", f"tcp://127.0.0.1:{impostor}",
                      cwd=tmp_path)
    assert_safe(run, tmp_path, out, operator_ports=(impostor,))
    assert run.returncode == 1 and "cannot reach the Dask scheduler" in run.stderr
    assert "it answered with a message larger than memory" in run.stderr, run.output
    assert "Exception ignored" not in run.output and "MemoryError" not in run.output
    assert run.seconds < 45, run.seconds  # its half-made client is closed at once
    assert not out.exists()


@pytest.mark.parametrize("address, message", [
    ("tls://127.0.0.1:8786", "tls:// needs the cluster's certificates"),
    ("inproc://127.0.0.1/1/1", "inproc:// reaches only a scheduler inside this same process"),
    ("gopher://127.0.0.1:70", "gopher:// is not a transport Dask has"),
    ("tcp://[::1", "is not an address (Invalid IPv6 URL)"),
    ("tcp://127.0.0.1:65536", "is not an address (Port out of range"),
    ("tcp://127.0.0.1", "names no port"),
    ("ws://127.0.0.1:80", "ws:// needs Dask's websocket transport"),
    ("tcp://user@127.0.0.1:1", "holds more than a host and a port"),
    ("not dask", "is not an address"),
    ("tcp://no-such-host.invalid:8786", "cannot reach the Dask scheduler"),
    ("tcp://127.0.0.1:{port}", "something answers there, but"),  # and not as Dask does
])
def test_a_bad_cluster_address_is_one_message(tmp_path, not_dask, address, message):
    works = tmp_path / "works"
    works.mkdir()
    (works / "story.md").write_text(manuscript("title: Story"))
    out = tmp_path / "out"
    address = address.format(port=not_dask)
    run = run_audited("batch", works, "-o", out, "--scheduler", address, cwd=tmp_path)
    assert_safe(run, tmp_path, out, operator_ports=(not_dask, 8786))
    assert run.returncode == 1 and message in run.stderr, run.output
    assert "Exception ignored" not in run.output and "MemoryError" not in run.output
    assert len([line for line in run.stderr.splitlines() if line.strip()]) == 1, run.stderr
    assert not out.exists()


# ------------------------------------------------------------------ work skins

def test_hostile_work_skin_values_are_clamped_and_every_format_is_written(tmp_path):
    """A saved AO3 page whose skin asks for values no page can show (one of them failed the
    whole book with an internal error), pages whose skin is larger than the sniffing window,
    and one whose skin is past the skin's own limit: every format of each is written."""
    page = (Path(__file__).parent.parent / "data" / "ao3page" / "entire-work.html").read_text(
        encoding="utf-8")
    extreme = ("#workskin .sent { font-size: 1000000000px; line-height: 0; letter-spacing: "
               "-1e9px; word-spacing: 1e999px; margin: -1e9px; padding: 1e9%; text-indent: "
               "-1e9em; border: 1e9px solid red; border-radius: 1e9px; vertical-align: 1e9px }\n"
               "#workskin .received { font-size: 0; line-height: 1e9; font-weight: 1e9; "
               "color: rgb(1e9, -1e9, 0) }\n#workskin .phone { font-size: 1e-9px; margin: "
               + "1px " * 5000 + "; color: rgb(" + "calc(" * 200 + ")" * 201 + " }\n"
               + "".join(f"#workskin .big{n} {{ font-size: {n}e9px }}\n" for n in range(1, 40)))
    folder = tmp_path / NOT_OURS
    folder.mkdir()
    fillers = {"wide-skin.html": 3_000, "too-wide-skin.html": 6_000}
    (folder / "extreme.html").write_text(page.replace('<style type="text/css">',
                                                      '<style type="text/css">\n' + extreme))
    for name, rules in fillers.items():
        filler = "".join(f"#workskin .f{n} {{ margin: {n}px }}\n" for n in range(rules))
        (folder / name).write_text(page.replace('<style type="text/css">',
                                                '<style type="text/css">\n' + filler))
    out = tmp_path / "out"
    run = run_audited("build", folder, "-o", out, "-f", "epub", "-f", "pdf", "-f", "kepub",
                      cwd=tmp_path)
    assert_safe(run, tmp_path, out)
    assert run.returncode == 0, run.output
    assert f"{folder / 'extreme.html'}:11: warning: work skin: " in run.stderr
    assert "font-size: 1000000000px (made 64px)" in run.stderr
    assert "; and 33 more (the declarations are kept with these values)" in run.stderr
    assert max(len(line) for line in run.stderr.splitlines()) < 4_000  # each value cut short
    assert len(list(out.glob("*.pdf"))) == 3 and len(list(out.glob("*.kepub.epub"))) == 3
    assert "too long to be one" in run.stderr
    assert "only the article kept" not in run.stderr  # each read as an AO3 page, not a web page

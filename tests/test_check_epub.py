"""``bookmaker check BOOK.epub``: any EPUB linted against the device rules of bookmaker/check/."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bookmaker.check import check_epub, check_paths
from bookmaker.check.rules import DEVICES, RULES, rules_for
from bookmaker.convert import build
from bookmaker.errors import BookmakerError
from bookmaker.settings.options import BuildOptions
from paths import DATA, REPO, SEED

BLOCKERS = DATA / "check" / "kindle-blockers.epub"  # made by tests/data/check/make_fixtures.py
# Books deliberately broken here are not bookmaker's output: conftest.py does not EPUBCheck them.
FOREIGN = "not-built-by-bookmaker"


def run(*args: str | Path, cwd: Path | None = None):
    return subprocess.run([sys.executable, "-m", "bookmaker", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd or REPO, env=os.environ,
                          timeout=120)


def rule_ids(findings) -> set[str]:
    return {f.message.split("]")[0].lstrip("[") for f in findings if f.message.startswith("[")}


def test_every_rule_names_its_devices_what_breaks_what_to_do_and_its_source():
    for rule in RULES.values():
        assert rule.devices and set(rule.devices) <= set(DEVICES), rule.id
        assert rule.level in {"error", "warning"}
        assert rule.breaks and rule.fix and rule.source, rule.id
    assert {r.id for r in rules_for("kobo")} >= {"css-calc", "css-var", "css-flex"}
    assert "body-id-link" not in {r.id for r in rules_for("apple")}


def test_each_send_to_kindle_blocker_is_named_with_file_line_and_fix():
    findings = check_epub(BLOCKERS, "kindle")
    by_rule = {f.message.split("]")[0].lstrip("["): f for f in findings}
    story = f"{BLOCKERS}/kindle-blockers.html"
    assert by_rule["language-missing"].path == f"{BLOCKERS}/content.opf"
    assert (by_rule["xml-declaration-encoding"].path, by_rule["xml-declaration-encoding"].line) \
        == (story, 1)
    assert "windows-1252" in by_rule["xml-declaration-encoding"].message
    assert (by_rule["img-without-src"].path, by_rule["img-without-src"].line) == (story, 11)
    assert (by_rule["body-id-link"].path, by_rule["body-id-link"].line) == (story, 11)
    assert "#top" in by_rule["body-id-link"].message
    for rule in ("language-missing", "xml-declaration-encoding", "img-without-src",
                 "body-id-link"):
        assert by_rule[rule].level == "error" and by_rule[rule].hint == RULES[rule].fix


def test_the_command_prints_findings_and_exits_1_on_errors():
    result = run("check", BLOCKERS, "--target", "kindle")
    assert result.returncode == 1
    assert result.stdout.count("] ") >= 4
    assert f"{BLOCKERS}/kindle-blockers.html:11: [body-id-link]" in result.stdout
    assert "4 error(s)" in result.stderr and "Traceback" not in result.stderr


def test_an_unknown_target_is_refused():
    with pytest.raises(BookmakerError, match="nook"):
        check_paths([BLOCKERS], "nook")
    assert run("check", BLOCKERS, "--target", "nook").returncode == 2


@pytest.fixture(scope="module")
def own_books(tmp_path_factory) -> list[Path]:
    """bookmaker's own books: the seed in every theme, the kitchen sink as EPUB and kepub."""
    out = tmp_path_factory.mktemp("own")
    sources = [SEED, DATA / "kitchen-sink" / "input.md",
               DATA / "ao3html" / "multi-chapter-2024" / "input.html"]
    for style in ("default", "modern", "typewriter"):
        results = build(sources, ("epub", "kepub"), out / style,
                        options=BuildOptions(style=style))
        assert all(r.error is None for r in results)
    return sorted(out.rglob("*.epub"))


def test_bookmakers_own_books_break_no_rule_of_any_device(own_books):
    assert len(own_books) == 18
    for book in own_books:
        assert check_epub(book, "all") == [], book


def test_the_command_checks_a_whole_folder(own_books):
    result = run("check", own_books[0].parent.parent, "--target", "all")
    assert result.returncode == 0, result.stdout
    assert "ok: no errors, 0 warning(s)" in result.stdout


def test_kobo_css_rules_point_at_the_line(tmp_path):
    theme = tmp_path / "mytheme"
    theme.mkdir()
    (theme / "epub.css").write_text("body { margin: 0; }\n"
                                    ".a { width: calc(100% - 2em); }\n"
                                    ":root { --ink: #111; }\n"
                                    ".b { color: var(--ink); }\n"
                                    ".c { display: flex; }\n", encoding="utf-8")
    results = build([SEED], ("epub",), tmp_path / FOREIGN, options=BuildOptions(style=str(theme)))
    book = results[0].outputs[0]
    found = {(f.message.split("]")[0].lstrip("["), f.line) for f in check_epub(book, "kobo")}
    lines = dict(found)
    assert {"css-calc", "css-var", "css-flex"} <= set(lines)
    with zipfile.ZipFile(book) as archive:
        css = archive.read("EPUB/css/book.css").decode().splitlines()
    assert "calc(" in css[lines["css-calc"] - 1] and "flex" in css[lines["css-flex"] - 1]
    assert check_epub(book, "apple") == []  # Apple's engine reads all of it


def test_a_damaged_file_is_a_finding_not_a_traceback(tmp_path):
    broken = tmp_path / FOREIGN / "broken.epub"
    broken.parent.mkdir()
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    findings = check_epub(broken)
    assert [f.level for f in findings] == ["error"] and "zip" in findings[0].message
    half = tmp_path / FOREIGN / "half.epub"
    with zipfile.ZipFile(half, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip")
        archive.writestr("META-INF/container.xml", "<container><rootfiles>")
    assert rule_ids(check_epub(half)) == {"xml-well-formed", "package-missing"}


def test_import_then_build_repairs_a_blocked_book(tmp_path):
    assert run("import", BLOCKERS, "-o", tmp_path / "ms").returncode == 0
    assert run("build", tmp_path / "ms", "-o", tmp_path / "out").returncode == 0
    result = run("check", tmp_path / "out", "--target", "kindle")
    assert result.returncode == 0, result.stdout


def test_manuscripts_are_still_checked_beside_epubs(tmp_path):
    story = tmp_path / "story.md"
    story.write_text("---\ntitle: T\nrating: Mature Audiences\n---\n\nText.\n", encoding="utf-8")
    findings = check_paths([story, BLOCKERS], "kindle")
    assert any(f.path == str(story) and f.line == 3 for f in findings)
    assert "body-id-link" in rule_ids(findings)


def test_a_self_closed_inline_element_is_named_but_not_svgs_own(tmp_path):
    """``<i/>`` makes Kindle's converter set the rest of the book in italics; ``<path/>`` in an
    inline SVG is XML as SVG means it."""
    [result] = build([SEED], ("epub",), tmp_path / "ours")
    broken = tmp_path / FOREIGN / "italic.epub"
    broken.parent.mkdir()
    with zipfile.ZipFile(result.outputs[0]) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "EPUB/chapter-001.xhtml":
                data = data.replace(b"<p>", b'<p><i/><svg xmlns="http://www.w3.org/2000/svg">'
                                    b'<path d="M0 0"/></svg>', 1)
            target.writestr(info, data)
    findings = [f for f in check_epub(broken, "kindle")
                if f.message.startswith("[self-closed-element]")]
    assert [(f.path.rsplit("/", 1)[-1], f.message.split(":")[0]) for f in findings] == [
        ("chapter-001.xhtml", "[self-closed-element] <i/> is self-closed")]


# --------------------------------------------------------------------------- a stranger's EPUB


def _foreign_epub(folder: Path, pages: dict[str, str], css: str = "") -> Path:
    """An EPUB as another tool writes one: the pages given, each in the manifest and spine, and
    a stylesheet when ``css`` is given. Stored, not deflated: a page of one repeated tag
    compresses past the zip-bomb ratio, which is not what these tests are about."""
    items = "".join(f'<item id="p{n}" href="{name}" media-type="application/xhtml+xml"/>'
                    for n, name in enumerate(pages))
    items += '<item id="css" href="style.css" media-type="text/css"/>' if css else ""
    spine = "".join(f'<itemref idref="p{n}"/>' for n in range(len(pages)))
    book = folder / FOREIGN / "stranger.epub"
    book.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(book, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("mimetype", "application/epub+zip")
        archive.writestr("META-INF/container.xml", '<?xml version="1.0"?><container version='
                         '"1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
                         '<rootfiles><rootfile full-path="content.opf" media-type="application/'
                         'oebps-package+xml"/></rootfiles></container>')
        archive.writestr("content.opf", '<?xml version="1.0"?><package xmlns="http://www.idpf.'
                         'org/2007/opf" version="3.0"><metadata xmlns:dc="http://purl.org/dc/'
                         'elements/1.1/"><dc:language>en</dc:language></metadata>'
                         f'<manifest>{items}</manifest><spine>{spine}</spine></package>')
        for name, body in pages.items():
            archive.writestr(name, '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://'
                             f'www.w3.org/1999/xhtml" lang="en">\n<body>\n{body}</body></html>')
        if css:
            archive.writestr("style.css", css)
    return book


def test_every_finding_of_a_long_page_has_its_line_and_the_list_is_bounded(tmp_path):
    """Lines come from one count over the page, not one from its start per finding; a rule
    broken 250 times in one file lists the first MAX_FINDINGS_PER_FILE and counts the rest."""
    from bookmaker.check.epub import MAX_FINDINGS_PER_FILE

    body = "".join(f"<p>line {n}</p>\n" if n % 3 else f"<p>x<i/> {n}</p>\n"
                   for n in range(750))
    book = _foreign_epub(tmp_path, {"long.xhtml": body})
    found = [f for f in check_epub(book, "kindle") if "[self-closed-element]" in f.message]
    listed = [f for f in found if f.line is not None]
    # The page's body starts on line 4: paragraph n is on line n + 4.
    assert [f.line for f in listed] == [n + 4 for n in range(0, 750, 3)][:MAX_FINDINGS_PER_FILE]
    [rest] = [f for f in found if f.line is None]
    assert f"{250 - MAX_FINDINGS_PER_FILE:,} more in this file" in rest.message
    assert rest.path == f"{book}/long.xhtml" and rest.level == "error"


def test_css_nested_thousands_deep_is_read_whole_without_recursion(tmp_path):
    """@media blocks and functions nested 3,000 deep (past Python's recursion limit) are walked
    to the bottom: what is wrong down there is still found, on its line."""
    media = "@media screen {\n" * 3000 + ".x { display: flex; }\n" + "}" * 3000
    calc = "\n.y { width: " + "calc(" * 3000 + "1px" + ")" * 3000 + "; }\n"
    style = "<style>" + "@supports (display: grid) {" * 3000 + ".z{--ink:red}" \
        + "}" * 3000 + "</style>"
    book = _foreign_epub(tmp_path, {"page.xhtml": f"<p>{style}</p>\n"}, css=media + calc)
    found = {(f.message.split("]")[0].lstrip("["), f.path.rsplit("/", 1)[-1], f.line)
             for f in check_epub(book, "kobo")}
    assert ("css-flex", "style.css", 3001) in found
    assert ("css-calc", "style.css", 3003) in found
    assert ("css-var", "page.xhtml", 4) in found
    assert not [f for f in found if f[0] == "css-unparsable"]


def test_hidden_text_inside_hidden_text_is_counted_once(tmp_path):
    """4,000 hidden characters inside five nested hidden elements are 4,000, not 20,000 (and
    counting them once per level cost the depth times the text)."""
    nested = '<div hidden="">' * 5 + "<p>" + "h" * 4000 + "</p>" + "</div>" * 5
    book = _foreign_epub(tmp_path, {"page.xhtml": nested + "\n"})
    assert "hidden-text" not in rule_ids(check_epub(book, "kindle"))
    twice = _foreign_epub(tmp_path / "more", {
        "page.xhtml": (nested + '<p style="display: none">' + "h" * 7000 + "</p>\n")})
    assert "hidden-text" in rule_ids(check_epub(twice, "kindle"))  # 11,000 in all

"""AO3 work pages saved from the browser ("Save Page As"): the work, not the site, and its skin.

The fixtures under tests/data/ao3page/ follow the work page's layout (see the AO3 reference in
shared/): the whole site around the work (header, menus, Download list, kudos and comment forms,
footer), ``dl.work.meta.group`` and ``div#workskin``, in three shapes: the "Entire Work" view with
a work skin, one chapter of a three-chapter work, and a one-shot.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from bookmaker import convert, readers
from bookmaker.model import SceneBreak, Series, Span, plain_text
from bookmaker.readers.html import ao3_page, workskin
from bookmaker.writers.pdf.print_html import PrintBook

from paths import DATA

HERE = DATA / "ao3page"
SITE_CHROME = ("Log In", "Fandoms", "Browse", "Work Search", "Download", "AZW3", "Kudos",
               "left kudos", "Post Comment", "Comments", "Site Map", "Terms of Service",
               "otwarchive", "Chapter Text", "Work Text", "Entire Work", "Chapter Index",
               "Archive of Our Own", "Actions", "Hits", "Bookmarks", "See the end of the work")


def everything(book) -> str:
    parts = [book.metadata.title, plain_text(book.metadata.summary),
             plain_text(book.front_matter), plain_text(book.back_matter)]
    for chapter in book.chapters:
        parts += [chapter.title, plain_text(chapter.summary), plain_text(chapter.notes),
                  plain_text(chapter.blocks), plain_text(chapter.end_notes)]
    return "\n".join(parts)


@pytest.mark.parametrize("suffix", [".html", ".htm", ".xhtml"])
def test_a_saved_work_page_is_read_by_the_work_page_reader(suffix: str, tmp_path: Path) -> None:
    copy = tmp_path / f"work{suffix}"
    shutil.copyfile(HERE / "entire-work.html", copy)
    assert readers.reader_for(copy).load() is ao3_page
    assert readers.read(copy).metadata.title == "Texts From the Lifestream"


def test_entire_work_view_reads_as_the_work() -> None:
    book = convert.load(HERE / "entire-work.html")
    metadata = book.metadata
    assert metadata.title == "Texts From the Lifestream"
    assert metadata.authors == ("tidewater",)
    assert metadata.rating == "Teen And Up Audiences"
    assert metadata.warnings == ("No Archive Warnings Apply",)
    assert metadata.fandoms == ("Final Fantasy VII",)
    assert metadata.relationships == ("Cloud Strife & Zack Fair",)
    assert metadata.characters == ("Cloud Strife", "Zack Fair", "Aerith Gainsborough")
    assert metadata.tags == ("Text Messages", "Epistolary", "Work Skin")
    assert metadata.series == (Series("Lifestream Letters", 1.0),)
    assert (metadata.published, metadata.updated) == ("2023-11-14", "2023-12-01")
    assert metadata.source_url == "https://archiveofourown.org/works/52345678"
    assert "Cloud keeps not answering" in plain_text(metadata.summary)
    assert [chapter.title for chapter in book.chapters] == ["Unread", "A Letter", "Chapter 3"]
    first, second, _ = book.chapters
    assert plain_text(first.summary).strip() == "Seventeen messages."
    assert "deliberate" in plain_text(first.end_notes)
    assert "Aerith writes on paper" in plain_text(second.notes)
    assert "Come yell at me about Zack" in plain_text(book.back_matter)
    assert any(isinstance(block, SceneBreak) for block in first.blocks)  # the lone "xxx"
    text = everything(book)
    for chrome in SITE_CHROME:
        assert chrome not in text, chrome


def test_one_chapter_of_many_is_that_chapter_with_a_warning() -> None:
    book, found = readers.read_with_findings(HERE / "chapter-2-of-3.html")
    assert [chapter.title for chapter in book.chapters] == ["A Letter"]
    assert book.metadata.title == "Texts From the Lifestream"
    missing = [f for f in found if "chapters" in f.message]
    assert len(missing) == 1
    assert "3 chapters posted but this file holds 1 (A Letter)" in missing[0].message
    assert "Entire Work" in missing[0].hint
    for chrome in SITE_CHROME:
        assert chrome not in everything(book), chrome


def test_one_shot_page() -> None:
    book = convert.load(HERE / "oneshot.html")
    assert book.metadata.title == "Quiet Hours"
    assert len(book.chapters) == 1 and book.chapters[0].title == ""
    assert [type(b).__name__ for b in book.chapters[0].blocks] == \
        ["Paragraph", "SceneBreak", "Paragraph"]
    assert book.stylesheet == ""


# --------------------------------------------------------------------------- work skin


def test_work_skin_is_kept_sanitised_and_scoped() -> None:
    book, found = readers.read_with_findings(HERE / "entire-work.html")
    css = book.stylesheet
    assert ".skin-phone {" in css and "border-radius: 12px" in css
    assert ".skin-sender { font-weight: bold; font-variant: small-caps; }" in css
    assert ".skin-letter {" in css and "font-style: italic" in css
    # classes set on <p>/<div> frame their paragraphs: shown as blocks, not inside the line
    assert ".skin-letter, .skin-phone, .skin-received, .skin-sent { display: block; }" in css
    assert ".skin-sender" not in css.split("display: block")[0]
    for unsafe in ("url(", "@import", "@font-face", "position", "expression", "behavior",
                   "#workskin", "max-width", ":hover", "left:"):
        assert unsafe not in css, unsafe
    # every rule names skin- classes only, so nothing outside the text is restyled
    assert all(line.startswith(".skin-") for line in css.splitlines())
    message = next(block for block in book.chapters[0].blocks
                   if "spiky" in plain_text((block,)))
    outer = message.children[0]
    assert isinstance(outer, Span) and outer.classes == ("skin-phone",)
    assert outer.children[0].classes == ("skin-received",)
    assert outer.children[0].children[0] == Span(outer.children[0].children[0].children,
                                                 ("skin-sender",))
    skin_warning = next(f for f in found if "work skin" in f.message)
    assert "background: url(https://i.imgur.com/bg.png) repeat" in skin_warning.message
    assert "@import" in skin_warning.message and skin_warning.line is not None


@pytest.mark.parametrize("css", [
    "#workskin .a { color: red; } </style><script>alert(1)</script>",
    "#workskin .a { background-color: u\\72l(https://x.example/t.png); color: red }",
    "#workskin .a { -moz-binding: url(x.xml#y); color: red }",
    "@media screen { #workskin .b { color: blue } } #workskin .a { color: red }",
    "#workskin .a { color: red; font-family: var(--x); content: 'x' }",
    ".a { color: blue } body #workskin .b { color: blue } #workskin .a { color: red }",
])
def test_hostile_skins_keep_only_safe_declarations(css: str) -> None:
    skin, dropped, _ = workskin.sanitise(css)
    assert dropped  # each hostile skin loses something, and says so
    assert skin.css == ".skin-a { color: red; }\n"
    assert skin.classes == frozenset({"a"})
    assert "<" not in skin.css and "url" not in skin.css


@pytest.mark.parametrize("declaration, kept", [
    ("font-size: 1000000000px", "font-size: 64px"),
    ("font-size: 0", "font-size: 6px"),
    ("font-size: 1e9%", "font-size: 400%"),
    ("font-size: 1.2em", "font-size: 1.2em"),
    ("font-size: .8em", "font-size: .8em"),
    ("line-height: 1e9", "line-height: 4"),
    ("line-height: 1.4", "line-height: 1.4"),
    ("font-weight: 5000", "font-weight: 900"),
    ("letter-spacing: -1e999px", "letter-spacing: -16px"),
    ("margin: -999px 1em 1e9pt", "margin: -160px 1em 120pt"),
    ("margin: 0 auto", "margin: 0 auto"),
    ("text-indent: -1e9em", "text-indent: -10em"),
    ("padding: 1in", "padding: 1in"),
    ("padding: 1e9cm", "padding: 4.233cm"),
    ("border: 1e9px solid #333", "border: 16px solid #333"),
    ("border-radius: 1e9%", "border-radius: 50%"),
    ("color: rgb(255, 1e9, 0)", "color: rgb(255, 360, 0)"),
    ("color: hsl(120deg 50% 50%)", "color: hsl(120deg 50% 50%)"),
    ("font-family: \"Palatino Linotype\", serif", "font-family: \"Palatino Linotype\", serif"),
])
def test_skin_values_are_brought_within_what_a_page_can_show(declaration: str,
                                                              kept: str) -> None:
    """A length, number or percentage past its property's bounds is clamped to the bound in
    its own unit, and said; one within them is kept as written."""
    skin, dropped, clamped = workskin.sanitise(f"#workskin .a {{ {declaration} }}")
    assert skin.css == f".skin-a {{ {kept}; }}\n" and dropped == []
    value = kept.split(": ", 1)[1]
    assert clamped == ([] if kept == declaration else [f"{declaration} (made {value})"])


@pytest.mark.parametrize("declaration", [
    "color: rgb(calc(1px), 0, 0)",  # a function inside a colour's
    "color: rgb(var(--x), 0, 0)",
    "width: calc(1px)",
    "margin: calc(100% - 1e9px)",
    "font-size: 12",  # a length without its unit
    "margin: 1s",  # a unit that is no length
    "margin: [1px]",
    "margin: " + "1px " * (workskin.MAX_VALUE_TOKENS + 1),
    "color: rgb(1 2 3 / url(x))",
])
def test_skin_values_no_reader_shows_are_refused(declaration: str) -> None:
    skin, dropped, _ = workskin.sanitise(f"#workskin .a {{ {declaration} }}"
                                         "#workskin .b { color: red }")
    assert skin.css == ".skin-b { color: red; }\n"
    assert len(dropped) == 1


def test_skin_counts_are_bounded() -> None:
    many = "".join(f"#workskin .c{n} {{ color: red }}\n" for n in range(workskin.MAX_RULES + 5))
    skin, dropped, _ = workskin.sanitise(many)
    assert skin.css.count("{") == workskin.MAX_RULES
    assert dropped == [f"every rule after the first {workskin.MAX_RULES}"]
    declarations = "; ".join(f"margin-top: {n}px" for n in range(workskin.MAX_DECLARATIONS + 3))
    skin, dropped, _ = workskin.sanitise(f"#workskin .a {{ {declarations} }}")
    assert skin.css.count("margin-top") == workskin.MAX_DECLARATIONS and len(dropped) == 3
    deep = "#workskin " + " ".join([".a"] * (workskin.MAX_COMPOUNDS + 1)) + " { color: red }"
    assert workskin.sanitise(deep)[0].css == ""
    ok = "#workskin " + " ".join([".a"] * workskin.MAX_COMPOUNDS) + " { color: red }"
    assert workskin.sanitise(ok)[0].css.count(".skin-a") == workskin.MAX_COMPOUNDS
    wide = ", ".join(f"#workskin .s{n}" for n in range(workskin.MAX_SELECTORS + 10))
    assert workskin.sanitise(wide + " { color: red }")[0].css.count(".skin-s") == \
        workskin.MAX_SELECTORS
    classes = "#workskin " + "".join(f".k{n}" for n in range(workskin.MAX_COMPOUNDS + 1))
    assert workskin.sanitise(classes + " { color: red }")[0].css == ""


def test_a_huge_font_size_no_longer_fails_the_book(tmp_path: Path) -> None:
    """font-size: 1000000000px made WeasyPrint fail the whole book (an internal error); the PDF
    and the kepub are now written, the value clamped and said."""
    page = tmp_path / "huge.html"
    page.write_text((HERE / "entire-work.html").read_text(encoding="utf-8").replace(
        "#workskin .sent { text-align: right;",
        "#workskin .sent { font-size: 1000000000px; line-height: 1e9; text-align: right;"),
        encoding="utf-8")
    [result] = convert.build([page], ("epub", "pdf", "kepub"), tmp_path / "out")
    assert result.error is None, result.error
    assert [path.name for path in result.outputs] == [
        "texts-from-the-lifestream.epub", "texts-from-the-lifestream.pdf",
        "texts-from-the-lifestream.kepub.epub"]
    assert any("font-size: 1000000000px (made 64px)" in warning and "huge.html:11" in warning
               for warning in result.warnings), result.warnings


@pytest.mark.parametrize("rules", [2_500, 4_000])
def test_a_page_is_known_whatever_the_size_of_its_skin(tmp_path: Path, rules: int) -> None:
    """A skin over 64 KB pushed ``id="workskin"`` past the sniffing window: the page was read as
    any web page. The window now leaves out what <style> and <script> hold. (Past 100,000
    characters the skin itself is refused, with a warning, and the work still read.)"""
    skin = "".join(f"#workskin .filler{n} {{ color: #123456; }}\n" for n in range(rules))
    assert len(skin) > readers.SNIFF_BYTES
    page = tmp_path / "big-skin.html"
    page.write_text((HERE / "entire-work.html").read_text(encoding="utf-8").replace(
        '<style type="text/css">', '<script>' + "var x = 1;\n" * 8000 + '</script>'
        '<style type="text/css">\n' + skin, 1), encoding="utf-8")
    assert readers.reader_for(page).name == "ao3-page"
    book, found = readers.read_with_findings(page)
    assert book.metadata.title == "Texts From the Lifestream"
    skin_warnings = [f.message for f in found if f.message.startswith("work skin")]
    if len(skin) > workskin.MAX_SKIN_CHARS:
        assert "too long to be one" in skin_warnings[0] and book.stylesheet == ""
    else:
        assert ".skin-phone" in book.stylesheet


def test_the_sniffing_window_leaves_out_styles_and_scripts_only() -> None:
    window = readers.sniff_window
    assert window(b"<p>a</p>" * 3, 10) == b"<p>a</p><p"
    assert window(b"<STYLE media=x>" + b"x" * 100 + b"</style ><b>", 100) == \
        b"<STYLE media=x></style ><b>"
    assert window(b"<script>if (a<b) {}</script><i>", 100) == b"<script></script><i>"
    assert window(b"<style>never closed" + b"x" * 100, 100) == b"<style>"
    assert window(b"<b><styles></b>", 100) == b"<b><styles></b>"  # not a style element


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ao3-page")
    results = convert.build([HERE / "entire-work.html", HERE / "chapter-2-of-3.html",
                             HERE / "oneshot.html"], out_dir=out)
    assert [result.error for result in results] == [None, None, None]
    assert any("this file holds 1 (A Letter)" in warning for warning in results[1].warnings)
    return results[0].outputs[0]


def test_work_skin_reaches_the_epub(built: Path) -> None:
    with zipfile.ZipFile(built) as epub:
        css = epub.read("EPUB/css/book.css").decode() if "EPUB/css/book.css" in \
            epub.namelist() else next(epub.read(n).decode() for n in epub.namelist()
                                      if n.endswith("book.css"))
        pages = "".join(epub.read(name).decode() for name in epub.namelist()
                        if name.endswith(".xhtml"))
    assert ".skin-phone {" in css and "url(" not in css.split("work skin")[-1]
    assert '<span class="skin-sender">' in pages and '<span class="skin-letter">' in pages
    assert "Post Comment" not in pages and "Log In" not in pages


def test_work_skin_reaches_the_print_document() -> None:
    book = convert.load(HERE / "entire-work.html")
    document = PrintBook(book).whole_document()
    head = document.split("</head>")[0]
    assert "<style>" in head and ".skin-sender { font-weight: bold;" in head
    assert '<span class="skin-sender">' in document

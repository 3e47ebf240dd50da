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
    skin, dropped = workskin.sanitise(css)
    assert dropped  # each hostile skin loses something, and says so
    assert skin.css == ".skin-a { color: red; }\n"
    assert skin.classes == frozenset({"a"})
    assert "<" not in skin.css and "url" not in skin.css


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

"""One WeasyPrint set-up for a book: the stylesheets, the fonts and the URL fetcher, made once.

Parsing the stylesheets and loading the book face costs more than laying out a short chapter, so
a Layout is made once per process (the main one, or each worker of the parallel layout) and then
lays out any number of documents of the same book.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration

from bookmaker.settings.resources import STYLES
from bookmaker.settings.themes import Theme
from bookmaker.writers.pdf.fetcher import FolderFetcher
from bookmaker.writers.pdf.fonts import FONT_FOLDER, font_face_css


@dataclass(frozen=True)
class Paper:
    """A page size in millimetres, with the text size and margins that suit it."""

    width: float
    height: float
    font_size: float  # points
    inner: float  # margins as fractions of the width (inner, outer) or height (top, bottom)
    outer: float
    top: float = 0.085
    bottom: float = 0.10


PAPERS = {
    "a5": Paper(148, 210, 10.5, 0.13, 0.10),
    "a4": Paper(210, 297, 12, 0.17, 0.135),
    "letter": Paper(215.9, 279.4, 12, 0.17, 0.135),
    "half-letter": Paper(139.7, 215.9, 10.5, 0.13, 0.10),
    "5x8": Paper(127, 203.2, 10, 0.125, 0.095),
    "6x9": Paper(152.4, 228.6, 11, 0.13, 0.10),
    # Mini-zine cells (a quarter of an A4 or letter sheet's width, half its height): not offered
    # as --paper, laid out only for -f minizine.
    "a7": Paper(74.25, 105, 7.5, 0.11, 0.09, 0.08, 0.09),
    "quarter-letter": Paper(69.85, 107.95, 7.5, 0.11, 0.09, 0.08, 0.09),
}

# An empty element that every page of the body shows in a margin box, except the pages left blank
# so a section starts on a right-hand page: the laid-out pages that carry its anchor are the
# pages to number, found through WeasyPrint's public Page.anchors.
FOLIO_MARK = "bookmaker-folio"
FOLIO_MARK_CSS = (f"#{FOLIO_MARK} {{ position: running({FOLIO_MARK}); font-size: 0; }}\n"
                  f"@page body {{ @bottom-left-corner {{ content: element({FOLIO_MARK}); }} }}\n"
                  "@page :blank { @bottom-left-corner { content: none; } }\n")
# WeasyPrint's tagged PDF: a structure tree, /Lang, /MarkInfo, the title in the window, and alt
# text checked on every image.
PDF_VARIANT = "pdf/ua-1"


def page_css(paper_name: str) -> str:
    """The @page size and margins for a paper: the inner (gutter) margin wider than the outer,
    the foot deeper than the head, all in proportion to the page."""
    paper = PAPERS[paper_name]
    inner, outer = paper.width * paper.inner, paper.width * paper.outer
    top, bottom = paper.height * paper.top, paper.height * paper.bottom
    return (f"@page {{ size: {paper.width}mm {paper.height}mm; margin: {top:.1f}mm 0 "
            f"{bottom:.1f}mm 0; }}\n"
            f"@page :left {{ margin-left: {outer:.1f}mm; margin-right: {inner:.1f}mm; }}\n"
            f"@page :right {{ margin-left: {inner:.1f}mm; margin-right: {outer:.1f}mm; }}\n"
            f"html {{ font-size: {paper.font_size}pt; }}\n")


@dataclass(frozen=True)
class LayoutSettings:
    """Everything a process needs to lay out one book's documents (picklable, for workers)."""

    base_dir: str | None
    paper: str
    theme: Theme
    folders: tuple[str, ...] = ()  # more folders images may come from (an anthology's works)


class Layout:
    """WeasyPrint with the book's stylesheets, fonts and fetcher, ready to lay out documents."""

    def __init__(self, settings: LayoutSettings) -> None:
        self.settings = settings
        self.base_url = Path(settings.base_dir).resolve().as_uri() + "/" \
            if settings.base_dir else None
        theme = settings.theme
        # The theme's folder and font package are trusted configuration, and nothing else new.
        self.fetcher = FolderFetcher(settings.base_dir or "", STYLES, FONT_FOLDER,
                                     *theme.allowed_folders, *settings.folders)
        self.fonts = FontConfiguration()
        self.book_styles = [
            self._css(font_face_css() + theme.font_face_css(), STYLES),
            *(self._css(sheet.read_text(encoding="utf-8"), sheet)
              for sheet in theme.stylesheets("print.css")),
            self._css(page_css(settings.paper) + FOLIO_MARK_CSS, STYLES)]

    def render(self, html: str, *, extra_css: str = "") -> Document:
        """``html`` laid out in pages with the book's styles (page numbers come later: see
        folios.py)."""
        styles = list(self.book_styles)
        if extra_css:
            styles.append(self._css(extra_css, STYLES))
        return HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher).render(
            stylesheets=styles, font_config=self.fonts)

    def _css(self, text: str, origin: Path) -> CSS:
        return CSS(string=text, base_url=origin.resolve().as_uri(), url_fetcher=self.fetcher,
                   font_config=self.fonts)

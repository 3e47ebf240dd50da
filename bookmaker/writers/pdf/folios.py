"""Page numbers stamped onto a laid-out book: the same for a single run and for joined parts.

Page numbers are the one thing a part laid out on its own cannot know. Rather than a second
layout pass, the ten digits are laid out once (in the book face, embedded like the rest) as tiny
PDF forms, and each numbered page gets a few lines of content stream placing those forms. That
costs well under a millisecond a page, where an overlay document laid out by WeasyPrint and
merged page by page costs tens.

Every stream is an indirect object (a page's /Contents array may only hold references: MuPDF
shows a page with inline streams blank, Ghostscript drops it), and the digits are marked as a
pagination artifact, so the tagged book's structure tree and screen readers leave them out.
"""

from __future__ import annotations

import io

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from bookmaker.writers.pdf.layout import PAPERS, Layout

FOLIO_SIZE = 8.5  # points
DIGIT_ADVANCE = 0.5  # the book face's lining figures are all half an em wide
_BOX = 12.0  # points: the square each digit is laid out in
_MM = 72 / 25.4

DIGITS_CSS = f"""
@page digit {{ size: {_BOX}pt {_BOX}pt; margin: 0; }}
body {{ margin: 0; }}
div {{ page: digit; break-after: page; font-size: {FOLIO_SIZE}pt; line-height: {_BOX}pt;
       font-variant-numeric: lining-nums tabular-nums; color: #333; hyphens: manual; }}
div:last-child {{ break-after: auto; }}
"""


def stamp_folios(book: Pdf, layout: Layout, numbered: list[bool]) -> None:
    """Number every page whose flag is set with its 1-based position in the book, centred under
    the text block (which sits towards the outer edge: the gutter is wider)."""
    if not any(numbered):
        return
    digits = _digit_forms(book, layout)
    paper = PAPERS[layout.settings.paper]
    width = paper.width * _MM
    text_width = width * (1 - paper.inner - paper.outer)
    baseline_box = paper.height * paper.bottom * _MM / 2 - _BOX / 2
    opening = book.make_stream(b"q\n")
    for index, (page, flag) in enumerate(zip(book.pages, numbered, strict=False)):
        if not flag:
            continue
        number = str(index + 1)
        right_page = index % 2 == 0
        left_margin = width * (paper.inner if right_page else paper.outer)
        x = left_margin + (text_width - len(number) * DIGIT_ADVANCE * FOLIO_SIZE) / 2
        _place(book, page, digits, opening, number, x, baseline_box)


def _digit_forms(book: Pdf, layout: Layout) -> list[pikepdf.Object]:
    """The ten digits as form XObjects in ``book``, each the content of one tiny page."""
    html = "<!DOCTYPE html><html><body>" + "".join(f"<div>{d}</div>" for d in "0123456789") \
        + "</body></html>"
    rendered = layout.render(html, extra_css=DIGITS_CSS).write_pdf()
    with Pdf.open(io.BytesIO(rendered)) as source:
        forms = [page.as_form_xobject() for page in source.pages]
        for form in forms:
            form.BBox = Array([0, 0, _BOX, _BOX])
        return [book.copy_foreign(form) for form in forms]


def _place(book: Pdf, page: pikepdf.Page, digits: list[pikepdf.Object], opening: pikepdf.Object,
           number: str, x: float, y: float) -> None:
    """Draw ``number`` on ``page`` with the digit forms, leaving the page's own streams as they
    are (still compressed) and fencing them in q/Q so their graphics state cannot move it."""
    if "/Resources" not in page.obj:
        page.obj.Resources = Dictionary()
    resources = page.obj.Resources
    if "/XObject" not in resources:
        resources.XObject = Dictionary()
    operations = []
    for position, digit in enumerate(number):
        name = Name(f"/BookmakerDigit{digit}")
        resources.XObject[name] = digits[int(digit)]
        left = x + position * DIGIT_ADVANCE * FOLIO_SIZE
        operations.append(f"q 1 0 0 1 {left:.2f} {y:.2f} cm {name} Do Q")
    closing = "\nQ\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC\n" \
        + "\n".join(operations) + "\nEMC\n"
    contents = page.obj.get("/Contents")
    streams = list(contents) if isinstance(contents, Array) else \
        ([contents] if contents is not None else [])
    page.obj.Contents = Array([opening, *streams, book.make_stream(closing.encode("ascii"))])

"""Page numbers stamped onto a laid-out book: the same for a single run and for joined parts.

Page numbers are the one thing a part laid out on its own cannot know. Rather than a second
layout pass, the ten digits are laid out once (in the book face, embedded like the rest) as tiny
PDF forms, and each numbered page gets a few lines of content stream placing those forms. That
costs well under a millisecond a page, where an overlay document laid out by WeasyPrint and
merged page by page costs tens.
"""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject,
                           NameObject)

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


def stamp_folios(writer: PdfWriter, layout: Layout, numbered: list[bool]) -> None:
    """Number every page whose flag is set with its 1-based position in the book, centred under
    the text block (which sits towards the outer edge: the gutter is wider)."""
    digits = _digit_forms(writer, layout)
    paper = PAPERS[layout.settings.paper]
    width = paper.width * _MM
    text_width = width * (1 - paper.inner - paper.outer)
    baseline_box = paper.height * paper.bottom * _MM / 2 - _BOX / 2
    for index, (page, flag) in enumerate(zip(writer.pages, numbered, strict=False)):
        if not flag:
            continue
        number = str(index + 1)
        right_page = index % 2 == 0
        left_margin = width * (paper.inner if right_page else paper.outer)
        x = left_margin + (text_width - len(number) * DIGIT_ADVANCE * FOLIO_SIZE) / 2
        _place(writer, page, digits, number, x, baseline_box)


def _digit_forms(writer: PdfWriter, layout: Layout) -> list:
    """The ten digits as form XObjects in ``writer``, each the content of one tiny page."""
    html = "<!DOCTYPE html><html><body>" + "".join(f"<div>{d}</div>" for d in "0123456789") \
        + "</body></html>"
    reader = PdfReader(io.BytesIO(layout.render(html, extra_css=DIGITS_CSS).write_pdf()))
    forms = []
    for page in reader.pages:
        form = DecodedStreamObject()
        contents = page.get_contents()
        form.set_data(contents.get_data() if contents is not None else b"")
        form.update({
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(FloatObject(v) for v in (0, 0, _BOX, _BOX)),
            NameObject("/Resources"): page["/Resources"].clone(writer),
        })
        forms.append(writer._add_object(form))
    return forms


def _place(writer: PdfWriter, page, digits: list, number: str, x: float, y: float) -> None:
    """Draw ``number`` on ``page`` with the digit forms, leaving the page's own streams as they
    are (still compressed) and fencing them in q/Q so their graphics state cannot move it."""
    resources = page.setdefault(NameObject("/Resources"), DictionaryObject()).get_object()
    xobjects = resources.setdefault(NameObject("/XObject"), DictionaryObject()).get_object()
    operations = []
    for position, digit in enumerate(number):
        name = NameObject(f"/BookmakerDigit{digit}")
        xobjects[name] = digits[int(digit)]
        left = x + position * DIGIT_ADVANCE * FOLIO_SIZE
        operations.append(f"q 1 0 0 1 {left:.2f} {y:.2f} cm {name} Do Q")
    contents = page[NameObject("/Contents")]
    resolved = contents.get_object()
    streams = list(resolved) if isinstance(resolved, ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject(
        [_stream(writer, b"q\n"), *streams,
         _stream(writer, ("\nQ\n" + "\n".join(operations) + "\n").encode("ascii"))])


def _stream(writer: PdfWriter, data: bytes):
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)

"""Imposition: a book's pages arranged on printer sheets so that, printed duplex, folded and
stapled (or folded and cut), they read in order.

Pure page geometry on PDFs with pypdf: each book page is placed on a sheet with one affine
transformation (scale, rotate, shift); nothing is re-laid out, so the text stays text.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

MM = 72 / 25.4  # PDF points per millimetre

# Sheet sizes, landscape, in millimetres.
SHEETS = {
    "a4": (297.0, 210.0),
    "a3": (420.0, 297.0),
    "letter": (279.4, 215.9),
    "tabloid": (431.8, 279.4),
}
# The sheet that two pages of each paper fit on side by side.
SHEET_FOR_PAPER = {"a5": "a4", "half-letter": "letter", "a4": "a3", "letter": "tabloid",
                   "5x8": "letter", "6x9": "tabloid"}
FLIPS = ("short", "long")


@dataclass(frozen=True)
class Slot:
    """Where one book page goes on a sheet side: its 1-based number in the padded book (0 for
    nothing), the cell it fills (x, y, width, height in points), whether it is upside down, and
    how far (points) it moves towards the spine to make up for creep."""

    page: int
    x: float
    y: float
    width: float
    height: float
    upside_down: bool = False
    shift: float = 0.0


@dataclass(frozen=True)
class SheetSide:
    """One printed side of a sheet: its slots, and whether the whole side is turned 180 degrees
    so it comes out upright on a long-edge duplex printer."""

    slots: tuple[Slot, ...]
    turned: bool = False


# ---------------------------------------------------------------------- page order


def padded_order(pages: int) -> list[int]:
    """The book's pages (1-based) padded to a multiple of 4 with blanks (0) placed before the back
    cover: the story never gets a hole, and the last page stays on the outside."""
    blanks = -pages % 4
    if pages < 2:
        return [*range(1, pages + 1), *[0] * blanks]
    return [*range(1, pages), *[0] * blanks, pages]


def binder_order(pages: int, flyleaves: int = 0) -> list[int]:
    """The book's pages for a bound book: ``flyleaves`` blank leaves (two pages each) first and
    last, and the fewest blanks that make whole signatures (to a multiple of 4) at the end of the
    text, before the back flyleaves, where a binder expects them; a bound book has its own
    covers, so its last page is not kept on the outside as a zine's is."""
    leaves = [0] * (2 * flyleaves)
    blanks = -(pages + 2 * len(leaves)) % 4
    return [*leaves, *range(1, pages + 1), *[0] * blanks, *leaves]


def saddle_pairs(count: int) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """For ``count`` pages (a multiple of 4) folded as one signature: each sheet's front and back
    as (left, right) positions, 1-based, outermost sheet first. Sheet k carries front
    [count-2k, 2k+1] and back [2k+2, count-2k-1]."""
    return [((count - 2 * k, 2 * k + 1), (2 * k + 2, count - 2 * k - 1))
            for k in range(count // 4)]


def signatures(order: list[int], size: int | None) -> list[list[int]]:
    """The padded book split into signatures of ``size`` pages (the last may be shorter, still a
    multiple of 4); None: one signature, the whole book."""
    if not size:
        return [order]
    return [order[start:start + size] for start in range(0, len(order), size)]


def saddle_sides(pages: int, sheet: tuple[float, float], signature: int | None = None,
                 creep: float = 0.0, flip: str = "short",
                 order: list[int] | None = None) -> list[SheetSide]:
    """Every sheet side, in printing order, for a saddle-stitched book of ``pages`` pages on a
    landscape ``sheet`` (points). Inner sheets of each signature move their pages ``creep``
    points per sheet towards the spine; ``flip`` long turns every back side around. ``order``
    replaces the zine's padding (binder_order, for a bound book)."""
    return [side for group in signature_sides(pages, sheet, signature, creep, flip, order)
            for side in group]


def signature_sides(pages: int, sheet: tuple[float, float], signature: int | None = None,
                    creep: float = 0.0, flip: str = "short",
                    order: list[int] | None = None) -> list[list[SheetSide]]:
    """saddle_sides grouped by signature: what a binder prints, folds and sews as one unit."""
    width, height = sheet
    half = width / 2
    groups: list[list[SheetSide]] = []
    for group in signatures(order if order is not None else padded_order(pages), signature):
        sides: list[SheetSide] = []
        groups.append(sides)
        for k, (front, back) in enumerate(saddle_pairs(len(group))):
            shift = k * creep
            for face, turned in ((front, False), (back, flip == "long")):
                left, right = (group[position - 1] for position in face)
                sides.append(SheetSide((Slot(left, 0, 0, half, height, shift=shift),
                                        Slot(right, half, 0, half, height, shift=-shift)),
                                       turned))
    return groups


def minizine_side(sheet: tuple[float, float]) -> SheetSide:
    """The classic 8-page mini-zine on one side of a landscape sheet, 4 columns by 2 rows: top
    row 5 4 3 2 upside down, bottom row 6 7 8 1. Fold it in half along the long edge, cut the
    middle of the fold, push it into a cross and fold it flat."""
    width, height = sheet
    cell_width, cell_height = width / 4, height / 2
    top = [Slot(page, column * cell_width, cell_height, cell_width, cell_height, True)
           for column, page in enumerate((5, 4, 3, 2))]
    bottom = [Slot(page, column * cell_width, 0, cell_width, cell_height)
              for column, page in enumerate((6, 7, 8, 1))]
    return SheetSide((*top, *bottom))


# ---------------------------------------------------------------------- drawing


def impose(pdf: bytes, sides: list[SheetSide], sheet: tuple[float, float],
           marks: bool = False) -> PdfWriter:
    """The sheets as a PDF writer: each slot's page scaled to fit its cell, centred, turned and
    shifted as the slot says; with ``marks``, fold and crop marks on every side."""
    source = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter()
    for side in sides:
        page = writer.add_blank_page(*sheet)
        for slot in side.slots:
            if slot.page:
                page.merge_transformed_page(source.pages[slot.page - 1],
                                            _placement(source.pages[slot.page - 1], slot, side,
                                                       sheet))
        # A link on a sheet leads nowhere: its pages are moved, turned and mixed with others, and
        # named destinations stay behind in the book (MuPDF warns of each one).
        if "/Annots" in page:
            del page["/Annots"]
        if marks:
            _draw(writer, page, _marks(side, sheet))
    return writer


def _placement(page: PageObject, slot: Slot, side: SheetSide,
               sheet: tuple[float, float]) -> Transformation:
    """The transformation putting ``page`` in ``slot``: scaled to fit, centred, creep-shifted,
    upside down when the slot or the whole side says so."""
    box = page.mediabox
    scale = min(slot.width / float(box.width), slot.height / float(box.height))
    width, height = float(box.width) * scale, float(box.height) * scale
    x = slot.x + (slot.width - width) / 2 + slot.shift
    y = slot.y + (slot.height - height) / 2
    placed = Transformation().translate(-float(box.left), -float(box.bottom)).scale(scale)
    if slot.upside_down:
        placed = placed.rotate(180).translate(width, height)
    placed = placed.translate(x, y)
    if side.turned:
        placed = placed.rotate(180).translate(*sheet)
    return placed


def _marks(side: SheetSide, sheet: tuple[float, float]) -> bytes:
    """Fold marks (dashed, at the middle of the top and bottom edges) and crop marks (at the
    corners of the pages' cells) as PDF drawing operators."""
    width, height = sheet
    length, gap = 6 * MM, 1.5 * MM
    ops = ["q 0.3 w 0 G [3 2] 0 d",
           f"{width / 2:.2f} 0 m {width / 2:.2f} {length:.2f} l S",
           f"{width / 2:.2f} {height - length:.2f} m {width / 2:.2f} {height:.2f} l S",
           "[] 0 d"]
    for x, y in _cell_corners(side):
        inward_x = gap if x < width / 2 else -gap
        inward_y = gap if y < height / 2 else -gap
        end_x = x + inward_x + math.copysign(length, inward_x)
        end_y = y + inward_y + math.copysign(length, inward_y)
        ops.append(f"{x:.2f} {y + inward_y:.2f} m {x:.2f} {end_y:.2f} l S")
        ops.append(f"{x + inward_x:.2f} {y:.2f} m {end_x:.2f} {y:.2f} l S")
    ops.append("Q")
    return "\n".join(ops).encode("ascii")


def _cell_corners(side: SheetSide) -> list[tuple[float, float]]:
    """The outer corners of the area the side's cells cover: where the trimmed book's edges are."""
    left = min(slot.x for slot in side.slots)
    bottom = min(slot.y for slot in side.slots)
    right = max(slot.x + slot.width for slot in side.slots)
    top = max(slot.y + slot.height for slot in side.slots)
    return [(left, bottom), (left, top), (right, bottom), (right, top)]


def _draw(writer: PdfWriter, page: PageObject, operators: bytes) -> None:
    """Draw ``operators`` over ``page``: a one-stream page merged on top."""
    stream = DecodedStreamObject()
    stream.set_data(operators)
    overlay = PageObject.create_blank_page(width=page.mediabox.width,
                                           height=page.mediabox.height)
    overlay[NameObject("/Contents")] = writer._add_object(stream)
    overlay[NameObject("/Resources")] = DictionaryObject()
    page.merge_page(overlay)

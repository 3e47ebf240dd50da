"""Join laid-out PDF pieces (files on disk) into one tagged book PDF, streamed to disk by qpdf.

A single run is one piece, the parallel layout's front matter and parts are several; both go
through this join, so numbering, outline, structure tree and metadata are made the same way.

pikepdf (qpdf) rather than pypdf, measured on the 500,000-word book: qpdf copies a piece's pages
as object references and reads their stream data from the piece's file only while writing the
result, so the joined book never sits in memory, where pypdf parses and holds every piece; and
qpdf keeps the structure tree's object graph intact when objects move between files, which the
merge below relies on (pypdf's ``append`` drops the structure tree).

Each piece is a tagged PDF (WeasyPrint's PDF/UA-1 variant): a StructTreeRoot holding one
``Document`` element, and a parent tree mapping each page's marked content (``/StructParents``)
and each link annotation (``/StructParent``) back to the elements. The join gives the book one
``Document`` element holding every piece's top-level elements in order, and one parent tree with
the pieces' keys renumbered so they never collide.
"""

from __future__ import annotations

from datetime import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem, Pdf, String

from bookmaker.writers.pdf.folios import stamp_folios
from bookmaker.writers.pdf.layout import Layout
from bookmaker.writers.pdf.print_html import SECTION_LINK, DocumentInfo



@dataclass(frozen=True)
class LaidOutPart:
    """A piece laid out and written to ``path``; which of its pages carry a page number (body
    pages that are not blank), where its sections start (section id -> 0-based page in the
    piece) and its bookmarks (label, 0-based page)."""

    path: Path
    numbered: tuple[bool, ...]
    starts: dict[str, int]
    bookmarks: tuple[tuple[str, int], ...]
    levels: tuple[int, ...] = ()  # each bookmark's depth (1: top) when the outline is nested


def join(pieces: list[LaidOutPart], dest: Path, layout: Layout, info: DocumentInfo,
         labels: dict[str, str] | None = None) -> None:
    """``pieces`` as one PDF at ``dest``, each after the first starting on a right-hand page,
    with page numbers, outline, one structure tree, clickable contents (``labels``: section id
    -> the words a screen reader says for its link) and metadata."""
    with Pdf.new() as book:
        tree = _StructureTree(book)
        numbered: list[bool] = []
        outline: list[tuple[str, int, int]] = []
        section_pages: dict[str, int] = {}
        for index, piece in enumerate(pieces):
            with Pdf.open(piece.path) as source:
                offset = len(book.pages)
                # Named destinations (WeasyPrint names every element with an id; links use
                # them) come along, renamed where pieces share a name; the outline is made below.
                book.add_pages_from(source, outlines="ignore")
                tree.adopt(source, book.pages[offset:])
                _own_stream_data(book.pages[offset:])
                mediabox = Array(list(source.pages[0].mediabox))
                odd = len(source.pages) % 2
            numbered += piece.numbered
            levels = piece.levels or (1,) * len(piece.bookmarks)
            outline += [(label, offset + page, level)
                        for (label, page), level in zip(piece.bookmarks, levels, strict=True)]
            section_pages.update({section: offset + page for section, page
                                  in piece.starts.items()})
            if odd and index < len(pieces) - 1:
                _add_blank_page(book, mediabox)
                numbered.append(False)
        tree.finish()
        _link_sections(book, section_pages, labels or {})
        stamp_folios(book, layout, numbered)
        with book.open_outline() as book_outline:
            _nest_outline(book_outline.root, outline)
        describe(book, info)
        save(book, dest)


def _nest_outline(root: list[OutlineItem], outline: list[tuple[str, int, int]]) -> None:
    """The bookmarks under ``root``, each at its depth (an anthology's chapters sit under their
    work): a bookmark goes under the nearest open one a level above it."""
    open_items: list[OutlineItem] = []  # the open item at each depth
    for label, page, level in outline:
        item = OutlineItem(label, page)
        parent = open_items[level - 2] if 1 < level <= len(open_items) + 1 else None
        (parent.children if parent is not None else root).append(item)
        del open_items[level - 1:]
        open_items.append(item)


# Links from a page's objects that lead away from what the page draws: to the page tree, to the
# structure tree, to other pages (link destinations).
_NOT_DRAWN = frozenset({"/Parent", "/P", "/Dest", "/D", "/Pg", "/StructParents"})


def _own_stream_data(pages: list[pikepdf.Page]) -> None:
    """Give the book its own copy of every stream the just-copied ``pages`` draw (contents,
    fonts, images, forms), still compressed, so the piece they came from can be closed now.

    qpdf would otherwise read that data from the piece at save time, which keeps every piece
    open, and each open piece keeps every object copied from it cached: on the 500,000-word book
    that doubled the join's memory. The data itself is small (the whole book's is the size of
    the finished file)."""
    seen: set[tuple[int, int]] = set()
    stack: list[pikepdf.Object] = [page.obj for page in pages]
    while stack:
        item = stack.pop()
        if item.is_indirect:
            if item.objgen in seen:
                continue
            seen.add(item.objgen)
        if isinstance(item, pikepdf.Stream):
            raw = item.read_raw_bytes()
            item.write(raw, filter=item.get("/Filter"),  # type: ignore[arg-type]
                       decode_parms=item.get("/DecodeParms"))  # type: ignore[arg-type]
        if isinstance(item, (pikepdf.Dictionary, pikepdf.Stream)):
            stack.extend(value for key, value in item.items() if key not in _NOT_DRAWN
                         and isinstance(value, (pikepdf.Dictionary, pikepdf.Array,
                                                pikepdf.Stream)))
        elif isinstance(item, pikepdf.Array):
            stack.extend(value for value in item if isinstance(
                value, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)))


def _add_blank_page(book: Pdf, mediabox: Array) -> None:
    """A page with nothing on it, and no content stream at all: qpdf writes the empty stream
    pikepdf's add_blank_page makes as a zero-length Flate stream, which MuPDF and Ghostscript
    report as truncated."""
    book.pages.append(pikepdf.Page(Dictionary(
        Type=Name.Page, MediaBox=Array(list(mediabox)), Resources=Dictionary())))


def save(pdf: Pdf, dest: Path | BinaryIO) -> None:
    """``pdf`` written to ``dest``: PDF 1.7 (what PDF/UA-1 is built on), compressed, objects in
    object streams, and an ID made from the content so the same book gives the same bytes."""
    pdf.save(dest, min_version="1.7", compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate, deterministic_id=True,
             fix_metadata_version=False)


def describe(pdf: Pdf, info: DocumentInfo, *, tagged: bool = True) -> None:
    """The document information, the XMP packet (what PDF/UA asks for, dates included), the
    language, and viewer preferences: the title in the window, and no print scaling (home
    printers otherwise shrink pages to 96-98 %, which breaks imposition and trimming)."""
    date = pikepdf.objects.String(_pdf_date(info.timestamp))
    docinfo = {"/Title": String(info.title), "/Producer": String("WeasyPrint via bookmaker"),
               "/Creator": String("bookmaker"), "/CreationDate": date, "/ModDate": date}
    if info.authors:
        docinfo["/Author"] = String(", ".join(info.authors))
    if info.subject:
        docinfo["/Subject"] = String(info.subject)
    if info.keywords:
        docinfo["/Keywords"] = String(", ".join(info.keywords))
    pdf.docinfo = pdf.make_indirect(Dictionary(docinfo))
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        xmp.load_from_docinfo(pdf.docinfo)
        xmp["dc:language"] = [info.lang]
        if info.authors:
            xmp["dc:creator"] = list(info.authors)  # one entry each, not the joined string
        stamp = info.timestamp.isoformat()
        xmp["xmp:CreateDate"] = stamp
        xmp["xmp:ModifyDate"] = stamp
        xmp["xmp:MetadataDate"] = stamp
        if tagged:
            xmp["pdfuaid:part"] = "1"
    root = pdf.Root
    root.Lang = String(info.lang)
    root.ViewerPreferences = Dictionary(DisplayDocTitle=True, PrintScaling=Name.None_)
    if tagged:
        root.MarkInfo = Dictionary(Marked=True)
    if "/Outlines" in root:
        root.PageMode = Name.UseOutlines


def _pdf_date(moment: datetime) -> str:
    return "D:" + moment.strftime("%Y%m%d%H%M%S") + "Z"


class _StructureTree:
    """The book's structure tree, built from the pieces' trees as they are joined."""

    def __init__(self, book: Pdf) -> None:
        self.book = book
        self.root = book.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        self.document = book.make_indirect(Dictionary(
            Type=Name.StructElem, S=Name.Document, P=self.root, K=Array()))
        self.root.K = Array([self.document])
        self.nums = Array()
        self.next_key = 0

    def adopt(self, source: Pdf, pages: list[pikepdf.Page]) -> None:
        """The structure of ``source``, whose pages were just appended as ``pages``."""
        source_root = source.Root.get("/StructTreeRoot")
        if source_root is None:
            return
        kids = source_root.K
        for document in (list(kids) if isinstance(kids, Array) else [kids]):
            elements = document.get("/K", Array())
            for element in (list(elements) if isinstance(elements, Array) else [elements]):
                if not isinstance(element, Dictionary):
                    continue  # marked content straight under Document: not made by WeasyPrint
                # Cut the link to the piece's own Document so the copy does not drag it along.
                del element["/P"]
                copied = self.book.copy_foreign(element)
                copied.P = self.document
                _scope_header_cells(copied)
                self.document.K.append(copied)
        offset = self.next_key
        largest = -1
        for key, value in _number_tree(source_root.get("/ParentTree")):
            largest = max(largest, key)
            self.nums.append(key + offset)
            if isinstance(value, Array):
                self.nums.append(self.book.make_indirect(Array(
                    self.book.copy_foreign(item) for item in value)))
            else:
                self.nums.append(self.book.copy_foreign(value))
        for page in pages:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + offset
            for annotation in page.obj.get("/Annots", Array()):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset
        self.next_key = offset + largest + 1

    def finish(self) -> None:
        self.root.ParentTree = self.book.make_indirect(Dictionary(Nums=self.nums))
        self.root.ParentTreeNextKey = self.next_key
        self.book.Root.StructTreeRoot = self.root


def _scope_header_cells(element: pikepdf.Object) -> None:
    """Give every table header cell under ``element`` its /Scope: WeasyPrint ties data cells to
    their headers (/Headers) but leaves the headers' own scope out, which PDF/UA asks for (a
    header in the table's head heads its column, one in the body heads its row)."""
    pending: list[tuple[pikepdf.Object, str]] = [(element, "")]
    while pending:
        node, section = pending.pop()
        if isinstance(node, Array):
            pending.extend((child, section) for child in node)
            continue
        if not isinstance(node, Dictionary) or "/S" not in node:
            continue
        kind = str(node.S)
        if kind in ("/THead", "/TBody", "/TFoot"):
            section = kind
        elif kind == "/TH":
            attributes = node.get("/A")
            if not isinstance(attributes, Dictionary):
                attributes = node.A = Dictionary(O=Name.Table)
            if "/Scope" not in attributes:
                attributes.Scope = Name.Column if section == "/THead" else Name.Row
        if "/K" in node:
            pending.append((node.K, section))


def _number_tree(node: pikepdf.Object | None) -> list[tuple[int, pikepdf.Object]]:
    """A number tree's (key, value) pairs, leaves and intermediate nodes alike."""
    if node is None:
        return []
    pairs = []
    nums = list(node.get("/Nums", Array()))
    pairs += [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums) - 1, 2)]
    for kid in node.get("/Kids", Array()):
        pairs += _number_tree(kid)
    return pairs


def _link_sections(book: Pdf, section_pages: dict[str, int], labels: dict[str, str]) -> None:
    """Contents entries laid out apart from their chapters carry a placeholder URI: each becomes
    a link to the top of its section's first page."""
    for page in book.pages:
        for annotation in page.obj.get("/Annots", Array()):
            action = annotation.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if not uri.startswith(SECTION_LINK):
                continue
            section = uri[len(SECTION_LINK):]
            target = section_pages.get(section)
            del annotation["/A"]
            if target is None:
                continue
            target_page = book.pages[target]
            top = float(target_page.mediabox[3])
            annotation.Dest = Array([target_page.obj, Name.XYZ, 0, top, 0])
            annotation.Contents = String(labels.get(section, f"Page {target + 1}"))



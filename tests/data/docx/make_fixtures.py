"""Writes the DOCX fixtures from hand-written WordprocessingML, so every byte is reviewable.

Run from the repository root: ``python tests/data/docx/make_fixtures.py``. The zip entries carry a
fixed date, so running it again rewrites identical files.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

HERE = Path(__file__).parent
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
DRAWING_NS = ('xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
              'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
              'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"')
FIXED_DATE = (2024, 1, 1, 0, 0, 0)


def png(width: int, height: int) -> bytes:
    """A grey PNG of the given size, built by hand (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0,
                                                                0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def paragraph(*runs: str, style: str = "", align: str = "") -> str:
    properties = ""
    if style or align:
        properties = "<w:pPr>" + (f'<w:pStyle w:val="{style}"/>' if style else "") + \
            (f'<w:jc w:val="{align}"/>' if align else "") + "</w:pPr>"
    return f"<w:p>{properties}{''.join(runs)}</w:p>"


def run(text: str, italic: bool = False, bold: bool = False) -> str:
    properties = ("<w:i/>" if italic else "") + ("<w:b/>" if bold else "")
    properties = f"<w:rPr>{properties}</w:rPr>" if properties else ""
    return f'<w:r>{properties}<w:t xml:space="preserve">{text}</w:t></w:r>'


def picture(relationship: str, name: str, attribute: str = "r:embed") -> str:
    return (f'<w:r><w:drawing><wp:inline><wp:extent cx="952500" cy="952500"/>'
            f'<wp:docPr id="1" name="{name}" descr="{name}"/><a:graphic><a:graphicData '
            f'uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>'
            f'<pic:blipFill><a:blip {attribute}="{relationship}"/></pic:blipFill></pic:pic>'
            f'</a:graphicData></a:graphic></wp:inline></w:drawing></w:r>')


def styles() -> str:
    def style(style_id: str, name: str) -> str:
        return (f'<w:style w:type="paragraph" w:styleId="{style_id}"><w:name w:val="{name}"/>'
                f'</w:style>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles {W}>'
            + style("Title", "Title") + style("Heading1", "heading 1") + "</w:styles>")


def paper_boat() -> dict[str, bytes]:
    body = "".join([
        paragraph(run("The Paper Boat"), style="Title"),
        paragraph(run("Chapter One: Folding"), style="Heading1"),
        paragraph(run("She folded the paper "), run("twice", italic=True), run(", then "),
                  run("once more", bold=True), run(".")),
        paragraph(run("xxx"), align="center"),
        paragraph(run("The boat floated.")),
        paragraph(picture("rIdImage", "boat.png")),
        paragraph(run("Chapter Two"), style="Heading1"),
        paragraph(run("Rain came.")),
        paragraph(run("* * *"), align="center"),
        paragraph(picture("rIdLinked", "secret", attribute="r:link")),
        paragraph(run("The end.")),
    ])
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<w:document {W} {R} {DRAWING_NS}><w:body>{body}</w:body></w:document>')
    relationships = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/styles" Target="styles.xml"/>'
        '<Relationship Id="rIdImage" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/image" Target="media/image1.png"/>'
        '<Relationship Id="rIdLinked" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/image" Target="file:///etc/passwd" TargetMode="External"/>'
        '</Relationships>')
    return {
        "[Content_Types].xml": (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            b'<Default Extension="png" ContentType="image/png"/>'
            b'<Override PartName="/word/document.xml" ContentType="application/vnd.'
            b'openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            b'</Types>'),
        "_rels/.rels": (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/officeDocument" Target="word/document.xml"/>'
            b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
            b'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            b'</Relationships>'),
        "word/document.xml": document.encode(),
        "word/_rels/document.xml.rels": relationships.encode(),
        "word/styles.xml": styles().encode(),
        "word/media/image1.png": png(40, 30),
        "docProps/core.xml": (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            b'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            b'<dc:title>The Paper Boat</dc:title><dc:creator>Mireille Okafor</dc:creator>'
            b'<dc:language>en-GB</dc:language></cp:coreProperties>'),
    }


def write_docx(path: Path, entries: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as docx:
        for name, data in entries.items():
            docx.writestr(zipfile.ZipInfo(name, FIXED_DATE), data,
                          compress_type=zipfile.ZIP_DEFLATED)


if __name__ == "__main__":
    write_docx(HERE / "paper-boat" / "input.docx", paper_boat())

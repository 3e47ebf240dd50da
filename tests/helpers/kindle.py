"""Kindle books (MOBI 6) made with ``struct``, the way a stranger's tool or an attacker makes them.

A MOBI is a Palm database: a 78-byte header, a table of records (offset, attributes, id), then the
records. Record 0 holds the PalmDOC header (compression, text length, text record count and size,
encryption), the MOBI header and, when its flag is set, the EXTH metadata; records 1..N hold the
text (HTML), at most ``RECORD_SIZE`` bytes each once decompressed; then resources (images) and an
end-of-file record. ``mobi_book`` writes a valid book (KindleUnpack and calibre read it);
its arguments let a test make each part lie.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

RECORD_SIZE = 4096
EOF_RECORD = b"\xe9\x8e\r\n"
MOBI_HEADER_LENGTH = 0xE8  # through the extra-data flags at 0xF2 and the NCX index at 0xF4


def palmdoc_compress(data: bytes) -> bytes:
    """PalmDOC (LZ77) compression: literals in runs of at most 8 behind a count byte, ``space +
    char`` pairs as one byte, and (distance, length) back-references of 3 to 10 bytes."""
    out = bytearray()
    position = 0
    literals = bytearray()

    def flush() -> None:
        for start in range(0, len(literals), 8):
            run = literals[start:start + 8]
            if len(run) == 1 and (run[0] == 0 or 0x09 <= run[0] <= 0x7F):
                out.extend(run)
            else:
                out.append(len(run))
                out.extend(run)
        literals.clear()

    last_seen: dict[bytes, int] = {}  # where each 3-byte run was last met: the match tried
    while position < len(data):
        best_length = best_distance = 0
        key = data[position:position + 3]
        earlier = last_seen.get(key)
        if earlier is not None and 0 < position - earlier <= 2047:
            distance = position - earlier
            while (best_length < 10 and position + best_length < len(data)
                   and data[earlier + best_length] == data[position + best_length]):
                best_length += 1
            best_distance = distance
        for step in range(min(best_length, 3) or 1):
            if position + step + 3 <= len(data):
                last_seen[data[position + step:position + step + 3]] = position + step
        if best_length >= 3:
            flush()
            out.extend(struct.pack(">H", 0x8000 | (best_distance << 3) | (best_length - 3)))
            position += best_length
        elif (data[position] == 0x20 and position + 1 < len(data)
              and 0x40 <= data[position + 1] <= 0x7F):
            flush()
            out.append(data[position + 1] ^ 0x80)
            position += 2
        else:
            literals.append(data[position])
            position += 1
    flush()
    return bytes(out)


def exth_block(records: Sequence[tuple[int, bytes]], count: int | None = None) -> bytes:
    """An EXTH header holding ``records`` (type, data); ``count`` may claim another number."""
    body = b"".join(struct.pack(">LL", kind, 8 + len(data)) + data for kind, data in records)
    length = 12 + len(body)
    block = b"EXTH" + struct.pack(">LL", length, len(records) if count is None else count) + body
    return block + b"\0" * (-len(block) % 4)


def font_record(font: bytes, compressed: bool = True) -> bytes:
    """A KF8 FONT resource: 'FONT', the uncompressed size, flags (1: zlib), the data's offset."""
    data = zlib.compress(font, 9) if compressed else font
    return b"FONT" + struct.pack(">LLLLL", len(font), 1 if compressed else 0, 24, 0, 0) + data


def mobi_book(html: bytes, *, title: str = "A Kindle Book", compression: int = 2,
              exth: bytes | None = None, text_records: Sequence[bytes] | None = None,
              resources: Sequence[bytes] = (), encryption: int = 0,
              record_size: int = RECORD_SIZE) -> bytes:
    """A MOBI 6 book of ``html``: PalmDOC-compressed (2) or stored (1) text records, ``exth``
    (default: the title and an author), then ``resources`` and the end-of-file record.
    ``text_records`` replaces the records made from ``html`` (already compressed as given)."""
    if text_records is None:
        pieces = [html[start:start + record_size] for start in range(0, len(html), record_size)]
        text_records = [palmdoc_compress(piece) if compression == 2 else piece
                        for piece in pieces]
    if exth is None:
        exth = exth_block([(100, b"A. Writer"), (503, title.encode())])
    name = title.encode()
    first_resource = len(text_records) + 1
    header = bytearray(16 + MOBI_HEADER_LENGTH)
    struct.pack_into(">HHLHHHH", header, 0, compression, 0, len(html), len(text_records),
                     record_size, encryption, 0)
    struct.pack_into(">4sLLLLL", header, 16, b"MOBI", MOBI_HEADER_LENGTH, 2, 65001, 0x1234, 6)
    for offset in range(0x28, 0x50, 4):
        struct.pack_into(">L", header, offset, 0xFFFFFFFF)
    title_offset = len(header) + len(exth)
    struct.pack_into(">LLLLLLL", header, 0x50, first_resource, title_offset, len(name), 9, 0, 0,
                     6)
    struct.pack_into(">LLLLLL", header, 0x6C, first_resource, 0, 0, 0, 0, 0x50 if exth else 0)
    struct.pack_into(">LLLL", header, 0xA4, 0xFFFFFFFF, 0xFFFFFFFF, 0, 0)
    struct.pack_into(">HHL", header, 0xC0, 1, len(text_records), 1)
    struct.pack_into(">L", header, 0xF4, 0xFFFFFFFF)  # no NCX index
    record0 = bytes(header) + exth + name + b"\0" * (-(len(name)) % 4 + 4)
    return palm_database(name, [record0, *text_records, *resources, EOF_RECORD])


def palm_database(name: bytes, records: Sequence[bytes], count: int | None = None) -> bytes:
    """A Palm database of type BOOK/MOBI holding ``records``; ``count`` may claim another number."""
    table_end = 78 + 8 * len(records) + 2
    offsets, position = [], table_end
    for record in records:
        offsets.append(position)
        position += len(record)
    header = struct.pack(">32sHHLLLLLL4s4sLLH", name[:31], 0, 0, 0, 0, 0, 0, 0, 0, b"BOOK",
                         b"MOBI", 2 * len(records), 0,
                         len(records) if count is None else count)
    table = b"".join(struct.pack(">LL", offset, 2 * index) for index, offset in enumerate(offsets))
    return header + table + b"\0\0" + b"".join(records)


def story_html(*paragraphs: str, title: str = "A Kindle Book") -> bytes:
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    return (f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{body}"
            "</body></html>").encode()


def huff_tables(phrases: dict[int, tuple[bytes, bool]] | None = None) -> tuple[bytes, bytes]:
    """A HUFF and a CDIC record where every code is 8 bits long and byte ``b`` of a text record
    names phrase ``255 - b``. By default phrase ``255 - b`` is the literal byte ``b``, so a text
    record encodes itself; ``phrases`` replaces some (index: (bytes, literal)), a phrase that is
    not literal being itself coded the same way."""
    dict1 = struct.pack(">256L", *[(255 << 8) | 0x80 | 8] * 256)
    huff = b"HUFF\x00\x00\x00\x18" + struct.pack(">LLLL", 24, 24 + len(dict1), 0, 0) + dict1 \
        + b"\0" * (64 * 4)
    table = {255 - byte: (bytes([byte]), True) for byte in range(256)}
    table.update(phrases or {})
    offsets, bodies, position = [], b"", 2 * 256
    for index in range(256):
        data, literal = table[index]
        offsets.append(position + len(bodies))
        bodies += struct.pack(">H", len(data) | (0x8000 if literal else 0)) + data
    cdic = b"CDIC\x00\x00\x00\x10" + struct.pack(">LL", 256, 8) \
        + struct.pack(">256H", *offsets) + bodies
    return huff, cdic


def huff_book(html: bytes, phrases: dict[int, tuple[bytes, bool]] | None = None) -> bytes:
    """A MOBI 6 book of ``html`` compressed with HUFF/CDIC (the tables of huff_tables)."""
    pieces = [html[start:start + RECORD_SIZE] for start in range(0, len(html), RECORD_SIZE)]
    book = bytearray(mobi_book(html, compression=0x4448, text_records=pieces,
                               resources=huff_tables(phrases)))
    # The tables are the first records after the text: point the header at them.
    record0 = struct.unpack_from(">L", book, 78)[0]
    struct.pack_into(">LL", book, record0 + 0x70, len(pieces) + 1, 2)
    return bytes(book)

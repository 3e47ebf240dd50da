"""Kindle books (MOBI, AZW3) from strangers, walked with bounds and tamed before a library reads.

A Kindle book is a Palm database: a header, a table of records, the records. Record 0 holds the
PalmDOC header (compression, text record count, encryption), the MOBI header and its EXTH metadata;
the records after it hold the text, compressed, then images, fonts, indexes and more; a KF8 book
(AZW3, or the second half of a joint MOBI) repeats that after a ``BOUNDARY`` record. KindleUnpack
(the ``mobi`` package, readers/mobi.py) trusts every number in it: an EXTH header claiming 2^32-1
records of size 0 loops for hours, a zlib font inflates to whatever it claims, its PalmDOC
decompressor joins bytes quadratically, and its parsers of the RESC and page-map records loop
forever on an unclosed quote. So ``tame`` walks the book here first, and rewrites it into the copy
the library is given:

- the record table must fit the file, its offsets in order, at most MAX_RECORDS records;
- each MOBI header must fit its record, and its EXTH block is walked with bounds: at most as many
  records as its length can hold (MAX_EXTH_RECORDS), each at least 8 bytes and inside the block;
- the text is decompressed here (PalmDOC and HUFF/CDIC), in linear time, to at most
  MAX_KINDLE_TEXT_BYTES for the whole book (HUFF's nested phrases at most MAX_HUFF_DEPTH deep),
  and stored uncompressed in the copy, whose header then says so: the library decompresses nothing;
- the records bookmaker never uses (fonts, the RESC copy of the OPF, page maps, kindlegen's source
  archive and log, HD images) become an empty placeholder record: no font is inflated, no such
  record parsed, nothing of theirs written to disk.

What the library then writes into its private folder is bounded by these sizes: the copy (the
file plus its text), each image once more and once in the EPUB it makes, the text a few times.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import PurePath

from bookmaker.errors import ManuscriptError

MAX_KINDLE_BYTES = 256 * 1024 * 1024  # the gate's budget for one .azw3/.mobi file
MAX_RECORDS = 65_535  # all a Palm database can number
MAX_EXTH_RECORDS = 4_096  # real books carry 10 to 60
MAX_KINDLE_TEXT_BYTES = 64 * 1024 * 1024  # the decompressed text of one book, as for text files
MAX_HUFF_DEPTH = 32  # HUFF/CDIC phrases made of phrases, this deep at most
# Bytes KindleUnpack copies to put a KF8 book's pages together: each fragment is inserted by
# rebuilding its page, so a page of many fragments costs (fragments x page size). Real books:
# a few MB; one crafted page of 100,000 fragments would be hours.
MAX_KF8_ASSEMBLY_BYTES = 1024 * 1024 * 1024

PALMDOC, STORED, HUFFCDIC = 2, 1, 0x4448
_PLACEHOLDER = b"\xa0\xa0\xa0\xa0"  # KindleUnpack's empty resource: skipped, written nowhere
_UNUSED = (b"FONT", b"RESC", b"PAGE", b"SRCS", b"CMET", b"CRES")
_HINT = "the file is damaged or was made to attack the program reading it; do not open it"


@dataclass
class Tamed:
    """The copy to hand the library, and what was left out of it."""

    data: bytes
    fonts_left_out: int = 0
    kf8_header: int | None = None  # the record of the KF8 header, in a KF8 or joint book

    @property
    def kf8(self) -> bool:
        return self.kf8_header is not None


def check_kf8_assembly(skeletons: list[tuple[int, int]], fragment_lengths: list[int],
                       name: PurePath) -> None:
    """Refuse a KF8 book whose pages would cost KindleUnpack more than MAX_KF8_ASSEMBLY_BYTES of
    copying to put together. ``skeletons`` are (fragment count, skeleton length) in order, and
    the fragments are taken in order as KindleUnpack takes them."""
    cost, next_fragment = 0, 0
    for count, length in skeletons:
        lengths = fragment_lengths[next_fragment:next_fragment + count]
        next_fragment += count
        cost += len(lengths) * (length + sum(lengths))
        if cost > MAX_KF8_ASSEMBLY_BYTES:
            raise ManuscriptError(
                "the Kindle book's pages are cut into too many fragments to put together (more "
                f"than {MAX_KF8_ASSEMBLY_BYTES // 2**20} MB of copying)", name, hint=_HINT)


def tame(data: bytes, name: PurePath) -> Tamed:
    """``data`` (a whole .azw3/.mobi) checked and rewritten as described above; a ManuscriptError
    naming ``name`` for a book that passes a bound or is encrypted."""
    walk = _Walk(data, name)
    records = walk.records()
    ident = data[60:68]
    if ident not in (b"BOOKMOBI", b"TEXtREAd"):
        raise walk.error("not a Kindle book (no BOOKMOBI or TEXtREAd database)",
                         "check the file is a whole .azw3/.mobi, or convert it to EPUB first")
    copy = list(records)
    starts = [0]
    boundary = next((index for index, record in enumerate(records) if record == b"BOUNDARY"),
                    None)
    if boundary is not None and boundary + 1 < len(records):
        starts.append(boundary + 1)
    budget = [MAX_KINDLE_TEXT_BYTES]
    kept: set[int] = set()
    kf8: int | None = None
    for start in starts:
        header = walk.header(records, start, ident)
        if header.version == 8 or start > 0:
            kf8 = start
        kept.add(start)
        texts = walk.texts(records, header, budget)
        for offset, text in enumerate(texts, start=start + 1):
            copy[offset] = text
            kept.add(offset)
        copy[start] = struct.pack(">H", STORED) + records[start][2:]
        kept.update(header.huff_records)
    fonts = 0
    for index, record in enumerate(records):
        if index not in kept and record[:4] in _UNUSED:
            fonts += record[:4] == b"FONT"
            copy[index] = _PLACEHOLDER
    return Tamed(_database(data[:78], copy), fonts, kf8)


# --------------------------------------------------------------------------- the walk


@dataclass(frozen=True)
class _Header:
    start: int
    version: int
    compression: int
    text_records: int
    trailers: int
    multibyte: bool
    huff_records: range


class _Walk:
    def __init__(self, data: bytes, name: PurePath) -> None:
        self.data = data
        self.name = name

    def error(self, message: str, hint: str = _HINT) -> ManuscriptError:
        return ManuscriptError(message, self.name, hint=hint)

    def records(self) -> list[bytes]:
        """The records, by the table after the 78-byte header: in order, inside the file."""
        data = self.data
        if len(data) < 78:
            raise self.error("not a Kindle book: shorter than a Palm database header",
                             "check the file is a whole .azw3/.mobi")
        (count,) = struct.unpack_from(">H", data, 76)
        if count == 0 or 78 + 8 * count > len(data):
            raise self.error(f"the Kindle book's record table ({count} records) does not fit "
                             f"in its {len(data):,} bytes")
        offsets = [struct.unpack_from(">L", data, 78 + 8 * index)[0] for index in range(count)]
        offsets.append(len(data))
        for index in range(count):
            if offsets[index] > len(data):
                raise self.error(f"the Kindle book's record {index} lies outside the file")
            if offsets[index + 1] < offsets[index]:
                raise self.error(f"the Kindle book's record {index + 1} starts before the one "
                                 "it follows")
        return [data[offsets[index]:offsets[index + 1]] for index in range(count)]

    def header(self, records: list[bytes], start: int, ident: bytes) -> _Header:
        """The PalmDOC and MOBI header of ``records[start]``, checked, its EXTH walked."""
        record = records[start]
        if len(record) < 16:
            raise self.error(f"the Kindle book's header record {start} is too short")
        compression, _, _, text_records, _, encryption = struct.unpack_from(">HHLHHH", record)
        if encryption:
            raise self.error("the Kindle book is encrypted (DRM)",
                             "bookmaker reads only books without DRM, such as the AZW3 and "
                             "MOBI downloads of AO3")
        if compression not in (PALMDOC, STORED, HUFFCDIC):
            raise self.error(f"the Kindle book's text uses an unknown compression "
                             f"({compression:#x})")
        if start + text_records >= len(records):
            raise self.error(f"the Kindle book claims {text_records} text records, more than "
                             f"it holds")
        version = trailers = multibyte = 0
        huff = range(0)
        if record[16:20] == b"MOBI":
            if len(record) < 0x84:
                raise self.error("the Kindle book's MOBI header is cut short")
            length, version = struct.unpack_from(">L", record, 20)[0], \
                struct.unpack_from(">L", record, 36)[0]
            if 16 + length > len(record):
                raise self.error(f"the Kindle book's MOBI header claims {length:,} bytes, more "
                                 "than its record holds")
            if struct.unpack_from(">L", record, 0x80)[0] & 0x40:
                self._walk_exth(record, 16 + length)
            if ident == b"BOOKMOBI" and length >= 0xE4 and len(record) >= 0xF4 \
                    and struct.unpack_from(">L", record, 0x68)[0] >= 5:
                (flags,) = struct.unpack_from(">H", record, 0xF2)
                multibyte = flags & 1
                trailers = bin(flags >> 1).count("1")
            if compression == HUFFCDIC:
                offset, count = struct.unpack_from(">LL", record, 0x70)
                if count == 0 or start + offset + count > len(records):
                    raise self.error("the Kindle book's HUFF/CDIC tables lie outside it")
                huff = range(start + offset, start + offset + count)
        elif compression == HUFFCDIC:
            raise self.error("a PalmDOC book cannot use HUFF/CDIC compression")
        return _Header(start, version, compression, text_records, trailers, bool(multibyte),
                       huff)

    def _walk_exth(self, record: bytes, offset: int) -> None:
        """The EXTH block at ``offset``: each record's size at least 8 and inside the block,
        and no more records than the block can hold (KindleUnpack believes the count)."""
        if record[offset:offset + 4] != b"EXTH" or offset + 12 > len(record):
            raise self.error("the Kindle book's EXTH header is missing or cut short")
        length, count = struct.unpack_from(">LL", record, offset + 4)
        length = min(length, len(record) - offset)
        if count > min(MAX_EXTH_RECORDS, (length - 12) // 8):
            raise self.error(f"the Kindle book's EXTH header claims {count:,} records in "
                             f"{length:,} bytes (at most {MAX_EXTH_RECORDS:,}, of 8 bytes "
                             "or more)")
        position = 12
        for index in range(count):
            if position + 8 > length:
                raise self.error(f"the Kindle book's EXTH record {index} lies past its block")
            size = struct.unpack_from(">L", record, offset + position + 4)[0]
            if size < 8 or position + size > length:
                raise self.error(f"the Kindle book's EXTH record {index} claims {size:,} "
                                 "bytes (at least 8, inside its block)")
            position += size

    def texts(self, records: list[bytes], header: _Header, budget: list[int]) -> list[bytes]:
        """Each text record decompressed, with its trailing entries kept behind it exactly as
        they were (KindleUnpack strips them by reading from the end); ``budget[0]`` is what the
        book's text may still take."""
        huff = _Huff(self, [records[index] for index in header.huff_records]) \
            if header.compression == HUFFCDIC else None
        out = []
        for index in range(header.start + 1, header.start + 1 + header.text_records):
            record = records[index]
            body = _without_trailers(record, header.trailers, header.multibyte)
            if header.compression == PALMDOC:
                text = self.palmdoc(body, budget[0], index)
            elif huff is not None:
                text = huff.unpack(body, budget[0], index)
            else:
                text = body
            budget[0] -= len(text)
            if budget[0] < 0:
                raise self.too_much_text()
            out.append(text + record[len(body):])
        return out

    def too_much_text(self) -> ManuscriptError:
        return self.error(f"the Kindle book's text inflates to more than "
                          f"{MAX_KINDLE_TEXT_BYTES // 2**20} MB", "split it into several works")

    def palmdoc(self, data: bytes, limit: int, index: int) -> bytes:
        """PalmDOC's LZ77, into one growing buffer (linear; KindleUnpack's copies the whole
        output for every token, which is quadratic in a record's size)."""
        out = bytearray()
        position, size = 0, len(data)
        while position < size:
            byte = data[position]
            position += 1
            if 1 <= byte <= 8:
                out += data[position:position + byte]
                position += byte
            elif byte < 0x80:
                out.append(byte)
            elif byte >= 0xC0:
                out += b" "
                out.append(byte ^ 0x80)
            elif position < size:
                pair = (byte << 8) | data[position]
                position += 1
                distance, length = (pair >> 3) & 0x07FF, (pair & 7) + 3
                if distance == 0 or distance > len(out):
                    raise self.error(f"the Kindle book's text record {index} refers back past "
                                     "its start (damaged)")
                if distance >= length:
                    out += out[-distance:len(out) - distance + length]
                else:
                    for _ in range(length):
                        out.append(out[-distance])
            if len(out) > limit:
                raise self.too_much_text()
        return bytes(out)


def _without_trailers(record: bytes, trailers: int, multibyte: bool) -> bytes:
    """The record less its trailing entries, exactly as KindleUnpack strips them."""
    for _ in range(trailers):
        size = 0
        for byte in record[-4:]:
            if byte & 0x80:
                size = 0
            size = (size << 7) | (byte & 0x7F)
        record = record[:-size]
    if multibyte and record:
        record = record[:-((record[-1] & 3) + 1)]
    return record


class _Huff:
    """HUFF/CDIC decompression (Mobipocket's dictionary coder), bounded: a phrase is expanded once
    and kept, phrases nest at most MAX_HUFF_DEPTH deep, and every byte any expansion makes counts
    against the book's text budget."""

    def __init__(self, walk: _Walk, tables: list[bytes]) -> None:
        self.walk = walk
        huff, cdics = tables[0], tables[1:]
        if huff[:8] != b"HUFF\x00\x00\x00\x18" or len(huff) < 24:
            raise walk.error("the Kindle book's HUFF table is damaged")
        try:
            first, second = struct.unpack_from(">LL", huff, 8)
            self.dict1 = [(value & 0x1F, value & 0x80,
                           (((value >> 8) + 1) << (32 - (value & 0x1F))) - 1)
                          for value in struct.unpack_from(">256L", huff, first)]
            pairs = struct.unpack_from(">64L", huff, second)
        except struct.error:
            raise walk.error("the Kindle book's HUFF table is cut short") from None
        self.mincode = [0] + [code << (32 - length) for length, code in
                              enumerate(pairs[0::2], start=1)]
        self.maxcode = [2**32 - 1] + [((code + 1) << (32 - length)) - 1 for length, code in
                                      enumerate(pairs[1::2], start=1)]
        self.phrases: list[tuple[bytes, bool]] = []
        for cdic in cdics:
            if cdic[:8] != b"CDIC\x00\x00\x00\x10" or len(cdic) < 16:
                raise walk.error("the Kindle book's CDIC table is damaged")
            count, bits = struct.unpack_from(">LL", cdic, 8)
            wanted = min(1 << min(bits, 16), count - len(self.phrases))
            if wanted <= 0:
                continue
            try:
                for offset in struct.unpack_from(f">{wanted}H", cdic, 16):
                    (word,) = struct.unpack_from(">H", cdic, 16 + offset)
                    self.phrases.append((cdic[18 + offset:18 + offset + (word & 0x7FFF)],
                                         bool(word & 0x8000)))
            except struct.error:
                raise walk.error("the Kindle book's CDIC table is cut short") from None
        self.made = 0

    def unpack(self, data: bytes, limit: int, index: int, depth: int = 0) -> bytes:
        if depth > MAX_HUFF_DEPTH:
            raise self.walk.error(f"the Kindle book's text record {index} nests its phrases "
                                  f"more than {MAX_HUFF_DEPTH} deep")
        out = bytearray()
        bits_left = len(data) * 8
        data += b"\0" * 8
        position, shift = 0, 32
        (window,) = struct.unpack_from(">Q", data, 0)
        while True:
            if shift <= 0:
                position += 4
                (window,) = struct.unpack_from(">Q", data, position)
                shift += 32
            code = (window >> shift) & 0xFFFFFFFF
            length, terminal, maxcode = self.dict1[code >> 24]
            if length == 0:
                raise self.walk.error(f"the Kindle book's text record {index} is damaged")
            if not terminal:
                while length < 32 and code < self.mincode[length]:
                    length += 1
                maxcode = self.maxcode[length]
            shift -= length
            bits_left -= length
            if bits_left < 0:
                break
            number = (maxcode - code) >> (32 - length)
            if not 0 <= number < len(self.phrases):
                raise self.walk.error(f"the Kindle book's text record {index} names a phrase "
                                      "it does not have")
            phrase, done = self.phrases[number]
            if not done:
                phrase = self.unpack(phrase, limit, index, depth + 1)
                self.phrases[number] = (phrase, True)
            out += phrase
            self.made += len(phrase)
            if len(out) > limit or self.made > 2 * MAX_KINDLE_TEXT_BYTES:
                raise self.walk.too_much_text()
        return bytes(out)


def _database(header: bytes, records: list[bytes]) -> bytes:
    """A Palm database of ``records`` under ``header`` (its first 78 bytes), offsets recomputed."""
    table_end = 78 + 8 * len(records) + 2
    table = bytearray()
    position = table_end
    for index, record in enumerate(records):
        table += struct.pack(">LL", position, 2 * index)
        position += len(record)
    head = header[:76] + struct.pack(">H", len(records))
    return head + bytes(table) + b"\0\0" + b"".join(records)

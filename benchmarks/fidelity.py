"""How faithfully bookmaker's readers read documents nobody here wrote.

For every document of the shared corpus (``../shared/corpus``: pandoc's DOCX and EPUB test files,
pandoc's own reading of most DOCX as ``.native``, the IDPF EPUB 3 samples) this reads the document
with bookmaker's reader (no transforms, no writers) and compares it with a reference:

- a DOCX with a ``.native`` beside it: pandoc's AST of it (pandoc's reading is the yardstick);
- any other document: its own text (the EPUB's spine XHTML without ``<rt>``/``<rp>``, or for a
  DOCX without a ``.native`` nothing but whether it reads).

Per file it reports words kept and words added (as multisets of words; a CJK character is a
word), order kept (the share of passages, anchored by three-word sequences, found in the same
order), headings, footnote references, emphasised and strong words, tables, images, title and
authors; every loss is a flag.

    python benchmarks/fidelity.py                 # the table (Markdown) on stdout
    python benchmarks/fidelity.py --json          # the per-file results as JSON
    python benchmarks/fidelity.py --update-golden # rewrite tests/data/fidelity/results.json

The README beside this file holds the table and what bookmaker's model deliberately lacks.
"""

from __future__ import annotations

import argparse
import bisect
import json
import re
import sys
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
GOLDEN = REPO / "tests" / "data" / "fidelity" / "results.json"
sys.path.insert(0, str(REPO))

from bookmaker.readers.metadata import humanise_stem  # noqa: E402
from bookmaker import model as m  # noqa: E402
from bookmaker import readers  # noqa: E402
from bookmaker.readers import accounting  # noqa: E402
from bookmaker.errors import ManuscriptError  # noqa: E402

KEPT_AT_LEAST = 0.99
ADDED_AT_MOST = 0.02

# --------------------------------------------------------------------------- words

words = accounting.words  # the one definition of a word: runs of letters and digits, each CJK
# character alone, case folded (the registry's loss check counts the same way)


@dataclass
class Profile:
    """What a document holds, as the comparison needs it."""

    words: list[str] = field(default_factory=list)
    headings: int = 0
    notes: int = 0
    emphasis: int = 0  # words inside emphasis
    strong: int = 0  # words inside strong
    tables: int = 0
    images: int = 0
    quotes: int = 0  # block quotations
    underline: int = 0  # words inside underline
    title: str = ""
    authors: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- pandoc's .native


_TOKEN = re.compile(r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<num>-?\d+(?:\.\d+)?(?:e-?\d+)?)'
                    r'|(?P<name>[A-Za-z_][\w\']*)|(?P<punct>[\[\](){},=]))', re.S)


def _haskell_string(literal: str) -> str:
    body = literal[1:-1]

    def unescape(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape.isdigit():
            return chr(int(escape))
        return {"n": "\n", "t": "\t", "&": "", "\\": "\\", '"': '"', "'": "'"}.get(escape, "")
    return re.sub(r"\\(\d+|.)", unescape, body)


def parse_native(text: str) -> Any:
    """pandoc's ``native`` output as nested Python: ``(Constructor, [args])`` tuples, lists,
    strings and numbers (records and tuples become lists)."""
    tokens = [(match.lastgroup, match.group(match.lastgroup))
              for match in _TOKEN.finditer(text) if match.lastgroup]
    position = 0

    def atom() -> Any:
        nonlocal position
        kind, value = tokens[position]
        position += 1
        if kind == "str":
            return _haskell_string(value)
        if kind == "num":
            return float(value)
        if kind == "name":
            return (value, [])
        closing = {"[": "]", "(": ")", "{": "}"}[value]
        items = []
        while tokens[position][1] != closing:
            if tokens[position][1] in (",", "="):
                position += 1
                continue
            items.append(term())
        position += 1
        return items[0] if value == "(" and len(items) == 1 else items

    def term() -> Any:
        nonlocal position
        first = atom()
        if isinstance(first, tuple):
            args = []
            while position < len(tokens) and tokens[position][1] not in (",", "]", ")", "}",
                                                                         "="):
                args.append(atom())
            return (first[0], args)
        return first

    return term()


_INLINE_SPACES = {"Space", "SoftBreak", "LineBreak"}
_INLINE_WRAPPERS = {"Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript",
                    "SmallCaps", "Quoted", "Span", "Link", "Cite"}
# What pandoc's AST holds (read with --track-changes=all) and bookmaker deliberately does not:
# Word comments, and text deleted under track changes (bookmaker reads the accepted text).
_NOT_TEXT_SPANS = {"comment-start", "comment-end", "deletion"}


def native_profile(path: Path) -> Profile:
    tree = parse_native(path.read_text(encoding="utf-8"))
    profile = Profile()
    blocks = tree
    if isinstance(tree, tuple) and tree[0] == "Pandoc":
        meta, blocks = tree[1][:-1], tree[1][-1]
        entries = _meta_entries(meta)
        if "title" in entries:
            profile.title = _native_text(entries["title"])
        author = entries.get("author")
        if author is not None:
            values = author[1][0] if author[0] == "MetaList" else [author]
            profile.authors = [_native_text(value) for value in values]
        profile.words += words(profile.title)
        for name in ("subtitle", "date", "abstract"):  # text of the document pandoc keeps
            if name in entries:                         # as metadata
                profile.words += words(_native_text(entries[name]))
    parts: list[str] = []
    _walk_native(blocks, profile, parts, set())
    profile.words += words(" ".join(parts))
    return profile


def _meta_entries(meta: Any) -> dict[str, Any]:
    """("Meta", [[("unMeta", ...), ("fromList", [[key, value], ...])]]) -> {key: value}."""
    found: dict[str, Any] = {}

    def look(node: Any) -> None:
        if isinstance(node, tuple) and node[0] == "fromList":
            for pair in node[1][0]:
                if isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str):
                    found[pair[0]] = pair[1]
        elif isinstance(node, tuple):
            for arg in node[1]:
                look(arg)
        elif isinstance(node, list):
            for item in node:
                look(item)
    look(meta)
    return found


def _native_text(node: Any) -> str:
    parts: list[str] = []
    _walk_native(node, Profile(), parts, set())
    return " ".join(" ".join(parts).split())


def _walk_native(node: Any, profile: Profile, parts: list[str], inside: set[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _walk_native(item, profile, parts, inside)
        return
    if not isinstance(node, tuple):
        return
    name, args = node
    if name == "Str":
        parts.append(args[0])
        if "Emph" in inside:
            profile.emphasis += len(words(args[0]))
        if "Strong" in inside:
            profile.strong += len(words(args[0]))
        if "Underline" in inside:
            profile.underline += len(words(args[0]))
        return
    if name in _INLINE_SPACES:
        parts.append(" ")
        return
    if name in ("Code", "CodeBlock"):
        parts.append(" " + args[-1] + " ")
        return
    if name in ("Math", "RawInline", "RawBlock"):
        return  # formulas and raw markup: not words of the text
    if name == "Header":
        profile.headings += 1
    elif name == "Note":
        profile.notes += 1
    elif name == "Table":
        profile.tables += 1
    elif name == "BlockQuote":
        profile.quotes += 1
    elif name == "Image":
        profile.images += 1
        return  # its alt text is not text of the story
    elif name == "Link":
        _walk_native(args[1], profile, parts, inside)
        return
    elif name == "Cite":
        _walk_native(args[1], profile, parts, inside)  # the citation as written
        return
    elif name == "Span" and _NOT_TEXT_SPANS & set(_attr_classes(args[0])):
        return
    separator = "" if name in _INLINE_WRAPPERS else " "
    parts.append(separator)
    for arg in args:
        _walk_native(arg, profile, parts, inside | {name})
    parts.append(separator)


def _attr_classes(attr: Any) -> list[str]:
    """The classes of a pandoc Attr ``("id", ["class"], [("k", "v")])``."""
    if isinstance(attr, list) and len(attr) == 3 and isinstance(attr[1], list):
        return [item for item in attr[1] if isinstance(item, str)]
    return []


# --------------------------------------------------------------------------- an EPUB's own text

_XHTML = "{http://www.w3.org/1999/xhtml}"
_OPS_TYPE = "{http://www.idpf.org/2007/ops}type"
_DC = "{http://purl.org/dc/elements/1.1/}"


def epub_profile(path: Path) -> Profile:
    """The text of an EPUB's spine documents (navigation excluded) and its OPF title/creators."""
    profile = Profile()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    with zipfile.ZipFile(path) as container:
        container_xml = etree.fromstring(container.read("META-INF/container.xml"), parser)
        opf_name = next(element.get("full-path") for element in container_xml.iter()
                        if element.tag.endswith("rootfile"))
        opf = etree.fromstring(container.read(opf_name), parser)
        folder = opf_name.rsplit("/", 1)[0] + "/" if "/" in opf_name else ""
        title = next((element.text or "" for element in opf.iter(f"{_DC}title")), "")
        profile.title = " ".join(title.split())
        roles: dict[str, set[str]] = {}
        for meta in opf.iter():
            if str(meta.tag).endswith("meta") and meta.get("property") == "role":
                roles.setdefault(meta.get("refines", "").lstrip("#"), set()).add(
                    (meta.text or "").strip())
        profile.authors = [
            " ".join((element.text or "").split()) for element in opf.iter(f"{_DC}creator")
            if _is_author(roles.get(element.get("id", ""), set())
                          | {element.get("{http://www.idpf.org/2007/opf}role", "")})]
        profile.words += words(profile.title)
        manifest = {item.get("id"): item for item in opf.iter() if str(item.tag).endswith("item")}
        for itemref in (e for e in opf.iter() if str(e.tag).endswith("itemref")):
            item = manifest.get(itemref.get("idref"))
            if item is None or "nav" in (item.get("properties") or "").split():
                continue
            from urllib.parse import unquote
            name = folder + unquote(item.get("href", ""))
            try:
                document = etree.fromstring(container.read(name), parser)
            except (KeyError, etree.XMLSyntaxError):
                continue
            body = next(document.iter(f"{_XHTML}body"), None)
            if body is not None:
                parts: list[str] = []
                _walk_xhtml(body, profile, parts, set())
                profile.words += words(" ".join(parts))
    return profile


def _is_author(roles: set[str]) -> bool:
    """A creator with no role, or with the author role among theirs."""
    roles = roles - {""}
    return not roles or "aut" in roles


def _walk_xhtml(element: etree._Element, profile: Profile, parts: list[str],
                inside: set[str]) -> None:
    if not isinstance(element.tag, str):
        return  # a comment or processing instruction (its tail is the parent's to read)
    tag = etree.QName(element).localname
    if tag in ("rt", "rp", "script", "style", "math"):
        return  # readings, code, and MathML (bookmaker's model has no formulas)
    kinds = set((element.get(_OPS_TYPE, "") + " " + element.get("role", "")).split())
    if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        profile.headings += 1
    elif tag == "table":
        profile.tables += 1
    elif tag == "blockquote":
        profile.quotes += 1
    elif tag in ("img", "image"):
        profile.images += 1
    elif tag == "a" and (kinds & {"noteref", "doc-noteref"}
                         or {"footnote-ref", "footnoteRef"} & set(element.get("class",
                                                                             "").split())):
        profile.notes += 1
    wrapper = {"em": "Emph", "i": "Emph", "cite": "Emph", "dfn": "Emph", "var": "Emph",
               "strong": "Strong", "b": "Strong", "u": "Underline", "ins": "Underline"}.get(tag)
    if "underline" in element.get("class", "").split():
        wrapper = "Underline"
    now = inside | {wrapper} if wrapper else inside
    block = tag in ("p", "div", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "br",
                    "blockquote", "section", "aside", "dt", "dd", "tr", "caption", "figcaption")
    if block:
        parts.append(" ")
    if element.text:
        _count_text(element.text, profile, parts, now)
    for child in element:
        _walk_xhtml(child, profile, parts, now)
        if child.tail:
            _count_text(child.tail, profile, parts, inside)
    if block:
        parts.append(" ")


def _count_text(text: str, profile: Profile, parts: list[str], inside: set[str]) -> None:
    parts.append(text)
    if "Emph" in inside:
        profile.emphasis += len(words(text))
    if "Strong" in inside:
        profile.strong += len(words(text))
    if "Underline" in inside:
        profile.underline += len(words(text))


# --------------------------------------------------------------------------- bookmaker's reading


def book_profile(book: m.Book, source: Path | None = None) -> Profile:
    """Title and body words (authors are compared as names); a title made from the file's
    name when the document has none is not words of the document."""
    profile = Profile(title=" ".join(book.metadata.title.split()),
                      authors=list(book.metadata.authors))
    if source is None or profile.title not in (source.stem, humanise_stem(source)):
        profile.words += words(profile.title)
    parts: list[str] = []
    everything: list[Any] = [book.metadata.summary, book.front_matter]
    for chapter in book.chapters:
        if chapter.title:
            profile.headings += 1
            parts.append(" " + chapter.title + " ")
        everything = [chapter.summary, chapter.notes, chapter.blocks, chapter.end_notes]
        for blocks in everything:
            _walk_model(blocks, profile, parts, set())
    _walk_model(book.metadata.summary, profile, parts, set())
    _walk_model(book.front_matter, profile, parts, set())
    _walk_model(book.back_matter, profile, parts, set())
    if book.metadata.cover:
        profile.images += 1
    profile.words += words(" ".join(parts))
    return profile


def _walk_model(node: Any, profile: Profile, parts: list[str], inside: set[str]) -> None:
    if isinstance(node, tuple):
        for item in node:
            _walk_model(item, profile, parts, inside)
        return
    if isinstance(node, (m.Text, m.Code)):
        parts.append(node.text)
        if "Emph" in inside:
            profile.emphasis += len(words(node.text))
        if "Strong" in inside:
            profile.strong += len(words(node.text))
        if "Underline" in inside:
            profile.underline += len(words(node.text))
        return
    if isinstance(node, m.LineBreak):
        parts.append(" ")
        return
    if isinstance(node, m.FootnoteRef):
        profile.notes += 1
        return
    if isinstance(node, m.Image):
        profile.images += 1
        return
    if isinstance(node, m.Heading):
        profile.headings += 1
    if isinstance(node, m.BlockQuote):
        profile.quotes += 1
    if isinstance(node, m.Table):
        profile.tables += 1
        parts.append(" ")
        _walk_model(node.caption, profile, parts, inside)
        for row in node.rows:
            for cell in row:
                parts.append(" ")
                _walk_model(cell.blocks, profile, parts, inside)
        return
    now = inside | {type(node).__name__}
    parts.append(" ")
    for name in ("children", "blocks", "lines", "items"):
        if hasattr(node, name):
            _walk_model(getattr(node, name), profile, parts, now)
    parts.append(" ")


# --------------------------------------------------------------------------- comparison


def compare(reference: Profile, found: Profile) -> dict[str, Any]:
    want, got = Counter(reference.words), Counter(found.words)
    total = max(sum(want.values()), 1)
    lost, surplus = want - got, got - want
    split_here = _rejoined(reference.words, lost, surplus)  # (reference words, found words)
    split_there = _rejoined(found.words, surplus, lost)
    kept = (sum((want & got).values()) + split_here[0] + split_there[1]) / total
    added = max(0, sum(surplus.values()) - split_here[1] - split_there[0]) / total
    in_order = _in_order(reference.words, found.words)
    result: dict[str, Any] = {
        "words": sum(want.values()),
        "kept": round(min(kept, 1.0), 4), "added": round(added, 4), "order": round(in_order, 4),
    }
    for name in _COUNTS:
        result[name] = [getattr(found, name), getattr(reference, name)]
    result["title"] = found.title == reference.title or not reference.title
    result["authors"] = sorted(found.authors) == sorted(a for a in reference.authors if a) \
        or not any(reference.authors)
    flags = []
    if kept < KEPT_AT_LEAST:
        flags.append(f"words lost: {1 - kept:.1%}")
    if added > ADDED_AT_MOST:
        flags.append(f"words added: {added:.1%}")
    if in_order < KEPT_AT_LEAST:
        flags.append(f"order: {in_order:.1%} in order")
    for name in _COUNTS:
        have, expected = result[name]
        if have < expected:
            flags.append(f"{name}: {have} of {expected}")
    if not result["title"]:
        flags.append(f"title {found.title!r}, not {reference.title!r}")
    if not result["authors"]:
        flags.append(f"authors {found.authors}, not {reference.authors}")
    result["flags"] = flags
    return result


_COUNTS = ("headings", "notes", "emphasis", "strong", "tables", "images", "quotes", "underline")


def _rejoined(sequence: list[str], missing: Counter[str], spare: Counter[str]
              ) -> tuple[int, int]:
    """Words only cut differently: two or three missing neighbours in ``sequence`` whose join
    is a spare word ("th" "i" "rd" against "third": pandoc cuts a word at its formatting), as
    (words of ``sequence``, spare words) matched; both are used up as they are matched."""
    pieces = joins = 0
    missing, spare = Counter(missing), Counter(spare)
    index = 0
    while index < len(sequence) - 1:
        for width in (3, 2):
            piece = sequence[index:index + width]
            joined = "".join(piece)
            if len(piece) == width and spare[joined] > 0 and all(
                    missing[word] >= piece.count(word) for word in piece):
                spare[joined] -= 1
                for word in piece:
                    missing[word] -= 1
                pieces += width
                joins += 1
                index += width - 1
                break
        index += 1
    return pieces, joins
def _in_order(reference: list[str], found: list[str]) -> float:
    """The share of the reference's passages found in the same order: every three-word
    sequence that occurs exactly once in both is an anchor, and the longest run of anchors
    whose positions in ``found`` increase (a longest increasing subsequence, n log n) over all
    anchors is the measure. A passage moved elsewhere lowers it; a lost word does not."""
    def trigrams(items: list[str]) -> list[tuple[str, ...]]:
        return [tuple(items[index:index + 3]) for index in range(len(items) - 2)]

    ours, theirs = trigrams(reference), trigrams(found)
    once_ours, once_theirs = Counter(ours), Counter(theirs)
    where = {gram: index for index, gram in enumerate(theirs) if once_theirs[gram] == 1}
    positions = [where[gram] for gram in ours if once_ours[gram] == 1 and gram in where]
    if not positions:
        return 1.0
    tails: list[int] = []
    for position in positions:
        at = bisect.bisect_left(tails, position)
        tails[at:at + 1] = [position]
    return len(tails) / len(positions)


def corpus_files(corpus: Path = CORPUS) -> list[Path]:
    return sorted([*corpus.glob("docx/*.docx"), *corpus.glob("epub/*.epub")])


# Documents made the way the real ones are (tests/data): Project Gutenberg's HTML in three
# vintages, a saved Wikipedia article, AO3's downloads as calibre makes them. Their reference is
# their own text as the reader met it, less what a rule removed on purpose and said so.
MADE = REPO / "tests" / "data"
MADE_FILES = ("gutenberg/pg-gedichten-ebookmaker.html", "gutenberg/pg-novel-2009-h.htm",
              "gutenberg/timemachine-35-h.htm", "gutenberg/timemach-1992.txt",
              "saved_pages/wikipedia-article.html", "saved_pages/wordpress-post.html",
              "ao3_downloads/Rooftop_Texts.epub", "ao3_downloads/The_Long_Way_Round.epub",
              "ao3_downloads/Frost_and_Fire.epub", "ao3_downloads/Long_Rain.epub",
              "ao3_downloads/The_Long_Way_Round.azw3", "ao3_downloads/Small_Hours.mobi")


def _read(path: Path) -> tuple[m.Book, list[Any], Any]:
    """The book, the reader's findings and the source's ledger, through the registry."""
    info, source = readers.open_input(path)
    book, found = readers.read_source(info, source)
    return book, found, source.ledger


def _ledger_profile(ledger: Any) -> Profile:
    """The source's text as its reader met it, less what was left out on purpose."""
    profile = Profile()
    wanted = Counter(words(" ".join(ledger.texts)))
    wanted -= Counter(words(" ".join(text for text, _ in ledger.left_out)))
    remaining = Counter(wanted)
    for word in words(" ".join(ledger.texts)):  # in the source's order, for the order measure
        if remaining[word] > 0:
            remaining[word] -= 1
            profile.words.append(word)
    return profile


def _silent(reference: Profile, book: Profile, kept: float, found: list[Any],
            ledger: Any) -> bool:
    """A loss nobody was told of: more than 1 - KEPT_AT_LEAST of the reference's words missing
    beyond what the reader's rules recorded as left out on purpose (the ledger), and no warning
    saying what was left out. As the registry's check, a loss of fewer than
    accounting.FEWEST_LOST words is not one; words only cut differently are kept (compare)."""
    if kept >= KEPT_AT_LEAST:
        return False
    lost = Counter(reference.words) - Counter(book.words)
    lost -= Counter(words(" ".join(text for text, _ in ledger.left_out)))
    missing = min(sum(lost.values()), round((1 - kept) * len(reference.words)))
    if missing <= (1 - KEPT_AT_LEAST) * len(reference.words) or \
            missing < accounting.FEWEST_LOST:
        return False
    return not any(finding.level == "warning" and ("left out" in finding.message
                                                   or "not read" in finding.message)
                   for finding in found)


def measure(path: Path, reference_of: str = "") -> dict[str, Any]:
    """The comparison for one file (or how it was refused): against pandoc's reading (a DOCX
    with a .native), the EPUB's own spine text, or (``reference_of="ledger"``) the document's
    text as its reader met it."""
    native = path.with_suffix(".native")
    try:
        book, found_by_reader, ledger = _read(path)
    except ManuscriptError as error:
        return {"refused": str(error).replace(str(path), path.name)}
    found = book_profile(book, path)
    reference: Profile | None = None
    if reference_of == "ledger":
        # the registry's own count of the book's words: its metadata's too (AO3's tags)
        found.words = accounting.book_words(book)
        reference = _ledger_profile(ledger)
        for name in _COUNTS:  # the document's own counts are not known: bookmaker's are shown
            setattr(reference, name, getattr(found, name))
        result = compare(reference, found)
        result["reference"] = "own text"
    elif native.exists():
        reference = native_profile(native)
        result = compare(reference, found)
        result["reference"] = "pandoc"
    elif path.suffix == ".epub":
        reference = epub_profile(path)
        result = compare(reference, found)
        result["reference"] = "source"
    else:
        result = {"reference": "none", "words": len(found.words), "flags": []}
    result["warned"] = sorted({_short(finding.message) for finding in found_by_reader
                               if "not read" in finding.message})
    if reference is not None and _silent(reference, found, result["kept"], found_by_reader,
                                         ledger):
        result["flags"].insert(0, "SILENT LOSS")
    return result


def _short(message: str) -> str:
    return message.split(";")[0]


def measure_all(corpus: Path = CORPUS) -> dict[str, dict[str, Any]]:
    results = {f"{path.parent.name}/{path.name}": measure(path) for path in corpus_files(corpus)}
    for name in MADE_FILES:
        if (MADE / name).exists():
            results[f"made/{name}"] = measure(MADE / name, "ledger")
    return results


# --------------------------------------------------------------------------- the peers


def peers(path: Path, reference: Profile, scratch: Path) -> dict[str, dict[str, Any]]:
    """pandoc's and calibre's readings of ``path`` (those installed), compared with the same
    reference as bookmaker's: calibre's EPUB of it, pandoc's AST of it."""
    import shutil
    import subprocess
    out: dict[str, dict[str, Any]] = {}
    pandoc_from = {".docx": "docx", ".epub": "epub", ".html": "html", ".htm": "html",
                   ".txt": "markdown"}.get(path.suffix)
    if shutil.which("pandoc") and pandoc_from and not path.with_suffix(".native").exists():
        native = scratch / (path.stem + ".native")
        run = subprocess.run(["pandoc", "-f", pandoc_from, "-t", "native", "-s", str(path),
                              "-o", str(native)], capture_output=True, timeout=300)
        if run.returncode == 0:
            out["pandoc"] = compare(reference, native_profile(native))
    if shutil.which("ebook-convert"):
        epub = scratch / (path.stem + ".calibre.epub")
        run = subprocess.run(["ebook-convert", str(path), str(epub)], capture_output=True,
                             timeout=600)
        if run.returncode == 0:
            out["calibre"] = compare(reference, epub_profile(epub))
    return out


def reference_for(path: Path, reference_of: str) -> Profile | None:
    if reference_of == "ledger":
        try:
            return _ledger_profile(_read(path)[2])
        except ManuscriptError:
            return None
    native = path.with_suffix(".native")
    if native.exists():
        return native_profile(native)
    return epub_profile(path) if path.suffix == ".epub" else None


def add_peers(results: dict[str, dict[str, Any]], corpus: Path) -> None:
    import tempfile
    paths = {f"{path.parent.name}/{path.name}": (path, "") for path in corpus_files(corpus)}
    paths.update({f"made/{name}": (MADE / name, "ledger") for name in MADE_FILES})
    with tempfile.TemporaryDirectory() as scratch:
        for name, (path, reference_of) in paths.items():
            reference = reference_for(path, reference_of) if name in results else None
            if reference is not None and "refused" not in results[name]:
                results[name]["peers"] = peers(path, reference, Path(scratch))


# --------------------------------------------------------------------------- the table


def table(results: dict[str, dict[str, Any]]) -> str:
    def pair(value: list[int], own: bool = False) -> str:
        if own:
            return str(value[0]) if value[0] else ""
        return f"{value[0]}/{value[1]}" if value[1] or value[0] else ""

    def peer(result: dict[str, Any], name: str) -> str:
        reading = result.get("peers", {}).get(name)
        if reading is None:
            return ""
        return (f"{reading['kept']:.1%} · h {reading['headings'][0]} · n {reading['notes'][0]}"
                f" · t {reading['tables'][0]} · e {reading['emphasis'][0]}")

    lines = ["| file | ref | words | kept | added | order | headings | notes | emph | strong "
             "| tables | images | quotes | underline | pandoc | calibre | flags |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|"]
    for name, result in results.items():
        if "refused" in result:
            lines.append(f"| {name} | | | | | | | | | | | | | | | | refused: "
                         f"{result['refused'].replace('|', '/')} |")
            continue
        if result["reference"] == "none":
            lines.append(f"| {name} | none | {result['words']} | | | | | | | | | | | | | | "
                         f"{'; '.join(result['flags'] + result.get('warned', []))} |")
            continue
        cells = [name, result["reference"], str(result["words"]), f"{result['kept']:.1%}",
                 f"{result['added']:.1%}", f"{result['order']:.1%}"]
        cells += [pair(result[key], result["reference"] == "own text") for key in _COUNTS]
        cells += [peer(result, "pandoc"), peer(result, "calibre")]
        cells.append("; ".join(result["flags"] + result.get("warned", [])).replace("|", "/"))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--json", action="store_true", help="print the results as JSON")
    options.add_argument("--update-golden", action="store_true",
                         help="rewrite the test's pinned results")
    options.add_argument("--peers", action="store_true",
                         help="also read each file with pandoc and calibre where installed")
    options.add_argument("--corpus", type=Path, default=CORPUS)
    arguments = options.parse_args()
    results = measure_all(arguments.corpus)
    text = json.dumps(results, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if arguments.update_golden:
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    if arguments.peers:
        add_peers(results, arguments.corpus)
    print(json.dumps(results, ensure_ascii=False, indent=1, sort_keys=True)
          if arguments.json else table(results))
    silent = [name for name, result in results.items()
              if "SILENT LOSS" in result.get("flags", [])]
    for name in silent:
        print(f"silent loss: {name}", file=sys.stderr)
    return 1 if silent else 0


if __name__ == "__main__":
    sys.exit(main())

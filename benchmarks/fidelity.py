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
import unicodedata
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
from bookmaker.errors import ManuscriptError  # noqa: E402

KEPT_AT_LEAST = 0.99
ADDED_AT_MOST = 0.02

# --------------------------------------------------------------------------- words

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")


def words(text: str) -> list[str]:
    """The words of ``text``: letters and digits runs, each CJK character alone, case folded."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


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
    elif tag in ("img", "image"):
        profile.images += 1
    elif tag == "a" and (kinds & {"noteref", "doc-noteref"}
                         or {"footnote-ref", "footnoteRef"} & set(element.get("class",
                                                                             "").split())):
        profile.notes += 1
    wrapper = {"em": "Emph", "i": "Emph", "cite": "Emph", "dfn": "Emph", "var": "Emph",
               "strong": "Strong", "b": "Strong"}.get(tag)
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
    kept = sum((want & got).values()) / total
    added = sum((got - want).values()) / total
    in_order = _in_order(reference.words, found.words)
    result: dict[str, Any] = {
        "words": sum(want.values()),
        "kept": round(kept, 4), "added": round(added, 4), "order": round(in_order, 4),
    }
    for name in ("headings", "notes", "emphasis", "strong", "tables", "images"):
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
    for name in ("headings", "notes", "emphasis", "strong", "tables", "images"):
        have, expected = result[name]
        if have < expected:
            flags.append(f"{name}: {have} of {expected}")
    if not result["title"]:
        flags.append(f"title {found.title!r}, not {reference.title!r}")
    if not result["authors"]:
        flags.append(f"authors {found.authors}, not {reference.authors}")
    result["flags"] = flags
    return result


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


def measure(path: Path) -> dict[str, Any]:
    """The comparison for one corpus file (or how it was refused)."""
    native = path.with_suffix(".native")
    try:
        book = readers.read(path)
    except ManuscriptError as error:
        return {"refused": str(error).replace(str(path), path.name)}
    found = book_profile(book, path)
    if native.exists():
        result = compare(native_profile(native), found)
        result["reference"] = "pandoc"
    elif path.suffix == ".epub":
        result = compare(epub_profile(path), found)
        result["reference"] = "source"
    else:
        result = {"reference": "none", "words": len(found.words), "flags": []}
    return result


def measure_all(corpus: Path = CORPUS) -> dict[str, dict[str, Any]]:
    return {f"{path.parent.name}/{path.name}": measure(path) for path in corpus_files(corpus)}


def table(results: dict[str, dict[str, Any]]) -> str:
    def pair(value: list[int]) -> str:
        return f"{value[0]}/{value[1]}" if value[1] or value[0] else ""

    lines = ["| file | ref | words | kept | added | order | headings | notes | emph | strong "
             "| tables | images | flags |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for name, result in results.items():
        if "refused" in result:
            lines.append(f"| {name} | | | | | | | | | | | | refused: "
                         f"{result['refused'].replace('|', '/')} |")
            continue
        if result["reference"] == "none":
            lines.append(f"| {name} | none | {result['words']} | | | | | | | | | | |")
            continue
        cells = [name, result["reference"], str(result["words"]), f"{result['kept']:.1%}",
                 f"{result['added']:.1%}", f"{result['order']:.1%}"]
        cells += [pair(result[key]) for key in ("headings", "notes", "emphasis", "strong",
                                                "tables", "images")]
        cells.append("; ".join(result["flags"]).replace("|", "/"))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--json", action="store_true", help="print the results as JSON")
    options.add_argument("--update-golden", action="store_true",
                         help="rewrite the test's pinned results")
    options.add_argument("--corpus", type=Path, default=CORPUS)
    arguments = options.parse_args()
    results = measure_all(arguments.corpus)
    text = json.dumps(results, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if arguments.update_golden:
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    print(text if arguments.json else table(results))


if __name__ == "__main__":
    main()

"""Nothing lost silently: the words a book holds against the words its source held.

The reader registry calls ``unaccounted`` after every read (readers/__init__.py, ``read_source``),
so no reader can forget it. The source's text is what its reader met of it, recorded in the
source's ``Ledger`` by the parts that read text (the HTML road's parse, before the sanitiser; the
DOCX reader's runs; the text decoder); the words a rule removed on purpose (boilerplate, chrome,
a licence, what the sanitiser drops with its content) are recorded there too, with the reason.
Whatever else of the source's words the book does not hold is lost, and more than
``MOST_LOST`` of them is a warning naming the largest passage left out.

Words are compared as multisets (a word kept anywhere counts as kept), so the check is one pass
over each text; the passage is only looked for when the count says something is missing. The
book's words are its metadata's text (title, authors, summary, tags...) and every run of text
in the model, found with the model's one traversal.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections import Counter
from dataclasses import fields

from bookmaker import model as m
from bookmaker.errors import Finding
from bookmaker.safety.inputs import Source

MOST_LOST = 0.01  # the share of the source's words that may be missing without a warning
FEWEST_LOST = 5  # ...and how many: a word or two of a page of fifty is not worth a warning
_FIRST_WORDS = 12  # how much of the largest lost passage the warning quotes

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
_SHOWN_WORD = re.compile(rf"[{_CJK}]|\S+")


def words(text: str) -> list[str]:
    """The words of ``text``: runs of letters and digits, each CJK character alone, case and
    compatibility forms folded (``ﬁ`` is ``fi``, full-width digits are digits)."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def book_words(book: m.Book) -> list[str]:
    """Every word the book holds, in order: its metadata's text, then every run of text in the
    model (chapter titles, text, code, ruby readings, images' alternative text)."""
    parts: list[str] = []
    metadata = book.metadata
    for item in fields(metadata):
        value = getattr(metadata, item.name)
        if isinstance(value, str) and item.name not in ("language", "encoding", "direction"):
            parts.append(value)
        elif isinstance(value, tuple):
            parts.extend(each for each in value if isinstance(each, str))
    parts.extend(series.name for series in metadata.series)
    parts.extend(chapter.title for chapter in book.chapters)
    text: list[str] = [" ".join(parts)]
    # A run of text joins its pieces as written ("m" and a superscript "2" are "m2"); blocks,
    # cells, breaks and note references stand apart.
    for node in m.query(m.walk(book, m.LineBlock, _lines_apart), _WORDS_AND_GAPS):
        if isinstance(node, (m.Text, m.Code)):
            text.append(node.text)
        elif isinstance(node, m.Ruby):
            text.append(f" {node.annotation} ")
        elif isinstance(node, m.Image):
            text.append(f" {node.alt} ")
        else:
            text.append(" ")
    return words("".join(text))


def _lines_apart(block: m.LineBlock) -> m.LineBlock:
    """A line block whose lines end in a break, so its lines' last and first words stay two."""
    return dataclasses.replace(block, lines=tuple((*line, m.LineBreak()) for line in block.lines))


_WORDS_AND_GAPS = (m.Text, m.Code, m.Ruby, m.Image, m.LineBreak, m.FootnoteRef, m.TableCell,
                   *m.BLOCK_TYPES)


def unaccounted(source: Source, book: m.Book) -> Finding | None:
    """A warning when more than MOST_LOST of the words ``source``'s ledger holds are neither
    in ``book`` nor left out on purpose; None when the reader recorded no text (nothing to
    compare) or lost nothing worth saying."""
    ledger = source.ledger
    if not ledger.texts:
        return None
    left_out = " ".join(text for text, _ in ledger.left_out)
    # First the cheap count (str.count runs in C): a book holding as many characters as the
    # source less what was left out lost nothing worth a word-by-word look.
    if _characters_of(book) >= (1 - MOST_LOST) * (
            _characters("".join(ledger.texts)) - _characters(left_out)):
        return None
    wanted = Counter(words(" ".join(ledger.texts)))
    wanted -= Counter(words(left_out))
    total = sum(wanted.values())
    if not total:
        return None
    found = book_words(book)
    lost = wanted - Counter(found)
    missing = sum(lost.values())
    if missing <= MOST_LOST * total or missing < FEWEST_LOST:
        return None
    passage = _largest_lost_passage(ledger.texts, lost, _trigrams(found))
    return Finding("warning", f"{missing / total:.1%} of the text's words ({missing:,} of "
                              f"{total:,}) were not read into the book; the largest passage "
                              f"left out begins “{passage}”", str(source.name),
                   hint="please report it with this file")


_SPACES = " \t\n\r\f\v\u00a0\u2009\u200b\u3000"


def _characters(text: str) -> int:
    """How many characters of ``text`` are not spaces."""
    return len(text) - sum(text.count(space) for space in _SPACES)


def _characters_of(book: m.Book) -> int:
    """How many characters (spaces aside) the book's text and metadata hold."""
    metadata = book.metadata
    strings = [value for item in fields(metadata)
               if isinstance(value := getattr(metadata, item.name), str)]
    strings += [each for item in fields(metadata) if isinstance(
        value := getattr(metadata, item.name), tuple) for each in value if isinstance(each, str)]
    strings += [series.name for series in metadata.series]
    strings += [chapter.title for chapter in book.chapters]
    strings += [node.text if isinstance(node, (m.Text, m.Code)) else
                node.annotation if isinstance(node, m.Ruby) else node.alt
                for node in m.query(book, (m.Text, m.Code, m.Ruby, m.Image))]
    return _characters("".join(strings))


def _trigrams(sequence: list[str]) -> set[tuple[str, str, str]]:
    return set(zip(sequence, sequence[1:], sequence[2:], strict=False))


def _largest_lost_passage(texts: list[str], lost: Counter[str],
                          kept: set[tuple[str, str, str]]) -> str:
    """The first words, as the source wrote them, of the longest run of the source's words
    that are lost: among the ``lost`` words (each counted once as it is met) where no
    three-word sequence of the book places them."""
    budget = Counter(lost)
    best: tuple[int, int, int] = (0, 0, 0)  # (length in words, text index, first token)
    for index, text in enumerate(texts):
        tokens = _SHOWN_WORD.findall(text)
        sequence = [(word, number) for number, token in enumerate(tokens)
                    for word in words(token)]
        run_start = run = 0
        for at, (word, _) in enumerate(sequence):
            around = [tuple(w for w, _ in sequence[start:start + 3])
                      for start in range(max(0, at - 2), at + 1)]
            if budget[word] > 0 and not any(gram in kept for gram in around if len(gram) == 3):
                budget[word] -= 1
                if run == 0:
                    run_start = at
                run += 1
                if run > best[0]:
                    best = (run, index, sequence[run_start][1])
            else:
                run = 0
    length, index, first = best
    if not length:
        return ""
    shown = _SHOWN_WORD.findall(texts[index])[first:first + min(length, _FIRST_WORDS)]
    return " ".join(shown) + ("…" if length > _FIRST_WORDS else "")

"""Typography a professional would accept: curly quotes, real dashes and ellipses.

Each rule is a small named function, tested on its own (tests/data/typography/cases.txt), in the
manner of Standard Ebooks' typogrify; ``smarten`` composes them for one string, ``apply`` for a
whole book. Every rule is idempotent and leaves already-curly text alone, so running the pass
twice, or on a book typeset by hand, changes nothing.

Quotes are decided from context, and the context of a quote can sit in another node: in
``"`` + *Emph* + ``"`` the second quote closes because of the emphasised word before it. So a
paragraph's text runs are smartened together (``smarten_runs``), never one node at a time; Code
runs give context but are never changed, and a Link's URL is not text at all.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bookmaker.model import (CHILD_FIELDS, INLINE_TYPES, NODE_TYPES, Book, Chapter, Code,
                             FootnoteRef, Image, Inline, LineBreak, Metadata, Text, query, walk,
                             with_fields)

APOSTROPHE = "’"
NARROW_NO_BREAK_SPACE = "\u202f"


@dataclass(frozen=True)
class QuoteStyle:
    open_double: str
    close_double: str
    open_single: str
    close_single: str
    spaced: bool = False  # French: a narrow no-break space inside the guillemets


ENGLISH = QuoteStyle("“", "”", "‘", "’")
GUILLEMETS_OUTER = QuoteStyle("«", "»", "“", "”")

# Primary language subtag -> how that language quotes. Anything missing is quoted the English way.
QUOTE_STYLES = {
    "en": ENGLISH,
    "fr": QuoteStyle("«", "»", "‹", "›", spaced=True),
    "de": QuoteStyle("„", "“", "‚", "‘"),
    "es": GUILLEMETS_OUTER,
    "it": GUILLEMETS_OUTER,
    "pt": GUILLEMETS_OUTER,
    "ca": GUILLEMETS_OUTER,
    "nl": ENGLISH,
    "zh": ENGLISH,
    "ko": ENGLISH,
    "sv": QuoteStyle("”", "”", "’", "’"),
    "fi": QuoteStyle("”", "”", "’", "’"),
    "da": QuoteStyle("»", "«", "›", "‹"),
    "nb": QuoteStyle("«", "»", "‘", "’"),
    "no": QuoteStyle("«", "»", "‘", "’"),
    "pl": QuoteStyle("„", "”", "«", "»"),
    "cs": QuoteStyle("„", "“", "‚", "‘"),
    "sk": QuoteStyle("„", "“", "‚", "‘"),
    "ru": QuoteStyle("«", "»", "„", "“"),
    "uk": QuoteStyle("«", "»", "„", "“"),
    "ja": QuoteStyle("「", "」", "『", "』"),
}

_STRAIGHT_QUOTE = re.compile("[\"']")
_APOSTROPHE_IN_WORD = re.compile(r"(?<=[^\W_])'(?=[^\W_])")
_TRIPLE_HYPHEN = re.compile(r"(?<!-)---(?!-)")
_DOUBLE_HYPHEN_BETWEEN_DIGITS = re.compile(r"(?<=\d)--(?=\d)")
_DOUBLE_HYPHEN = re.compile(r"(?<!-)--(?!-)")
_THREE_DOTS = re.compile(r"\.\.\.|\. \. \.")
_AFTER_OPENING_GUILLEMET = re.compile(r"([«‹])[^\S\n]*")
_BEFORE_CLOSING_GUILLEMET = re.compile(r"[^\S\n]*([»›])")
# Words that begin with an elided letter take an apostrophe, not an opening quote: 'em, 'tis, '90s.
_ELISION = re.compile(
    r"(?:em|tis|twas|twere|twould|twill|cause|cos|coz|cuz|til|till|bout|round|n|nuff|kay|ello"
    r"|im|ave|e|fore|neath|gainst|mongst|\d\ds?)\b",
    re.IGNORECASE)
_BRACKETS_OPENING = "([{<¿¡"
_DASHES = "—–-/"
_CLOSING_PUNCTUATION = ",.;:!?)]}"
# Stands in for a straight quote inside Code when deciding context: a quote there is literal.
_LITERAL_CONTEXT = "0"


# --------------------------------------------------------------------------- the rules


@functools.cache
def quote_style(language: str) -> QuoteStyle:
    """The quote marks for a BCP 47 tag, by its primary subtag (``fr-CA`` is French). Cached:
    every paragraph asks, and a book has one language."""
    primary = (language or "en").split("-")[0].split("_")[0].lower()
    return QUOTE_STYLES.get(primary, ENGLISH)


def educate_dashes(text: str) -> str:
    """``---`` and ``--`` -> em dash (fic writes ``--`` for —), ``1990--1995`` -> en dash.

    A single hyphen is a hyphen, and a longer run of hyphens is a rule someone drew: both stay.
    """
    text = _TRIPLE_HYPHEN.sub("—", text)
    text = _DOUBLE_HYPHEN_BETWEEN_DIGITS.sub("–", text)
    return _DOUBLE_HYPHEN.sub("—", text)


def educate_ellipses(text: str) -> str:
    """``...`` and ``. . .`` -> the ellipsis character, which never breaks across lines."""
    return _THREE_DOTS.sub("…", text)


def curl_quotes(text: str, language: str = "en") -> str:
    """Straight quotes -> the language's curly quotes; apostrophes -> ’ in every language."""
    return smarten_quotes_in_runs([(text, True)], quote_style(language))[0]


def space_guillemets(text: str) -> str:
    """French sets a narrow no-break space inside « » and ‹ ›, replacing any space typed there."""
    text = _AFTER_OPENING_GUILLEMET.sub(r"\1" + NARROW_NO_BREAK_SPACE, text)
    return _BEFORE_CLOSING_GUILLEMET.sub(NARROW_NO_BREAK_SPACE + r"\1", text)


def smarten(text: str, language: str = "en") -> str:
    """Every rule applied to one string."""
    return smarten_runs([(text, True)], language)[0]


def smarten_runs(runs: Sequence[tuple[str, bool]], language: str = "en") -> list[str]:
    """Every rule applied to consecutive runs of one paragraph: (text, may change) pairs.

    Runs that may not change (Code, line breaks) still give the quotes around them context.
    """
    style = quote_style(language)
    texts = [_dashes_and_ellipses(text) if editable else text for text, editable in runs]
    if any(editable and ('"' in text or "'" in text)
           for text, (_, editable) in zip(texts, runs, strict=True)):
        texts = smarten_quotes_in_runs(
            list(zip(texts, (editable for _, editable in runs), strict=True)), style)
    if style.spaced:
        texts = [space_guillemets(text) if editable else text
                 for text, (_, editable) in zip(texts, runs, strict=True)]
    return texts


def _dashes_and_ellipses(text: str) -> str:
    """educate_dashes and educate_ellipses, skipping the regular expressions when the text has
    no hyphen pair or dot pair: most runs of a novel have neither, and this pass meets every
    run of every paragraph."""
    if "--" in text:
        text = educate_dashes(text)
    if ".." in text or ". ." in text:
        text = educate_ellipses(text)
    return text


# --------------------------------------------------------------------------- deciding quotes


def smarten_quotes_in_runs(runs: Sequence[tuple[str, bool]], style: QuoteStyle) -> list[str]:
    """Curl the straight quotes of editable runs, deciding each from the text around it."""
    # Most single quotes are apostrophes inside words; settling those first leaves the walk
    # below only the few quotes whose meaning depends on what came before.
    runs = [(_APOSTROPHE_IN_WORD.sub(APOSTROPHE, text) if editable and "'" in text else text,
             editable) for text, editable in runs]
    context = "".join(text if editable else _STRAIGHT_QUOTE.sub(_LITERAL_CONTEXT, text)
                      for text, editable in runs)
    choices = iter(_QuoteDecider(context, style).decide_all())
    return [_STRAIGHT_QUOTE.sub(lambda _: next(choices), text)
            if editable and ('"' in text or "'" in text) else text
            for text, editable in runs]


class _QuoteDecider:
    """Walks the straight quotes of a paragraph left to right, remembering which are open.

    The memory settles what the neighbouring characters cannot: ``"`` between two spaces, or
    whether a ``'`` after a word closes a quotation or is an apostrophe (``the boys' toys``).
    """

    def __init__(self, text: str, style: QuoteStyle) -> None:
        self.text = text
        self.style = style
        self.openers = _BRACKETS_OPENING + style.open_double + style.open_single + "«‹“‘„‚"
        self.double_open = False
        self.single_depth = 0
        self.decided: dict[int, str] = {}

    def decide_all(self) -> list[str]:
        choices = []
        for match in _STRAIGHT_QUOTE.finditer(self.text):
            at = match.start()
            before = self.decided.get(at - 1, self.text[at - 1] if at else "")
            after = self.text[at + 1:at + 2]
            if match.group() == '"':
                choice = self.double(before, after)
            else:
                choice = self.single(before, after, at)
            self.decided[at] = choice
            choices.append(choice)
        return choices

    def double(self, before: str, after: str) -> str:
        if self.opens(before, after):
            opening = True
        elif self.closes(before, after):
            opening = False
        else:
            opening = not self.double_open
        self.double_open = opening
        return self.style.open_double if opening else self.style.close_double

    def single(self, before: str, after: str, at: int) -> str:
        if before.isalnum() and after.isalnum():
            return APOSTROPHE  # don't, rock'n'roll
        if self.is_opening_context(before) and _ELISION.match(self.text, at + 1):
            return APOSTROPHE  # 'em, 'tis, '90s
        if before in "nN" and self.decided.get(at - 2) == APOSTROPHE:
            return APOSTROPHE  # the second mark of rock 'n' roll
        if self.opens(before, after):
            self.single_depth += 1
            return self.style.open_single
        if self.single_depth and not _is_space(before):
            self.single_depth -= 1
            return self.style.close_single
        return APOSTROPHE  # Genesis' eyes, goin'

    def opens(self, before: str, after: str) -> bool:
        """Clearly opening: after a space or bracket and before a word, or a dash and a letter."""
        if _is_space(after) or after in _CLOSING_PUNCTUATION:
            return False
        return self.is_opening_context(before) or (before in _DASHES and after.isalnum())

    def closes(self, before: str, after: str) -> bool:
        """Clearly closing: before punctuation, or after a word or punctuation unless between
        two letters (5"3)."""
        if after and after in _CLOSING_PUNCTUATION:
            return True  # " Bonjour ", with spaces typed inside the quotes
        if self.is_opening_context(before):
            return False
        if before in _DASHES:
            return _is_space(after)  # "Wait—" he said
        return not (before.isalnum() and after.isalnum())

    def is_opening_context(self, before: str) -> bool:
        return _is_space(before) or before in self.openers


def _is_space(char: str) -> bool:
    return not char or char.isspace()


# --------------------------------------------------------------------------- the book

# Text held in strings rather than in inlines that a reader reads as prose: titles, an image's
# description. (Every run of inlines is found by the model's traversal, wherever it stands.)
PROSE_STRINGS: dict[type, tuple[str, ...]] = {
    Metadata: ("title",), Chapter: ("title",), Image: ("alt", "title")}
# Per node type the pass changes: its prose strings, and its fields holding runs of inlines of
# its own (paragraphs, headings, captions; a line block's lines, smartened together), found from
# the model's node types so a new one is smartened without this pass being edited.
_TEXT_FIELDS: dict[type, tuple[tuple[str, ...], tuple[tuple[str, bool], ...]]] = {
    kind: (PROSE_STRINGS.get(kind, ()),
           tuple((child.name, child.nested) for child in CHILD_FIELDS[kind]
                 if child.holds_inlines and kind not in INLINE_TYPES))
    for kind in NODE_TYPES}
_TEXT_HOLDERS = tuple(kind for kind, (prose, runs) in _TEXT_FIELDS.items() if prose or runs)
_RUN_ENDS = (Text, Code, LineBreak, FootnoteRef)


def apply(book: Book) -> Book:
    """The book with every rule applied to all its text, in its own language's quote style."""
    language = book.metadata.language or "en"
    return walk(book, _TEXT_HOLDERS, lambda node: smarten_node(node, language))


def smarten_node(node: Any, language: str) -> Any:
    """One node with every rule applied to its prose strings and its own runs of inlines (each
    smartened as one paragraph, quotes decided across the run's nodes)."""
    prose, runs = _TEXT_FIELDS[type(node)]
    changes: dict[str, Any] = {}
    for name in prose:
        text = getattr(node, name)
        if (smart := smarten(text, language)) != text:
            changes[name] = smart
    for name, lines in runs:
        old = getattr(node, name)
        new = _smarten_lines(old, language) if lines else smarten_inlines(old, language)
        if new is not old:
            changes[name] = new
    # Most paragraphs of a typeset book change; those that do not keep their node.
    return with_fields(node, changes) if changes else node


def smarten_inlines(inlines: tuple[Inline, ...], language: str) -> tuple[Inline, ...]:
    """A paragraph's inlines with every rule applied, quotes decided across node boundaries."""
    leaves = query(inlines, _RUN_ENDS)
    runs = _runs(leaves)
    smartened = smarten_runs(runs, language)
    if smartened == [text for text, _ in runs]:
        return inlines  # nothing to change: skip rebuilding the nodes
    if leaves == list(inlines):  # no inline holds others (most paragraphs): no walk needed
        return tuple(Text(new) if type(old) is Text else old
                     for new, old in zip(smartened, inlines, strict=True))
    return _rebuild(inlines, runs, smartened)


def _smarten_lines(lines: tuple[tuple[Inline, ...], ...],
                   language: str) -> tuple[tuple[Inline, ...], ...]:
    # A quotation may open on one line of a poem and close on another: smarten the lines together.
    runs: list[tuple[str, bool]] = []
    for line in lines:
        runs += _runs(query(line, _RUN_ENDS))
        runs.append(("\n", False))
    smartened = smarten_runs(runs, language)
    rebuilt, start = [], 0
    for line in lines:
        count = sum(1 for _ in query(line, _RUN_ENDS))
        rebuilt.append(_rebuild(line, runs[start:start + count], smartened[start:start + count]))
        start += count + 1  # and the line's end
    return tuple(rebuilt)


def _runs(leaves: list[Inline]) -> list[tuple[str, bool]]:
    """One run per leaf of some inlines (query's list, in reading order): its text and whether it
    may change."""
    runs: list[tuple[str, bool]] = []
    for node in leaves:
        if type(node) is Text:
            runs.append((node.text, True))
        elif type(node) is Code:
            runs.append((node.text, False))
        elif type(node) is LineBreak:
            runs.append(("\n", False))
        else:
            # A note mark sits right after a word: a quote after it closes ("end.[1]" ...).
            runs.append((_LITERAL_CONTEXT, False))
    return runs


def _rebuild(inlines: tuple[Inline, ...], runs: list[tuple[str, bool]],
             smartened: list[str]) -> tuple[Inline, ...]:
    """The inlines with each Text's run replaced; Links keep their URL, since only the words a
    reader sees change."""
    texts = iter([new for new, (_, editable) in zip(smartened, runs, strict=True) if editable])
    return walk(inlines, Text, lambda _: Text(next(texts)))

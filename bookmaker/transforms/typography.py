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

import dataclasses
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bookmaker.model import (Block, BlockQuote, Book, Chapter, Code, Div, Footnote, FootnoteRef,
                             Heading, Image, Inline, LineBlock, LineBreak, ListBlock, Metadata,
                             Note, Paragraph, Text)

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


def quote_style(language: str) -> QuoteStyle:
    """The quote marks for a BCP 47 tag, by its primary subtag (``fr-CA`` is French)."""
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


def apply(book: Book) -> Book:
    """The book with every rule applied to all its text, in its own language's quote style."""
    language = book.metadata.language or "en"
    return dataclasses.replace(
        book,
        metadata=_smarten_metadata(book.metadata, language),
        chapters=tuple(_smarten_chapter(chapter, language) for chapter in book.chapters),
        front_matter=_smarten_blocks(book.front_matter, language),
        back_matter=_smarten_blocks(book.back_matter, language))


def _smarten_metadata(metadata: Metadata, language: str) -> Metadata:
    return dataclasses.replace(metadata, title=smarten(metadata.title, language),
                               summary=_smarten_blocks(metadata.summary, language))


def _smarten_chapter(chapter: Chapter, language: str) -> Chapter:
    return dataclasses.replace(
        chapter,
        title=smarten(chapter.title, language),
        summary=_smarten_blocks(chapter.summary, language),
        notes=_smarten_blocks(chapter.notes, language),
        blocks=_smarten_blocks(chapter.blocks, language),
        end_notes=_smarten_blocks(chapter.end_notes, language))


def _smarten_blocks(blocks: tuple[Block, ...], language: str) -> tuple[Block, ...]:
    return tuple(_smarten_block(block, language) for block in blocks)


def _smarten_block(block: Block, language: str) -> Block:
    if isinstance(block, (Paragraph, Heading)):
        children = smarten_inlines(block.children, language)
        # Most paragraphs of a typeset book change; those that do not keep their node.
        return block if children == block.children else \
            dataclasses.replace(block, children=children)
    if isinstance(block, LineBlock):
        return dataclasses.replace(block, lines=_smarten_lines(block.lines, language))
    if isinstance(block, (BlockQuote, Note, Div, Footnote)):
        return dataclasses.replace(block, blocks=_smarten_blocks(block.blocks, language))
    if isinstance(block, ListBlock):
        return dataclasses.replace(block, items=tuple(_smarten_blocks(item, language)
                                                      for item in block.items))
    if isinstance(block, Image):
        return dataclasses.replace(block, alt=smarten(block.alt, language),
                                   title=smarten(block.title, language))
    return block  # SceneBreak has no text


def smarten_inlines(inlines: tuple[Inline, ...], language: str) -> tuple[Inline, ...]:
    """A paragraph's inlines with every rule applied, quotes decided across node boundaries."""
    runs: list[tuple[str, bool]] = []
    _collect_runs(inlines, runs)
    smartened = smarten_runs(runs, language)
    if all(new == old for new, (old, _) in zip(smartened, runs, strict=True)):
        return inlines  # nothing to change: skip rebuilding the nodes
    return _rebuild(inlines, iter(smartened))


def _smarten_lines(lines: tuple[tuple[Inline, ...], ...],
                   language: str) -> tuple[tuple[Inline, ...], ...]:
    # A quotation may open on one line of a poem and close on another: smarten the lines together.
    runs: list[tuple[str, bool]] = []
    for line in lines:
        _collect_runs(line, runs)
        runs.append(("\n", False))
    smartened = iter(smarten_runs(runs, language))
    rebuilt = []
    for line in lines:
        rebuilt.append(_rebuild(line, smartened))
        next(smartened)  # the line's end
    return tuple(rebuilt)


def _collect_runs(inlines: tuple[Inline, ...], runs: list[tuple[str, bool]]) -> None:
    """One run per leaf node, in reading order; _rebuild consumes them in the same order."""
    for node in inlines:
        if isinstance(node, Text):
            runs.append((node.text, True))
        elif isinstance(node, Code):
            runs.append((node.text, False))
        elif isinstance(node, LineBreak):
            runs.append(("\n", False))
        elif isinstance(node, FootnoteRef):
            # A note mark sits right after a word: a quote after it closes ("end.[1]" ...).
            runs.append((_LITERAL_CONTEXT, False))
        elif hasattr(node, "children"):
            _collect_runs(node.children, runs)


def _rebuild(inlines: tuple[Inline, ...], smartened: Iterator[str]) -> tuple[Inline, ...]:
    rebuilt: list[Inline] = []
    for node in inlines:
        if isinstance(node, Text):
            rebuilt.append(Text(next(smartened)))
        elif isinstance(node, (Code, LineBreak, FootnoteRef)):
            next(smartened)
            rebuilt.append(node)
        elif hasattr(node, "children"):
            # Link keeps its url: only its children, the words a reader sees, change.
            rebuilt.append(dataclasses.replace(node, children=_rebuild(node.children, smartened)))
        else:
            rebuilt.append(node)
    return tuple(rebuilt)

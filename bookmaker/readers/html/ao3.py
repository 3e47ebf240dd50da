"""AO3's HTML download, every vintage, into the record of the work (readers/html/ao3_work.py).

The layout (see AO3's ``app/views/downloads/``): a preface (``div#preface`` since 2019, loose in
the body before) with the message (title, "Posted originally on the Archive of Our Own at URL"),
the tag list (label/value pairs: rating, warnings, categories, fandoms, relationships, characters,
additional tags, language, series, collections, stats), the ``<h1>`` title, the byline and the
Summary/Notes blockquotes; ``div#chapters`` with either the one text or, per chapter, a header
group (heading, chapter summary and notes), the text and ``div#endnotesN``; and ``div#afterword``
with the work's end notes and "Works inspired by this one".

The parts are found by what calibre keeps when AO3 turns this download into its EPUB and AZW3:
ids, AO3's labels and the order AO3 writes things in, not the class names calibre renames; so the
same front-end reads those ebooks once readers/html/ao3_calibre.py has undone calibre's page
split. Labels are read singular or plural, and a missing Language line (before 2022) leaves the
language unset; what each value means is readers/metadata.py's rule, as for every reader.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from lxml import etree

from bookmaker import taxonomy
from bookmaker.errors import Finding, ManuscriptError
from bookmaker.model import Block, Book, Chapter
from bookmaker.readers.decoding import read_text
from bookmaker.readers.html.ao3_work import (Work, authors_of, book_from_work,
                                             is_chapter_group, labelled_quote, stats_from_text,
                                             work_from_tag_list, work_url)
from bookmaker.readers.html.blocks import HtmlSource
from bookmaker.readers.html.parse import parse_html
from bookmaker.readers.html.tree import by_id, classes_of, first, frame_words, text_of
from bookmaker.safety.inputs import Ledger, Source

# Markers only an AO3 download carries near its top (sniffed before reading).
_MARKERS = (b'id="preface"', taxonomy.AO3_POSTED.encode(), b'class="tags"')


def sniff(head: bytes) -> bool:
    """Whether a file's first bytes look like an AO3 download rather than any saved page."""
    return sum(marker in head for marker in _MARKERS) >= 2


def read_with_findings(source: Source) -> tuple[Book, list[Finding]]:
    """The download as a Book, and the warnings about what was left out."""
    text, _ = read_text(source)
    document = parse_html(text, source.name, source.ledger)
    work = work_from_download(document.root, HtmlSource(source.name, ledger=source.ledger),
                              document.title)
    return book_from_work(work, source.name, source.folder)


def work_from_download(root: etree._Element, source: HtmlSource, head_title: str = "") -> Work:
    """The work in a download's sanitised tree (AO3's HTML, or calibre's EPUB of it joined back
    into one tree); ``head_title`` is the document's ``<title>`` ("Title - Author - Fandom"), a
    last resort for the title. ManuscriptError when the tree is not a download."""
    body = first(root, "body")
    tags = _tag_list(root)
    chapters = by_id(root, "chapters")
    if body is None or tags is None or chapters is None:
        raise ManuscriptError("not an AO3 download: no tag list or no chapters", source.path,
                              hint="save the work with AO3's Download > HTML, or save the "
                                   "work's own page from the browser")
    # Downloads before 2019 have no preface wrapper; the labelled notes, the byline and the
    # related works sit beside the tag list (in div.meta, or loose in an old body).
    preface = by_id(root, "preface")
    preface = body if preface is None else preface
    meta = tags.getparent()
    meta = preface if meta is None else meta
    message = next((p for p in preface.iter("p") if taxonomy.AO3_POSTED in text_of(p)), None)
    fields = _tag_fields(tags)
    afterword = by_id(root, "afterword")
    inspired = first(afterword, "dl")
    tagged = work_from_tag_list(fields)
    if source.ledger is not None:
        _account_frame(source.ledger, preface, afterword, chapters,
                       tuple(fields.get(name) for name in _CODED_FIELDS))
    return dataclasses.replace(
        tagged,
        title=_title(preface, message, head_title),
        authors=authors_of(_byline(meta)),
        summary=_quoted_blocks(meta, taxonomy.AO3_SUMMARY, source),
        notes=_quoted_blocks(meta, taxonomy.AO3_NOTES, source),
        end_notes=_quoted_blocks(by_id(root, "endnotes"), taxonomy.AO3_END_NOTES, source),
        related_works=tuple(block for child in meta if child.tag == "ul"
                            for block in source.blocks(child)),
        inspired_works=tuple(source.blocks(dd, contents_only=True)
                             for dd in (inspired if inspired is not None else ())
                             if dd.tag == "dd"),
        chapters=_chapters(chapters, source),
        stats=stats_from_text(text_of(fields.get("stats"))),
        source_url=work_url(message),
        lines={**tagged.lines, "chapters": chapters.sourceline,
               "inspired_works": inspired.sourceline if inspired is not None else None},
    )


# Tag-list fields the Book keeps as numbers, dates and codes (the stats, the language, the series'
# "Part 2 of"), or not as text at all (the collections the work was posted to: AO3's grouping).
_CODED_FIELDS = ("stats", "language", "series", "collections")


def _account_frame(ledger: Ledger, preface: etree._Element, afterword: etree._Element | None,
                   chapters: etree._Element, coded: tuple[etree._Element | None, ...]) -> None:
    """AO3's labels, headings and fixed sentences around the work (the preface's and
    afterword's, each chapter's header group's and end notes', the hidden contents
    headings), said to ``ledger`` as left out on purpose. The ``coded`` fields' words (the
    stats, the language) are kept as numbers, dates and codes, not as words."""
    def content(scope: etree._Element | None) -> list[etree._Element]:
        if scope is None:
            return []
        return [element for element in scope.iter()
                if element.tag in ("blockquote", "h1", "ul") or element is chapters
                or (element.tag == "dd" and element not in coded)
                or (element.tag == "a" and element.get("rel") == "author")]
    scopes = [preface, afterword, *(child for child in chapters.iterdescendants()
                                    if is_chapter_group(child)
                                    or child.get("id", "").startswith("endnotes")
                                    or "toc-heading" in classes_of(child))]
    for scope in scopes:
        ledger.leave_out(frame_words(scope, content(scope)), "AO3's labels and notices")


def _tag_list(root: etree._Element) -> etree._Element | None:
    """The first ``<dl>`` whose labels are mostly AO3's: ``dl.tags`` (a class calibre may
    rename)."""
    for dl in root.iter("dl"):
        labels = [taxonomy.ao3_tag_field(text_of(dt)) for dt in dl if dt.tag == "dt"]
        if labels and sum(label is not None for label in labels) >= max(1, len(labels) // 2):
            return dl
    return None


def _tag_fields(tags: etree._Element) -> dict[str, etree._Element]:
    """Field name -> its ``<dd>``, for every ``<dt>`` label AO3 has used (singular or plural)."""
    fields: dict[str, etree._Element] = {}
    label = None
    for child in tags:
        if child.tag == "dt":
            label = taxonomy.ao3_tag_field(text_of(child))
        elif child.tag == "dd" and label and label not in fields:
            fields[label] = child
    return fields


def _title(preface: etree._Element, message: etree._Element | None, head_title: str) -> str:
    """The ``<h1>`` in the preface; else the bold title of the message; else the first part of
    the document's title ("Title - Author - Fandom")."""
    for candidate in (first(preface, "h1"), first(message, "b")):
        if text_of(candidate):
            return text_of(candidate)
    return head_title.split(" - ")[0].strip()


def _byline(meta: etree._Element) -> etree._Element | None:
    """The work's byline: ``div.byline``, or the div saying "by" and its creators' links."""
    return next((div for div in meta.iterdescendants("div") if "byline" in classes_of(div)
                 or text_of(div).startswith(taxonomy.AO3_BYLINE)), None)


def _quoted_blocks(scope: etree._Element | None, labels: tuple[str, ...] | str,
                   source: HtmlSource) -> tuple[Block, ...]:
    """The blocks of the blockquote after one of ``labels`` in ``scope``; () when there is
    none. (The blockquote is AO3's frame, not a quotation.)"""
    quote = labelled_quote(scope, labels)
    return source.blocks(quote, contents_only=True) if quote is not None else ()


@dataclass
class _Draft:
    """A chapter's parts as met in ``div#chapters``: its header group, text divs, end notes."""

    group: etree._Element | None = None
    texts: list[etree._Element] = field(default_factory=list)
    end: etree._Element | None = None


def _chapters(chapters: etree._Element, source: HtmlSource) -> tuple[Chapter, ...]:
    """The chapters, in order: each header group starts one; the divs after it without an id
    are its text, ``div#endnotesN`` its end notes. A work with no header group is one chapter of
    all the text (of the whole ``div#chapters`` when it holds no div)."""
    drafts: list[_Draft] = []
    single = _Draft()
    for child in chapters:
        if is_chapter_group(child):
            drafts.append(_Draft(child))
            continue
        draft = drafts[-1] if drafts else single
        if child.tag == "div" and not child.get("id"):
            draft.texts.append(child)
        elif child.get("id", "").startswith("endnotes") and draft.end is None:
            draft.end = child
    if not drafts:
        texts = single.texts or [chapters]
        blocks = _text_blocks(texts, source)
        return (Chapter("", blocks, line=texts[0].sourceline),) if blocks else ()
    return tuple(_chapter(draft, source) for draft in drafts)


def _text_blocks(texts: list[etree._Element], source: HtmlSource) -> tuple[Block, ...]:
    return tuple(block for text in texts for block in source.blocks(text, contents_only=True))


def _chapter(draft: _Draft, source: HtmlSource) -> Chapter:
    group = draft.group
    heading = first(group, "h2")
    return Chapter(
        title=taxonomy.ao3_chapter_title(text_of(heading)),
        blocks=_text_blocks(draft.texts, source),
        summary=_quoted_blocks(group, taxonomy.AO3_CHAPTER_SUMMARY, source),
        notes=_quoted_blocks(group, taxonomy.AO3_CHAPTER_NOTES, source),
        end_notes=_quoted_blocks(draft.end, taxonomy.AO3_CHAPTER_END_NOTES, source),
        line=(heading if heading is not None else group).sourceline
        if group is not None else None,
    )

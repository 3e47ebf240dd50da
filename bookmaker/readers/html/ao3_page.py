"""An AO3 work page saved from the browser (whole work, "Entire Work" view, or one chapter of many)
into the record of the work (readers/html/ao3_work.py), with the creator's work skin kept.

The page is not the download: the work sits inside the site (header, menus, the Download list,
kudos and comment forms, footer), its tags are in ``dl.work.meta.group`` whose ``dd`` classes name
the fields, and the work itself is ``div#workskin``: ``h2.title``, ``h3.byline``, the summary and
notes modules, ``div#chapters`` (one ``div.chapter`` per chapter, or the text directly) and
``div#work_endnotes``. Only those parts are read (nothing of the site reaches the book), into the
same record the download fills, so a page reads like the download of the same work. The work
skin (a ``<style>`` with ``#workskin`` rules) is sanitised by ``workskin.sanitise`` and travels as
``Book.stylesheet``; what it loses is reported as warnings.
"""

from __future__ import annotations

import dataclasses
import re

from lxml import etree

from bookmaker import taxonomy
from bookmaker.errors import Finding, ManuscriptError
from bookmaker.model import Block, Book, Chapter
from bookmaker.readers.decoding import read_text
from bookmaker.readers.html import workskin
from bookmaker.readers.html.ao3_work import (Stats, Work, authors_of,
                                             book_from_work, stats_from_values,
                                             work_from_tag_list)
from bookmaker.readers.html.blocks import HtmlSource
from bookmaker.readers.html.parse import HtmlDocument, parse_html
from bookmaker.readers.html.tree import by_id, classes_of, first, frame_words, text_of
from bookmaker.safety.inputs import Source
from bookmaker.safety.sanitize import remove_keeping_tail

_WORK_ID = re.compile(r"/works/(\d+)")
SITE = "https://archiveofourown.org"


def sniff(head: bytes) -> bool:
    """Whether a file's first bytes are an AO3 work page (not the download: no ``#preface``)."""
    return b'id="workskin"' in head and b"work meta group" in head


def read_with_findings(source: Source) -> tuple[Book, list[Finding]]:
    """The page as a Book, and the warnings about what was left out (of its work skin too)."""
    path = source.name
    text, _ = read_text(source)
    document = parse_html(text, path, source.ledger)
    root = document.root
    work = by_id(root, "workskin")
    tags = next((dl for dl in root.iter("dl") if {"work", "meta"} <= classes_of(dl)), None)
    if work is None or tags is None:
        raise ManuscriptError("not an AO3 work page: no work header or no #workskin", path,
                              hint="save the page of the work itself (\"Entire Work\" for all "
                                   "its chapters), or use AO3's Download > HTML")
    skin, dropped, clamped, skin_line = _work_skin(document, work)
    found = [Finding("warning", f"work skin: {len(dropped)} rule(s) or declaration(s) left out, "
                                "not safe or not shown by e-readers: " + workskin.listed(dropped),
                     str(path), skin_line, "the rest of the skin is kept" if skin.css else
                     "the work is kept without its skin")
             ] if dropped else []
    found += [Finding("warning", f"work skin: {len(clamped)} value(s) brought within what a page "
                                 "can show: " + workskin.listed(clamped), str(path), skin_line,
                      "the declarations are kept with these values")] if clamped else []
    html = HtmlSource(path, keep_classes=skin.classes, ledger=source.ledger)
    source.ledger.leave_out(frame_words(document.body, _work_parts(work, tags)),
                            "AO3's page around the work (menus, kudos, comments, labels)")
    book, more = book_from_work(_work(document, work, tags, html, skin.css), path, source.folder)
    return book, found + more


def _work_parts(work: etree._Element, tags: etree._Element) -> list[etree._Element]:
    """Every element of the page that may hold the work's words, found by its shape: the tag
    list's values (not the stats and language, kept as numbers and codes), the title, the
    creators' names, every ``.userstuff`` and ``<blockquote>``, the chapters' titles."""
    coded = {"stats", "language", "series", "collections"}
    parts = [dd for dd in tags if dd.tag == "dd" and not coded & classes_of(dd)]
    for element in work.iter():
        names = classes_of(element)
        if element.tag == "blockquote" or "userstuff" in names or \
                (element.tag == "h2" and "title" in names) or \
                (element.tag == "a" and element.get("rel") == "author"):
            parts.append(element)
    return parts


def _work_skin(document: HtmlDocument, work: etree._Element
               ) -> tuple[workskin.WorkSkin, list[str], list[str], int | None]:
    """The page's work skin made safe, what it lost, what it had clamped, and the line of its
    ``<style>``."""
    styles = [(css, line) for css, line in document.styles if "#workskin" in css]
    if not styles:
        return workskin.WorkSkin(), [], [], None
    skin, dropped, clamped = workskin.sanitise("\n".join(css for css, _ in styles))
    skin = workskin.with_block_classes(skin, {
        name for element in work.iter() if element.tag in workskin.BLOCK_TAGS
        for name in element.get("class", "").split()})
    return skin, dropped, clamped, styles[0][1]


def _work(document: HtmlDocument, work: etree._Element, tags: etree._Element,
          source: HtmlSource, stylesheet: str) -> Work:
    fields = _tag_fields(tags)
    preface = first(work, "div", "preface")
    end = by_id(work, "work_endnotes")
    chapters = by_id(work, "chapters")
    tagged = work_from_tag_list(fields)
    return dataclasses.replace(
        tagged,
        title=text_of(first(work, "h2", "title")),
        authors=authors_of(first(work, "h3", "byline")),
        summary=_module_blocks(preface, "summary", source),
        notes=_module_blocks(preface, "notes", source),
        end_notes=_quote_blocks(end, source),
        chapters=_chapters(chapters, source) if chapters is not None else (),
        stats=_stats(fields.get("stats")),
        source_url=_work_url(document),
        stylesheet=stylesheet,
        lines={**tagged.lines,
               "chapters": chapters.sourceline if chapters is not None else None},
    )


def _tag_fields(tags: etree._Element) -> dict[str, etree._Element]:
    """Field name -> its ``<dd>``, by the classes the page gives each one."""
    fields: dict[str, etree._Element] = {}
    for dd in tags:
        if dd.tag != "dd":
            continue
        classes = classes_of(dd)
        name = next((field for css_class, field in taxonomy.AO3_TAG_CLASSES.items()
                     if css_class in classes), None)
        if name is not None:
            fields.setdefault(name, dd)
    return fields


def _stats(stats: etree._Element | None) -> Stats:
    """The stats from their own ``dd``s, which the page classes ``published``, ``status`` (the
    Updated or Completed date), ``words``, ``chapters``..."""
    values: dict[str, str] = {}
    for dd in stats.iter("dd") if stats is not None else ():
        name = next((taxonomy.AO3_STATS_LABELS[css_class] for css_class in classes_of(dd)
                     if css_class in taxonomy.AO3_STATS_LABELS), None)
        if name is not None:
            values.setdefault(name, text_of(dd))
    return stats_from_values(values)


def _chapters(chapters: etree._Element, source: HtmlSource) -> tuple[Chapter, ...]:
    divs = [child for child in chapters if child.tag == "div" and "chapter" in classes_of(child)]
    if not divs:  # a one-chapter work: the text directly
        text = next((child for child in chapters if "userstuff" in classes_of(child)), None)
        blocks = _text_blocks(text, source)
        return (Chapter("", blocks, line=text.sourceline),) if text is not None and blocks \
            else ()
    return tuple(_chapter(chapter, source) for chapter in divs)


def _chapter(chapter: etree._Element, source: HtmlSource) -> Chapter:
    prefaces = [child for child in chapter if {"chapter", "preface"} <= classes_of(child)]
    heading = first(chapter, "h3", "title")
    opening = prefaces[0] if prefaces else None
    end = next((module for preface in prefaces for module in preface.iter("div")
                if {"end", "notes"} <= classes_of(module)), None)
    text = next((child for child in chapter if "userstuff" in classes_of(child)), None)
    return Chapter(
        title=taxonomy.ao3_chapter_title(text_of(heading)),
        blocks=_text_blocks(text, source),
        summary=_module_blocks(opening, "summary", source),
        notes=_module_blocks(opening, "notes", source),
        end_notes=_quote_blocks(end, source),
        line=(heading if heading is not None else chapter).sourceline,
    )


def _text_blocks(text: etree._Element | None, source: HtmlSource) -> tuple[Block, ...]:
    """The chapter text without its hidden "Chapter Text" landmark heading."""
    if text is None:
        return ()
    for landmark in [h for h in text.iter("h3") if "landmark" in classes_of(h)]:
        if source.ledger is not None:
            source.ledger.leave_out(text_of(landmark), "AO3's hidden \"Chapter Text\" heading")
        remove_keeping_tail(landmark)
    return source.blocks(text, contents_only=True)


def _module_blocks(scope: etree._Element | None, kind: str, source: HtmlSource
                   ) -> tuple[Block, ...]:
    """The summary or notes module of a preface (never the end notes), as blocks."""
    module = next((div for div in scope.iter("div") if kind in classes_of(div)
                   and "module" in classes_of(div) and "end" not in classes_of(div)), None) \
        if scope is not None else None
    return _quote_blocks(module, source)


def _quote_blocks(module: etree._Element | None, source: HtmlSource) -> tuple[Block, ...]:
    """The blocks of a module's ``blockquote.userstuff`` (AO3's frame, not a quotation)."""
    quote = first(module, "blockquote")
    return source.blocks(quote, contents_only=True) if quote is not None else ()


def _work_url(document: HtmlDocument) -> str | None:
    """The work's address, from the canonical link or the first link to the work."""
    candidates = [href for rel, href in document.links if rel == "canonical"]
    candidates += [a.get("href", "") for a in document.root.iter("a")]
    for href in candidates:
        match = _WORK_ID.search(href)
        if match:
            return f"{SITE}/works/{match.group(1)}"
    return None

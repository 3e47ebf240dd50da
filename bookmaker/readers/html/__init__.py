"""A saved web page holding a fic (any site, or one written by hand) into the model.

This package is the HTML road (see parse.py, blocks.py, and CONTRIBUTING.md): the page is parsed
and sanitised once, and its story converted by blocks.py. The story is the page's ``<article>``
(when there is exactly one), else its ``<main>``, else its body, without the site's chrome:
``nav``, ``header``, ``footer``, ``menu`` and non-note ``aside`` go (forms never got past the
sanitiser).
The title comes from the page's first ``<h1>`` or its ``<title>``; headings split chapters
(chapters_from_blocks, shared with the DOCX reader); ``<hr>`` and the other scene-break marks are
left to transforms.scenebreaks.
"""

from __future__ import annotations

import dataclasses
from pathlib import PurePath

from lxml import etree

from bookmaker.errors import Finding, ManuscriptError
from bookmaker.model import (Block, Book, Chapter, Footnote, FootnoteRef, Heading, Paragraph,
                             plain_text, query)
from bookmaker.readers.decoding import read_text
from bookmaker.readers.html import article, gutenberg
from bookmaker.readers.html.blocks import html_to_blocks
from bookmaker.readers.html.parse import HtmlDocument, parse_html
from bookmaker.readers.html.tree import frame_words, text_of
from bookmaker.readers.metadata import MetadataBuilder
from bookmaker.safety.inputs import Ledger, Source
from bookmaker.safety.sanitize import EPUB_TYPE, remove_keeping_tail, text_content

_CHROME = frozenset({"nav", "header", "footer", "aside", "menu"})
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "complementary"})
_NOTE_TYPES = frozenset({"footnote", "endnote", "rearnote", "doc-footnote", "doc-endnote"})


def read_with_findings(source: Source) -> tuple[Book, list[Finding]]:
    """The page as a Book, and what was left out of it (for ``build`` to say)."""
    text, _ = read_text(source)
    return book_from_document(parse_html(text, source.name, source.ledger), source.name,
                              source.folder, source.ledger)


def book_from_document(document: HtmlDocument, path: PurePath, folder: str,
                       ledger: Ledger | None = None) -> tuple[Book, list[Finding]]:
    """The parsed page as a Book, and what was left out of it (its text also said to
    ``ledger``, the input's: readers/accounting.py)."""
    ledger = Ledger() if ledger is None else ledger
    found: list[Finding] = []
    root, body = document.root, document.body
    fields: dict[str, str] = {}
    chapter_level = None
    if gutenberg.is_gutenberg_book(body):
        for name, value, _ in gutenberg.unframe(body, ledger):
            fields.setdefault(name, value)
        story, title = body, fields.get("title", "")
        chapter_level = gutenberg.chapter_level(body)
        found.append(Finding("warning", "Project Gutenberg's header, licence, title page and "
                                        "contents left out", str(path), None,
                             "the licence asks this of copies that drop the Gutenberg name"))
    else:
        story = _story_element(root)
        if story is not body:
            ledger.leave_out(frame_words(body, [story]), "the page around its <article> or <main>")
        # before the chrome (an article's header) goes
        # Open Graph's title names the post, not the site
        # (without a site's name after it: "The Novel - Wikipedia")
        title = _head_title_part(document.meta("og:title"), root) or \
            text_of(next(story.iter("h1"), None)) or _head_title_part(document.title, story)
        _drop_chrome(story, ledger)
        if article.has_site_furniture(root, story):
            story, left_out = article.extract(root, ledger)
            if left_out:
                found.append(Finding(
                    "warning", f"only the article kept: {left_out} words of the page around it "
                               "(menus, sidebars, share and like buttons, related posts, "
                               "comments) left out", str(path), None,
                    "save the story alone, or paste it into a manuscript, to keep more"))
    blocks = html_to_blocks(story, source=path, contents_only=True, ledger=ledger)
    if not plain_text(blocks).strip():
        raise ManuscriptError("the page holds no text", path,
                              hint="save the page with its text (\"Web page, complete\")")
    title, chapters = chapters_from_blocks(blocks, title, chapter_level)
    builder = MetadataBuilder(path, found)
    builder.title(title)
    builder.authors((fields["authors"],) if "authors" in fields else _authors(document))
    builder.language(fields.get("language") or root.get("lang"), root.sourceline)
    builder.set(source_url=fields.get("source_url"))
    metadata = builder.build(no_title_hint="give the page an <h1> or a <title>")
    return Book(metadata, chapters, base_dir=folder), found


def chapters_from_blocks(blocks: tuple[Block, ...], title: str = "",
                         level: int | None = None) -> tuple[str, tuple[Chapter, ...]]:
    """(work title, chapters) from a flat run of blocks whose headings mark chapters.

    A lone top-level heading opening the text (one ``<h1>`` above ``<h2>`` chapters) is the
    work's title, not a chapter. The highest heading level left splits chapters, or, when the
    document says which level its chapters' headings are (``level``: Gutenberg's
    ``div.chapter``), every heading of that level or above; text before the first one is an
    untitled opening chapter. With no heading at all the work is one chapter.
    """
    headings = [block for block in blocks if isinstance(block, Heading)]
    if headings and blocks[0] is headings[0] and \
            sum(h.level == headings[0].level for h in headings) == 1 and len(headings) > 1 \
            and all(h.level > headings[0].level for h in headings[1:]):
        title = plain_text(headings[0].children).strip() or title
        blocks, headings = blocks[1:], headings[1:]
    if not headings:
        return title, (Chapter("", blocks),)
    chapters = split_at_heading_level(blocks, level or min(h.level for h in headings),
                                      and_above=level is not None)
    if len(chapters) > 1 and not chapters[0].title and not _holds_anything(chapters[0].blocks):
        chapters.pop(0)  # the empty paragraphs or anchors before the first heading
    return title, footnotes_where_referred(chapters)


def footnotes_where_referred(chapters: list[Chapter]) -> tuple[Chapter, ...]:
    """Chapters whose Footnote blocks sit at the end of the chapter that first refers to them
    (the converter puts a page's notes at its end, so a page cut into chapters, a Wikipedia
    article's references among them, had them all in its last chapter, where no writer finds
    them from the chapter referring); a note nobody refers to stays in the last chapter."""
    notes = {block.id: block for chapter in chapters for block in chapter.blocks
             if isinstance(block, Footnote)}
    if not notes:
        return tuple(chapters)
    placed: set[str] = set()
    result = []
    for chapter in chapters:
        story = tuple(block for block in chapter.blocks if not isinstance(block, Footnote))
        own: list[Footnote] = []
        queue = [ref.id for ref in query(story, FootnoteRef, skip=Footnote)]
        while queue:
            note_id = queue.pop(0)
            if note_id in notes and note_id not in placed:
                placed.add(note_id)
                own.append(notes[note_id])
                queue.extend(ref.id for ref in query(notes[note_id].blocks, FootnoteRef))
        if own or _holds_anything(story) or len(story) == len(chapter.blocks):
            result.append(dataclasses.replace(chapter, blocks=story + tuple(own)))
        # (a chapter that held only notes, "References", goes once they are where referred)
    orphans = tuple(note for note_id, note in notes.items() if note_id not in placed)
    if orphans and result:
        result[-1] = dataclasses.replace(result[-1], blocks=result[-1].blocks + orphans)
    return tuple(result)



def split_at_heading_level(blocks: tuple[Block, ...], level: int,
                           and_above: bool = False) -> list[Chapter]:
    """``blocks`` cut into chapters at each heading of ``level`` (and of higher levels, with
    ``and_above``), which becomes the chapter's title; what comes before the first one is an
    untitled chapter (empty when nothing does)."""
    chapters: list[Chapter] = []
    title, line = "", None
    body: list[Block] = []
    for block in blocks:
        if isinstance(block, Heading) and (block.level == level
                                           or (and_above and block.level < level)):
            if body or title:
                chapters.append(Chapter(title, tuple(body), line=line))
            title, line, body = " ".join(plain_text(block.children).split()), block.line, []
        else:
            body.append(block)
    chapters.append(Chapter(title, tuple(body), line=line))
    return chapters


def _holds_anything(blocks: tuple[Block, ...]) -> bool:
    return bool(plain_text(blocks).strip()) or any(not isinstance(block, Paragraph)
                                                   for block in blocks)


def _story_element(root: etree._Element) -> etree._Element:
    """Where the story is: the one ``<article>``, else a MediaWiki page's text (a wiki's
    ``div.mw-parser-output``: Wikipedia, a fandom's wiki), else ``<main>``, else the body."""
    articles = list(root.iter("article"))
    wiki = [element for element in root.iter("div")
            if "mw-parser-output" in element.get("class", "").split()]
    if len(articles) != 1 and len(wiki) == 1:
        return wiki[0]
    if len(articles) == 1:
        return articles[0]
    main = next(root.iter("main"), None)
    if main is not None:
        return main
    body = next(root.iter("body"), None)
    return body if body is not None else root


def _drop_chrome(story: etree._Element, ledger: Ledger) -> None:
    """Remove the site's navigation, headers, footers and sidebars (not footnote asides)."""
    chrome = [element for element in story.iter()
              if element is not story and isinstance(element.tag, str)
              and (element.tag in _CHROME or element.get("role", "") in _CHROME_ROLES)
              and not set((element.get(EPUB_TYPE, "") + " " + element.get("role", "")).split())
              & _NOTE_TYPES]
    for element in chrome:
        ledger.leave_out(text_content(element), f"the site's <{element.tag}>")
        remove_keeping_tail(element)


def _head_title_part(title: str, story: etree._Element) -> str:
    """The page's ``<title>``, or the part of it ("blog — Post Title") that a heading of the
    story repeats: the post's title without the site's name."""
    headings = {text_of(heading) for heading in story.iter("h1", "h2", "h3")}
    for separator in (" — ", " – ", " | ", " - ", ": "):
        for part in title.split(separator):
            if part.strip() in headings and part.strip() != title:
                return part.strip()
    return title


def _authors(document: HtmlDocument) -> tuple[str, ...]:
    """The page's ``<meta name="author">``, the one place a generic page names its writer."""
    return tuple(content.strip() for name, content in document.metas
                 if name.lower() == "author" and content.strip())

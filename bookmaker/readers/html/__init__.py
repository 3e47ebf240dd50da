"""A saved web page holding a fic (any site, or one written by hand) into the model.

The story is the page's ``<article>`` (when there is exactly one), else its ``<main>``, else its
body, without the site's chrome: ``nav``, ``header``, ``footer``, non-note ``aside`` and forms go.
The title comes from the page's first ``<h1>`` or its ``<title>``; headings split chapters
(chapters_from_blocks, shared with the DOCX reader); ``<hr>`` and the other scene-break marks are
left to transforms.scenebreaks.
"""

from __future__ import annotations

from pathlib import PurePath

from lxml import etree

from bookmaker.errors import Finding, ManuscriptError
from bookmaker.model import Block, Book, Chapter, Heading, Paragraph, plain_text
from bookmaker.readers.html.blocks import (EPUB_TYPE, html_to_blocks, parse_html,
                                         remove_keeping_tail)
from bookmaker.readers.decoding import read_text
from bookmaker.readers.html import article, gutenberg
from bookmaker.readers.metadata import MetadataBuilder
from bookmaker.safety.inputs import Source

_CHROME = frozenset({"nav", "header", "footer", "form", "aside", "menu"})
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "complementary"})
_NOTE_TYPES = frozenset({"footnote", "endnote", "rearnote", "doc-footnote", "doc-endnote"})


def read_with_findings(source: Source) -> tuple[Book, list[Finding]]:
    """The page as a Book, and what was left out of it (for ``build`` to say)."""
    text, _ = read_text(source)
    return book_from_root(parse_html(text, source.name), source.name, source.folder)


def book_from_root(root: etree._Element, path: PurePath,
                   folder: str) -> tuple[Book, list[Finding]]:
    """The page parsed into ``root`` as a Book, and what was left out of it."""
    found: list[Finding] = []
    body = next(root.iter("body"), root)
    fields: dict[str, str] = {}
    if gutenberg.is_gutenberg_book(body):
        for name, value, _ in gutenberg.unframe(body):
            fields.setdefault(name, value)
        story, title = body, fields.get("title", "")
        found.append(Finding("warning", "Project Gutenberg's header, licence, title page and "
                                        "contents left out", str(path), None,
                             "the licence asks this of copies that drop the Gutenberg name"))
    else:
        story = _story_element(root)
        # before the chrome (an article's header) goes
        title = _meta(root, "og:title") or _first_h1(story) or _head_title_part(root, story)
        _drop_chrome(story)
        if article.has_site_furniture(root, story):
            story, left_out = article.extract(root, path)
            if left_out:
                found.append(Finding(
                    "warning", f"only the article kept: {left_out} words of the page around it "
                               "(menus, sidebars, share and like buttons, related posts, "
                               "comments) left out", str(path), None,
                    "save the story alone, or paste it into a manuscript, to keep more"))
    blocks = html_to_blocks(story, source=path, contents_only=True)
    if not plain_text(blocks).strip():
        raise ManuscriptError("the page holds no text", path,
                              hint="save the page with its text (\"Web page, complete\")")
    title, chapters = chapters_from_blocks(blocks, title)
    builder = MetadataBuilder(path, found)
    builder.title(title)
    builder.authors((fields["authors"],) if "authors" in fields else _authors(root))
    builder.language(fields.get("language") or root.get("lang"), root.sourceline)
    builder.set(source_url=fields.get("source_url"))
    metadata = builder.build(no_title_hint="give the page an <h1> or a <title>")
    return Book(metadata, chapters, base_dir=folder), found


def chapters_from_blocks(blocks: tuple[Block, ...], title: str = ""
                         ) -> tuple[str, tuple[Chapter, ...]]:
    """(work title, chapters) from a flat run of blocks whose headings mark chapters.

    A lone top-level heading opening the text (one ``<h1>`` above ``<h2>`` chapters) is the
    work's title, not a chapter. The highest heading level left splits chapters; text before the
    first one is an untitled opening chapter. With no heading at all the work is one chapter.
    """
    headings = [block for block in blocks if isinstance(block, Heading)]
    if headings and blocks[0] is headings[0] and \
            sum(h.level == headings[0].level for h in headings) == 1 and len(headings) > 1 \
            and all(h.level > headings[0].level for h in headings[1:]):
        title = plain_text(headings[0].children).strip() or title
        blocks, headings = blocks[1:], headings[1:]
    if not headings:
        return title, (Chapter("", blocks),)
    chapters = split_at_heading_level(blocks, min(heading.level for heading in headings))
    if len(chapters) > 1 and not chapters[0].title and not _holds_anything(chapters[0].blocks):
        chapters.pop(0)  # the empty paragraphs or anchors before the first heading
    return title, tuple(chapters)



def split_at_heading_level(blocks: tuple[Block, ...], level: int) -> list[Chapter]:
    """``blocks`` cut into chapters at each heading of ``level``, which becomes the chapter's
    title; what comes before the first one is an untitled chapter (empty when nothing does)."""
    chapters: list[Chapter] = []
    title, line = "", None
    body: list[Block] = []
    for block in blocks:
        if isinstance(block, Heading) and block.level == level:
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
    """Where the story is: the one ``<article>``, else ``<main>``, else the body."""
    articles = list(root.iter("article"))
    if len(articles) == 1:
        return articles[0]
    main = next(root.iter("main"), None)
    if main is not None:
        return main
    body = next(root.iter("body"), None)
    return body if body is not None else root


def _drop_chrome(story: etree._Element) -> None:
    """Remove the site's navigation, headers, footers and sidebars (not footnote asides)."""
    chrome = [element for element in story.iter()
              if element is not story and isinstance(element.tag, str)
              and (element.tag in _CHROME or element.get("role", "") in _CHROME_ROLES)
              and not set((element.get(EPUB_TYPE, "") + " " + element.get("role", "")).split())
              & _NOTE_TYPES]
    for element in chrome:
        remove_keeping_tail(element)


def _first_h1(story: etree._Element) -> str:
    heading = next(story.iter("h1"), None)
    return " ".join("".join(heading.itertext()).split()) if heading is not None else ""


def _meta(root: etree._Element, name: str) -> str:
    """A ``<meta property|name=...>`` value (Open Graph's title names the post, not the site)."""
    for meta in root.iter("meta"):
        if name in (meta.get("property"), meta.get("name")) and meta.get("content", "").strip():
            return " ".join(meta.get("content", "").split())
    return ""


def _head_title_part(root: etree._Element, story: etree._Element) -> str:
    """The page's ``<title>``, or the part of it ("blog — Post Title") that a heading of the
    story repeats: the post's title without the site's name."""
    title = _head_title(root)
    headings = {" ".join("".join(h.itertext()).split()) for h in story.iter("h1", "h2", "h3")}
    for separator in (" — ", " – ", " | ", " - ", ": "):
        for part in title.split(separator):
            if part.strip() in headings and part.strip() != title:
                return part.strip()
    return title


def _head_title(root: etree._Element) -> str:
    title = next(root.iter("title"), None)
    return " ".join("".join(title.itertext()).split()) if title is not None else ""


def _authors(root: etree._Element) -> tuple[str, ...]:
    """The page's ``<meta name="author">``, the one place a generic page names its writer."""
    return tuple(meta.get("content", "").strip() for meta in root.iter("meta")
                 if meta.get("name", "").lower() == "author" and meta.get("content", "").strip())

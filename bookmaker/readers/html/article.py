"""The story in a saved blog or journal page, found by readability-lxml (Mozilla Readability's
algorithm, maintained for Python), not by rules of our own.

A page written by hand (an ``<article>`` or ``<main>`` holding the story, the site's menus in
``<nav>``/``<header>``/``<footer>``) is read as it is by the page reader. A page a blog engine
made is not: WordPress (with Jetpack) puts "Share this:", "Like this:" and "Related" inside the
post's own content, Tumblr puts the notes (likes, reblogs with their comments) inside the post's
``<article>``, Dreamwidth and LiveJournal have no ``<article>`` at all, and an old Blogger page is
one big layout table. has_site_furniture tells those pages apart; extract asks readability for
the article.

Why readability-lxml and not trafilatura (measured by benchmarks/article_extraction.py on four
such pages, see benchmarks/README.md): both keep every story sentence and its emphasis, but
trafilatura let in 9 phrases of the site (the table page's navigation column, Tumblr's notes and
the comments in its reblogs) where readability let in 4, all from Jetpack widgets inside the
WordPress post's content; and readability hands back the page's own elements (alignment,
``<center>``, classes) where trafilatura rewrites them into its own simplified markup. The
widgets readability cannot know (Jetpack's sharing, likes and related posts, a post's "posted by
... | 3 comments" line) are removed by their class before it runs: with that, none of the site's
phrases measured reaches the book.

readability works on the page's own sanitised tree (a copy of it in lxml.html's element class,
which its code needs), never on the page's text parsed again, and the article it settles on is
taken as elements: the story reaches the converter without a second parse, its lines the page's.
"""

from __future__ import annotations

import re
from collections import Counter

import lxml.html
from lxml import etree

from bookmaker.readers.html.tree import text_of
from bookmaker.safety.inputs import Ledger
from bookmaker.safety.sanitize import text_content

# Classes and ids of widgets blog engines put inside a post's content, and of the furniture
# that marks a page as made by one.
_WIDGET = re.compile(r"(?:^|[\s_-])(sharedaddy|sd-sharing|sd-like|sd-block|jp-relatedposts|"
                     r"jp-post-flair|wpcnt|addtoany|a2a_kit|yarpp-related|share-buttons?|"
                     r"social-share|likes?-widget|post-likes|byline|post-footer|"
                     r"entry-footer|post-meta|notes-count)(?:$|[\s_-])", re.IGNORECASE)
_FURNITURE = re.compile(r"(?:^|[\s_-])(comments?|comment-list|respond|sharedaddy|sd-sharing|"
                        r"jp-relatedposts|related|sidebar|widget|reblog|notes|entry-footer|"
                        r"post-meta|tags)(?:$|[\s_-])", re.IGNORECASE)


def has_site_furniture(root: etree._Element, story: etree._Element) -> bool:
    """Whether the page is a blog engine's (its story element still holds comments, sharing,
    related posts, notes or a sidebar), or a layout table holds most of its text."""
    for element in story.iter():
        if isinstance(element.tag, str) and element is not story and (
                _FURNITURE.search(element.get("class", "")) or
                _FURNITURE.search(element.get("id", ""))):
            return True
    text = len(text_of(story))
    return any(len(text_of(table)) * 2 > text for table in story.iter("table")) if text else False


def extract(root: etree._Element, ledger: Ledger) -> tuple[etree._Element, int]:
    """The article as an element to convert, and how many words of the page were left out
    (their text said to ``ledger``)."""
    from readability import Document  # imported on use: only blog pages need it

    class ArticleFinder(Document):
        """readability's Document, keeping the article element it settles on (its
        ``summary()`` gives only that element's HTML; readability asks subclasses to override
        ``get_clean_html`` for such needs)."""

        article: etree._Element | None = None

        def get_clean_html(self):
            self.article = self.html
            return super().get_clean_html()

    body = next(root.iter("body"), root)
    page_words = len(text_of(body).split())
    page_text = text_content(body)
    for element in [e for e in root.iter()
                    if _WIDGET.search(e.get("class", "")) or _WIDGET.search(e.get("id", ""))]:
        parent = element.getparent()
        if parent is not None and element.tag not in ("html", "body"):
            parent.remove(element)
    # readability copies its input before each of its passes, so the copy made here is read
    # as many times as it needs.
    finder = ArticleFinder(_html_copy(root))
    finder.summary(html_partial=True)
    if finder.article is None:
        return body, 0
    if (body.sourceline or 0) > 1:
        for element in finder.article.iter():
            if element.sourceline == 1:
                # made by readability from "<p/>" (a paragraph around loose text): no line
                element.sourceline = 0
    # What readability left out is the page around the article: said as one passage.
    kept = Counter(page_text.split()) - Counter(text_content(finder.article).split())
    ledger.leave_out(" ".join(kept.elements()), "the page around the article")
    return finder.article, max(0, page_words - len(text_of(finder.article).split()))


def _html_copy(root: etree._Element) -> lxml.html.HtmlElement:
    """``root``'s tree copied into lxml.html's element class (whose methods readability calls),
    lines kept; walked with a stack, so no depth is too deep."""
    top = lxml.html.Element(root.tag, dict(root.attrib))
    pending = [(root, top)]
    while pending:
        source, target = pending.pop()
        target.text = source.text
        if source.sourceline:
            target.sourceline = source.sourceline
        for child in source:
            copy = etree.SubElement(target, child.tag, dict(child.attrib))
            copy.tail = child.tail
            pending.append((child, copy))
    return top

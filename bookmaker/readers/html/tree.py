"""Finding things in a parsed, sanitised tree (readers/html/parse.py): the helpers every
front-end of the HTML road shares, so none keeps a copy of its own.

Tag names are plain and lower-case in every such tree (the sanitiser takes XHTML's namespace
off), so ``element.tag == "p"`` holds for a page of an EPUB as for a saved web page.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from lxml import etree

from bookmaker.readers.accounting import words
from bookmaker.safety.sanitize import text_content

_SPACES = re.compile(r"\s+")


def text_of(element: etree._Element | None) -> str:
    """The element's text on one line (runs of whitespace made one space); "" for None."""
    if element is None:
        return ""
    return _SPACES.sub(" ", "".join(element.itertext())).strip()


def classes_of(element: etree._Element) -> set[str]:
    return set(element.get("class", "").split())


def first(scope: etree._Element | None, tag: str, class_name: str = "") -> etree._Element | None:
    """The first ``tag`` element in ``scope`` (itself included), with ``class_name`` among its
    classes when one is given; None when there is none (or no scope)."""
    if scope is None:
        return None
    return next((element for element in scope.iter(tag)
                 if not class_name or class_name in classes_of(element)), None)


def by_id(scope: etree._Element | None, element_id: str) -> etree._Element | None:
    """The first element in ``scope`` whose id is ``element_id``."""
    if scope is None:
        return None
    return next((element for element in scope.iter() if element.get("id") == element_id), None)


def frame_words(scope: etree._Element | None, content: Iterable[etree._Element]) -> str:
    """The words of ``scope`` that none of the ``content`` elements in it hold: the labels and
    fixed sentences a site puts around the parts a reader reads (AO3's "Rating:", "Posted
    originally on the Archive of Our Own"), to be said to the ledger as left out on purpose.
    ``content`` should be every element that may hold the work's text, found by its shape
    (every ``<blockquote>``, ``<dd>``, ``.userstuff``), not only those the reader used, so a
    part the reader missed still counts as lost."""
    if scope is None:
        return ""
    held = Counter(word for element in content for word in words(text_content(element)))
    return " ".join((Counter(words(text_content(scope))) - held).elements())

"""Finding things in a parsed, sanitised tree (readers/html/parse.py): the helpers every
front-end of the HTML road shares, so none keeps a copy of its own.

Tag names are plain and lower-case in every such tree (the sanitiser takes XHTML's namespace
off), so ``element.tag == "p"`` holds for a page of an EPUB as for a saved web page.
"""

from __future__ import annotations

import re

from lxml import etree

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

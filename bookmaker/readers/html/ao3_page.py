"""An AO3 work page saved from the browser (whole work, "Entire Work" view, or one chapter of many)
into the model, with the creator's work skin kept.

The page is not the download: the work sits inside the site (header, menus, the Download list,
kudos and comment forms, footer), its tags are in ``dl.work.meta.group`` whose ``dd`` classes name
the fields, and the work itself is ``div#workskin``: ``h2.title``, ``h3.byline``, the summary and
notes modules, ``div#chapters`` (one ``div.chapter`` per chapter, or the text directly) and
``div#work_endnotes``. This module rebuilds the HTML download from those parts (nothing of the site
is copied) and hands it to ``ao3.book_from_document``, so a page reads exactly like the download
of the same work. The work skin (a ``<style>`` with ``#workskin`` rules) is sanitised by
``workskin.sanitise`` and travels as ``Book.stylesheet``; what it loses is reported as warnings.
"""

from __future__ import annotations

import re

from lxml import etree

from bookmaker.errors import Finding, ManuscriptError
from bookmaker.model import Book
from bookmaker.readers.decoding import read_text
from bookmaker.readers.html import ao3, workskin
from bookmaker.readers.html.blocks import parse_html, remove_keeping_tail
from bookmaker.safety.inputs import Source

# dd class -> the download's label for it
_FIELDS = (("rating", "Rating"), ("warning", "Archive Warning"), ("category", "Category"),
           ("fandom", "Fandom"), ("relationship", "Relationship"), ("character", "Characters"),
           ("freeform", "Additional Tags"), ("language", "Language"), ("series", "Series"),
           ("collections", "Collections"), ("stats", "Stats"))
_STATS = (("published", "Published"), ("status", ""), ("words", "Words"),
          ("chapters", "Chapters"))
_WORK_ID = re.compile(r"/works/(\d+)")
_SPACES = re.compile(r"\s+")
SITE = "https://archiveofourown.org"


def sniff(head: bytes) -> bool:
    """Whether a file's first bytes are an AO3 work page (not the download: no ``#preface``)."""
    return b'id="workskin"' in head and b"work meta group" in head


def read_with_findings(source: Source) -> tuple[Book, list[Finding]]:
    """The page as a Book, and the warnings about what was left out (of its work skin too)."""
    path = source.name
    text, _ = read_text(source)
    root = parse_html(text, path)
    work = _by_id(root, "workskin")
    tags = next((dl for dl in root.iter("dl") if {"work", "meta"} <= _classes(dl)), None)
    if work is None or tags is None:
        raise ManuscriptError("not an AO3 work page: no work header or no #workskin", path,
                              hint="save the page of the work itself (\"Entire Work\" for all "
                                   "its chapters), or use AO3's Download > HTML")
    skin, dropped = _work_skin(root)
    skin = workskin.with_block_classes(skin, {
        name for element in work.iter() if isinstance(element.tag, str)
        and element.tag in workskin.BLOCK_TAGS for name in element.get("class", "").split()})
    found = [Finding("warning", f"work skin: {len(dropped)} rule(s) or declaration(s) left out, "
                                "not safe or not shown by e-readers: " + "; ".join(dropped),
                     str(path), _style_line(root), "the rest of the skin is kept")
             ] if dropped else []
    download = _download(root, work, tags)
    book, more = ao3.book_from_document(download, path, source.folder, skin)
    return book, found + more


def _style_line(root: etree._Element) -> int | None:
    style = next((s for s in root.iter("style") if "#workskin" in "".join(s.itertext())), None)
    return style.sourceline if style is not None else None


def _work_skin(root: etree._Element) -> tuple[workskin.WorkSkin, list[str]]:
    css = "\n".join("".join(style.itertext()) for style in root.iter("style")
                    if "#workskin" in "".join(style.itertext()))
    return workskin.sanitise(css) if css else (workskin.WorkSkin(), [])


# --------------------------------------------------------------------------- the download, rebuilt


def _download(root: etree._Element, work: etree._Element, tags: etree._Element
              ) -> etree._Element:
    html = etree.Element("html")
    body = etree.SubElement(html, "body")
    preface = etree.SubElement(body, "div", id="preface")
    title = _text(_first(work, "h2", "title"))
    message = etree.SubElement(preface, "p", {"class": "message"})
    etree.SubElement(message, "b").text = title
    etree.SubElement(message, "br").tail = "Posted originally on the Archive of Our Own at "
    url = _work_url(root)
    if url:
        link = etree.SubElement(message, "a", href=url)
        link.text = url
        link.tail = "."
    meta = etree.SubElement(preface, "div", {"class": "meta"})
    meta.append(_tag_list(tags))
    etree.SubElement(meta, "h1").text = title
    byline = etree.SubElement(meta, "div", {"class": "byline"})
    byline.text = "by "
    heading = _first(work, "h3", "byline")
    for author in (heading.iter("a") if heading is not None else ()):
        link = etree.SubElement(byline, "a", rel="author", href=author.get("href", ""))
        link.text = _text(author)
        link.tail = ", "
    if len(byline):
        byline[-1].tail = ""
    elif heading is not None:  # "Anonymous", orphaned works
        byline.text = "by " + _text(heading)
    preface_group = _first(work, "div", "preface")
    _labelled(meta, "Summary", _module(preface_group, "summary"))
    _labelled(meta, "Notes", _module(preface_group, "notes"))
    body.append(_chapters(work))
    afterword = etree.SubElement(body, "div", id="afterword")
    end = _by_id(work, "work_endnotes")
    if end is not None:
        endnotes = etree.SubElement(etree.SubElement(afterword, "div", {"class": "meta"}), "div",
                                    id="endnotes")
        _labelled(endnotes, "End Notes", end)
    return html


def _tag_list(tags: etree._Element) -> etree._Element:
    """``dl.tags`` as the download writes it, from the page's classed ``dd`` elements."""
    dl = etree.Element("dl", {"class": "tags"})
    for dd in tags:
        if dd.tag != "dd":
            continue
        classes = _classes(dd)
        label = next((label for name, label in _FIELDS if name in classes), None)
        if label is None:
            continue
        etree.SubElement(dl, "dt").text = label + ":"
        value = etree.SubElement(dl, "dd")
        if "stats" in classes:
            value.text = " ".join(_stat(dd, name, label) for name, label in _STATS).strip()
        else:
            for child in dd:
                value.append(child)
            value.text = dd.text
    return dl


def _stat(stats: etree._Element, name: str, label: str) -> str:
    """One "Label: value" of the stats (``status`` is labelled Updated or Completed by its dt)."""
    dd = next((e for e in stats.iter("dd") if name in _classes(e)), None)
    if dd is None:
        return ""
    if not label:
        dt = next((e for e in stats.iter("dt") if name in _classes(e)), None)
        label = _text(dt).rstrip(":") if dt is not None else "Updated"
    return f"{label}: {_text(dd)}"


def _chapters(work: etree._Element) -> etree._Element:
    chapters = etree.Element("div", {"id": "chapters", "class": "userstuff"})
    source = _by_id(work, "chapters")
    if source is None:
        return chapters
    divs = [child for child in source if child.tag == "div" and "chapter" in _classes(child)]
    if not divs:  # a one-chapter work: the text directly
        text = next((child for child in source if "userstuff" in _classes(child)), None)
        if text is not None:
            chapters.append(_text_div(text))
        return chapters
    for number, chapter in enumerate(divs, start=1):
        prefaces = [child for child in chapter if {"chapter", "preface"} <= _classes(child)]
        heading_element = _first(chapter, "h3", "title")
        group = etree.SubElement(chapters, "div", {"class": "meta group"})
        etree.SubElement(group, "h2", {"class": "heading"}).text = _text(heading_element)
        first = prefaces[0] if prefaces else None
        _labelled(group, "Chapter Summary", _module(first, "summary"))
        _labelled(group, "Chapter Notes", _module(first, "notes"))
        text = next((child for child in chapter if "userstuff" in _classes(child)), None)
        if text is not None:
            chapters.append(_text_div(text))
        end = next((module for preface in prefaces
                    for module in preface.iter("div") if {"end", "notes"} <= _classes(module)),
                   None)
        if end is not None:
            notes = etree.SubElement(chapters, "div", {"class": "meta", "id": f"endnotes{number}"})
            _labelled(notes, "Chapter End Notes", end)
    return chapters


def _text_div(text: etree._Element) -> etree._Element:
    """The chapter text without its hidden "Chapter Text" landmark heading."""
    for landmark in [h for h in text.iter("h3") if "landmark" in _classes(h)]:
        remove_keeping_tail(landmark)
    text.set("class", "userstuff")
    return text


def _module(scope: etree._Element | None, kind: str) -> etree._Element | None:
    """The summary or notes module of a preface (never the end notes)."""
    if scope is None:
        return None
    return next((div for div in scope.iter("div") if kind in _classes(div)
                 and "module" in _classes(div) and "end" not in _classes(div)), None)


def _labelled(scope: etree._Element, label: str, module: etree._Element | None) -> None:
    """``<p>Label</p><blockquote class="userstuff">`` from a module's blockquote."""
    quote = next(module.iter("blockquote"), None) if module is not None else None
    if quote is None:
        return
    etree.SubElement(scope, "p").text = label
    quote.set("class", "userstuff")
    scope.append(quote)


def _work_url(root: etree._Element) -> str:
    """The work's address, from the canonical link or the first link to the work."""
    for element in root.iter("link", "a"):
        href = element.get("href", "")
        match = _WORK_ID.search(href)
        if match and (element.tag == "a" or element.get("rel") == "canonical"):
            return f"{SITE}/works/{match.group(1)}"
    return ""


# --------------------------------------------------------------------------- tree helpers


def _text(element: etree._Element | None) -> str:
    if element is None:
        return ""
    return _SPACES.sub(" ", "".join(element.itertext())).strip()


def _classes(element: etree._Element) -> set[str]:
    return set(element.get("class", "").split())


def _first(scope: etree._Element, tag: str, class_name: str) -> etree._Element | None:
    return next((e for e in scope.iter(tag) if class_name in _classes(e)), None)


def _by_id(root: etree._Element, element_id: str) -> etree._Element | None:
    return next((e for e in root.iter() if e.get("id") == element_id), None)

"""AO3's EPUB, AZW3 and MOBI downloads turned back into the HTML download they were made from.

AO3 makes its ebooks by running calibre's ``ebook-convert`` on its HTML download (see
``ao3.py``). calibre keeps the download's ids (``preface``, ``chapters``, ``endnotesN``,
``endnotes``, ``afterword``) and its text, but renames every class to ``calibreN`` (``dl.tags``,
``div.meta.group``, ``div.byline``, ``div.userstuff`` are gone), splits the document into pages at
the chapter headings and at size limits (each page repeating the wrappers it was cut from), and,
for MOBI, flattens everything into paragraphs between ``<mbp:pagebreak>`` marks, the tag list
becoming bold ``Label:`` paragraphs and every quoted paragraph a blockquote of its own.

Both functions here rebuild the download's structure from what survives (ids, AO3's fixed labels
"Summary", "Chapter Notes", "Chapter End Notes"..., the order AO3 writes things in), so that
``ao3.book_from_document`` reads an ebook exactly as it reads the HTML download: the same
metadata, chapters, notes, and none of AO3's boilerplate in the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import tinycss2
from lxml import etree

from bookmaker.readers.html.blocks import remove_keeping_tail

# Every label AO3's tag list has used (singular or plural), without the colon.
TAG_LABELS = frozenset({
    "rating", "ratings", "archive warning", "archive warnings", "category", "categories",
    "fandom", "fandoms", "relationship", "relationships", "character", "characters",
    "additional tag", "additional tags", "language", "series", "collection", "collections",
    "stats"})
_SECTION_IDS = ("preface", "chapters", "afterword")
_POSTED = "Posted originally on the"
_CHAPTER_HEADING = re.compile(r"Chapter\s+\d+\b", re.IGNORECASE)
_WORK_LABELS = ("summary", "notes")
_CHAPTER_LABELS = ("chapter summary", "chapter notes", "summary", "notes")
_SPACES = re.compile(r"\s+")


def looks_like_download(text: str) -> bool:
    """Whether a document's text carries AO3's download preface (for EPUB and MOBI sniffing)."""
    return _POSTED in text and "Archive of Our Own" in text


# --------------------------------------------------------------------------- EPUB and AZW3


def restore_epub_download(body: etree._Element) -> None:
    """Rebuild, in place, the HTML download inside ``body``: the bodies of all the pages of
    calibre's EPUB (or an AZW3's), concatenated in spine order."""
    _merge_split_sections(body)
    for section in _sections(body):
        _drop_empty_divs(section)
    preface = _by_id(body, "preface")
    if preface is not None:
        _restore_preface(preface)
    else:  # before 2019 the preface's parts sit loose in the body
        _restore_preface(body)
    chapters = _by_id(body, "chapters")
    if chapters is not None:
        _restore_chapters(chapters)
    afterword = _by_id(body, "afterword")
    if afterword is not None:
        _merge_anonymous_divs(afterword)
        for child in afterword:
            if child.tag == "div" and not child.get("id"):
                _add_class(child, "meta")


def restore_image_sizes(body: etree._Element,
                        size_of: Callable[[str], tuple[int, int] | None]) -> None:
    """calibre moves an image's ``width``/``height`` into its stylesheet; put the image's own
    size back (``size_of(src)``), so a thin divider image is still told from an illustration."""
    for image in body.iter("img"):
        if image.get("height") is None and image.get("src"):
            size = size_of(image.get("src", ""))
            if size is not None:
                image.set("width", str(size[0]))
                image.set("height", str(size[1]))


def restore_alignment(body: etree._Element, stylesheet: str) -> None:
    """calibre moves ``align="center"`` and ``text-align`` into classes of its stylesheet; put
    the alignment back on the elements, so a centred ``xxx`` or divider is still a scene break
    and a centred signature stays centred."""
    aligned: dict[str, str] = {}
    for rule in tinycss2.parse_stylesheet(stylesheet, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule":
            continue
        selector = tinycss2.serialize(rule.prelude).strip()
        if not re.fullmatch(r"\.[\w-]+", selector):
            continue
        for declaration in tinycss2.parse_declaration_list(rule.content, skip_comments=True,
                                                           skip_whitespace=True):
            if declaration.type == "declaration" and declaration.lower_name == "text-align":
                value = tinycss2.serialize(declaration.value).strip().lower()
                if value in ("center", "right"):
                    aligned[selector[1:]] = value
    if not aligned:
        return
    for element in body.iter():
        if not isinstance(element.tag, str) or element.get("align"):
            continue
        value = next((aligned[name] for name in element.get("class", "").split()
                      if name in aligned), None)
        if value:
            element.set("align", value)


def _merge_split_sections(body: etree._Element) -> None:
    """Each page repeats ``div#preface``, ``div#chapters`` and ``div#afterword`` around its share
    of them: move every repeat's children into the first and drop the repeat."""
    for section_id in _SECTION_IDS:
        copies = [child for child in body if child.get("id") == section_id]
        for copy in copies[1:]:
            copies[0].extend(list(copy))
            body.remove(copy)


def _sections(body: etree._Element) -> list[etree._Element]:
    found = [_by_id(body, section_id) for section_id in _SECTION_IDS]
    return [section for section in found if section is not None] or [body]


def _drop_empty_divs(scope: etree._Element) -> None:
    """calibre's page-break markers (``div#calibre_pb_N``) and the wrappers a split left empty."""
    for div in reversed([element for element in scope.iter("div") if element is not scope]):
        if not _text(div) and next(div.iter("img"), None) is None and div.getparent() is not None:
            remove_keeping_tail(div)


def _restore_preface(scope: etree._Element) -> None:
    """The preface's classes back: ``p.message``, ``div.meta`` (one, joined from its split
    copies), ``dl.tags``, ``div.byline``, ``div.endnote-link``."""
    _merge_anonymous_divs(scope)
    for paragraph in scope.iter("p"):
        if _POSTED in _text(paragraph):
            _add_class(paragraph, "message")
            break
    tags = next((dl for dl in scope.iter("dl") if _is_tag_list(dl)), None)
    if tags is None:
        return
    _add_class(tags, "tags")
    meta = tags.getparent()
    if meta is not None and meta is not scope:
        _add_class(meta, "meta")
    for div in scope.iter("div"):
        text = _text(div)
        if text.startswith("by ") and any(a.get("rel") == "author" for a in div.iter("a")):
            _add_class(div, "byline")
        elif text.startswith("See the end of the work for"):
            _add_class(div, "endnote-link")


def _restore_chapters(chapters: etree._Element) -> None:
    """``div.meta.group`` (a div holding the chapter's ``<h2>``), the text as one
    ``div.userstuff`` (joined when a size split cut it in two), ``div#endnotesN`` kept."""
    if any(child.tag == "div" and child.find("h2") is not None for child in chapters):
        for child in list(chapters):
            if child.tag == "div" and child.find("h2") is not None:
                _add_class(child, "meta group")
                heading = child.find("h2")
                _add_class(heading, "heading")
                for paragraph in child.iter("p"):
                    if _text(paragraph).startswith("Chapter by "):
                        _add_class(paragraph, "byline")
    _join_text_divs(chapters)


def _join_text_divs(chapters: etree._Element) -> None:
    """Every run of anonymous divs between the markers (group, end notes) is the text of one
    chapter: joined into the first, which is marked ``userstuff``."""
    current: etree._Element | None = None
    for child in list(chapters):
        is_text = child.tag == "div" and not child.get("id") and \
            "group" not in child.get("class", "").split()
        if not is_text:
            current = None
            continue
        if current is None:
            current = child
            child.set("class", "userstuff")
        else:
            current.extend(list(child))
            chapters.remove(child)


def _merge_anonymous_divs(section: etree._Element) -> None:
    """The divs directly in a section with no id are one div cut by page splits: join them (in a
    body, only those before the chapters: the loose preface of a download before 2019)."""
    first: etree._Element | None = None
    for child in list(section):
        if child.get("id") in _SECTION_IDS:
            break
        if child.tag != "div" or child.get("id"):
            continue
        if first is None:
            first = child
        else:
            first.extend(list(child))
            section.remove(child)


def _is_tag_list(dl: etree._Element) -> bool:
    labels = [_label(dt) for dt in dl if dt.tag == "dt"]
    return bool(labels) and sum(label in TAG_LABELS for label in labels) >= max(1, len(labels) // 2)


# --------------------------------------------------------------------------- MOBI


def rebuild_mobi_download(body: etree._Element) -> etree._Element:
    """The HTML download, as a new ``<html>`` tree, from the flat body of AO3's MOBI (KindleGen
    markup: paragraphs and blockquotes in a row; no ids, no divs, no tag list; the page breaks do
    not survive an HTML parser, so the parts are found by AO3's own wording).

    What cannot come back is said here: a chapter text that opens with a quotation right after the
    chapter notes is read as part of those notes, since MOBI keeps nothing that tells them apart.
    """
    _anchor_ids_to_targets(body)
    parts = [element for element in body if isinstance(element.tag, str)
             and element.tag not in ("guide", "a") and not element.tag.endswith("pagebreak")]
    html = etree.Element("html")
    new_body = etree.SubElement(html, "body")
    preface = etree.SubElement(new_body, "div", id="preface")
    meta = etree.Element("div", {"class": "meta"})
    chapters = etree.SubElement(new_body, "div", {"id": "chapters", "class": "userstuff"})
    afterword = etree.SubElement(new_body, "div", id="afterword")
    start = _rebuild_preface(parts, preface, meta)
    preface.append(meta)
    end = _afterword_start(parts, start)
    _rebuild_afterword(parts[end:], afterword)
    story = parts[start:end]
    headings = [index for index, element in enumerate(story) if _is_chapter_heading(element)]
    if not headings:
        _append_text(chapters, story)
    for number, index in enumerate(headings):
        following = headings[number + 1] if number + 1 < len(headings) else len(story)
        _rebuild_chapter(story[index:following], chapters)
    return html


def _anchor_ids_to_targets(body: etree._Element) -> None:
    """MOBI marks link targets with empty anchors (``<a id="filepos123">``) before the element
    meant: the id moves onto that element, so a footnote's link finds its note."""
    for anchor in list(body.iter("a")):
        target = anchor.getnext()
        if anchor.get("id") and not _text(anchor) and not anchor.get("href") and \
                target is not None and not target.get("id") and not (anchor.tail or "").strip():
            target.set("id", anchor.get("id", ""))


def _afterword_start(parts: list[etree._Element], start: int) -> int:
    """Where the afterword begins: the last "End Notes" label, else AO3's request to comment."""
    texts = [_text(part) for part in parts]
    for index in range(len(parts) - 1, start - 1, -1):
        if texts[index] == "End Notes":
            return index
    for index in range(len(parts) - 1, max(start, len(parts) - 3) - 1, -1):
        if "drop by the Archive" in texts[index]:
            return index
    return len(parts)


def _rebuild_preface(parts: list[etree._Element], preface: etree._Element,
                     meta: etree._Element) -> int:
    """The preface rebuilt from the first of ``parts``; returns where the story starts."""
    tags = etree.SubElement(meta, "dl", {"class": "tags"})
    index = 0
    while index < len(parts):
        element = parts[index]
        text = _text(element)
        label = text.rstrip(":").strip().lower()
        if _is_chapter_heading(element) and meta.find("h1") is not None:
            break
        if _POSTED in text:
            element.set("class", "message")
            preface.append(element)
        elif text.endswith(":") and label in TAG_LABELS and index + 1 < len(parts) \
                and meta.find("h1") is None:
            dt = etree.SubElement(tags, "dt")
            dt.text = text
            tags.append(_retag(parts[index + 1], "dd"))
            index += 1
        elif label in _WORK_LABELS and meta.find("h1") is not None:
            index = _label_and_quote(parts, index, meta)
            continue
        elif text.startswith("by ") and meta.find("div") is None:
            byline = _retag(element, "div")
            byline.set("class", "byline")
            for link in byline.iter("a"):
                link.set("rel", "author")
            meta.append(byline)
        elif text.startswith("See the end of the work for"):
            pass  # a link to the end notes, which the book places itself
        elif element.tag == "ul" and meta.find("div") is not None:
            meta.append(element)
        elif not text and next(element.iter("img"), None) is None:
            pass  # calibre's spacing
        elif meta.find("h1") is None and len(tags):
            heading = etree.SubElement(meta, "h1")
            heading.text = text
        else:
            break
        index += 1
    return index


def _label_and_quote(parts: list[etree._Element], index: int, scope: etree._Element) -> int:
    """A label paragraph and the blockquotes after it (one per quoted paragraph in MOBI) as the
    download's ``<p>Label</p><blockquote class="userstuff">``; returns the index after them."""
    label = etree.SubElement(scope, "p")
    label.text = _text(parts[index])
    quote = etree.SubElement(scope, "blockquote", {"class": "userstuff"})
    index += 1
    while index < len(parts) and parts[index].tag == "blockquote":
        paragraph = _retag(_innermost(parts[index]), "p")
        quote.append(paragraph)
        index += 1
    if not len(quote):
        scope.remove(quote)
    return index


def _rebuild_chapter(section: list[etree._Element], chapters: etree._Element) -> None:
    group = etree.SubElement(chapters, "div", {"class": "meta group"})
    heading = etree.SubElement(group, "h2", {"class": "heading"})
    heading.text = _text(section[0])
    index = 1
    while index < len(section):
        text = _text(section[index])
        if text.startswith("Chapter by "):
            byline = _retag(section[index], "p")
            byline.set("class", "byline")
            group.append(byline)
        elif text.lower() in _CHAPTER_LABELS:
            index = _label_and_quote(section, index, group)
            continue
        elif text.startswith("See the end of the chapter for"):
            pass
        else:
            break
        index += 1
    rest = section[index:]
    end = next((position for position, element in enumerate(rest)
                if _text(element) in ("Chapter End Notes", "End Notes")
                and all(e.tag == "blockquote" or not _text(e) for e in rest[position + 1:])),
               len(rest))
    text_div = etree.SubElement(chapters, "div", {"class": "userstuff"})
    text_div.extend(rest[:end])
    if end < len(rest):
        notes = etree.SubElement(chapters, "div", {"class": "meta",
                                                   "id": f"endnotes{len(chapters)}"})
        _label_and_quote(rest, end, notes)


def _append_text(chapters: etree._Element, section: list[etree._Element]) -> None:
    texts = [child for child in chapters if child.get("class") == "userstuff"]
    target = texts[-1] if texts else etree.SubElement(chapters, "div", {"class": "userstuff"})
    target.extend(section)


def _rebuild_afterword(section: list[etree._Element], afterword: etree._Element) -> None:
    meta = etree.SubElement(afterword, "div", {"class": "meta"})
    index = 0
    while index < len(section):
        text = _text(section[index])
        if text == "End Notes":
            endnotes = etree.SubElement(meta, "div", id="endnotes")
            index = _label_and_quote(section, index, endnotes)
            continue
        if text.rstrip(":") == "Works inspired by this one" and index + 1 < len(section):
            listing = etree.SubElement(meta, "dl")
            etree.SubElement(listing, "dt").text = text
            listing.append(_retag(_innermost(section[index + 1]), "dd"))
            index += 1
        index += 1


def _is_chapter_heading(element: etree._Element) -> bool:
    """A MOBI chapter heading: a centred bold paragraph saying "Chapter N..." (AO3's own)."""
    text = _text(element)
    return bool(_CHAPTER_HEADING.match(text)) and element.find(".//b") is not None and \
        len(text) < 300


# --------------------------------------------------------------------------- tree helpers


def _innermost(element: etree._Element) -> etree._Element:
    """KindleGen indents with nested blockquotes: the one holding the content."""
    while len(element) == 1 and element[0].tag == "blockquote" and not (element.text or "").strip():
        element = element[0]
    return element


def _retag(element: etree._Element, tag: str) -> etree._Element:
    element.tag = tag
    for attribute in ("height", "width", "align"):
        element.attrib.pop(attribute, None)
    return element


def _text(element: etree._Element | None) -> str:
    if element is None:
        return ""
    return _SPACES.sub(" ", "".join(element.itertext())).strip()


def _label(element: etree._Element) -> str:
    return _text(element).rstrip(":").strip().lower()


def _add_class(element: etree._Element, name: str) -> None:
    classes = element.get("class", "").split()
    element.set("class", " ".join(dict.fromkeys([*classes, *name.split()])))


def _by_id(root: etree._Element, element_id: str) -> etree._Element | None:
    return next((element for element in root.iter() if element.get("id") == element_id), None)

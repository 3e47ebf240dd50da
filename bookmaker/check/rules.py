"""The rules e-readers enforce beyond the EPUB specification, in one place, each with its source.

EPUBCheck 0/0 is necessary, not sufficient: Send to Kindle, Kobo's sideloading engine and Apple
Books refuse or mangle books for reasons EPUBCheck never reports, and they say nothing about which
rule a file broke. Every rule here names the devices it matters to, what goes wrong there, what
to do, and where the rule comes from. The EPUB writer follows all of them (tests/test_check_epub.py
lints bookmaker's own books with them); ``bookmaker check BOOK.epub`` lints anyone's book.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDLE, KOBO, APPLE = "kindle", "kobo", "apple"
DEVICES = (KINDLE, KOBO, APPLE)
TARGETS = (*DEVICES, "all")

# The sources, cited by the rules below.
_KPG = "Amazon Kindle Publishing Guidelines (kdp.amazon.com, 'Kindle Publishing Guidelines')"
_SEND_TO_KINDLE = ("Amazon, 'Learn About Send to Kindle' (e-mailed EPUBs are converted and "
                   "refused with error E999 on these; the rules collected by the kindle-epub-fix "
                   "project from Amazon's rejections)")
_KOBO_RMSDK = ("Kobo Writing Life EPUB guidelines and Adobe RMSDK (the engine Kobo uses for a "
               "sideloaded .epub): a stylesheet with one unsupported value is dropped whole")
_APPLE = "Apple Books Asset Guide (itunespartner.apple.com), 'EPUB requirements'"
_EPUB_A11Y = "EPUB Accessibility 1.1 and WCAG 2.1 (W3C); Ace by DAISY reports these"
_OCF = "EPUB 3.3 Open Container Format (W3C), section 4.3: the mimetype file"


@dataclass(frozen=True)
class Rule:
    id: str
    devices: tuple[str, ...]
    level: str  # "error": the device refuses or breaks the book; "warning": it reads worse
    breaks: str  # what goes wrong on the device
    fix: str  # what to do
    source: str


RULES: dict[str, Rule] = {rule.id: rule for rule in (
    Rule("container-mimetype", DEVICES, "error",
         "the file is not recognised as an EPUB (Apple Books and Kindle refuse it)",
         "the first zip entry must be 'mimetype', stored uncompressed, holding "
         "application/epub+zip", _OCF),
    Rule("package-missing", DEVICES, "error",
         "no package document (content.opf) is found: no reading system can open the book",
         "META-INF/container.xml must name the package document in a <rootfile full-path>",
         _OCF),
    Rule("xml-well-formed", DEVICES, "error",
         "the document cannot be parsed: Kindle refuses the book, Kobo and Apple show an error "
         "page", "fix the markup (every tag closed, & written &amp;)", _SEND_TO_KINDLE),
    Rule("missing-resource", DEVICES, "error",
         "a file the package lists is not in the book: Send to Kindle refuses it",
         "add the file or remove it from the manifest", _SEND_TO_KINDLE),
    Rule("language-missing", DEVICES, "error",
         "no valid dc:language: Send to Kindle refuses the book (E999); other readers pick the "
         "wrong hyphenation and voice",
         "give the package a dc:language with a BCP 47 tag such as 'en'", _SEND_TO_KINDLE),
    Rule("document-language", DEVICES, "warning",
         "a document without lang/xml:lang: screen readers read it with the wrong voice",
         "set lang and xml:lang on the <html> element", _EPUB_A11Y),
    Rule("xml-declaration-encoding", (KINDLE,), "error",
         "an XML declaration naming an encoding other than UTF-8: Send to Kindle refuses the "
         "book", "save the document as UTF-8 and declare encoding=\"utf-8\"", _SEND_TO_KINDLE),
    Rule("not-utf8", DEVICES, "error",
         "the document is not UTF-8: letters come out garbled or the book is refused",
         "save the document as UTF-8", _SEND_TO_KINDLE),
    Rule("self-closed-element", (KINDLE,), "error",
         "a self-closed element that is not void (<i/>, <span/>, <a/>): Kindle's converter reads "
         "it as an opening tag, and the rest of the book turns italic or becomes one link",
         "write the element with an end tag (<span></span>) or remove it", _KPG),
    Rule("body-id-link", (KINDLE,), "error",
         "a link to the id of a <body> element: Send to Kindle refuses the book",
         "link to the file itself (drop the #fragment) or to an element inside the body",
         _SEND_TO_KINDLE),
    Rule("img-without-src", (KINDLE, KOBO, APPLE), "error",
         "an <img> without a src: Send to Kindle refuses the book",
         "give the image a src or remove the element", _SEND_TO_KINDLE),
    Rule("img-without-alt", DEVICES, "warning",
         "an image without alt text: screen readers announce a file name or nothing",
         "describe the image in alt (alt=\"\" for a purely decorative one)", _EPUB_A11Y),
    Rule("hidden-text", (KINDLE,), "warning",
         "more than 10,000 characters of hidden text: Kindle treats the book as spam or "
         "shows it anyway", "remove hidden text (display:none, the hidden attribute)", _KPG),
    Rule("css-unparsable", (KINDLE, KOBO), "warning",
         "CSS the parser cannot read: Kindle's converter and Adobe's engine drop the rule or the "
         "whole sheet", "fix the CSS syntax", _KPG),
    Rule("css-calc", (KOBO,), "error",
         "calc() in a stylesheet: Kobo's engine for sideloaded EPUBs drops the whole stylesheet",
         "use a fixed or percentage value instead of calc()", _KOBO_RMSDK),
    Rule("css-var", (KOBO,), "error",
         "var() custom properties: Kobo's engine for sideloaded EPUBs drops the whole stylesheet",
         "write the values out instead of using custom properties", _KOBO_RMSDK),
    Rule("css-flex", (KOBO, KINDLE), "error",
         "display: flex or grid: Kobo's engine drops the stylesheet; older Kindles ignore it and "
         "stack everything", "lay the page out with blocks, margins and text-align",
         _KOBO_RMSDK),
    Rule("document-size", (KOBO, KINDLE), "warning",
         "a content document over 300 KB: older Kobo and Adobe readers refuse to open it, others "
         "turn pages slowly", "split the document (one chapter per file)", _KOBO_RMSDK),
    Rule("book-size", (KINDLE,), "warning",
         "a book over 50 MB: Send to Kindle by e-mail refuses it",
         "make the images smaller (JPEG, at most 2,000 pixels high)", _SEND_TO_KINDLE),
    Rule("image-size", (KINDLE, KOBO), "warning",
         "an image over 5 MB: Kindle rejects or downscales it, Kobo pages slowly",
         "save the image smaller (JPEG, at most 2,000 pixels high)", _KPG),
    Rule("cover-missing", (KINDLE, APPLE, KOBO), "warning",
         "no cover image declared: the library shows a blank or generated tile",
         "declare the cover image (manifest property cover-image, and <meta name=\"cover\">)",
         _APPLE),
    Rule("nav-missing", (APPLE,), "warning",
         "no EPUB 3 navigation document: Apple Books shows no table of contents",
         "add a nav document (bookmaker import + build writes one)", _APPLE),
)}


def rules_for(target: str) -> list[Rule]:
    """The rules a target device enforces ("all": every rule)."""
    return [rule for rule in RULES.values() if target == "all" or target in rule.devices]

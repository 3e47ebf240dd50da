"""parse_xml: XML from strangers never expands entities, loads DTDs or reaches the network."""

from __future__ import annotations

import pytest
from lxml import etree

from bookmaker.errors import ManuscriptError
from bookmaker.safety.xml import parse_xml

XHTML_DOCTYPE = (b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" '
                 b'"http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">')


def test_html_named_entities_become_their_characters():
    root = parse_xml(XHTML_DOCTYPE + b'<html xmlns="http://www.w3.org/1999/xhtml"><body>'
                     b'<p>a&nbsp;b<i>c</i>&eacute;&unknown;d</p></body></html>')
    assert "".join(root.itertext()) == "a\u00a0bc\u00e9d"


def test_each_entity_lands_in_the_text_or_tail_it_stood_in():
    """The characters are joined into the text before them once per element (appending one at
    a time copied the text each time: quadratic), each in its place around the elements."""
    root = parse_xml(XHTML_DOCTYPE + b'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>'
                     b'&nbsp;a&hellip;<i>c&eacute;</i>&eacute;&unknown;d<b/>&amp;&mdash;</p>'
                     b'<p>&copy;</p><p>&bogus;</p></body></html>')
    first, second, third = root.iter("{http://www.w3.org/1999/xhtml}p")
    italic, bold = first
    assert (first.text, italic.text, italic.tail, bold.tail) == (
        "\u00a0a\u2026", "c\u00e9", "\u00e9d", "&\u2014")
    assert second.text == "\u00a9" and len(second) == 0
    assert third.text is None and len(third) == 0
    assert not list(root.iter(etree.Entity))


@pytest.mark.parametrize("document", [
    b'<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b'<foo>&xxe;</foo>',
    b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>',
    b'<!DOCTYPE x [<!ELEMENT x ANY>]><x/>',
], ids=["external-entity", "billion-laughs", "element-declaration"])
def test_documents_declaring_entities_are_refused(document):
    with pytest.raises(ManuscriptError) as error:
        parse_xml(document, "book.epub", "OEBPS/content.opf")
    assert str(error.value).startswith("book.epub: refused XML in OEBPS/content.opf")


def test_broken_xml_names_file_part_and_line():
    with pytest.raises(ManuscriptError) as error:
        parse_xml(b"<a>\n<b></a>", "book.epub", "OEBPS/ch1.xhtml")
    assert error.value.line == 2
    assert "broken XML in OEBPS/ch1.xhtml" in str(error.value)


def test_comments_and_processing_instructions_are_dropped():
    root = parse_xml(b"<a><!-- x --><?php evil() ?>text</a>")
    assert etree.tostring(root) == b"<a>text</a>"

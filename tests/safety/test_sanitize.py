"""The one sanitising step of the HTML road (bookmaker/safety/sanitize.py): what a stranger's tree
keeps, what goes, and what it says it left out."""

from __future__ import annotations

import pytest
from lxml import etree

from bookmaker.readers.html.parse import parse_fragment, parse_html, parse_xhtml
from bookmaker.safety.sanitize import EPUB_TYPE, LeftOut, sanitize_tree


def html_of(root: etree._Element) -> str:
    return etree.tostring(root, encoding="unicode")


def test_code_styles_frames_and_forms_go_with_their_content_and_are_reported() -> None:
    fragment = parse_fragment("<p>a<script>steal()</script>b</p>\n"
                              "<style>p { color: red }</style>\n"
                              "<iframe src='https://evil.example/'>framed</iframe>\n"
                              "<form><input name='password'><button>Go</button></form>"
                              "<p>c<object data='x.swf'>o</object><svg><text>s</text></svg></p>",
                              first_line=10)
    assert html_of(fragment.root) == "<div><p>ab</p>\n\n\n<p>c</p></div>"
    assert [(left.tag, left.line) for left in fragment.left_out] == [
        ("script", 10), ("style", 11), ("iframe", 12), ("form", 13), ("object", 13),
        ("svg", 13)]
    # the words each held, so that what a reader leaves out is said (code holds none)
    assert [left.text.split() for left in fragment.left_out] == [
        [], [], ["framed"], ["Go"], ["o"], ["s"]]
    assert all(isinstance(left, LeftOut) for left in fragment.left_out)


def test_unknown_elements_are_unwrapped_and_the_text_keeps_its_order() -> None:
    root = parse_fragment("<p>a<blink>b<marquee>c</marquee>d</blink>e<!-- note -->f</p>").root
    assert html_of(root) == "<div><p>abcdef</p></div>"


@pytest.mark.parametrize("address", [
    "javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:alert(1)", "file:///etc/passwd",
    "data:text/html,<script>x</script>", "vbscript:x", "ftp://example.org/x",
])
def test_links_and_images_keep_no_address_that_runs_or_reads(address: str) -> None:
    root = parse_fragment(f'<a href="{address}">t</a><img src="{address}" alt="i">').root
    assert root[0].get("href") is None and root[1].get("src") is None
    assert root[1].get("alt") == "i"


@pytest.mark.parametrize("address", [
    "https://archiveofourown.org/works/1", "mailto:a@example.org", "images/map.png",
    "#fn1", "embedded:OEBPS/images/map.png", "../up.png",
])
def test_relative_and_web_addresses_stay_for_the_converter_to_judge(address: str) -> None:
    root = parse_fragment(f'<a href="{address}">t</a>').root
    assert root[0].get("href") == address


def test_event_handlers_go_and_a_style_leaves_only_alignment_and_hiding() -> None:
    root = parse_fragment('<p onclick="x()" style="color: red; text-align: Center" class="a" '
                          'data-x="1">t</p><p style="display:none">hidden</p>'
                          '<p style="x-text-align: right" align="left">l</p>').root
    assert dict(root[0].attrib) == {"class": "a", "align": "center"}
    assert dict(root[1].attrib) == {"hidden": "hidden"}
    assert dict(root[2].attrib) == {"align": "left"}


def test_an_xhtml_page_gets_plain_names_and_keeps_epub_type_and_language() -> None:
    page = parse_xhtml(b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml" '
                       b'xmlns:epub="http://www.idpf.org/2007/ops" xml:lang="fr">'
                       b'<head><title>T</title><style>p {}</style></head><body>'
                       b'<section epub:type="chapter"><p>a<a epub:type="noteref" href="#n">1</a>'
                       b'</p><math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math>'
                       b'<epub:switch><epub:case required-namespace="urn:x"><p>FAIL</p>'
                       b'</epub:case><epub:default><p>PASS</p></epub:default></epub:switch>'
                       b'</section></body></html>', "book.epub", "chapter.xhtml")
    assert page.root.tag == "html" and page.root.get("lang") == "fr"
    assert page.title == "T" and page.styles == (("p {}", 1),)
    section = page.body[0]
    assert section.tag == "section" and section.get(EPUB_TYPE) == "chapter"
    assert [element.tag for element in section.iter()] == ["section", "p", "a", "p"]
    assert "".join(section.itertext()) == "a1PASS"
    assert section[0][0].get(EPUB_TYPE) == "noteref"


def test_the_head_is_read_then_removed() -> None:
    document = parse_html("<html><head><title>A &amp; B</title>"
                          "<meta property='og:title' content='Post'>"
                          "<meta name='author' content='nightjar'>"
                          "<link rel='canonical' href='https://archiveofourown.org/works/7'>"
                          "<style>#workskin .a { color: red }</style></head>"
                          "<body><p>text</p></body></html>")
    assert document.title == "A & B" and document.meta("og:title") == "Post"
    assert document.meta("author") == "nightjar"
    assert document.links == (("canonical", "https://archiveofourown.org/works/7"),)
    assert document.styles == (("#workskin .a { color: red }", 1),)
    assert [element.tag for element in document.root] == ["body"]


def test_a_tree_nested_deeper_than_python_recurses_is_cleaned() -> None:
    root = etree.Element("div")
    node = root
    for depth in range(5_000):
        node = etree.SubElement(node, "blink" if depth % 2 else "span", onclick="x()")
    node.text = "deep"
    sanitize_tree(root)
    assert "".join(root.itertext()) == "deep"
    assert all(element.tag == "span" and not element.attrib for element in root.iter()
               if element is not root)

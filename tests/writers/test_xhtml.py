"""The renderers that turn model nodes into XHTML (the EPUB's, the print HTML's, the kepub's):
each keeps one renderer per node type, and that dispatch must know every node type of the
model."""

from __future__ import annotations

import pytest
from lxml import etree

from bookmaker.model import (BLOCK_TYPES, INLINE_TYPES, Footnote, FootnoteRef, Paragraph, Text,
                             query)
from bookmaker.writers.epub.kepub import KoboRenderer
from bookmaker.writers.pdf.print_html import PrintRenderer
from bookmaker.writers.xhtml import XhtmlRenderer
from samples import sample

RENDERERS = [XhtmlRenderer, PrintRenderer, KoboRenderer]


@pytest.mark.parametrize("renderer", RENDERERS, ids=lambda kind: kind.__name__)
def test_the_dispatch_has_a_renderer_for_every_node_type_of_the_model(renderer):
    made = renderer({}, lambda image: "picture.png")
    # Footnote definitions are rendered apart (footnotes_section, or at their call in print).
    assert set(BLOCK_TYPES) - {Footnote} <= set(made._block_renderers)
    assert set(INLINE_TYPES) <= set(made._inline_renderers)


@pytest.mark.parametrize("renderer", RENDERERS, ids=lambda kind: kind.__name__)
@pytest.mark.parametrize("kind", [*BLOCK_TYPES, *INLINE_TYPES], ids=lambda kind: kind.__name__)
def test_every_node_type_renders_as_well_formed_markup_keeping_its_words(renderer, kind):
    node = sample(kind)
    note = Footnote("n", (Paragraph((Text("note words"),)),))
    made = renderer({"n": note}, lambda image: "picture.png")
    markup = made.blocks([node]) if kind in BLOCK_TYPES else made.inlines([node])
    markup = made.finish_page(markup + made.footnotes_section())
    root = etree.fromstring(f'<div xmlns:epub="http://www.idpf.org/2007/ops">{markup}</div>')
    text = "".join(root.itertext())
    # A definition is rendered where its reference calls it (or in the footnotes section).
    expected = [] if kind is Footnote else [t.text for t in query(node, Text)]
    if kind is FootnoteRef:
        expected = ["note words"]
    assert all(words in text for words in expected), markup


def test_kobo_spans_are_numbered_per_block_of_text_in_page_order():
    """Span ids come from the page's order alone: a template's words and the model's blocks
    share one count, a sentence is a span, and two Text nodes of one sentence make one span."""
    made = KoboRenderer({}, lambda image: "picture.png")
    body = made.blocks([Paragraph((Text("One. Two "), Text("halves."))),
                        Paragraph((Text("Three"),))])
    page = made.finish_page(f"<h1>{made.text('Title')}</h1>{body}")
    assert page == ('<h1><span class="koboSpan" id="kobo.1.1">Title</span></h1>'
                    '<p><span class="koboSpan" id="kobo.2.1">One. </span>'
                    '<span class="koboSpan" id="kobo.2.2">Two halves.</span></p>\n'
                    '<p><span class="koboSpan" id="kobo.3.1">Three</span></p>\n')


def test_the_plain_renderer_leaves_a_templates_words_as_the_template_escapes_them():
    made = XhtmlRenderer({}, lambda image: "")
    assert made.text("Genesis' \"wings\" & <you>") == \
        "Genesis&#39; &#34;wings&#34; &amp; &lt;you&gt;"
    assert made.finish_page("<p>x</p>") == "<p>x</p>"

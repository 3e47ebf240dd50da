"""The DOCX reader on Word files nobody here wrote (pandoc's DOCX test documents in the shared
corpus), each test a failure a user met: styles, drop caps, tables, odd packages, dropped
objects."""

from __future__ import annotations

import pytest

from paths import CORPUS

from bookmaker import readers
from bookmaker.model import Emph, Paragraph, Strong, Table, Text, plain_text

DOCX = CORPUS / "docx"
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not DOCX.exists(), reason="the shared corpus is not here")]


def paragraphs(book):
    return [block for chapter in book.chapters for block in chapter.blocks
            if isinstance(block, Paragraph)]


def test_words_in_words_emphasis_style_are_italic_and_overrides_inside_it_are_kept():
    first, second, *_ = paragraphs(readers.read(DOCX / "pandoc-char_styles.docx"))
    assert first.children[0] == Emph((Text("This is all in an "),))
    assert Strong((Emph((Text("italic style"),)),)) in first.children
    # "style" and "words" had italics switched off inside the Emphasis style
    assert second.children[:3] == (Emph((Text("This is an italic "),)), Text("style"),
                                   Emph((Text(" with some "),)))
    assert Text("words") in second.children


def test_an_unbold_override_inside_strong_does_not_make_the_paragraph_bold():
    *_, third, fourth = paragraphs(readers.read(DOCX / "pandoc-char_styles.docx"))
    assert third.children == (Strong((Text("This is all in a "), Emph((Text("strong style"),)),
                                      Text("."))),)
    assert fourth.children[1] == Text("style")  # bold switched off: not inside a Strong
    assert not isinstance(fourth.children[-2], Strong) and fourth.children[-2] == Text("words")


def test_a_drop_cap_is_joined_to_its_word():
    texts = [plain_text((block,)).strip() for block in
             paragraphs(readers.read(DOCX / "pandoc-drop_cap.docx"))]
    assert texts == ["Drop cap.", "Next paragraph.", "Drop cap in margin.",
                     "Drop cap (not really)."]


def test_tables_are_kept_as_tables_with_their_cells():
    book = readers.read(DOCX / "pandoc-tables.docx")
    tables = [block for block in book.chapters[0].blocks if isinstance(block, Table)]
    assert len(tables) == 3
    first = tables[0]
    assert [plain_text(cell.blocks).strip() for cell in first.rows[1]] == [
        "Lebron James", "Basketball", "Very High", "Leaving Cleveland"]
    assert [plain_text(cell.blocks).strip() for cell in tables[2].rows[0][0:1]] == [
        "Simple\n\nMultiparagraph"]


def test_a_document_holding_only_a_table_is_read():
    book = readers.read(DOCX / "pandoc-table_one_row.docx")
    (table,) = book.chapters[0].blocks
    assert [plain_text(cell.blocks).strip() for cell in table.rows[0]] == ["One", "Row", "Table"]


def test_a_main_part_not_at_word_document_xml_is_found_through_the_package_relationships():
    book = readers.read(DOCX / "pandoc-alternate_document_path.docx")
    assert book.chapters[0].title == "Test"
    assert "bold italic underlined" in plain_text(book.chapters[0].blocks)


def test_smartart_is_reported_not_dropped_silently():
    warnings = [str(finding) for finding in readers.findings(DOCX / "pandoc-diagram.docx")]
    assert any("SmartArt diagram in paragraph 2" in warning for warning in warnings), warnings


def test_an_emf_image_is_reported_with_what_to_do():
    warnings = readers.findings(DOCX / "pandoc-image_vml_as_object.docx")
    emf = [finding for finding in warnings if "image/x-emf" in finding.message]
    assert len(emf) == 1 and "PNG or JPEG" in emf[0].hint
    assert emf[0].path and emf[0].path.endswith("pandoc-image_vml_as_object.docx")


def test_words_title_page_styles_are_the_works_metadata():
    """Word's Title, Author and Abstract paragraphs at the top (pandoc's reference document
    styles): the title is the work's (the file's name was used), the Author paragraphs its
    authors (core.xml's creator was used: whoever made the file), the abstract its summary."""
    book = readers.read(DOCX / "pandoc-metadata.docx")
    assert book.metadata.title == "This Is the Title"
    assert book.metadata.authors == ("Mary Ann Evans", "Aurore Dupin")
    assert plain_text(book.metadata.summary).startswith("This is a test of how this all works.")
    text = plain_text(book.chapters[0].blocks)
    assert "Mary Ann Evans" not in text and "And now this is normal text." in text


def test_author_paragraphs_after_the_story_has_begun_stay_text():
    """The document repeats its title page after a normal paragraph: the first is metadata,
    the repeat is text of the document (as pandoc reads it)."""
    book = readers.read(DOCX / "pandoc-metadata_after_normal.docx")
    assert book.metadata.authors == ("Mary Ann Evans", "Aurore Dupin")
    assert "Mary Ann Evans" in plain_text(tuple(b for c in book.chapters for b in c.blocks))

"""The DOCX reader on Word files nobody here wrote (pandoc's DOCX test documents in the shared
corpus), each test a failure a user met: styles, drop caps, tables, odd packages, dropped
objects."""

from __future__ import annotations

import zipfile

import pytest

from paths import CORPUS

from bookmaker import convert, readers
from bookmaker.model import (BlockQuote, Emph, Paragraph, Strong, Table, Text, Underline,
                             plain_text, query)

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


# --------------------------------------------------------------------------- quotations, underline


def test_block_quotes_by_style_and_by_indentation_as_pandoc_reads_them():
    """pandoc's suite: the Quote and Intense Quote styles, and a paragraph indented by hand
    (the way most writers set a quotation); a list paragraph indented more than its style."""
    book = readers.read(CORPUS / "docx" / "pandoc-block_quotes.docx")
    quotes = [plain_text(quote.blocks) for quote in query(book, BlockQuote)]
    assert len(quotes) == 3
    assert quotes[0].startswith("I don’t know why this would be in italics")
    assert quotes[1].strip() == "This is called the Intense Quote style."
    assert quotes[2].startswith("I just indented this, so it looks like a block quote.")
    text = plain_text(book.chapters[0].blocks)
    assert "And back to the normal style." in " ".join(text.split())
    relative = readers.read(CORPUS / "docx" / "pandoc-relative_indentation_blockquotes.docx")
    assert [plain_text(q.blocks).strip() for q in query(relative, BlockQuote)] == [
        "List paragraph with more indent"]
    for name in ("pandoc-lists.docx", "pandoc-dummy_item_after_paragraph.docx"):
        assert query(readers.read(CORPUS / "docx" / name), BlockQuote) == [], name


def test_underline_is_kept():
    book = readers.read(CORPUS / "docx" / "pandoc-inline_formatting.docx")
    # pandoc: Underline [Str "single",Space,Str "underlines",Space,Str "for",Emph [...]]
    assert "".join(plain_text(u.children) for u in query(book, Underline)) == \
        "single underlines for emphasis"
    assert query(tuple(query(book, Emph)), Underline)  # the emphasis in it is underlined too


def test_block_quotes_and_underline_survive_docx_to_epub_to_manuscript_to_epub(tmp_path):
    for name in ("pandoc-block_quotes.docx", "pandoc-inline_formatting.docx"):
        source = CORPUS / "docx" / name
        first = readers.read(source)
        wanted = (len(query(first, BlockQuote)), len(query(first, Underline)))
        assert wanted != (0, 0)
        [epub] = convert.build([source], ["epub"], tmp_path / "epub" / name)[0].outputs
        manuscript = convert.import_files([epub], tmp_path / "md" / name)[0].output
        assert manuscript is not None
        again = readers.read(manuscript)
        assert (len(query(again, BlockQuote)), len(query(again, Underline))) == wanted, name
        [last] = convert.build([manuscript], ["epub"], tmp_path / "again" / name)[0].outputs
        with zipfile.ZipFile(last) as book:
            pages = " ".join(book.read(entry).decode("utf-8") for entry in book.namelist()
                             if entry.endswith(".xhtml"))
        assert pages.count("<blockquote") == wanted[0], name
        assert pages.count('<span class="underline">') == wanted[1], name

"""A manuscript can make bookmaker read files in its own folder, and nothing else."""

import pytest

from bookmaker.safety.assets import resolve_asset
from bookmaker.errors import ManuscriptError

PNG = bytes.fromhex("89504e470d0a1a0a")


@pytest.fixture
def folder(tmp_path):
    book = tmp_path / "book"
    (book / "img").mkdir(parents=True)
    (book / "img" / "map.png").write_bytes(PNG)
    (tmp_path / "secret.png").write_bytes(PNG)
    (book / "escape.png").symlink_to(tmp_path / "secret.png")
    return book


def test_file_inside_the_folder_resolves(folder):
    assert resolve_asset(folder, "img/map.png") == (folder / "img" / "map.png").resolve()


@pytest.mark.parametrize("reference, reason", [
    ("../secret.png", "outside"),
    ("img/../../secret.png", "outside"),
    ("escape.png", "outside"),
    ("/etc/passwd", "absolute"),
    ("file:///etc/passwd", "not a file"),
    ("https://example.org/x.png", "not a file"),
    ("//example.org/x.png", "not a file"),
    ("img/missing.png", "does not exist"),
    ("", "not a file"),
])
def test_references_leaving_the_folder_are_refused(folder, reference, reason):
    with pytest.raises(ManuscriptError, match=reason) as caught:
        resolve_asset(folder, reference, source="story.md", line=7)
    assert str(caught.value).startswith("story.md:7: ")
    assert "(" in str(caught.value), "every refusal says what to do"


def test_non_image_files_are_refused(folder):
    (folder / "notes.txt").write_text("x")
    with pytest.raises(ManuscriptError, match="not a supported image"):
        resolve_asset(folder, "notes.txt")


def test_embedded_files_are_found_by_name_and_checked():
    from bookmaker.safety.assets import locate_asset
    from bookmaker.model import Book, EmbeddedFile, Metadata

    book = Book(Metadata(title="T"), embedded=(EmbeddedFile("img/a.png", "image/png", PNG),
                                               EmbeddedFile("evil.html", "text/html", b"<x>")))
    assert locate_asset(book, "embedded:img/a.png").data == PNG
    with pytest.raises(ManuscriptError, match="not in the file it came from"):
        locate_asset(book, "embedded:img/b.png", source="x.epub")
    with pytest.raises(ManuscriptError, match="not a supported image type"):
        locate_asset(book, "embedded:evil.html")

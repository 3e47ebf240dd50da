"""Output naming and atomic writes: books land inside the output folder, whole or not at all."""

import os
from pathlib import Path

import pytest

from bookmaker.safety import files as output
from bookmaker.errors import OutputError


@pytest.mark.parametrize("title, slug", [
    ("A New Hero", "a-new-hero"),
    ("../../x", "x"),
    ("/etc/passwd", "etc-passwd"),
    ("Café “Noir” — Part 2", "cafe-noir-part-2"),
    ("日本語", "book"),
    ("", "book"),
    ("." * 50, "book"),
])
def test_slugify_never_yields_a_path(title, slug):
    assert output.slugify(title) == slug
    assert "/" not in output.slugify(title) and ".." not in output.slugify(title)


def test_slugify_is_bounded_in_length():
    assert len(output.slugify("word " * 100)) <= 80


def test_unique_path_numbers_repeats_within_a_run(tmp_path):
    taken: set[Path] = set()
    first = output.unique_path(tmp_path, "same", ".epub", taken)
    second = output.unique_path(tmp_path, "same", ".epub", taken)
    third = output.unique_path(tmp_path, "same", ".epub", taken)
    assert [p.name for p in (first, second, third)] == ["same.epub", "same-2.epub", "same-3.epub"]


def test_atomic_write_replaces_whole_file(tmp_path):
    dest = tmp_path / "out" / "book.bin"
    output.atomic_write(dest, b"first")
    output.atomic_write(dest, b"second")
    assert dest.read_bytes() == b"second"
    assert sorted(p.name for p in dest.parent.iterdir()) == ["book.bin"]


def test_failed_write_leaves_old_file_and_no_temporary(tmp_path, monkeypatch):
    dest = tmp_path / "book.bin"
    output.atomic_write(dest, b"old")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OutputError, match="No space left"):
        output.atomic_write(dest, b"new")
    assert dest.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["book.bin"]


def test_unwritable_folder_is_a_clear_error(tmp_path, monkeypatch):
    # Tests run as root in CI, where chmod cannot make a folder read-only: refuse the create.
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(output.tempfile, "mkstemp", refuse)
    with pytest.raises(OutputError, match="cannot write here: Permission denied"):
        output.atomic_write(tmp_path / "book.bin", b"x")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ the output folder is the user's

@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def test_an_output_folder_that_is_a_link_is_refused_with_a_way_out(tmp_path, elsewhere):
    (tmp_path / "dist").symlink_to(elsewhere)
    with pytest.raises(OutputError, match=r"the output folder is a symbolic link.*pass -o"):
        output.refuse_links(tmp_path / "dist")
    with pytest.raises(OutputError, match="symbolic link"):
        output.unique_path(tmp_path / "dist", "story", ".epub", set())
    with pytest.raises(OutputError, match="symbolic link"):
        output.atomic_write(tmp_path / "dist" / "story.epub", b"book")
    assert list(elsewhere.iterdir()) == []


def test_a_link_at_a_name_bookmaker_writes_is_refused_not_written_through(tmp_path, elsewhere):
    out = tmp_path / "dist"
    (out / "sub").mkdir(parents=True)
    (out / "story.epub").symlink_to(elsewhere / "x.epub")
    (out / "story-images").symlink_to(elsewhere)
    (out / "sub" / "linked").symlink_to(elsewhere)
    output.refuse_links(out)  # the folder itself is real
    with pytest.raises(OutputError, match=r"dist/story\.epub: is a symbolic link.*-o"):
        output.unique_path(out, "story", ".epub", set())
    with pytest.raises(OutputError, match="story-images: is a symbolic link"):
        output.atomic_write(out / "story-images" / "a.png", b"image")
    with pytest.raises(OutputError, match="sub/linked: is a symbolic link"):
        output.refuse_links(out, out / "sub" / "linked" / "deeper" / "x.epub")
    output.refuse_links(out, out / "sub" / "new" / "x.epub")  # not there yet: fine
    assert list(elsewhere.iterdir()) == []
    assert (out / "story.epub").is_symlink()  # refused, not replaced


def test_folders_above_the_output_folder_are_the_users_own(tmp_path, elsewhere):
    (tmp_path / "home").symlink_to(elsewhere)  # a home folder may well be a link
    output.refuse_links(tmp_path / "home" / "books")
    output.atomic_write(tmp_path / "home" / "books" / "story.txt", b"book")
    assert (elsewhere / "books" / "story.txt").read_bytes() == b"book"

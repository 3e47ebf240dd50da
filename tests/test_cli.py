"""The command line as a user meets it: real processes, real files, exit codes and messages."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def run(*args: str | Path, cwd: Path | None = None, env: dict | None = None):
    return subprocess.run([sys.executable, "-m", "bookmaker", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_version_and_help_on_every_command():
    assert run("--version").stdout.startswith("bookmaker ")
    for command in ("build", "inspect", "check", "new"):
        result = run(command, "--help")
        assert result.returncode == 0
        assert "Examples" in result.stdout and f"bookmaker {command}" in result.stdout


def test_build_seed_text_file(tmp_path, seed_path):
    result = run("build", seed_path, "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["a-new-hero.epub"]
    assert zipfile.ZipFile(tmp_path / "a-new-hero.epub").read("mimetype") == b"application/epub+zip"


def test_build_the_example_manuscripts_folder(tmp_path):
    result = run("build", REPO / "manuscripts", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "a-new-hero.epub").is_file()


def test_two_builds_with_one_source_date_epoch_are_byte_identical(tmp_path, seed_path):
    for out in ("one", "two"):
        assert run("build", seed_path, "-o", tmp_path / out,
                   env={"SOURCE_DATE_EPOCH": "1234567890"}).returncode == 0
    assert (tmp_path / "one" / "a-new-hero.epub").read_bytes() == \
        (tmp_path / "two" / "a-new-hero.epub").read_bytes()


def test_build_epub_does_not_import_pdf_machinery(tmp_path, seed_path):
    code = ("import sys; from bookmaker.cli import app\n"
            f"try:\n    app(['build', {str(seed_path)!r}, '-o', {str(tmp_path)!r}])\n"
            "except SystemExit as e:\n    assert not e.code, e.code\n"
            "bad = [m for m in sys.modules\n"
            "       if m.startswith(('weasyprint', 'bookmaker.writers.pdf'))]\n"
            "assert not bad, bad\nprint('clean')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.splitlines()[-1] == "clean", result.stderr


def test_same_title_twice_in_one_folder_gives_two_books(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("one.md", "two.md"):
        (src / name).write_text(f"---\ntitle: Same\n---\n\nText of {name}.\n", encoding="utf-8")
    result = run("build", src, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["same-2.epub", "same.epub"]


def test_inspect_outline_and_json(seed_path):
    outline = run("inspect", seed_path)
    assert outline.returncode == 0
    assert "title: A New Hero" in outline.stdout and "SceneBreak" in outline.stdout
    as_json = run("inspect", seed_path, "--json")
    assert as_json.stdout.lstrip().startswith('{\n  "type": "Book"')


def test_check_suggests_the_rating(tmp_path):
    story = tmp_path / "story.md"
    story.write_text("---\ntitle: T\nrating: Mature Audiences\n---\n\nText.\n", encoding="utf-8")
    result = run("check", story)
    # A warning, as from every reader (readers/metadata.py): the value is kept as a content note.
    assert result.returncode == 0
    assert result.stdout.startswith(f"{story}:3: warning: unknown rating 'Mature Audiences'")
    assert "Mature'?" in result.stdout and "ok: no errors, 1 warning(s)" in result.stdout
    assert "Traceback" not in result.stderr


def test_check_passes_the_seed_manuscript():
    result = run("check", REPO / "manuscripts")
    assert result.returncode == 0, result.stdout + result.stderr


BAD_INPUTS = {
    "empty.md": (b"", "empty"),
    "binary.txt": (bytes(range(256)) * 4, "binary"),
    "malformed.md": (b"---\ntitle: [unclosed\nrating: Mature\n---\n\nText.\n", "YAML"),
    "python-tag.md": (b"---\ntitle: !!python/object/apply:os.system [\"touch pwned\"]\n---\n\nx\n",
                      "tag"),
    # (An unknown rating is only a warning: readers/metadata.py.)
    "series.md": (b"---\ntitle: T\nseries: {name: S, index: two}\n---\n\nText.\n", "two"),
    "unclosed.md": (b"---\ntitle: T\n---\n\n::: note\nnever closed\n\nText.\n", ":::"),
    "path-title.md": (b"---\ntitle: ../../x\n---\n\nText.\n", "path"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_gets_one_clear_message_and_nothing_is_written(tmp_path, name):
    content, expected = BAD_INPUTS[name]
    source = tmp_path / name
    source.write_bytes(content)
    out = tmp_path / "out"
    result = run("build", source, "-o", out, cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(str(source)) and expected.lower() in first.lower(), result.stderr
    assert not out.exists() or list(out.iterdir()) == []
    assert not (tmp_path / "pwned").exists()


def test_missing_file_and_empty_folder(tmp_path):
    missing = run("build", tmp_path / "nope.md", "-o", tmp_path / "out")
    assert missing.returncode != 0 and "nope.md" in missing.stderr and "no such" in missing.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = run("build", empty, "-o", tmp_path / "out")
    assert nothing.returncode != 0 and "no manuscripts" in nothing.stderr
    assert "Traceback" not in missing.stderr + nothing.stderr
    assert not (tmp_path / "out").exists()


def test_one_bad_manuscript_does_not_stop_the_others(tmp_path, seed_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "bad.md").write_bytes(b"---\nseries: {index: 2}\n---\n\nx\n")
    (src / "good.txt").write_bytes(seed_path.read_bytes())
    result = run("build", src, "-o", tmp_path / "out")
    assert result.returncode == 1
    assert "bad.md" in result.stderr
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["a-new-hero.epub"]


def test_unknown_warnings_placement_is_a_usage_error(tmp_path, seed_path):
    result = run("build", seed_path, "--warnings", "middle", "-o", tmp_path)
    assert result.returncode == 2 and "front, end, omit" in result.stderr


@pytest.mark.parametrize("reference", ["missing.png", "../outside.png", "/etc/hosts",
                                       "file:///etc/passwd", "http://127.0.0.1:9/x.png"])
def test_an_unreadable_image_is_dropped_with_a_warning_and_the_book_builds(tmp_path, reference):
    (tmp_path / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    src = tmp_path / "src"
    src.mkdir()
    story = src / "story.md"
    story.write_text(f"---\ntitle: Pictures\ncover: {reference}\n---\n\nBefore.\n\n"
                     f"![a map]({reference})\n\nAfter.\n", encoding="utf-8")
    result = run("build", story, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert any(line.startswith(f"{story}:8: warning:") for line in warnings), result.stderr
    assert any("without a cover" in line for line in warnings), result.stderr
    with zipfile.ZipFile(tmp_path / "out" / "pictures.epub") as book:
        # Only the generated cover: neither the image nor the refused cover came in.
        assert [n for n in book.namelist() if n.startswith("EPUB/images/")] == \
            ["EPUB/images/cover.jpg"]
        chapter = book.read("EPUB/chapter-001.xhtml").decode()
    assert "Before." in chapter and "After." in chapter and "<img" not in chapter


def test_new_writes_a_manuscript_that_builds(tmp_path):
    made = run("new", "Brand New Fic", "-d", tmp_path / "drafts")
    assert made.returncode == 0, made.stderr
    path = tmp_path / "drafts" / "brand-new-fic.md"
    assert str(path) in made.stdout
    assert run("build", path, "-o", tmp_path / "out").returncode == 0
    again = run("new", "Brand New Fic", "-d", tmp_path / "drafts")
    assert again.returncode == 1 and "already exists" in again.stderr

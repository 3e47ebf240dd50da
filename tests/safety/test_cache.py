"""The user's cache of compiled templates (safety/cache.py, writers/templating.py): used only in
a folder nobody else can write to, keyed by the template's content, never a reason to fail."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import zipfile

import pytest

from bookmaker.safety import cache

from paths import REPO


@pytest.fixture
def fresh(monkeypatch):
    """cache_folder as a new process sees it, for the environment the test sets."""
    cache.cache_folder.cache_clear()
    yield monkeypatch
    cache.cache_folder.cache_clear()


def test_the_folder_is_made_private(fresh, tmp_path):
    fresh.setenv("BOOKMAKER_CACHE", str(tmp_path / "cache"))
    folder = cache.cache_folder("templates")
    assert folder == tmp_path / "cache" / "templates"
    assert stat.S_IMODE(os.lstat(folder).st_mode) == 0o700


def test_off_means_no_cache(fresh, tmp_path):
    fresh.setenv("BOOKMAKER_CACHE", "off")
    assert cache.cache_folder("templates") is None


def test_the_default_is_the_users_cache_home(fresh, tmp_path):
    fresh.delenv("BOOKMAKER_CACHE")
    fresh.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_folder("templates") == tmp_path / "bookmaker" / "templates"


@pytest.mark.parametrize("place", ["root", "folder"])
def test_a_folder_others_can_write_is_not_used(fresh, tmp_path, place):
    root = tmp_path / "cache"
    (root / "templates").mkdir(parents=True)
    (root if place == "root" else root / "templates").chmod(0o777)
    fresh.setenv("BOOKMAKER_CACHE", str(root))
    assert cache.cache_folder("templates") is None


def test_a_link_is_not_used(fresh, tmp_path):
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    (tmp_path / "cache").mkdir(mode=0o700)
    (tmp_path / "cache" / "templates").symlink_to(tmp_path / "elsewhere")
    fresh.setenv("BOOKMAKER_CACHE", str(tmp_path / "cache"))
    assert cache.cache_folder("templates") is None


def test_a_folder_that_cannot_be_made_means_no_cache(fresh, tmp_path):
    (tmp_path / "file").write_text("not a folder")
    fresh.setenv("BOOKMAKER_CACHE", str(tmp_path / "file"))
    assert cache.cache_folder("templates") is None


def _build(source, out, cache_folder):
    return subprocess.run([sys.executable, "-m", "bookmaker", "build", str(source), "-o",
                           str(out)], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "BOOKMAKER_CACHE": str(cache_folder)})


def test_cached_damaged_and_edited_templates_give_the_right_book(tmp_path):
    """A build with the cache empty, filled and damaged gives the same bytes; a theme's template
    edited between builds is compiled again, never served from the cache."""
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "theme.toml").write_text('name = "mine"\nextends = "default"\n', encoding="utf-8")
    default_title = REPO / "bookmaker" / "templates" / "epub" / "title.xhtml.j2"
    (tmp_path / "bookmaker.toml").write_text('[build]\nstyle = "./theme"\n', encoding="utf-8")
    source = tmp_path / "story.md"
    source.write_bytes((REPO / "manuscripts" / "a-new-hero.md").read_bytes())
    folder = tmp_path / "cache"
    books = {}
    for step in ("first", "cached", "damaged", "edited"):
        if step == "damaged":
            for entry in (folder / "templates").iterdir():
                entry.write_bytes(entry.read_bytes()[:40])
        marker = "Edited by the theme" if step == "edited" else "Set by the theme"
        (theme / "title.xhtml.j2").write_text(default_title.read_text(encoding="utf-8").replace(
            "</section>", f"<p>{marker}</p></section>"), encoding="utf-8")
        result = _build(source, tmp_path / step, folder)
        assert result.returncode == 0, result.stderr
        with zipfile.ZipFile(tmp_path / step / "a-new-hero.epub") as book:
            books[step] = {name: book.read(name) for name in book.namelist()}
        entries = sorted((folder / "templates").iterdir())
        assert entries and all(stat.S_IMODE(e.stat().st_mode) == 0o600 for e in entries)
    assert books["first"] == books["cached"] == books["damaged"]
    title = next(name for name in books["edited"] if name.endswith("title.xhtml"))
    assert b"Set by the theme" in books["first"][title]
    assert b"Edited by the theme" in books["edited"][title]
    assert {n: c for n, c in books["edited"].items() if n != title} == \
        {n: c for n, c in books["first"].items() if n != title}

"""safety/patterns.py: the paths and globs a stranger's file names stay inside its folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from bookmaker.safety.patterns import (NameBudget, PatternOutside, PatternTooWide, expand,
                                       relative_parts)


@pytest.mark.parametrize("pattern", [
    "../*", "/etc/pass*", "/root/*", "/*/*/*/*/*/*/*", "works/../../x.md", "a/..", "..",
    "C:\\x", "\\\\server\\share", "works\\..\\x", "", ".", "./", "a\x00b",
])
def test_a_pattern_leading_outside_is_refused_as_written(pattern):
    with pytest.raises(PatternOutside):
        relative_parts(pattern)


def test_relative_parts_drop_dots_and_empty_parts():
    assert relative_parts("./works//ao3/*.html") == ("works", "ao3", "*.html")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """works/ with two manuscripts, a hidden one, a link out to a file and one to a folder."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret-name.md").write_text("x")
    works = tmp_path / "anthology" / "works"
    (works / "sub").mkdir(parents=True)
    for name in ("a.md", "b.md", ".hidden.md", "sub/c.md"):
        (works / name).write_text("x")
    (works / "leak.md").symlink_to(tmp_path / "outside" / "secret-name.md")
    (works / "linked").symlink_to(tmp_path / "outside")
    return tmp_path / "anthology"


def test_a_glob_matches_inside_without_entering_links(folder):
    names = [path.relative_to(folder).as_posix()
             for path in expand(folder, "works/*", NameBudget())]
    # Links are kept, unfollowed, for the gate to refuse by name; folders are not works.
    assert names == ["works/a.md", "works/b.md", "works/leak.md", "works/linked"]
    assert expand(folder, "works/linked/*", NameBudget()) == []
    assert expand(folder, "*/linked/secret*", NameBudget()) == []
    assert [p.name for p in expand(folder, "works/.h*", NameBudget())] == [".hidden.md"]
    assert [p.name for p in expand(folder, "*/*/c.md", NameBudget())] == ["c.md"]


def test_a_plain_path_is_given_back_unexpanded(folder):
    assert expand(folder, "works/none.md", NameBudget()) == [folder / "works" / "none.md"]


def test_the_names_looked_at_are_bounded(folder):
    wide = folder / "wide"
    wide.mkdir()
    for n in range(50):
        (wide / f"{n}").mkdir()
        (wide / f"{n}" / "x.md").write_text("x")
    budget = NameBudget(99)  # 50 folders, then a name in each: 100 in all
    with pytest.raises(PatternTooWide, match="more than 99 names"):
        expand(folder, "wide/*/*", budget)
    assert budget.left < 0
    assert len(expand(folder, "wide/*/*", NameBudget(100))) == 50

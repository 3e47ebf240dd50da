"""``bookmaker new`` makes a manuscript that checks clean and builds."""

import pytest

from bookmaker.check import check_paths
from bookmaker.errors import BookmakerError
from bookmaker.settings.options import BuildOptions
from bookmaker.convert import build, load
from bookmaker.scaffold import new_manuscript


@pytest.mark.parametrize("title", ["My New Fic", 'Part 1: "Dawn" & Dusk', "../../x y"])
def test_new_manuscript_checks_clean_and_builds(tmp_path, title):
    path = new_manuscript(title, tmp_path / "manuscripts")
    assert path.parent == tmp_path / "manuscripts" and path.suffix == ".md"
    if title.startswith(".."):
        # The title is kept as given; check then says it looks like a path, as for any manuscript.
        assert [f.level for f in check_paths([path])] == ["error"]
        return
    assert [f for f in check_paths([path]) if f.level == "error"] == []
    book = load(path)
    assert book.metadata.title == title.replace('"', "“", 1).replace('"', "”", 1)
    assert book.metadata.warnings == ("Creator Chose Not To Use Archive Warnings",)
    assert [c.title for c in book.chapters] == ["Chapter One"]
    [result] = build([path], ["epub"], tmp_path / "out", BuildOptions())
    assert result.error is None and result.outputs[0].is_file()


def test_new_never_overwrites(tmp_path):
    new_manuscript("Same", tmp_path)
    with pytest.raises(BookmakerError, match="already exists"):
        new_manuscript("Same", tmp_path)


def test_empty_title_is_refused(tmp_path):
    with pytest.raises(BookmakerError, match="empty"):
        new_manuscript("   ", tmp_path)

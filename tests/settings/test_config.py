"""bookmaker.toml: which file applies, what it fills, and the command line winning over it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bookmaker.cli import app
from bookmaker.convert import load, settings_at
from bookmaker.errors import BookmakerError, ManuscriptError
from bookmaker.model import plain_text
from bookmaker.settings.config import COMMAND_LINE, DEFAULT, find_config, load_config, resolve_build

STORY = "---\ntitle: Rain\n{extra}---\n\nThe rain fell.\n"


def _story(folder: Path, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "story.md"
    path.write_text(STORY.format(extra=extra), encoding="utf-8")
    return path


def _toml(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bookmaker.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_command_line_beats_file_beats_default(tmp_path):
    config_path = _toml(tmp_path, '[build]\npaper = "6x9"\nwarnings = "end"\n'
                                  'formats = ["epub", "pdf"]\n')
    story = _story(tmp_path / "works")
    settings = resolve_build({"paper": "a4", "warnings": None}, load_config(story))
    assert settings["paper"].value == "a4" and settings["paper"].source == COMMAND_LINE
    assert settings["warnings"].value == "end" and settings["warnings"].source == \
        f"{config_path}:3"
    assert settings["formats"].value == ("epub", "pdf")
    assert settings["drop_caps"].value is False and settings["drop_caps"].source == DEFAULT


def test_the_nearest_file_wins_over_a_parents(tmp_path):
    _toml(tmp_path, '[build]\nstyle = "modern"\n')
    nearer = _toml(tmp_path / "series", '[build]\nstyle = "typewriter"\n')
    story = _story(tmp_path / "series" / "part-one")
    assert find_config(story) == nearer
    assert settings_at(story, {})[1].options.style == "typewriter"
    assert settings_at(_story(tmp_path / "other"), {})[1].options.style == "modern"


def test_out_in_the_file_is_relative_to_the_file(tmp_path):
    _toml(tmp_path, '[build]\nout = "books"\n')
    story = _story(tmp_path / "deep" / "er")
    assert settings_at(story, {})[0].out == str(tmp_path / "books")
    assert settings_at(story, {"out": Path("elsewhere")})[0].out == "elsewhere"


def test_book_defaults_fill_only_missing_fields(tmp_path):
    _toml(tmp_path, '[book]\nauthor = "Quill Harrow"\nlanguage = "fr"\nrights = "CC BY"\n'
                    'series = "Rainverse"\nfandom = ["Final Fantasy VII"]\n')
    bare = load(_story(tmp_path / "a"))
    assert bare.metadata.authors == ("Quill Harrow",)
    assert bare.metadata.language == "fr" and bare.metadata.rights == "CC BY"
    assert [s.name for s in bare.metadata.series] == ["Rainverse"]
    assert bare.metadata.fandoms == ("Final Fantasy VII",)
    own = load(_story(tmp_path / "b", "author: M. Okafor\nlanguage: de\n"))
    assert own.metadata.authors == ("M. Okafor",) and own.metadata.language == "de"
    assert own.metadata.rights == "CC BY"  # still missing here, so still filled


def test_a_book_default_language_changes_the_typography(tmp_path):
    _toml(tmp_path, '[book]\nlanguage = "de"\n')
    path = tmp_path / "story.md"
    path.write_text('---\ntitle: Zitat\n---\n\n"Ja", sagte sie.\n', encoding="utf-8")
    [[paragraph]] = [chapter.blocks for chapter in load(path).chapters]
    assert plain_text((paragraph,)).startswith("„")  # German quotes, not English ones


def test_unknown_keys_warn_with_a_suggestion(tmp_path):
    config_path = _toml(tmp_path, '[book]\nlangauge = "fr"\n\n[biuld]\npaper = "a4"\n'
                                  '[build]\ndrop_cap = true\n')
    warnings = load_config(tmp_path).warnings
    assert [(w.line, w.hint) for w in warnings] == [
        (2, "did you mean 'language'?"), (4, "did you mean 'build'?"),
        (7, "did you mean 'drop_caps'?")]
    assert all(w.path == str(config_path) and w.level == "warning" for w in warnings)


@pytest.mark.parametrize("text, line, words", [
    ('[build]\npaper = "a5"\ndrop_caps = "yes"\n', 3, "must be true or false"),
    ('[build]\nflyleaves = 11\n', 2, "must be 0 to 10, not 11"),
    ('[build]\nsignature = 6\n', 2, "must be a multiple of 4"),
    ('[build]\n\nwarnings = "middle"\n', 3, "front, end, omit"),
    ('[book]\nauthor = 3\n', 2, "must be text"),
    ('[build]\npaper = a5\n', 2, "not valid TOML"),
])
def test_bad_values_are_errors_naming_file_and_line(tmp_path, text, line, words):
    path = _toml(tmp_path, text)
    with pytest.raises(ManuscriptError) as caught:
        load_config(tmp_path)
    assert caught.value.path == str(path) and caught.value.line == line
    assert words in caught.value.message


def test_a_misspelt_paper_in_the_file_suggests_the_right_one(tmp_path):
    _toml(tmp_path, '[build]\npaper = "a55"\n')
    with pytest.raises(ManuscriptError) as caught:
        load_config(tmp_path)
    assert caught.value.hint == "did you mean 'a5'?"


def test_an_unknown_theme_suggests_the_right_one(tmp_path):
    with pytest.raises(BookmakerError) as caught:
        settings_at(_story(tmp_path), {"style": "modren"})
    assert "did you mean 'modern'?" in str(caught.value)
    assert "default, modern, typewriter" in str(caught.value)


def test_config_command_shows_each_value_and_its_source(tmp_path):
    config_path = _toml(tmp_path, '[book]\nauthor = "Quill"\n[build]\ntheme = "modern"\n')
    result = CliRunner().invoke(app, ["config", str(_story(tmp_path / "w"))])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.stdout.splitlines()[1:]}
    assert lines["book.authors"].endswith(f"# {config_path}:2")
    assert "'modern'" in lines["build.style"] and lines["build.style"].endswith(":4")
    assert lines["build.paper"].endswith("# default")


def test_build_uses_the_file_unless_told_otherwise(tmp_path):
    _toml(tmp_path, '[build]\nout = "books"\ngenerated_cover = false\n')
    story = _story(tmp_path / "w")
    runner = CliRunner()
    assert runner.invoke(app, ["build", str(story)]).exit_code == 0
    assert [p.name for p in (tmp_path / "books").iterdir()] == ["rain.epub"]
    result = runner.invoke(app, ["build", str(story), "-o", str(tmp_path / "cli")])
    assert result.exit_code == 0 and (tmp_path / "cli" / "rain.epub").is_file()

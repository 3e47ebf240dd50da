"""Building an anthology: anthology.yaml, the one conversion path, bad input named all at once."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from anthology_material import rain_folder
from lxml import etree
from paths import DATA, SEED
from typer.testing import CliRunner

from bookmaker.cli import app
from bookmaker.convert import AnthologyError, build_anthology, read_anthology
from bookmaker.errors import BookmakerError, ManuscriptError
from bookmaker.model import plain_text, to_json
from bookmaker.readers import read_anthology_spec
from bookmaker.readers.anthology import spec_from_paths
from bookmaker.settings.context import RenderContext

GOLDEN = DATA / "anthology" / "rain" / "expected"
AO3_MULTI = DATA / "ao3html" / "multi-chapter-2024" / "input.html"
XHTML = {"x": "http://www.w3.org/1999/xhtml"}


@pytest.fixture
def rain(tmp_path: Path) -> Path:
    return rain_folder(tmp_path / "rain")


# --------------------------------------------------------------------------- anthology.yaml


def test_anthology_yaml_gives_works_in_order_with_globs_and_overrides(rain):
    spec = read_anthology_spec(rain)
    assert spec.metadata.title == "Rain Stories"
    assert spec.editors == ("Marlowe Ink",)
    assert [entry.path.name for entry in spec.works] == [
        "a-new-hero.txt", "long-way-round.html", "small-hours.html", "late.md"]
    assert [entry.warnings for entry in spec.works] == ["front", "end", "end", "front"]
    assert spec.works[3].title == "Late (revised)" and spec.works[3].authors == ("Corvid Writes",)
    assert "stayed" in plain_text(spec.introduction)
    assert plain_text(spec.afterword).startswith("Thank you")


def test_the_anthology_model_is_golden(rain, golden):
    anthology = read_anthology(read_anthology_spec(rain), RenderContext(), [])
    titles = [work.book.metadata.title for work in anthology.works]
    assert titles == ["A New Hero", "The Long Way Round", "Small Hours", "Late (revised)"]
    assert anthology.works[3].book.metadata.authors == ("Corvid Writes",)
    golden.check(GOLDEN / "anthology.json", to_json(anthology))


def test_a_work_outside_the_anthology_folder_is_refused(tmp_path):
    (tmp_path / "anthology.yaml").write_text("title: T\nworks:\n  - ../elsewhere.md\n")
    entry = read_anthology_spec(tmp_path / "anthology.yaml").works[0]
    assert "outside" in entry.problem


OUTSIDE_PATTERNS = ["../*", "../sibling/secret-name.md", "/etc/pass*", "/etc/passwd", "/root/*",
                    "/*/*/*/*/*/*/*", "works/../../sibling/*", "works/linked/*",
                    "works/linked/secret-name.md", "works/leak.md"]


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """An anthology whose works point outside its folder every way there is, beside a sibling
    folder whose file names must never be listed or named; one real work inside."""
    (tmp_path / "sibling").mkdir()
    (tmp_path / "sibling" / "secret-name.md").write_text("---\ntitle: Secret\n---\n\nNo.\n")
    folder = tmp_path / "anthology"
    (folder / "works").mkdir(parents=True)
    (folder / "works" / "story.md").write_text("---\ntitle: Story\n---\n\nText.\n")
    (folder / "works" / "linked").symlink_to(tmp_path / "sibling")
    (folder / "works" / "leak.md").symlink_to(tmp_path / "sibling" / "secret-name.md")
    works = "".join(f"  - {pattern!r}\n" for pattern in OUTSIDE_PATTERNS)
    (folder / "anthology.yaml").write_text(f"title: T\nworks:\n  - works/story.md\n{works}")
    return folder / "anthology.yaml"


def test_patterns_outside_are_never_expanded_nor_named(hostile):
    """../*, /etc/pass*, links out: each is one problem naming the anthology file and the work's
    number in the list, and no name found outside (nor /etc/passwd) appears anywhere."""
    spec = read_anthology_spec(hostile)
    assert spec.works[0].path.name == "story.md" and not spec.works[0].problem
    problems = [(entry.path, entry.line, entry.problem) for entry in spec.works[1:]]
    shown = " ".join(f"{path} {problem}" for path, _, problem in problems)
    assert "secret-name" not in shown and "passwd" not in shown and "sibling" not in shown
    outside = [number for number, (path, line, problem) in enumerate(problems, 2)
               if path == hostile and line == 2 and problem ==
               f"work {number} of the list lies outside the anthology's folder (works must "
               "be inside it)"]
    # The link to a folder is not entered: its glob matches nothing, said of the pattern.
    assert outside == [2, 3, 4, 5, 6, 7, 8, 10, 11]
    assert problems[7][2] == "no file matches this pattern"


def test_the_build_names_nothing_outside_and_skips_the_outside_works(hostile, tmp_path):
    result = CliRunner().invoke(app, ["build", str(hostile), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "10 work(s) of the anthology failed" in result.output
    assert f"{hostile}:2: work 2 of the list lies outside the anthology's folder" \
        in result.output
    assert "secret-name" not in result.output and "passwd" not in result.output
    result = CliRunner().invoke(app, ["build", str(hostile), "-o", str(tmp_path / "out"),
                                      "--skip-failed"])
    assert result.exit_code == 0, result.output
    assert "secret-name" not in result.output and "passwd" not in result.output
    with zipfile.ZipFile(tmp_path / "out" / "t.epub") as book:
        text = b"".join(book.read(name) for name in book.namelist())
    assert b"Text." in text and b"No." not in text


def test_a_pattern_walking_too_many_names_is_one_error_on_its_line(tmp_path, monkeypatch):
    from bookmaker.safety import patterns

    for n in range(30):
        (tmp_path / "deep" / f"{n}").mkdir(parents=True)
    (tmp_path / "anthology.yaml").write_text("title: T\nworks:\n  - deep/*/*/*.md\n")
    monkeypatch.setattr(patterns, "MAX_NAMES_LOOKED_AT", 20)
    with pytest.raises(ManuscriptError, match="look at more than 20 names") as caught:
        read_anthology_spec(tmp_path / "anthology.yaml")
    assert caught.value.line == 2 and "works/*.md" in caught.value.hint


def test_an_anthology_of_more_works_than_the_bound_is_refused(tmp_path, monkeypatch):
    from bookmaker.readers import anthology

    (tmp_path / "works").mkdir()
    for n in range(6):
        (tmp_path / "works" / f"{n}.md").write_text(f"---\ntitle: W{n}\n---\n\nText.\n")
    (tmp_path / "anthology.yaml").write_text("title: T\nworks:\n  - works/*.md\n"
                                             "  - works/0.md\n")
    monkeypatch.setattr(anthology, "MAX_WORKS", 6)
    with pytest.raises(ManuscriptError, match="7 works, more than the 6") as caught:
        read_anthology_spec(tmp_path / "anthology.yaml")
    assert caught.value.line == 2
    monkeypatch.setattr(anthology, "MAX_WORKS", 5)
    with pytest.raises(ManuscriptError, match=r"'works/\*\.md' names 6 works"):
        read_anthology_spec(tmp_path / "anthology.yaml")


def test_an_anthology_file_without_works_names_its_line(tmp_path):
    (tmp_path / "anthology.yaml").write_text("title: T\neditors: [A]\n")
    with pytest.raises(ManuscriptError, match="lists no works") as caught:
        read_anthology_spec(tmp_path / "anthology.yaml")
    assert caught.value.path.endswith("anthology.yaml")


def test_broken_yaml_is_named_as_the_anthology_file_with_its_line(tmp_path):
    (tmp_path / "anthology.yaml").write_text("title: [oops\nworks:\n  - a.md\n")
    with pytest.raises(ManuscriptError, match="the anthology file is not valid YAML") as caught:
        read_anthology_spec(tmp_path / "anthology.yaml")
    assert caught.value.line == 1  # where the unclosed [ is, not where the parser gave up


def test_a_bad_warnings_placement_names_the_file_and_line(tmp_path):
    (tmp_path / "anthology.yaml").write_text("title: T\nwarnings: middle\nworks: [a.md]\n")
    with pytest.raises(ManuscriptError, match="front, end or omit") as caught:
        read_anthology_spec(tmp_path / "anthology.yaml")
    assert caught.value.line == 2


# --------------------------------------------------------------------------- bad input


def _bad_folder(tmp_path: Path) -> list[Path]:
    broken = tmp_path / "broken.md"
    broken.write_text("---\ntitle: [unclosed\n---\n\nText.\n")
    twin = tmp_path / "twin.md"
    twin.write_text("---\ntitle: A New Hero\n---\n\nSame title as the seed.\n")
    return [SEED, tmp_path / "missing.md", broken, twin]


def test_every_failing_work_is_named_and_nothing_is_written(tmp_path):
    out = tmp_path / "dist"
    result = build_anthology(spec_from_paths(_bad_folder(tmp_path), "Broken"), ["epub"], out)
    assert isinstance(result.error, str)
    for name in ("missing.md", "broken.md", "twin.md"):
        assert name in result.error
    assert "same title" in result.error and "--skip-failed" in result.error
    assert not out.exists()


def test_skip_failed_builds_the_rest_and_warns_of_each_left_out(tmp_path):
    result = build_anthology(spec_from_paths(_bad_folder(tmp_path), "Broken"), ["epub"],
                             tmp_path / "dist", skip_failed=True)
    assert result.error is None and len(result.outputs) == 1
    assert len([w for w in result.warnings if "left out of the anthology" in w]) == 3


def test_an_empty_anthology_is_a_clear_error(tmp_path):
    with pytest.raises(BookmakerError, match="no works to bind"):
        read_anthology(spec_from_paths([tmp_path / "gone.md"], "Nothing"), RenderContext(), [],
                       skip_failed=True)
    with pytest.raises(AnthologyError, match=r"gone\.md"):
        read_anthology(spec_from_paths([tmp_path / "gone.md"], "Nothing"), RenderContext(), [])


# --------------------------------------------------------------------------- command line


def test_build_anthology_from_the_command_line(tmp_path):
    out = tmp_path / "dist"
    result = CliRunner().invoke(app, ["build", str(SEED), str(AO3_MULTI), "--anthology",
                                      "Two Works", "--editor", "Ed One", "--editor", "Ed Two",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    book = out / "two-works.epub"
    with zipfile.ZipFile(book) as epub:
        opf = etree.fromstring(epub.read("EPUB/content.opf"))
    creators = opf.xpath("//dc:creator/text()", namespaces={
        "dc": "http://purl.org/dc/elements/1.1/"})
    assert creators[:2] == ["Ed One", "Ed Two"] and "lanternfish" in creators


def test_command_line_anthology_with_a_missing_work_fails_naming_it(tmp_path):
    out = tmp_path / "dist"
    result = CliRunner().invoke(app, ["build", str(SEED), str(tmp_path / "nope.html"),
                                      "--anthology", "T", "-o", str(out)])
    assert result.exit_code == 1
    assert "nope.html" in result.output and not out.exists()


def test_build_anthology_yaml_from_the_command_line(rain, tmp_path):
    out = tmp_path / "dist"
    result = CliRunner().invoke(app, ["build", str(rain), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "rain-stories.epub").exists()

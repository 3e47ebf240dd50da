"""The settings schema (settings/options.py) and everything made from it, checked setting by
setting: each test is parametrised over the schema itself, so a new setting is covered by
construction, and a setting some place forgets fails here.

For every setting: a bookmaker.toml sets it (under every key it answers to) and ``bookmaker
config`` shows it from the file; ``batch`` (and ``watch``, for those it takes) accepts its option
and hands the value on; the command line wins over the file; README's table lists it as the
schema says.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bookmaker.batch import BatchResult
from bookmaker.cli import app
from bookmaker.convert import settings_at
from bookmaker.settings.options import SETTINGS, BuildOptions
from bookmaker.settings.schema import BuildSetting, settings_table
from bookmaker.writers import BOOK_FORMATS
from paths import REPO

STORY = "---\ntitle: Rain\nlanguage: en\n---\n\nThe rain fell.\n"
# Values for the settings whose values are open text; every other setting's come from the schema
# (a choice, a bound, the other truth value).
OPEN_TEXT = {"out": ("books", "elsewhere"), "style": ("modern", "typewriter"),
             "cover": ("own-cover.png", "other-cover.png")}
README_TABLE = ("<!-- settings table: made from bookmaker/settings/options.py; "
                "tests/settings/test_schema.py checks it -->\n", "<!-- end of settings table -->")


def two_values(item: BuildSetting) -> tuple[Any, Any]:
    """Two values the setting may take: one for bookmaker.toml (never the default, so that it
    shows), and another for the command line to win with (the default, when there is no third)."""
    if item.name in OPEN_TEXT:
        return OPEN_TEXT[item.name]
    if item.kind is bool:
        return not item.default, item.default
    if item.kind is tuple:
        first, second = [name for name in BOOK_FORMATS if name not in item.default][:2]
        return (first,), (second,)
    if item.choices:
        others = [choice for choice in item.choices if choice != item.default]
        return others[0], others[1] if len(others) > 1 else item.default
    if item.kind in (int, float):
        # The largest in the file: harmless for every bound (a memory limit, a timeout).
        assert item.minimum is not None, f"{item.name}: give it bounds (settings/options.py)"
        low = item.kind(item.minimum)
        most = item.file_maximum if item.file_maximum is not None else item.maximum
        high = item.kind(most) if most is not None else low * 2
        return (high, low) if high != item.default else (low, high)
    raise AssertionError(f"{item.name}: add two values for it to OPEN_TEXT in {__file__}")


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(f'"{item}"' for item in value) + "]"
    return f'"{value}"' if isinstance(value, str) else repr(value)


def options(item: BuildSetting, value: Any) -> list[str]:
    """The command-line words that give ``value`` to the setting."""
    if item.kind is bool:
        on, off = item.flags[0].split("/")
        return [on if value else off]
    if item.kind is tuple:
        return [word for name in value for word in (item.flags[0], name)]
    return [item.flags[0], f"{value}mm" if item.parse else str(value)]


def expected(item: BuildSetting, value: Any, folder: Path | None = None) -> Any:
    """The value as a build holds it: checked, and a path bookmaker.toml in ``folder`` gave
    made relative to the file (the command line's are the user's own, taken as given)."""
    checked = item.check(value)
    return str(folder / checked) if folder and isinstance(checked, str) \
        and item.names_a_path(checked) else checked


@pytest.fixture
def works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with a manuscript and two cover images, for a bookmaker.toml to be put in; the
    current folder, as where a writer runs bookmaker from."""
    from PIL import Image

    folder = tmp_path / "works"
    folder.mkdir()
    monkeypatch.chdir(folder)
    (folder / "story.md").write_text(STORY, encoding="utf-8")
    for name, colour in (("own-cover.png", "navy"), ("other-cover.png", "teal")):
        Image.new("RGB", (60, 90), colour).save(folder / name)
    return folder


def _toml(folder: Path, key: str, value: Any) -> Path:
    path = folder / "bookmaker.toml"
    path.write_text(f"[book]\nauthor = \"Quill\"\n\n[build]\n{key} = {toml_value(value)}\n",
                    encoding="utf-8")
    return path


def _key_cases() -> list[Any]:
    return [pytest.param(item, key, id=f"{item.name}:{key}") for item in SETTINGS
            for key in item.keys]


@pytest.mark.parametrize("item, key", _key_cases())
def test_bookmaker_toml_sets_it_and_config_shows_it_from_the_file(works, item, key):
    value, _ = two_values(item)
    config = _toml(works, key, value)
    result = CliRunner().invoke(app, ["config", str(works / "story.md")])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.stdout.splitlines()[1:]}
    shown = lines[f"build.{item.name}"]
    assert shown.endswith(f"# {config}:5"), shown
    assert repr(expected(item, value, works)) in shown, shown


def _captured(monkeypatch: pytest.MonkeyPatch, target: str, attribute: str) -> dict:
    """Replace ``target.attribute`` with a recorder of the arguments it is called with."""
    import importlib

    calls: dict = {}

    def record(*args: Any, **kwargs: Any) -> Any:
        calls.update(args=args, kwargs=kwargs)
        return [] if attribute == "build" else BatchResult()  # a batch of nothing

    monkeypatch.setattr(importlib.import_module(target), attribute, record)
    return calls


def _what_batch_got(calls: dict) -> dict[str, Any]:
    """Every setting's value as run_batch received it (its arguments, its BatchSettings and their
    BuildOptions)."""
    _src, out = calls["args"][:2]
    settings = calls["args"][2]
    return {**{name: getattr(settings.options, name) for name in
               BuildOptions.__dataclass_fields__},
            "formats": settings.formats, "out": str(out), "timeout": settings.timeout,
            "memory_limit": settings.memory_limit_mb, "jobs": settings.jobs}


@pytest.mark.parametrize("item", [pytest.param(item, id=item.name) for item in SETTINGS
                                  if "batch" in item.commands])
def test_batch_takes_it_from_the_file_and_the_command_line_wins(works, monkeypatch, item):
    from_file, from_command_line = two_values(item)
    _toml(works, item.keys[-1], from_file)
    calls = _captured(monkeypatch, "bookmaker.batch", "run_batch")
    result = CliRunner().invoke(app, ["batch", str(works), "-q"])
    assert result.exit_code == 0, result.output
    assert _what_batch_got(calls)[item.name] == expected(item, from_file, works)

    result = CliRunner().invoke(app, ["batch", str(works), "-q",
                                      *options(item, from_command_line)])
    assert result.exit_code == 0, result.output
    assert _what_batch_got(calls)[item.name] == expected(item, from_command_line)


@pytest.mark.parametrize("item", [pytest.param(item, id=item.name) for item in SETTINGS
                                  if "build" in item.commands])
def test_build_takes_it_from_the_file_and_the_command_line_wins(works, monkeypatch, item):
    _toml(works, item.name, two_values(item)[0])
    given = two_values(item)[1]
    calls = _captured(monkeypatch, "bookmaker.convert", "build")
    limits: list[int | None] = []
    monkeypatch.setattr("bookmaker.safety.limits.memory_limit",
                        lambda megabytes: limits.append(megabytes) or contextlib.nullcontext())
    result = CliRunner().invoke(app, ["build", str(works / "story.md"), *options(item, given)])
    assert result.exit_code == 0, result.output
    _paths, formats, out, context, _report = calls["args"]
    got = {**{name: getattr(context.options, name) for name in BuildOptions.__dataclass_fields__},
           "formats": formats, "out": str(out), "timeout": calls["kwargs"]["seconds"],
           "memory_limit": limits[0]}
    assert got[item.name] == expected(item, given)


@pytest.mark.parametrize("item", [pytest.param(item, id=item.name) for item in SETTINGS
                                  if "watch" in item.commands])
def test_watch_takes_it(works, monkeypatch, item):
    given = two_values(item)[1]
    calls = _captured(monkeypatch, "bookmaker.watch", "watch")
    result = CliRunner().invoke(app, ["watch", str(works / "story.md"), *options(item, given)])
    assert result.exit_code == 0, result.output
    command_line = calls["args"][1]
    assert item.check(command_line[item.name]) == item.check(given)
    # What watch's builds will use: the command line over the file.
    _toml(works, item.name, two_values(item)[0])
    run, context, _ = settings_at(works / "story.md", command_line)
    got = {**{name: getattr(context.options, name) for name in BuildOptions.__dataclass_fields__},
           **{name: getattr(run, name) for name in run.__dataclass_fields__}}
    assert got[item.name] == expected(item, given)


def test_only_the_commands_a_setting_names_take_it():
    runner = CliRunner()
    for command in ("build", "batch", "watch"):
        text = runner.invoke(app, [command, "--help"], env={"COLUMNS": "250"}).stdout
        offered = set(re.findall(r"(--[a-z][a-z-]+)", text))
        for item in SETTINGS:
            long_flag = item.flags[0].split("/")[0]
            assert (long_flag in offered) == (command in item.commands), (command, item.name)


def test_a_bad_value_is_refused_alike_from_the_file_and_the_command_line(works):
    _toml(works, "flyleaves", 11)
    from_file = CliRunner().invoke(app, ["build", str(works / "story.md")])
    assert from_file.exit_code == 2
    assert f"{works / 'bookmaker.toml'}:5: [build] flyleaves must be 0 to 10, not 11" in \
        from_file.output
    (works / "bookmaker.toml").unlink()
    given = CliRunner().invoke(app, ["build", str(works / "story.md"), "--flyleaves", "11"])
    assert given.exit_code == 2 and "--flyleaves must be 0 to 10, not 11" in given.output


@pytest.mark.parametrize("item", [pytest.param(item, id=item.name) for item in SETTINGS
                                  if item.file_maximum is not None])
def test_a_bookmaker_toml_cannot_raise_a_budget_the_command_line_can(works, monkeypatch, item):
    over = item.kind(item.file_maximum + 1)
    config = _toml(works, item.name, over)
    refused = CliRunner().invoke(app, ["config", str(works)])
    assert refused.exit_code == 1
    assert f"{config}:5: [build] {item.name} must be at most" in refused.output
    config.unlink()
    calls = _captured(monkeypatch, "bookmaker.batch", "run_batch")
    result = CliRunner().invoke(app, ["batch", str(works), "-q", *options(item, over)])
    assert result.exit_code == 0, result.output
    assert _what_batch_got(calls)[item.name] == over


def test_the_readme_table_is_the_schemas(golden):
    readme = REPO / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = README_TABLE
    before, rest = text.split(start, 1)
    table, after = rest.split(end, 1)
    wanted = settings_table(SETTINGS, BOOK_FORMATS)
    if golden.update:
        readme.write_text(before + start + wanted + end + after, encoding="utf-8")
        return
    assert table == wanted, ("README's table of settings differs from the schema: run "
                             "`pytest --update-golden tests/settings/test_schema.py`")
    for item in SETTINGS:
        assert f"| `{item.name}`" in table

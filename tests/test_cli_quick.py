"""The quick path (cli/quick.py): a plain ``bookmaker build`` read without the Typer app must
mean exactly what the app would make of it, and say exactly what the app would say."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import bookmaker.cli.build as build_command
from bookmaker.cli import app, quick

PLAIN = [
    ["build", "story.md"],
    ["build", "a.md", "folder", "-f", "epub", "-f", "pdf", "-o", "out", "--style", "modern"],
    ["build", "-o", "out", "a.md", "--warnings", "end", "--format", "kepub", "b.txt"],
    ["build", "a.md", "--drop-caps", "--no-marks", "--guide", "--timeout", "30",
     "--flyleaves", "2", "--creep", "0.2mm", "--paper", "6x9", "--theme", "typewriter"],
    ["build", "a.md", "--memory-limit", "512", "--volumes", "2", "--no-generated-cover",
     "--cover", "art.png", "--max-pages", "40", "--signature", "8", "--sheet", "letter"],
    ["build", "", "--timeout", "1e3", "--workers", "+2"],
]
LEFT_TO_TYPER = [
    [], ["build"], ["build", "--help"], ["build", "a.md", "-h"], ["batch", "a"],
    ["--version"], ["build", "a.md", "--anthology", "Rain"], ["build", "a.md", "--omnibus"],
    ["build", "a.md", "--format=epub"], ["build", "a.md", "-fepub"], ["build", "a.md", "-f"],
    ["build", "a.md", "-o", "-f"], ["build", "a.md", "--timeout", "soon"],
    ["build", "a.md", "--flyleaves", "1.5"], ["build", "a.md", "--", "-odd.md"],
    ["build", "a.md", "-o", "one", "-o", "two"], ["build", "a.md", "--marks", "--no-marks"],
    ["build", "a.md", "--jobs", "2"], ["build", "-", "a.md"], ["build", "a.md", "--bogus"],
]


def typer_reading(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple:
    """What the Typer app hands build_books for ``argv``."""
    calls: list[tuple] = []
    monkeypatch.setattr(build_command, "build_books", lambda *args: calls.append(args))
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0, result.output
    return calls[0]


@pytest.mark.parametrize("argv", PLAIN, ids=" ".join)
def test_a_plain_build_is_read_as_typer_reads_it(argv, monkeypatch):
    paths, anthology, editors, skip_failed, omnibus, settings = typer_reading(argv, monkeypatch)
    assert (anthology, editors, skip_failed, omnibus) == (None, (), False, False)
    assert quick.plain_build(argv[1:]) == (paths, settings)


@pytest.mark.parametrize("argv", LEFT_TO_TYPER, ids=" ".join)
def test_anything_else_is_left_to_typer(argv):
    assert (quick.plain_build(argv[1:]) if argv[:1] == ["build"] else None) is None
    assert not quick.build(argv)


def _command(entry: str, args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """``bookmaker ARGS`` through ``main`` (the console script) or straight through the app."""
    code = (f"import sys; sys.argv = ['bookmaker', *{args!r}]\n"
            f"from bookmaker.cli import {entry}\ntry:\n    {entry}()\nfinally:\n"
            "    open('typer.txt', 'w').write(str('typer' in sys.modules))")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=cwd, timeout=600, env={**os.environ, "COLUMNS": "100"})


@pytest.mark.parametrize("args", [
    ["story.md", "-o", "out"],
    ["story.md", "missing.md", "-o", "out", "-f", "epub", "-f", "kepub"],
    ["story.md", "-f", "nope"],
    ["story.md", "--paper", "huge"],
    ["empty", "-o", "out"],
    ["story.md", "--timeout", "soon"],
], ids=" ".join)
def test_the_command_says_and_exits_the_same_either_way(args, tmp_path, seed_path):
    for side in ("main", "app"):
        (tmp_path / side / "empty").mkdir(parents=True)
        (tmp_path / side / "story.md").write_bytes(seed_path.read_bytes())
    through_main = _command("main", ["build", *args], tmp_path / "main")
    through_app = _command("app", ["build", *args], tmp_path / "app")
    assert (through_main.returncode, through_main.stdout, through_main.stderr) == \
        (through_app.returncode, through_app.stdout, through_app.stderr)
    # Only a value Typer must explain takes the quick path's command to the app.
    assert (tmp_path / "main" / "typer.txt").read_text() == str("soon" in args)
    for name in ("out/a-new-hero.epub", "out/a-new-hero.kepub.epub"):
        assert (tmp_path / "main" / name).exists() == (tmp_path / "app" / name).exists()
        if (tmp_path / "main" / name).exists():
            assert (tmp_path / "main" / name).read_bytes() == (tmp_path / "app" / name).read_bytes()

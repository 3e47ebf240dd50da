"""The wheel a user installs: built from the tree, it carries the themes, templates and type
marker inside the package under the distribution's own name, and runs from another folder
without the checkout on the path. (.ci/wheel-smoke does the same in a fresh environment and
builds the seed in every theme.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from paths import REPO

pytestmark = pytest.mark.slow  # the fast tier leaves it out: pytest -m "not slow"

# What a build reads: the rest of the checkout (tests, benchmarks...) never goes in a wheel.
BUILD_INPUTS = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "bookmaker", "styles")


def _wheel(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    tree.mkdir()
    for name in BUILD_INPUTS:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, tree / name, ignore=shutil.ignore_patterns(
                "__pycache__", "*.egg-info"))
        else:
            shutil.copy2(source, tree / name)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "-w", str(tmp_path / "wheel"), str(tree)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    [wheel] = (tmp_path / "wheel").glob("*.whl")
    return wheel


def test_the_wheel_carries_the_themes_and_runs_without_the_checkout(tmp_path):
    wheel = _wheel(tmp_path)
    assert wheel.name.startswith("fanfic_bookmaker-")
    names = set(zipfile.ZipFile(wheel).namelist())
    themes = sorted(p.parent.name for p in (REPO / "styles").glob("*/theme.toml"))
    assert themes
    for theme in themes:
        for file in (REPO / "styles" / theme).iterdir():
            assert f"bookmaker/styles/{theme}/{file.name}" in names
    for template in (REPO / "bookmaker" / "templates").rglob("*.j2"):
        assert template.relative_to(REPO).as_posix() in names
    for asset in (REPO / "bookmaker" / "preview" / "assets").iterdir():  # the preview's page
        assert asset.relative_to(REPO).as_posix() in names
    assert "bookmaker/py.typed" in names
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("/METADATA")))
    assert b"\nName: fanfic-bookmaker\n" in metadata
    entry_points = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith("/entry_points.txt"))).decode()
    assert "bookmaker = bookmaker.cli:main" in entry_points

    # Installed alone (its dependencies come from this environment), run from another folder.
    site = tmp_path / "site"
    install = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                              "--target", str(site), str(wheel)],
                             capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = subprocess.run(
        [sys.executable, "-c", "from bookmaker.settings.resources import STYLES; print(STYLES)"],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60)
    assert Path(where.stdout.strip()) == site / "bookmaker" / "styles", where.stderr
    styles = subprocess.run([sys.executable, "-m", "bookmaker", "styles"], cwd=elsewhere,
                            env=env, capture_output=True, text=True, timeout=60)
    assert styles.returncode == 0, styles.stderr
    assert [line.split()[0] for line in styles.stdout.splitlines()] == themes
    story = elsewhere / "story.md"
    story.write_text("---\ntitle: Packed\nlanguage: en\n---\n\nFrom the wheel.\n",
                     encoding="utf-8")
    built = subprocess.run([sys.executable, "-m", "bookmaker", "build", "story.md", "--style",
                            themes[-1], "-o", "out"], cwd=elsewhere, env=env,
                           capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    assert (elsewhere / "out" / "packed.epub").stat().st_size > 0

"""The one conversion path: `build`, `batch` and `import` give the same book from the same input
and settings, and `batch` takes `build`'s settings from the command line and bookmaker.toml."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

from PIL import Image

from bookmaker.batch import BatchSettings, run_batch
from bookmaker.convert import build
from bookmaker.settings.options import BuildOptions

STORY = "---\ntitle: Rain\nauthor: Tester\nlanguage: en\nrating: Teen And Up Audiences\n---\n\n" \
        "Rain was pelting down when Genesis woke.\n\n* * *\n\nThe second scene.\n"


def _cover(path: Path) -> Path:
    image = Image.new("RGB", (160, 240), (200, 30, 60))
    out = io.BytesIO()
    image.save(out, "PNG")
    path.write_bytes(out.getvalue())
    return path


def _archive(tmp_path: Path) -> Path:
    src = tmp_path / "archive"
    src.mkdir()
    (src / "rain.md").write_text(STORY, encoding="utf-8")
    return src


def _epub_files(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_build_and_batch_give_byte_identical_books_with_a_cover(tmp_path):
    src = _archive(tmp_path)
    options = BuildOptions(cover=str(_cover(tmp_path / "cover.png")), warnings="end")
    [built] = build([src / "rain.md"], ["epub"], tmp_path / "built", options)
    assert built.error is None
    result = run_batch(src, tmp_path / "batched", BatchSettings(jobs=1, options=options))
    assert result.count("built") == 1
    batched = tmp_path / "batched" / "rain.epub"
    assert built.outputs[0].read_bytes() == batched.read_bytes()
    files = _epub_files(batched)
    assert any(name.endswith("cover-cover.png") for name in files), sorted(files)


def _bookmaker(*args: object, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bookmaker", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_batch_takes_the_archives_bookmaker_toml_like_build(tmp_path):
    src = _archive(tmp_path)
    (src / "bookmaker.toml").write_text(
        '[build]\nstyle = "typewriter"\nwarnings = "end"\n', encoding="utf-8")
    done = _bookmaker("batch", src, "-o", tmp_path / "batched", "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    done = _bookmaker("build", src / "rain.md", "-o", tmp_path / "built", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    batched = (tmp_path / "batched" / "rain.epub").read_bytes()
    assert batched == (tmp_path / "built" / "rain.epub").read_bytes()
    files = _epub_files(tmp_path / "batched" / "rain.epub")
    css = b"".join(data for name, data in files.items() if name.endswith(".css"))
    assert b"font-family: monospace" in css  # the typewriter theme
    opf = next(data for name, data in files.items() if name.endswith(".opf")).decode()
    spine = opf[opf.index("<spine"):]
    assert spine.index('idref="warnings"') > spine.index('idref="chapter-001"')


def test_batch_command_line_settings_win_over_the_file(tmp_path):
    src = _archive(tmp_path)
    (src / "bookmaker.toml").write_text('[build]\nwarnings = "end"\n', encoding="utf-8")
    done = _bookmaker("batch", src, "-o", tmp_path / "out", "--warnings", "omit", "--quiet",
                      cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    files = _epub_files(tmp_path / "out" / "rain.epub")
    assert not any("warnings" in name for name in files), sorted(files)


def test_batch_refuses_a_misspelt_setting_before_writing_anything(tmp_path):
    src = _archive(tmp_path)
    done = _bookmaker("batch", src, "-o", tmp_path / "out", "--paper", "a55", cwd=tmp_path)
    assert done.returncode == 2
    assert "did you mean 'a5'?" in done.stderr
    assert not (tmp_path / "out").exists()

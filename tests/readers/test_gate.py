"""One gate for every input: the reader registry opens each file once and hands the reader its
bytes, never a path.

Every registered reader is proved to refuse a symbolic link, a named pipe and a device with one
message naming the file, and to open nothing by its input's path itself: an audit hook counts
the ``open`` events on that path during a read, and there is exactly one, the gate's. The Kindle
reader, which once opened its path through KindleUnpack, is also tried through the real
``build``, ``import`` and ``batch`` commands.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import threading
from pathlib import Path

import pytest
from kindle import mobi_book, story_html
from stranger import SECRET, assert_safe, run_audited

from bookmaker import readers
from bookmaker.errors import ManuscriptError

NOT_OURS = "not-built-by-bookmaker"


# ------------------------------------------------------------------ through the real commands

@pytest.fixture(scope="module")
def kindle_archive(tmp_path_factory):
    """A stranger's folder with a Kindle book of its own, links to a secret Kindle book beside
    it, a named pipe and a device that have Kindle names."""
    root = tmp_path_factory.mktemp("kindle-gate")
    secret = root / "secret"
    secret.mkdir()
    (secret / "secret.mobi").write_bytes(mobi_book(story_html(f"The secret is {SECRET}.")))
    folder = root / NOT_OURS
    folder.mkdir()
    (folder / "own.mobi").write_bytes(mobi_book(story_html("An honest story.", title="Own")))
    (folder / "leak.mobi").symlink_to(secret / "secret.mobi")
    (folder / "leak.azw3").symlink_to(secret / "secret.mobi")
    return root, folder, secret


def test_a_symlinked_kindle_book_is_refused_by_build_import_and_batch(kindle_archive):
    root, folder, secret = kindle_archive
    for command, out in (("build", root / "dist"), ("import", root / "manuscripts"),
                         ("batch", root / "batch")):
        extra = ("--jobs", "1") if command == "batch" else ()
        run = run_audited(command, folder, "-o", out, *extra, cwd=root)
        assert_safe(run, root, out, secret)
        for name in ("leak.mobi", "leak.azw3"):
            assert f"{name}: file is a symbolic link" in run.output, (command, run.output)
        assert run.returncode == 1, (command, run.output)
        made = [path for path in out.rglob("*") if path.is_file() and "own" in path.name]
        assert made, (command, run.output)  # the folder's own book is still read


@pytest.mark.parametrize("name", ["pipe.azw3", "pipe.mobi"])
def test_a_fifo_with_a_kindle_name_is_refused_at_once(tmp_path, name):
    os.mkfifo(tmp_path / name)
    out = tmp_path / "out"
    run = run_audited("build", tmp_path / name, "-o", out, cwd=tmp_path)
    assert_safe(run, tmp_path, out)
    assert f"{tmp_path / name}: file is not a regular file (a named pipe)" in run.stderr

"""What a cluster worker does with a job made on another machine: the batch process's paths to a
built-in theme need not exist on the worker, whose bookmaker may be installed elsewhere."""

from __future__ import annotations

import dataclasses
import zipfile
from pathlib import Path

from bookmaker.batch.worker import Job, convert_one, local_context
from bookmaker.settings.context import render_context
from bookmaker.settings.options import BuildOptions
from bookmaker.settings.resources import STYLES


def _job_elsewhere(tmp_path: Path, theme_folder: Path) -> Job:
    source = tmp_path / "story.md"
    source.write_text("---\ntitle: Far\nlanguage: en\n---\n\nText.\n", encoding="utf-8")
    context = render_context(BuildOptions(style="modern"))
    context = dataclasses.replace(context, theme=dataclasses.replace(context.theme,
                                                                     folder=theme_folder))
    return Job(str(source), "story.md", ("epub",), str(tmp_path / ".story.md.staged.part"),
               context)


def test_a_built_in_theme_installed_elsewhere_is_found_on_the_worker(tmp_path):
    job = _job_elsewhere(tmp_path, Path("/opt/another-install/bookmaker/styles/modern"))
    assert local_context(job.context).theme.folder == STYLES / "modern"
    record = convert_one(job)
    assert record["status"] == "built", record
    assert record["files"] == {"epub": ["far.epub"]}
    with zipfile.ZipFile(job.folder("epub") / "far.epub") as book:
        css = book.read(next(n for n in book.namelist() if n.endswith(".css"))).decode()
    # The modern theme's sheet, merged over the default's as every local build does.
    from bookmaker.settings.themes import find_theme
    from bookmaker.writers.epub.pages import stylesheet

    assert css == stylesheet(find_theme("modern")).content.decode("utf-8")
    assert "font-family: sans-serif" in css


def test_a_theme_folder_the_worker_lacks_fails_that_work_with_a_reason(tmp_path):
    job = _job_elsewhere(tmp_path, tmp_path / "my-own-theme")
    record = convert_one(job)
    assert record["status"] == "failed"
    assert "is not on this worker" in record["error"]["message"]
    assert "internal error" not in record["error"]["message"]

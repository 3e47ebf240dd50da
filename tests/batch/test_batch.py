"""`bookmaker batch` on a generated archive: parallel, isolated, incremental, resumable."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bookmaker import readers
from bookmaker.batch import MANIFEST_NAME, BatchSettings, run_batch
from bookmaker.batch.manifest import Manifest
from bookmaker.batch.report import write_json_report

TESTS = Path(__file__).parent.parent / "helpers"
WAIT = 180  # seconds for an event a busy machine delays; never reached when all is well


def manuscript(title: str, body: str = "There were only three left. Three.") -> str:
    return f"---\ntitle: {title}\nauthor: Tester\nlanguage: en\n---\n\n{body}\n"


ARCHIVE = {
    "top.md": manuscript("At the Top"),
    "shelf/one.md": manuscript("Same Title", "The first of two."),
    "shelf/two.md": manuscript("Same Title", "The second of two."),
    "shelf/deeper/plain.txt": "Title: Plain Words\nAuthor: Someone\n\nRain was pelting down.\n",
    "shelf/deeper/story.markdown": manuscript("A Markdown Story"),
    "broken/bad.md": "---\ntitle: [unclosed\n---\n\nText.\n",
    "broken/greedy.hog": "wants everything",
    "shelf/README.md": "Not a work: skipped.",
}
EXPECTED_OUTPUTS = {"top.md": ["at-the-top.epub"], "shelf/one.md": ["shelf/same-title.epub"],
                    "shelf/two.md": ["shelf/same-title-2.epub"],
                    "shelf/deeper/plain.txt": ["shelf/deeper/plain-words.epub"],
                    "shelf/deeper/story.markdown": ["shelf/deeper/a-markdown-story.epub"]}
# A generous time limit: a book of a few lines must never meet it, however busy the machine.
SETTINGS = BatchSettings(jobs=2, timeout=300, memory_limit_mb=256)


def write_archive(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def plugins():
    """The test readers (.hang, .hog, .slow), registered for this module's tests only."""
    saved_readers = dict(readers.READERS)
    saved_env = os.environ.get("BOOKMAKER_PLUGINS")
    sys.path.insert(0, str(TESTS))
    os.environ["BOOKMAKER_PLUGINS"] = "batch_plugin"
    yield
    readers.READERS.clear()
    readers.READERS.update(saved_readers)
    os.environ.pop("BOOKMAKER_PLUGINS")
    if saved_env is not None:
        os.environ["BOOKMAKER_PLUGINS"] = saved_env
    sys.path.remove(str(TESTS))


@pytest.fixture(scope="module")
def first_run(plugins, tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    src = write_archive(root / "archive", ARCHIVE)
    dist = root / "dist"
    result = run_batch(src, dist, SETTINGS)
    snapshot = {path: path.stat().st_mtime_ns for path in dist.rglob("*.epub")}
    return src, dist, result, snapshot


def by_input(result) -> dict[str, dict]:
    return {record["input"]: record for record in result.records}


def test_every_good_work_is_built_into_the_mirrored_tree(first_run):
    _src, dist, result, _ = first_run
    records = by_input(result)
    for name, outputs in EXPECTED_OUTPUTS.items():
        assert records[name]["status"] == "built", records[name]["error"]
        assert records[name]["outputs"] == outputs
        assert all((dist / output).is_file() for output in outputs)
    built = sorted(p.relative_to(dist).as_posix() for p in dist.rglob("*.epub"))
    assert built == sorted(o for outputs in EXPECTED_OUTPUTS.values() for o in outputs)


def test_readme_is_not_a_work(first_run):
    assert "shelf/README.md" not in by_input(first_run[2])


def test_a_broken_work_is_reported_with_file_and_line(first_run):
    src, _, result, _ = first_run
    error = by_input(result)["broken/bad.md"]["error"]
    assert by_input(result)["broken/bad.md"]["status"] == "failed"
    assert error["file"] == str(src / "broken/bad.md")
    assert error["line"] == 2
    assert "front matter" in error["message"]


def test_a_hanging_work_is_stopped_at_the_time_limit(plugins, tmp_path):
    # Alone in its batch: no other book has to finish within this short limit.
    src = write_archive(tmp_path / "archive", {"broken/stuck.hang": "never read to the end"})
    record = by_input(run_batch(src, tmp_path / "dist", BatchSettings(jobs=1, timeout=2)))[
        "broken/stuck.hang"]
    assert record["status"] == "failed"
    assert "time limit of 2 s" in record["error"]["message"]
    assert record["error"]["file"].endswith("stuck.hang")
    assert record["formats"] == {"epub": {"status": "failed", "outputs": [],
                                          "error": record["error"]}}


def test_a_work_that_exhausts_memory_is_stopped_at_the_memory_limit(first_run):
    record = by_input(first_run[2])["broken/greedy.hog"]
    assert record["status"] == "failed"
    assert "memory" in record["error"]["message"]


def test_no_partial_file_is_left(first_run):
    assert not list(first_run[1].rglob("*.part"))


def test_the_manifest_records_hashes_options_and_outputs(first_run):
    _src, dist, _, _ = first_run
    entries = Manifest.load(dist).entries
    assert set(entries) == {name for name in ARCHIVE if name != "shelf/README.md"}
    one = entries["shelf/one.md"]
    assert one.status == "built" and one.outputs == {"epub": ["shelf/same-title.epub"]}
    assert one.stem == "same-title" and entries["shelf/two.md"].stem == "same-title-2"
    assert len(one.sha256) == len(one.options) == len(one.styles) == 64
    assert entries["broken/bad.md"].status == "failed"


def test_the_json_report_has_one_record_per_input(first_run, tmp_path):
    result = first_run[2]
    write_json_report(result, tmp_path / "report.json")
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["summary"]["built"] == len(EXPECTED_OUTPUTS)
    assert report["summary"]["failed"] == 2
    assert {r["input"] for r in report["inputs"]} == set(by_input(result))
    assert all({"status", "outputs", "seconds", "error"} <= set(r) for r in report["inputs"])


@pytest.fixture(scope="module")
def second_run(first_run):
    src, dist, _, _ = first_run
    return run_batch(src, dist, SETTINGS)


def test_a_rerun_with_nothing_changed_builds_nothing_and_touches_no_output(first_run, second_run):
    _, dist, _, snapshot = first_run
    assert second_run.count("built") == 0
    assert second_run.count("unchanged") == len(EXPECTED_OUTPUTS)
    assert second_run.count("failed") == 2  # still reported, not retried: same bytes, same fate
    assert {path: path.stat().st_mtime_ns for path in dist.rglob("*.epub")} == snapshot
    assert by_input(second_run)["shelf/one.md"]["outputs"] == ["shelf/same-title.epub"]


def test_changing_one_input_rebuilds_that_one_under_the_same_name(first_run, second_run):
    src, dist, _, snapshot = first_run
    # Its title changes too, and the book still keeps the name recorded for it.
    (src / "shelf/two.md").write_text(manuscript("Now Another Title", "Changed."), "utf-8")
    third = run_batch(src, dist, SETTINGS)
    assert [r["input"] for r in third.records if r["status"] == "built"] == ["shelf/two.md"]
    assert by_input(third)["shelf/two.md"]["outputs"] == ["shelf/same-title-2.epub"]
    changed = {path for path in dist.rglob("*.epub") if path.stat().st_mtime_ns != snapshot[path]}
    assert changed == {dist / "shelf/same-title-2.epub"}


def test_a_deleted_output_is_rebuilt(first_run, second_run):
    src, dist, _, _ = first_run
    (dist / "shelf/deeper/plain-words.epub").unlink()
    again = run_batch(src, dist, SETTINGS)
    assert [r["input"] for r in again.records if r["status"] == "built"] == \
        ["shelf/deeper/plain.txt"]
    assert (dist / "shelf/deeper/plain-words.epub").is_file()


def test_force_rebuilds_everything_and_a_mended_failure_is_rebuilt(tmp_path, plugins):
    src = write_archive(tmp_path / "archive", {"a.md": manuscript("A"),
                                               "bad.md": ARCHIVE["broken/bad.md"]})
    run_batch(src, tmp_path / "dist", SETTINGS)
    forced = run_batch(src, tmp_path / "dist", BatchSettings(jobs=1, force=True))
    assert [r["status"] for r in forced.records] == ["built", "failed"]
    (src / "bad.md").write_text(manuscript("Mended"), "utf-8")
    mended = run_batch(src, tmp_path / "dist", BatchSettings(jobs=1))
    assert [r["status"] for r in mended.records] == ["unchanged", "built"]


def test_changed_options_rebuild_every_work(tmp_path, plugins):
    from bookmaker.settings.options import BuildOptions

    src = write_archive(tmp_path / "archive", {"a.md": manuscript("A"), "b.md": manuscript("B")})
    run_batch(src, tmp_path / "dist", BatchSettings(jobs=1))
    moved = run_batch(src, tmp_path / "dist",
                      BatchSettings(jobs=1, options=BuildOptions(warnings="end")))
    assert moved.count("built") == 2


def test_an_output_folder_inside_the_archive_is_refused(tmp_path):
    from bookmaker.errors import BookmakerError

    src = write_archive(tmp_path / "archive", {"a.md": manuscript("A")})
    with pytest.raises(BookmakerError, match="must not be inside the source folder"):
        run_batch(src, src / "dist", BatchSettings(jobs=1))
    assert not (src / "dist").exists()


# ------------------------------------------------------------------------------ interrupting


def _bookmaker(*args: str) -> list[str]:
    return [sys.executable, "-m", "bookmaker", "batch", *args]


def _plugin_environment() -> dict[str, str]:
    return {**os.environ, "BOOKMAKER_PLUGINS": "batch_plugin",
            "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}


def test_an_interrupted_run_leaves_no_partial_output_and_the_next_run_finishes(tmp_path):
    # Each .slow work takes 0.4 s of wall time however idle the machine, two at a time: the
    # manifest is first saved after 2 s, when at least 4 s of work is left for the signal to land
    # in.
    works = {f"part{n // 4}/work-{n:02}.slow": manuscript(f"Work {n}") for n in range(30)}
    src = write_archive(tmp_path / "archive", works)
    dist = tmp_path / "dist"
    command = _bookmaker(str(src), "-o", str(dist), "--jobs", "2")
    process = subprocess.Popen(command, env=_plugin_environment(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + WAIT
    while not (dist / MANIFEST_NAME).exists() and time.monotonic() < deadline \
            and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=WAIT)
    assert process.returncode == 130, stderr
    assert "run the same command again" in stderr

    assert not list(dist.rglob("*.part"))
    done = Manifest.load(dist).entries
    assert 0 < len(done) < len(works)
    books = {p.relative_to(dist).as_posix() for p in dist.rglob("*.epub")}
    assert books == {name for entry in done.values() for name in entry.outputs["epub"]}

    finished = subprocess.run([*command, "--report", str(tmp_path / "report.json")],
                              env=_plugin_environment(), capture_output=True, text=True,
                              timeout=WAIT)
    assert finished.returncode == 0, finished.stderr
    summary = json.loads((tmp_path / "report.json").read_text())["summary"]
    assert summary == {**summary, "built": len(works) - len(done), "unchanged": len(done),
                       "failed": 0}
    assert len(list(dist.rglob("*.epub"))) == len(works)


def test_stopping_the_pool_stops_every_busy_worker(tmp_path):
    # Regression: stopping failed the first busy worker, which removed it from the list being
    # walked, so the next worker was skipped and kept running (and writing) after an interrupt.
    from bookmaker.batch.isolated import IsolatedExecutor

    pool = IsolatedExecutor(2)
    futures = [pool.submit(exec, _WRITE_PID_THEN_SLEEP, {"path": str(tmp_path / f"{n}.pid")})
               for n in range(2)]
    deadline = time.monotonic() + WAIT
    while len(list(tmp_path.glob("*.pid"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    pids = [int(path.read_text()) for path in tmp_path.glob("*.pid")]
    assert len(pids) == 2
    pool.shutdown(wait=True, cancel_futures=True)
    assert all(future.exception(timeout=WAIT) is not None for future in futures)
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


# Run with exec, a builtin: a function of this module would reach the worker as a reference to
# "tests.batch.test_batch", which it cannot import when pytest runs without the current folder on
# sys.path (as `pytest` does, unlike `python -m pytest`).
_WRITE_PID_THEN_SLEEP = ("import os, pathlib, time\n"
                         "pathlib.Path(path).write_text(str(os.getpid()))\n"
                         "time.sleep(60)\n")

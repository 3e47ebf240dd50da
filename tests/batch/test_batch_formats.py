"""``bookmaker batch`` with several formats, through the real command: each format of a work has
its own status (on screen, in ``--report`` and in the manifest), so one that fails never costs
the others and a rerun retries only it; the settings that write several files per work
(``--volumes``, ``--split-signatures``) give every file the work's own name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bookmaker.batch import MANIFEST_NAME
from bookmaker.batch.manifest import Manifest
from paths import REPO

SEED_MANUSCRIPT = REPO / "manuscripts" / "a-new-hero.md"  # 19 pages: too long for a mini-zine
SHORT = "---\ntitle: Short One\nlanguage: en\n---\n\nA few words.\n"
WAIT = 600  # seconds for a batch of PDFs on a busy machine; never reached when all is well


def batch(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bookmaker", "batch", *map(str, args)],
                          capture_output=True, text=True, timeout=WAIT,
                          env={**os.environ, "SOURCE_DATE_EPOCH": "1234567890"})


def _archive(root: Path) -> Path:
    src = root / "archive"
    (src / "long").mkdir(parents=True)
    (src / "long" / "a-new-hero.md").write_text(SEED_MANUSCRIPT.read_text(encoding="utf-8"),
                                               encoding="utf-8")
    (src / "short.md").write_text(SHORT, encoding="utf-8")
    return src


def _mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*")
            if p.is_file() and p.name != MANIFEST_NAME and not p.name.startswith(".")}


def test_a_failed_format_is_reported_alone_and_retried_alone(tmp_path):
    src, out = _archive(tmp_path), tmp_path / "out"
    first = batch(src, "-o", out, "-f", "minizine", "-f", "epub", "--report", tmp_path / "1.json")
    assert first.returncode == 1, first.stderr
    assert sorted(_mtimes(out)) == ["long/a-new-hero.epub", "short-one.epub",
                                     "short-one.minizine.pdf"]
    assert "failed long/a-new-hero.md: " in first.stdout and "[minizine]: too long" in \
        first.stdout, first.stdout

    report = {r["input"]: r for r in json.loads((tmp_path / "1.json").read_text())["inputs"]}
    long = report["long/a-new-hero.md"]
    assert long["status"] == "failed" and long["outputs"] == ["long/a-new-hero.epub"]
    assert long["formats"]["epub"] == {"status": "built", "outputs": ["long/a-new-hero.epub"],
                                       "error": None}
    assert long["formats"]["minizine"]["status"] == "failed"
    assert "[minizine]: too long" in long["formats"]["minizine"]["error"]["message"]
    assert long["error"] == long["formats"]["minizine"]["error"]
    assert report["short.md"]["status"] == "built"
    entry = Manifest.load(out).entries["long/a-new-hero.md"]
    assert entry.outputs == {"epub": ["long/a-new-hero.epub"]}
    assert set(entry.errors) == {"minizine"} and entry.status == "failed"

    built = _mtimes(out)
    again = batch(src, "-o", out, "-f", "minizine", "-f", "epub", "--report", tmp_path / "2.json")
    assert again.returncode == 1, again.stderr  # reported again, not retried: the same bytes
    assert _mtimes(out) == built
    report = {r["input"]: r for r in json.loads((tmp_path / "2.json").read_text())["inputs"]}
    assert {name: f["status"] for name, f in report["long/a-new-hero.md"]["formats"].items()} \
        == {"minizine": "failed", "epub": "unchanged"}
    assert report["short.md"]["status"] == "unchanged"

    retried = batch(src, "-o", out, "-f", "minizine", "-f", "epub", "--retry-failed",
                    "--report", tmp_path / "3.json")
    assert retried.returncode == 1, retried.stderr
    assert _mtimes(out) == built  # only the mini-zine was tried, and failed again
    report = {r["input"]: r for r in json.loads((tmp_path / "3.json").read_text())["inputs"]}
    assert report["long/a-new-hero.md"]["formats"]["epub"]["status"] == "unchanged"
    assert report["long/a-new-hero.md"]["formats"]["minizine"]["status"] == "failed"
    assert report["long/a-new-hero.md"]["seconds"] > 0  # it was built again


def test_volumes_and_split_signatures_are_named_after_the_work_and_kept_tidy(tmp_path):
    src = tmp_path / "archive"
    src.mkdir()
    chapters = "".join(f"# Part {n}\n\n" + "Rain fell on the roofs of the town. " * 120 + "\n\n"
                       for n in range(1, 5))
    (src / "long.md").write_text(f"---\ntitle: Long Rain\nlanguage: en\n---\n\n{chapters}",
                                 encoding="utf-8")
    out = tmp_path / "out"
    first = batch(src, "-o", out, "-f", "pdf", "-f", "zine", "--volumes", "2", "--signature", "4",
                  "--split-signatures")
    assert first.returncode == 0, first.stderr
    names = sorted(_mtimes(out))
    assert {"long-rain-volume-1.pdf", "long-rain-volume-2.pdf", "long-rain-volume-1.zine.pdf",
            "long-rain-volume-2.zine.pdf", "long-rain-volume-1.zine.signature-01.pdf"} <= \
        set(names), names
    assert all(name.startswith("long-rain-volume-") for name in names), names
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]
    entry = Manifest.load(out).entries["long.md"]
    assert sorted(name for files in entry.outputs.values() for name in files) == names

    unchanged = _mtimes(out)
    assert batch(src, "-o", out, "-f", "pdf", "-f", "zine", "--volumes", "2", "--signature", "4",
                 "--split-signatures").returncode == 0
    assert _mtimes(out) == unchanged

    # One volume now: the settings changed, so the work is rebuilt, and the volumes it no longer
    # has are gone rather than left beside the new books.
    single = batch(src, "-o", out, "-f", "pdf", "-f", "zine")
    assert single.returncode == 0, single.stderr
    assert sorted(_mtimes(out)) == ["long-rain.pdf", "long-rain.zine.pdf"]


def test_a_version_1_manifest_is_read_and_its_names_are_kept(tmp_path):
    """A manifest written before formats had their own files and errors: one file per format,
    a failure the whole input's, no stem. A rerun trusts it, and a rebuilt work keeps its name."""
    from bookmaker.batch import BatchSettings, run_batch

    src = tmp_path / "archive"
    src.mkdir()
    for name in ("one", "two"):
        (src / f"{name}.md").write_text("---\ntitle: Same Title\nlanguage: en\n---\n\nWords.\n",
                                        encoding="utf-8")
    (src / "bad.md").write_text("---\ntitle: [unclosed\n---\n\nText.\n", encoding="utf-8")
    out = tmp_path / "out"
    run_batch(src, out, BatchSettings(jobs=1))
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    for entry in manifest["inputs"].values():  # as version 1 wrote it
        entry["outputs"] = {name: files[0] for name, files in entry["outputs"].items()}
        entry.pop("errors"), entry.pop("stem")
    manifest["manifest_version"] = 1
    (out / MANIFEST_NAME).write_text(json.dumps(manifest))

    again = run_batch(src, out, BatchSettings(jobs=1))
    assert [r["status"] for r in again.records] == ["failed", "unchanged", "unchanged"]
    (src / "two.md").write_text("---\ntitle: Same Title\nlanguage: en\n---\n\nOther words.\n",
                                encoding="utf-8")
    rebuilt = run_batch(src, out, BatchSettings(jobs=1))
    assert [r["outputs"] for r in rebuilt.records] == [[], ["same-title.epub"],
                                                       ["same-title-2.epub"]]
    assert [r["status"] for r in rebuilt.records] == ["failed", "unchanged", "built"]
    assert sorted(p.name for p in out.glob("*.epub")) == ["same-title-2.epub", "same-title.epub"]
    assert Manifest.load(out).entries["two.md"].stem == "same-title-2"

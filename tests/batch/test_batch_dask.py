"""The same batch on a Dask cluster (a LocalCluster of two processes) builds the same books."""

from __future__ import annotations

import distributed
import pytest

from bookmaker.batch import BatchSettings, run_batch

pytestmark = pytest.mark.slow  # the fast tier leaves it out: pytest -m "not slow"


def test_the_dask_path_builds_the_same_books_as_the_local_path(tmp_path):
    src = tmp_path / "archive"
    works = {"a.md": "A One", "b/b.md": "Be Two", "b/c.md": "Be Two", "d/e/f.md": "Deep Three"}
    for name, title in works.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(f"---\ntitle: {title}\nlanguage: en\n---\n\nSome words.\n")
    local = run_batch(src, tmp_path / "local", BatchSettings(jobs=2))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        on_dask = run_batch(src, tmp_path / "dask", BatchSettings(
            scheduler=cluster.scheduler_address))
    assert on_dask.count("built") == len(works) == local.count("built")
    assert [r["outputs"] for r in on_dask.records] == [r["outputs"] for r in local.records]
    for record in local.records:
        for output in record["outputs"]:
            assert (tmp_path / "dask" / output).read_bytes() == \
                (tmp_path / "local" / output).read_bytes()


def test_a_hanging_work_on_a_dask_worker_is_stopped_at_the_time_limit(tmp_path):
    """Dask cannot stop a running task, so the task keeps the time limit itself, in the worker's
    thread: the hanging work fails with the limit's message, the worker thread is free again and
    the next work is built."""
    import importlib
    import sys

    from bookmaker import readers
    from paths import REPO

    saved = dict(readers.READERS)
    sys.path.insert(0, str(REPO / "tests" / "helpers"))
    try:
        # Registers .spin in this process, the workers' too (imported afresh: another test may
        # have imported it and put the registry back since).
        sys.modules.pop("batch_plugin", None)
        importlib.import_module("batch_plugin")

        src = tmp_path / "archive"
        src.mkdir()
        (src / "a-stuck.spin").write_text("---\ntitle: Stuck\n---\n\nText.\n")
        (src / "b-fine.md").write_text("---\ntitle: Fine\n---\n\nText.\n")
        with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                      protocol="tcp", dashboard_address=None) as cluster:
            result = run_batch(src, tmp_path / "dask", BatchSettings(
                scheduler=cluster.scheduler_address, timeout=2))
    finally:  # as it was: the next test to load the plugin registers it again
        readers.READERS.clear()
        readers.READERS.update(saved)
        sys.modules.pop("batch_plugin", None)
        sys.path.remove(str(REPO / "tests" / "helpers"))
    stuck, fine = result.records
    assert stuck["status"] == "failed"
    assert "took longer than 2 s, the time limit of one file" in stuck["error"]["message"]
    assert fine["status"] == "built" and (tmp_path / "dask" / "fine.epub").exists()

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

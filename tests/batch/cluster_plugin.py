"""A test-only reader for the real-cluster test (test_batch_dask_cluster.py), loaded the way any
plugin is (``BOOKMAKER_PLUGINS=cluster_plugin``, this folder on the Python path).

``.pause`` is a manuscript read after a pause, on a Dask worker only: there (the worker's own
environment names a folder in ``CLUSTER_TEST_SIGNALS``) it first writes ``started-PID`` into that
folder, so the test knows which worker process to kill mid-run, and ``read-PID-STEM`` once read.
A local batch reads it at once.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from bookmaker import readers
from bookmaker.readers import markdown as manuscript

PAUSE_SECONDS = 2.0
SIGNALS = "CLUSTER_TEST_SIGNALS"

readers.register(readers.ReaderInfo("cluster-test", (".pause",), __name__,
                                    "a test-only reader of the cluster test"))


def read_with_findings(source):
    signals = os.environ.get(SIGNALS)
    if not signals:
        return manuscript.read_with_findings(source)
    stem = source.name.stem
    (Path(signals) / f"started-{os.getpid()}-{stem}").write_text(str(source.name),
                                                                  encoding="utf-8")
    time.sleep(PAUSE_SECONDS)
    book = manuscript.read_with_findings(source)
    (Path(signals) / f"read-{os.getpid()}-{stem}").write_text(str(source.name),
                                                               encoding="utf-8")
    return book

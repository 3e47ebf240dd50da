"""Test-only readers for the batch tests, loaded the way any plugin is:
``BOOKMAKER_PLUGINS=batch_plugin`` (with tests/helpers/ on the Python path), and registered the
way any plugin registers a format: ``readers.register(ReaderInfo(...))``. Production code knows
nothing of them.

- ``.hang``: never returns (asleep), for the time limit;
- ``.spin``: never returns (computing, as a runaway parse does), for the time limit in a thread
  other than the main one, which stops Python code, not a call blocked in the system;
- ``.hog``: allocates memory without end, for the memory limit;
- ``.slow``: a manuscript read after a pause, so a test can interrupt a batch half-way.
"""

from __future__ import annotations

import time

from bookmaker import readers
from bookmaker.readers import markdown as manuscript

SLOW_SECONDS = 0.4

readers.register(readers.ReaderInfo("batch-test", (".hang", ".spin", ".hog", ".slow"), __name__,
                                    "test-only readers of the batch tests"))


def read_with_findings(source):
    if source.name.suffix == ".hang":
        while True:
            time.sleep(60)
    if source.name.suffix == ".spin":
        while True:
            pass
    if source.name.suffix == ".hog":
        hoard = []
        while True:
            hoard.append(bytearray(32 * 2**20))
    time.sleep(SLOW_SECONDS)
    return manuscript.read_with_findings(source)

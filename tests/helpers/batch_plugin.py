"""Test-only readers for the batch tests, loaded the way any plugin is:
``BOOKMAKER_PLUGINS=batch_plugin`` (with tests/helpers/ on the Python path). Production code
knows nothing of them.

- ``.hang``: never returns, for the time limit;
- ``.hog``: allocates memory without end, for the memory limit;
- ``.slow``: a manuscript read after a pause, so a test can interrupt a batch half-way.
"""

from __future__ import annotations

import sys
import time

from bookmaker import readers
from bookmaker.readers import markdown as manuscript

SLOW_SECONDS = 0.4
MODULE = "batch_test_plugin"

# READERS names modules under bookmaker.readers; this one answers to such a name.
sys.modules[f"bookmaker.readers.{MODULE}"] = sys.modules[__name__]
for extension in (".hang", ".hog", ".slow"):
    readers.READERS[extension] = MODULE


def read(path):
    if path.suffix == ".hang":
        while True:
            time.sleep(60)
    if path.suffix == ".hog":
        hoard = []
        while True:
            hoard.append(bytearray(32 * 2**20))
    time.sleep(SLOW_SECONDS)
    return manuscript.read(path)

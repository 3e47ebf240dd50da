"""Batch-convert a whole archive: parallel, incremental, resumable, with progress and a report.

    from bookmaker.batch import BatchSettings, run_batch
    result = run_batch("archive/", "dist/", BatchSettings(formats=("epub",)))

Modules: plan (what changed), manifest (what was built from what), worker (one book, in any
process), isolated (the local pool with time and memory limits), cluster (Dask), run (the loop),
progress and report (what the user sees).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bookmaker.batch.manifest import MANIFEST_NAME
    from bookmaker.batch.run import BatchResult, BatchSettings, run_batch

__all__ = ["MANIFEST_NAME", "BatchResult", "BatchSettings", "run_batch"]

# Loaded when first asked for: ``build`` uses batch/signals.py for Ctrl-C, and must not pay for
# the batch loop, its manifest and pools to do so.
_HOME = {"MANIFEST_NAME": "bookmaker.batch.manifest", "BatchResult": "bookmaker.batch.run",
         "BatchSettings": "bookmaker.batch.run", "run_batch": "bookmaker.batch.run"}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOME[name]), name)

"""Batch-convert a whole archive: parallel, incremental, resumable, with progress and a report.

    from bookmaker.batch import BatchSettings, run_batch
    result = run_batch("archive/", "dist/", BatchSettings(formats=("epub",)))

Modules: plan (what changed), manifest (what was built from what), worker (one book, in any
process), isolated (the local pool with time and memory limits), cluster (Dask), run (the loop),
progress and report (what the user sees).
"""

from bookmaker.batch.manifest import MANIFEST_NAME
from bookmaker.batch.run import BatchResult, BatchSettings, run_batch

__all__ = ["MANIFEST_NAME", "BatchResult", "BatchSettings", "run_batch"]

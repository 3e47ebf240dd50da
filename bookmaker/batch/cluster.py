"""Run a batch on an existing Dask distributed cluster (``pip install 'bookmaker[cluster]'``).

Every worker must have bookmaker installed and see the source and output folders at the same
paths: the workers read the inputs and write the books themselves.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
from collections.abc import Iterator

from bookmaker.errors import BookmakerError


@contextlib.contextmanager
def dask_executor(address: str) -> Iterator[tuple[cf.Executor, int]]:
    """A ``concurrent.futures`` executor on the scheduler at ``address``, and its worker threads."""
    try:
        import distributed
    except ImportError:
        raise BookmakerError("--scheduler needs Dask: pip install 'bookmaker[cluster]'") from None
    try:
        client = distributed.Client(address, timeout="10s")
    except OSError as error:
        raise BookmakerError(f"cannot reach the Dask scheduler at {address}: {error} "
                             f"(start one with `dask scheduler`)") from None
    try:
        slots = sum(client.nthreads().values()) or 1
        # pure=False: a book is built once per run even if an identical job was submitted before.
        yield client.get_executor(pure=False), slots
    finally:
        client.close()

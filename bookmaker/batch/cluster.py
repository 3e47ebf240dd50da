"""Run a batch on an existing Dask distributed cluster
(``pip install 'fanfic-bookmaker[cluster]'``).

Every worker must have bookmaker installed and see the source and output folders at the same
paths: the workers read the inputs and write the books themselves. Nothing else is shared: each
job carries the absolute paths, the options, the theme and the timestamp setting (see worker.py),
so workers started anywhere, with any working folder and environment, build the same bytes.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
from collections.abc import Iterator

from bookmaker.errors import BookmakerError

# How long an unreachable scheduler may keep the batch waiting before it is an error.
CONNECT_SECONDS = 3


@contextlib.contextmanager
def dask_executor(address: str) -> Iterator[tuple[cf.Executor, int]]:
    """A ``concurrent.futures`` executor on the scheduler at ``address``, and its worker threads."""
    try:
        import distributed
    except ImportError:
        raise BookmakerError("--scheduler needs Dask: pip install 'fanfic-bookmaker[cluster]'") \
            from None
    try:
        client = distributed.Client(address, timeout=f"{CONNECT_SECONDS}s",
                                    set_as_default=False)
    except (OSError, ValueError, TypeError) as error:  # refused, timed out, not an address
        raise BookmakerError(f"cannot reach the Dask scheduler at {address}: {error} "
                             f"(is `dask scheduler` running there? is the address right?)") \
            from None
    try:
        slots = sum(client.nthreads().values()) or 1
        # pure=False: a book is built once per run even if an identical job was submitted before.
        executor = client.get_executor(pure=False)
        try:
            yield executor, slots
        except BaseException:
            # Interrupted or failed: take back every future not yet finished, so the scheduler
            # starts no more of them (a task already running on a worker thread finishes, and
            # removes its own staged files: see worker.convert_one).
            executor.shutdown(wait=False)
            raise
    finally:
        client.close(timeout=CONNECT_SECONDS)

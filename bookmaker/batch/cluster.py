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
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

from bookmaker.errors import BookmakerError

# How long an unreachable scheduler may keep the batch waiting before it is an error: the
# scheduler's port is tried first, with this bound, so a wrong address fails at once.
CONNECT_SECONDS = 3
# The client's own budget, once the scheduler answered: for the handshake and for reconnecting
# when a busy machine delays the connection. Dask closes a client that cannot reconnect within
# it, and every book in flight then fails; a few seconds is not enough on a loaded machine.
CLIENT_SECONDS = 120


@contextlib.contextmanager
def dask_executor(address: str) -> Iterator[tuple[cf.Executor, int]]:
    """A ``concurrent.futures`` executor on the scheduler at ``address``, and its worker threads."""
    try:
        import distributed
    except ImportError:
        raise BookmakerError("--scheduler needs Dask: pip install 'fanfic-bookmaker[cluster]'") \
            from None
    try:
        _probe(address)
        client = distributed.Client(address, timeout=f"{CLIENT_SECONDS}s",
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
        client.close(timeout=CLIENT_SECONDS)


def _probe(address: str) -> None:
    """An OSError when nothing listens at a ``tcp://HOST:PORT`` address within CONNECT_SECONDS
    (other transports are left to Dask)."""
    parts = urlsplit(address)
    if parts.scheme == "tcp" and parts.hostname and parts.port:
        socket.create_connection((parts.hostname, parts.port), timeout=CONNECT_SECONDS).close()

"""Time and memory limits for one ``bookmaker build``, like those ``bookmaker batch`` gives each
worker: the budgets in budgets.py, archives.py and xml.py bound what a file can make bookmaker do,
and these are the net under them, for whatever a budget did not foresee.

The time limit is per book: SIGALRM interrupts the book being built (only in the main thread of
the process; a Dask worker's thread relies on the batch's own limit) and the book fails with a
message naming it, while the books after it still build. The memory limit is an address-space
limit on the whole process (RLIMIT_AS) while the build runs, which it only ever lowers.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

from bookmaker.terminal import printable_name

DEFAULT_BOOK_SECONDS = 300.0
DEFAULT_MEMORY_MB = 2048


class BookTimeout(BaseException):
    """One book took longer than the time limit. A BaseException, so that no library's
    ``except Exception`` swallows it; convert turns it into the book's error."""


@contextlib.contextmanager
def time_limit(source: Path, seconds: float | None) -> Iterator[None]:
    """Raise BookTimeout naming ``source`` if the body runs longer than ``seconds``."""
    if not seconds or threading.current_thread() is not threading.main_thread() \
            or not hasattr(signal, "setitimer"):
        yield
        return

    def stop(_signal: int, _frame: object) -> None:
        raise BookTimeout(f"{printable_name(str(source))}: took longer than {seconds:g} s, the "
                          "time limit of one book (raise it with --timeout if the book is "
                          "really that large)")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def memory_limit(megabytes: int | None) -> Iterator[None]:
    """This process's address-space limit lowered to ``megabytes`` (never raised) while the body
    runs, and put back after: a build run in-process (tests, a caller's program) leaves the
    process as it found it."""
    try:
        import resource
    except ImportError:  # not on this system: the budgets still apply
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = (megabytes or 0) * 2**20
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if not wanted or (soft != resource.RLIM_INFINITY and wanted >= soft):
        yield
        return
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))

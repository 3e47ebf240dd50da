"""The one budget of every command that reads a stranger's file: time per file, memory per
process, as ``bookmaker batch`` gives each of its workers.

The budgets in budgets.py, archives.py, palmdb.py and xml.py bound what a file can make bookmaker
do (and the gate's size budgets bound what is read at all, for every command, since every input
is opened there); these are the net under them, for whatever a budget did not foresee. One
``Budget`` holds both, made from the ``--timeout`` and ``--memory-limit`` of whichever command
runs (settings/options.py declares them once, for build, batch, watch, import, check, inspect and
preview), with the same defaults everywhere.

The time limit is per file (a book, each work of an anthology, an EPUB checked): SIGALRM
interrupts the file in the main thread, an asynchronous exception any other thread (the preview
builds on one), and that file alone fails with a message naming it while the files after it go
on. The memory limit is an address-space limit on the whole process (RLIMIT_AS) while the command
runs, which it only ever lowers; a file that needs more fails alone. A batch applies the same two
numbers to each worker process (batch/isolated.py), which it can kill outright.
"""

from __future__ import annotations

import contextlib
import ctypes
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath

from bookmaker.errors import ManuscriptError

DEFAULT_BOOK_SECONDS = 300.0
DEFAULT_MEMORY_MB = 2048


class BookTimeout(BaseException):
    """One file took longer than the time limit. A BaseException, so that no library's
    ``except Exception`` swallows it; ``within`` and convert turn it into the file's error."""


class OverBudget(ManuscriptError):
    """One file needed more time or memory than the budget gives; it names the file and the
    option that raises the limit."""


@dataclass(frozen=True)
class Budget:
    """What one command may spend: ``seconds`` per file, ``memory_mb`` for the process (None:
    no limit of that kind)."""

    seconds: float | None = DEFAULT_BOOK_SECONDS
    memory_mb: int | None = DEFAULT_MEMORY_MB

    def process(self) -> contextlib.AbstractContextManager[None]:
        """The process's memory limit while the command runs."""
        return memory_limit(self.memory_mb)

    def file(self, source: str | PurePath) -> contextlib.AbstractContextManager[None]:
        """The time limit of one file, and either limit met said as OverBudget naming it."""
        return within(source, self.seconds)


@contextlib.contextmanager
def within(source: str | PurePath, seconds: float | None) -> Iterator[None]:
    """Raise OverBudget naming ``source`` when the body runs longer than ``seconds`` or meets
    the process's memory limit; the books or files after it are not affected."""
    try:
        with time_limit(source, seconds):
            yield
    except BookTimeout:
        assert seconds  # only a limit raises it
        raise too_long(source, seconds) from None
    except MemoryError:
        raise over_memory(source) from None


def too_long(source: str | PurePath, seconds: float) -> OverBudget:
    """The error of a file that ran past the time limit."""
    return OverBudget(f"took longer than {seconds:g} s, the time limit of one file", source,
                      hint="raise it with --timeout if the file is really that large")


def over_memory(source: str | PurePath) -> OverBudget:
    """The error of a file that met the process's memory limit."""
    return OverBudget("needed more memory than the limit allows", source,
                      hint="raise it with --memory-limit if the file is really that large")


@contextlib.contextmanager
def time_limit(source: str | PurePath, seconds: float | None) -> Iterator[None]:
    """Raise BookTimeout naming ``source`` if the body runs longer than ``seconds``."""
    if not seconds:
        yield
    elif threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        with _alarm(source, seconds):
            yield
    else:
        with _thread_alarm(source, seconds):
            yield


@contextlib.contextmanager
def _alarm(source: str | PurePath, seconds: float) -> Iterator[None]:
    def stop(_signal: int, _frame: object) -> None:
        raise BookTimeout(str(too_long(source, seconds)))

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _thread_alarm(source: str | PurePath, seconds: float) -> Iterator[None]:
    """SIGALRM reaches only the main thread: another thread is stopped with an asynchronous
    exception, raised in it (as a signal's handler would be) at its next Python instruction. So
    it stops Python code that runs on (a runaway parse or layout), not a call blocked in the
    system, which no reader makes: the gate reads every input before a reader runs.
    The lock makes the timer and the end of the body exclusive, so the exception can only land
    inside the body or on its way out of this function, never in the caller's code after it."""
    target = threading.get_ident()
    lock = threading.Lock()
    state = {"running": True, "fired": False}

    def fire() -> None:
        with lock:
            if state["running"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target),
                                                           ctypes.py_object(BookTimeout))

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        try:
            yield
        finally:
            with lock:
                state["running"] = False
            timer.cancel()
    except BookTimeout:
        if state["fired"]:
            raise BookTimeout(str(too_long(source, seconds))) from None
        raise


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

"""A ``concurrent.futures`` executor whose tasks can be stopped: long-lived worker processes with a
time limit and a memory limit per task.

``ProcessPoolExecutor`` cannot kill one task, and one hanging or runaway book would stall or sink
the whole pool. Here each worker is a process of its own: a task that overruns its time is killed
with its worker; a task that exceeds the memory limit (an address-space rlimit in the worker) fails
with MemoryError and its worker is replaced; a worker that dies takes only its own task along.
Workers are forked from a single-threaded fork server that has already imported the modules named
in ``preload``, so a new or replacement worker starts in milliseconds.
"""

from __future__ import annotations

import contextlib
import collections
import concurrent.futures as cf
import multiprocessing
import multiprocessing.connection
import os
import resource
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


class TimeLimitExceeded(Exception):
    """The task ran longer than the executor's time limit and was killed."""


class MemoryLimitExceeded(Exception):
    """The task needed more memory than the executor's memory limit."""


class WorkerDied(Exception):
    """The worker process running the task ended without an answer (killed, crashed)."""


@dataclass
class _Task:
    future: cf.Future
    call: tuple  # (fn, args, kwargs)


class _Worker:
    """One worker process and the task it is running, if any."""

    def __init__(self, context, memory_limit: int | None, initializer, initargs) -> None:
        self.connection, child_end = context.Pipe()
        self.process = context.Process(
            target=_worker_main, args=(child_end, memory_limit, initializer, initargs),
            daemon=True)
        self.process.start()
        child_end.close()
        self.ready = False  # set up (initializer run) and waiting for tasks
        self.task: _Task | None = None
        self.started = 0.0

    def give(self, task: _Task) -> None:
        self.task, self.started = task, time.monotonic()
        self.connection.send(task.call)

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()


class IsolatedExecutor(cf.Executor):
    """Runs each submitted call in one of ``max_workers`` worker processes.

    ``timeout`` (seconds) and ``memory_limit`` (bytes of address space per worker) are per task;
    None means no limit. ``shutdown(cancel_futures=True)`` also stops running tasks: unlike a
    thread, a worker process can be stopped, and this is what an interrupted batch needs.
    """

    def __init__(self, max_workers: int | None = None, timeout: float | None = None,
                 memory_limit: int | None = None, initializer: Callable | None = None,
                 initargs: tuple = (), preload: tuple[str, ...] = ()) -> None:
        self._max_workers = max_workers or os.cpu_count() or 1
        self._timeout = timeout
        self._memory_limit = memory_limit
        self._initializer, self._initargs = initializer, initargs
        self._context = multiprocessing.get_context("forkserver")
        if preload:
            self._context.set_forkserver_preload(list(preload))
        self._pending: collections.deque[_Task] = collections.deque()
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()
        self._wake_reader, self._wake_writer = multiprocessing.Pipe(duplex=False)
        self._closing = False
        self._start_failures = 0  # workers in a row that died before they were set up
        self._stop_running = False
        self._dispatcher = threading.Thread(target=self._dispatch, name="isolated-executor",
                                            daemon=True)
        self._dispatcher.start()

    def submit(self, fn, /, *args, **kwargs) -> cf.Future:
        future: cf.Future = cf.Future()
        with self._lock:
            if self._closing:
                raise RuntimeError("cannot submit after shutdown")
            self._pending.append(_Task(future, (fn, args, kwargs)))
        self._wake()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._closing = True
            if cancel_futures:
                self._stop_running = True
                while self._pending:
                    self._pending.popleft().future.cancel()
        self._wake()
        if wait or cancel_futures:
            self._dispatcher.join()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):  # the dispatcher is gone already
            self._wake_writer.send_bytes(b"!")

    # ----------------------------------------------------------------------- the dispatcher thread

    def _dispatch(self) -> None:
        """Hand tasks to idle workers, collect answers, enforce the time limit; until shut down."""
        try:
            while not self._finished():
                self._hand_out()
                busy = [w for w in self._workers if w.task]
                starting = [w for w in self._workers if not w.ready]
                ready = multiprocessing.connection.wait(
                    [self._wake_reader] + [w.connection for w in busy + starting],
                    self._wait_time(busy))
                if self._wake_reader in ready:
                    while self._wake_reader.poll():
                        self._wake_reader.recv_bytes()
                for worker in starting:
                    if worker.connection in ready:
                        self._welcome(worker)
                for worker in busy:
                    if worker.connection in ready:
                        self._collect(worker)
                    elif self._timeout and time.monotonic() - worker.started > self._timeout:
                        self._fail(worker, TimeLimitExceeded(
                            f"took longer than the time limit of {self._timeout:g} s"))
        finally:
            # A copy: failing a busy worker removes it from the list, which would skip the next.
            for worker in list(self._workers):
                if worker.task:
                    self._fail(worker, WorkerDied("stopped: the batch was interrupted"))
                else:
                    worker.kill()
            self._workers.clear()
            self._wake_reader.close()
            self._wake_writer.close()

    def _finished(self) -> bool:
        with self._lock:
            if self._stop_running:
                return True
            return self._closing and not self._pending and not any(
                w.task for w in self._workers)

    def _hand_out(self) -> None:
        """Give pending tasks to idle workers; start workers (up to the maximum) for the rest.

        A task's clock starts when a set-up worker takes it, so a worker's start-up (imports,
        under a loaded machine) never counts against a book's time limit.
        """
        while True:
            with self._lock:
                waiting = len(self._pending)
                if not waiting:
                    return
                idle = next((w for w in self._workers if w.ready and not w.task), None)
                if idle is None:
                    starting = sum(1 for w in self._workers if not w.ready)
                    if starting < waiting and len(self._workers) < self._max_workers:
                        self._workers.append(_Worker(self._context, self._memory_limit,
                                                     self._initializer, self._initargs))
                        continue
                    return
                task = self._pending.popleft()
            if task.future.set_running_or_notify_cancel():
                idle.give(task)

    def _welcome(self, worker: _Worker) -> None:
        """A new worker says it is set up, or died trying (then it is dropped; the next task
        starts another, and a task fails only when its own worker dies)."""
        try:
            worker.connection.recv()
            worker.ready = True
            self._start_failures = 0
        except (EOFError, OSError):
            self._replace(worker)
            self._start_failures += 1
            if self._start_failures >= 3:  # it will not get better: fail a task, not loop forever
                self._start_failures = 0
                with self._lock:
                    task = self._pending.popleft() if self._pending else None
                if task and task.future.set_running_or_notify_cancel():
                    task.future.set_exception(WorkerDied(
                        f"worker processes fail to start (exit code {worker.process.exitcode})"))

    def _wait_time(self, busy: list[_Worker]) -> float:
        if not self._timeout or not busy:
            return 1.0
        soonest = min(w.started for w in busy) + self._timeout
        return max(0.0, min(1.0, soonest - time.monotonic()))

    def _collect(self, worker: _Worker) -> None:
        try:
            kind, value = worker.connection.recv()
        except (EOFError, OSError):
            code = worker.process.exitcode
            self._fail(worker, WorkerDied(
                f"the worker process ended without an answer (exit code {code})"))
            return
        assert worker.task is not None  # an answer comes only from a worker given a task
        future, worker.task = worker.task.future, None
        if kind == "ok":
            future.set_result(value)
        elif kind == "memory":
            self._replace(worker)
            future.set_exception(MemoryLimitExceeded(
                f"needed more memory than the limit of {(self._memory_limit or 0) // 2**20} MB"))
        else:
            future.set_exception(value)

    def _fail(self, worker: _Worker, error: Exception) -> None:
        """Kill ``worker`` (its state is unknown), fail its task, and forget it."""
        assert worker.task is not None  # only a worker with a task can fail one
        future, worker.task = worker.task.future, None
        self._replace(worker)
        future.set_exception(error)

    def _replace(self, worker: _Worker) -> None:
        """Retire ``worker``; a fresh one is started when the next task needs it."""
        worker.kill()
        self._workers.remove(worker)


def _worker_main(connection, memory_limit: int | None, initializer, initargs) -> None:
    """A worker's life: set up once, then run tasks until the executor closes the pipe.

    Ctrl-C reaches every process of the terminal's group; workers ignore it and let the batch
    process decide, so an interrupt stops them cleanly instead of with a traceback each.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if initializer:
        initializer(*initargs)
    _, hard_limit = resource.getrlimit(resource.RLIMIT_AS)
    if memory_limit:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, hard_limit))
    connection.send(("ready", None))
    while True:
        try:
            fn, args, kwargs = connection.recv()
        except EOFError:
            return
        try:
            answer = ("ok", fn(*args, **kwargs))
        except MemoryError:
            # Room to say so; the worker is retired after this task anyway.
            resource.setrlimit(resource.RLIMIT_AS, (hard_limit, hard_limit))
            connection.send(("memory", None))
            return
        except Exception as error:
            answer = ("error", error)
        try:
            connection.send(answer)
        except Exception as error:  # an answer that cannot be pickled
            connection.send(("error", RuntimeError(f"{type(error).__name__}: {error}")))

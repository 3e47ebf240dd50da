"""A batch's progress on screen: a rich bar on a terminal, a plain line now and then in a log."""

from __future__ import annotations

import time
from typing import TextIO

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress as RichBar, TaskID,
                           TaskProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn)


class BarProgress:
    """A live bar with built/failed counts, works per second and the time left."""

    def __init__(self, console: Console) -> None:
        self.bar = RichBar(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TaskProgressColumn(), TextColumn("{task.fields[failed]} failed"),
            TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"),
            TimeRemainingColumn(), console=console, transient=False)
        self.task: TaskID | None = None
        self.failed = 0

    def start(self, to_build: int, already_done: int) -> None:
        self.bar.start()
        self.task = self.bar.add_task(f"building ({already_done} unchanged)", total=to_build,
                                      failed=0, rate="")

    def advance(self, record: dict) -> None:
        self.failed += record["status"] == "failed"
        speed = self.bar.tasks[0].speed
        if self.task is None:  # advance() before start(): nothing is shown yet
            return
        self.bar.update(self.task, advance=1, failed=self.failed,
                        rate=f"{speed:.1f} works/s" if speed else "")

    def tick(self) -> None:
        pass

    def stop(self) -> None:
        self.bar.stop()


class LineProgress:
    """One plain line every ``every`` seconds, for logs that a live bar would flood."""

    def __init__(self, stream: TextIO, every: float = 10.0) -> None:
        self.stream, self.every = stream, every
        self.done = self.failed = self.total = 0
        self.started = self.last = 0.0

    def start(self, to_build: int, already_done: int) -> None:
        self.total = to_build
        self.started = self.last = time.monotonic()
        self._print(f"building {to_build} works ({already_done} unchanged)")

    def advance(self, record: dict) -> None:
        self.done += 1
        self.failed += record["status"] == "failed"

    def tick(self) -> None:
        if time.monotonic() - self.last >= self.every:
            self._print(self.status())

    def stop(self) -> None:
        self._print(self.status())

    def status(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.done / elapsed
        left = f", ETA {(self.total - self.done) / rate:.0f} s" if rate and self.done < self.total \
            else ""
        return (f"{self.done}/{self.total} done, {self.failed} failed, "
                f"{rate:.1f} works/s{left}")

    def _print(self, line: str) -> None:
        self.last = time.monotonic()
        print(f"batch: {line}", file=self.stream, flush=True)

"""How a batch reports its progress: the interface, and the silent default.

The batch calls ``start`` once with the number of books to build, ``advance`` with each finished
book's record, ``tick`` about twice a second and ``stop`` at the end. What is shown (a bar on a
terminal, a line now and then in a log) is the CLI's business: see bookmaker/cli/progress.py.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def start(self, to_build: int, already_done: int) -> None: ...
    def advance(self, record: dict) -> None: ...
    def tick(self) -> None: ...
    def stop(self) -> None: ...


class NoProgress:
    """For --quiet and for library callers that do not want any."""

    def start(self, to_build: int, already_done: int) -> None:
        pass

    def advance(self, record: dict) -> None:
        pass

    def tick(self) -> None:
        pass

    def stop(self) -> None:
        pass

"""Ctrl-C and SIGTERM as an exception in the batch process, so it can clean up before exiting."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator


class Interrupted(BaseException):
    """The batch was asked to stop by ``signum``; like KeyboardInterrupt, not an error of a book."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"interrupted by {signal.Signals(signum).name}")
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """128 + the signal's number, as shells report a process stopped by it (130, 143)."""
        return 128 + self.signum


@contextlib.contextmanager
def interrupt_on(signums: tuple[int, ...] = (signal.SIGINT, signal.SIGTERM)) -> Iterator[None]:
    """Within the block, each of ``signums`` raises Interrupted in the main thread."""

    def stop(signum, frame):
        raise Interrupted(signum)

    previous = {signum: signal.signal(signum, stop) for signum in signums}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

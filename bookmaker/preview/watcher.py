"""The preview's file watcher: what ``bookmaker watch`` watches (the manuscript's folder, its
bookmaker.toml, a theme folder of one's own) and the shipped themes, on a thread of its own.

watchfiles waits for ``STEP`` milliseconds of quiet after a change before it reports, so an
editor's save (a temporary file written, then renamed over the manuscript) comes as one change;
the default of 50 ms is a sixth of the preview's budget, and an editor's save takes a few.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import watchfiles

from bookmaker.settings.resources import STYLES
from bookmaker.watch import ignoring, watched_paths

STEP = 15  # milliseconds of quiet that end a save
# How often the watch wakes without a change: to say it is ready, and to notice it must stop.
WAKE = 100  # milliseconds


class Watcher:
    """Calls ``on_change`` with the files changed, from its own thread, until stopped."""

    def __init__(self, manuscript: Path, style: str | None,
                 on_change: Callable[[set[Path]], None]) -> None:
        paths = watched_paths(manuscript, {"style": style})
        self.paths = [p for p in dict.fromkeys([*paths, STYLES.resolve()])
                      if not any(p != o and p.is_relative_to(o) for o in [*paths, STYLES])]
        self.on_change = on_change
        self.ready = threading.Event()  # set once the watch is in place
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="preview-watch", daemon=True)

    def start(self, seconds: float = 30) -> None:
        """Start watching; returns once changes are seen (a save from now on counts)."""
        self._thread.start()
        self.ready.wait(seconds)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=1)

    def _watch(self) -> None:
        for changes in watchfiles.watch(*self.paths, watch_filter=ignoring(lambda: None),
                                        step=STEP, rust_timeout=WAKE, yield_on_timeout=True,
                                        stop_event=self._stop, raise_interrupt=False):
            self.ready.set()
            if changes:
                self.on_change({Path(path) for _change, path in changes})

"""``bookmaker watch`` in a real subprocess: it builds, rebuilds after a save, survives a broken
manuscript and stops cleanly on Ctrl-C. Every wait is for an event (a line of output) with a
generous deadline, so a broken watch fails the test instead of hanging the suite, and a busy
machine only makes it slower."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

WAIT = 180  # seconds for one build on a slow, shared machine; never reached when all is well


def _lines(process: subprocess.Popen) -> queue.Queue:
    """The process's output, line by line, read on a thread so waits can time out."""
    lines: queue.Queue = queue.Queue()

    def pump() -> None:
        for line in process.stdout:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _wait_for(lines: queue.Queue, words: str, seen: list[str],
              again: Callable[[], None] | None = None) -> str:
    """The first line holding ``words``. ``again``, when given, is called at once and then every
    few seconds until that line comes: a save the watcher was not yet watching for (it starts
    after the first build) is made again rather than waited for by guessing."""
    deadline = time.monotonic() + WAIT
    next_try = time.monotonic()
    while time.monotonic() < deadline:
        if again is not None and time.monotonic() >= next_try:
            again()
            next_try = time.monotonic() + 5
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        seen.append(line)
        if words in line:
            return line
    raise AssertionError(f"no line with {words!r} in {WAIT}s; output so far:\n" + "\n".join(seen))


def _saving(story: Path, text: str) -> Callable[[], None]:
    return lambda: story.write_text(text, encoding="utf-8")


def _chapter(epub: Path) -> str:
    with zipfile.ZipFile(epub) as book:
        return book.read("EPUB/chapter-001.xhtml").decode()


def test_watch_rebuilds_after_a_save_and_keeps_going_after_an_error(tmp_path):
    story = tmp_path / "story.md"
    story.write_text("---\ntitle: Rain\n---\n\nThe first draft.\n", encoding="utf-8")
    out = tmp_path / "out"
    with subprocess.Popen(
            [sys.executable, "-m", "bookmaker", "watch", str(story), "-o", str(out)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"}) as process:
        seen: list[str] = []
        try:
            _edit_and_follow(process, story, out, seen)
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    assert process.returncode == 0, "\n".join(seen)


def _edit_and_follow(process: subprocess.Popen, story: Path, out: Path, seen: list[str]) -> None:
    """Save the manuscript three times (once broken) and check each rebuild."""
    lines = _lines(process)
    _wait_for(lines, "built in", seen)
    assert "The first draft." in _chapter(out / "rain.epub")

    second = "---\ntitle: Rain\n---\n\nThe second draft.\n"
    assert _wait_for(lines, "changed:", seen, _saving(story, second)) == "changed: story.md"
    _wait_for(lines, "built in", seen)
    assert "The second draft." in _chapter(out / "rain.epub")

    story.write_text("---\ntitle: [Rain\n---\n\nBroken.\n", encoding="utf-8")
    _wait_for(lines, f"{story}:", seen)  # the error, naming the file
    _wait_for(lines, "1 failed in", seen)
    assert "The second draft." in _chapter(out / "rain.epub")  # the last good book stays

    story.write_text("---\ntitle: Rain\n---\n\nThe third draft.\n", encoding="utf-8")
    _wait_for(lines, "built in", seen)
    assert "The third draft." in _chapter(out / "rain.epub")


def test_ctrl_c_during_a_rebuild_stops_the_build_and_says_so(tmp_path):
    """SIGINT while a PDF is being laid out: the watch exits 0 (Ctrl-C is how a watch ends),
    says what it stopped, and leaves the last good book and no temporary file."""
    story = tmp_path / "story.md"
    story.write_text("---\ntitle: Rain\n---\n\nThe first draft.\n", encoding="utf-8")
    out = tmp_path / "out"
    seen: list[str] = []
    with subprocess.Popen(
            [sys.executable, "-m", "bookmaker", "watch", str(story), "-o", str(out), "-f", "pdf"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"}) as process:
        try:
            lines = _lines(process)
            _wait_for(lines, "built in", seen)
            first = (out / "rain.pdf").read_bytes()
            # A long second draft: its layout takes seconds, so the signal lands in the build.
            _wait_for(lines, "changed:", seen, _saving(
                story, "---\ntitle: Rain\n---\n\n" + "The second draft, longer. " * 4000))
            process.send_signal(signal.SIGINT)
            process.wait(timeout=WAIT)
            while True:
                try:
                    seen.append(lines.get(timeout=1))
                except queue.Empty:
                    break
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert process.returncode == 0, "\n".join(seen)
    assert any("watch stopped by SIGINT" in line and "nothing half-written" in line
               for line in seen), "\n".join(seen)
    assert not any("built in" in line for line in seen[seen.index("changed: story.md"):])
    assert sorted(p.name for p in out.iterdir()) == ["rain.pdf"]
    assert (out / "rain.pdf").read_bytes() == first

"""The preview's watcher reports a save of anything a build reads: the manuscript, an image
beside it, the bookmaker.toml that applies (in a folder above), a theme folder of one's own; and
not an editor's swap file."""

from __future__ import annotations

import queue
from pathlib import Path

import pytest

from bookmaker.preview.watcher import Watcher

WAIT = 60  # seconds for the file system's news on a busy machine


@pytest.fixture
def layout(tmp_path: Path) -> dict[str, Path]:
    work = tmp_path / "fic" / "rain"
    work.mkdir(parents=True)
    theme = tmp_path / "my-theme"
    theme.mkdir()
    files = {"manuscript": work / "story.md", "image": work / "map.png",
             "config": tmp_path / "fic" / "bookmaker.toml", "theme": theme / "epub.css"}
    files["manuscript"].write_text("---\ntitle: Rain\n---\n\nText.\n", encoding="utf-8")
    files["image"].write_bytes(b"\x89PNG\r\n\x1a\n")
    files["config"].write_text("[book]\nauthor = \"Wren\"\n", encoding="utf-8")
    files["theme"].write_text("p { color: black; }\n", encoding="utf-8")
    return files


def _reports(changes: queue.Queue, path: Path) -> bool:
    """Whether the watcher reports ``path`` changed before WAIT seconds pass."""
    try:
        while True:
            if path.resolve() in {p.resolve() for p in changes.get(timeout=WAIT)}:
                return True
    except queue.Empty:
        return False


@pytest.mark.parametrize("what", ["manuscript", "image", "config", "theme"])
def test_a_save_of_what_a_build_reads_is_reported(layout, what):
    changes: queue.Queue = queue.Queue()
    watcher = Watcher(layout["manuscript"], str(layout["theme"].parent), changes.put)
    watcher.start()
    try:
        assert watcher.ready.is_set()
        layout[what].write_bytes(layout[what].read_bytes() + b"\n")
        assert _reports(changes, layout[what])
    finally:
        watcher.stop()


def test_an_editors_swap_file_is_not_a_save(layout):
    changes: queue.Queue = queue.Queue()
    watcher = Watcher(layout["manuscript"], None, changes.put)
    watcher.start()
    try:
        (layout["manuscript"].parent / ".story.md.swp").write_bytes(b"vim")
        layout["manuscript"].write_text("---\ntitle: Rain\n---\n\nMore.\n", encoding="utf-8")
        reported: set[Path] = set()
        while layout["manuscript"].resolve() not in {p.resolve() for p in reported}:
            reported |= changes.get(timeout=WAIT)
        assert not [p for p in reported if p.name.endswith(".swp")]
    finally:
        watcher.stop()

"""The preview's book: a save of one chapter is shown at once, by the quick build, as the whole
build then shows it; what cannot be cut out alone waits for the whole build; a mistake is shown
with its file and line over the last good book."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from bookmaker.preview import chunks
from bookmaker.preview.build import PreviewBuilder, Snapshot
from paths import DATA, REPO

WAIT = 90  # seconds for a whole build on a slow, shared machine; never reached when all is well

FRONT = """---
title: Rain on the Sea Wall
author: Wren
rating: Teen And Up Audiences
warnings: [No Archive Warnings Apply]
language: en
---
"""

CHAPTERS = [
    "Before the first chapter, a dedication: for the harbour.\n",
    "# The Wall\n\nThe sea came up to the wall at night, and \"nobody\" went out.\n\n* * *\n\n"
    "Morning. The wall held -- it always held... *mostly*.\n\n![The harbour](map.png)\n",
    "# The Boats\n\nThey counted the boats.[^boats] Seven. Then six.\n\n"
    "[^boats]: Fishing boats, not the ferry.\n",
    "# The Storm\n\n::: letter\nDear Mara, the storm is coming.\n:::\n\nShe folded it away.\n",
]


class Recorder:
    """Every snapshot a builder publishes, and a way to wait for one."""

    def __init__(self) -> None:
        self.snapshots: list[Snapshot] = []
        self._changed = threading.Condition()

    def __call__(self, snapshot: Snapshot) -> None:
        with self._changed:
            self.snapshots.append(snapshot)
            self._changed.notify_all()

    def wait_for(self, wanted: Callable[[Snapshot], bool], after: int = 0) -> Snapshot:
        with self._changed:
            found = self._changed.wait_for(
                lambda: any(wanted(s) for s in self.snapshots[after:]), timeout=WAIT)
            assert found, f"no such snapshot in {WAIT}s: {[s.state() for s in self.snapshots]}"
            return next(s for s in self.snapshots[after:] if wanted(s))


def _text(snapshot: Snapshot) -> bytes:
    return b"".join(document.content for document in snapshot.documents)


@pytest.fixture
def manuscript(tmp_path: Path) -> Path:
    shutil.copy(DATA / "epub" / "kitchen-sink" / "images" / "map.png", tmp_path / "map.png")
    path = tmp_path / "story.md"
    path.write_text(FRONT + "\n" + "\n".join(CHAPTERS), encoding="utf-8")
    return path


@pytest.fixture
def started(manuscript: Path):
    recorder = Recorder()
    builder = PreviewBuilder(manuscript, None, recorder)
    builder.start()
    yield builder, recorder
    builder.stop()


@pytest.mark.parametrize("chapter", range(len(CHAPTERS)))
def test_a_saved_chapter_is_shown_at_once_as_the_whole_build_shows_it(manuscript, started,
                                                                      chapter):
    builder, recorder = started
    first = recorder.wait_for(lambda s: s.settled and not s.error)
    edited = list(CHAPTERS)
    edited[chapter] = edited[chapter].rstrip("\n") + "\n\nA new line, saved just now.\n"
    manuscript.write_text(FRONT + "\n" + "\n".join(edited), encoding="utf-8")
    seen = len(recorder.snapshots)
    builder.saved({manuscript})
    # The quick build ran in this thread, before saved() returned.
    quick = recorder.snapshots[seen]
    assert not quick.settled and quick.error is None
    assert b"A new line, saved just now." in _text(quick)
    whole = recorder.wait_for(lambda s: s.settled, after=seen + 1)
    assert [(d.href, d.label, d.content) for d in quick.documents] == \
        [(d.href, d.label, d.content) for d in whole.documents]
    assert {href: f.content for href, f in quick.files.items()} == \
        {href: f.content for href, f in whole.files.items()}
    changed = [d.href for d, before in zip(whole.documents, first.documents, strict=True)
               if d.content != before.content]
    assert len(changed) == 1 and changed[0].startswith("chapter-")


def test_a_chapter_sharing_footnotes_waits_for_the_whole_build(tmp_path):
    """The kitchen sink's chapter two calls a footnote defined in chapter one: read alone, it
    would lose it, so only the whole build shows the save."""
    path = tmp_path / "input.md"
    source = (DATA / "kitchen-sink" / "input.md").read_text(encoding="utf-8")
    path.write_text(source, encoding="utf-8")
    for name in ("images",):
        if (DATA / "kitchen-sink" / name).is_dir():
            shutil.copytree(DATA / "kitchen-sink" / name, tmp_path / name)
    recorder = Recorder()
    builder = PreviewBuilder(path, None, recorder)
    builder.start()
    try:
        recorder.wait_for(lambda s: s.settled and not s.error)
        path.write_text(source.replace("The last line refers back",
                                       "The very last line refers back"), encoding="utf-8")
        seen = len(recorder.snapshots)
        builder.saved({path})
        assert len(recorder.snapshots) == seen  # no quick build
        whole = recorder.wait_for(lambda s: s.settled, after=seen)
        assert b"The very last line refers back" in _text(whole)
        assert b"The first footnote." in whole.document("chapter-002.xhtml").content
    finally:
        builder.stop()


def test_a_mistake_names_its_line_over_the_last_good_book_until_it_is_fixed(manuscript,
                                                                          started):
    builder, recorder = started
    good = recorder.wait_for(lambda s: s.settled and not s.error)
    broken = list(CHAPTERS)
    broken[3] = broken[3] + "\n::: notes\nToo late for notes.\n:::\n"
    text = FRONT + "\n" + "\n".join(broken)
    manuscript.write_text(text, encoding="utf-8")
    line = text.split("\n").index("::: notes") + 1
    seen = len(recorder.snapshots)
    builder.saved({manuscript})
    failed = recorder.wait_for(lambda s: s.error is not None, after=seen)
    assert failed.error == (f"{manuscript}:{line}: ::: notes must come right after the chapter "
                            "heading (move it up to just below the # heading)")
    assert _text(failed) == _text(good)  # the last good book stays
    manuscript.write_text(FRONT + "\n" + "\n".join(CHAPTERS), encoding="utf-8")
    seen = len(recorder.snapshots)
    builder.saved({manuscript})
    fixed = recorder.wait_for(lambda s: s.settled, after=seen)
    assert fixed.error is None and _text(fixed) == _text(good)


def test_a_theme_is_chosen_among_those_offered_only(started):
    builder, recorder = started
    first = recorder.wait_for(lambda s: s.settled)
    assert first.theme == "default" and "typewriter" in first.themes
    assert not builder.choose_theme("/etc")  # the page may not name a folder to read
    seen = len(recorder.snapshots)
    assert builder.choose_theme("typewriter")
    switched = recorder.wait_for(lambda s: s.settled, after=seen)
    assert switched.theme == "typewriter"
    assert b"dashed" in switched.files["css/book.css"].content  # its scene break
    assert b"dashed" not in first.files["css/book.css"].content


# --------------------------------------------------------------------------- the cut


def test_chapters_are_cut_where_the_reader_starts_them():
    text = (DATA / "kitchen-sink" / "input.md").read_text(encoding="utf-8")
    manuscript = chunks.split(text)
    assert manuscript is not None
    assert [chunk.text.split("\n")[0] for chunk in manuscript.chapters] == \
        ["# Chapter One: The Fall", "# Chapter Two"]
    assert "\n".join(chunk.text for chunk in manuscript.chunks) == text  # nothing lost


def test_a_chapter_read_alone_keeps_its_line_numbers():
    text = FRONT + "\n" + "\n".join(CHAPTERS)
    manuscript = chunks.split(text)
    assert manuscript is not None
    for chunk in manuscript.chapters:
        alone = manuscript.alone(chunk).split("\n")
        assert alone[chunk.start:chunk.start + 3] == text.split("\n")[chunk.start:chunk.start + 3]


@pytest.mark.parametrize(("body", "headings"), [
    ("# One\n\n```\n# not a chapter\n```\n\n# Two\n", ["# One", "# Two"]),
    ("# One\n\n~~~\n\n# Two\n", ["# One", "# Two"]),  # a tilde scene break, not a fence
    ("# One\n\n::: letter\n# a heading in a letter\n:::\n\n# Two\n", ["# One", "# Two"]),
    ("# One\n\n#\n\nA break above.\n", ["# One"]),  # an empty heading is a scene break
])
def test_what_is_not_a_chapter_heading(body, headings):
    manuscript = chunks.split(FRONT + body)
    assert manuscript is not None
    assert [chunk.text.split("\n")[0] for chunk in manuscript.chapters] == headings


@pytest.mark.parametrize("body", [
    "Title\n=====\n\nText.\n",  # a setext heading is a chapter too: only the parse knows
    "- a list\n  # inside it?\n",
    "# One\n\n```\nnever closed\n",
])
def test_what_only_the_whole_read_can_cut(body):
    assert chunks.split(FRONT + body) is None


def test_a_chapter_too_long_for_one_document_is_replaced_with_all_its_parts(tmp_path):
    """A chapter past the EPUB writer's document limit is several files (chapter-001.xhtml,
    chapter-001-2.xhtml...); a save in it replaces them all, as the whole build would."""
    seed = (REPO / "manuscripts" / "a-new-hero.md").read_text(encoding="utf-8")
    paragraphs = [p for p in seed.split("\n---\n", 1)[1].split("\n\n") if p.strip()]
    long_chapter = "\n\n".join(f"{p} ({n})" for n in range(40) for p in paragraphs)
    text = f"{FRONT}\n# The Long Night\n\n{long_chapter}\n\n# Morning\n\nIt was over.\n"
    path = tmp_path / "long.md"
    path.write_text(text, encoding="utf-8")
    recorder = Recorder()
    builder = PreviewBuilder(path, None, recorder)
    builder.start()
    try:
        first = recorder.wait_for(lambda s: s.settled and not s.error)
        parts = [d.href for d in first.documents if d.id.startswith("chapter-001")]
        assert len(parts) >= 2
        path.write_text(text.replace("(39)", "(thirty-nine, saved just now)"), encoding="utf-8")
        seen = len(recorder.snapshots)
        builder.saved({path})
        quick = recorder.snapshots[seen]
        assert not quick.settled
        whole = recorder.wait_for(lambda s: s.settled, after=seen + 1)
        assert [(d.href, d.content) for d in quick.documents] == \
            [(d.href, d.content) for d in whole.documents]
        assert b"thirty-nine, saved just now" in whole.document(parts[-1]).content
    finally:
        builder.stop()


def test_a_save_of_bookmaker_toml_rebuilds_the_book_with_its_settings(manuscript, started):
    builder, recorder = started
    first = recorder.wait_for(lambda s: s.settled and not s.error)
    assert [d.id for d in first.documents][:3] == ["cover", "titlepage", "warnings"]
    config = manuscript.parent / "bookmaker.toml"
    config.write_text('[build]\nwarnings = "end"\n', encoding="utf-8")
    seen = len(recorder.snapshots)
    builder.saved({config})
    moved = recorder.wait_for(lambda s: s.settled, after=seen)
    assert [d.id for d in moved.documents][-1] == "warnings"
    config.write_text('[build]\nwarnings = "sideways"\n', encoding="utf-8")
    seen = len(recorder.snapshots)
    builder.saved({config})
    refused = recorder.wait_for(lambda s: s.settled, after=seen)
    assert refused.error is not None and refused.error.startswith(f"{config}:2:")
    assert _text(refused) == _text(moved)

"""``bookmaker preview`` for real: the command started in a subprocess on a free port, its page
opened in Debian's Chromium (tests/helpers/browser.py), saves made to the manuscript on disk.

Every wait is for an event (a line printed, text in the page, a style applied) with a generous
deadline, so a busy machine makes the tests slower, never wrong. How fast a save is shown is
measured in benchmarks/preview.py, not asserted here.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from browser import PHONE, accessibility_violations, browser
from paths import REPO

pytestmark = pytest.mark.slow  # the fast tier leaves it out: pytest -m "not slow"

WAIT = 90  # seconds for the command to start, or to stop, on a slow, shared machine
WAIT_MS = 60_000  # milliseconds for the page to show a change
SEED = REPO / "manuscripts" / "a-new-hero.md"


def seed_in_two_chapters() -> str:
    """The seed manuscript (a real fic) as two chapters: long enough for several e-reader pages
    and printed pages."""
    front, body = SEED.read_text(encoding="utf-8").split("\n---\n", 1)
    first, rest = body.split("\n* * *\n", 1)
    return f"{front}\n---\n\n# Sephiroth\n{first}\n# Genesis\n{rest}"


class Output:
    """The command's output, read line by line on a thread, and a way to wait for a line."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self._grew = threading.Condition()
        self.thread = threading.Thread(target=self._pump, args=(process,), daemon=True)
        self.thread.start()

    def _pump(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            with self._grew:
                self.lines.append(line.rstrip("\n"))
                self._grew.notify_all()

    def wait_for(self, pattern: str) -> re.Match:
        with self._grew:
            self._grew.wait_for(lambda: any(re.search(pattern, line) for line in self.lines),
                                timeout=WAIT)
            found = next((m for m in (re.search(pattern, line) for line in self.lines)
                          if m), None)
        assert found, f"no line like {pattern!r} in {WAIT}s:\n" + "\n".join(self.lines)
        return found


@dataclass
class Preview:
    url: str
    process: subprocess.Popen
    manuscript: Path
    output: Output


def _children(pid: int) -> set[int]:
    """Every process descended from ``pid``, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


@contextmanager
def running_preview(folder: Path, text: str, *options: str) -> Iterator[Preview]:
    """The real command on a free port, serving ``text`` saved as folder/story.md; stopped with
    SIGINT at the end, which must leave no process, no temporary file and nothing new beside
    the manuscript."""
    manuscript = folder / "story.md"
    manuscript.write_text(text, encoding="utf-8")
    scratch = folder.parent / f"{folder.name}-tmp"
    scratch.mkdir()
    before = sorted(folder.iterdir())
    with subprocess.Popen(
            [sys.executable, "-m", "bookmaker", "preview", str(manuscript), "--port", "0",
             *options], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "TMPDIR": str(scratch)}) as process:
        output = Output(process)
        try:
            url = output.wait_for(r"previewing .* at (http://\S+) \(Ctrl-C stops\)").group(1)
            assert url.startswith("http://127.0.0.1:") or "--host" in options  # local unless told
            yield Preview(url, process, manuscript, output)
            descendants = _children(process.pid)
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                raise
            output.thread.join(timeout=WAIT)
    assert process.returncode == 0, "\n".join(output.lines)
    assert not [pid for pid in descendants if Path(f"/proc/{pid}").exists()]
    assert list(scratch.iterdir()) == []
    assert sorted(folder.iterdir()) == before


@pytest.fixture(scope="module")
def chromium():
    with browser() as launched:
        yield launched


def _serious(page) -> list[str]:
    return [f"{v['id']}: {v['help']} ({[node['target'] for node in v['nodes']]})"
            for v in accessibility_violations(page) if v["impact"] in ("serious", "critical")]


def _frame(page, view: str):
    return page.locator(f"#{view}").element_handle().content_frame()


def _open(chromium, preview: Preview, viewport: dict | None = None):
    """The preview's page at a laptop's size (or ``viewport``), once it shows the book."""
    page = chromium.new_page(viewport=viewport or {"width": 1440, "height": 900})
    page.goto(preview.url)
    _wait_for_book(page)
    return page


def _wait_for_book(page) -> None:
    """The page connected, both EPUB views showing a page, and the printed pages drawn."""
    page.wait_for_function("() => window.bookmakerPreview.book !== null", timeout=WAIT_MS)
    for view in ("phone", "ereader"):
        page.frame_locator(f"#{view}").locator("h1").first.wait_for(timeout=WAIT_MS)
    page.wait_for_function(  # the pages in view; the others are drawn when scrolled to
        "() => { const images = [...document.querySelectorAll('#print img')].slice(0, 2);"
        " return images.length > 0 && images.every(i => i.complete && i.naturalWidth > 0); }",
        timeout=WAIT_MS)


def test_the_page_shows_the_book_as_a_phone_an_e_reader_and_print_show_it(tmp_path, chromium):
    with running_preview(tmp_path, seed_in_two_chapters()) as preview:
        page = _open(chromium, preview)
        phone, ereader = page.frame_locator("#phone"), page.frame_locator("#ereader")
        assert phone.locator("h1").first.inner_text() == "Sephiroth"
        assert ereader.locator("h1").first.inner_text() == "Sephiroth"
        # The e-reader turns pages; it does not scroll.
        pages = int(re.fullmatch(r"Page 1 of (\d+)", page.inner_text("#page-number")).group(1))
        assert pages >= 3
        assert _frame(page, "ereader").evaluate(
            "() => getComputedStyle(document.documentElement).overflow") == "hidden"
        page.click("#page-on")
        page.wait_for_function("() => document.querySelector('#page-number').textContent"
                               f" === 'Page 2 of {pages}'", timeout=WAIT_MS)
        assert len(page.query_selector_all("#print img")) >= 3  # the chapter's printed pages
        page.locator("#print figure").last.scroll_into_view_if_needed()
        page.wait_for_function("() => { const last = [...document.querySelectorAll('#print img')]"
                               ".pop(); return last.complete && last.naturalWidth > 0; }",
                               timeout=WAIT_MS)
        assert "A5 pages as printed" in page.inner_text("#print-note")
        labels = page.eval_on_selector_all("#document option", "os => os.map(o => o.text)")
        assert labels == ["Cover", "Title page", "Before you read", "Sephiroth", "Genesis"]
        page.select_option("#document", label="Before you read")
        phone.get_by_text("Graphic Depictions Of Violence").wait_for(timeout=WAIT_MS)
        # The print view opens the front matter at the warnings page, not at the cover.
        page.wait_for_function("() => document.querySelector('#print').dataset.href"
                               " === 'warnings.xhtml'", timeout=WAIT_MS)
        assert page.evaluate("() => document.querySelector('#print').scrollTop") > 0
        page.select_option("#document", label="Title page")
        phone.locator("h1", has_text="A New Hero").wait_for(timeout=WAIT_MS)
        assert _serious(page) == []


def test_on_a_phone_the_views_stand_one_above_the_other(tmp_path, chromium):
    with running_preview(tmp_path, seed_in_two_chapters()) as preview:
        context = chromium.new_context(**PHONE)
        page = context.new_page()
        page.goto(preview.url)
        _wait_for_book(page)
        boxes = [page.locator(f"#{name}-view .frame").bounding_box()
                 for name in ("phone", "ereader", "print")]
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        assert all(box["x"] >= 0 and box["x"] + box["width"] <= 390 for box in boxes), boxes
        assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
        assert _serious(page) == []
        context.close()


def test_a_save_is_shown_in_place_keeping_the_readers_place(tmp_path, chromium):
    text = seed_in_two_chapters()
    with running_preview(tmp_path, text) as preview:
        page = _open(chromium, preview)
        phone, ereader = _frame(page, "phone"), _frame(page, "ereader")
        for _ in range(2):
            page.click("#page-on")
        page.wait_for_function("() => /^Page 3 of/.test("
                               "document.querySelector('#page-number').textContent)",
                               timeout=WAIT_MS)
        on_page_three = ereader.evaluate(FIRST_ON_PAGE)
        phone.evaluate("() => document.body.querySelectorAll('p')[14].scrollIntoView()")
        at_top = phone.evaluate(FIRST_ON_SCREEN)
        phone.evaluate("() => { window.sameDocument = true; }")
        old_print = page.get_attribute("#print", "data-digest")

        preview.manuscript.write_text(text.replace(
            "He refused to be cowed.", "He refused to be cowed, saved just now."),
            encoding="utf-8")

        for view in ("phone", "ereader"):
            page.frame_locator(f"#{view}").get_by_text("saved just now").wait_for(
                timeout=WAIT_MS)
        assert phone.evaluate("() => window.sameDocument") is True  # changed in place
        assert phone.evaluate(FIRST_ON_SCREEN) == at_top
        assert re.match(r"Page 3 of", page.inner_text("#page-number"))
        assert ereader.evaluate(FIRST_ON_PAGE) == on_page_three
        # The print view follows, for the chapter on screen.
        page.wait_for_function(
            "(old) => { const shown = document.querySelector('#print').dataset.digest;"
            " const now = window.bookmakerPreview.book.documents.find("
            "d => d.href === 'chapter-001.xhtml').digest; return shown !== old && shown === now; }",
            arg=old_print, timeout=WAIT_MS)


# The text of the first paragraph shown: at the top of the phone's screen, on the e-reader page.
FIRST_ON_SCREEN = """() => [...document.body.querySelectorAll('p')]
    .find(p => p.getBoundingClientRect().bottom > 1).textContent"""
FIRST_ON_PAGE = """() => [...document.body.querySelectorAll('p')].find(p => [...p.getClientRects()]
    .some(r => r.width > 0 && r.right > 1 && r.left < innerWidth - 1)).textContent"""


def test_a_mistake_is_shown_over_the_last_good_book_and_cleared_by_the_fix(tmp_path, chromium):
    text = seed_in_two_chapters()
    with running_preview(tmp_path, text) as preview:
        page = _open(chromium, preview)
        preview.manuscript.write_text(text.replace("title: A New Hero", "title: [A New Hero"),
                                      encoding="utf-8")
        page.wait_for_selector("#error", state="visible", timeout=WAIT_MS)
        message = page.inner_text("#error-message")
        assert re.fullmatch(re.escape(str(preview.manuscript)) + r":\d+: .+ \(.+\)", message), \
            message
        assert page.frame_locator("#phone").locator("h1").first.inner_text() == "Sephiroth"
        preview.manuscript.write_text(text.replace("# Sephiroth", "# Sephiroth Stands"),
                                      encoding="utf-8")
        page.wait_for_selector("#error", state="hidden", timeout=WAIT_MS)
        page.frame_locator("#phone").locator("h1", has_text="Sephiroth Stands").wait_for(
            timeout=WAIT_MS)
        preview.output.wait_for(re.escape(message))  # the terminal says it too
        preview.output.wait_for("fixed: the preview shows the newest save")


def test_the_theme_and_dark_mode_are_switched_in_the_page(tmp_path, chromium):
    with running_preview(tmp_path, seed_in_two_chapters()) as preview:
        page = _open(chromium, preview)
        page.select_option("#theme", "typewriter")
        body_font = "() => getComputedStyle(document.body).fontFamily"
        for view in ("phone", "ereader"):
            _frame(page, view).wait_for_function(f"() => ({body_font})() === 'monospace'",
                                                 timeout=WAIT_MS)
        page.click("#mode")
        background = "() => getComputedStyle(document.documentElement).backgroundColor"
        for view in ("phone", "ereader"):
            _frame(page, view).wait_for_function(
                f"() => ({background})() === 'rgb(18, 18, 18)'", timeout=WAIT_MS)
        assert page.get_attribute("html", "data-mode") == "dark"
        assert page.get_attribute("#mode", "aria-pressed") == "true"
        assert _serious(page) == []


def test_ctrl_c_stops_it_with_a_page_open(tmp_path, chromium):
    """An open page holds an event stream; SIGINT still ends the command at once (the
    running_preview context checks that nothing is left behind)."""
    with running_preview(tmp_path, seed_in_two_chapters()) as preview:
        _open(chromium, preview, {"width": 1280, "height": 720})  # its event stream open
        started = time.monotonic()
        preview.process.send_signal(signal.SIGINT)
        preview.process.wait(timeout=WAIT)
        assert time.monotonic() - started < WAIT
        assert preview.process.returncode == 0
    preview.output.wait_for("preview stopped; nothing was written")

"""How soon ``bookmaker preview`` shows a save: from the manuscript written to the new text in
the page's DOM, measured in the browser, for manuscripts of several lengths.

    python benchmarks/preview.py [--words 2000 20000 120000] [--saves 9]

For each length it writes a manuscript from the seed story's text (make_novel.py: chapters of
about 3,000 words), starts the real command (``python -m bookmaker preview --port 0``), opens the
page in Debian's Chromium (tests/helpers/browser.py), goes to the middle chapter, and then saves
that chapter ``--saves`` times, each time with one new sentence in a paragraph of it. Measured
for each save, against the clock of the write:

- **repaint**: the new sentence in both EPUB views' DOM, at the next animation frame (the frame
  that paints it);
- **print**: the print view showing the changed chapter's new pages, those in view (the first
  two) drawn and decoded; the others are drawn when scrolled to.

The first save of each length is a warm-up and not counted. Then the command is stopped with
SIGINT while the page is open, and the time to exit is measured too.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "tests" / "helpers"))

from browser import browser  # noqa: E402
from make_novel import manuscript, seed_parts  # noqa: E402

WORDS_PER_CHAPTER = 3_000
WAIT_MS = 120_000

# Installed before a save: resolves with the epoch time (ms) of the frame that shows ``marker``
# in both EPUB views, and of the print view showing the chapter's new pages.
WATCH = """(marker) => {
  const documents = ['phone', 'ereader'].map(id => document.getElementById(id).contentDocument);
  const shown = () => documents.every(d => d.body && d.body.textContent.includes(marker));
  window.repainted = new Promise(resolve => {
    const observer = new MutationObserver(() => {
      if (!shown()) return;
      observer.disconnect();
      requestAnimationFrame(() => resolve(performance.timeOrigin + performance.now()));
    });
    documents.forEach(d => observer.observe(d, {childList: true, subtree: true,
                                                characterData: true}));
  });
  window.printed = window.repainted.then(() => new Promise(resolve => {
    const pane = document.getElementById('print');
    const href = window.bookmakerPreview.href;
    const check = async () => {
      const page = window.bookmakerPreview.book.documents.find(d => d.href === href);
      if (pane.dataset.digest !== page.digest) return false;
      const inView = [...pane.querySelectorAll('img')].filter(i => i.loading === 'eager');
      await Promise.all(inView.map(i => i.decode().catch(() => {})));
      resolve(performance.timeOrigin + performance.now());
      return true;
    };
    const observer = new MutationObserver(async () => {
      if (await check()) observer.disconnect();
    });
    observer.observe(pane, {attributes: true, attributeFilter: ['data-digest']});
    check().then(done => { if (done) observer.disconnect(); });
  }));
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, nargs="+", default=[2_000, 20_000, 120_000])
    parser.add_argument("--saves", type=int, default=9)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    print("| words | chapters | saves | repaint p50 | repaint max | print p50 | print max |"
          " stop on Ctrl-C |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for words in args.words:
        row = measure(words, args.saves)
        print(row, flush=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


def measure(words: int, saves: int) -> str:
    front, paragraphs = seed_parts()
    chapters = max(1, words // WORDS_PER_CHAPTER)
    text = manuscript(front, paragraphs, words, chapters)
    with tempfile.TemporaryDirectory(prefix="bookmaker-bench-") as folder:
        path = Path(folder) / "novel.md"
        path.write_text(text, encoding="utf-8")
        process = subprocess.Popen(
            [sys.executable, "-m", "bookmaker", "preview", str(path), "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            url = _url(process)
            repaint, printed, stop = _saves(url, path, text, chapters, saves, process)
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
    return (f"| {words:,} | {chapters} | {saves - 1} | {_ms(statistics.median(repaint))} | "
            f"{_ms(max(repaint))} | {_ms(statistics.median(printed))} | {_ms(max(printed))} | "
            f"{_ms(stop)} |")


def _url(process: subprocess.Popen) -> str:
    assert process.stdout is not None
    for line in process.stdout:
        found = re.search(r" at (http://\S+) \(Ctrl-C stops\)", line)
        if found:
            return found.group(1)
    raise RuntimeError("the preview stopped before it said where it is")


def _saves(url: str, path: Path, text: str, chapters: int, saves: int,
           process: subprocess.Popen) -> tuple[list[float], list[float], float]:
    middle = f"chapter-{(chapters + 1) // 2:03d}.xhtml"
    heading = f"# Chapter {(chapters + 1) // 2}\n" if chapters > 1 else ""
    start = text.index(heading) + len(heading) if heading else text.index("\n---\n") + 5
    paragraph_end = text.index("\n", text.index("\n\n", start) + 2)
    repaint: list[float] = []
    printed: list[float] = []
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{url}#{middle}")
        page.wait_for_function("() => document.querySelectorAll('#print img').length > 0",
                               timeout=WAIT_MS)
        for number in range(saves):
            marker = f"Saved for the benchmark, time {number}."
            page.evaluate(WATCH, marker)
            edited = f"{text[:paragraph_end]} {marker}{text[paragraph_end:]}"
            path.write_text(edited, encoding="utf-8")
            written = time.time() * 1000
            shown = page.evaluate("() => window.repainted")
            laid_out = page.evaluate("() => window.printed")
            if number:  # the first is a warm-up
                repaint.append(shown - written)
                printed.append(laid_out - written)
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        process.wait(timeout=WAIT_MS / 1000)
        stop = (time.monotonic() - started) * 1000
    return repaint, printed, stop


def _ms(value: float) -> str:
    return f"{value:.0f} ms"


if __name__ == "__main__":
    main()

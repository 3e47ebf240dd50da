"""Whole-process time and peak memory: `bookmaker build -f epub` next to `pandoc` on one Markdown.

    python benchmarks/epub_speed.py [--runs 9] [--big] [--only WORDS]

Makes the manuscripts with make_novel.py under benchmarks/work/ (2,000, 5,000, 20,000 and
122,000 words and, with --big, 500,000), then, for each, runs the two commands once each to warm
the disk cache and --runs times as pairs: bookmaker then pandoc, the next pair pandoc first, and so
on, so that a change of load on the shared machine hits both sides of a pair alike. Each pair gives
a ratio (bookmaker's time over pandoc's); the table shows the median of those ratios, the median
times, the peak resident memory of each process and the load average while the row ran.

bookmaker's modules are byte-compiled first (``compileall``), as installing the wheel does: a
checkout run with PYTHONDONTWRITEBYTECODE set would otherwise compile every module on every run.
Needs `pandoc` on PATH (install it from the system packages; it is not a dependency of bookmaker).
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
PACKAGE = HERE.parent / "bookmaker"

# words -> chapters: a story, a short one in two chapters, a novella, a novel, a very long fic.
SIZES = {2_000: 1, 5_000: 2, 20_000: 6, 122_000: 40}
BIG = {500_000: 200}


def bookmaker_command() -> list[str]:
    found = shutil.which("bookmaker", path=str(Path(sys.executable).parent)) or \
        shutil.which("bookmaker")
    return [found] if found else [sys.executable, "-m", "bookmaker"]


def manuscript(words: int, chapters: int) -> Path:
    folder = WORK / f"words-{words}"
    subprocess.run([sys.executable, str(HERE / "make_novel.py"), str(folder), "--words",
                    str(words), "--chapters", str(chapters)], check=True)
    return folder / ("story.md" if words == 2_000 else "novel.md")


def run_once(command: list[str]) -> tuple[float, float]:
    """Seconds and peak resident MiB of one run of ``command``."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read().decode()[-2000:]}")
    process.stderr.close()
    return seconds, usage.ru_maxrss / 1024


def pairs(ours: list[str], theirs: list[str], runs: int) -> dict[str, float]:
    """``runs`` interleaved pairs of the two commands, after one warm-up run of each."""
    run_once(ours)
    run_once(theirs)
    loads = [os.getloadavg()[0]]
    ratios, our_times, their_times, our_peak, their_peak = [], [], [], 0.0, 0.0
    for number in range(runs):
        if number % 2 == 0:
            (a, a_peak), (b, b_peak) = run_once(ours), run_once(theirs)
        else:
            (b, b_peak), (a, a_peak) = run_once(theirs), run_once(ours)
        ratios.append(a / b)
        our_times.append(a)
        their_times.append(b)
        our_peak, their_peak = max(our_peak, a_peak), max(their_peak, b_peak)
        loads.append(os.getloadavg()[0])
    return {"ratio": statistics.median(ratios), "ours": statistics.median(our_times),
            "theirs": statistics.median(their_times), "our_peak": our_peak,
            "their_peak": their_peak, "load_low": min(loads), "load_high": max(loads)}


_IN_PROCESS = """
import sys, time
started = time.perf_counter()
from bookmaker.settings.options import BuildOptions
from bookmaker.settings.context import render_context
from bookmaker.convert import load
from bookmaker.writers import epub
imported = time.perf_counter()
epub.epub_bytes(load(sys.argv[1]), render_context(BuildOptions()))
first = time.perf_counter()
epub.epub_bytes(load(sys.argv[1]), render_context(BuildOptions()))
warm = time.perf_counter()
print(imported - started, first - imported, warm - first)
"""


def measure_in_process(source: Path) -> tuple[float, ...]:
    """Seconds to import the library, to make the first book (readers and writer are imported
    lazily, so this includes them), and to make it again: the library's own share."""
    runs = [subprocess.run([sys.executable, "-c", _IN_PROCESS, str(source)], check=True,
                           capture_output=True, text=True).stdout.split() for _ in range(5)]
    return tuple(statistics.median(float(run[i]) for run in runs) for i in range(3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9, help="pairs per work")
    parser.add_argument("--big", action="store_true", help="also a 500,000-word fic")
    parser.add_argument("--only", type=int, action="append", metavar="WORDS",
                        help="only this size (repeat for several)")
    args = parser.parse_args()
    if not shutil.which("pandoc"):
        raise SystemExit("pandoc is not on PATH")
    compileall.compile_dir(PACKAGE, quiet=1)
    sizes = {**SIZES, **(BIG if args.big else {})}
    if args.only:
        sizes = {words: chapters for words, chapters in {**SIZES, **BIG}.items()
                 if words in args.only}
    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    out = WORK / "out"
    print(f"load average before: {' '.join(f'{v:.1f}' for v in os.getloadavg())}; "
          f"{args.runs} pairs per work")
    print()
    print("| words | bookmaker s | bookmaker MiB | pandoc s | pandoc MiB "
          "| bookmaker's time / pandoc's (median of pairs) | load |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    for words, chapters in sizes.items():
        source = manuscript(words, chapters)
        row = pairs([*bookmaker_command(), "build", str(source), "-f", "epub", "-o", str(out)],
                    ["pandoc", str(source), "-f", "markdown", "-t", "epub3",
                     "-o", str(out / "pandoc.epub")], args.runs)
        print(f"| {words:,} | {row['ours']:.3f} | {row['our_peak']:.0f} | {row['theirs']:.3f} "
              f"| {row['their_peak']:.0f} | {row['ratio']:.2f}x | "
              f"{row['load_low']:.1f}-{row['load_high']:.1f} |", flush=True)
    print()
    print(f"load average after: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    print()
    print("| in one Python process (`load` + EPUB) | import s | first book s | again s |")
    print("|---|---:|---:|---:|")
    for words in (122_000, 2_000):
        source = WORK / f"words-{words}" / ("story.md" if words == 2_000 else "novel.md")
        if source.exists():
            imported, first, again = measure_in_process(source)
            print(f"| {words:,} words | {imported:.3f} | {first:.3f} | {again:.3f} |")


if __name__ == "__main__":
    main()

"""Whole-process time and peak memory: `bookmaker build -f epub` next to `pandoc` on one Markdown.

    python benchmarks/epub_speed.py [--runs 5] [--big]

Makes the manuscripts with make_novel.py under benchmarks/work/ (a 2,000-word story, a 120,000-word
novel and, with --big, a 500,000-word one), then runs each command --runs times (after one warm-up
run), the two tools alternating on each work, and prints a Markdown table of the median wall time,
the peak resident memory of the process and the ratio, with the load average while measured.
Needs `pandoc` on PATH for the comparison rows (install it from the system packages; it is not a
dependency of bookmaker).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"


def bookmaker_command() -> list[str]:
    found = shutil.which("bookmaker", path=str(Path(sys.executable).parent)) or \
        shutil.which("bookmaker")
    return [found] if found else [sys.executable, "-m", "bookmaker"]


def measure(command: list[str], runs: int) -> tuple[float, float]:
    """Median seconds and peak RSS in MiB of ``command`` over ``runs`` runs (after a warm-up)."""
    subprocess.run(command, check=True, capture_output=True)
    times, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        pid = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).pid
        _, status, usage = os.wait4(pid, 0)
        times.append(time.perf_counter() - start)
        if status != 0:
            raise SystemExit(f"{' '.join(command)} failed with status {status}")
        peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(times), max(peaks)


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


def measure_in_process(source: Path) -> tuple[float, float, float]:
    """Seconds to import the library, to make the first book (readers and writer are imported
    lazily, so this includes them), and to make it again: the library's own share."""
    runs = [subprocess.run([sys.executable, "-c", _IN_PROCESS, str(source)], check=True,
                           capture_output=True, text=True).stdout.split() for _ in range(5)]
    return tuple(statistics.median(float(run[i]) for run in runs) for i in range(3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--big", action="store_true", help="also a 500,000-word novel")
    args = parser.parse_args()
    subprocess.run([sys.executable, str(HERE / "make_novel.py"), str(WORK)], check=True)
    works = [("story.md", "2,000"), ("novel.md", "120,000")]
    if args.big:
        subprocess.run([sys.executable, str(HERE / "make_novel.py"), str(WORK / "big"),
                        "--words", "500000", "--chapters", "200"], check=True)
        works.append(("big/novel.md", "500,000"))
    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    print(f"load average before: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    print()
    print("| work | words | bookmaker s | bookmaker MiB | pandoc s | pandoc MiB "
          "| pandoc / bookmaker |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, words in works:
        source = WORK / name
        ours = measure([*bookmaker_command(), "build", str(source), "-o", str(WORK / "out")],
                       args.runs)
        theirs = measure(["pandoc", str(source), "-f", "markdown", "-t", "epub3",
                          "-o", str(WORK / "pandoc.epub")], args.runs) \
            if shutil.which("pandoc") else (float("nan"), float("nan"))
        print(f"| {name} | {words} | {ours[0]:.3f} | {ours[1]:.0f} | {theirs[0]:.3f} | "
              f"{theirs[1]:.0f} | {theirs[0] / ours[0]:.2f}x |", flush=True)
    print()
    print(f"load average after: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    print()
    print("| in one Python process (`load` + EPUB) | words | import s | first book s | again s |")
    print("|---|---:|---:|---:|---:|")
    for name, words in (("novel.md", "120,000"), ("story.md", "2,000")):
        imported, first, again = measure_in_process(WORK / name)
        print(f"| {name} | {words} | {imported:.3f} | {first:.3f} | {again:.3f} |")


if __name__ == "__main__":
    main()

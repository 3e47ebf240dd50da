"""PDF speed and memory: bookmaker beside plain WeasyPrint on pandoc's HTML of the same text.

    python benchmarks/pdf_speed.py [--words 120000 500000] [--workers N] [--work DIR]

For each size, makes a manuscript from the seed (make_novel.py), then times
  bookmaker build novel.md -f pdf           (full typography, parallel layout)
  pandoc -s novel.md -o novel.html && weasyprint novel.html novel.pdf
and prints wall time, CPU time (user + system, all processes: the fair figure on a busy machine),
pages, pages per second and the peak memory of the whole process tree (the sum of every
process's resident memory, sampled every 50 ms from /proc).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from pypdf import PdfReader

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_novel  # noqa: E402

BIN = Path(sys.executable).parent


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            statm = Path(f"/proc/{entry}/statm").read_text().split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = int(statm[1]) * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def measure(commands: list[list[str]], cwd: Path) -> tuple[float, float, int]:
    """Wall time and CPU time of running ``commands`` one after another, and their peak tree
    memory."""
    peak = 0
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    for command in commands:
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL)
        while process.poll() is None:
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(0.05)
        if process.returncode:
            raise SystemExit(f"failed: {' '.join(command)}")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, peak


def run(words: int, workers: int | None, work: Path) -> None:
    folder = work / f"{words // 1000}k"
    folder.mkdir(parents=True, exist_ok=True)
    front, paragraphs = make_novel.seed_parts()
    chapters = max(words // 3000, 1)
    (folder / "novel.md").write_text(
        make_novel.manuscript(front, paragraphs, words, chapters), encoding="utf-8")
    ours = [str(BIN / "bookmaker"), "build", "novel.md", "-f", "pdf", "-o", "out"]
    if workers:
        ours += ["--workers", str(workers)]
    runs = {
        "bookmaker": ([ours], folder / "out" / "a-new-hero.pdf"),
        "pandoc+weasyprint": ([["pandoc", "-s", "novel.md", "-o", "plain.html"],
                               [str(BIN / "weasyprint"), "plain.html", "plain.pdf"]],
                              folder / "plain.pdf"),
    }
    for name, (commands, output) in runs.items():
        seconds, cpu, peak = measure(commands, folder)
        pages = len(PdfReader(output).pages)
        print(f"{words:>7} words  {name:<18} {seconds:7.1f} s  cpu {cpu:7.1f} s  {pages:5d} pages  "
              f"{pages / seconds:6.1f} pages/s  peak {peak / 2**20:6.0f} MB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, nargs="+", default=[120_000, 500_000])
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--work", type=Path, default=HERE / "work" / "pdf")
    args = parser.parse_args()
    for words in args.words:
        run(words, args.workers, args.work)


if __name__ == "__main__":
    main()

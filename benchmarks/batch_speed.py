"""Throughput and peak memory of `bookmaker batch` on a generated archive, next to pandoc.

    python benchmarks/batch_speed.py [--works 1000] [--pdf-works 100] [--jobs 2]

Makes the archive with make_corpus.py under benchmarks/work/, then measures, each as a whole
process tree (the batch process and its workers; xargs and its pandocs):

- `bookmaker batch` to EPUB into an empty folder, then the same command again (nothing changed);
- `bookmaker batch -f epub -f pdf` on a smaller archive of --pdf-works works (PDF is much slower),
  when the PDF format is registered;
- pandoc converting the same archive's Markdown files to EPUB, two at a time (`xargs -P2`).

Prints a Markdown table: seconds, works per second and the peak resident memory summed over the
process tree (sampled every 20 ms with psutil, which the `test` and `cluster` extras install).
Needs `pandoc` on PATH for its row.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"


def corpus(works: int) -> Path:
    folder = WORK / f"corpus-{works}"
    if not folder.exists():
        subprocess.run([sys.executable, str(HERE / "make_corpus.py"), str(works), str(folder)],
                       check=True)
    return folder


def bookmaker_command() -> list[str]:
    found = shutil.which("bookmaker", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "bookmaker"]


def measure(command: list[str] | str) -> tuple[float, float]:
    """Wall seconds and peak MiB of resident memory of the whole process tree of ``command``."""
    started = time.perf_counter()
    process = psutil.Popen(command, shell=isinstance(command, str),
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss(process))
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{command} failed: {process.stderr.read().decode()[-2000:]}")
    return seconds, peak / 2**20


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    try:
        for member in [process, *process.children(recursive=True)]:
            total += member.memory_info().rss
    except psutil.Error:  # a member ended while we looked
        pass
    return total


class _Table(list):
    """Prints each row as soon as it is measured: a long run interrupted still shows its rows."""

    def append(self, row: tuple) -> None:
        if not self:
            print("| command | works | seconds | works/s | peak MiB (process tree) |")
            print("|---|---:|---:|---:|---:|", flush=True)
        super().append(row)
        name, works, seconds, peak = row
        print(f"| {name} | {works} | {seconds:.2f} | {works / seconds:.1f} | {peak:.0f} |",
              flush=True)


def has_pdf() -> bool:
    from bookmaker.writers import WRITERS

    return "pdf" in WRITERS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", type=int, default=1000)
    parser.add_argument("--pdf-works", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    archive = corpus(args.works)
    markdown = sorted(str(p) for p in archive.rglob("*.md"))
    batch = [*bookmaker_command(), "batch", "--jobs", str(args.jobs), "--quiet"]
    rows = _Table()

    epub_out = WORK / "batch-epub"
    shutil.rmtree(epub_out, ignore_errors=True)
    command = [*batch, str(archive), "-o", str(epub_out)]
    rows.append(("bookmaker batch -f epub", args.works, *measure(command)))
    rows.append(("bookmaker batch -f epub, again (nothing changed)", args.works,
                 *measure(command)))
    if has_pdf():
        small = corpus(args.pdf_works)
        both_out = WORK / "batch-epub-pdf"
        shutil.rmtree(both_out, ignore_errors=True)
        rows.append(("bookmaker batch -f epub -f pdf", args.pdf_works, *measure(
            [*batch, str(small), "-o", str(both_out), "-f", "epub", "-f", "pdf"])))
    else:
        print("the PDF format is not registered: no EPUB+PDF row", file=sys.stderr)
    if shutil.which("pandoc"):
        pandoc_out = WORK / "pandoc-epub"
        shutil.rmtree(pandoc_out, ignore_errors=True)
        pandoc_out.mkdir(parents=True)
        (WORK / "pandoc-inputs.txt").write_text("\0".join(markdown))
        xargs = (f"xargs -0 -P2 -n1 sh -c 'pandoc \"$0\" -f markdown -t epub3 "
                 f"-o \"{pandoc_out}/$(basename \"$0\" .md).epub\"' < {WORK / 'pandoc-inputs.txt'}")
        rows.append(("pandoc -t epub3, xargs -P2 (the .md works only)", len(markdown),
                     *measure(xargs)))


if __name__ == "__main__":
    main()

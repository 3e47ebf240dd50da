"""PDF speed and memory: bookmaker beside plain WeasyPrint on pandoc's HTML of the same text.

    python benchmarks/pdf_speed.py [--words 120000 500000] [--workers N] [--work DIR]
                                   [--join-words N] [--no-plain]

For each size, makes a manuscript from the seed (make_novel.py), then times
  bookmaker build novel.md -f pdf           (full typography, parallel layout)
  pandoc -s novel.md -o novel.html && weasyprint novel.html novel.pdf
and prints wall time, CPU time (user + system, all processes: the fair figure on a busy machine),
pages, pages per second, the peak memory of the whole process tree (the sum of every process's
resident memory, sampled every 50 ms from /proc) and the machine's load average while it ran
(other engineers share its cores).

``--join-words N`` also lays out a book of N words in parts once and joins the same part files
three times, each join in a fresh process: pages only with pypdf (read every part,
``PdfWriter.append``, write: how bookmaker joined before), pages only with pikepdf
(``add_pages_from`` from the open files, save), and bookmaker's whole join (writers/pdf/join.py:
pikepdf, plus structure trees merged, folios laid out by WeasyPrint, outline, metadata).
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


def measure(commands: list[list[str]], cwd: Path) -> tuple[float, float, int, str]:
    """Wall time and CPU time of running ``commands`` one after another, their peak tree
    memory, and the load averages (1 minute) seen while they ran."""
    peak = 0
    loads = [os.getloadavg()[0]]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    for command in commands:
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL)
        samples = 0
        while process.poll() is None:
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(0.05)
            samples += 1
            if samples % 200 == 0:
                loads.append(os.getloadavg()[0])
        if process.returncode:
            raise SystemExit(f"failed: {' '.join(command)}")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    loads.append(os.getloadavg()[0])
    return wall, cpu, peak, f"{min(loads):.1f}-{max(loads):.1f}"


def run(words: int, workers: int | None, work: Path, plain: bool = True) -> None:
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
    if not plain:
        del runs["pandoc+weasyprint"]
    for name, (commands, output) in runs.items():
        seconds, cpu, peak, load = measure(commands, folder)
        pages = len(PdfReader(output).pages)
        print(f"{words:>7} words  {name:<18} {seconds:7.1f} s  cpu {cpu:7.1f} s  {pages:5d} pages  "
              f"{pages / seconds:6.1f} pages/s  peak {peak / 2**20:6.0f} MiB  load {load}",
              flush=True)


# The two joins compared by --join-words, each run as ``python -c`` in a fresh process with the
# part files' paths as arguments and the output path last.
PYPDF_JOIN = """
import io, sys
from pypdf import PdfReader, PdfWriter
writer = PdfWriter()
for path in sys.argv[1:-1]:
    writer.append(PdfReader(io.BytesIO(open(path, "rb").read())), import_outline=False)
with open(sys.argv[-1], "wb") as out:
    writer.write(out)
"""
PIKEPDF_BARE_JOIN = """
import sys
import pikepdf
book = pikepdf.new()
sources = [pikepdf.open(path) for path in sys.argv[1:-1]]
for source in sources:
    book.add_pages_from(source, outlines="ignore")
book.save(sys.argv[-1])
"""
BOOKMAKER_JOIN = """
import pickle, sys
from bookmaker.writers.pdf.join import join
from bookmaker.writers.pdf.layout import Layout
with open(sys.argv[1], "rb") as saved:
    settings, parts, info = pickle.load(saved)
join(parts, __import__("pathlib").Path(sys.argv[-1]), Layout(settings), info)
"""


def join_comparison(words: int, work: Path) -> None:
    """Lay out a ``words``-word book in parts (in this process, one part at a time), then join
    the same files with pypdf and with bookmaker's join, each in a fresh measured process."""
    import pickle

    from bookmaker.convert import load
    from bookmaker.settings.context import render_context
    from bookmaker.writers.pdf.layout import Layout, LayoutSettings
    from bookmaker.writers.pdf.parallel import group_sections, lay_out, parts_wanted
    from bookmaker.writers.pdf.print_html import PrintBook

    folder = work / f"join-{words // 1000}k"
    folder.mkdir(parents=True, exist_ok=True)
    front, paragraphs = make_novel.seed_parts()
    manuscript = folder / "novel.md"
    manuscript.write_text(make_novel.manuscript(front, paragraphs, words, max(words // 3000, 1)),
                          encoding="utf-8")
    context = render_context()
    print_book = PrintBook(load(manuscript), context)
    settings = LayoutSettings(str(folder), "a5", context.theme)
    layout = Layout(settings)
    parts = [lay_out(layout, print_book.document([s.html for s in group]),
                     folder / f"part-{number:04d}.pdf")
             for number, group in enumerate(group_sections(print_book.body,
                                                            parts_wanted(print_book.body, 2)))]
    with open(folder / "parts.pickle", "wb") as saved:
        pickle.dump((settings, parts, print_book.info()), saved)
    pages = sum(len(part.numbered) for part in parts)
    joins = {"pypdf append": [sys.executable, "-c", PYPDF_JOIN,
                              *(str(part.path) for part in parts), "pypdf.pdf"],
             "pikepdf add_pages_from": [sys.executable, "-c", PIKEPDF_BARE_JOIN,
                                        *(str(part.path) for part in parts), "pikepdf.pdf"],
             "bookmaker's join": [sys.executable, "-c", BOOKMAKER_JOIN, "parts.pickle",
                                  "bookmaker.pdf"]}
    for name, command in joins.items():
        seconds, cpu, peak, load_average = measure([command], folder)
        print(f"{words:>7} words  join {len(parts)} parts, {pages} pages: {name:<22} "
              f"{seconds:6.1f} s  cpu {cpu:6.1f} s  peak {peak / 2**20:6.0f} MiB  "
              f"load {load_average}",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, nargs="*", default=[120_000, 500_000])
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--work", type=Path, default=HERE / "work" / "pdf")
    parser.add_argument("--join-words", type=int, default=None,
                        help="also compare the pypdf and pikepdf joins on a book this long")
    parser.add_argument("--no-plain", action="store_true",
                        help="time bookmaker only, not pandoc + WeasyPrint")
    args = parser.parse_args()
    print(f"load average at start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}", flush=True)
    for words in args.words:
        run(words, args.workers, args.work, plain=not args.no_plain)
    if args.join_words:
        join_comparison(args.join_words, args.work)


if __name__ == "__main__":
    main()

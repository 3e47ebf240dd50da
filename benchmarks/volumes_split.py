"""A long book split into volumes for binding: time and the volumes' pages.

    python benchmarks/volumes_split.py [--words 170000] [--chapters 85] [--volumes 2] [--work DIR]

Makes a manuscript from the seed (make_novel.py; 170,000 words in 85 chapters is about 700 A5
pages), then times ``bookmaker build novel.md -f pdf --volumes N``: one layout of the whole book
to learn where each chapter falls, then each volume laid out as a complete book. Prints wall
time, CPU time of the process tree (the fair figure on a busy machine) and each volume's pages.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_novel  # noqa: E402

BIN = Path(sys.executable).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=170_000)
    parser.add_argument("--chapters", type=int, default=85)
    parser.add_argument("--volumes", type=int, default=2)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bookmaker-volumes-"))
    work.mkdir(parents=True, exist_ok=True)
    front, paragraphs = make_novel.seed_parts()
    novel = work / "novel.md"
    novel.write_text(make_novel.manuscript(front, paragraphs, args.words, args.chapters),
                     encoding="utf-8")
    out = work / "dist"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([str(BIN / "bookmaker"), "build", str(novel), "-f", "pdf", "--volumes",
                    str(args.volumes), "-o", str(out)], check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    pages = [len(PdfReader(path).pages) for path in sorted(out.glob("*.pdf"))]
    print(f"{args.words:,} words, {args.chapters} chapters -> {len(pages)} volumes of "
          f"{', '.join(map(str, pages))} pages ({sum(pages)} in all)")
    print(f"wall {wall:.1f} s, CPU {cpu:.1f} s")


if __name__ == "__main__":
    main()

"""What the registry's loss check (bookmaker/readers/accounting.py) costs a read.

    python benchmarks/loss_check.py [--runs 5]

Reads a 120,000-word manuscript (benchmarks/make_novel.py) and a 500,000-word AO3 download
(benchmarks/ao3_reading.py) --runs times each, alternately with the check and with it taken
out (the comparison made a no-op, the text the parse records for it not computed), and prints
the best and median time of each as rows of benchmarks/README.md's table: the reader alone, and
the whole EPUB build (which adds transforms and writers, untouched by the check).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from ao3_reading import make_download  # noqa: E402
from make_novel import manuscript, seed_parts  # noqa: E402

from bookmaker import convert, readers  # noqa: E402
from bookmaker.readers import accounting  # noqa: E402
from bookmaker.readers.html import parse  # noqa: E402


@contextlib.contextmanager
def without_the_check() -> Iterator[None]:
    """The check taken out: no comparison, and no text recorded by the parse for it."""
    unaccounted, text_content = accounting.unaccounted, parse.text_content
    accounting.unaccounted = lambda source, book: None  # type: ignore[assignment]
    parse.text_content = lambda element: ""  # type: ignore[assignment]
    try:
        yield
    finally:
        accounting.unaccounted, parse.text_content = unaccounted, text_content


def timed(path: Path, build: bool = False) -> float:
    start = time.perf_counter()
    if build:  # the whole EPUB build, as `bookmaker build` runs it
        with tempfile.TemporaryDirectory() as out:
            [result] = convert.build([path], ["epub"], out)
            assert result.error is None, result.error
    else:
        readers.read(path)
    return time.perf_counter() - start


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--runs", type=int, default=5)
    arguments = options.parse_args()
    WORK.mkdir(exist_ok=True)
    front, paragraphs = seed_parts()
    novel = WORK / "loss-check-novel.md"
    novel.write_text(manuscript(front, paragraphs, 120_000, 40), encoding="utf-8")
    download = WORK / "loss-check-ao3.html"
    download.write_text(make_download(500_000, 100), encoding="utf-8")
    print("| input | with the check: best / median s | without: best / median s | cost |")
    print("|---|---:|---:|---:|")
    for label, path, build in (
            ("120,000-word manuscript, read", novel, False),
            ("500,000-word AO3 download, read", download, False),
            ("120,000-word manuscript, EPUB build", novel, True),
            ("500,000-word AO3 download, EPUB build", download, True)):
        timed(path, build)  # warm-up: imports, caches
        checked, unchecked = [], []
        for _ in range(arguments.runs):
            checked.append(timed(path, build))
            with without_the_check():
                unchecked.append(timed(path, build))
        cost = min(checked) / min(unchecked) - 1
        print(f"| {label} | {min(checked):.2f} / {statistics.median(checked):.2f} | "
              f"{min(unchecked):.2f} / {statistics.median(unchecked):.2f} | {cost:+.1%} |")


if __name__ == "__main__":
    main()

"""The passes that walk the whole model, timed in-process on a 120,000-word novel.

    python benchmarks/walk_speed.py [--runs 7] [--profile typography]

Makes the novel with make_novel.py under benchmarks/work/ (the seed story's paragraphs in 40
chapters), reads it once, then times each pass --runs times and prints a Markdown table of the best
and median CPU seconds (process time: the machine is shared, and waiting for a core is not the
pass's cost): typography and scene breaks (the transforms), the depth budget, plain text
(word count), and the EPUB and kepub writers (which render every node, without the zip). With
--profile STAGE it prints cProfile's 25 most expensive functions for that stage instead, to see
where the time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import runpy
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
sys.path.insert(0, str(HERE.parent))

from bookmaker import readers  # noqa: E402
from bookmaker.safety.budgets import check_depth  # noqa: E402
from bookmaker.settings.context import render_context  # noqa: E402
from bookmaker.settings.options import BuildOptions  # noqa: E402
from bookmaker.transforms import scenebreaks, typography  # noqa: E402
from bookmaker.model import word_count  # noqa: E402
from bookmaker.writers.epub import epub_bytes  # noqa: E402


def novel() -> Path:
    path = WORK / "walk" / "novel.md"
    if not path.exists():
        maker = runpy.run_path(str(HERE / "make_novel.py"))
        front, paragraphs = maker["seed_parts"]()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(maker["manuscript"](front, paragraphs, 120_000, 40), encoding="utf-8")
    return path


def stages(source: Path) -> dict[str, Callable[[], object]]:
    book = readers.read(source)
    typeset = typography.apply(scenebreaks.apply(book))
    context = render_context(BuildOptions())

    def kepub() -> object:
        from bookmaker.writers.epub import kepub as kepub_writer

        return kepub_writer.kepub_bytes(typeset, context)

    return {
        "typography": lambda: typography.apply(book),  # the book as read: every rule has work
        "scene breaks": lambda: scenebreaks.apply(book),
        "depth budget": lambda: check_depth(book, source),
        "word count": lambda: word_count(book),
        "epub": lambda: epub_bytes(typeset, context),
        "kepub": kepub,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--profile", metavar="STAGE")
    args = parser.parse_args()
    source = novel()
    timed = stages(source)
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(timed[args.profile])
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        return
    print(f"{word_count(readers.read(source)):,} words\n")
    print("| pass | best s | median s |\n|---|---:|---:|")
    for name, stage in timed.items():
        stage()  # warm-up: imports, template compilation
        times = []
        for _ in range(args.runs):
            start = time.process_time()
            stage()
            times.append(time.process_time() - start)
        print(f"| {name} | {min(times):.3f} | {statistics.median(times):.3f} |")


if __name__ == "__main__":
    main()

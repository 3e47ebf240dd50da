"""Where one `bookmaker build -f epub` spends its time: imports by library, then each step.

    python benchmarks/build_steps.py [MANUSCRIPT] [--runs 5] [--tree OTHER_CHECKOUT]

Imports: ``python -X importtime -m bookmaker build MANUSCRIPT`` run --runs times; each module's
own import time (its "self" column), the least of the runs, summed by library. Steps: the same
build in one process, each step timed on its own (the least of --runs): reading (the manuscript
reader, markdown-it's parse on its own beside it), typesetting (the [book] defaults, typography,
scene breaks, the assets check), the EPUB's pages and files, and packing them. --tree measures the
imports of another checkout of bookmaker beside this one (a "before" column). The manuscript
defaults to the 2,000-word story make_novel.py writes.
"""

from __future__ import annotations

import argparse
import collections
import compileall
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"

# Library -> the module-name prefixes that are its (the first group that claims a module has it).
GROUPS = {
    "typer and its click": ("typer", "shellingham", "click"),
    "rich": ("rich",),
    "the HTML road (justhtml, readers/html)": ("justhtml", "bookmaker.readers.html", "readability"),
    "Jinja2": ("jinja2", "markupsafe"),
    "markdown-it and its plugins": ("markdown_it", "mdit_py_plugins", "mdurl"),
    "Pillow (the cover)": ("PIL",),
    "PyYAML (front matter)": ("yaml",),
    "lxml": ("lxml",),
    "ebooklib": ("ebooklib",),
    "tinycss2, cssselect2 (the stylesheet)": ("tinycss2", "cssselect2", "webencodings"),
    "bookmaker.cli": ("bookmaker.cli",),
    "bookmaker.batch": ("bookmaker.batch",),
    "bookmaker.model": ("bookmaker.model",),
    "bookmaker's other modules": ("bookmaker",),
}
_LINE = re.compile(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)")


def import_times(tree: Path, source: Path, runs: int) -> dict[str, float]:
    """Milliseconds of imports per library for a build of ``source`` with the bookmaker in
    ``tree``."""
    compileall.compile_dir(tree / "bookmaker", quiet=1)
    least: dict[str, int] = {}
    environment = {**os.environ, "PYTHONPATH": str(tree), "SOURCE_DATE_EPOCH": "1700000000"}
    for _ in range(runs):
        report = subprocess.run([sys.executable, "-X", "importtime", "-m", "bookmaker", "build",
                                 str(source), "-f", "epub", "-o", str(WORK / "out")],
                                cwd=tree, env=environment, capture_output=True, text=True,
                                check=True).stderr
        for match in _LINE.finditer(report):
            name, own = match.group(2), int(match.group(1))
            least[name] = min(own, least.get(name, own))
    totals: dict[str, float] = collections.defaultdict(float)
    for name, own in least.items():
        group = next((group for group, prefixes in GROUPS.items()
                      if any(name == p or name.startswith(p + ".") for p in prefixes)),
                     "the standard library and the rest")
        totals[group] += own / 1000
    totals["all imports"] = sum(least.values()) / 1000
    return totals


def step_times(source: Path, runs: int) -> dict[str, float]:
    """Milliseconds of each step of the build in one process, after a first build."""
    from bookmaker import readers
    from bookmaker.convert import _typeset
    from bookmaker.readers.markdown import _PARSER
    from bookmaker.settings.context import render_context
    from bookmaker.settings.options import BuildOptions
    from bookmaker.writers import epub
    from bookmaker.writers.epub import package

    context = render_context(BuildOptions())
    text = source.read_text(encoding="utf-8")
    steps: dict[str, float] = {}

    def timed(name: str, step, *args):
        started = time.perf_counter()
        result = step(*args)
        steps[name] = min(steps.get(name, float("inf")), (time.perf_counter() - started) * 1000)
        return result

    for _ in range(runs + 1):
        timed("markdown-it's parse alone", _PARSER.parse, text, {})
        book = timed("read (the manuscript reader, parse included)", readers.read, source)
        finished = timed("typeset (defaults, typography, scene breaks, assets)", _typeset, book,
                         source, context, [])
        files = timed("EPUB pages, stylesheet, cover, NCX", epub.assemble, finished, context)
        timed("EPUB package (OPF, zip)", package.package_bytes, files)
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("manuscript", nargs="?", type=Path,
                        default=WORK / "words-2000" / "story.md")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tree", type=Path, help="another checkout, for a 'before' column")
    args = parser.parse_args()
    if not args.manuscript.exists():
        subprocess.run([sys.executable, str(HERE / "make_novel.py"), str(WORK / "words-2000"),
                        "--words", "2000", "--chapters", "1"], check=True)
    print(f"load average: {' '.join(f'{v:.1f}' for v in os.getloadavg())}\n")
    ours = import_times(HERE.parent, args.manuscript, args.runs)
    before = import_times(args.tree, args.manuscript, args.runs) if args.tree else None
    print("| imports of a build (ms, least of runs) |" + (" before |" if before else "") +
          " now |")
    print("|---|" + ("---:|" if before else "") + "---:|")
    for group in [*GROUPS, "the standard library and the rest", "all imports"]:
        cells = ([f"{before.get(group, 0):.1f}"] if before else []) + [f"{ours.get(group, 0):.1f}"]
        print(f"| {group} | " + " | ".join(cells) + " |")
    print(f"\n| step, in one process (ms, least of {args.runs}) | {args.manuscript.name} |")
    print("|---|---:|")
    for name, milliseconds in step_times(args.manuscript, args.runs).items():
        print(f"| {name} | {milliseconds:.1f} |")


if __name__ == "__main__":
    main()

"""Fuzz every reader for a while: ``python fuzz/run.py --minutes 10`` (or ``--minutes 0.5``).

Runs the targets in tests/fuzz_targets.py (Markdown, plain text, HTML, DOCX and, once it is there,
EPUB) round after round with hypothesis and a long profile, until the time is up or an input makes
a reader raise anything other than a ManuscriptError naming the file. Hypothesis then shrinks that
input to a small one and prints it; add it as a regression test and fix the reader. Not part of the
normal test run (tests/test_properties.py runs a short smoke round of this same harness).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "helpers"))
from fuzz_targets import CHECKS, TARGETS, read_or_refuse

EXAMPLES_PER_ROUND = 500


def fuzz(seconds: float, examples_per_round: int = EXAMPLES_PER_ROUND,
         extensions: tuple[str, ...] = tuple(TARGETS)) -> dict[str, int]:
    """Inputs tried per extension, fuzzing each in turn (whole rounds) for ``seconds`` in all.

    Each round is a fresh hypothesis run (a new random seed), so rounds explore different inputs;
    a failing input propagates as hypothesis's shrunk falsifying example.
    """
    tried = dict.fromkeys(extensions, 0)
    deadline = time.monotonic() + seconds
    with tempfile.TemporaryDirectory(prefix="bookmaker-fuzz-") as folder:
        while True:
            for extension in extensions:
                tried[extension] += _round(Path(folder), extension, examples_per_round)
            if time.monotonic() >= deadline:
                return tried


def _round(folder: Path, extension: str, examples: int) -> int:
    """One hypothesis run of ``examples`` inputs against one reader; the number it tried."""
    count = 0

    @settings(max_examples=examples, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(TARGETS[extension] if extension in TARGETS else CHECKS[extension][0])
    def reader_survives(data: bytes) -> None:
        nonlocal count
        count += 1
        if extension in TARGETS:
            read_or_refuse(folder, extension, data)
        else:  # an SVG or a manifest: its own check (tests/helpers/fuzz_targets.py)
            CHECKS[extension][1](folder, data)

    reader_survives()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--only", action="append", choices=sorted([*TARGETS, *CHECKS]),
                        help="fuzz only this extension or check (repeatable)")
    arguments = parser.parse_args()
    started = time.monotonic()
    tried = fuzz(arguments.minutes * 60,
                 extensions=tuple(arguments.only or [*TARGETS, *CHECKS]))
    elapsed = time.monotonic() - started
    for extension, count in tried.items():
        print(f"{extension:6} {count:8,} inputs")
    print(f"{sum(tried.values()):,} inputs in {elapsed:.0f} s, no reader or check failed")


if __name__ == "__main__":
    main()

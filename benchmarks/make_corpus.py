"""Make a benchmark archive: N works of realistic, varied lengths in nested folders.

    python benchmarks/make_corpus.py N OUT_DIR [--seed 1]

Lengths follow a log-normal distribution (median about 4,000 words, clipped to 500-50,000), as
works on fan fiction archives do: many short ones, a long tail of novels. Works longer than
4,000 words are split into chapters. About one in seven is a plain-text fic (.txt), the rest
annotated manuscripts (.md); they sit in fandom/author folders. The text is the seed story's
paragraphs (see make_novel.py), so typography and structure are those of a real fic. The same N
and seed always give the same files.
"""

from __future__ import annotations

import argparse
import math
import random
from pathlib import Path

from make_novel import manuscript, seed_parts

MIN_WORDS, MAX_WORDS, MEDIAN_WORDS = 500, 50_000, 4_000
WORDS_PER_CHAPTER = 4_000


def work_lengths(count: int, rng: random.Random) -> list[int]:
    return [min(MAX_WORDS, max(MIN_WORDS, int(rng.lognormvariate(math.log(MEDIAN_WORDS), 1.0))))
            for _ in range(count)]


def plain_text(title: str, paragraphs: list[str], words: int, rng: random.Random) -> str:
    """A fic as posted in a .txt: header lines, then paragraphs, blank-line scene breaks."""
    start = rng.randrange(len(paragraphs))
    out = [f"Title: {title}", "Author: Benchmark", "Rating: Teen And Up Audiences", "", ""]
    count = 0
    while count < words:
        paragraph = paragraphs[(start + len(out)) % len(paragraphs)]
        out.append(paragraph.replace("*", "_") + "\n")
        count += len(paragraph.split())
    return "\n".join(out)


def write_corpus(count: int, out_dir: Path, seed: int = 1) -> list[Path]:
    rng = random.Random(seed)
    front, paragraphs = seed_parts()
    written = []
    for number, words in enumerate(work_lengths(count, rng), start=1):
        title = f"Work {number:05}"
        folder = out_dir / f"fandom-{rng.randrange(8):02}" / f"author-{rng.randrange(40):03}"
        folder.mkdir(parents=True, exist_ok=True)
        if rng.random() < 1 / 7:
            path = folder / f"work-{number:05}.txt"
            path.write_text(plain_text(title, paragraphs, words, rng), encoding="utf-8")
        else:
            path = folder / f"work-{number:05}.md"
            titled = front.replace("title: A New Hero", f"title: {title}")
            chapters = max(1, words // WORDS_PER_CHAPTER)
            path.write_text(manuscript(titled, paragraphs, words, chapters), encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, nargs="?", default=1000)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    paths = write_corpus(args.count, args.out_dir, args.seed)
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in paths)
    print(f"{len(paths)} works, {words:,} words in {args.out_dir}")


if __name__ == "__main__":
    main()

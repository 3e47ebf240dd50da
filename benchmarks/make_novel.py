"""Make benchmark manuscripts from the seed story's own text.

    python benchmarks/make_novel.py OUT_DIR [--words 120000] [--chapters 40]

writes OUT_DIR/novel.md (about --words words in --chapters chapters, with scene breaks and the
seed's front matter) and OUT_DIR/story.md (a 2,000-word one-chapter story). The text is the seed's
paragraphs repeated in order, so the typography and structure are those of a real fic.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED_MANUSCRIPT = REPO / "manuscripts" / "a-new-hero.md"


def seed_parts() -> tuple[str, list[str]]:
    """The seed manuscript's front matter and its body paragraphs (scene breaks left out)."""
    text = SEED_MANUSCRIPT.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    paragraphs = [p for p in re.split(r"\n{2,}", body.strip()) if p.strip() != "* * *"]
    return front, paragraphs


def manuscript(front: str, paragraphs: list[str], words: int, chapters: int) -> str:
    per_chapter = words // chapters
    out = [f"---\n{front}---\n"]
    source = _cycle(paragraphs)
    for number in range(1, chapters + 1):
        if chapters > 1:
            out.append(f"# Chapter {number}\n")
        count = 0
        since_break = 0
        while count < per_chapter:
            paragraph = next(source)
            out.append(paragraph + "\n")
            count += len(paragraph.split())
            since_break += 1
            if since_break == 25 and count < per_chapter:
                out.append("* * *\n")
                since_break = 0
    return "\n".join(out)


def _cycle(items: list[str]):
    while True:
        yield from items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--words", type=int, default=120_000)
    parser.add_argument("--chapters", type=int, default=40)
    args = parser.parse_args()
    front, paragraphs = seed_parts()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "novel.md").write_text(
        manuscript(front, paragraphs, args.words, args.chapters), encoding="utf-8")
    (args.out_dir / "story.md").write_text(
        manuscript(front, paragraphs, 2_000, 1), encoding="utf-8")


if __name__ == "__main__":
    main()

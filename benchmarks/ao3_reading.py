"""How fast a big AO3 download is read into the model (the reader alone: no transforms, no writers).

    python benchmarks/ao3_reading.py [--words 500000] [--chapters 100] [--runs 5]

Writes benchmarks/work/ao3-download.html: an AO3 HTML download in AO3's own layout (the preface's
tag list, summary and notes, then per chapter ``div.meta.group`` with its summary and notes, the
text in ``div.userstuff`` and ``div#endnotesN``, then the afterword), its text the seed story's
paragraphs repeated, with emphasis, centred ``* * *`` breaks and a footnote per chapter. Then it
reads it --runs times in this process (after one warm-up read) with ``bookmaker.readers.read`` and
prints the best and the median time and the words read, as a row of benchmarks/README.md's table.
"""

from __future__ import annotations

import argparse
import html
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bookmaker import readers  # noqa: E402
from bookmaker.model import plain_text  # noqa: E402
from make_novel import seed_parts  # noqa: E402

PREFACE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/>
<title>The Long Rain - lanternfish - Final Fantasy VII</title>
<style type="text/css">.toc-heading {{ display: none; }}</style></head>
<body>
<div id="preface">
<h2 class="toc-heading">Preface</h2>
<p class="message"><b>The Long Rain</b><br/>Posted originally on the
<a href="https://archiveofourown.org/">Archive of Our Own</a> at
<a href="https://archiveofourown.org/works/48213377">https://archiveofourown.org/works/48213377</a>.</p>
<div class="meta">
<dl class="tags">
<dt>Rating:</dt><dd><a href="https://archiveofourown.org/tags/Mature">Mature</a></dd>
<dt>Archive Warnings:</dt><dd><a href="#">Graphic Depictions Of Violence</a>,
<a href="#">Major Character Death</a></dd>
<dt>Category:</dt><dd><a href="#">M/M</a></dd>
<dt>Fandom:</dt><dd><a href="#">Final Fantasy VII</a></dd>
<dt>Relationship:</dt><dd><a href="#">Genesis Rhapsodos/Sephiroth</a></dd>
<dt>Characters:</dt><dd><a href="#">Genesis Rhapsodos</a>, <a href="#">Sephiroth</a></dd>
<dt>Additional Tags:</dt><dd><a href="#">Angst</a>, <a href="#">Canon Divergence</a></dd>
<dt>Language:</dt><dd>English</dd>
<dt>Series:</dt><dd>Part 2 of <a href="https://archiveofourown.org/series/1">Rainverse</a></dd>
<dt>Stats:</dt><dd>Published: 2024-01-15 Updated: 2024-03-02 Words: {words:,}
Chapters: {chapters}/{chapters}</dd>
</dl>
<h1>The Long Rain</h1>
<div class="byline">by <a rel="author" href="https://archiveofourown.org/users/x">lanternfish</a></div>
<p>Summary</p>
<blockquote class="userstuff"><p>Sephiroth's last stand, and what Genesis does
<em>after</em>.</p></blockquote>
<p>Notes</p>
<blockquote class="userstuff"><p>Beware the angst.</p></blockquote>
</div>
</div>
<div id="chapters" class="userstuff">
"""

CHAPTER = """<div class="meta group">
<h2 class="heading">Chapter {number}: Rain, Part {number}</h2>
<p>Chapter Summary</p>
<blockquote class="userstuff"><p>More rain, chapter {number}.</p></blockquote>
<p>Chapter Notes</p>
<blockquote class="userstuff"><p>Thanks for reading this far.</p></blockquote>
<div class="endnote-link">See the end of the chapter for
<a href="#endnotes{number}">more notes</a></div>
</div>
<!--chapter content-->
<div class="userstuff">
{text}
</div>
<!--/chapter content-->
<div class="meta" id="endnotes{number}">
<p>Chapter End Notes</p>
<blockquote class="userstuff"><p>Next week: more rain.</p></blockquote>
</div>
"""

AFTERWORD = """</div>
<div id="afterword">
<h2 class="toc-heading">Afterword</h2>
<div class="meta"><div id="endnotes"><p>End Notes</p>
<blockquote class="userstuff"><p>Thank you for reading!</p></blockquote></div></div>
<p class="message">Please <a href="#">drop by the Archive and comment</a> to let the creator know
if you enjoyed their work!</p>
</div>
</body></html>
"""


def paragraph_html(text: str) -> str:
    """A seed paragraph as AO3's sanitiser leaves HTML: ``*x*`` as ``<em>``, the rest escaped."""
    parts = html.escape(" ".join(text.split()), quote=False).split("*")
    return "<p>" + "".join(part if index % 2 == 0 else f"<em>{part}</em>"
                           for index, part in enumerate(parts)) + "</p>"


def make_download(words: int, chapters: int) -> str:
    _, paragraphs = seed_parts()
    per_chapter = words // chapters
    out = [PREFACE.format(words=words, chapters=chapters)]
    source = (paragraphs[index % len(paragraphs)] for index in range(10 ** 9))
    for number in range(1, chapters + 1):
        text: list[str] = []
        count = 0
        while count < per_chapter:
            paragraph = next(source)
            text.append(paragraph_html(paragraph))
            count += len(paragraph.split())
            if len(text) % 25 == 0:
                text.append('<p align="center">* * *</p>')
        text[1] = text[1].replace("</p>", f'<sup><a href="#fn{number}">{number}</a></sup></p>')
        text.append(f'<p id="fn{number}">{number}. A footnote of chapter {number}.</p>')
        out.append(CHAPTER.format(number=number, text="\n".join(text)))
    out.append(AFTERWORD)
    return "".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=500_000)
    parser.add_argument("--chapters", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    path = WORK / "ao3-download.html"
    path.write_text(make_download(args.words, args.chapters), encoding="utf-8")
    book = readers.read(path)  # warm-up: imports, the parser's first use
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        readers.read(path)
        times.append(time.perf_counter() - start)
    words = sum(len(plain_text(chapter.blocks).split()) for chapter in book.chapters)
    print(f"| {path.stat().st_size / 1e6:.1f} MB, {len(book.chapters)} chapters, {words:,} words "
          f"| {min(times):.2f} s | {statistics.median(times):.2f} s |")


if __name__ == "__main__":
    main()

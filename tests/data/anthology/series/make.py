"""Makes this folder's AO3 downloads of one series, the way AO3 makes them.

The HTML downloads follow AO3's download layout (see tests/data/ao3html/, whose
single-chapter-2021 fixture is their model). The EPUBs are made from those HTML files by calibre's
``ebook-convert`` with the options AO3's own download writer passes (see
reference/ao3-downloads.md): what a reader who downloaded the EPUB really holds.

Run from this folder: ``python make.py`` (needs calibre). The outputs are checked in.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

HERE = Path(__file__).parent
SERIES = ("Soho Nights", "http://archiveofourown.org/series/2000001")
WORKS = [
    # (part, work id, title, published, summary, paragraphs)
    (1, 31234567, "Small Hours", "2021-06-01", "Cocoa at three in the morning.",
     ["The shop was closed, of course.", "Crowley knocked anyway.",
      "Aziraphale opened at once. Cocoa followed."]),
    (2, 31299001, "First Light", "2021-07-12", "Dawn over Soho, and a question.",
     ["The cocoa had gone cold hours ago.", "Neither of them had noticed.",
      "When the light came, Crowley asked."]),
    (3, 31355555, "Closing Time", "2021-09-03", "The shop closes for good. Or does it?",
     ["The sign said CLOSED in gold letters.", "It had said that for two hundred years.",
      "Today, for once, it meant it."]),
]
EPUBS = (1, 3)  # parts also downloaded as EPUB

TEMPLATE = """<!DOCTYPE html>
<html>
  <head>
    <meta charset="UTF-8"/>
    <title>{title} - nightjar - Good Omens (TV)</title>
    <style type="text/css">
.toc-heading {{ display: none; }}
    </style>
  </head>
  <body>
    <div id="preface">
      <h2 class="toc-heading">Preface</h2>
      <p class="message">
        <b>{title}</b><br/>
        Posted originally on the <a href="http://archiveofourown.org/">Archive of Our Own</a> at <a href="http://archiveofourown.org/works/{work}">http://archiveofourown.org/works/{work}</a>.
      </p>
      <div class="meta">
        <dl class="tags">
          <dt>Rating:</dt>
          <dd><a href="http://archiveofourown.org/tags/General%20Audiences">General Audiences</a></dd>
          <dt>Archive Warning:</dt>
          <dd><a href="http://archiveofourown.org/tags/No%20Archive%20Warnings%20Apply">No Archive Warnings Apply</a></dd>
          <dt>Category:</dt>
          <dd><a href="http://archiveofourown.org/tags/M*s*M">M/M</a></dd>
          <dt>Fandom:</dt>
          <dd><a href="http://archiveofourown.org/tags/Good%20Omens%20(TV)">Good Omens (TV)</a></dd>
          <dt>Relationship:</dt>
          <dd><a href="http://archiveofourown.org/tags/Aziraphale*s*Crowley%20(Good%20Omens)">Aziraphale/Crowley (Good Omens)</a></dd>
          <dt>Additional Tags:</dt>
          <dd><a href="http://archiveofourown.org/tags/Fluff">Fluff</a></dd>
          <dt>Series:</dt>
          <dd>Part {part} of <a href="{series_url}">{series}</a></dd>
          <dt>Stats:</dt>
          <dd>
            Published: {published}
            Words: {words}
            Chapters: 1/1
          </dd>
        </dl>
        <h1>{title}</h1>
        <div class="byline">by <a rel="author" href="http://archiveofourown.org/users/nightjar/pseuds/nightjar">nightjar</a></div>
        <p>Summary</p>
        <blockquote class="userstuff"><p>{summary}</p></blockquote>
      </div>
    </div>
    <div id="chapters" class="userstuff">
      <h2 class="toc-heading">{title}</h2>
      <div class="userstuff">
{text}
      </div>
    </div>
    <div id="afterword">
      <h2 class="toc-heading">Afterword</h2>
      <p class="message">Please <a href="http://archiveofourown.org/works/{work}/comments/new">drop by the Archive and comment</a> to let the author know if you enjoyed their work!</p>
    </div>
  </body>
</html>
"""


def main() -> None:
    for part, work, title, published, summary, paragraphs in WORKS:
        stem = f"{title.replace(' ', '_')}-{work}"
        html = HERE / f"{stem}.html"
        text = "\n".join(f"<p>{p}</p>" for p in paragraphs)
        html.write_text(TEMPLATE.format(
            title=title, work=work, part=part, series=SERIES[0], series_url=SERIES[1],
            published=published, words=len(text.split()), summary=summary, text=text),
            encoding="utf-8")
        if part in EPUBS:
            subprocess.run([
                "ebook-convert", str(html), str(HERE / f"{stem}.epub"),
                "--input-encoding", "utf-8", "--toc-threshold", "0", "--use-auto-toc",
                "--title", title, "--authors", "nightjar", "--comments", f"<p>{summary}</p>",
                "--pubdate", published, "--publisher", "Archive of Our Own", "--language", "en",
                "--tags", "Fanworks, General Audiences, No Archive Warnings Apply, M/M, "
                "Good Omens (TV), Aziraphale/Crowley (Good Omens), Fluff",
                "--series", SERIES[0], "--series-index", str(part),
                "--no-default-epub-cover"], check=True, capture_output=True)


if __name__ == "__main__":
    main()

"""Make Project Gutenberg HTML books the way Project Gutenberg's HTML files are made.

Two vintages, each a shape that once lost text:

- ``pg-gedichten-ebookmaker.html``: today's ebookmaker output (``section#pg-header`` with the
  ``Title:``/``Author:`` list and ``div#pg-start-separator``, ``section#pg-footer`` with the
  licence), around a Dutch poetry book as Distributed Proofreaders produce it: a title page, a
  transcriber's note whose link points to the "Aantekeningen van de bewerker" at the end, a
  contents table, each poem a ``div.chapter`` holding ``div.poem > div.stanza > span.i0/.i2``
  lines, the transcriber's notes last. The first in-book link is the note's, to the end: a rule
  that starts the story there keeps only the notes.
- ``pg-novel-2009-h.htm``: a hand-made HTML file of the late 2000s: the header and START marker
  in a ``<pre>``, a contents table whose first chapter has no link (the transcriber anchored
  chapter I nowhere), sixteen chapters as ``<h2><a name="...">`` with emphasis and tables, and a
  ``<div class="blockquot">`` opened in chapter XVI and never closed, so an HTML5 parser nests
  the rest of the book, the END line and the licence ``<pre>`` inside it.

The prose and verse are made from the words below (deterministic, no network); the frame is
Project Gutenberg's own wording.

    python tests/data/gutenberg/make_html_fixtures.py   # rewrites both files here
"""

from __future__ import annotations

import random
from pathlib import Path

HERE = Path(__file__).resolve().parent

DUTCH = ("de het een en van in op met als naar zee wind licht nacht dag hart ziel liefde "
         "land water hemel ster bloem boom veld dauw zon maan stil zacht diep ver oud jong "
         "lied stem vogel wolk regen zomer winter lente herfst droom tijd weg huis kind moeder "
         "vader vriend traan lach golf strand duin kerk toren klok avond morgen goud zilver "
         "groen blauw wit zwart rood ik jij wij zij droomt zingt bloeit waait valt stroomt "
         "ruist blinkt beeft klinkt gaat komt slaapt waakt spreekt zwijgt").split()
ENGLISH = ("the a and of to in that it was he she his her with as for on at by had not but "
           "from they which or be this all were have one we an their there been if more when "
           "so no would who what up out into time could some them than then only other over "
           "man old house road river hill morning evening letter father mother daughter "
           "captain doctor village market window garden winter summer silence voice hand face "
           "door light night fire money lawyer ship harbour mill orchard returned answered "
           "walked looked spoke waited remembered believed said thought heard saw came went "
           "quiet strange heavy bright slowly suddenly again never always perhaps").split()


def _sentence(rng: random.Random, words: list[str], low: int, high: int) -> str:
    chosen = [rng.choice(words) for _ in range(rng.randint(low, high))]
    return " ".join(chosen).capitalize()


# --------------------------------------------------------------------------- ebookmaker, poetry

_PG_HEADER = """<section class="pg-boilerplate pgheader" id="pg-header" lang="en">
<h2 id="pg-header-heading" title="">The Project Gutenberg eBook of <span lang="nl" xml:lang="nl">{title}</span></h2>
<div>This ebook is for the use of anyone anywhere in the United States and
most other parts of the world at no cost and with almost no restrictions
whatsoever. You may copy it, give it away or re-use it under the terms
of the Project Gutenberg License included with this ebook or online
at <a class="reference external" href="https://www.gutenberg.org">www.gutenberg.org</a>. If you are not located
in the United States, you will have to check the laws of the country where
you are located before using this eBook.</div>
<div class="container" id="pg-machine-header"><p><strong>Title</strong>: <span lang="nl" xml:lang="nl">{title}</span></p>
<div id="pg-header-authlist">
<p><strong>Author</strong>: {author}</p>
</div>
<p><strong>Release date</strong>: February 1, 2008 [eBook #24675]<br />
                Most recently updated: January 3, 2021</p>
<p><strong>Language</strong>: Dutch</p>
<p><strong>Credits</strong>: Produced by Jeroen Hellingman and the Online Distributed Proofreading Team at https://www.pgdp.net/</p>
</div>
<div id="pg-start-separator">
<span>*** START OF THE PROJECT GUTENBERG EBOOK {upper} ***</span>
</div>
</section>
"""

_PG_FOOTER = """<section class="pg-boilerplate pgheader" id="pg-footer" lang="en">
<div id="pg-end-separator">
<span>*** END OF THE PROJECT GUTENBERG EBOOK {upper} ***</span>
</div>
<div>Updated editions will replace the previous one&#8212;the old editions will
be renamed.</div>
<div>Creating the works from print editions not protected by U.S. copyright
law means that no one owns a United States copyright in these works,
so the Foundation (and you!) can copy and distribute it in the United
States without permission and without paying copyright royalties.</div>
<div style='margin-top:1em; font-size:1.1em; text-align:center'>START: FULL LICENSE</div>
<div style='text-align:center;font-size:0.9em'>THE FULL PROJECT GUTENBERG LICENSE</div>
<div style='text-align:center;font-size:0.9em'>PLEASE READ THIS BEFORE YOU DISTRIBUTE OR USE THIS WORK</div>
<div>To protect the Project Gutenberg&#8482; mission of promoting the free
distribution of electronic works, by using or distributing this work
(or any other work associated in any way with the phrase &#8220;Project
Gutenberg&#8221;), you agree to comply with all the terms of the Full
Project Gutenberg&#8482; License available with this file or online at
www.gutenberg.org/license.</div>
<div>This website includes information about Project Gutenberg&#8482;,
including how to make donations to the Project Gutenberg Literary
Archive Foundation, how to help produce our new eBooks, and how to
subscribe to our email newsletter to hear about new eBooks.</div>
</section>
"""


def poetry_book() -> str:
    rng = random.Random(24675)
    title, author = "Gedichten", "Jacques Perk"
    poems = [(f"p{number:02d}", _sentence(rng, DUTCH, 2, 4).rstrip(".")) for number in
             range(1, 41)]
    out = ["""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<title>The Project Gutenberg eBook of Gedichten, by Jacques Perk</title>
<link rel="icon" href="images/cover.jpg" type="image/x-cover">
<style>
body { margin-left: 10%; margin-right: 10%; }
.poem { margin-left: 10%; margin-right: 10%; text-align: left; }
.poem .stanza { margin: 1em 0em 1em 0em; }
.poem span.i0 { display: block; margin-left: 0em; padding-left: 3em; text-indent: -3em; }
.poem span.i2 { display: block; margin-left: 1em; padding-left: 3em; text-indent: -3em; }
.transnote { background-color: #E6E6FA; color: black; font-size: smaller; padding: 0.5em; }
.pagenum { position: absolute; right: 4%; font-size: smaller; color: gray; }
</style>
</head>
<body>
""", _PG_HEADER.format(title=title, author=author, upper=title.upper())]
    out.append(f"""<div class="titlepage">
<h1>{title.upper()}</h1>
<p class="center">VAN</p>
<h2>{author.upper()}</h2>
<p class="center">MET EEN INLEIDING VAN CAREL VOSMAER</p>
<p class="center">AMSTERDAM<br />W. VERSLUYS<br />1882</p>
</div>
<hr class="full" />
<div class="transnote">
<p>Enkele zetfouten in het origineel zijn verbeterd; zie de
<a href="#tn">aantekeningen van de bewerker</a> aan het einde van dit boek.</p>
</div>
<hr class="full" />
<h2 id="toc">INHOUD.</h2>
<table class="toc" summary="Inhoud">
""")
    for anchor, name in poems:
        out.append(f'<tr><td><a href="#{anchor}">{name}</a></td>'
                   f'<td class="tdr"><a href="#{anchor}">{rng.randint(1, 200)}</a></td></tr>\n')
    out.append("</table>\n<hr class=\"full\" />\n")
    page = 1
    for anchor, name in poems:
        out.append(f'<div class="chapter">\n<h3 id="{anchor}">{name}</h3>\n<div class="poem">\n')
        for _ in range(rng.randint(3, 5)):
            out.append('<div class="stanza">\n')
            for line in range(4):
                indent = "i2" if line % 2 else "i0"
                out.append(f'<span class="{indent}">{_sentence(rng, DUTCH, 5, 8)},<br /></span>\n')
            out.append("</div>\n")
        out.append(f'</div>\n<p class="signature"><i>{rng.choice(["1880", "1881"])}</i></p>\n')
        out.append(f'<p><span class="pagenum"><a id="Page_{page}">[{page}]</a></span></p>\n</div>\n')
        page += 2
    out.append("""<hr class="full" />
<div class="transnote">
<h2 id="tn">Aantekeningen van de bewerker</h2>
<p>De volgende correcties zijn aangebracht in de tekst:</p>
<table class="correctiontable" summary="Correcties">
<tr><th>Pagina</th><th>Bron</th><th>Verbetering</th></tr>
<tr><td>7</td><td>wolkem</td><td>wolken</td></tr>
<tr><td>23</td><td>hemeel</td><td>hemel</td></tr>
</table>
</div>
""")
    out.append(_PG_FOOTER.format(upper=title.upper()))
    out.append("</body>\n</html>\n")
    return "".join(out)


# --------------------------------------------------------------------------- hand-made, 2009

_OLD_HEADER = """<pre>

The Project Gutenberg EBook of The Miller's Daughter, by Anne Wetherell

This eBook is for the use of anyone anywhere at no cost and with
almost no restrictions whatsoever.  You may copy it, give it away or
re-use it under the terms of the Project Gutenberg License included
with this eBook or online at www.gutenberg.org


Title: The Miller's Daughter

Author: Anne Wetherell

Release Date: March 3, 2009 [EBook #15122]

Language: English

Character set encoding: ISO-8859-1

*** START OF THIS PROJECT GUTENBERG EBOOK THE MILLER'S DAUGHTER ***




Produced by Suzanne Shell, Sjaani and PG Distributed Proofreaders




</pre>
"""

_OLD_FOOTER = """<pre>





End of the Project Gutenberg EBook of The Miller's Daughter, by Anne Wetherell

*** END OF THIS PROJECT GUTENBERG EBOOK THE MILLER'S DAUGHTER ***

***** This file should be named 15122-h.htm or 15122-h.zip *****
This and all associated files of various formats will be found in:
        http://www.gutenberg.org/1/5/1/2/15122/

Updated editions will replace the previous one--the old editions
will be renamed.

Creating the works from public domain print editions means that no
one owns a United States copyright in these works, so the Foundation
(and you!) can copy and distribute it in the United States without
permission and without paying copyright royalties.

*** START: FULL LICENSE ***

THE FULL PROJECT GUTENBERG LICENSE
PLEASE READ THIS BEFORE YOU DISTRIBUTE OR USE THIS WORK
</pre>
"""

_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII",
          "XIV", "XV", "XVI"]


def novel() -> str:
    rng = random.Random(15122)
    titles = [_sentence(rng, ENGLISH, 2, 4).rstrip(".").upper() for _ in _ROMAN]
    out = ["""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN"
    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
<head>
<meta http-equiv="Content-Type" content="text/html;charset=iso-8859-1" />
<title>The Project Gutenberg eBook of The Miller's Daughter, by Anne Wetherell.</title>
<style type="text/css">
    p { margin-top: .75em; text-align: justify; margin-bottom: .75em; }
    h1,h2,h3,h4,h5,h6 { text-align: center; clear: both; }
    table { margin-left: auto; margin-right: auto; }
    .blockquot { margin-left: 5%; margin-right: 10%; }
    .pagenum { position: absolute; left: 92%; font-size: smaller; text-align: right; }
    .smcap { font-variant: small-caps; }
</style>
</head>
<body>
""", _OLD_HEADER]
    out.append("""<h1>THE MILLER'S DAUGHTER</h1>
<h3>A NOVEL</h3>
<h4>BY</h4>
<h2>ANNE WETHERELL</h2>
<p class="center">LONDON<br />SMITH, ELDER &amp; CO.<br />1871</p>
<hr style="width: 65%;" />
<h2>CONTENTS</h2>
<table border="0" cellpadding="2" summary="CONTENTS">
""")
    for number, (roman, name) in enumerate(zip(_ROMAN, titles, strict=True)):
        label = f"{roman}. {name}"  # chapter I was never anchored: its row has no link
        cell = label if number == 0 else f'<a href="#CHAPTER_{roman}">{label}</a>'
        out.append(f'<tr><td align="right">{roman}.</td><td>{cell}</td>'
                   f'<td align="right">{1 + number * 19}</td></tr>\n')
    out.append('</table>\n<hr style="width: 65%;" />\n')
    for number, (roman, name) in enumerate(zip(_ROMAN, titles, strict=True)):
        anchor = "" if number == 0 else f'<a name="CHAPTER_{roman}" id="CHAPTER_{roman}"></a>'
        out.append(f"<h2>{anchor}CHAPTER {roman}.</h2>\n<h3>{name}</h3>\n")
        if roman == "XVI":
            # opened and never closed: everything after it is inside, the licence too
            out.append('<div class="blockquot">\n')
        for paragraph in range(rng.randint(9, 13)):
            sentences = [_sentence(rng, ENGLISH, 8, 18) + "." for _ in range(rng.randint(3, 6))]
            if paragraph % 3 == 1:
                word = rng.choice(ENGLISH)
                sentences[0] = sentences[0].replace(f" {word} ", f" <i>{word}</i> ", 1)
            if paragraph % 4 == 2:
                sentences[-1] += f" &mdash;<span class=\"smcap\">{rng.choice(ENGLISH)}</span>."
            out.append(f"<p>{' '.join(sentences)}</p>\n")
            if paragraph == 4 and number % 3 == 0:
                out.append('<table border="0" cellpadding="3" summary="Accounts">\n'
                           "<tr><th>Item</th><th>s.</th><th>d.</th></tr>\n")
                for _ in range(3):
                    out.append(f"<tr><td><i>{rng.choice(ENGLISH)}</i> "
                               f"{rng.choice(ENGLISH)}</td><td>{rng.randint(1, 19)}</td>"
                               f"<td>{rng.randint(1, 11)}</td></tr>\n")
                out.append("</table>\n")
        out.append(f'<p><span class="pagenum"><a name="Page_{number * 19 + 1}" '
                   f'id="Page_{number * 19 + 1}">[{number * 19 + 1}]</a></span></p>\n')
    out.append("<p>THE END.</p>\n")
    out.append(_OLD_FOOTER)
    out.append("</body>\n</html>\n")
    return "".join(out)


def main() -> None:
    (HERE / "pg-gedichten-ebookmaker.html").write_text(poetry_book(), encoding="utf-8")
    (HERE / "pg-novel-2009-h.htm").write_text(novel(), encoding="latin-1",
                                               errors="xmlcharrefreplace")
    print("wrote pg-gedichten-ebookmaker.html, pg-novel-2009-h.htm")


if __name__ == "__main__":
    main()

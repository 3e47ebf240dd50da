"""Which library finds the story in a saved web page: trafilatura or readability-lxml.

For each realistic saved page under tests/data/saved_pages/ (a WordPress.com post with Jetpack's
"Share this:", "Like this:" and "Related", comments and a sidebar; a 2004 table-layout Blogger
page; a Tumblr text post with notes; a Dreamwidth entry with comments), both extractors are asked
for the article as HTML. We count the story's sentences kept (of the ones listed below: first,
middle and last of each story, and its emphasis, <em> and <i> counting as one) and the site's
phrases let in (menus, share and like buttons, related posts, comments, sidebars, footers). The
"bookmaker" rows are what the page reader finally keeps (readability after the known widgets are
removed), read back from the model.

    python benchmarks/article_extraction.py

Results are in benchmarks/README.md ("Article extraction").
"""

from __future__ import annotations

import time
from pathlib import Path

PAGES = Path(__file__).resolve().parent.parent / "tests" / "data" / "saved_pages"

# page -> (story sentences that must be kept, formatting that must be kept, site text to leave out)
CASES = {
    "wordpress-post.html": (
        ["Every night at nine her father climbed", "She kept it burning through February.",
         "did not say anything for a long time."],
        ["<em>Forty years</em>", "<strong>attention</strong>"],
        ["Share this:", "Like this:", "Related", "The Net Mender", "Loading...",
         "Oh, this made me cry", "Leave a Reply", "Recent Posts", "Archives", "Skip to content",
         "short fiction by the sea", "Blog at WordPress.com", "Previous Post"]),
    "table-layout-blog.html": (
        ["Tonks learned to fold paper cranes", "He did not come home that week.",
         "They stayed open."],
        ["<i>~fin~</i>"],
        [":: navigate ::", "fic archive", "October 2004", "FictionAlley", "Powered by Blogger",
         "all fic &copy;", "3 comments"]),
    "tumblr-post.html": (
        ["The kettle god is the oldest.", "The toaster god is young and nervous",
         "Even the spider."],
        ["<b>The god of the fridge</b>", "<i>All</i>"],
        ["4,812 notes", "reblogged this", "liked this", "the SPIDER. i am screaming", "Reblog",
         "Previous post", "Theme by", "writing, mostly. sometimes moss", "Show more notes"]),
    "dreamwidth-entry.html": (
        ["Maps lie. That is the first thing Ilse learns", "She folds it very small",
         "Twenty years later, she builds the house."],
        ["<i>end.</i>"],
        ["Previous Entry", "Track This", "the house in her shoe", "Recent Entries",
         "Style Credit", "Powered by Dreamwidth", "3 comments", "Page generated", "Profile"]),
}


def with_trafilatura(html: str) -> str:
    import trafilatura
    return trafilatura.extract(html, output_format="html", include_formatting=True,
                               include_comments=False, include_tables=True,
                               include_images=True, include_links=False) or ""


def with_readability(html: str) -> str:
    from readability import Document
    return Document(html).summary(html_partial=True)


def with_bookmaker(html: str, page: str) -> str:
    """What bookmaker's page reader keeps (readability after removing the known widgets), as
    HTML-ish text: emphasis written back as <i>/<b> so the same checks apply."""
    from bookmaker import readers
    from bookmaker.model import Emph, Strong, plain_text
    book = readers.read(PAGES / page)

    def render(nodes) -> str:
        out = []
        for node in nodes:
            if isinstance(node, Emph):
                out.append(f"<i>{render(node.children)}</i>")
            elif isinstance(node, Strong):
                out.append(f"<b>{render(node.children)}</b>")
            elif hasattr(node, "children"):
                out.append(render(node.children))
            else:
                out.append(plain_text((node,)))
        return "".join(out)
    return " ".join(render(chapter.blocks) for chapter in book.chapters)


def _same_tags(html: str) -> str:
    """<em>/<i> and <strong>/<b> are the same emphasis: compare them as one."""
    for old, new in (("<em>", "<i>"), ("</em>", "</i>"), ("<strong>", "<b>"),
                     ("</strong>", "</b>")):
        html = html.replace(old, new)
    return " ".join(html.replace("&#8217;", "'").replace("\u2019", "'").split())


def measure() -> list[tuple[str, str, int, int, int, int, int, int, float]]:
    rows = []
    for page, (story, formatting, chrome) in CASES.items():
        html = (PAGES / page).read_text(encoding="utf-8", errors="replace")
        for name, extract in (("trafilatura", with_trafilatura),
                              ("readability-lxml", with_readability),
                              ("bookmaker", lambda text, page=page: with_bookmaker(text, page))):
            started = time.perf_counter()
            found = extract(html)
            seconds = time.perf_counter() - started
            flat = _same_tags(found)
            formatting = [_same_tags(f) for f in formatting]
            kept = sum(_same_tags(s) in flat for s in story)
            styled = sum(f in flat for f in formatting)
            leaked = [c for c in chrome if c in flat]
            rows.append((page, name, kept, len(story), styled, len(formatting), len(leaked),
                         len(chrome), seconds))
    return rows


def main() -> None:
    print("| page | library | story kept | formatting kept | site text let in | time |")
    print("|---|---|---|---|---|---|")
    for page, name, kept, total, styled, formats, leaked, chrome, seconds in measure():
        print(f"| {page} | {name} | {kept}/{total} | {styled}/{formats} | {leaked}/{chrome} "
              f"| {seconds * 1000:.0f} ms |")


if __name__ == "__main__":
    main()

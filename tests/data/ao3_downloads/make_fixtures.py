"""Make AO3's EPUB, AZW3 and MOBI downloads of the works in ``works/`` the way AO3 does.

AO3's download writer (otwarchive ``app/models/download_writer.rb``) renders the HTML download,
collects it with ``web2disk --max-recursions 0 --dont-download-stylesheets``, zips that folder and
runs calibre's ``ebook-convert`` on the zip with the work's metadata and its chapter XPath. This
script repeats those three steps for each ``works/NAME.html`` (metadata from ``works/NAME.json``:
what AO3 passes as --title, --authors, --comments, --tags...) and writes ``NAME.epub``,
``NAME.azw3`` and ``NAME.mobi`` here. The outputs are committed: the tests never need calibre.

    python tests/data/ao3_downloads/make_fixtures.py [NAME...]   # needs Debian's calibre

calibre stamps a fresh uuid and timestamp into each book; the readers ignore both, so a re-run
changes the bytes, not what the tests see.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHAPTER_XPATH = (
    "//h:body/h:div[@id='chapters']/h:h2[@class='toc-heading'] | "
    "//h:body/h:div[@id='chapters']/h:div[@class='meta group']/h:h2[@class='heading'] | "
    "//h:body/h:div[@id='preface' or @id='afterword']/h:h2[@class='toc-heading']")
FORMATS = ("epub", "azw3", "mobi")


def calibre_command(zip_path: Path, output: Path, meta: dict) -> list[str]:
    """ebook-convert's arguments as AO3 builds them (get_calibre_command)."""
    command = [
        "ebook-convert", str(zip_path), str(output),
        "--input-encoding", "utf-8",
        "--toc-threshold", "0",
        "--use-auto-toc",
        "--title", meta["title"],
        "--title-sort", meta["title_sort"],
        "--authors", meta["authors"],
        "--author-sort", meta["author_sort"],
        "--comments", meta["comments"],
        "--tags", "Fanworks, " + ", ".join(meta["tags"]),
        "--pubdate", meta["pubdate"],
        "--publisher", "Archive of Our Own",
        "--language", meta["language"],
        "--chapter", CHAPTER_XPATH,
    ]
    if meta.get("series"):
        command += ["--series", meta["series"], "--series-index", meta["series_index"]]
    command += ["--extra-css", str(HERE / "ebooks.css")]
    if output.suffix == ".epub":
        command += ["--no-default-epub-cover"]
    return command


def make(source: Path) -> None:
    meta = json.loads(source.with_suffix(".json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        html = work / source.name
        shutil.copyfile(source, html)
        for image in source.parent.glob("*.png"):  # what the work's <img> point at
            shutil.copyfile(image, work / image.name)
        assets = work / "assets"
        subprocess.run(["web2disk", "--base-dir", str(assets), "--max-recursions", "0",
                        "--dont-download-stylesheets", html.as_uri()],
                       check=True, capture_output=True)
        zip_path = work / (source.stem + ".zip")
        subprocess.run(["zip", "-q", "-r", str(zip_path), "assets"], cwd=work, check=True)
        for extension in meta.get("formats", FORMATS):
            output = HERE / f"{source.stem}.{extension}"
            subprocess.run(calibre_command(zip_path, output, meta), check=True,
                           capture_output=True)
            print(f"wrote {output.relative_to(HERE)}")


def main() -> int:
    if shutil.which("ebook-convert") is None or shutil.which("web2disk") is None:
        print("needs calibre's ebook-convert and web2disk (apt-get install calibre)",
              file=sys.stderr)
        return 1
    wanted = set(sys.argv[1:])  # work names (file stems) to remake; all by default
    for source in sorted((HERE / "works").glob("*.html")):
        if not wanted or source.stem in wanted:
            make(source)
    return 0


if __name__ == "__main__":
    sys.exit(main())

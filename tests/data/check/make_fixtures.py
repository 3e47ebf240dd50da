"""Make kindle-blockers.epub: a foreign EPUB with each Send-to-Kindle blocker bookmaker checks.

    python tests/data/check/make_fixtures.py   (needs calibre's ebook-convert)

calibre converts kindle-blockers.html as a user would, which already gives one blocker the way the
real world makes it: calibre keeps the ``<body id="top">`` and the ``href="#top"`` link to it. The
others come from older tools and hand edits and are made here on calibre's output, each the way it
appears in downloaded fics: the package loses its dc:language, the story is saved as Windows-1252
with a declaration saying so, and an ``<img>`` without src stands in the text (calibre drops such
an image, other tools keep it).
"""

import io
import re
import subprocess
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).parent


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        converted = Path(scratch) / "converted.epub"
        subprocess.run(["ebook-convert", str(HERE / "kindle-blockers.html"), str(converted),
                        "--authors", "Some Writer", "--no-default-epub-cover"],
                       check=True, capture_output=True)
        with zipfile.ZipFile(converted) as source:
            entries = {info.filename: source.read(info) for info in source.infolist()}
    opf = entries["content.opf"].decode("utf-8")
    entries["content.opf"] = re.sub(r"\s*<dc:language>[^<]*</dc:language>", "", opf).encode()
    story = entries["kindle-blockers.html"].decode("utf-8")
    story = story.replace("<?xml version='1.0' encoding='utf-8'?>",
                          "<?xml version='1.0' encoding='windows-1252'?>")
    story = story.replace("in it. ", 'in it. <img alt="a missing picture"/> ', 1)
    entries["kindle-blockers.html"] = story.encode("cp1252")
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        target.writestr("mimetype", entries.pop("mimetype"), zipfile.ZIP_STORED)
        for name, data in entries.items():
            target.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data,
                            zipfile.ZIP_DEFLATED)
    (HERE / "kindle-blockers.epub").write_bytes(output.getvalue())


if __name__ == "__main__":
    main()

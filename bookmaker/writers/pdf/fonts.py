"""The book face the PDF embeds: Source Serif Pro from its PyPI package, in four styles.

The font files stay where pip put them; the print stylesheet loads them with @font-face through
the URL fetcher, so the font folder is one of the fetcher's allowed folders. Scripts the face
lacks (Greek, Cyrillic, CJK...) fall back to DejaVu Serif and then to whatever fontconfig offers.
"""

from __future__ import annotations

from pathlib import Path

import font_source_serif_pro

BOOK_FACE = "Source Serif Pro"
FONT_FOLDER = Path(font_source_serif_pro.font_directory)

# (file, font-weight, font-style): the four styles a novel needs.
_STYLES = (("SourceSerifPro-Regular.ttf", 400, "normal"),
           ("SourceSerifPro-It.ttf", 400, "italic"),
           ("SourceSerifPro-Bold.ttf", 700, "normal"),
           ("SourceSerifPro-BoldIt.ttf", 700, "italic"))


def font_face_css() -> str:
    """@font-face rules for the book face, pointing at the package's files by file: URL."""
    return "".join(
        f'@font-face {{ font-family: "{BOOK_FACE}"; src: url("{(FONT_FOLDER / name).as_uri()}"); '
        f"font-weight: {weight}; font-style: {style}; }}\n"
        for name, weight, style in _STYLES)

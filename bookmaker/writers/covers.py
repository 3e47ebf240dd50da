"""The typographic cover drawn for a book that has no cover image.

An e-reader's library shows covers, and a book without one is a grey box among them. The
generated cover sets the title, author and fandom in the theme's face and colours, with Pillow,
as a JPEG whose bytes depend only on the book and the theme (no timestamp, no EXIF), so builds
stay reproducible. JPEG rather than PNG because a batch makes one per book: encoding the
1600x2400 PNG took 0.17 s, most of a short story's whole conversion; the JPEG takes 0.01 s.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from bookmaker.model import Book
from bookmaker.settings.themes import Theme

WIDTH, HEIGHT = 1600, 2400  # 2:3, what e-reader stores ask for
MARGIN = 150
MAX_COVER_CHARS = 400  # of a title, byline or fandom list: more never fits on a cover


def cover_jpeg(book: Book, theme: Theme) -> bytes:
    """The typographic cover of ``book`` in ``theme``'s look, as JPEG bytes."""
    look = theme.cover
    image = Image.new("RGB", (WIDTH, HEIGHT), look["background"])
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 60), fill=look["accent"])
    draw.rectangle((0, HEIGHT - 60, WIDTH, HEIGHT), fill=look["accent"])
    metadata = book.metadata
    title_font = _font(theme, "bold", 150)
    title_lines = _wrap(metadata.title or "Untitled", title_font, WIDTH - 2 * MARGIN)
    y = _centred(draw, title_lines, title_font, 560, look["ink"], 1.2)
    ornament = look.get("ornament", "")
    ornament_font = _font(theme, "regular", 90)
    if ornament and _has_glyphs(ornament_font, ornament):
        # Pillow draws a missing glyph as a box: a face without the ornament goes without it.
        y = _centred(draw, [ornament], ornament_font, y + 80, look["accent"], 1.0)
    byline = " and ".join(metadata.authors)
    if byline:
        author_font = _font(theme, "regular", 90)
        _centred(draw, _wrap(byline, author_font, WIDTH - 2 * MARGIN), author_font, y + 80,
                 look["ink"], 1.25)
    if metadata.fandoms:
        fandom_font = _font(theme, "italic", 64)
        lines = _wrap(" · ".join(metadata.fandoms), fandom_font, WIDTH - 2 * MARGIN)[:3]
        _centred(draw, lines, fandom_font, HEIGHT - 260 - 80 * (len(lines) - 1), look["ink"], 1.25)
    out = io.BytesIO()
    # 4:2:0 chroma, as cameras and stores use: the type is dark on light, carried by luminance,
    # and the coloured bands are large; full-resolution colour took twice as long to encode, a
    # third of a short book's conversion in a batch.
    image.save(out, format="JPEG", quality=92, subsampling=2)
    return out.getvalue()


def _has_glyphs(font: ImageFont.FreeTypeFont, text: str) -> bool:
    return all(_has_glyph(font, char) for char in text if not char.isspace())


def _has_glyph(font: ImageFont.FreeTypeFont, char: str) -> bool:
    """Whether ``font`` draws ``char`` with a glyph of its own: FreeType draws a character the
    face lacks as the face's "missing glyph", so a character drawn exactly like a noncharacter
    (U+FFFF, which no face has) is missing. Asking Pillow, which is drawing the cover anyway,
    spares loading fontTools (0.07 s) for every book."""
    drawn = font.getmask(char)
    missing = font.getmask("\uffff")
    return drawn.size != missing.size or bytes(drawn) != bytes(missing)


def _font(theme: Theme, style: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(theme.font_file(style), size)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Words greedily into lines no wider than ``width``; a word wider alone gets its own line."""
    lines: list[str] = []
    # Only what six lines can show is measured: a 20,000-character title would otherwise be
    # drawn as one line wider than Pillow's decompression-bomb limit.
    for word in text[:MAX_COVER_CHARS].split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(_fitted(word, font, width))
    return lines[:6] or [""]


def _fitted(word: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    """``word``, cut short with an ellipsis when it is wider than the cover."""
    while len(word) > 1 and font.getlength(word) > width:
        word = word[:max(1, len(word) * 3 // 4 - 1)].rstrip("…") + "…"
    return word  # a cover is not the place for the whole of a very long title


def _centred(draw: ImageDraw.ImageDraw, lines: list[str], font: ImageFont.FreeTypeFont, top: int,
             colour: str, leading: float) -> int:
    """Draw ``lines`` centred from ``top``; the y just below the last line."""
    step = int(font.size * leading)
    for number, line in enumerate(lines):
        draw.text((WIDTH / 2, top + number * step), line, font=font, fill=colour, anchor="mt")
    return top + len(lines) * step

"""The typographic cover drawn for a book that has no cover image.

An e-reader's library shows covers, and a book without one is a grey box among them. The
generated cover sets the title, author and fandom in the theme's face and colours, with Pillow,
as a JPEG whose bytes depend only on the book and the theme (no timestamp, no EXIF), so builds
stay reproducible. JPEG rather than PNG because a batch makes one per book: encoding the
1600x2400 PNG took 0.17 s, most of a short story's whole conversion; the JPEG takes 0.01 s.
"""

from __future__ import annotations

import dataclasses
import functools
import io
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from bookmaker.model import Book
from bookmaker.settings.themes import Theme

WIDTH, HEIGHT = 1600, 2400  # 2:3, what e-reader stores ask for
MARGIN = 150
MAX_COVER_CHARS = 400  # of a title, byline or fandom list: more never fits on a cover


@dataclass(frozen=True)
class TextBlock:
    """Lines set centred from ``top`` in one font and colour."""

    kind: str  # title, ornament, author, fandom
    lines: tuple[str, ...]
    font: ImageFont.FreeTypeFont
    colour: str
    top: int
    step: int  # line height

    @property
    def bottom(self) -> int:
        return self.top + len(self.lines) * self.step


def cover_jpeg(book: Book, theme: Theme) -> bytes:
    """The typographic cover of ``book`` in ``theme``'s look, as JPEG bytes."""
    look = theme.cover
    image = Image.new("RGB", (WIDTH, HEIGHT), look["background"])
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 60), fill=look["accent"])
    draw.rectangle((0, HEIGHT - 60, WIDTH, HEIGHT), fill=look["accent"])
    for block in cover_layout(book, theme):
        for number, line in enumerate(block.lines):
            draw.text((WIDTH / 2, block.top + number * block.step), line, font=block.font,
                      fill=block.colour, anchor="mt")
    out = io.BytesIO()
    # 4:2:0 chroma, as cameras and stores use: the type is dark on light, carried by luminance,
    # and the coloured bands are large; full-resolution colour took twice as long to encode, a
    # third of a short book's conversion in a batch.
    image.save(out, format="JPEG", quality=92, subsampling=2)
    return out.getvalue()


def cover_layout(book: Book, theme: Theme) -> list[TextBlock]:
    """Where each block of the cover goes. The fandom line sits at the foot; the title, ornament
    and author stack from the top, set smaller (and higher) until the stack clears the fandom
    line, so a long title or an author's name that wraps never runs into it."""
    look, metadata = theme.cover, book.metadata
    foot: list[TextBlock] = []
    if metadata.fandoms:
        fandom_font = _font(theme, "italic", 64)
        lines = _wrap(" · ".join(metadata.fandoms), fandom_font, WIDTH - 2 * MARGIN)[:3]
        foot.append(TextBlock("fandom", tuple(lines), fandom_font, look["ink"],
                              HEIGHT - 260 - 80 * (len(lines) - 1), int(64 * 1.25)))
    limit = (foot[0].top if foot else HEIGHT - 60) - GAP
    stack: list[TextBlock] = []
    for top, scale in _ATTEMPTS:
        stack = _stack(book, theme, top, scale)
        if stack[-1].bottom <= limit:
            break
    else:  # even the smallest setting does not fit: the author's lines stop at the limit
        last = stack[-1]
        fitting = max(1, (limit - last.top) // last.step)
        if len(last.lines) > fitting:
            cut = (*last.lines[:fitting - 1], last.lines[fitting - 1] + " \u2026")
            stack[-1] = dataclasses.replace(last, lines=cut)
    return stack + foot


GAP = 80  # the least space between the author's lines and the fandom line
# (top of the title, type scale), tried in turn until the stack fits above the fandom line.
_ATTEMPTS = ((560, 1.0), (420, 0.85), (300, 0.72), (220, 0.6), (160, 0.5))


def _stack(book: Book, theme: Theme, top: int, scale: float) -> list[TextBlock]:
    look, metadata = theme.cover, book.metadata
    width = WIDTH - 2 * MARGIN
    title_font = _font(theme, "bold", round(150 * scale))
    blocks = [TextBlock("title", tuple(_wrap(metadata.title or "Untitled", title_font, width)),
                        title_font, look["ink"], top, int(title_font.size * 1.2))]
    gap = round(80 * scale)
    ornament = look.get("ornament", "")
    ornament_font = _font(theme, "regular", round(90 * scale))
    if ornament and _has_glyphs(ornament_font, ornament):
        # Pillow draws a missing glyph as a box: a face without the ornament goes without it.
        blocks.append(TextBlock("ornament", (ornament,), ornament_font, look["accent"],
                                blocks[-1].bottom + gap, int(ornament_font.size)))
    byline = " and ".join(metadata.authors)
    if byline:
        author_font = _font(theme, "regular", round(90 * scale))
        blocks.append(TextBlock("author", tuple(_wrap(byline, author_font, width)), author_font,
                                look["ink"], blocks[-1].bottom + gap,
                                int(author_font.size * 1.25)))
    return blocks


def _has_glyphs(font: ImageFont.FreeTypeFont, text: str) -> bool:
    return all(_has_glyph(font, char) for char in text if not char.isspace())


@functools.lru_cache(maxsize=256)
def _has_glyph(font: ImageFont.FreeTypeFont, char: str) -> bool:
    """Whether ``font`` draws ``char`` with a glyph of its own: FreeType draws a character the
    face lacks as the face's "missing glyph", so a character drawn exactly like a noncharacter
    (U+FFFF, which no face has) is missing. Asking Pillow, which is drawing the cover anyway,
    spares loading fontTools (0.07 s) for every book."""
    drawn = font.getmask(char)
    missing = font.getmask("\uffff")
    return drawn.size != missing.size or bytes(drawn) != bytes(missing)


def _font(theme: Theme, style: str, size: int) -> ImageFont.FreeTypeFont:
    return _face(theme.font_file(style), size)


@functools.lru_cache(maxsize=64)
def _face(path: str, size: int) -> ImageFont.FreeTypeFont:
    """A face at a size, loaded once per process: a batch worker draws every book's cover in
    the same few, and a face is only read from, never changed, when drawing."""
    return ImageFont.truetype(path, size)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Words greedily into lines no wider than ``width``; a word wider alone gets its own line."""
    lines: list[str] = []
    # Only what six lines can show is measured: a 20,000-character title would otherwise be
    # drawn as one line wider than Pillow's decompression-bomb limit.
    for word in text[:MAX_COVER_CHARS].split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines[:6] or [""]  # a cover is not the place for the whole of a very long title

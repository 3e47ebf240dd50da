"""Which files a manuscript may make bookmaker read: only files inside its own folder.

Manuscripts come from strangers. An image reference like ``../../etc/passwd``, an absolute path, a
``file:`` or ``http:`` URL, or a symlink pointing out of the folder must never be followed. Every
writer resolves references through resolve_asset, so the policy lives in one place.
"""

from __future__ import annotations

import dataclasses
import io
import re
import warnings
from pathlib import Path
from typing import Any

from bookmaker.errors import Finding, ManuscriptError
from bookmaker.model import Book, EmbeddedFile, Image, map_blocks
from bookmaker.safety.inputs import read_input
from bookmaker.safety.svg import clean_svg

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")

IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}

MAX_ASSET_BYTES = 20 * 1024 * 1024
# The most pixels a raster image may claim: 40 million is a 6000x6000 photo and more than any book
# needs, while a 30-byte PNG claiming 100,000 x 100,000 pixels would cost e-readers (and the PDF
# writer, which decodes it) 30 GB.
MAX_IMAGE_PIXELS = 40_000_000
COVER_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif",
                 "WEBP": "image/webp"}

# References to files that came inside the input container (see model.EmbeddedFile).
EMBEDDED_SCHEME = "embedded:"


def locate_asset(book: Book, reference: str, source: str | None = None,
                 line: int | None = None) -> Path | EmbeddedFile:
    """The file a book's reference names: an embedded file, or one inside the book's folder."""
    if reference.startswith(EMBEDDED_SCHEME):
        return _embedded(book, reference, source, line)
    return resolve_asset(book.base_dir, reference, source, line)


def asset_bytes(located: Path | EmbeddedFile, base_dir: str | Path | None = None) -> bytes:
    """An asset's bytes; a file is opened once, without following a symlink, and must really
    lie in ``base_dir`` (its own folder when not given) when read (safety/inputs.py)."""
    if isinstance(located, EmbeddedFile):
        return located.data
    return read_input(located, MAX_ASSET_BYTES, what=f"image {located.name!r}",
                      inside=base_dir or located.parent, hint="resize or compress it")


def asset_media_type(located: Path | EmbeddedFile) -> str:
    return located.media_type if isinstance(located, EmbeddedFile) \
        else IMAGE_TYPES[located.suffix.lower()]


def _embedded(book: Book, reference: str, source: str | None, line: int | None) -> EmbeddedFile:
    name = reference[len(EMBEDDED_SCHEME):]
    found = next((f for f in book.embedded if f.name == name), None)
    if found is None:
        raise ManuscriptError(f"image {name!r} is not in the file it came from",
                              source, line, hint="the source file is incomplete")
    if found.media_type not in IMAGE_TYPES.values():
        raise ManuscriptError(f"image {name!r} is not a supported image type ({found.media_type})",
                              source, line, hint="use " + ", ".join(sorted(IMAGE_TYPES)))
    if len(found.data) > MAX_ASSET_BYTES:
        raise ManuscriptError(f"image {name!r} is larger than "
                              f"{MAX_ASSET_BYTES // (1024 * 1024)} MB", source, line,
                              hint="resize or compress it")
    return found


def resolve_asset(base_dir: str | Path, reference: str, source: str | None = None,
                  line: int | None = None) -> Path:
    """The file ``reference`` names inside ``base_dir``, or a ManuscriptError saying why not."""
    where: dict[str, Any] = {"path": source, "line": line}
    if not reference or _SCHEME.match(reference) or reference.startswith("//"):
        raise ManuscriptError(f"image {reference!r} is not a file in the manuscript's folder",
                              hint="copy the image next to the manuscript and refer to it by its "
                                   "relative name; bookmaker never fetches from the network",
                              **where)
    if not base_dir:
        raise ManuscriptError(f"image {reference!r} cannot be resolved: the book has no folder",
                              **where)
    base = Path(base_dir).resolve()
    candidate = Path(reference)
    if candidate.is_absolute():
        raise ManuscriptError(f"image {reference!r} is an absolute path",
                              hint="use a path relative to the manuscript's folder", **where)
    resolved = (base / candidate).resolve()
    if not is_inside(resolved, base):
        raise ManuscriptError(f"image {reference!r} is outside the manuscript's folder",
                              hint="copy it into the manuscript's folder", **where)
    if not resolved.is_file():
        raise ManuscriptError(f"image {reference!r} does not exist",
                              hint="check the file name", **where)
    if resolved.suffix.lower() not in IMAGE_TYPES:
        raise ManuscriptError(f"image {reference!r} is not a supported image type",
                              hint="use " + ", ".join(sorted(IMAGE_TYPES)), **where)
    if resolved.stat().st_size > MAX_ASSET_BYTES:
        raise ManuscriptError(f"image {reference!r} is larger than "
                              f"{MAX_ASSET_BYTES // (1024 * 1024)} MB",
                              hint="resize or compress it", **where)
    return resolved


def is_inside(path: str | Path, *folders: str | Path) -> bool:
    """Whether ``path``, with symlinks and ``..`` resolved, lies inside one of ``folders``.

    The one containment test: the writers' asset copying and the PDF's URL fetcher both ask it,
    so a symlink or ``..`` can never lead either of them out of the allowed folders.
    """
    resolved = Path(path).resolve()
    return any(resolved.is_relative_to(Path(folder).resolve()) for folder in folders if folder)


def drop_unreadable_assets(book: Book, source: str | Path) -> tuple[Book, list[Finding]]:
    """The book without the images (and cover) it may not or cannot read, and a warning for each.

    A missing image or one outside the folder should not cost the writer the whole book: the
    reference is dropped and the warning names the file and line, so the book still builds.
    """
    warnings: list[Finding] = []
    embedded = {file.name: file for file in book.embedded}
    loaded: dict[str, str] = {}  # reference -> the embedded: reference its bytes were read into

    def read_once(reference: str, line: int | None) -> str:
        """Read the file ``reference`` names once, check it, and carry its bytes in the book:
        the writers never open it again, so nothing can be swapped in between."""
        if reference in loaded:
            return loaded[reference]
        located = locate_asset(book, reference, str(source), line)
        if isinstance(located, Path):
            base = Path(book.base_dir).resolve()
            try:
                data = asset_bytes(located, base)
            except ManuscriptError as error:
                raise ManuscriptError(error.message, source, line, error.hint) from None
            name = located.relative_to(base).as_posix()
            while name in embedded and embedded[name].data != data:
                name = f"file-{name}"
            located = EmbeddedFile(name, asset_media_type(located), data)
        located = _safe_svg(located, reference, str(source), line)
        embedded[located.name] = located
        loaded[reference] = EMBEDDED_SCHEME + located.name
        return loaded[reference]

    def keep_if_readable(block):
        if isinstance(block, Image):
            try:
                src = read_once(block.src, block.line)
                check_pixels(embedded[src[len(EMBEDDED_SCHEME):]], block.src, str(source),
                             block.line)
            except ManuscriptError as error:
                warnings.append(_dropped(error))
                return None
            return dataclasses.replace(block, src=src) if src != block.src else block
        return block

    checked = map_blocks(book, keep_if_readable)
    cover = checked.metadata.cover
    if cover:
        try:
            src = read_once(cover, None)
            _check_cover(embedded[src[len(EMBEDDED_SCHEME):]], cover, str(source))
            checked = dataclasses.replace(
                checked, metadata=dataclasses.replace(checked.metadata, cover=src))
        except ManuscriptError as error:
            warnings.append(_dropped(error, "the book is made without a cover"))
            checked = dataclasses.replace(
                checked, metadata=dataclasses.replace(checked.metadata, cover=None))
    return dataclasses.replace(checked, embedded=tuple(embedded.values())), warnings


def _safe_svg(located: EmbeddedFile, reference: str, source: str,
              line: int | None) -> EmbeddedFile:
    """An SVG with its scripts, handlers and external references removed (safety/svg.py)."""
    if located.media_type != "image/svg+xml":
        return located
    try:
        data = clean_svg(located.data, reference)
    except ManuscriptError as error:
        raise ManuscriptError(error.message, source, line, error.hint) from None
    return dataclasses.replace(located, data=data) if data != located.data else located


def check_pixels(located: Path | EmbeddedFile, reference: str, source: str | None = None,
                 line: int | None = None) -> None:
    """Refuse a raster image whose header claims more than MAX_IMAGE_PIXELS (a decompression
    bomb). Only the header is read: Pillow decodes no pixel until asked to, so checking costs
    nothing whatever the image claims. Images Pillow cannot read are left to the writers."""
    if asset_media_type(located) == "image/svg+xml":
        return
    from PIL import Image as PillowImage  # only books with images pay for Pillow

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PillowImage.DecompressionBombWarning)
            with PillowImage.open(io.BytesIO(asset_bytes(located))) as image:
                claimed = "{}x{} pixels".format(*image.size)
                too_many = image.width * image.height > MAX_IMAGE_PIXELS
    except PillowImage.DecompressionBombError:  # more than twice Pillow's own limit
        claimed, too_many = "billions of pixels", True
    except (OSError, SyntaxError, ValueError):
        return
    if too_many:
        raise ManuscriptError(f"image {reference!r} claims {claimed}, more than the "
                              f"{MAX_IMAGE_PIXELS:,} allowed", source, line,
                              hint="resize it; about 2000 pixels across is plenty for a book")


def _check_cover(located: Path | EmbeddedFile, reference: str, source: str) -> None:
    """A cover is shown by every library: its content must really be an image of sane size
    (SVG, a text format, is checked by the EPUB's own rules instead)."""
    if asset_media_type(located) != "image/svg+xml":
        try:
            check_cover(asset_bytes(located), reference)
        except ManuscriptError as error:
            raise ManuscriptError(error.message, source, hint=error.hint) from None


def _dropped(error: ManuscriptError, consequence: str = "it is left out of the book") -> Finding:
    hint = f"{consequence}; {error.hint}" if error.hint else consequence
    return Finding("warning", error.message, error.path, error.line, hint)


def check_cover(data: bytes, name: str) -> str:
    """The media type of a writer's cover image, judged by its content, not its name; a
    ManuscriptError saying what is wrong when it is not a sensible cover."""
    if len(data) > MAX_ASSET_BYTES:
        raise ManuscriptError(f"cover {name!r} is larger than {MAX_ASSET_BYTES // 2**20} MB",
                              hint="resize or compress it")
    from PIL import Image as PillowImage  # only books with covers pay for Pillow

    try:
        with warnings.catch_warnings():
            # Pillow reads only the header here; a bomb is refused below by its pixel count.
            warnings.simplefilter("ignore", PillowImage.DecompressionBombWarning)
            with PillowImage.open(io.BytesIO(data)) as image:
                kind, (width, height) = image.format, image.size
    except PillowImage.DecompressionBombError:
        raise ManuscriptError(f"cover {name!r} has far too many pixels",
                              hint="about 1600x2400 is plenty for any e-reader") from None
    except (OSError, SyntaxError, ValueError):
        raise ManuscriptError(f"cover {name!r} is not a readable image",
                              hint="use a PNG, JPEG, GIF or WebP file") from None
    if kind not in COVER_FORMATS:
        raise ManuscriptError(f"cover {name!r} is a {kind} image",
                              hint="use a PNG, JPEG, GIF or WebP file")
    if width * height > MAX_IMAGE_PIXELS:
        raise ManuscriptError(f"cover {name!r} is {width}x{height} pixels, too large",
                              hint="about 1600x2400 is plenty for any e-reader")
    return COVER_FORMATS[kind]


def cover_file(path: str | Path) -> EmbeddedFile:
    """The writer's ``--cover`` image, read once per run and checked, to be carried inside each
    book like an image from a container, since the writer may keep covers anywhere."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ManuscriptError(f"cannot read cover {str(path)!r}: {error.strerror}",
                              hint="check the path given to --cover") from None
    media_type = check_cover(data, path.name)
    return EmbeddedFile(f"cover-{path.name}", media_type, data)


def with_cover(book: Book, cover: EmbeddedFile) -> Book:
    """``book`` with ``cover`` (from cover_file) as its cover image, whatever it had before."""
    metadata = dataclasses.replace(book.metadata, cover=f"{EMBEDDED_SCHEME}{cover.name}")
    return dataclasses.replace(book, metadata=metadata, embedded=(*book.embedded, cover))

"""The library's front door: read a manuscript into a finished model, and build books from it.

The CLI is a thin shell over these functions; anything it does, Python code can do from here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bookmaker import readers, transforms
from bookmaker.assets import drop_unreadable_assets
from bookmaker.config import apply_book_defaults, load_config
from bookmaker.covers import with_cover_file
from bookmaker.errors import BookmakerError, ManuscriptError
from bookmaker.model import Book
from bookmaker.options import BuildOptions
from bookmaker.output import slugify, unique_path

# format name -> (file suffix, writer module). Writers are imported only when their format is asked
# for, so an EPUB build never loads the PDF machinery.
FORMATS = {
    "epub": (".epub", "bookmaker.writers.epub"),
    "pdf": (".pdf", "bookmaker.writers.pdf"),
    "zine": (".zine.pdf", "bookmaker.writers.zine"),
    "minizine": (".minizine.pdf", "bookmaker.writers.minizine"),
}


def load(path: str | Path) -> Book:
    """Read one manuscript (any supported format), fill what it leaves out from the nearest
    bookmaker.toml's [book] defaults, and apply the standard transforms."""
    return transforms.apply_all(apply_book_defaults(readers.read(path), load_config(path)))


@dataclass
class BuildResult:
    source: Path
    outputs: list[Path] = field(default_factory=list)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


def build(paths: Iterable[str | Path], formats: Iterable[str] = ("epub",),
          out_dir: str | Path = "dist", options: BuildOptions = BuildOptions(),
          on_result: Callable[[BuildResult], None] | None = None) -> list[BuildResult]:
    """Build every manuscript found under ``paths`` into ``out_dir``, one result per manuscript.

    A manuscript that fails is recorded with its error and the others still build. Output names
    are slugs of the titles, made unique within this run, so two works with one title never
    overwrite each other.
    """
    formats = list(dict.fromkeys(formats))
    for name in formats:
        if name not in FORMATS:
            raise BookmakerError(f"unknown format {name!r} (choose from {', '.join(FORMATS)})")
    out = Path(out_dir)
    taken: set[Path] = set()
    results: list[BuildResult] = []
    sources, refused = readers.discover_all(paths)
    for path, reason in refused:
        results.append(BuildResult(path, error=reason))
        if on_result:
            on_result(results[-1])
    for source in sources:
        result = BuildResult(source)
        try:
            book = load(source)
            if options.cover:
                book = with_cover_file(book, options.cover)
            book, dropped = drop_unreadable_assets(book, source)
            result.warnings = [str(finding) for finding in dropped]
            stem = slugify(book.metadata.title, fallback=slugify(source.stem))
            for name in formats:
                suffix, module_name = FORMATS[name]
                dest = unique_path(out, stem, suffix, taken)
                importlib.import_module(module_name).write(book, dest, options)
                result.outputs.append(dest)
        except ManuscriptError as error:
            # Writers meet problems (a missing image...) knowing the line but not the file.
            result.error = str(error.located(source))
        except BookmakerError as error:
            result.error = str(error)
        results.append(result)
        if on_result:
            on_result(result)
    return results

"""The one conversion path: a source file read once, finished, and written in every format asked.

``convert`` is the per-book step, and the only one: ``build`` (and so ``watch``), ``import`` and
every batch worker, local or on a Dask cluster, call it with a RenderContext built once per run.
The CLI is a thin shell over this module; anything it does, Python code can do from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from bookmaker import readers, transforms
from bookmaker.errors import BookmakerError, Finding, ManuscriptError
from bookmaker.model import Book
from bookmaker.safety.assets import drop_unreadable_assets, with_cover
from bookmaker.safety.files import slugify, unique_path
from bookmaker.settings.config import apply_book_defaults, load_config
from bookmaker.settings.context import RenderContext, render_context
from bookmaker.settings.options import BuildOptions
from bookmaker.transforms import scenebreaks
from bookmaker.writers import WRITERS, WriterInfo, check_formats

# Chooses where one output goes, given the book's name stem and the format's registry entry.
Placer = Callable[[str, WriterInfo], Path]


def load(path: str | Path) -> Book:
    """Read one source (any supported format), fill what it leaves out from the nearest
    bookmaker.toml's [book] defaults, and apply the standard transforms."""
    return finish(readers.read(path), Path(path))


def finish(book: Book, source: Path) -> Book:
    """A book as read, made ready to typeset: [book] defaults, typography, scene breaks."""
    return transforms.apply_all(apply_book_defaults(book, load_config(source)))


@dataclass
class Conversion:
    """What converting one source did: every output written, the problems met, or the error
    that stopped it (with the file and line where there is one)."""

    source: Path
    stem: str | None = None  # the output name's stem, from the title
    outputs: dict[str, Path] = field(default_factory=dict)  # format -> file written
    warnings: list[Finding] = field(default_factory=list)
    error: BookmakerError | None = None


def convert(source: Path, formats: Iterable[str], context: RenderContext,
            place: Placer) -> Conversion:
    """Read ``source`` once and write it in every format of ``formats``; never raises a
    BookmakerError (it is recorded in the result), so one bad book never stops the others."""
    result = Conversion(source)
    try:
        as_read, dropped = readers.read_with_findings(source)
        result.warnings.extend(dropped)
        result.stem = slugify(as_read.metadata.title, fallback=slugify(source.stem))
        typeset: Book | None = None
        for name in formats:
            info = WRITERS[name]
            writer = info.load()
            if writer.TYPESET:
                if typeset is None:
                    typeset = _typeset(as_read, source, context, result.warnings)
                book = typeset
            else:
                book = scenebreaks.apply(as_read)
            dest = place(result.stem, info)
            result.warnings.extend(writer.write(book, dest, context))
            result.outputs[name] = dest
    except ManuscriptError as error:
        # Writers meet problems (a missing image...) knowing the line but not the file.
        result.error = error.located(source)
    except BookmakerError as error:
        result.error = error
    return result


def _typeset(book: Book, source: Path, context: RenderContext, warnings: list[Finding]) -> Book:
    """The finished book a writer of a book (not of a manuscript) takes."""
    book = finish(book, source)
    if context.cover is not None:
        book = with_cover(book, context.cover)
    book, dropped = drop_unreadable_assets(book, source)
    warnings.extend(dropped)
    return book


# --------------------------------------------------------------------------- build


@dataclass
class BuildResult:
    source: Path
    outputs: list[Path] = field(default_factory=list)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


def build(paths: Iterable[str | Path], formats: Iterable[str] = ("epub",),
          out_dir: str | Path = "dist", options: BuildOptions | RenderContext | None = None,
          on_result: Callable[[BuildResult], None] | None = None) -> list[BuildResult]:
    """Build every manuscript found under ``paths`` into ``out_dir``, one result per manuscript.

    A manuscript that fails is recorded with its error and the others still build. Output names
    are slugs of the titles, made unique within this run, so two works with one title never
    overwrite each other.
    """
    names = check_formats(list(formats))
    context = options if isinstance(options, RenderContext) else render_context(options)
    out = Path(out_dir)
    taken: set[Path] = set()

    def place(stem: str, info: WriterInfo) -> Path:
        return unique_path(out, stem, info.suffix, taken)

    return _each_source(paths, on_result, lambda path, reason: BuildResult(path, error=reason),
                        lambda source: _build_result(convert(source, names, context, place)))


def _build_result(done: Conversion) -> BuildResult:
    return BuildResult(done.source, list(done.outputs.values()),
                       str(done.error) if done.error else None,
                       [str(finding) for finding in done.warnings])


# --------------------------------------------------------------------------- import


@dataclass
class ImportResult:
    source: Path
    output: Path | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


def import_files(paths: Iterable[str | Path], out_dir: str | Path = "manuscripts",
                 on_result: Callable[[ImportResult], None] | None = None) -> list[ImportResult]:
    """Write every file under ``paths`` as an editable manuscript in ``out_dir``, images beside
    it; one result per file.

    Only scene breaks are normalised (the one transform that changes structure, not text):
    typography is left to the build, so the manuscript keeps the author's own characters. Names
    are slugs of the titles, unique within the folder: an existing manuscript is never
    overwritten, and nothing is written outside the folder.
    """
    out = Path(out_dir)
    taken = _names_in_use(out)
    context = RenderContext()

    def place(stem: str, info: WriterInfo) -> Path:
        return _free_name(out, stem, taken)

    def one(source: Path) -> ImportResult:
        done = convert(source, ("manuscript",), context, place)
        return ImportResult(source, done.outputs.get("manuscript"),
                            str(done.error) if done.error else None,
                            [str(finding) for finding in done.warnings])

    return _each_source(paths, on_result, lambda path, reason: ImportResult(path, error=reason),
                        one)


def _names_in_use(out: Path) -> set[Path]:
    """Manuscripts and image folders already in the output folder: never overwritten."""
    if not out.is_dir():
        return set()
    return {path.with_suffix(".md") if path.is_dir() else path for path in out.iterdir()}


def _free_name(out: Path, stem: str, taken: set[Path]) -> Path:
    """``stem.md`` or ``stem-2.md``..., free both for the manuscript and its images folder."""
    while True:
        candidate = unique_path(out, stem, ".md", taken)
        images = candidate.with_name(f"{candidate.stem}-images.md")
        if images not in taken:
            taken.add(images)
            return candidate


Result = TypeVar("Result", BuildResult, ImportResult)


def _each_source(paths: Iterable[str | Path], on_result: Callable[[Result], None] | None,
                 refused_result: Callable[[Path, str], Result],
                 one: Callable[[Path], Result]) -> list[Result]:
    """Run ``one`` on every readable file under ``paths``, and record each path that held none
    with its reason; every result goes to ``on_result`` as soon as it is known."""
    results: list[Result] = []
    sources, refused = readers.discover_all(paths)
    for path, reason in refused:
        results.append(refused_result(path, reason))
        if on_result:
            on_result(results[-1])
    for source in sources:
        results.append(one(source))
        if on_result:
            on_result(results[-1])
    return results

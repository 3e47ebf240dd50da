"""The one conversion path: a source file read once, finished, and written in every format asked.

``convert`` is the per-book step, and the only one: ``build`` (and so ``watch``), ``import`` and
every batch worker, local or on a Dask cluster, call it with a RenderContext built once per run.
The CLI is a thin shell over this module; anything it does, Python code can do from here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bookmaker import readers, transforms
from bookmaker.errors import BookmakerError, Finding, ManuscriptError
from bookmaker.model import Anthology, Book, Work
from bookmaker.safety.assets import EMBEDDED_SCHEME, drop_unreadable_assets, with_cover
from bookmaker.safety.budgets import check_depth
from bookmaker.safety.files import refuse_links, slugify, unique_path
from bookmaker.safety.limits import BookTimeout, over_memory, time_limit, within
from bookmaker.terminal import printable
from bookmaker.settings.config import (Config, Resolved, apply_book_defaults, book_sources,
                                       load_config, options_of, resolve_build)
from bookmaker.settings.context import RenderContext, render_context
from bookmaker.settings.options import BuildOptions, RunOptions
from bookmaker.settings.themes import find_theme
from bookmaker.transforms import scenebreaks
from bookmaker.writers import WRITERS, WriterInfo, check_formats

if TYPE_CHECKING:  # anthology.yaml's reader is loaded only by the runs that build one
    from bookmaker.readers.anthology import AnthologySpec, WorkEntry

# Chooses where one output goes, given the book's name stem and the format's registry entry.
Placer = Callable[[str, WriterInfo], Path]


def load(path: str | Path) -> Book:
    """Read one source (any supported format), fill what it leaves out from the nearest
    bookmaker.toml's [book] defaults, and apply the standard transforms."""
    book = readers.read(path)
    check_depth(book, path)
    return finish(book, Path(path))


def finish(book: Book, source: Path) -> Book:
    """A book as read, made ready to typeset: [book] defaults, typography, scene breaks."""
    return transforms.apply_all(apply_book_defaults(book, load_config(source)))


@dataclass
class Conversion:
    """What converting one source did: every output written, the problems met, and what failed.

    Formats are independent: one that fails is recorded in ``failures`` and the others are still
    written. ``error`` is what stopped the source as a whole (it could not be read, it ran out of
    time): every format not written by then failed with it.
    """

    source: Path
    formats: tuple[str, ...] = ()  # the formats asked, in order
    stem: str | None = None  # the output name's stem, from the title
    outputs: dict[str, list[Path]] = field(default_factory=dict)  # format -> files (volumes)
    failures: dict[str, BookmakerError] = field(default_factory=dict)  # format -> why not
    warnings: list[Finding] = field(default_factory=list)
    error: BookmakerError | None = None
    volumes: list[Book | Anthology] | None = field(default=None, repr=False)  # once split

    def failed(self) -> dict[str, BookmakerError]:
        """Every format asked and not written, with its reason."""
        return {name: self.failures.get(name) or self.error or BookmakerError("not written")
                for name in self.formats if name not in self.outputs}

    def problems(self) -> list[str]:
        """What went wrong, one line each: the source's error, then each format's."""
        return ([str(self.error)] if self.error else []) + \
            [str(error) for error in self.failures.values()]


def convert(source: Path, formats: Iterable[str], context: RenderContext,
            place: Placer, seconds: float | None = None) -> Conversion:
    """Read ``source`` once and write it in every format of ``formats``; never raises a
    BookmakerError (it is recorded in the result), so one bad book never stops the others, and
    one format's failure never stops the other formats."""
    result = Conversion(source, tuple(formats))
    try:
        with time_limit(source, seconds):
            _convert(source, context, place, result)
    except BookTimeout as stopped:
        result.error = BookmakerError(str(stopped))
    except MemoryError:
        raise  # the batch pool reports it as the memory limit and replaces the worker
    except Exception as error:  # a bug must cost one book, never the books after it
        result.error = as_error(error, source)
    return result


def as_error(error: Exception, source: Path) -> BookmakerError:
    """What the user is told of ``error``, met converting ``source``: a file's fault said as
    such, with its line; a bug said as one, to report."""
    if isinstance(error, ManuscriptError):
        # Writers meet problems (a missing image...) knowing the line but not the file.
        return error.located(source)
    if isinstance(error, BookmakerError):
        return error
    if isinstance(error, RecursionError):
        # A recursive pass met nesting no guard caught: the file's fault, said as such.
        return ManuscriptError(
            "the text is nested too deeply to be read (quotes, lists, emphasis or tags inside "
            "each other hundreds of times)", source, hint="flatten the nesting and try again")
    return ManuscriptError(f"internal error: {type(error).__name__}: "
                           f"{printable(str(error)[:300])}", source,
                           hint="please report it with this file")


def _each_format(result: Conversion, source: Path | None,
                 write: Callable[[str], None]) -> None:
    """``write`` every format of ``result`` in turn; one that fails is recorded for that format
    alone, and the next is still written."""
    for name in result.formats:
        try:
            write(name)
        except MemoryError:
            raise
        except Exception as error:  # one format's failure is that format's alone
            failure = as_error(error, source or result.source)
            result.failures[name] = (failure if isinstance(failure, ManuscriptError) else
                                     ManuscriptError(str(failure), source)).of_format(name)


def _convert(source: Path, context: RenderContext, place: Placer, result: Conversion) -> None:
    """convert's work, recording into ``result`` as it goes."""
    as_read, dropped = readers.read_with_findings(source)
    result.warnings.extend(dropped)
    check_depth(as_read, source)  # before the first recursive pass over the model
    result.stem = slugify(as_read.metadata.title, fallback=slugify(source.stem))
    stem = result.stem
    typeset: list[Book] = []  # finished once, for every format that wants the finished book

    def write(name: str) -> None:
        info = WRITERS[name]
        writer = info.load()
        if writer.TYPESET:
            if not typeset:
                typeset.append(_typeset(as_read, source, context, result.warnings))
            _write_volumes(typeset[0], name, result, context, place, source)
            return
        book = scenebreaks.apply(as_read)
        dest = place(stem, info)
        result.warnings.extend(_naming_the_file(writer.write(book, dest, context), source, book))
        result.outputs[name] = [dest]

    _each_format(result, source, write)


def _naming_the_file(findings: Iterable[Finding], source: Path | None,
                     book: Book | Anthology) -> list[Finding]:
    """A writer knows the book's folder, not its file: its findings are made to name the file."""
    if source is None:
        return list(findings)
    folder = book.base_dir if isinstance(book, Book) else None
    return [dataclasses.replace(finding, path=str(source))
            if finding.path in (None, folder) else finding for finding in findings]


def typeset(book: Book, source: Path, context: RenderContext) -> tuple[Book, list[Finding]]:
    """The finished book ``convert`` hands the EPUB and PDF writers, and the warnings met making
    it (images left out...), for a caller that calls a writer's pieces itself: the live preview,
    which must show what ``build`` writes."""
    warnings: list[Finding] = []
    return _typeset(book, source, context, warnings), warnings


def _typeset(book: Book, source: Path, context: RenderContext, warnings: list[Finding],
             own_cover: bool = True) -> Book:
    """The finished book a writer of a book (not of a manuscript) takes. ``own_cover`` False:
    the work is one of an anthology's, and --cover is the collection's, not the work's."""
    book = finish(book, source)
    if context.cover is not None and own_cover:
        book = with_cover(book, context.cover)
    book, dropped = drop_unreadable_assets(book, source)
    warnings.extend(dropped)
    return book


def _write_volumes(book: Book | Anthology, name: str, result: Conversion,
                   context: RenderContext, place: Placer, source: Path | None = None) -> None:
    """Write ``book`` in format ``name``; split into volumes (``x-volume-1``...) first when the
    options ask for volumes, the split computed once per conversion and shared by formats."""
    info = WRITERS[name]
    writer = info.load()
    parts = _volumes_of(book, result, context)
    written = []
    for number, part in enumerate(parts, start=1):
        stem = result.stem or "book"
        dest = place(f"{stem}-volume-{number}" if len(parts) > 1 else stem, info)
        result.warnings.extend(_naming_the_file(writer.write(part, dest, context), source, part))
        written.append(dest)
    result.outputs[name] = written  # only once every volume is written


def _volumes_of(book: Book | Anthology, result: Conversion,
                context: RenderContext) -> list[Book | Anthology]:
    options = context.options
    if not ((options.volumes or 0) > 1 or options.max_pages):
        return [book]  # and the PDF machinery is not loaded for an EPUB
    from bookmaker.writers.pdf.volumes import split_volumes

    if result.volumes is None:
        volumes = split_volumes(book, context)
        result.volumes = list(volumes) if len(volumes) > 1 else [book]
    return result.volumes


# --------------------------------------------------------------------------- anthology


def convert_anthology(spec: AnthologySpec, formats: Iterable[str], context: RenderContext,
                      place: Placer, skip_failed: bool = False,
                      seconds: float | None = None) -> Conversion:
    """Read every work of ``spec`` as ``convert`` reads a book, bind them as one Anthology and
    write it in every format of ``formats``; never raises a BookmakerError. ``seconds`` is the
    time limit of each work's reading and of each format's writing (safety/limits.py): a work
    that runs past it, or past the memory limit, fails like a work that cannot be read.

    A missing work, one that fails to read, or a second work with a title already taken stops the
    anthology before anything is written, with every failing file named; ``skip_failed`` leaves
    them out with a warning each instead. An anthology left with no works is an error.
    """
    source = Path(spec.source or spec.metadata.title)
    warnings = list(spec.findings)
    try:
        anthology = read_anthology(spec, context, warnings, skip_failed, seconds)
    except BookmakerError as error:
        return Conversion(source, tuple(formats), warnings=warnings, error=error)
    return _write_anthology(anthology, source, tuple(formats), context, place, warnings,
                            seconds)


def read_anthology(spec: AnthologySpec, context: RenderContext, warnings: list[Finding],
                   skip_failed: bool = False, seconds: float | None = None) -> Anthology:
    """The Anthology ``spec`` describes, every work read and finished like a single book.

    Raises AnthologyError naming every failing work (unless ``skip_failed``), or when no work is
    left."""
    works: list[Work] = []
    read, failures = _read_entries(spec.works, context, warnings, seconds)
    titles: dict[str, Path] = {}
    for entry, book in read:
        book = with_overrides(book, entry)
        key = " ".join(book.metadata.title.casefold().split())
        if key in titles:
            failures.append(Finding("error", f"has the same title as {titles[key]} "
                                    f"({book.metadata.title!r})", str(entry.path),
                                    hint="give one a `title:` in anthology.yaml, or leave it out"))
            continue
        titles[key] = entry.path
        works.append(Work(book, entry.warnings, _shown(entry.path, spec.base_dir)))
    _stop_or_skip(failures, skip_failed, warnings)
    if not works:
        raise BookmakerError(f"the anthology {spec.metadata.title!r} has no works to bind "
                             "(name at least one readable work)")
    anthology = Anthology(spec.metadata, tuple(works), spec.editors, spec.introduction,
                          spec.afterword, base_dir=spec.base_dir)
    return _with_collection_cover(anthology, context) if context.cover is not None \
        else anthology


def _read_entries(entries: Iterable[WorkEntry], context: RenderContext,
                  warnings: list[Finding], seconds: float | None = None
                  ) -> tuple[list[tuple[WorkEntry, Book]], list[Finding]]:
    """Every work read and finished as ``convert`` finishes a book (the collection, not the
    work, takes --cover), each within ``seconds`` and the memory limit; the works that could not
    be, as errors naming their files."""
    read: list[tuple[WorkEntry, Book]] = []
    failures: list[Finding] = []
    for entry in entries:
        if entry.problem:
            failures.append(Finding("error", entry.problem, str(entry.path), entry.line))
            continue
        try:
            with within(entry.path, seconds):
                book = _typeset(readers.read(entry.path), entry.path, context, warnings,
                                own_cover=False)
        except ManuscriptError as error:
            failures.append(error.located(entry.path).as_finding())
            continue
        read.append((entry, book))
    return read, failures


def _stop_or_skip(failures: list[Finding], skip_failed: bool, warnings: list[Finding]) -> None:
    """AnthologyError naming every failure, or (``skip_failed``) a warning for each."""
    if failures and not skip_failed:
        raise AnthologyError(failures)
    warnings.extend(Finding("warning", f"left out of the anthology: {failure.message}",
                            failure.path, failure.line, failure.hint) for failure in failures)


# --------------------------------------------------------------------------- omnibus


def convert_omnibus(entries: Iterable[WorkEntry], formats: Iterable[str],
                    context: RenderContext, place: Placer, skip_failed: bool = False,
                    seconds: float | None = None) -> tuple[list[Conversion], list[Finding]]:
    """One book per series among the works: each series' works in part order, a work downloaded
    twice counted once. Returns a Conversion per series and what grouping found (duplicates,
    gaps, works in no series); a work that fails stops everything, as in an anthology, unless
    ``skip_failed``. ``seconds`` limits each work's reading and each format's writing, as in
    an anthology."""
    from bookmaker.omnibus import Candidate, group_by_series

    warnings: list[Finding] = []
    formats = tuple(formats)
    try:
        read, failures = _read_entries(entries, context, warnings, seconds)
        _stop_or_skip(failures, skip_failed, warnings)
    except BookmakerError as error:
        return [Conversion(Path("omnibus"), formats, error=error, warnings=warnings)], []
    groups, found = group_by_series([Candidate(entry.path, book) for entry, book in read])
    if not groups:
        no_series = BookmakerError("none of the works names a series, so there is no omnibus "
                                   "to make (bind them with --anthology TITLE instead)")
        return [Conversion(Path("omnibus"), formats, error=no_series, warnings=warnings)], found
    conversions = []
    for group in groups:
        anthology = Anthology(group.metadata, tuple(
            Work(candidate.book, source=str(candidate.path)) for _, candidate in group.parts))
        if context.cover is not None:
            anthology = _with_collection_cover(anthology, context)
        conversions.append(_write_anthology(anthology, Path(group.name), formats, context,
                                            place, list(warnings), seconds))
    return conversions, found


def _write_anthology(anthology: Anthology, source: Path, formats: tuple[str, ...],
                     context: RenderContext, place: Placer, warnings: list[Finding],
                     seconds: float | None = None) -> Conversion:
    """Every format of a bound anthology, recorded like a book's conversion, each within
    ``seconds`` and the memory limit: one format's failure is that format's alone."""
    result = Conversion(source, formats, slugify(anthology.metadata.title, fallback="anthology"),
                        warnings=warnings)

    def write(name: str) -> None:
        if not WRITERS[name].load().TYPESET:
            raise BookmakerError(f"an anthology cannot be written as {name}: build each work on "
                                 "its own instead")
        with within(source, seconds):
            _write_volumes(anthology, name, result, context, place)

    _each_format(result, source, write)
    return result


def _with_collection_cover(anthology: Anthology, context: RenderContext) -> Anthology:
    assert context.cover is not None
    return dataclasses.replace(
        anthology, embedded=(context.cover,), metadata=dataclasses.replace(
            anthology.metadata, cover=f"{EMBEDDED_SCHEME}{context.cover.name}"))


def _shown(path: Path, folder: str) -> str:
    """A work's file as the anthology names it: relative to the anthology's folder when inside
    it, so the model (and its JSON) does not depend on where the folder sits."""
    try:
        return path.resolve().relative_to(Path(folder).resolve()).as_posix()
    except ValueError:
        return str(path)


def with_overrides(book: Book, entry: WorkEntry) -> Book:
    """The work with the anthology's own title and author credit for it, where it gives them."""
    metadata = book.metadata
    if entry.title:
        metadata = dataclasses.replace(metadata, title=entry.title)
    if entry.authors is not None:
        metadata = dataclasses.replace(metadata, authors=entry.authors)
    return dataclasses.replace(book, metadata=metadata) if metadata != book.metadata else book


class AnthologyError(BookmakerError):
    """Works an anthology could not take: every one named, so one run shows them all."""

    def __init__(self, failures: list[Finding]) -> None:
        self.failures = failures
        lines = "\n".join(f"  {failure}" for failure in failures)
        super().__init__(f"{len(failures)} work(s) of the anthology failed; nothing was written "
                         f"(fix them, or build with --skip-failed to leave them out):\n{lines}")


# --------------------------------------------------------------------------- a run's settings


def settings_at(start: str | Path, command_line: dict[str, Any]
                ) -> tuple[RunOptions, RenderContext, tuple[Finding, ...]]:
    """What ``build``, ``batch`` and ``watch`` need for sources at ``start``: the run's options
    (formats checked against the writers), its render context (theme found, cover read), and
    the bookmaker.toml warnings to show. The command line wins over the file, the file over the
    defaults; an unknown format, theme or value fails here, once, with suggestions, at the
    bookmaker.toml line that gave it."""
    config = load_config(start)
    resolved = resolve_build(command_line, config)
    formats = resolved["formats"].located(lambda: check_formats(list(resolved["formats"].value)))
    run, options = options_of(resolved)
    context = resolved["style"].located(lambda: render_context(options))
    return dataclasses.replace(run, formats=formats), context, config.warnings


def effective_settings(start: str | Path) -> tuple[Config, dict[str, Resolved]]:
    """The settings a build at ``start`` would use with no options given, and where each comes
    from: what ``bookmaker config`` prints. What a build would refuse it refuses too, at the
    line to fix."""
    if not Path(start).exists():
        raise BookmakerError(f"{start}: no such file or folder (check the path)")
    config = load_config(start)
    build = resolve_build({}, config)
    build["formats"].located(lambda: check_formats(list(build["formats"].value)))
    build["style"].located(lambda: find_theme(build["style"].value))
    settings = {f"book.{name}": value for name, value in book_sources(config).items()}
    settings.update({f"build.{name}": value for name, value in build.items()})
    return config, settings


def _run_setup(formats: Iterable[str], out_dir: str | Path,
               options: BuildOptions | RenderContext | None
               ) -> tuple[tuple[str, ...], RenderContext, Placer]:
    """What every build into a folder starts with: the formats checked, the render context,
    and a placer giving each output a name unique within this run."""
    names = check_formats(list(formats))
    context = options if isinstance(options, RenderContext) else render_context(options)
    out = Path(out_dir)
    refuse_links(out)  # the user's folder, not one that came with the files
    taken: set[Path] = set()

    def place(stem: str, info: WriterInfo) -> Path:
        return unique_path(out, stem, info.suffix, taken)

    return names, context, place


def build_anthology(spec: AnthologySpec, formats: Iterable[str] = ("epub",),
                    out_dir: str | Path = "dist",
                    options: BuildOptions | RenderContext | None = None,
                    skip_failed: bool = False, seconds: float | None = None) -> BuildResult:
    """Build the anthology ``spec`` describes into ``out_dir``: one book holding every work.
    ``seconds``: the time limit of each work read and each format written."""
    names, context, place = _run_setup(formats, out_dir, options)
    return _build_result(convert_anthology(spec, names, context, place, skip_failed, seconds))


def build_omnibus(paths: Iterable[str | Path], formats: Iterable[str] = ("epub",),
                  out_dir: str | Path = "dist",
                  options: BuildOptions | RenderContext | None = None,
                  skip_failed: bool = False, seconds: float | None = None
                  ) -> tuple[list[BuildResult], list[str]]:
    """Build one omnibus per series among the works at ``paths`` into ``out_dir``; the results
    and what grouping found (duplicates, gaps, works in no series), as messages. ``seconds``:
    the time limit of each work read and each format written."""
    from bookmaker.readers.anthology import WorkEntry

    names, context, place = _run_setup(formats, out_dir, options)
    entries = [WorkEntry(Path(path)) for path in paths]
    conversions, found = convert_omnibus(entries, names, context, place, skip_failed, seconds)
    return [_build_result(done) for done in conversions], [str(finding) for finding in found]


# --------------------------------------------------------------------------- build


@dataclass
class BuildResult:
    """One source's build: every file written, and what failed (its error, or each failed
    format's, one per line), even when other formats were written."""

    source: Path
    outputs: list[Path] = field(default_factory=list)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


def build(paths: Iterable[str | Path], formats: Iterable[str] = ("epub",),
          out_dir: str | Path = "dist", options: BuildOptions | RenderContext | None = None,
          on_result: Callable[[BuildResult], None] | None = None,
          seconds: float | None = None) -> list[BuildResult]:
    """Build every manuscript found under ``paths`` into ``out_dir``, one result per manuscript.

    ``seconds`` limits the time of each book (safety/limits.py); one that runs out fails alone.

    A manuscript that fails is recorded with its error and the others still build. Output names
    are slugs of the titles, made unique within this run, so two works with one title never
    overwrite each other.
    """
    names, context, place = _run_setup(formats, out_dir, options)
    return _each_source(paths, on_result, lambda path, reason: BuildResult(path, error=reason),
                        lambda source: _build_one(source, names, context, place, seconds))


def _build_one(source: Path, names: tuple[str, ...], context: RenderContext, place: Placer,
               seconds: float | None) -> BuildResult:
    try:
        return _build_result(convert(source, names, context, place, seconds))
    except MemoryError:  # the process's memory limit (--memory-limit): this book alone fails
        return BuildResult(source, error=str(over_memory(source)))


def _build_result(done: Conversion) -> BuildResult:
    problems = done.problems()
    return BuildResult(done.source, [path for paths in done.outputs.values() for path in paths],
                       "\n".join(problems) if problems else None,
                       [str(finding) for finding in done.warnings])


# --------------------------------------------------------------------------- import


@dataclass
class ImportResult:
    source: Path
    output: Path | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


def import_files(paths: Iterable[str | Path], out_dir: str | Path = "manuscripts",
                 on_result: Callable[[ImportResult], None] | None = None,
                 seconds: float | None = None) -> list[ImportResult]:
    """Write every file under ``paths`` as an editable manuscript in ``out_dir``, images beside
    it; one result per file. ``seconds`` limits the time of each file, as a build's of each
    book; one that runs out, or meets the memory limit, fails alone.

    OutputError when ``out_dir`` is a symbolic link (safety/files.refuse_links).

    Only scene breaks are normalised (the one transform that changes structure, not text):
    typography is left to the build, so the manuscript keeps the author's own characters. Names
    are slugs of the titles, unique within the folder: an existing manuscript is never
    overwritten, and nothing is written outside the folder.
    """
    out = Path(out_dir)
    refuse_links(out)  # the user's folder, not one that came with the files
    taken = _names_in_use(out)
    context = RenderContext()

    def place(stem: str, info: WriterInfo) -> Path:
        return _free_name(out, stem, taken)

    def one(source: Path) -> ImportResult:
        try:
            done = convert(source, ("manuscript",), context, place, seconds)
        except MemoryError:  # the process's memory limit (--memory-limit)
            return ImportResult(source, error=str(over_memory(source)))
        failure = next(iter(done.failed().values()), None)
        return ImportResult(source, next(iter(done.outputs.get("manuscript", [])), None),
                            str(failure) if failure else None,
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

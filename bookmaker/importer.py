"""Importing an archive: any readable file (EPUB, AO3 HTML, DOCX, text...) as an editable manuscript.

``import_files`` reads each input, normalises its scene breaks (the one transform that changes
structure, not text: typography is left to the build, so the manuscript keeps the author's own
characters) and writes it with writers/manuscript.py into the output folder, images beside it.
One bad file never stops the others; each gets its result. Names are slugs of the titles, unique
within the folder (an existing manuscript is never overwritten), so nothing is written outside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bookmaker import readers
from bookmaker.errors import BookmakerError, ManuscriptError
from bookmaker.safety.files import slugify, unique_path


@dataclass
class ImportResult:
    source: Path
    output: Path | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


def import_files(paths: Iterable[str | Path], out_dir: str | Path = "manuscripts",
                 on_result: Callable[[ImportResult], None] | None = None) -> list[ImportResult]:
    """Write every file under ``paths`` as a manuscript in ``out_dir``; one result per file."""
    from bookmaker.transforms import scenebreaks
    from bookmaker.writers import manuscript

    out = Path(out_dir)
    taken = _names_in_use(out)
    results: list[ImportResult] = []
    sources, refused = readers.discover_all(paths)
    for path, reason in refused:
        results.append(ImportResult(path, error=reason))
        if on_result:
            on_result(results[-1])
    for source in sources:
        result = ImportResult(source)
        try:
            book = scenebreaks.apply(readers.read(source))
            stem = slugify(book.metadata.title, fallback=slugify(source.stem))
            dest = _free_name(out, stem, taken)
            result.warnings = [str(finding) for finding in manuscript.write(book, dest)]
            result.output = dest
        except ManuscriptError as error:
            result.error = str(error.located(source))
        except BookmakerError as error:
            result.error = str(error)
        results.append(result)
        if on_result:
            on_result(result)
    return results


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

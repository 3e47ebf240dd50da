"""The work done for one book, in whatever process runs it: read once, write every format asked.

``convert_one`` is a plain picklable function of a picklable Job, so any ``concurrent.futures``
executor can run it: the local isolated pool or a Dask cluster. It writes each output to a staging
file; the batch process moves the staged files to their final names, which only it may choose.
"""

from __future__ import annotations

import importlib
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bookmaker import pipeline, readers
from bookmaker.assets import drop_unreadable_assets
from bookmaker.errors import BookmakerError, ManuscriptError
from bookmaker.options import BuildOptions
from bookmaker.output import slugify

# Modules to import before reading anything: they may register extra readers or formats.
PLUGINS_VARIABLE = "BOOKMAKER_PLUGINS"


@dataclass(frozen=True)
class Job:
    source: str  # the input file
    relative: str  # its path under the source folder: its name in the manifest and the report
    staged: dict[str, str]  # format -> the temporary file (inside the output folder) to write it to
    options: BuildOptions = BuildOptions()
    plugins: tuple[str, ...] = field(default_factory=tuple)


def plugins_from_environment() -> tuple[str, ...]:
    """The plugin modules named (comma-separated) in $BOOKMAKER_PLUGINS."""
    return tuple(name.strip() for name in os.environ.get(PLUGINS_VARIABLE, "").split(",")
                 if name.strip())


def load_plugins(names: tuple[str, ...]) -> None:
    for name in names:
        importlib.import_module(name)


def warm_up(formats: tuple[str, ...], suffixes: tuple[str, ...], plugins: tuple[str, ...]) -> None:
    """Import the readers of the run's input types and the asked writers once per worker, not
    once per book; their templates, styles and fonts then stay cached for all its books.

    A module that fails to import is left for its books to report: it must not kill the worker.
    """
    load_plugins(plugins)
    modules = {f"bookmaker.readers.{readers.READERS[suffix]}" for suffix in suffixes
               if suffix in readers.READERS}
    modules.update(pipeline.FORMATS[name][1] for name in formats)
    for module_name in sorted(modules):
        try:
            importlib.import_module(module_name)
        except Exception:  # noqa: BLE001 - reported per book by convert_one
            continue
    _build_a_sample(formats)


_SAMPLE = "---\ntitle: Warm-up\nlanguage: en\n---\n\nA paragraph.\n\n* * *\n\nAnother.\n"


def _build_a_sample(formats: tuple[str, ...]) -> None:
    """Build a tiny book to every format: writers load their templates, styles and fonts on
    first use, and that belongs to the worker's start, not to its first book's time limit."""
    with tempfile.TemporaryDirectory(prefix="bookmaker-warm-up-") as folder:
        sample = Path(folder) / "sample.md"
        sample.write_text(_SAMPLE, encoding="utf-8")
        try:
            book = pipeline.load(sample)
            for name in formats:
                importlib.import_module(pipeline.FORMATS[name][1]).write(
                    book, Path(folder) / f"sample.{name}", BuildOptions())
        except Exception:  # noqa: BLE001 - the real books will report any problem
            return


def convert_one(job: Job) -> dict:
    """Build one input into every staged output; a record of what happened, never an exception.

    A MemoryError is let through: the isolated pool reports it as the memory limit being hit and
    replaces the worker, whose state can no longer be trusted.
    """
    started = time.perf_counter()
    record = {"input": job.relative, "status": "failed", "stem": None, "warnings": [],
              "error": None}
    try:
        load_plugins(job.plugins)
        source = Path(job.source)
        book, dropped = drop_unreadable_assets(pipeline.load(source), source)
        record["warnings"] = [str(finding) for finding in dropped]
        record["stem"] = slugify(book.metadata.title, fallback=slugify(source.stem))
        for name, staged in job.staged.items():
            importlib.import_module(pipeline.FORMATS[name][1]).write(
                book, Path(staged), job.options)
        record["status"] = "built"
    except ManuscriptError as error:
        located = error.located(job.source)
        record["error"] = error_fields(str(located), located.path, located.line)
    except BookmakerError as error:
        record["error"] = error_fields(str(error), job.source)
    except MemoryError:
        raise
    except Exception as error:  # a bug must cost one book, not the archive
        record["error"] = error_fields(
            f"{job.source}: internal error: {type(error).__name__}: {error} "
            f"(please report it with this file)", job.source)
    record["seconds"] = round(time.perf_counter() - started, 3)
    return record


def error_fields(message: str, file: str | None, line: int | None = None) -> dict:
    return {"message": message, "file": file, "line": line}

"""A batch's work for one book, in whatever process runs it: ``convert.convert`` on one Job.

``convert_one`` is a plain picklable function of a picklable Job, so any ``concurrent.futures``
executor can run it: the local isolated pool or a Dask cluster. The Job carries everything the
book needs (the absolute source path, the run's RenderContext with its options, theme and
timestamp setting), so a worker on another machine builds the very book a local run would. It
writes each format into a staging folder of its own (every file of it: volumes, the signatures of
a zine split for binding); the batch process moves the staged files to their final names, which
only it may choose. Formats are independent: one that fails is recorded with its error while the
others are staged.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bookmaker import convert, readers
from bookmaker.errors import BookmakerError, ManuscriptError
from bookmaker.settings.context import RenderContext
from bookmaker.settings.resources import STYLES
from bookmaker.settings.themes import THEME_FILE
from bookmaker.writers import WRITERS

# Modules to import before reading anything: they may register extra readers or formats.
PLUGINS_VARIABLE = "BOOKMAKER_PLUGINS"


@dataclass(frozen=True)
class Job:
    source: str  # the input file
    relative: str  # its path under the source folder: its name in the manifest and the report
    formats: tuple[str, ...]  # the formats to build now
    staging: str  # a hidden folder in the output folder: each format's files go in FOLDER/FORMAT
    context: RenderContext
    plugins: tuple[str, ...] = field(default_factory=tuple)
    # A file that exists while the batch still wants this book (Dask runs only, whose running
    # tasks cannot be killed): gone after the conversion, the staged files are removed again.
    live: str | None = None
    # The time limit the task keeps itself (safety/limits.py, in whichever thread runs it): for
    # executors that cannot stop a task (Dask's); the local pool stops its workers from outside.
    seconds: float | None = None

    def folder(self, format_name: str) -> Path:
        """Where format ``format_name``'s files are staged."""
        return Path(self.staging) / format_name


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
    modules = readers.modules_for(suffixes)
    modules.update(WRITERS[name].module for name in formats)
    for module_name in sorted(modules):
        try:
            importlib.import_module(module_name)
        except Exception:
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
            convert.convert(sample, formats, RenderContext(),
                            lambda stem, info: Path(folder) / f"sample{info.suffix}")
        except Exception:
            return


def convert_one(job: Job) -> dict:
    """Build one input into its staging folder; a record of what happened, never an exception:
    ``status`` (built, or failed when any format failed), ``stem``, ``files`` (format -> the
    names of its staged files, the books first), ``errors`` (format -> error fields),
    ``error`` (the first of them), ``warnings`` and ``seconds``.

    A MemoryError is let through: the isolated pool reports it as the memory limit being hit and
    replaces the worker, whose state can no longer be trusted.
    """
    started = time.perf_counter()
    record: dict[str, Any] = {"input": job.relative, "status": "failed", "stem": None,
                              "files": {}, "errors": {}, "warnings": [], "error": None}
    try:
        load_plugins(job.plugins)
        done = convert.convert(Path(job.source), job.formats, local_context(job.context),
                               lambda stem, info: job.folder(info.name) / f"{stem}{info.suffix}",
                               job.seconds)
        record["stem"] = done.stem
        record["warnings"] = [str(finding) for finding in done.warnings]
        record["files"] = {name: _staged_files(job.folder(name), done.outputs[name])
                           for name in job.formats if name in done.outputs}
        record["errors"] = {name: _fields(error, job.source)
                            for name, error in done.failed().items()}
    except MemoryError:
        raise
    except BookmakerError as error:  # this worker cannot build it (a theme folder it lacks)
        record["errors"] = dict.fromkeys(job.formats, error_fields(f"{job.source}: {error}",
                                                                   job.source))
    except Exception as error:  # a bug must cost one book, not the archive
        record["errors"] = dict.fromkeys(job.formats, error_fields(
            f"{job.source}: internal error: {type(error).__name__}: {error} "
            f"(please report it with this file)", job.source))
    for name in record["errors"]:  # whatever a failed format left half-done
        shutil.rmtree(job.folder(name), ignore_errors=True)
        record["files"].pop(name, None)
    record["seconds"] = round(time.perf_counter() - started, 3)
    if job.live is not None and not os.path.exists(job.live):
        # The batch stopped while this book was being built: it already swept its folder, so
        # whatever this task wrote after that is removed here, by the only one who knows.
        shutil.rmtree(job.staging, ignore_errors=True)
        record.update(files={}, errors=dict.fromkeys(job.formats, error_fields(
            f"{job.source}: stopped: the batch was interrupted", job.source)))
    record["status"] = "failed" if record["errors"] else "built"
    record["error"] = next(iter(record["errors"].values()), None)
    return record


def _staged_files(folder: Path, books: list[Path]) -> list[str]:
    """The names of every file staged in ``folder``: the books in order, then what a writer
    wrote beside them (a split zine's signatures)."""
    names = [book.name for book in books]
    return names + sorted(path.name for path in folder.iterdir() if path.name not in names)


def _fields(error: BookmakerError, source: str) -> dict:
    if isinstance(error, ManuscriptError):
        return error_fields(str(error), error.path, error.line)
    return error_fields(str(error), source)


def local_context(context: RenderContext) -> RenderContext:
    """The context with its theme found on this machine: a built-in theme's folder is where the
    batch process's bookmaker is installed, which a cluster worker's may not be. A theme of one's
    own must be at the same path on every worker, like the inputs."""
    folder = context.theme.folder
    if folder.is_dir():
        return context
    here = STYLES / folder.name
    if folder.parent.name == STYLES.name and (here / THEME_FILE).is_file():
        return dataclasses.replace(context, theme=dataclasses.replace(context.theme, folder=here))
    raise BookmakerError(f"theme folder {folder} is not on this worker (every worker must see "
                         "a theme folder of your own at the same path as the batch)")


def error_fields(message: str, file: str | None, line: int | None = None) -> dict:
    return {"message": message, "file": file, "line": line}

"""Convert a whole archive: plan, run the books on an executor, name and record what they built.

Only this process chooses output names and writes the manifest: workers write to staging files
that are moved into place here, so names stay unique per folder however the books are spread over
processes or machines, and a rerun reuses the names recorded for each input.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import dataclasses
import fcntl
import hashlib
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import bookmaker
from bookmaker import readers
from bookmaker.batch.manifest import (MANIFEST_NAME, Entry, Manifest, options_sha256,
                                      tree_sha256)
from bookmaker.batch.plan import BuildKey, Plan, make_plan
from bookmaker.batch.progress import NoProgress, Progress
from bookmaker.batch.worker import (Job, error_fields, load_plugins, plugins_from_environment)
from bookmaker.errors import BookmakerError
from bookmaker.safety.files import refuse_links
from bookmaker.safety.limits import DEFAULT_BOOK_SECONDS, DEFAULT_MEMORY_MB
from bookmaker.settings.context import RenderContext, render_context
from bookmaker.settings.options import OPTION_NAMES, SETTINGS, BuildOptions
from bookmaker.settings.resources import STYLES, TEMPLATES
from bookmaker.settings.themes import DEFAULT_THEME
from bookmaker.writers import WRITERS, check_formats

LOCK_NAME = ".bookmaker-batch.lock"
FLUSH_SECONDS = 2.0  # the manifest is saved at least this often while books finish


@dataclass(frozen=True)
class BatchSettings:
    formats: tuple[str, ...] = ("epub",)
    options: BuildOptions = field(default_factory=BuildOptions)
    jobs: int | None = None  # worker processes; None: one per core
    timeout: float | None = DEFAULT_BOOK_SECONDS  # seconds per book
    memory_limit_mb: int | None = DEFAULT_MEMORY_MB  # address space per worker process
    force: bool = False  # rebuild everything
    retry_failed: bool = False  # try again the unchanged inputs that failed last time
    scheduler: str | None = None  # a Dask scheduler address: run the books on that cluster


@dataclass
class BatchResult:
    """One record per input, in input order: ``input``, ``status`` (built, unchanged, or failed
    when any format failed), ``outputs`` (the files written this run), ``formats`` (each format
    asked: its ``status``, ``outputs`` and ``error``), ``seconds``, ``error`` (the first failure:
    {message, file, line}) and ``warnings``."""

    records: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for record in self.records if record["status"] == status)

    @property
    def failed(self) -> list[dict]:
        return [record for record in self.records if record["status"] == "failed"]


def run_batch(src: str | Path, out_dir: str | Path, settings: BatchSettings | None = None,
              executor: cf.Executor | None = None,
              progress: Progress | None = None) -> BatchResult:
    """Convert every readable file under ``src`` into ``out_dir``, mirroring its folders.

    ``executor`` is any ``concurrent.futures`` executor (Dask's ``Client.get_executor()`` too);
    by default an IsolatedExecutor with the settings' limits, or Dask's when ``settings.scheduler``
    is set. Interrupted (KeyboardInterrupt, or any exception), it stops the workers, removes
    partial files and saves the manifest before re-raising, so the next run continues.
    """
    settings = settings or BatchSettings()
    progress = progress or NoProgress()
    started = time.perf_counter()
    src, out_dir = Path(src), Path(out_dir)
    base = src if src.is_dir() else src.parent
    _check_folders(src, base, out_dir, settings.formats)
    plugins = plugins_from_environment()
    load_plugins(plugins)
    context = render_context(settings.options)
    sources = readers.discover(src)
    with contextlib.ExitStack() as stack:
        if executor is None and settings.scheduler:
            # Before anything is written: an unreachable scheduler leaves no folder, no lock
            # and no manifest behind.
            from bookmaker.batch.cluster import dask_executor

            executor, slots = stack.enter_context(dask_executor(settings.scheduler))
            settings = dataclasses.replace(settings, jobs=slots)
        _make_folder(out_dir)
        stack.enter_context(_locked(out_dir))
        manifest = Manifest.load(out_dir)
        remove_partial_files(out_dir)
        key = BuildKey(options_sha256(run_settings(context)), styles_sha256(context),
                       bookmaker.__version__)
        plan = make_plan(sources, base, manifest, settings.formats, key, settings.force,
                         settings.retry_failed)
        archive = _ArchiveRun(out_dir, manifest, key, plan, settings.formats)
        if plan.to_build:
            progress.start(len(plan.to_build), len(plan.unchanged) + len(plan.failed_before))
            try:
                suffixes = tuple(sorted({p.source.suffix.lower() for p in plan.to_build}))
                with _executor(executor, settings, suffixes, plugins) as (pool, window), \
                        _live_marker(out_dir, executor is not None) as live:
                    # A task on Dask keeps the time limit itself: nothing else can stop it.
                    seconds = settings.timeout if executor is not None else None
                    _run_jobs(archive.jobs(context, plugins, live, seconds), pool, window, archive,
                              progress)
            finally:
                progress.stop()
                remove_partial_files(out_dir)
                archive.save()
        elif plan.manifest_changed or manifest.unreadable:
            manifest.save()
    records = [archive.records[source.relative_to(base).as_posix()] for source in sources]
    return BatchResult(records, round(time.perf_counter() - started, 3))


def styles_sha256(context: RenderContext) -> str:
    """The hash of the theme and templates every book of a run is built with."""
    folders = dict.fromkeys([STYLES / DEFAULT_THEME, context.theme.folder, TEMPLATES])
    return tree_sha256(list(folders))


def run_settings(context: RenderContext) -> dict:
    """What besides the input decides a book's bytes: every setting the schema says rebuilds a
    book, the timestamp setting and the cover image's content (not just its path)."""
    cover = hashlib.sha256(context.cover.data).hexdigest() if context.cover else None
    options = {item.name: getattr(context.options, item.name) for item in SETTINGS
               if item.rebuilds and item.name in OPTION_NAMES}
    return {"options": options, "source_date_epoch": context.source_date_epoch, "cover": cover}


def staging_name(source_name: str) -> str:
    """The hidden folder a worker stages one input's outputs in: the input's name when it fits a
    file system's 255-byte limit with room to spare, else a hash of it."""
    name = f".{source_name}.staged.part"
    if len(name.encode("utf-8", "surrogateescape")) > 200:
        digest = hashlib.sha256(source_name.encode("utf-8", "surrogateescape")).hexdigest()[:24]
        name = f".{digest}.staged.part"
    return name


def remove_partial_files(out_dir: Path) -> None:
    """Remove staging folders and half-written files (``.NAME….part``) a killed worker may have
    left."""
    for leftover in sorted(out_dir.rglob(".*.part"), key=lambda path: len(path.parts)):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
    for marker in out_dir.glob(".bookmaker-batch.*.live"):  # of a run that was killed outright
        marker.unlink(missing_ok=True)


def _check_folders(src: Path, base: Path, out_dir: Path, formats: tuple[str, ...]) -> None:
    check_formats(formats)
    if not src.exists():
        raise BookmakerError(f"{src}: no such folder (give the folder of the archive)")
    if out_dir.resolve().is_relative_to(base.resolve()):
        raise BookmakerError(f"{out_dir}: the output folder must not be inside the source folder "
                             f"{base} (choose another with -o)")
    for name in (MANIFEST_NAME, LOCK_NAME):  # the names every batch writes
        refuse_links(out_dir, out_dir / name)


def _make_folder(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BookmakerError(f"{out_dir}: cannot create the output folder: {error.strerror} "
                             f"(choose another with -o)") from None


@contextlib.contextmanager
def _live_marker(out_dir: Path, shared: bool) -> Iterator[str | None]:
    """For an executor whose running tasks cannot be killed (Dask's), a file that exists while
    this run still wants their books: a task finishing after the run stopped finds it gone and
    removes its own staged files. The local pool kills its workers, so needs none."""
    if not shared:
        yield None
        return
    marker = out_dir.absolute() / f".bookmaker-batch.{os.getpid()}.{time.time_ns()}.live"
    marker.touch()
    try:
        yield str(marker)
    finally:
        marker.unlink(missing_ok=True)


@contextlib.contextmanager
def _locked(out_dir: Path) -> Iterator[None]:
    """One batch at a time per output folder: two would fight over names and the manifest."""
    try:
        # Never through a link (the folder was checked, but not opened, before): O_NOFOLLOW.
        lock = os.fdopen(os.open(out_dir / LOCK_NAME, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW
                                 | os.O_CLOEXEC, 0o644), "w")
    except OSError as error:
        raise BookmakerError(f"{out_dir}: cannot write to the output folder: {error.strerror} "
                             f"(choose another with -o)") from None
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BookmakerError(f"{out_dir}: another batch is writing to this folder "
                                 f"(wait for it to finish)") from None
        yield


@contextlib.contextmanager
def _executor(given: cf.Executor | None, settings: BatchSettings, suffixes: tuple[str, ...],
              plugins: tuple[str, ...]) -> Iterator[tuple[cf.Executor, int]]:
    """The executor to use and how many books to keep submitted at once."""
    if given is not None:
        yield given, 2 * (settings.jobs or os.cpu_count() or 1)
    else:
        from bookmaker.batch.isolated import IsolatedExecutor
        from bookmaker.batch.worker import warm_up

        memory = settings.memory_limit_mb * 2**20 if settings.memory_limit_mb else None
        pool = IsolatedExecutor(settings.jobs, settings.timeout, memory, initializer=warm_up,
                                initargs=(settings.formats, suffixes, plugins),
                                preload=("bookmaker.batch.worker",))
        try:
            yield pool, 2 * (settings.jobs or os.cpu_count() or 1)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _run_jobs(jobs: list[Job], pool: cf.Executor, window: int, archive: _ArchiveRun,
              progress: Progress) -> None:
    """Keep ``window`` books submitted; record each as it finishes, whatever the order."""
    waiting = iter(jobs)
    in_flight: dict[cf.Future, Job] = {}

    def top_up() -> None:
        while len(in_flight) < window:
            job = next(waiting, None)
            if job is None:
                return
            in_flight[pool.submit(_convert, job)] = job

    try:
        top_up()
        while in_flight:
            done, _ = cf.wait(in_flight, timeout=0.5, return_when=cf.FIRST_COMPLETED)
            for future in done:
                job = in_flight.pop(future)
                record = _record(future, job)
                archive.complete(job, record)
                progress.advance(record)
            top_up()
            progress.tick()
    finally:
        for future, job in in_flight.items():
            future.cancel()
            archive.discard(job)
        archive.finish_completed()


def _convert(job: Job) -> dict:
    """Import the worker only where a book is built, so a rerun with nothing to do never does."""
    from bookmaker.batch.worker import convert_one

    return convert_one(job)


def _record(future: cf.Future, job: Job) -> dict:
    """The worker's record, or a failure record for a book whose worker could not give one."""
    try:
        return future.result()
    except Exception as error:  # time or memory limit, a dead worker, a lost cluster node
        fields = error_fields(f"{job.source}: {error}", job.source)
        return {"input": job.relative, "status": "failed", "stem": None, "files": {},
                "errors": dict.fromkeys(job.formats, fields), "warnings": [], "seconds": 0.0,
                "error": fields}


class _ArchiveRun:
    """The state of one run: the manifest, the names taken in each folder, a record per input."""

    def __init__(self, out_dir: Path, manifest: Manifest, key: BuildKey, plan: Plan,
                 formats: tuple[str, ...]) -> None:
        self.out_dir, self.manifest, self.key, self.plan = out_dir, manifest, key, plan
        self.formats = formats
        self.taken = manifest.taken_outputs()
        self.fingerprints = {planned.relative: planned.fingerprint for planned in plan.to_build}
        self.records = {relative: self._carried(relative) for relative in
                        (*plan.unchanged, *plan.failed_before)}
        self.last_save = time.monotonic()
        self.order: list[str] = []
        self.next = 0  # the index in ``order`` of the first book not yet finished
        self.completed: dict[str, tuple[Job, dict]] = {}

    def jobs(self, context: RenderContext, plugins: tuple[str, ...],
             live: str | None = None, seconds: float | None = None) -> list[Job]:
        """A job per input to build, in input order; each stages its formats in a folder of its
        own. Every path in a job is absolute: a worker may run in any working folder."""
        jobs = []
        for planned in self.plan.to_build:
            folder = self.out_dir.absolute() / Path(planned.relative).parent
            refuse_links(self.out_dir.absolute(), folder)  # before a worker writes into it
            jobs.append(Job(str(planned.source.absolute()), planned.relative, planned.formats,
                            str(folder / staging_name(planned.source.name)), context, plugins,
                            live, seconds))
        self.order = [job.relative for job in jobs]
        return jobs

    def complete(self, job: Job, record: dict) -> None:
        """Take a finished book; finish every book whose predecessors are all finished.

        Books are named in input order, not in the order workers happen to finish them, so two
        works with one title in one folder get the same names on any run.
        """
        self.completed[job.relative] = (job, record)
        while self.next < len(self.order) and self.order[self.next] in self.completed:
            self._finish(*self.completed.pop(self.order[self.next]))
            self.next += 1

    def finish_completed(self) -> None:
        """At the end or on an interrupt: finish whatever is done, in input order."""
        for relative in self.order[self.next:]:
            if relative in self.completed:
                self._finish(*self.completed.pop(relative))
        self.next = len(self.order)

    def _finish(self, job: Job, record: dict) -> None:
        """Move each format's staged files to their names and record the input in the manifest:
        the formats that built are kept even when another failed."""
        fingerprint = self.fingerprints[job.relative]
        old = self.manifest.entries.get(job.relative)
        outputs = dict(old.outputs) if old else {}
        errors = dict(old.errors) if old else {}
        stem = old.stem if old else None
        written: dict[str, list[str]] = {}
        if record["files"]:
            folder = self.out_dir / Path(job.relative).parent
            stem = self._stem(old, record, folder)
            for name, files in record["files"].items():
                written[name] = [self._move(job.folder(name) / staged,
                                            folder / (stem + _rest(staged, record["stem"])))
                                 for staged in files]
                for stale in set(outputs.get(name, ())) - set(written[name]):
                    self._remove(stale)  # of the format's last build: fewer volumes now
                outputs[name] = written[name]
                errors.pop(name, None)
        errors.update(record["errors"])
        self.discard(job)
        self.manifest.entries[job.relative] = Entry(
            fingerprint.sha256, fingerprint.size, fingerprint.mtime_ns, self.key.options,
            self.key.styles, self.key.version, "failed" if errors else "built", outputs,
            next(iter(errors.values()), None), record["seconds"], record["warnings"], errors,
            stem)
        self.records[job.relative] = self._record(job.relative, written, record["seconds"],
                                                  record["warnings"])
        if time.monotonic() - self.last_save > FLUSH_SECONDS:
            self.save()

    def _stem(self, old: Entry | None, record: dict, folder: Path) -> str:
        """The name every output of the input starts with: the one it had (so a rerun never
        moves a book), else its title's, numbered when another input's outputs took it."""
        own = {self.out_dir / name for name in old.files()} if old else set()
        rests = [_rest(staged, record["stem"]) for files in record["files"].values()
                 for staged in files]

        def free(stem: str) -> bool:
            return all(folder / (stem + rest) not in self.taken - own for rest in rests)

        kept = old and (old.stem or _stem_of_version_1(old))
        if kept and free(kept):
            return kept
        base = record["stem"] or "book"
        candidate, number = base, 2
        while not free(candidate):
            candidate, number = f"{base}-{number}", number + 1
        return candidate

    def _move(self, staged: Path, dest: Path) -> str:
        os.replace(staged, dest)
        self.taken.add(dest)
        return dest.relative_to(self.out_dir).as_posix()

    def _remove(self, output: str) -> None:
        path = self.out_dir / output
        if path.parent.resolve().is_relative_to(self.out_dir.resolve()):
            path.unlink(missing_ok=True)

    def _record(self, relative: str, written: dict[str, list[str]], seconds: float,
                warnings: list[str]) -> dict:
        """The report's record of an input: each format asked, built now, unchanged or failed."""
        entry = self.manifest.entries[relative]
        failed = entry.failed_formats(self.formats)
        formats = {}
        for name in self.formats:
            status = "built" if name in written else "failed" if name in failed else "unchanged"
            error = entry.errors.get(name, entry.error) if status == "failed" else None
            formats[name] = {"status": status, "error": error,
                             "outputs": written.get(name) or
                             ([] if status == "failed" else entry.outputs.get(name, []))}
        status = "failed" if failed else "built" if written else "unchanged"
        return {"input": relative, "status": status,
                "outputs": [name for names in written.values() for name in names],
                "formats": formats, "seconds": seconds,
                "error": next((f["error"] for f in formats.values() if f["error"]), None),
                "warnings": warnings}

    def discard(self, job: Job) -> None:
        shutil.rmtree(job.staging, ignore_errors=True)

    def save(self) -> None:
        self.manifest.save()
        self.last_save = time.monotonic()

    def _carried(self, relative: str) -> dict:
        """The record of an input this run did not rebuild, from its manifest entry."""
        record = self._record(relative, {}, 0.0, [])
        if record["status"] == "unchanged":
            record["outputs"] = sorted(name for f in record["formats"].values()
                                       for name in f["outputs"])
        return record


def _rest(staged: str, stem: str | None) -> str:
    """What follows the worker's stem in a staged file's name (``.epub``, ``-volume-2.pdf``,
    ``.zine.signature-01.pdf``): the batch puts its own stem before it."""
    return staged[len(stem):] if stem and staged.startswith(stem) else f"-{staged}"


def _stem_of_version_1(entry: Entry) -> str | None:
    """The stem of an entry written before stems were kept: its first output's name less the
    format's suffix."""
    for name, files in entry.outputs.items():
        file_name = Path(files[0]).name
        suffix = WRITERS[name].suffix if name in WRITERS else ""
        if suffix and file_name.endswith(suffix):
            return file_name[:-len(suffix)]
    return None

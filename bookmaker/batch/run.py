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
from bookmaker.settings.options import BuildOptions
from bookmaker.safety.files import refuse_links, unique_path
from bookmaker.settings.context import RenderContext, render_context
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
    timeout: float | None = 300.0  # seconds per book
    memory_limit_mb: int | None = 2048  # address space per worker process
    force: bool = False  # rebuild everything
    retry_failed: bool = False  # try again the unchanged inputs that failed last time
    scheduler: str | None = None  # a Dask scheduler address: run the books on that cluster


@dataclass
class BatchResult:
    """One record per input, in input order: ``input``, ``status`` (built, unchanged or failed),
    ``outputs``, ``seconds``, ``error`` ({message, file, line}) and ``warnings``."""

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
        archive = _ArchiveRun(out_dir, manifest, key, plan)
        if plan.to_build:
            progress.start(len(plan.to_build), len(plan.unchanged) + len(plan.failed_before))
            try:
                suffixes = tuple(sorted({p.source.suffix.lower() for p in plan.to_build}))
                with _executor(executor, settings, suffixes, plugins) as (pool, window), \
                        _live_marker(out_dir, executor is not None) as live:
                    _run_jobs(archive.jobs(context, plugins, live), pool, window, archive,
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
    """What besides the input decides a book's bytes: the options, the timestamp setting and the
    cover image's content (not just its path)."""
    cover = hashlib.sha256(context.cover.data).hexdigest() if context.cover else None
    return {"options": dataclasses.asdict(context.options),
            "source_date_epoch": context.source_date_epoch, "cover": cover}


def staged_name(source_name: str, format_name: str) -> str:
    """The hidden file a worker writes one output to: the input's name when it fits a file
    system's 255-byte limit with room to spare, else a hash of it."""
    name = f".{source_name}.{format_name}.staged.part"
    if len(name.encode("utf-8", "surrogateescape")) > 200:
        digest = hashlib.sha256(source_name.encode("utf-8", "surrogateescape")).hexdigest()[:24]
        name = f".{digest}.{format_name}.staged.part"
    return name


def remove_partial_files(out_dir: Path) -> None:
    """Remove staging and half-written files (``.NAME….part``) a killed worker may have left."""
    for leftover in out_dir.rglob(".*.part"):
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
        return {"input": job.relative, "status": "failed", "stem": None, "warnings": [],
                "seconds": 0.0, "error": error_fields(f"{job.source}: {error}", job.source)}


class _ArchiveRun:
    """The state of one run: the manifest, the names taken in each folder, a record per input."""

    def __init__(self, out_dir: Path, manifest: Manifest, key: BuildKey, plan: Plan) -> None:
        self.out_dir, self.manifest, self.key, self.plan = out_dir, manifest, key, plan
        self.taken = manifest.taken_outputs()
        self.fingerprints = {planned.relative: planned.fingerprint for planned in plan.to_build}
        self.records = {relative: self._carried(relative, "unchanged")
                        for relative in plan.unchanged}
        self.records.update({relative: self._carried(relative, "failed")
                             for relative in plan.failed_before})
        self.last_save = time.monotonic()
        self.order: list[str] = []
        self.next = 0  # the index in ``order`` of the first book not yet finished
        self.completed: dict[str, tuple[Job, dict]] = {}

    def jobs(self, context: RenderContext, plugins: tuple[str, ...],
             live: str | None = None) -> list[Job]:
        """A job per input to build, in input order; each writes its formats to staging files.
        Every path in a job is absolute: a worker may run in any working folder."""
        jobs = []
        for planned in self.plan.to_build:
            folder = self.out_dir.absolute() / Path(planned.relative).parent
            refuse_links(self.out_dir.absolute(), folder)  # before a worker writes into it
            staged = {name: str(folder / staged_name(planned.source.name, name))
                      for name in planned.formats}
            jobs.append(Job(str(planned.source.absolute()), planned.relative, staged, context,
                            plugins, live))
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
        """Move a built book's staged files to their names and record it in the manifest."""
        fingerprint = self.fingerprints[job.relative]
        old = self.manifest.entries.get(job.relative)
        entry = Entry(fingerprint.sha256, fingerprint.size, fingerprint.mtime_ns,
                      self.key.options, self.key.styles, self.key.version, record["status"],
                      dict(old.outputs) if old else {}, record["error"], record["seconds"],
                      record["warnings"])
        written = []
        if record["status"] == "built":
            folder = self.out_dir / Path(job.relative).parent
            for name, staged in job.staged.items():
                dest = self.out_dir / entry.outputs[name] if name in entry.outputs else \
                    unique_path(folder, record["stem"], WRITERS[name].suffix, self.taken)
                if not dest.parent.resolve().is_relative_to(self.out_dir.resolve()):
                    # A manifest or a folder link edited to lead out: rename nowhere else.
                    dest = unique_path(folder, record["stem"], WRITERS[name].suffix, self.taken)
                os.replace(staged, dest)
                entry.outputs[name] = dest.relative_to(self.out_dir).as_posix()
                written.append(entry.outputs[name])
        else:
            self.discard(job)
        self.manifest.entries[job.relative] = entry
        self.records[job.relative] = {
            "input": job.relative, "status": record["status"], "outputs": written,
            "seconds": record["seconds"], "error": record["error"],
            "warnings": record["warnings"]}
        if time.monotonic() - self.last_save > FLUSH_SECONDS:
            self.save()

    def discard(self, job: Job) -> None:
        for staged in job.staged.values():
            Path(staged).unlink(missing_ok=True)

    def save(self) -> None:
        self.manifest.save()
        self.last_save = time.monotonic()

    def _carried(self, relative: str, status: str) -> dict:
        """The record of an input this run did not rebuild, from its manifest entry."""
        entry = self.manifest.entries[relative]
        return {"input": relative, "status": status,
                "outputs": sorted(entry.outputs.values()) if status == "unchanged" else [],
                "seconds": 0.0, "error": entry.error if status == "failed" else None,
                "warnings": []}

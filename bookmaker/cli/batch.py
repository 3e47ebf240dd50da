"""``bookmaker batch``: a whole archive, in parallel, only what changed."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from bookmaker.cli.app import app, examples
from bookmaker.cli.common import echo, fail, run_settings
from bookmaker.cli.settings import takes_settings
from bookmaker.terminal import printable


@app.command(epilog=examples(
    "bookmaker batch archive/ -o books/",
    "bookmaker batch archive/ -o books/ -f epub -f pdf --jobs 2 --report report.json",
    "bookmaker batch archive/ -o books/ --scheduler tcp://scheduler-host:8786",
))
@takes_settings("batch")
def batch(
    src: Annotated[Path, typer.Argument(
        help="The archive: a folder of works in any readable format.", show_default=False)],
    report: Annotated[Path | None, typer.Option(
        "--report", help="Also write a JSON report, one record per input.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild everything.")] = False,
    retry_failed: Annotated[bool, typer.Option(
        "--retry-failed", help="Try again the formats of unchanged works that failed last "
        "time.")] = False,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Run on a Dask cluster: the scheduler's tcp://HOST:PORT.")] = None,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="No progress and no summary; failures only.")] = False,
    settings: dict[str, Any] | None = None,
) -> None:
    """Convert a whole archive, mirroring its folders: in parallel, only what changed since the
    last run, safe to interrupt and run again.

    Takes the settings of `build`, from here and from the [bold]bookmaker.toml[/bold] of the
    archive's folder. A work that fails, hangs or runs out of memory is reported and the others
    go on, as is a format that fails while the work's other formats are written; the exit code
    is 1 if any failed, 130 or 143 when interrupted.
    """
    from rich.console import Console

    from bookmaker.batch import BatchSettings, run_batch
    from bookmaker.batch.progress import NoProgress
    from bookmaker.batch.report import failure_lines, write_json_report
    from bookmaker.batch.signals import Interrupted, interrupt_on
    from bookmaker.cli.progress import BarProgress, LineProgress
    from bookmaker.cli.summary import print_summary
    from bookmaker.errors import BookmakerError

    run, context = run_settings(src if src.is_dir() else src.parent, settings or {})
    console = Console(highlight=False)
    progress = NoProgress() if quiet else \
        BarProgress(console) if console.is_terminal else LineProgress(sys.stdout)
    batch_settings = BatchSettings(run.formats, context.options, run.jobs, run.timeout,
                                   run.memory_limit, force, retry_failed, scheduler)
    try:
        with interrupt_on():
            result = run_batch(src, run.out, batch_settings, progress=progress)
    except Interrupted as stop:
        fail(f"batch {stop}: its workers were stopped and their staged files removed, so "
             "nothing half-written is left; finished works are recorded: run the same command "
             "again to continue", stop.exit_code)
    except BookmakerError as error:
        fail(str(error))
    if report:
        write_json_report(result, report)
    if quiet:
        for _name, message in failure_lines(result):
            echo(printable(message), err=True)
    else:
        print_summary(console, result)
    if result.failed:
        raise typer.Exit(1)

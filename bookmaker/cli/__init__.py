"""The ``bookmaker`` command: parses options, calls the library, prints results. Nothing more.

Heavy modules (readers, writers, WeasyPrint later) are imported inside the commands that need
them, so ``bookmaker --help`` is instant and an EPUB build never loads the PDF machinery.
"""

from __future__ import annotations

import contextlib
import dataclasses
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from bookmaker import __version__
from bookmaker.safety.terminal import printable, printable_name  # names from strangers

app = typer.Typer(
    name="bookmaker",
    help="Turn fan fiction manuscripts into books: EPUB, a styled PDF, zines and mini-zines. "
         "Also imports EPUB, AO3, HTML, Word and text files as manuscripts, and converts whole "
         "archives (locally or on a Dask cluster).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"bookmaker {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool | None, typer.Option(
        "--version", callback=_version, is_eager=True, help="Show the version and exit.")] = None,
) -> None:
    """Turn fan fiction manuscripts into books."""


def _examples(*lines: str) -> str:
    """A help epilog: Typer's rich help joins single lines, so each example is its own paragraph."""
    return "[bold]Examples[/bold]\n\n" + "\n\n".join(f"  [cyan]{line}[/cyan]" for line in lines)


def _default(text: str, value: str) -> str:
    """A help text ending in its default, for an option whose default lives in settings/config.py
    (None here means "not given"). The bracket is escaped: rich markup would take
    ``[default: ...]`` for a tag and print nothing of it."""
    return f"{text} \\[default: {value}]"


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"bookmaker: {message}", err=True)
    raise typer.Exit(code)


# Options `build`, `batch` and `watch` share, declared once. None means "not given": the value then
# comes from bookmaker.toml or the built-in default (settings/config.py decides, in one place), so
# _default writes the default into the help. Never write a bare "[default: ...]" into a help text:
# with rich markup on, square brackets are a tag and vanish from the screen.
FormatsOption = Annotated[list[str] | None, typer.Option(
    "--format", "-f", show_default=False,
    help=_default("Output format: epub, kepub, pdf, zine or minizine; repeat for several.",
                  "epub"))]
OutOption = Annotated[Path | None, typer.Option(
    "--out", "-o", help=_default("Output folder.", "dist"), show_default=False)]
WarningsOption = Annotated[str | None, typer.Option(
    "--warnings", show_default=False,
    help=_default("Where the warnings page goes: front, end or omit.", "front"))]
PaperOption = Annotated[str | None, typer.Option(
    "--paper", show_default=False,
    help=_default("PDF page size: a5, a4, letter, half-letter, 5x8 or 6x9 (any case).", "a5"))]
DropCapsOption = Annotated[bool | None, typer.Option(
    "--drop-caps/--no-drop-caps", show_default=False,
    help=_default("PDF: open each chapter with a drop cap.", "no-drop-caps"))]
WorkersOption = Annotated[int | None, typer.Option(
    "--workers", min=1, show_default=False,
    help=_default("PDF: processes laying out a long book.", "one per core"))]
StyleOption = Annotated[str | None, typer.Option(
    "--style", "--theme", show_default=False,
    help=_default("A theme name (see `bookmaker styles`) or the path of a theme folder of your "
                  "own.", "default"))]
CoverOption = Annotated[Path | None, typer.Option(
    "--cover", show_default=False,
    help=_default("Your own cover image: PNG, JPEG, GIF or WebP.", "the manuscript's own"))]
GeneratedCoverOption = Annotated[bool | None, typer.Option(
    "--generated-cover/--no-generated-cover", show_default=False,
    help=_default("A typographic cover for a book without a cover image.", "generated-cover"))]
FlipOption = Annotated[str, typer.Option(
    "--flip", help="Zine: the edge your duplex printer flips on, short or long.")]
SheetOption = Annotated[str | None, typer.Option(
    "--sheet", show_default=False,
    help=_default("Zine: sheet size a4, a3, letter or tabloid (any case).",
                  "two pages of the paper"))]
SignatureOption = Annotated[int | None, typer.Option(
    "--signature", show_default=False,
    help=_default("Zine: pages per folded signature (a multiple of 4), for thick books.",
                  "one signature"))]
CreepOption = Annotated[str, typer.Option(
    "--creep", help="Zine: how far each inner sheet's pages move to the spine, e.g. 0.2mm.")]
MarksOption = Annotated[bool, typer.Option("--marks", help="Zine: fold and crop marks.")]
NoGuideOption = Annotated[bool, typer.Option(
    "--no-guide", help="Zine: leave out the printing guide sheet.")]


def _verdict(results: list, failed_what: str) -> None:
    """Exit 1 when anything failed, saying how much; a folder that held nothing readable is
    named as such, not counted as a failed manuscript."""
    empty = [str(r.source) for r in results if r.error and r.source.is_dir()]
    works = [r for r in results if not (r.error and r.source.is_dir())]
    failed = sum(1 for r in works if r.error)
    if not works and empty:
        _fail(f"no manuscripts in {', '.join(empty)}")
    problems = [f"{failed} of {len(works)} {failed_what}"] if failed else []
    problems += [f"no manuscripts in {', '.join(empty)}"] if empty else []
    if problems:
        _fail("; ".join(problems))


@contextlib.contextmanager
def _stopping(what: str, code_on_stop: int | None = None,
              stopped: str = "the book in progress and any worker processes were stopped"
              ) -> Iterator[None]:
    """Ctrl-C or SIGTERM during ``what``: the workers are already stopped by the code that
    started them (each cleans up as the exception passes); say so, and exit 130 or 143 (0 for
    ``watch``, whose way to stop is Ctrl-C)."""
    from bookmaker.batch.signals import Interrupted, interrupt_on

    try:
        with interrupt_on():
            yield
    except (Interrupted, KeyboardInterrupt) as stop:
        signum = stop.signum if isinstance(stop, Interrupted) else signal.SIGINT
        name = signal.Signals(signum).name
        typer.echo(f"bookmaker: {what} stopped by {name}: {stopped}; nothing half-written is "
                   "left (every book is written through a temporary file)", err=True)
        raise typer.Exit(128 + signum if code_on_stop is None else code_on_stop) from None


def _run_settings(start: Path, command_line: dict) -> tuple:
    """Formats, output folder and render context for a run at ``start`` (its bookmaker.toml
    applies); a bad value ends the command with exit code 2 and says what to give instead."""
    from bookmaker.errors import BookmakerError
    from bookmaker.settings.config import settings_for
    from bookmaker.settings.options import parse_length

    try:
        if isinstance(command_line.get("creep"), str):
            command_line["creep"] = parse_length(command_line["creep"])
        formats, out, context, config_warnings = settings_for(start, command_line)
    except (ValueError, BookmakerError) as error:
        _fail(str(error), 2)
    for finding in config_warnings:
        typer.echo(str(finding), err=True)
    return formats, out, context


@app.command(epilog=_examples(
    "bookmaker build manuscripts/",
    "bookmaker build story.txt -o books/",
    "bookmaker build story.md --warnings end",
    "bookmaker build story.md -f epub -f pdf --paper 6x9 --drop-caps",
    "bookmaker build story.md -f zine --marks --creep 0.2mm",
    "bookmaker build drabble.md -f minizine",
    'bookmaker build a.md b.epub c.html --anthology "Rain Stories" --editor "An Editor"',
    "bookmaker build anthology.yaml -f epub -f pdf",
    "bookmaker build downloads/ --omnibus",
    "bookmaker build long.md -f zine --signature 16 --split-signatures --flyleaves 1",
    "bookmaker build long.md -f pdf --volumes 2",
))
def build(
    paths: Annotated[list[Path], typer.Argument(
        help="Files to build (.md, .txt, .html, .epub, .docx) or folders holding them.",
        show_default=False)],
    formats: FormatsOption = None,
    out: OutOption = None,
    warnings: WarningsOption = None,
    paper: PaperOption = None,
    drop_caps: DropCapsOption = None,
    workers: WorkersOption = None,
    style: StyleOption = None,
    cover: CoverOption = None,
    generated_cover: GeneratedCoverOption = None,
    flip: FlipOption = "short",
    sheet: SheetOption = None,
    signature: SignatureOption = None,
    creep: CreepOption = "0mm",
    marks: MarksOption = False,
    no_guide: NoGuideOption = False,
    anthology: AnthologyOption = None,
    editors: EditorOption = None,
    skip_failed: SkipFailedOption = False,
    omnibus: OmnibusOption = False,
    split_signatures: SplitSignaturesOption = False,
    flyleaves: FlyleavesOption = 0,
    volumes: VolumesOption = None,
    max_pages: MaxPagesOption = None,
    timeout: Annotated[float, typer.Option(
        "--timeout", min=0.1, help="Seconds one book may take before it is stopped.")] = 300.0,
    memory_limit: Annotated[int, typer.Option(
        "--memory-limit", min=64, help="Megabytes of memory the build may use.")] = 2048,
) -> None:
    """Build books from manuscripts into the output folder.

    Settings not given here come from the nearest [bold]bookmaker.toml[/bold] (see `bookmaker
    config`). Each book is named after its title; one bad manuscript never stops the others, and
    the exit code is 1 if any failed.
    """
    from bookmaker.convert import BuildResult, build as build_books
    from bookmaker.errors import BookmakerError

    as_anthology = anthology is not None or _is_anthology_file(paths)

    def report(result: BuildResult) -> None:
        for warning in result.warnings:
            typer.echo(warning, err=True)
        if result.error:
            typer.echo(result.error, err=True)
        else:
            for output in result.outputs:
                typer.echo(f"{printable_name(str(result.source))} -> {printable_name(str(output))}")

    formats, out, context = _run_settings(paths[0], {
        "formats": formats, "out": out, "warnings": warnings, "paper": paper,
        "drop_caps": drop_caps, "workers": workers, "style": style, "cover": cover,
        "generated_cover": generated_cover, "flip": flip, "sheet": sheet, "signature": signature,
        "creep": creep, "marks": marks, "guide": not no_guide,
        "split_signatures": split_signatures, "flyleaves": flyleaves, "volumes": volumes,
        "max_pages": max_pages})
    from bookmaker.safety.limits import memory_limit as limited_memory

    if omnibus:
        with limited_memory(memory_limit):
            _build_omnibus(paths, skip_failed, (formats, out, context), report)
        return
    if as_anthology:
        with limited_memory(memory_limit):
            _build_anthology(paths, anthology, tuple(editors or ()), skip_failed,
                             (formats, out, context), report)
        return
    try:
        # Like batch's per worker: a net under the budgets; Ctrl-C stops it cleanly.
        with _stopping("build"), limited_memory(memory_limit):
            results = build_books(paths, formats, out, context, report, seconds=timeout)
    except BookmakerError as error:
        _fail(str(error))
    _verdict(results, "manuscripts failed")


# --------------------------------------------------------------------------- anthologies

AnthologyOption = Annotated[str | None, typer.Option(
    "--anthology", help="Bind every work given into one book with this title, in the order "
    "given (or give an anthology.yaml instead of works).", show_default=False)]
EditorOption = Annotated[list[str] | None, typer.Option(
    "--editor", help="Anthology: an editor's name; repeat for several.", show_default=False)]
SkipFailedOption = Annotated[bool, typer.Option(
    "--skip-failed", help="Anthology: leave out works that are missing or fail to read, "
    "instead of stopping.")]


# For binders: signatures as separate PDFs, flyleaves, and long books split into volumes.
SplitSignaturesOption = Annotated[bool, typer.Option(
    "--split-signatures", help="Zine: also write one PDF per signature (with --signature N), "
    "blanks at the end of the last signature, for binding.")]
FlyleavesOption = Annotated[int, typer.Option(
    "--flyleaves", min=0, max=10, help="Zine: blank leaves before and after the book.")]
VolumesOption = Annotated[int | None, typer.Option(
    "--volumes", min=1, max=50, help="Split the book into N volumes at work or chapter "
    "boundaries, each with its own title page and contents.", show_default=False)]
MaxPagesOption = Annotated[int | None, typer.Option(
    "--max-pages", min=16, help="Split the book into volumes of at most P pages.",
    show_default=False)]
OmnibusOption = Annotated[bool, typer.Option(
    "--omnibus", help="One book per series among the works, each ordered by part; a work "
    "downloaded twice counts once.")]


def _build_omnibus(paths: list[Path], skip_failed: bool, settings: tuple, report) -> None:
    """One book per series: what grouping found (duplicates, gaps) first, then each book."""
    from bookmaker.convert import build_omnibus
    from bookmaker.errors import BookmakerError
    from bookmaker.readers import discover_all

    formats, out, context = settings
    works = [found for path in paths
             for found in (discover_all([path])[0] if path.is_dir() else [path])]
    try:
        results, found = build_omnibus(works, formats, out, context, skip_failed)
    except BookmakerError as error:
        _fail(str(error))
    for line in found:
        typer.echo(line, err=True)
    for result in results:
        report(result)
    if any(result.error for result in results):
        raise typer.Exit(1)


def _is_anthology_file(paths: list[Path]) -> bool:
    return len(paths) == 1 and paths[0].suffix.lower() in (".yaml", ".yml")


def _build_anthology(paths: list[Path], title: str | None, editors: tuple[str, ...],
                     skip_failed: bool, settings: tuple, report) -> None:
    """One book from many works: from an anthology.yaml, or from the paths in order."""
    from bookmaker.convert import build_anthology
    from bookmaker.errors import BookmakerError
    from bookmaker.readers import discover_all, read_anthology_spec
    from bookmaker.readers.anthology import spec_from_paths

    formats, out, context = settings
    try:
        if _is_anthology_file(paths):
            spec = read_anthology_spec(paths[0])
            if title:
                spec = dataclasses.replace(spec, metadata=dataclasses.replace(
                    spec.metadata, title=title))
            if editors:
                spec = dataclasses.replace(spec, editors=editors)
        else:
            # A folder stands for the works in it; a file is taken as given, so a missing one
            # is named with the other failures rather than dropped here.
            works = [found for path in paths
                     for found in (discover_all([path])[0] if path.is_dir() else [path])]
            spec = spec_from_paths(works, title or "", editors)
        result = build_anthology(spec, formats, out, context, skip_failed)
    except BookmakerError as error:
        _fail(str(error))
    report(result)
    if result.error:
        raise typer.Exit(1)


@app.command(epilog=_examples("bookmaker inspect story.md", "bookmaker inspect story.txt --json"))
def inspect(
    path: Annotated[Path, typer.Argument(help="One manuscript file.", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the model as JSON.")] = False,
) -> None:
    """Show the document model a manuscript becomes."""
    from bookmaker.errors import BookmakerError
    from bookmaker.model import to_json
    from bookmaker.writers.outline import outline
    from bookmaker.convert import load

    try:
        book = load(path)
    except BookmakerError as error:
        typer.echo(str(error), err=True)  # already says file:line: problem (what to do)
        raise typer.Exit(1) from None
    sys.stdout.write(to_json(book) if as_json else outline(book))


@app.command(epilog=_examples("bookmaker check manuscripts/", "bookmaker check story.md",
                              "bookmaker check book.epub --target kindle",
                              "bookmaker check archive/ --target kobo"))
def check(
    paths: Annotated[list[Path], typer.Argument(
        help="Manuscripts, EPUBs or folders of them.", show_default=False)],
    target: Annotated[str, typer.Option(
        "--target", "-t", help="EPUBs: the device rules to lint against: kindle, kobo, apple or "
        "all.")] = "all",
) -> None:
    """Check manuscripts, or lint EPUBs (anyone's) against e-reader rules, without building.

    Prints [bold]file:line: problem (what to do)[/bold] for each finding; for an EPUB the file is
    the part inside the book and the problem starts with the rule's id. Exits 1 if any finding is
    an error. To repair an EPUB: `bookmaker import` it, then `bookmaker build` the manuscript.
    """
    from bookmaker.check import check_paths
    from bookmaker.errors import BookmakerError

    try:
        findings = check_paths(paths, target)
    except BookmakerError as error:
        _fail(str(error), 2)
    # Like a linter: every finding on stdout in file and line order, the verdict on stderr.
    for finding in sorted(findings, key=lambda f: (f.path or "", f.line or 0)):
        typer.echo(str(finding))
    errors = sum(1 for f in findings if f.level == "error")
    if errors:
        _fail(f"{errors} error(s), {len(findings) - errors} warning(s)", 1)
    typer.echo(f"ok: no errors, {len(findings)} warning(s)")


@app.command("import", epilog=_examples(
    "bookmaker import downloads/The_Long_Way_Round.epub",
    "bookmaker import archive/ -o manuscripts/",
    "bookmaker import old-fic.txt work.html draft.docx -o drafts/",
))
def import_(
    paths: Annotated[list[Path], typer.Argument(
        help="Files to import (.epub, AO3 .html, .html, .docx, .txt, .md) or folders of them.",
        show_default=False)],
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="Folder the manuscripts are written to.")] = Path("manuscripts"),
) -> None:
    """Turn EPUBs, AO3 downloads, Word files and old texts into editable manuscripts.

    Each input becomes [bold]<title>.md[/bold] in the output folder, with its images in
    [bold]<title>-images/[/bold]; existing files are never overwritten. Edit it, then `bookmaker
    build` it. One bad file never stops the others; the exit code is 1 if any failed.
    """
    from bookmaker.convert import ImportResult, import_files

    def report(result: ImportResult) -> None:
        for warning in result.warnings:
            typer.echo(warning, err=True)
        if result.error:
            typer.echo(result.error, err=True)
        else:
            typer.echo(f"{printable_name(str(result.source))} -> "
                       f"{printable_name(str(result.output))}")

    from bookmaker.errors import BookmakerError

    try:
        with _stopping("import"):
            results = import_files(paths, out, report)
    except BookmakerError as error:  # an output folder that is not the user's
        _fail(str(error))
    _verdict(results, "files failed to import")


@app.command(epilog=_examples('bookmaker new "A New Hero"',
                              'bookmaker new "Chapter Two of Something" -d drafts/'))
def new(
    title: Annotated[str, typer.Argument(help="The work's title, in quotes.", show_default=False)],
    folder: Annotated[Path, typer.Option("--dir", "-d", help="Folder for the manuscript.")] =
        Path("manuscripts"),
) -> None:
    """Start a manuscript: every header field explained in comments, ready to build."""
    from bookmaker.errors import BookmakerError
    from bookmaker.scaffold import new_manuscript

    try:
        path = new_manuscript(title, folder)
    except BookmakerError as error:
        _fail(str(error))
    typer.echo(f"{path}: written; build it with `bookmaker build {path}`")


@app.command(epilog=_examples(
    "bookmaker batch archive/ -o books/",
    "bookmaker batch archive/ -o books/ -f epub -f pdf --jobs 2 --report report.json",
    "bookmaker batch archive/ -o books/ --scheduler tcp://scheduler-host:8786",
))
def batch(
    src: Annotated[Path, typer.Argument(
        help="The archive: a folder of works in any readable format.", show_default=False)],
    out: OutOption = None,
    formats: FormatsOption = None,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=1, help=_default("Worker processes.", "one per core"),
        show_default=False)] = None,
    report: Annotated[Path | None, typer.Option(
        "--report", help="Also write a JSON report, one record per input.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild everything.")] = False,
    retry_failed: Annotated[bool, typer.Option(
        "--retry-failed", help="Try again the unchanged works that failed last time.")] = False,
    timeout: Annotated[float, typer.Option(
        "--timeout", min=0.1, help="Seconds one work may take before it is stopped.")] = 300.0,
    memory_limit: Annotated[int, typer.Option(
        "--memory-limit", min=64, help="Megabytes of memory one worker may use.")] = 2048,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Run on a Dask cluster: the scheduler's tcp://HOST:PORT.")] = None,
    warnings: WarningsOption = None,
    paper: PaperOption = None,
    drop_caps: DropCapsOption = None,
    style: StyleOption = None,
    cover: CoverOption = None,
    generated_cover: GeneratedCoverOption = None,
    flip: FlipOption = "short",
    sheet: SheetOption = None,
    signature: SignatureOption = None,
    creep: CreepOption = "0mm",
    marks: MarksOption = False,
    no_guide: NoGuideOption = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="No progress and no summary; failures only.")] = False,
) -> None:
    """Convert a whole archive, mirroring its folders: in parallel, only what changed since the
    last run, safe to interrupt and run again.

    Takes the same settings as `build`, from here and from the [bold]bookmaker.toml[/bold] of the
    archive's folder. A work that fails, hangs or runs out of memory is reported and the others
    go on; the exit code is 1 if any failed, 130 or 143 when interrupted.
    """
    from rich.console import Console

    from bookmaker.batch import BatchSettings, run_batch
    from bookmaker.batch.progress import NoProgress
    from bookmaker.batch.report import write_json_report
    from bookmaker.batch.signals import Interrupted, interrupt_on
    from bookmaker.cli.progress import BarProgress, LineProgress
    from bookmaker.cli.summary import print_summary
    from bookmaker.errors import BookmakerError

    formats, out, context = _run_settings(src if src.is_dir() else src.parent, {
        "formats": formats, "out": out, "warnings": warnings, "paper": paper,
        "drop_caps": drop_caps, "style": style, "cover": cover,
        "generated_cover": generated_cover, "flip": flip, "sheet": sheet, "signature": signature,
        "creep": creep, "marks": marks, "guide": not no_guide})
    console = Console(highlight=False)
    progress = NoProgress() if quiet else \
        BarProgress(console) if console.is_terminal else LineProgress(sys.stdout)
    settings = BatchSettings(tuple(formats), context.options, jobs, timeout, memory_limit, force,
                             retry_failed, scheduler)
    try:
        with interrupt_on():
            result = run_batch(src, out, settings, progress=progress)
    except Interrupted as stop:
        _fail(f"batch {stop}: its workers were stopped and their staged files removed, so "
              "nothing half-written is left; finished works are recorded: run the same command "
              "again to continue", stop.exit_code)
    except BookmakerError as error:
        _fail(str(error))
    if report:
        write_json_report(result, report)
    if quiet:
        for record in result.failed:
            typer.echo(printable(str(record["error"]["message"])), err=True)
    else:
        print_summary(console, result)
    if result.failed:
        raise typer.Exit(1)


@app.command("config", epilog=_examples("bookmaker config",
                                        "bookmaker config manuscripts/story.md"))
def show_config(
    path: Annotated[Path, typer.Argument(
        help=_default("A manuscript or folder.", "the current folder"), show_default=False)] =
        Path("."),
) -> None:
    """Print the settings a build would use and where each came from (bookmaker.toml:line or
    the built-in default); options given to `build` win over both."""
    from bookmaker.settings.config import effective_settings
    from bookmaker.errors import BookmakerError

    try:
        config, settings = effective_settings(path)
    except BookmakerError as error:
        _fail(str(error))
    for finding in config.warnings:
        typer.echo(str(finding), err=True)
    typer.echo(f"# {config.path or 'no bookmaker.toml found: built-in defaults'}")
    width = max(len(name) for name in settings)
    for name, setting in settings.items():
        typer.echo(f"{name:<{width}}  {setting.value!r:<24}  # {setting.source}")


@app.command(epilog=_examples("bookmaker styles", "bookmaker build story.md --style modern"))
def styles() -> None:
    """List the themes, each with a line saying what it looks like."""
    from bookmaker.settings.themes import list_themes

    themes = list_themes()
    width = max(len(theme.name) for theme in themes)
    for theme in themes:
        typer.echo(f"{theme.name:<{width}}  {theme.description}")


@app.command(epilog=_examples("bookmaker watch manuscripts/a-new-hero.md",
                              "bookmaker watch story.md -f epub -f pdf --style modern"))
def watch(
    path: Annotated[Path, typer.Argument(help="A manuscript (or a folder of them).",
                                         show_default=False)],
    formats: FormatsOption = None,
    out: OutOption = None,
    style: StyleOption = None,
) -> None:
    """Build, then rebuild on every save of the manuscript, its images, bookmaker.toml or the
    theme; errors are printed and the watch goes on. Ctrl-C stops."""
    from bookmaker.errors import BookmakerError
    from bookmaker.watch import watch as watch_and_build

    def echo(line: str) -> None:
        typer.echo(line)

    try:
        with _stopping("watch", code_on_stop=0, stopped="a rebuild in progress (if any) was "
                       "abandoned with its worker processes, the last good books stay"):
            watch_and_build(path, {"formats": formats, "out": out, "style": style}, echo)
    except BookmakerError as error:  # nothing to watch, or settings no build could use
        _fail(str(error), 2)


if __name__ == "__main__":
    app()
